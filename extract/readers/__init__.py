"""Readers shared by every extractor: the extraction context, the section-schema matcher, and
the table, list and line helpers. Extractors read the document model through these, so each
helper exists once (see ``docs`` in each module)."""

from extract.readers.context import ExtractContext

__all__ = ["ExtractContext"]
