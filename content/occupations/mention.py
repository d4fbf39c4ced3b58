"""Which words of a message name a job, when the message is about that job and AI.

People rarely type a bare job title. They say who they are ("I am a teacher, is my job safe?"),
or ask how exposed a job is ("how exposed are truck drivers to AI"). Only the sentence shapes
below count as naming a job: anything else is a question for the search, so "which certification
first?" is never looked up as a job title.
"""

from __future__ import annotations

import re

_NOT_A_JOB = (
    r"(?!(?:my|our|your|me|us|you|it|this|that|there|over|all|any|every\w*|some\w*|ai|tech|"
    r"jobs?|work|people|humans|workers)\b)"
)
"""Words after "is", "take" or "future of" that name no job: "how safe is my job", "will AI take
over?", "will AI take all the jobs", "is AI a good career", "the future of tech"."""
_JOB = r"(?:an? |the )?" + _NOT_A_JOB + r"(?P<job>[^?!.,;]{2,80}?)"
_END = r"\s*[?!.]*$"
_AI = r"(?:ai|a\.i\.|automation|artificial intelligence|robots|chatgpt|llms?)"

ASKING = re.compile(
    r"^(?:(?:hi|hello|hey)[,!. ]+)?"
    r"(?:i'?m|i am|im|i work as|i'?m working as|my (?:job|role|occupation) is|"
    r"what about|how about|and|(?:what(?:'s| is) the )?(?:ai )?risk (?:for|of)|"
    rf"(?:will|could|can|is) {_AI} (?:going to )?(?:replace|take over)|"
    r"are|is)\s+" + _JOB + r"(?:'s?)?(?:\s+(?:at risk|safe|replaceable|jobs?))?" + _END,
    re.IGNORECASE,
)
"""A whole message naming a job: "I'm a paralegal", "what about accountants?", "risk for X"."""

SAYING_WHO = re.compile(
    r"^(?:(?:hi|hello|hey)\s+)?(?:i'?m|i am|im|i work as|i'?m working as|"
    r"my (?:job|role|occupation|profession) is|my job as) (?:an?|the)\s+"
    r"(?P<job>[^?!.,;]{2,80}?)\s*$",
    re.IGNORECASE,
)
"""One clause of a longer message saying what the person does: "I am a teacher" in "I am a
teacher, is my job safe?". Only these first-person shapes count inside a longer message, and
only with an article: "im new, which certification first?" and "my job is at risk, what can I
do?" name no job."""

ASKING_ABOUT = tuple(
    re.compile(pattern + _END, re.IGNORECASE)
    for pattern in (
        rf"^how (?:exposed|safe|secure|vulnerable|replaceable|at risk) (?:are|is) {_JOB}"
        rf"(?: jobs?)?(?: (?:to|from|by) {_AI})?",
        rf"^(?:what(?:'s| is) the )?(?:future|outlook) (?:of|for) {_JOB}"
        rf"(?: jobs?)?(?: (?:with|and|after|in the age of) {_AI})?",
        rf"^should {_JOB} (?:worry|be worried|be scared|be afraid)(?: (?:about|of) {_AI})?",
        rf"^(?:will|could|can|is) {_AI} (?:going to )?(?:replace|take over|kill|eliminate|"
        rf"automate) (?:the )?(?:jobs? of )?{_JOB}(?:'s?)?(?: jobs?| work)?",
        rf"^(?:will|could|can|is) {_AI} (?:going to )?(?:take|steal) (?:the )?{_JOB}(?:'s?)? jobs?",
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
    text = text.strip().replace("\u2019", "'").replace("\u2018", "'")  # "I’m" as phones type it
    found = [m["job"].strip() for p in (*ASKING_ABOUT, ASKING) if (m := p.match(text))]
    for clause in _CLAUSES.split(text):
        if m := SAYING_WHO.match(clause.strip()):
            found.append(m["job"].strip())
    # "what about nurses and doctors": the whole first (titles have "and" in them), then each
    found += [part for job in found for part in re.split(r"\s+(?:and|or|&)\s+|\s*/\s*", job)]
    return list(dict.fromkeys(p.strip() for p in found if p.strip()))
