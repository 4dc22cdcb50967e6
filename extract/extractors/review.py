"""Review reports (審査報告書 / Review Report): the Japanese or the English reader, picked by the
document's language. The English module holds what both share and the Japanese one imports
it, so neither imports the other back."""

from __future__ import annotations

from extract.extractors.review_report import ReviewHeader, extract_en, read_header as read_header_en
from extract.extractors.review_report_ja import extract_ja, read_header_ja
from extract.model import Document, ExtractionResult


def extract(doc: Document) -> ExtractionResult:
    """Read one review report, English or Japanese, into typed facts."""
    return extract_ja(doc) if doc.lang == "ja" else extract_en(doc)


def read_header(doc: Document) -> ReviewHeader:
    """The document-level facts of the report (dates, classification, orphan status, office)."""
    return read_header_ja(doc) if doc.lang == "ja" else read_header_en(doc)
