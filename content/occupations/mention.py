"""Which words of a message name a job, when the message is about that job and AI.

People rarely type a bare job title. They say who they are ("I am a teacher, is my job safe?"),
or ask how exposed a job is ("how exposed are truck drivers to AI"). Only the sentence shapes
below count as naming a job: anything else is a question for the search, so "which certification
first?" is never looked up as a job title.
"""

from __future__ import annotations

import re

_JOB = r"(?:an? |the )?(?!(?:my|our|your|me|it|this|that)\b)(?P<job>[^?!.,;]{2,80}?)"
"""A job's name; "how safe is my job" asks about the person's own job without naming it."""
_END = r"\s*[?!.]*$"
_AI = r"(?:ai|a\.i\.|automation|artificial intelligence|robots|chatgpt|llms?)"

ASKING = re.compile(
    r"^(?:(?:hi|hello|hey)[,!. ]+)?"
    r"(?:i'?m|i am|im|i work as|i'?m working as|my (?:job|role|occupation) is|"
    r"what about|how about|and|(?:what(?:'s| is) the )?(?:ai )?risk (?:for|of)|"
    rf"(?:will|could|can|is) {_AI} (?:going to )?(?:replace|take over|take|eliminate|automate)|"
    r"are|is)\s+"
    r"(?:an? |the )?(?P<job>[^?!.,;]{2,80}?)"
    r"(?:'s?)?(?:\s+(?:at risk|safe|replaceable|jobs?))?" + _END,
    re.IGNORECASE,
)
"""A whole message naming a job: "I'm a paralegal", "what about accountants?", "risk for X"."""

SAYING_WHO = re.compile(
    r"^(?:(?:hi|hello|hey)\s+)?(?:(?:i'?m|i am|im|i work as|i'?m working as) (?:an?|the)|"
    r"i work in|my (?:job|role|occupation|profession) is|my job as an?)\s+"
    r"(?P<job>[^?!.,;]{2,80}?)\s*$",
    re.IGNORECASE,
)
"""One clause of a longer message saying what the person does: "I am a teacher" in "I am a
teacher, is my job safe?". Only these first-person shapes count inside a longer message, and
"I'm" only with an article: "im new, which certification first?" names no job."""

ASKING_ABOUT = tuple(
    re.compile(pattern + _END, re.IGNORECASE)
    for pattern in (
        rf"^how (?:exposed|safe|secure|vulnerable|replaceable|at risk) (?:are|is) {_JOB}"
        rf"(?: jobs?)?(?: (?:to|from|by) {_AI})?",
        rf"^(?:what(?:'s| is) the )?(?:future|outlook) (?:of|for) {_JOB}"
        rf"(?: jobs?)?(?: (?:with|and|after|in the age of) {_AI})?",
        rf"^should {_JOB} (?:worry|be worried|be scared|be afraid)(?: (?:about|of) {_AI})?",
        rf"^(?:will|could|can|is) {_AI} (?:going to )?(?:replace|take over|take|kill|eliminate|"
        rf"automate) (?:the )?(?:jobs? of )?{_JOB}(?:'s?)?(?: jobs?| work)?",
        rf"^is {_JOB} (?:a )?(?:safe|secure|future-proof|good) (?:job|career|choice)"
        rf"(?: (?:with|given|in the age of) {_AI})?",
    )
)
"""Whole questions about a named job and AI."""

_CLAUSES = re.compile(r"[,;:.!?]+|\s+(?:but|and|so)\s+", re.IGNORECASE)


def jobs_asked(text: str) -> list[str]:
    """The words a message may name its job with, most likely first, as typed (to be looked
    up); empty when it is not a sentence about a job. A whole question comes before a clause
    saying who someone is: "Hi, I'm a designer and I'm worried about AI" tries the whole rest,
    then "designer"."""
    text = text.strip()
    found = [m["job"].strip() for p in (*ASKING_ABOUT, ASKING) if (m := p.match(text))]
    for clause in _CLAUSES.split(text):
        if m := SAYING_WHO.match(clause.strip()):
            found.append(m["job"].strip())
    return list(dict.fromkeys(found))
