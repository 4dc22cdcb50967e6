"""Lines and spans of ``Document.text``, written once for every extractor.

Every extractor turns a span of the document text into a fact's ``SourceRef`` and its text, so
the same few operations recur: the lines of a region with their offsets, a span without the
whitespace at its ends, and the text of a span with its visual line breaks joined (Japanese
without a space, Latin words with one: ``normalize.text.join_lines``). A page break (the line
holding only ``\\f`` between pages) ends a line like ``\\n`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from extract.model import Document
from extract.normalize.text import join_lines

Span = tuple[int, int]

_LINE_BREAK = re.compile(r"[\n\f]")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of ``Document.text``: ``text`` is ``doc.text[start:end]`` (no ``\\n``)."""

    start: int
    end: int
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    def trimmed(self) -> "Line":
        """The line without its leading and trailing whitespace (offsets moved with it)."""
        body = self.text.strip()
        if not body:
            return Line(self.start, self.start, "")
        lead = self.text.find(body[0])
        return Line(self.start + lead, self.start + lead + len(body), body)


def iter_lines(text: str, start: int = 0, end: int | None = None) -> Iterator[Line]:
    """Every line of ``text[start:end]`` (split at ``\\n`` and the page break ``\\f``)."""
    stop = len(text) if end is None else end
    pos = start
    while pos < stop:
        m = _LINE_BREAK.search(text, pos, stop)
        line_end = m.start() if m else stop
        yield Line(pos, line_end, text[pos:line_end])
        pos = line_end + 1


def lines_of(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    """``iter_lines`` as a list."""
    return list(iter_lines(text, start, end))


def text_lines(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    """The non-blank lines of ``text[start:end]``, each trimmed to its printed characters."""
    return [ln.trimmed() for ln in iter_lines(text, start, end) if not ln.blank]


def trim_span(text: str, start: int, end: int) -> Span:
    """Shrink ``start..end`` so it neither starts nor ends with whitespace (evidence is exact)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def span_text(doc: Document, start: int, end: int) -> str:
    """The text of a span as one line (visual line breaks and page breaks joined)."""
    return join_lines(doc.text[start:end].replace("\f", "\n").split("\n"))
