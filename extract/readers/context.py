"""One extraction context: the document, the product(s) in scope, the facts read so far and the
Issues recorded, handed to every reader of an extractor instead of ``(doc, product, issues)``.

An extractor makes one ``ExtractContext`` per document, passes it down, and ends with
``ctx.result(info, products, studies)``. Readers add facts with ``ctx.add`` and record what they
could not read with ``ctx.issue(level, code, message, at)`` (``code`` from
``extract.model.ISSUE_CODES``); ``at`` is a ``SourceRef`` or a ``(start, end)`` span of
``Document.text``. A document about several products (an old-format insert listing three
strengths, a review of two brands) reads each product's part with ``ctx.for_product(mention)``:
a context sharing the same facts and Issues, with another product in scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from extract.model import (DocumentInfo, Document, ExtractionResult, Fact, Issue, IssueLevel, Lang, Mention,
                           ProductFact, SourceRef, StudyFact)

Span = tuple[int, int]
At = SourceRef | Span | None


@dataclass
class ExtractContext:
    """What every reader of one document needs; ``facts`` and ``issues`` are shared by every
    context ``for_product`` derives, so they accumulate in reading order."""

    doc: Document
    product: Mention | None = None
    facts: list[Fact] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def lang(self) -> Lang:
        return self.doc.lang

    def ref(self, start: int, end: int) -> SourceRef:
        """Provenance of ``doc.text[start:end]``."""
        return self.doc.ref(start, max(start, end))

    def issue(self, level: IssueLevel, code: str, message: str, at: At = None) -> Issue:
        """Record something not read; returns the Issue (tests and callers may inspect it)."""
        ref = at if isinstance(at, SourceRef) or at is None else self.ref(*at)
        found = Issue(level, code, message, ref)
        self.issues.append(found)
        return found

    def warn(self, code: str, message: str, at: At = None) -> Issue:
        return self.issue("warning", code, message, at)

    def error(self, code: str, message: str, at: At = None) -> Issue:
        """An error makes the document ``partial``: use it when a core part was not read."""
        return self.issue("error", code, message, at)

    def add(self, *facts: Fact) -> None:
        self.facts.extend(facts)

    def extend(self, facts: Iterable[Fact]) -> None:
        self.facts.extend(facts)

    def for_product(self, product: Mention) -> "ExtractContext":
        """The same document, facts and Issues, with ``product`` in scope."""
        return replace(self, product=product)

    def result(self, info: DocumentInfo, products: Sequence[ProductFact] = (),
               studies: Sequence[StudyFact] = (), facts: Sequence[Fact] | None = None) -> ExtractionResult:
        """The ExtractionResult of the document: the facts read (or ``facts`` when the extractor
        post-processed them, e.g. removed duplicates) and every Issue recorded."""
        return ExtractionResult(info=info, products=tuple(products), studies=tuple(studies),
                                facts=tuple(self.facts if facts is None else facts), issues=tuple(self.issues))
