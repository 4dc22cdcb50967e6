"""The shared readers: the extraction context, line and span helpers."""

from __future__ import annotations

import hashlib

import pytest

from extract.model import DocumentInfo, Document, Indication, Issue, Mention, Page, SourceRef
from extract.readers.context import ExtractContext
from extract.readers.lines import Line, iter_lines, text_lines, trim_span


def _doc(text: str) -> Document:
    return Document(doc_id=hashlib.sha256(text.encode()).hexdigest(), path="t.txt", source_format="text",
                    shape="layout", lang="ja", text=text, pages=(Page(None, 0, len(text)),), blocks=(),
                    tables=(), sections=())


def test_issue_codes_are_checked() -> None:
    assert Issue("warning", "section-missing", "no 用法及び用量").code == "section-missing"
    with pytest.raises(ValueError, match="unknown issue code"):
        Issue("warning", "no such code", "x")
    with pytest.raises(ValueError, match="unknown issue level"):
        Issue("fatal", "section-missing", "x")  # type: ignore[arg-type]


def test_context_records_issues_with_spans_and_refs() -> None:
    doc = _doc("効能又は効果\n架空疾患\n")
    ctx = ExtractContext(doc)
    ctx.warn("section-unreadable", "x", (7, 11))
    ctx.error("core-empty", "y")
    ref = SourceRef(doc.doc_id, None, None, 0, 6)
    ctx.issue("warning", "redacted", "z", ref)
    assert [(i.level, i.code) for i in ctx.issues] == [
        ("warning", "section-unreadable"), ("error", "core-empty"), ("warning", "redacted")]
    assert (ctx.issues[0].ref.start, ctx.issues[0].ref.end) == (7, 11)
    assert ctx.issues[1].ref is None and ctx.issues[2].ref is ref
    assert ctx.result(DocumentInfo()).status == "partial"


def test_for_product_shares_facts_and_issues() -> None:
    doc = _doc("架空錠10mg 架空錠20mg\n")
    ctx = ExtractContext(doc)
    a, b = Mention("架空錠10mg", "ja", "product"), Mention("架空錠20mg", "ja", "product")
    one, two = ctx.for_product(a), ctx.for_product(b)
    one.add(Indication(one.product, "架空疾患", one.ref(0, 7)))  # type: ignore[arg-type]
    two.warn("section-missing", "no 効能")
    assert (one.product, two.product, ctx.product) == (a, b, None)
    result = ctx.result(DocumentInfo())
    assert [f.product for f in result.facts] == [a]  # type: ignore[union-attr]
    assert [i.code for i in result.issues] == ["section-missing"] and result.status == "ok"


def test_lines_split_at_newlines_and_page_breaks() -> None:
    text = "１行目\n  二行目  \n\f\n三"
    assert [(ln.start, ln.end, ln.text) for ln in iter_lines(text)] == [
        (0, 3, "１行目"), (4, 11, "  二行目  "), (12, 12, ""), (13, 13, ""), (14, 15, "三")]
    assert text_lines(text) == [Line(0, 3, "１行目"), Line(6, 9, "二行目"), Line(14, 15, "三")]
    assert trim_span(text, 3, 12) == (6, 9)
