"""Risk-minimisation materials (適正使用ガイド …): what the material is, and what it addresses.

A material an RMP lists under its additional risk minimisation activities has no template of
its own, but every one shares a few things (``ontology/schemas/risk_material.yaml``):

* a title naming the material as the RMP names the activity (``<販売名>適正使用ガイド``): the
  material name is the link to the RMP's activity (医療従事者向け資材（適正使用ガイド）の作成と
  提供), the part before it is the brand;
* the cover's ``作成年月: 2026年3月`` and ``版番号: 第12版``;
* the list of the risks it explains, in the table of contents and on the overview page, under a
  numbered heading on adverse reactions and their measures (``3. 注意を要する副作用とその対策``):
  ``・出血 … 26`` items, page numbers and ``(P.26~35)`` references dropped. These are the RMP's
  safety concerns the material addresses; it does not say their category.
"""

from __future__ import annotations

import re

from extract.model import DocumentInfo, Document, ExtractionResult, MaterialTopic, Mention, ProductFact, YearMonth
from extract.normalize.values import parse_year_month
from extract.readers.context import ExtractContext
from extract.readers.lines import Line, text_lines
from extract.readers.template import compact, load_template

SCHEMA = "risk_material"
HEAD_CHARS = 2500


def _schema_words(key: str) -> list[str]:
    return [str(w) for w in load_template(SCHEMA)[key]]


def extract(doc: Document) -> ExtractionResult:
    ctx = ExtractContext(doc)
    title = find_title(doc)
    if title is None:
        ctx.error("not-this-kind", "no material title (" + "、".join(_schema_words("titles")) + ")")
        return ctx.result(DocumentInfo())
    line, name, brand = title
    product = Mention(brand, "ja", "product") if brand else None
    if product is None:
        ctx.error("field-missing", f"the title {line.text!r} names no product", (line.start, line.end))
        return ctx.result(DocumentInfo(title=line.text, material_name=name))
    ctx = ctx.for_product(product)
    read_topics(ctx)
    issued, edition = cover_dates(doc)
    info = DocumentInfo(title=line.text, products=(product,), ref=ctx.ref(line.start, line.end),
                        issued_month=issued, edition=edition, material_name=name)
    pf = ProductFact(product, ctx.ref(line.start, line.end))
    return ctx.result(info, products=[pf], facts=list(dict.fromkeys(ctx.facts)))


def find_title(doc: Document) -> tuple[Line, str, str | None] | None:
    """The head's line ending with a material name: (the line, the name, the brand before it)."""
    names = _schema_words("titles")
    for ln in text_lines(doc.text, 0, min(len(doc.text), HEAD_CHARS)):
        flat = compact(ln.text)
        name = next((n for n in names if flat.endswith(n)), None)
        if name is None or len(flat) > len(name) + 30:
            continue
        brand = flat[: -len(name)].replace("®", "").strip()
        return ln, name, brand or None
    return None


_ISSUED = re.compile(r"作\s*成\s*年\s*月\s*:\s*(?P<ym>\S.{3,12}?月)")
_EDITION = re.compile(r"版\s*番\s*号\s*:\s*(?P<ed>第\s*\d+\s*版)")


def cover_dates(doc: Document) -> tuple[YearMonth | None, str | None]:
    """``作成年月: 2026年3月`` and ``版番号: 第12版`` of the cover (the first page)."""
    head = doc.text[:doc.pages[0].end] if doc.pages else doc.text[:HEAD_CHARS]
    m = _ISSUED.search(head)
    ym = parse_year_month(m.group("ym")) if m else None
    e = _EDITION.search(head)
    return (YearMonth(*ym) if ym else None), (re.sub(r"\s+", "", e.group("ed")) if e else None)


_NUMBERED = re.compile(r"^\d{1,2}\s*[.．]\s*\S")
_PAGE_TAIL = re.compile(r"(?:\s*\(P\.\s*\d+(?:\s*~\s*\d+)?(?:、\s*\d+(?:\s*~\s*\d+)?)*\))?\s*\d{0,3}\s*$")


def read_topics(ctx: ExtractContext) -> None:
    """The ``・`` items under the first numbered heading on adverse reactions and their measures
    that has any (the table of contents or the overview page): one MaterialTopic each."""
    heading = re.compile("|".join(_schema_words("topic_headings")))
    lines = text_lines(ctx.doc.text)
    for i, ln in enumerate(lines):
        if not (_NUMBERED.match(ln.text) and heading.search(compact(ln.text))):
            continue
        topics = list(_topic_items(lines[i + 1:]))
        for item, start, end in topics:
            ctx.add(MaterialTopic(ctx.product, item, ctx.ref(start, end), Mention(item, "ja", "concept")))
        if topics:
            return
    ctx.warn("section-missing", "no list of the risks the material addresses")


def _topic_items(lines: list[Line]) -> list[tuple[str, int, int]]:
    """``・出血 26`` lines (a label such as 安全対策 may precede the first bullet) up to the next
    numbered heading."""
    out = []
    for ln in lines:
        if _NUMBERED.match(ln.text):
            break
        at = ln.text.find("・")
        if at < 0 or (at > 0 and len(compact(ln.text[:at])) > 8):
            continue
        body = ln.text[at + 1:]
        label = _PAGE_TAIL.sub("", body).strip()
        if label:
            start = ln.start + at + 1 + (len(body) - len(body.lstrip()))
            out.append((label, start, start + len(label)))
    return out
