"""A reading-order check that needs no gold: a template's headings, in its order, at line starts.

Why: a page read in the wrong order (two columns joined line by line, a table's rows inside the
text beside it) cannot be repaired downstream, and no gold exists for most documents. But the
documents of a kind share a template whose headings are numbered or bracketed in a fixed order
(package inserts ``1. 警告`` … ``26. 製造販売業者等``, old-format inserts ``【警告】`` … ``【包装】``,
review reports, RMPs). When the text is in reading order, each heading the document has starts a
line, and they come in the template's order; a heading glued to the end of a line of the other
column, or out of order, says the reading is wrong there.

``heading_order(text, headings)`` measures it: the headings the text has anywhere (``present``),
those of them at a line start, and the longest chain of line-start headings in template order
(``in_order``); ``fraction`` is ``len(in_order) / len(present)`` (1.0 when none is present).
``yakuji inspect`` reports it; tests assert it on the real documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True, slots=True)
class Heading:
    """One heading of a template: its titles (the first as the template words it, then the
    wordings it allows) and its fixed number (``"6"``), or None for a bracketed heading
    (``【効能・効果】``, ``〔効能・効果〕``)."""

    titles: tuple[str, ...]
    number: str | None = None

    @property
    def label(self) -> str:
        return f"{self.number}. {self.titles[0]}" if self.number else f"【{self.titles[0]}】"

    def pattern(self) -> str:
        """The regex of the heading's text (spaces allowed between a title's characters:
        ``【用  法  及  び  用  量】``)."""
        titles = "|".join(r"\s*".join(re.escape(ch) for ch in title) for title in self.titles)
        if self.number is None:
            return rf"[【〔]\s*(?:{titles})\s*[】〕]"
        return rf"(?<![\d.]){re.escape(self.number)}\s*[.．]\s*(?:{titles})"


# What may stand before a heading at a line start: revision marks and spaces.
_LINE_START = r"(?m)^[ \t\u3000]*[*＊※]*[ \t\u3000]*"


@dataclass(frozen=True, slots=True)
class HeadingOrder:
    """``heading_order``'s measure: labels of the headings found anywhere, at line starts, and
    the longest chain of line-start headings in the template's order."""

    present: tuple[str, ...]
    at_line_start: tuple[str, ...]
    in_order: tuple[str, ...]

    @property
    def fraction(self) -> float:
        return len(self.in_order) / len(self.present) if self.present else 1.0

    @property
    def misplaced(self) -> tuple[str, ...]:
        """The headings the text has that are not at a line start in template order."""
        return tuple(label for label in self.present if label not in self.in_order)


def heading_order(text: str, headings: Sequence[Heading]) -> HeadingOrder:
    """How many of the template's ``headings`` (in template order) that ``text`` has stand at
    line starts in that order (see the module docstring)."""
    present: list[str] = []
    starts: list[tuple[str, list[int]]] = []
    for heading in headings:
        pattern = heading.pattern()
        if re.search(pattern, text) is None:
            continue
        present.append(heading.label)
        found = [m.start() for m in re.finditer(_LINE_START + pattern, text)]
        if found:
            starts.append((heading.label, found))
    return HeadingOrder(tuple(present), tuple(label for label, _ in starts), _longest_chain(starts))


def _longest_chain(starts: list[tuple[str, list[int]]]) -> tuple[str, ...]:
    """The longest run of headings (in the given order) with one line-start position each,
    the positions increasing: a small dynamic programme over every position of every heading."""
    best: list[tuple[int, int, tuple[str, ...]]] = []  # (position, chain length, chain)
    for label, positions in starts:
        mine = []
        for pos in positions:
            before = [chain for p, _, chain in best if p < pos]
            longest = max(before, key=len, default=())
            mine.append((pos, len(longest) + 1, (*longest, label)))
        best.extend(mine)
    return max((chain for _, _, chain in best), key=len, default=())
