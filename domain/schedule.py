"""The order of a plan's study weeks, as numbers: which exam domain each week studies, which
part of it, and which earlier domain it brings back for review (see domain/studyplan.py for why).

Integers only; :mod:`domain.studyplan` turns a step into a week's words. A nudge needs one week
of one plan, so the steps are generators, worked out only as far as asked, and the rounds in
which every domain is studied — the same for every plan length — are worked out once per number
of domains (:class:`FullRounds`).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator, Sequence
from functools import lru_cache

REVIEW_GAP = 2
"""Weeks since a domain was last seen before it comes back as a spaced review."""

Step = tuple[int, int, int, int]
"""One interleaved study week as numbers: (domain, part, parts, reviewed domain or -1)."""


def steps(counts: Sequence[int], first: int, last: list[int], order: list[int]) -> Iterator[Step]:
    """The schedule from round ``first`` on, given what the rounds before left in ``last`` (the
    week each domain was last studied or reviewed) and ``order``; it updates both as it goes.

    The review is, of the other domains seen at least REVIEW_GAP weeks ago, the one seen longest
    ago (the first in the guide's order on a tie). ``order`` keeps the domains seen so far in
    exactly that order — by last week, then index — so the review is the first one in it that
    is not this week's domain, if that one is old enough: a step looks at two entries, not at
    every domain."""
    seen = [min(count, first) for count in counts]  # each round studies a domain once
    number = sum(seen)
    for round_ in range(first, max(counts, default=0)):
        for i, count in enumerate(counts):
            if count <= round_:
                continue
            number += 1
            seen[i] += 1
            pick = -1
            for j in order:
                if j != i:
                    if number - last[j] >= REVIEW_GAP:
                        pick = j
                    break
            if i in order:
                order.remove(i)
            last[i] = number
            if pick < 0:
                order.append(i)
            else:
                order.remove(pick)
                last[pick] = number
                order += (i, pick) if i < pick else (pick, i)
            yield i, seen[i], count, pick


class FullRounds:
    """The schedule of ``n`` domains while every round has all of them: in those rounds the
    domain, its part and the review of each week are the same whatever the plan's length (the
    length only sets how many rounds are full, and each domain's number of parts). So they are
    worked out once per number of domains and shared by every plan length, with the state at
    the end of each round, from which a plan's own last rounds go on."""

    __slots__ = ("_last", "_order", "_rest", "n", "rounds", "steps")

    def __init__(self, n: int) -> None:
        self.n = n
        self.steps: list[Step] = []
        self._last, self._order = [0] * n, []
        self.rounds: list[tuple[tuple[int, ...], tuple[int, ...]]] = [((0,) * n, ())]
        """(last, order) after each number of rounds."""
        self._rest = steps([sys.maxsize] * n, 0, self._last, self._order)

    def until(self, rounds: int) -> None:
        """Work out the first ``rounds`` rounds, if not yet done."""
        while len(self.rounds) <= rounds:
            self.steps += itertools.islice(self._rest, self.n)
            self.rounds.append((tuple(self._last), tuple(self._order)))


full_rounds = lru_cache(maxsize=64)(FullRounds)
