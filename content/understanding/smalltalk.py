"""Messages that are not questions: greetings, thanks, goodbyes and asking for help or the menu.

They get their natural reply instead of a search, so "thanks" is never matched to a FAQ.
Only short messages count: "hi, will AI replace ML engineers?" is a question.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from content.understanding.text import fold

SmallTalk = Literal["greet", "thanks", "help", "bye", "yesno", "ack"]

_PATTERNS: list[tuple[SmallTalk, re.Pattern[str]]] = [
    (
        "thanks",
        re.compile(
            r"^(?:(?:ok(?:ay)?|great|cool|nice|perfect|awesome)\s+)?(?:thanks?|thank you|thx|"
            r"ty|tysm|cheers|much appreciated|appreciate it)\b"
        ),
    ),
    (
        "greet",
        re.compile(
            r"^(?:hi+|hello+|hey+|hiya|howdy|yo|hallo|greetings|good (?:morning|afternoon|"
            r"evening|day)|hola|bonjour|salut|ciao|hej|ola|namaste|merhaba|hei|moin|servus)"
            r"(?: there| bot| careerbot)?$"
        ),
    ),
    (
        "help",
        re.compile(
            r"^(?:help|help me|menu|main menu|start|options|commands|what can you do|"
            r"what do you do|how does this work|how do i use (?:this|you))$"
        ),
    ),
    ("bye", re.compile(r"^(?:bye+|goodbye|bye bye|see (?:you|ya)(?: later| soon)?|cya|later)$")),
    # Nodding along: "ok", "got it", "lol". Not a question, so no "outside what I know".
    (
        "ack",
        re.compile(
            r"^(?:ok(?:ay)?|k+|cool|nice|great|good|got it|alright|all right|fine|perfect|"
            r"awesome|lol|haha+|hmm+|ah+|oh|i see|makes sense|understood|noted|wow|interesting)$"
        ),
    ),
    # A bare yes or no answers a question that had buttons (/forget asks "Delete everything?").
    (
        "yesno",
        re.compile(r"^(?:yes+|y|yep|yeah|yup|no+|n|nope|nah)(?: please| thanks)?$"),
    ),
]
_MAX_WORDS = 6
_PROBE = re.compile(r"^(?:test(?:ing)?(?: test(?:ing)?)*|ping|(?:are )?(?:you|u) there)$")


def small_talk(text: str) -> SmallTalk | None:
    words = re.findall(r"[a-z0-9]+", fold(text))
    if not words:
        # An emoji on its own (a thumbs up) nods along; bare punctuation ("???") is not talk.
        return "ack" if any(unicodedata.category(c) == "So" for c in text) else None
    if len(words) > _MAX_WORDS:
        return None
    joined = " ".join(words)
    for kind, pattern in _PATTERNS:
        if pattern.search(joined):
            return kind
    return None


def is_probe(text: str) -> bool:
    """Someone checking that the bot is alive ("test", "ping"): not a question, so it gets the
    "here is what I can help with" reply rather than whatever card shares the word "test"."""
    return bool(_PROBE.match(" ".join(re.findall(r"[a-z0-9]+", fold(text)))))
