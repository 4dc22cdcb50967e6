"""Risk Management Plan (医薬品リスク管理計画書, RMP) extractor.

Every RMP follows the MHLW notification form, so this module keys on that form and on
nothing product-specific:

* the summary (``(別紙様式2)`` … ``RMPの概要``): 販売名, 有効成分, 製造販売業者, 提出年月(日), the
  lists of additional activities;
* the plan (``(別紙様式1)``): the 品目の概要 field table (labels such as ``承 認 年 月 日``,
  values numbered per product ``1.2.`` / ``1, 2:`` / ``①④``), 変更の履歴 (前回提出日),
  section 1 (each concern followed by ``重要な…とした理由``, and its per-concern activity lists),
  sections 2 and 4 (additional activities with ``【安全性検討事項】`` and ``【実施計画】``),
  section 5 (the tables of activities with their 実施状況).

The text may be layout text whose table cells are broken across lines and interleaved
with other columns, so table cells are read from a *compacted* view of a region (all
whitespace removed, every character mapped back to its offset in ``Document.text``):
a cell broken over three lines is contiguous there. Whatever cannot be read safely is
left out and recorded as an ``Issue``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from extract.model import (Activity, AdverseEventIncidence, ApprovalCondition, Document, DocumentInfo,
                           ExtractionResult, Fact, Indication, Mention, ProductFact,
                           SafetyConcern, StudyFact)
from extract.normalize.dosage import parse_dosage, regimen_fact
from extract.normalize.values import find_dates, parse_date
from extract.readers.context import ExtractContext
from extract.readers.lines import Line, lines_of, trim_span

# --------------------------------------------------------------------------- text helpers

_KATA = re.compile(r"[\u30a0-\u30ffー]")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*(?=\n)")


def tidy(s: str) -> str:
    """Join a cell or paragraph read from layout text: drop line breaks and the spaces
    layout text puts around digits and Latin letters inside Japanese (``21 日間`` →
    ``21日間``), but keep a space between two katakana words (``ポラツズマブ ベドチン``)
    or two Latin words (``3L+ FL``)."""
    parts = [p.strip() for p in re.split(r"[\n\f]", s)]
    out = ""
    for part in parts:
        if not part:
            continue
        out = part if not out else _join_pair(out, part, line_break=True)
    words = re.split(r"[ \t\u3000]+", out)
    result = words[0] if words else ""
    for w in words[1:]:
        result = _join_pair(result, w, line_break=False)
    return result


def _join_pair(left: str, right: str, *, line_break: bool) -> str:
    a, b = left[-1], right[0]
    if _KATA.match(a) and _KATA.match(b):
        return left + right if line_break else left + " " + right
    if _CJK.match(a) or _CJK.match(b):
        return left + right
    return left + " " + right


def compact_key(s: str) -> str:
    """A comparison key for names and labels: no whitespace at all."""
    return re.sub(r"\s+", "", s)


@dataclass(frozen=True, slots=True)
class Compact:
    """A region of ``Document.text`` with every whitespace character removed.
    ``offsets[i]`` is the document offset of ``text[i]``; ``gaps`` holds the indices that
    followed a space *within* a line (a column boundary in layout text)."""

    text: str
    offsets: tuple[int, ...]
    gaps: frozenset[int]
    breaks: frozenset[int] = frozenset()

    @classmethod
    def of(cls, doc_text: str, start: int, end: int) -> "Compact":
        chars: list[str] = []
        offs: list[int] = []
        gaps: set[int] = set()
        breaks: set[int] = set()
        pending_gap = False
        pending_break = False
        for i in range(start, end):
            ch = doc_text[i]
            if ch in "\n\f":
                pending_gap = False
                pending_break = True
            elif ch.isspace():
                pending_gap = bool(chars)
            else:
                if pending_gap:
                    gaps.add(len(chars))
                if pending_break:
                    breaks.add(len(chars))
                pending_gap = pending_break = False
                chars.append(ch)
                offs.append(i)
        return cls("".join(chars), tuple(offs), frozenset(gaps), frozenset(breaks))

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Document span of ``text[i:j]``."""
        if j <= i:
            at = self.offsets[i] if i < len(self.offsets) else (self.offsets[-1] + 1 if self.offsets else 0)
            return at, at
        return self.offsets[i], self.offsets[j - 1] + 1


def _find_line(text: str, pattern: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """The first line in ``text[start:end]`` matching ``pattern`` (anchored at the line's
    first non-space character)."""
    rx = re.compile(r"(?m)(?:^|(?<=\f))[ \t\u3000]*" + pattern)  # a page break starts a line too
    return rx.search(text, start, len(text) if end is None else end)


# --------------------------------------------------------------------------- document parts


@dataclass(frozen=True, slots=True)
class Parts:
    """Offsets of the form's parts; ``None`` when a part is absent."""

    summary: tuple[int, int] | None
    plan: tuple[int, int] | None
    overview: tuple[int, int] | None       # 品目の概要
    history: tuple[int, int] | None        # 変更の履歴
    sec1: tuple[int, int] | None           # 1. 医薬品リスク管理計画の概要
    sec2: tuple[int, int] | None           # 2. 医薬品安全性監視計画の概要
    sec3: tuple[int, int] | None           # 3. 有効性に関する調査・試験の計画の概要
    sec4: tuple[int, int] | None           # 4. リスク最小化計画の概要
    sec5: tuple[int, int] | None           # 5. …の一覧


_NUM = r"(?:\d{1,2}\s*\.?\s*(?:\(\s*\d\s*\)\s*)?)?"
_PLAN_HEADS = {
    "overview": r"品目の概要[ \t]*(?=[\n\f]|$)",
    "history": r"変更の履歴[ \t]*(?=[\n\f]|$)",
    "sec1": _NUM + r"医薬品リスク管理計画の概要",
    "sec2": _NUM + r"医薬品安全性監視計画の概要",
    "sec3": _NUM + r"有効性に関する調査\s*[・･]\s*試験の計画の概要",
    "sec4": _NUM + r"リスク最小化計画の概要",
    "sec5": _NUM + r"医薬品安全性監視計画\s*,\s*有効性に関する",
}


def find_parts(text: str) -> Parts:
    """Locate the summary (別紙様式2) and the plan (別紙様式1) and the plan's sections."""
    m2 = re.search(r"\(\s*別紙様式\s*2\s*\)", text)
    m1 = re.search(r"\(\s*別紙様式\s*1\s*\)", text)
    plan_start = m1.start() if m1 else None
    if plan_start is None:
        ov = _find_line(text, _PLAN_HEADS["overview"])
        plan_start = ov.start() if ov else None
    summary_start = m2.start() if m2 else (0 if re.search(r"RMP\s*\)?\s*の概要", text[:3000]) else None)
    summary = None
    if summary_start is not None:
        summary = (summary_start, plan_start if plan_start is not None and plan_start > summary_start
                   else len(text))
    plan = (plan_start, summary_start if summary_start is not None and summary_start > plan_start
            else len(text)) if plan_start is not None else None
    if plan is None:
        return Parts(summary, None, None, None, None, None, None, None, None)
    heads: dict[str, int] = {}
    cursor = plan[0]
    for name, pattern in _PLAN_HEADS.items():
        m = _find_line(text, pattern, cursor, plan[1])
        if m:
            heads[name] = m.start()
            cursor = m.end()
    order = sorted(heads.items(), key=lambda kv: kv[1])

    def span(name: str) -> tuple[int, int] | None:
        if name not in heads:
            return None
        later = [pos for _, pos in order if pos > heads[name]]
        return heads[name], (later[0] if later else plan[1])

    return Parts(summary, plan, span("overview"), span("history"), span("sec1"), span("sec2"),
                 span("sec3"), span("sec4"), span("sec5"))


# --------------------------------------------------------------------------- numbered items

_ITEM_DIGITS = re.compile(r"^[ \t\f\u3000]*((?:\d{1,2}[ \t]*[.,、・][ \t]*)*\d{1,2})[ \t]*(?:\.|:)(?![\d.])")
_ITEM_CIRCLED = re.compile(r"^[ \t\f\u3000]*([\u2460-\u2473]+)[ \t]*:?")


@dataclass(frozen=True, slots=True)
class Item:
    """One product-numbered item of a field value (``numbers`` empty: applies to all)."""

    numbers: tuple[int, ...]
    start: int
    end: int


def numbered_items(text: str, start: int, end: int, n_products: int | None) -> list[Item]:
    """Split a field value into items by the product numbering at line starts:
    ``1.2.``, ``1, 2:``, ``3.4.``, ``①④``. Numbers beyond the product count are not
    numbering (they are values such as ``17 サイクル``)."""
    items: list[tuple[tuple[int, ...], int, int]] = []  # numbers, line start, body start
    for line in lines_of(text, start, end):
        prefix = _item_prefix(line.text)
        if prefix and (n_products is None or max(prefix[0]) <= n_products) and min(prefix[0]) >= 1:
            items.append((prefix[0], line.start, line.start + prefix[1]))
    if not items:
        return [Item((), start, end)]
    out: list[Item] = []
    if text[start:items[0][1]].strip():  # text before the first number applies to all products
        out.append(Item((), start, items[0][1]))
    for k, (nums, _, body) in enumerate(items):
        stop = items[k + 1][1] if k + 1 < len(items) else end
        out.append(Item(nums, body, stop))
    return out


def _item_prefix(line: str) -> tuple[tuple[int, ...], int] | None:
    """The product numbers at the start of a line and where the text after them begins."""
    m = _ITEM_DIGITS.match(line)
    if m:
        return tuple(int(x) for x in re.findall(r"\d{1,2}", m.group(1))), m.end()
    mc = _ITEM_CIRCLED.match(line)
    if mc:
        return tuple(ord(c) - 0x245F for c in mc.group(1)), mc.end()
    return None


# --------------------------------------------------------------------------- 品目の概要 fields

_FIELD_LABELS = ("承認年月日", "薬効分類", "再審査期間", "承認番号", "国際誕生日", "販売名", "有効成分",
                 "含量及び剤形", "用法及び用量", "効能又は効果", "承認条件", "備考")


def _label_rx(label: str) -> re.Pattern[str]:
    spaced = r"[ \t]*".join(map(re.escape, label))
    return re.compile(r"(?:(?<=^)|(?<=[\s]))" + spaced + r"(?=[\s:]|$)", re.M)


def overview_fields(text: str, start: int, end: int) -> dict[str, tuple[int, int]]:
    """Field label → span of its value, for the 品目の概要 table (labels may be letter-
    spaced and two fields may share a line, as in every RMP form)."""
    found: list[tuple[int, int, str]] = []
    for label in _FIELD_LABELS:
        m = _label_rx(label).search(text, start, end)
        if m:
            found.append((m.start(), m.end(), label))
    found.sort()
    out: dict[str, tuple[int, int]] = {}
    for k, (_, vstart, label) in enumerate(found):
        vend = found[k + 1][0] if k + 1 < len(found) else end
        if text[vstart:vend].startswith(":"):
            vstart += 1
        out[label] = (vstart, vend)
    return out


# --------------------------------------------------------------------------- the extractor


@dataclass
class _State(ExtractContext):
    """The extraction context with what the plan's parts hand each other."""

    concern_blocks: list["ConcernBlock"] = field(default_factory=list)
    summary_concerns: str = ""  # the summary's concern table, compacted (to confirm names)


def extract(doc: Document) -> ExtractionResult:
    """Read one RMP (summary, plan, or both) into typed facts with provenance."""
    st = _State(doc)
    parts = find_parts(doc.text)
    if parts.summary is None and parts.plan is None:
        st.issue("error", "not-this-kind", "no RMP summary (別紙様式2) or plan (別紙様式1) found")
        return st.result(DocumentInfo())
    if parts.summary is None:
        st.issue("warning", "part-missing", "RMP summary (別紙様式2) not found; read the plan only")
    if parts.plan is None:
        st.issue("error", "part-missing", "RMP plan (別紙様式1) not found; concern reasons and activity status not read")

    summary = _read_summary(st, parts.summary) if parts.summary else _Summary()
    overview = _read_overview(st, parts.overview) if parts.overview else _Overview()
    if parts.plan is not None and parts.overview is None:
        st.issue("error", "table-missing", "品目の概要 table not found", parts.plan[0])

    brand = summary.brand or _brand_of((overview.names or summary.names or ("",))[0])
    if not brand:
        st.issue("error", "not-this-kind", "no product name (販売名) found")
        return st.result(DocumentInfo(issued=summary.issued))
    st.product = Mention(brand, doc.lang, "product")
    previous = _read_previous_date(st, parts.history)
    change_summary, change_reason = _read_change_history(st, parts.history)

    facts: list[Fact] = []
    facts += _indications(st, overview)
    facts += _regimens(st, overview, facts)
    facts += _conditions(st, overview)
    concerns = _concerns(st, parts.sec1) if parts.sec1 else []
    if parts.plan is None and summary.concern_table is not None:
        concerns = _summary_table_concerns(st, summary.concern_table)
    if parts.plan is not None and parts.sec1 is None:
        st.issue("error", "section-missing", "plan section 1 (医薬品リスク管理計画の概要) not found: no safety concerns read",
                 parts.plan[0])
    facts += concerns
    incidences, studies = _incidences(st)
    phases = study_phases(doc.text)
    studies = [replace(s, phase=phases.get(s.identifiers[0])) if s.identifiers else s for s in studies]
    facts += incidences
    facts += _activities(st, parts, summary)

    product_fact = _product_fact(st, parts, summary, overview)
    plan_start = parts.plan[0] if parts.plan else 0
    info = DocumentInfo(title=summary.title or "医薬品リスク管理計画書", issued=summary.issued,
                        previous_version_date=previous, products=(st.product,),
                        change_summary=change_summary, change_reason=change_reason,
                        ref=doc.ref(*(summary.title_span or (plan_start, plan_start))))
    if summary.issued is None:
        st.issue("warning", "field-missing", "submission date (提出年月日) not found")
    return st.result(info, (product_fact,), studies, facts)


def _product_fact(st: _State, parts: Parts, summary: "_Summary", overview: "_Overview") -> ProductFact:
    """The brand with every 販売名, substance, holder and approvals (summary first, then
    the plan's 品目の概要 for what the summary does not give)."""
    assert st.product is not None
    lang = st.doc.lang
    substance = summary.substance or overview.substance
    holder = summary.holder or _holder_of_plan(st.doc.text, parts)
    return ProductFact(
        product=st.product,
        ref=st.doc.ref(*(overview.names_span or summary.names_span or (0, 0))),
        names=tuple(dict.fromkeys(summary.names or overview.names)),
        substances=(Mention(substance, lang, "substance"),) if substance else (),
        holder=Mention(holder, lang, "organization") if holder else None,
        approval_number=overview.approval_numbers,
        approval_date=tuple(sorted(set(overview.approval_dates))),
        reexamination_years=overview.reexamination_years,
        therapeutic_category=summary.category or overview.category,
    )


# --------------------------------------------------------------------------- summary


@dataclass
class _Summary:
    title: str | None = None
    title_span: tuple[int, int] | None = None
    brand: str | None = None
    names: tuple[str, ...] = ()
    names_span: tuple[int, int] | None = None
    substance: str | None = None
    holder: str | None = None
    category: str | None = None
    issued: dt.date | None = None
    pv_names: tuple[str, ...] = ()
    rm_names: tuple[str, ...] = ()
    concern_table: tuple[int, int] | None = None  # the three-column table under 1.1


_SUMMARY_LABELS = ("販売名", "有効成分", "製造販売業者", "薬効分類", "提出年月日", "提出年月")


def _read_summary(st: _State, span: tuple[int, int]) -> _Summary:
    text = st.doc.text
    out = _Summary()
    title = re.search(r"(?:^|\n)[ \t]*(\S[^\n]*?)に係る[ \t]*\n?[ \t]*(医薬品リスク管理計画書?[^\n]*の概要)",
                      text[span[0]:span[1]])
    if title:
        out.brand = tidy(title.group(1))
        out.title = tidy(title.group(1) + "に係る" + title.group(2))
        out.title_span = (span[0] + title.start(1), span[0] + title.end(2))
    head_end = _find_line(text, r"1\s*\.\s*1\s*\.?\s*安全性検討事項", *span)
    fields_end = head_end.start() if head_end else span[1]
    if head_end:
        table_end = _find_line(text, r"1\s*\.\s*2\s*\.?\s*有効性に関する検討事項", head_end.end(), span[1])
        out.concern_table = (head_end.end(), table_end.start() if table_end else span[1])
        st.summary_concerns = Compact.of(text, *out.concern_table).text
    found: list[tuple[int, int, str]] = []
    for label in _SUMMARY_LABELS:
        m = _label_rx(label).search(text, span[0], fields_end)
        if m and not any(s <= m.start() < e for s, e, _ in found):
            found.append((m.start(), m.end(), label))
    found.sort()
    values: dict[str, tuple[int, int]] = {}
    for k, (_, vstart, label) in enumerate(found):
        vend = found[k + 1][0] if k + 1 < len(found) else fields_end
        values[label] = (vstart + (1 if text[vstart:vstart + 1] == ":" else 0), vend)
    if "販売名" in values:
        items = numbered_items(text, *values["販売名"], None)
        out.names = tuple(n for n in (tidy(text[i.start:i.end]) for i in items) if n)
        out.names_span = trim_span(text, *values["販売名"])
    if "有効成分" in values:
        out.substance = tidy(text[slice(*values["有効成分"])]) or None
    if "製造販売業者" in values:
        out.holder = tidy(text[slice(*values["製造販売業者"])]) or None
    if "薬効分類" in values:
        out.category = tidy(text[slice(*values["薬効分類"])]) or None
    for label in ("提出年月日", "提出年月"):
        if label in values:
            out.issued = parse_date(tidy(text[slice(*values[label])]))
            if out.issued is None:
                st.issue("warning", "value-unparsed", "submission date (提出年月日) not readable", *values[label])
            break
    out.pv_names = _summary_list(text, span, r"\d?\s*\.?\s*医薬品安全性監視計画の概要")
    out.rm_names = _summary_list(text, span, r"\d?\s*\.?\s*リスク最小化計画の概要")
    return out


def _summary_list(text: str, span: tuple[int, int], heading: str) -> tuple[str, ...]:
    """Names listed under ``追加の…活動`` in a summary section (hints for table reading)."""
    head = _find_line(text, heading, *span)
    if not head:
        return ()
    add = _find_line(text, r"追加の(?:医薬品安全性監視|リスク最小化)活動", head.end(), span[1])
    if not add:
        return ()
    nxt = _find_line(text, r"(?:\d\s*\.|\(\s*別紙様式)", add.end(), span[1])
    region = Compact.of(text, add.end(), nxt.start() if nxt else span[1])
    return tuple(name for name, _, _ in split_names(region, 0, len(region.text)))


def _brand_of(name: str) -> str:
    """The brand stem of a 販売名: the part before ® or before the first dosage-form word."""
    if "®" in name:
        return name.split("®")[0].strip()
    m = re.match(r"(.+?)(?:点滴静注|静注|皮下注|注射|錠|カプセル|顆粒|散|内用液|シロップ|配合|\d)", name)
    return (m.group(1) if m else name).strip()


def _holder_of_plan(text: str, parts: Parts) -> str | None:
    if parts.plan is None:
        return None
    m = re.search(r"会社名\s*:\s*([^\n]+)", text[parts.plan[0]:parts.plan[1]])
    return tidy(m.group(1)) if m else None


# --------------------------------------------------------------------------- overview


@dataclass
class _Overview:
    fields: dict[str, tuple[int, int]] | None = None
    n_products: int = 0
    names: tuple[str, ...] = ()
    names_span: tuple[int, int] | None = None
    substance: str | None = None
    category: str | None = None
    approval_numbers: tuple[str, ...] = ()
    approval_dates: tuple[dt.date, ...] = ()
    reexamination_years: int | None = None


def _read_overview(st: _State, span: tuple[int, int]) -> _Overview:
    text = st.doc.text
    fields = overview_fields(text, *span)
    out = _Overview(fields=fields)
    if "販売名" in fields:
        items = numbered_items(text, *fields["販売名"], None)
        out.names = tuple(n for n in (tidy(text[i.start:i.end]) for i in items) if n)
        out.names_span = trim_span(text, *fields["販売名"])
    out.n_products = max(len(out.names), 1)
    if "有効成分" in fields:
        out.substance = tidy(text[slice(*fields["有効成分"])]) or None
    if "薬効分類" in fields:
        out.category = tidy(text[slice(*fields["薬効分類"])]) or None
    if "承認番号" in fields:
        out.approval_numbers = tuple(re.findall(r"(?<![0-9A-Z])\d{5}[A-Z]{3}\d{5,8}(?![0-9A-Z])", text[slice(*fields["承認番号"])]))
    if "承認年月日" in fields:
        dates = [d for d, _, _ in find_dates(text[slice(*fields["承認年月日"])])]
        if not dates:
            st.issue("warning", "value-unparsed", "approval date (承認年月日) not readable", *fields["承認年月日"])
        out.approval_dates = tuple(dates)
    if "再審査期間" in fields:
        years = {int(y) for y in re.findall(r"(\d{1,2})\s*年", text[slice(*fields["再審査期間"])])}
        if len(years) == 1:
            out.reexamination_years = years.pop()
        elif years:
            st.issue("warning", "reference-ambiguous", "several re-examination periods; not recorded per product",
                     fields["再審査期間"])
    return out


def _field_items(st: _State, ov: _Overview, label: str) -> list[Item]:
    if not ov.fields or label not in ov.fields:
        return []
    return numbered_items(st.doc.text, *ov.fields[label], ov.n_products)


# --------------------------------------------------------------------------- indications

_BULLET = re.compile(r"^[ \t\u3000]*[〇○◯●・]\s*")


@dataclass(frozen=True, slots=True)
class _IndicationSpan:
    numbers: tuple[int, ...]
    fact: Indication


def _indication_spans(st: _State, ov: _Overview) -> list[_IndicationSpan]:
    """Each 効能又は効果 item, split at bullets (〇 ・); a bullet line followed by unbulleted
    lines (a list of subtypes after ``以下の…``) stays one indication."""
    assert st.product is not None
    text = st.doc.text
    out: list[_IndicationSpan] = []
    for item in _field_items(st, ov, "効能又は効果"):
        chunks: list[tuple[int, int]] = []
        for line in lines_of(text, item.start, item.end):
            if not line.stripped:
                continue
            if _BULLET.match(line.text) or not chunks:
                lead = _BULLET.match(line.text)
                chunks.append((line.start + (lead.end() if lead else len(line.text) - len(line.text.lstrip())),
                               line.start + len(line.text.rstrip())))
            else:
                chunks[-1] = (chunks[-1][0], line.start + len(line.text.rstrip()))
        for s, e in chunks:
            lines = [tidy(ln) for ln in text[s:e].split("\n") if ln.strip()]
            if not lines:
                continue
            label = " ".join(lines)
            disease = re.sub(r"^以下の", "", lines[0])
            fact = Indication(st.product, label, st.doc.ref(s, e),
                              Mention(disease, st.doc.lang, "concept"))
            out.append(_IndicationSpan(item.numbers, fact))
    return out


def _indications(st: _State, ov: _Overview) -> list[Fact]:
    seen: dict[str, Indication] = {}
    for span in _indication_spans(st, ov):
        seen.setdefault(span.fact.text, span.fact)
    return list(seen.values())


# --------------------------------------------------------------------------- dosage

_INDICATION_TAG = re.compile(r"[〈<]([^〉>]+)[〉>]")


def _regimens(st: _State, ov: _Overview, facts: list[Fact]) -> list[Fact]:
    """One DosageRegimen per (cycle, day) step of each 用法及び用量 item; items or steps
    that do not follow the cycle/day pattern are left out."""
    assert st.product is not None
    text = st.doc.text
    ind_spans = _indication_spans(st, ov)
    substance = Mention(ov.substance, st.doc.lang, "substance") if ov.substance else None
    out: list[Fact] = []
    for item in _field_items(st, ov, "用法及び用量"):
        region = Compact.of(text, item.start, item.end)
        tags = list(_INDICATION_TAG.finditer(region.text))
        blocks = [(t.group(1), t.end(), tags[k + 1].start() if k + 1 < len(tags) else len(region.text))
                  for k, t in enumerate(tags)] or [(None, 0, len(region.text))]
        group_inds = [s.fact for s in ind_spans if not s.numbers or not item.numbers
                      or set(item.numbers) & set(s.numbers)]
        for tag, b_start, b_end in blocks:
            indication = _match_indication(tag, group_inds)
            found = _steps(st, region, b_start, b_end, indication, substance)
            if not found and re.search(r"\d+(?:mg|μg)", region.text[b_start:b_end]):
                st.issue("warning", "dosage-unparsed", "dosage text without a cycle/day schedule not structured",
                         region.span(b_start, b_end))
            out += found
    return out


def _match_indication(tag: str | None, candidates: list[Indication]) -> str | None:
    """The Indication.text a dosage block applies to, only when unambiguous."""
    if tag is None:
        return candidates[0].text if len(candidates) == 1 else None
    key = compact_key(tag)
    exact = [c for c in candidates if c.disease and compact_key(c.disease.text) == key]
    if len(exact) == 1:
        return exact[0].text
    bare = compact_key(re.sub(r"\([^()]*\)$", "", tag))
    loose = [c for c in candidates if c.disease and compact_key(c.disease.text) == bare]
    return loose[0].text if len(loose) == 1 and key.count(",") == 0 else None


def _steps(st: _State, region: Compact, start: int, end: int, indication: str | None,
           substance: Mention | None) -> list[Fact]:
    """The regimens of one 用法及び用量 block read by the dosage parser: the cycle/day steps of
    a step-up schedule (``21日間を1サイクルとし、1サイクル目は1日目に1mg…``) one regimen each."""
    assert st.product is not None
    base, stop = region.span(start, end)
    dosage = parse_dosage(st.doc.text[base:stop], st.doc.lang)
    out: list[Fact] = []
    for reg in dosage.regimens:
        if reg.cycle_number is None:
            continue
        s, e = base + reg.start, base + reg.end
        fact = regimen_fact(reg, dosage, st.product, st.doc.lang, st.doc.ref(s, e), tidy(st.doc.text[s:e]),
                            indication=indication)
        out.append(replace(fact, substance=substance))
    return out


# --------------------------------------------------------------------------- conditions & dates


def _conditions(st: _State, ov: _Overview) -> list[Fact]:
    """One ApprovalCondition per sentence of 承認条件 (numbering stripped)."""
    assert st.product is not None
    if not ov.fields or "承認条件" not in ov.fields:
        return []
    s0, e0 = ov.fields["承認条件"]
    region = Compact.of(st.doc.text, s0, e0)
    out: list[Fact] = []
    for m in re.finditer(r"[^。]+。", region.text):
        lead = re.match(r"(?:\d{1,2}\.|[①-⑳]|\(\d{1,2}\))?", m.group())
        a = m.start() + (lead.end() if lead else 0)
        s, e = region.span(a, m.end())
        out.append(ApprovalCondition(st.product, tidy(st.doc.text[s:e]), st.doc.ref(s, e)))
    return out


def _read_previous_date(st: _State, span: tuple[int, int] | None) -> dt.date | None:
    if span is None:
        return None
    m = re.search(r"前回提出日\s*:?\s*([^\n]*\n?[^\n]*)", st.doc.text[span[0]:span[1]])
    if not m:
        return None
    found = find_dates(m.group(1))
    if not found:
        st.issue("warning", "value-unparsed", "previous submission date (前回提出日) not readable",
                 (span[0] + m.start(), span[0] + m.end()))
        return None
    return found[0][0]


_HISTORY_LABELS = {"summary": r"変更内容の概要", "reason": r"変更理由"}


def _tidy_paragraphs(s: str) -> str:
    """``tidy`` per paragraph, one paragraph a line: a bullet (``・``) starts a paragraph and
    a line ending in ``。`` ends one, so the items of a change list stay apart."""
    paragraphs: list[list[str]] = [[]]
    for line in re.split(r"[\n\f]", s):
        stripped = line.strip()
        if not stripped:
            continue
        if _BULLET.match(stripped) and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(stripped)
        if stripped.endswith("。"):
            paragraphs.append([])
    return "\n".join(t for t in (tidy("\n".join(p)) for p in paragraphs) if t)


def _read_change_history(st: _State, span: tuple[int, int] | None) -> tuple[str | None, str | None]:
    """変更の履歴: the text after 変更内容の概要 up to 変更理由, and after 変更理由 up to the end
    of the history (the next plan section). Lines are joined as written; the bullets
    (``・1.1 安全性検討事項``) stay, so the user sees which parts the holder says changed."""
    if span is None:
        return None, None
    text = st.doc.text
    found = {name: _find_line(text, rf"[ \t]*{label}[ \t]*:", *span) for name, label in _HISTORY_LABELS.items()}
    summary_m, reason_m = found["summary"], found["reason"]
    summary = reason = None
    if summary_m:
        end = reason_m.start() if reason_m and reason_m.start() > summary_m.end() else span[1]
        summary = _tidy_paragraphs(text[summary_m.end():end]) or None
    if reason_m:
        reason = _tidy_paragraphs(text[reason_m.end():span[1]]) or None
    if summary is None or reason is None:
        st.issue("warning", "section-unreadable", "change history (変更の履歴) without a readable 変更内容の概要 or 変更理由", span)
    return summary, reason


# --------------------------------------------------------------------------- safety concerns

_CATEGORY = {"特定されたリスク": "identified", "潜在的リスク": "potential", "不足情報": "missing"}
_REASON = re.compile(r"重要な(特定されたリスク|潜在的リスク|不足情報)とした理由\s*:?")
_CATEGORY_HEAD = re.compile(r"^重要な(特定されたリスク|潜在的リスク|不足情報)$")
_NONE = re.compile(r"^(?:なし|該当なし|該当しない)$")
_TABLE_INTRO = re.compile(r"[^。]*(?:下記|以下)の(?:とおり|通り)[^。]*。$")


@dataclass(frozen=True, slots=True)
class ConcernBlock:
    fact: SafetyConcern
    start: int  # label start
    end: int    # end of the concern's part of section 1


def _concern_blocks(st: _State, span: tuple[int, int]) -> list[ConcernBlock]:
    assert st.product is not None
    text = st.doc.text
    lines = lines_of(text, *span)
    markers = list(_REASON.finditer(text, *span))
    blocks: list[tuple[SafetyConcern, int]] = []
    for m in markers:
        label_span = _concern_label(st, lines, m.start())
        if label_span is None:
            st.issue("warning", "row-unreadable", "safety concern without a readable name", (m.start(), m.end()))
            continue
        ls, le = label_span
        label = tidy(text[ls:le])
        reason_end = _reason_end(lines, m.end())
        reason = _reason_text(text[m.end():reason_end])
        category = _CATEGORY[m.group(1)]
        fact = SafetyConcern(st.product, category, label, st.doc.ref(ls, reason_end),  # type: ignore[arg-type]
                             Mention(label, st.doc.lang, "concept"), reason or None)
        blocks.append((fact, ls))
    out: list[ConcernBlock] = []
    for k, (fact, start) in enumerate(blocks):
        end = blocks[k + 1][1] if k + 1 < len(blocks) else span[1]
        heads = [ln.start for ln in lines if _CATEGORY_HEAD.match(ln.stripped) and start < ln.start < end]
        out.append(ConcernBlock(fact, start, min([end, *heads])))
    return out


def _label_before(lines: list[Line], pos: int, *, across_blanks: bool = False) -> tuple[int, int] | None:
    """The concern name printed just above its ``…とした理由`` line: the non-blank lines
    after the previous sentence end, heading or bracketed label (at most three lines).
    A blank line ends the name unless a parenthesis is open or ``across_blanks`` (layout
    text puts blank lines inside a wrapped cell)."""
    idx = next((i for i, ln in enumerate(lines) if ln.start <= pos <= ln.end), None)
    if idx is None:
        return None
    picked: list[Line] = []
    i = idx - 1
    while i >= 0 and len(picked) < 3:
        s = lines[i].stripped
        if not s:
            depth = sum(t.stripped.count(")") - t.stripped.count("(") for t in picked)
            if picked and depth <= 0 and not across_blanks:
                break
            i -= 1
            continue
        if (s.endswith(("。", "】", ":")) or _CATEGORY_HEAD.match(s) or s.startswith(("【", "・"))
                or re.match(r"^\(\d+\)", s)):
            break
        picked.insert(0, lines[i])
        i -= 1
    if not picked:
        return None
    first, last = picked[0], picked[-1]
    return first.start + (len(first.text) - len(first.text.lstrip(" \t\f\u3000"))), \
        last.start + len(last.text.rstrip())


def _concern_label(st: _State, lines: list[Line], pos: int) -> tuple[int, int] | None:
    """The name above a reason marker. Layout text may cut a wrapped name at a blank
    line: the reading across blank lines is taken when the summary's concern table has
    it; when it does not, which lines make the name is unsure and the concern is left
    out (with an Issue) rather than named wrongly."""
    short = _label_before(lines, pos)
    if short is None:
        return None
    longer = _label_before(lines, pos, across_blanks=True)
    if longer is None or longer == short:
        return short
    if compact_key(tidy(st.doc.text[longer[0]:longer[1]])) in st.summary_concerns:
        return longer
    st.issue("warning", "reference-ambiguous", "concern name wrapped over a blank line and not confirmed by the summary: "
             f"{tidy(st.doc.text[longer[0]:longer[1]])!r}", longer)
    return None


def _reason_end(lines: list[Line], pos: int) -> int:
    """End of the reason paragraph: the first blank line after a sentence end, or the
    start of the activity part, whichever comes first."""
    prev_sentence_end = False
    last_end = pos
    for ln in lines:
        if ln.end <= pos:
            continue
        s = ln.stripped
        if ln.start > pos and (not s and prev_sentence_end or "医薬品安全性監視活動の内容" in s
                               or _REASON.search(s)):
            break
        if s:
            prev_sentence_end = s.endswith("。")
            last_end = ln.start + len(ln.text.rstrip())
            if prev_sentence_end and _TABLE_INTRO.search(s):
                break  # "…の発現状況は下記のとおりである。" introduces a table
    return max(last_end, pos)


def _reason_text(raw: str) -> str:
    text = tidy(raw)
    while True:
        m = _TABLE_INTRO.search(text)
        if not m or m.start() == 0:
            return text if not m else ""
        text = text[:m.start()]


def _concerns(st: _State, span: tuple[int, int]) -> list[Fact]:
    text = st.doc.text
    blocks = _concern_blocks(st, span)
    st.concern_blocks = blocks
    cats = {b.fact.category for b in blocks}
    lines = [ln for ln in lines_of(text, *span) if ln.stripped]
    for k, ln in enumerate(lines):
        head = _CATEGORY_HEAD.match(ln.stripped)
        if not head:
            continue
        nxt = lines[k + 1].stripped if k + 1 < len(lines) else ""
        category = _CATEGORY[head.group(1)]
        if not _NONE.match(nxt) and category not in cats:
            st.issue("error", "section-unreadable", f"heading 重要な{head.group(1)} has entries that could not be read",
                     (ln.start, ln.end))
    eff = _find_line(text, r"(?:\d\s*\.\s*)?(?:\(\s*\d\s*\)\s*)?有効性に関する検討事項", *span)
    if eff:
        after = [ln.stripped for ln in lines_of(text, eff.end(), span[1]) if ln.stripped]
        if after and not _NONE.match(after[0]):
            st.issue("warning", "content-skipped", "efficacy concerns (有効性に関する検討事項) present; not extracted",
                     (eff.start(), eff.end()))
    return [b.fact for b in blocks]


# --------------------------------------------------------------------------- the summary's risk table
#
# Without the plan, the summary's three-column table (【重要な特定されたリスク】
# 【重要な潜在的リスク】【重要な不足情報】) is the only source of the concerns. In layout text
# its cells can only be told apart by position: the three headers must stand on one line
# (their offsets are the column starts), cells are runs separated by two or more spaces or
# a tab, and each cell must lie inside one column. Anything else (columns separated by a
# single space, a header split over lines, a cell crossing a column edge) is not read: a
# wrong category is worse than none.

_TABLE_HEADS = ("重要な特定されたリスク", "重要な潜在的リスク", "重要な不足情報")
_TABLE_CATEGORIES = ("identified", "potential", "missing")
_CELL = re.compile(r"[^ \t]+(?: [^ \t]+)*")
_CONTINUATION = re.compile(r"^(?:の|を|に|へ|と|及び|並びに|\))")


@dataclass(frozen=True, slots=True)
class _Cell:
    column: int
    start: int  # offsets in the document text
    end: int
    text: str


def _summary_table_concerns(st: _State, span: tuple[int, int]) -> list[Fact]:
    """Concerns read from the summary's risk table (no reasons: the summary gives none)."""
    cells = _table_cells(st.doc.text, span)
    if cells is None:
        st.issue("error", "table-unreadable", "summary risk table (1.1 安全性検討事項) not readable in this layout: "
                          "no safety concerns read", span)
        return []
    assert st.product is not None
    facts: list[Fact] = []
    for column, category in enumerate(_TABLE_CATEGORIES):
        entries = _column_entries([c for c in cells if c.column == column])
        texts = [tidy("\n".join(c.text for c in entry)) for entry in entries]
        if any(_NONE.match(t) for t in texts):
            if len(texts) > 1:
                st.issue("error", "table-unreadable", f"summary risk table: column {_TABLE_HEADS[column]} has なし and entries",
                         span)
                return []
            continue
        for entry, label in zip(entries, texts):
            ref = st.doc.ref(entry[0].start, entry[-1].end)
            facts.append(SafetyConcern(st.product, category, label, ref,  # type: ignore[arg-type]
                                       Mention(label, st.doc.lang, "concept")))
    st.issue("warning", "section-missing", "safety concerns read from the summary table only: no reasons", span)
    return facts


def _table_cells(text: str, span: tuple[int, int]) -> list[_Cell] | None:
    """Every cell below the header line with its column, or None when the layout does not
    place each cell in exactly one column."""
    lines = lines_of(text, *span)
    header = next((k for k, ln in enumerate(lines) if all(f"【{h}】" in ln.text for h in _TABLE_HEADS)), None)
    if header is None:
        return None
    head = lines[header].text.replace("\t", "  ")
    if [m.group() for m in _CELL.finditer(head)] != [f"【{h}】" for h in _TABLE_HEADS]:
        return None  # headers a single space apart (or with other words): so are the cells
    starts = [head.index(f"【{h}】") for h in _TABLE_HEADS]
    cells: list[_Cell] = []
    for ln in lines[header + 1:]:
        for m in _CELL.finditer(ln.text.replace("\t", "  ").replace("\f", " ")):
            column = _column_of(m.start(), m.end(), starts)
            if column is None:
                return None
            cells.append(_Cell(column, ln.start + m.start(), ln.start + m.end(), m.group()))
    return cells


def _column_of(start: int, end: int, starts: list[int]) -> int | None:
    """The column a cell lies in: it starts at or after its column's start (a little slack for
    alignment) and ends before the next column starts."""
    for k, col_start in enumerate(starts):
        next_start = starts[k + 1] if k + 1 < len(starts) else None
        if start >= col_start - 2 and (next_start is None or end <= next_start - 1):
            if next_start is None or start < next_start - 1:
                return k
    return None


def _column_entries(cells: list[_Cell]) -> list[list[_Cell]]:
    """Cells of one column as entries: a cell continues the one above while that one's
    brackets are open or when it starts with a particle (``の``, ``を``, ``)`` …), which
    no concern name starts with."""
    entries: list[list[_Cell]] = []
    open_brackets = 0
    for c in cells:
        if entries and (open_brackets > 0 or _CONTINUATION.match(c.text)):
            entries[-1].append(c)
        else:
            entries.append([c])
            open_brackets = 0
        open_brackets += c.text.count("(") - c.text.count(")")
    return entries


# --------------------------------------------------------------------------- incidence tables

_COLUMN = re.compile(r"([A-Z]{2,}[0-9]{3,}[A-Z0-9-]*)試験(.*?)\((\d+)例\)")
_VALUE = re.compile(r"^(\d+)(?:\((\d+(?:\.\d+)?)%\))?(?:\*\d+)?$")
_PCT = re.compile(r"^\((\d+(?:\.\d+)?)%\)(?:\*\d+)?$")
_ALL = "\x01ALL\x01"
_GE3 = "\x01GE3\x01"


@dataclass(frozen=True, slots=True)
class Column:
    study: str
    arm: str | None
    denominator: int


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int  # document offsets
    end: int


def _tokens(region: Compact) -> list[Token]:
    """Cells of a layout table as tokens: compact text cut at every column gap and line
    break, grade markers joined (``全 / Grade`` → ALL, ``Grade / ≧ / 3`` → GE3), and a count
    whose percentage fell on the next line (``5`` / ``(12.5%)``) rejoined."""
    cuts = sorted({0, len(region.text), *region.gaps, *region.breaks})
    raw = [(region.text[a:b], a, b) for a, b in zip(cuts, cuts[1:]) if a < b]
    joined: list[tuple[str, int, int]] = []
    for text, a, b in raw:
        if joined and _grade_continues(joined[-1][0], text):
            prev, pa, _ = joined[-1]
            joined[-1] = (prev + text, pa, b)
        else:
            joined.append((text, a, b))
    out: list[Token] = []
    for text, a, b in joined:
        text = {"全Grade": _ALL, "Grade≧3": _GE3}.get(text, text)
        if out and _PCT.match(text) and re.fullmatch(r"\d+", out[-1].text):
            last = out.pop()
            out.append(Token(last.text + text, last.start, region.span(a, b)[1]))
            continue
        s, e = region.span(a, b)
        out.append(Token(text, s, e))
    return out


def _grade_continues(prev: str, text: str) -> bool:
    """``全`` + ``Grade``, ``Grade`` + ``≧3``, ``Grade≧`` + ``3``: one grade label cut by layout."""
    return (prev == "全" and text == "Grade" or prev == "Grade" and text in ("≧3", "≧")
            or prev == "Grade≧" and text == "3")


def _columns(header: str) -> list[Column] | None:
    """Study/arm/denominator per column, from the compact header text; None when the
    header cells are interleaved so that a column cannot be read safely."""
    cols: list[Column] = []
    for m in _COLUMN.finditer(header):
        arm = m.group(2)
        if "試験" in arm or "例)" in arm or re.search(r"[A-Z]{2,}[0-9]{3,}", arm):
            return None
        cols.append(Column(m.group(1), arm or None, int(m.group(3))))
    return cols or None


def _incidences(st: _State) -> tuple[list[Fact], list[StudyFact]]:
    """AdverseEventIncidence rows of the tables under each concern in section 1, only
    when every value of a row checks out (count ≤ N, percentage = count/N)."""
    assert st.product is not None
    text = st.doc.text
    facts: list[Fact] = []
    studies: dict[str, StudyFact] = {}
    for block in st.concern_blocks:
        start = block.fact.ref.end
        pv = text.find("医薬品安全性監視活動の内容", start, block.end)
        region = Compact.of(text, start, pv if pv >= 0 else block.end)
        tokens = _tokens(region)
        first = next((k for k, t in enumerate(tokens) if t.text == _ALL), None)
        if first is None:
            continue
        head_end = max((k for k, t in enumerate(tokens[:first]) if t.text.endswith("例)")), default=None)
        columns = _columns(tidy_header(text, tokens[:head_end + 1])) if head_end is not None else None
        if columns is not None and head_end is not None and \
                len(columns) != sum(t.text.endswith("例)") for t in tokens[:head_end + 1]):
            columns = None  # a column header without a study code: the columns cannot be matched
        if columns is None or head_end is None:
            st.issue("warning", "table-unreadable", f"incidence table under {block.fact.label} not read: header cells interleaved",
                     (tokens[0].start, tokens[first].end))
            continue
        rows = _rows(st, tokens[head_end + 1:], columns)
        for label, scope, values, s, e in rows:
            for col, (count, pct) in zip(columns, values):
                study = Mention(col.study, st.doc.lang, "study")
                studies.setdefault(col.study, StudyFact((col.study,), st.doc.ref(s, e)))
                facts.append(AdverseEventIncidence(
                    study=study, concept=Mention(label, st.doc.lang, "concept"), ref=st.doc.ref(s, e),
                    arm=col.arm, grade_scope=scope, patient_count=count, percent=pct,
                    denominator=col.denominator, product=st.product))
    return facts, list(studies.values())


_PHASE_STUDY = re.compile(r"第\s*(?P<p>III|II|I)(?:\s*/\s*(?P<q>III|II|I))?\s*相(?:臨床)?試験\s*"
                          r"\(\s*(?P<code>[A-Z][A-Z0-9-]*\d)\s*試験\s*\)")


def study_phases(text: str) -> dict[str, str]:
    """Phase of each study the plan names as ``第I/II相試験(GO12345試験)``; a study given two
    different phases gets none (better missing than wrong)."""
    seen: dict[str, set[str]] = {}
    for m in _PHASE_STUDY.finditer(text):
        phase = m.group("p") + (f"/{m.group('q')}" if m.group("q") else "")
        seen.setdefault(m.group("code"), set()).add(phase)
    return {code: next(iter(ps)) for code, ps in seen.items() if len(ps) == 1}


def tidy_header(doc_text: str, tokens: list[Token]) -> str:
    """The header cells as written (``B11 FL RP2D``, ``ポラツズマブ ベドチン``)."""
    return tidy(doc_text[tokens[0].start:tokens[-1].end]) if tokens else ""


def _rows(st: _State, tokens: list[Token], columns: list[Column]
          ) -> list[tuple[str, str, list[tuple[int, Decimal | None]], int, int]]:
    out: list[tuple[str, str, list[tuple[int, Decimal | None]], int, int]] = []
    label_tokens: list[Token] = []
    label = ""
    k = 0
    while k < len(tokens):
        t = tokens[k]
        if t.text not in (_ALL, _GE3):
            label_tokens.append(t)
            k += 1
            continue
        if label_tokens:
            label = _row_label(label_tokens)
        scope = "all" if t.text == _ALL else ">=3"
        cells = tokens[k + 1:k + 1 + len(columns)]
        values = [_value(c.text, col.denominator) for c, col in zip(cells, columns)]
        start = label_tokens[0].start if label_tokens else t.start
        label_tokens = []
        extra = tokens[k + 1 + len(columns)] if k + 1 + len(columns) < len(tokens) else None
        if (len(cells) < len(columns) or any(v is None for v in values) or not label
                or extra is not None and (_VALUE.match(extra.text) or _PCT.match(extra.text))
                or label.count("(") != label.count(")")):
            st.issue("warning", "row-unreadable", f"incidence row not read: {label or '?'} ({scope})", (start, t.end))
            label = ""  # the grade rows that follow belong to a row that could not be read
            k += 1
            continue
        out.append((label, scope, values, start, cells[-1].end))  # type: ignore[arg-type]
        k += 1 + len(columns)
    return out


def _row_label(tokens: list[Token]) -> str:
    """The row label: the run of non-value cells just before the grade marker (cells of
    an unread row before it are dropped); empty when it does not look like a term."""
    run: list[str] = []
    for t in reversed(tokens):
        if _VALUE.match(t.text) or _PCT.match(t.text):
            break
        run.insert(0, t.text)
    label = re.sub(r"\*\d+$", "", "".join(run))
    if not label or label.count("(") != label.count(")") or re.search(r"Grade|≧|≦|\x01", label):
        return ""
    return label


def _value(cell: str, denominator: int) -> tuple[int, Decimal | None] | None:
    """``41(45.6%)`` or ``0`` when consistent with the column's N; anything else None."""
    m = _VALUE.match(cell)
    if not m:
        return None
    count = int(m.group(1))
    pct = Decimal(m.group(2)) if m.group(2) else None
    if count > denominator or (pct is None and count != 0):
        return None
    if pct is not None and abs(Decimal(count * 100) / denominator - pct) > Decimal("0.15"):
        return None
    return count, pct


# --------------------------------------------------------------------------- activities

_STATUS = {"実施中": "ongoing", "継続中": "ongoing", "終了": "completed", "完了": "completed",
           "計画中": "planned", "実施前": "planned", "開始前": "planned", "準備中": "planned"}
_STATUS_UNKNOWN = ("中止", "中断", "未実施", "延期")
_NAME_TYPES = ("市販直後調査", "特定使用成績調査", "一般使用成績調査", "使用成績比較調査", "使用成績調査",
               "製造販売後臨床試験", "製造販売後データベース調査", "製造販売後調査")
_ROUTINE = {"pv": "通常の医薬品安全性監視活動", "rm": "通常のリスク最小化活動"}
_ADDITIONAL = {"pv": "追加の医薬品安全性監視活動", "rm": "追加のリスク最小化活動"}
_STUDY_CODE = re.compile(r"\(([A-Z][A-Z0-9]{1,9}-?[0-9]{2,}[A-Z0-9-]*)\)$")


def split_names(region: Compact, start: int, end: int, hints: tuple[str, ...] = ()) -> list[tuple[str, int, int]]:
    """Cut a run of activity names into names: with hints (table cells), a known name
    where one starts, else up to the closing parenthesis (continuing while another ``(``
    follows), else up to the next column gap; without hints (a list), per wrapped line."""
    out: list[tuple[str, int, int]] = []
    i = start
    text = region.text
    while i < end:
        j = _name_end(region, i, end, hints) if hints else _list_name_end(region, i, end)
        if j <= i:
            break
        out.append((text[i:j], i, j))
        i = j
    return out


def _list_name_end(region: Compact, i: int, end: int) -> int:
    """In a list of names one per (wrapped) line: a line break or column gap ends a name
    when its parentheses are closed and no ``(`` follows."""
    depth = 0
    for j in range(i, end):
        if j > i and depth == 0 and (j in region.breaks or j in region.gaps) and region.text[j] != "(":
            return j
        depth += region.text[j] == "("
        depth -= region.text[j] == ")"
    return end


def _name_end(region: Compact, i: int, end: int, hints: tuple[str, ...]) -> int:
    text = region.text
    for h in sorted(hints, key=len, reverse=True):
        if text.startswith(h, i) and i + len(h) <= end:
            return i + len(h)
    first_paren = text.find("(", i, end)
    gap = next((g for g in sorted(region.gaps) if i < g <= end), end)
    if first_paren < 0 or first_paren > i + 40 or first_paren > gap:
        return gap
    depth = 0
    j = first_paren
    while j < end:
        ch = text[j]
        depth += ch == "("
        depth -= ch == ")"
        j += 1
        if depth == 0 and not text.startswith("(", j):
            return j
    return end


def _status_tokens(doc_text: str, region: Compact, start: int, end: int) -> list[tuple[int, int, str]]:
    """Status words printed as a cell of their own (whitespace on both sides), as compact
    indices; ``調査終了から`` inside another cell is not a status."""
    out: list[tuple[int, int, str]] = []
    words = "|".join(sorted([*_STATUS, *_STATUS_UNKNOWN], key=len, reverse=True))
    s0 = region.offsets[start] if start < len(region.offsets) else 0
    e0 = region.offsets[end - 1] + 1 if end > start else s0
    # a status cell may carry a note in brackets: 終了(2024年3月), 実施中(登録完了)
    for m in re.finditer(r"(?<!\S)(" + words + r")(?=\s|$|\()", doc_text[s0:e0]):
        a = region.offsets.index(s0 + m.start())
        out.append((a, a + len(m.group(1)), m.group(1)))
    return out


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    name_span: tuple[int, int]   # compact indices
    between: str                 # cells between the name and the status
    status_word: str | None
    after: str                   # cells after the status (report due)
    end: int


def table_rows(st: _State, region: Compact, start: int, end: int, hints: tuple[str, ...],
               status_last: bool) -> list[Row]:
    """Rows of a section-5 table read from the compact view: name, middle cells, the
    status cell, and (when the status is not the last column) what follows."""
    doc_text = st.doc.text
    statuses = _status_tokens(doc_text, region, start, end)
    text = region.text
    rows: list[Row] = []
    i = start
    while i < end:
        n_end = _name_end(region, i, end, hints)
        name = text[i:n_end]
        nxt_status = next((s for s in statuses if s[0] >= n_end), None)
        if nxt_status is None:
            st.issue("warning", "value-unparsed", f"activity row without a recognised status: {name}", region.span(i, end))
            if name:
                rows.append(Row(name, (i, n_end), text[n_end:end], None, "", end))
            break
        between = text[n_end:nxt_status[0]]
        if status_last:
            row_end = nxt_status[1]
        else:
            row_end = _next_row_start(region, nxt_status[1], end, hints, statuses)
        rows.append(Row(name, (i, n_end), between, nxt_status[2], text[nxt_status[1]:row_end], row_end))
        i = row_end
    return rows


def _next_row_start(region: Compact, pos: int, end: int, hints: tuple[str, ...],
                    statuses: list[tuple[int, int, str]]) -> int:
    """Where the next row begins after a status cell: the first known name or activity
    type that starts a line and is itself followed by a status (so ``市販直後調査終了から…``
    in a report-due cell is not taken for a new row)."""
    text = region.text
    named = {i for k in hints for i in _all_positions(text, k, pos, end)}
    typed = {i for k in _NAME_TYPES for i in _all_positions(text, k, pos, end)}
    for c in sorted(named | typed):
        if c in region.breaks and (c in named or any(s[0] > c for s in statuses)):
            return c
    return end


def _all_positions(text: str, needle: str, start: int, end: int) -> list[int]:
    out: list[int] = []
    i = text.find(needle, start, end)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1, end)
    return out


@dataclass(frozen=True, slots=True)
class _Plan:
    """What every activity is read against: the plan's parts, its concerns, and for each
    concern the 【内容】 text and additional activity names of its PV and RM parts."""

    parts: Parts
    blocks: tuple[ConcernBlock, ...]
    per_concern: dict[str, dict[str, tuple[str, list[str]]]]
    names: tuple[str, ...]  # every additional activity name (to end a block in sections 2-4)

    @property
    def labels(self) -> list[str]:
        return [b.fact.label for b in self.blocks]

    def listed(self, kind: str) -> list[str]:
        """Additional activity names the concerns list under ``kind`` (pv / rm)."""
        return [n for b in self.blocks for n in self.per_concern[kind][b.fact.label][1]]


def _activities(st: _State, parts: Parts, summary: _Summary) -> list[Fact]:
    """Routine activities (one PV, one RM) and every additional activity of section 5."""
    assert st.product is not None
    blocks = tuple(st.concern_blocks)
    per_concern = {kind: _per_concern_lists(st, list(blocks), kind) for kind in ("pv", "rm")}
    plan = _Plan(parts, blocks, per_concern, ())
    out: list[Fact] = [a for kind in ("pv", "rm") if (a := _routine(st, plan, kind)) is not None]
    hints_pv = tuple(dict.fromkeys([*summary.pv_names, *plan.listed("pv")]))
    hints_rm = tuple(dict.fromkeys([*summary.rm_names, *plan.listed("rm")]))
    rows = _section5_rows(st, parts, hints_pv, hints_rm)
    if rows is None:
        plan = _Plan(parts, blocks, per_concern, (*hints_pv, *hints_rm))
        out += [_activity(st, plan, kind, name, None, None)
                for kind, hints in (("pv", hints_pv), ("rm", hints_rm)) for name in hints]
        if hints_pv or hints_rm:
            st.issue("error", "section-missing", "section 5 (activity tables) not found: activity status not read")
        return out
    plan = _Plan(parts, blocks, per_concern, tuple(row.name for _, row, _ in rows))
    out += [_activity(st, plan, kind, row.name, row, span) for kind, row, span in rows]
    for name in dict.fromkeys((*hints_pv, *hints_rm)):
        if name not in plan.names:  # listed elsewhere but not in section 5: a table cut off?
            st.issue("warning", "reference-unknown", f"activity {name} is not in the section-5 tables")
    return out


def _routine(st: _State, plan: _Plan, kind: str) -> Activity | None:
    """通常の…活動: addresses every concern whose 【内容】 lists it."""
    assert st.product is not None
    addresses = tuple(b.fact.label for b in plan.blocks if _ROUTINE[kind] in plan.per_concern[kind][b.fact.label][0])
    span = _routine_span(st, plan.parts, kind)
    if span is None and not addresses:
        return None
    ref = st.doc.ref(*(span or (plan.blocks[0].start, plan.blocks[0].start)))
    return Activity(kind, st.product, _ROUTINE[kind], "routine", ref, addresses=addresses)  # type: ignore[arg-type]


def _routine_span(st: _State, parts: Parts, kind: str) -> tuple[int, int] | None:
    sec = parts.sec2 if kind == "pv" else parts.sec4
    if sec is None:
        return None
    m = _find_line(st.doc.text, _ROUTINE[kind] + r"の概要\s*:?", *sec)
    if not m:
        return None
    nxt = _find_line(st.doc.text, _ADDITIONAL[kind], m.end(), sec[1])
    end = nxt.start() if nxt else m.end()
    return m.start(), m.start() + len(st.doc.text[m.start():end].rstrip())


def _per_concern_lists(st: _State, blocks: list[ConcernBlock], kind: str) -> dict[str, tuple[str, list[str]]]:
    """Per concern: the 【内容】 text of its PV (or RM) part, and the additional activity
    names listed there as ``(1) name``."""
    text = st.doc.text
    head = "医薬品安全性監視活動の内容" if kind == "pv" else "リスク最小化活動の内容"
    out: dict[str, tuple[str, list[str]]] = {}
    for b in blocks:
        m = re.search(head, text[b.start:b.end])
        if not m:
            out[b.fact.label] = ("", [])
            continue
        s = b.start + m.end()
        sel = re.search(r"【選択理由】", text[s:b.end])
        content_end = s + sel.start() if sel else b.end
        content = text[s:content_end]
        names: list[str] = []
        add = content.find(_ADDITIONAL[kind])
        if add >= 0:
            for item in re.split(r"[\n\f][ \t]*\(\d{1,2}\)", "\n" + content[add + len(_ADDITIONAL[kind]):])[1:]:
                name = compact_key(item)
                if name:
                    names.append(name)
        out[b.fact.label] = (compact_key(content), names)
    return out


def _section5_rows(st: _State, parts: Parts, hints_pv: tuple[str, ...],
                   hints_rm: tuple[str, ...]) -> list[tuple[str, Row, tuple[int, int]]] | None:
    if parts.sec5 is None:
        return None
    text = st.doc.text
    s5 = parts.sec5
    num = r"(?:\d\s*\.\s*)?\(\s*\d\s*\)\s*"  # 5.(1): the number may change, not its form
    tables = [("pv", num + r"医薬品安全性監視計画の一覧", r"追加の医薬品安全性監視活動", hints_pv, False),
              ("efficacy", num + r"有効性に関する調査\s*[・･]\s*試験の計画の一覧", None, (), False),
              ("rm", num + r"リスク最小化計画の一覧", r"追加のリスク最小化活動", hints_rm, True)]
    heads = [(kind, _find_line(text, pat, *s5), add, hints, last) for kind, pat, add, hints, last in tables]
    out: list[tuple[str, Row, tuple[int, int]]] = []
    for k, (kind, head, add, hints, last) in enumerate(heads):
        if head is None:
            if kind != "efficacy":
                st.issue("error", "table-missing", f"section 5 table for {kind} activities not found", s5)
            continue
        later = [h.start() for _, h, _, _, _ in heads[k + 1:] if h is not None]
        t_end = later[0] if later else s5[1]
        start = head.end()
        if add:
            m_add = list(re.finditer(r"(?m)(?:^|(?<=\f))[ \t]*" + add + r"[ \t]*(?=[\n\f]|$)", text[start:t_end]))
            if not m_add:
                continue
            start += m_add[0].end()
        header = re.search(r"(?:報告書の\s*作成予定日|実施状況)[ \t]*[\n\f]", text[start:t_end])
        if header is None:
            st.issue("warning", "table-unreadable", f"section 5 table for {kind} activities has no header row", (start, t_end))
            continue
        body_start = start + header.end()
        region = Compact.of(text, body_start, t_end)
        if re.fullmatch(r"(?:なし|該当なし)?", region.text):
            continue
        for row in table_rows(st, region, 0, len(region.text), hints, last):
            out.append((kind, row, region.span(row.name_span[0], row.end)))
    return out


def _activity(st: _State, plan: _Plan, kind: str, name: str, row: Row | None,
              span: tuple[int, int] | None) -> Activity:
    """One additional activity: status and table cells from its section-5 row, target,
    period and concerns from its block in sections 2-4 and from section 1."""
    assert st.product is not None
    status = None
    if row is not None and row.status_word is not None:
        status = _STATUS.get(row.status_word)
        if status is None:
            st.issue("warning", "value-unparsed", f"unknown status word {row.status_word!r} for {name}", span)
    detail = _plan_block(st, plan.parts, kind, name, plan.names)
    target = _target(_field_text(detail, "実施計画") or "") if detail else None
    milestones: tuple[str, ...] = ()
    report_due = None
    if row is not None:
        between = row.between
        if kind in ("pv", "efficacy"):
            count = re.match(r"(?:なし|該当なし|-)|.*?\d[\d,]*例", between)
            if target is None and count:
                nums = [int(n.replace(",", "")) for n in re.findall(r"(\d[\d,]*)例", count.group())]
                target = max(nums) if nums else None
            between = between[count.end():] if count else between
            report_due = row.after or None
        milestones = tuple(m for m in re.split(r"[,、]", between) if m)
    code = _STUDY_CODE.search(name)
    ref_span = span or (detail.span if detail else (0, 0))
    return Activity(kind, st.product, name, "additional", st.doc.ref(*ref_span),  # type: ignore[arg-type]
                    status=status, target_sample_size=target, study_code=code.group(1) if code else None,
                    addresses=_addresses(st, plan, kind, name, detail), milestones=milestones,
                    period=_period(detail) if detail else None, report_due=report_due)


def _addresses(st: _State, plan: _Plan, kind: str, name: str, detail: "_Detail | None") -> tuple[str, ...]:
    """Labels of the concerns an activity addresses: those whose section-1 text lists it,
    and those its 【安全性検討事項】 names (which must be concerns of this plan)."""
    listed = plan.per_concern.get("rm" if kind == "rm" else "pv", {})
    found = [b.fact.label for b in plan.blocks if name in listed.get(b.fact.label, ("", []))[1]]
    for concern in _field_list(detail, "安全性検討事項") if detail else []:
        hit = next((label for label in plan.labels if compact_key(label) == concern), None)
        if hit is None:
            st.issue("warning", "reference-unknown", f"activity {name} addresses {concern!r}, not a concern of this plan")
        elif hit not in found:
            found.append(hit)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class _Detail:
    """An activity's block in plan section 2/3/4 (compact view)."""

    region: Compact
    start: int
    end: int

    @property
    def span(self) -> tuple[int, int]:
        return self.region.span(self.start, self.end)

    @property
    def text(self) -> str:
        return self.region.text[self.start:self.end]


def _plan_block(st: _State, parts: Parts, kind: str, name: str, all_names: tuple[str, ...]) -> _Detail | None:
    """The activity's block in plan section 2 (PV, efficacy) or 4 (RM): from its name to
    the next activity's name (a known name, or the line just above the next activity's
    first bracketed field)."""
    sec = {"pv": parts.sec2, "efficacy": parts.sec3, "rm": parts.sec4}[kind]
    if sec is None:
        return None
    region = Compact.of(st.doc.text, *sec)
    pos = region.text.find(name)
    if pos < 0:
        return None
    after = pos + len(name)
    stops = [region.text.find(other, after) for other in all_names if other != name and name not in other]
    stops = [x for x in stops if x >= after]
    stops.append(_next_name_start(region, after))
    return _Detail(region, pos, min(stops))


def _next_name_start(region: Compact, pos: int) -> int:
    """Start of the line above the next activity's first field (``【安全性検討事項】`` or
    ``【実施期間】``), skipping the activity's own first field right after its name."""
    text = region.text
    fields = [m.start() for m in re.finditer(r"【(?:安全性検討事項|実施期間)】", text[pos:])]
    fields = [pos + f for f in fields if pos + f != text.find("【", pos)]
    if not fields:
        return len(text)
    at = fields[0]
    line_starts = [b for b in region.breaks if pos < b < at]
    return max(line_starts) if line_starts else at


def _field_text(detail: _Detail, label: str) -> str | None:
    m = re.search(r"【" + label + r"[^】]*】(.*?)(?=【|$)", detail.text)
    return m.group(1) if m else None


def _field_list(detail: _Detail, label: str) -> list[str]:
    raw = _field_text(detail, label)
    if not raw:
        return []
    items: list[str] = []
    depth = 0
    cur = ""
    for ch in raw:
        depth += ch == "("
        depth -= ch == ")"
        if ch in ",、" and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    return [i for i in items if i and not _NONE.match(i)]


def _target(plan: str) -> int | None:
    m = re.search(r"(?:予定症例数|目標症例数|症例数)[^:]*:(.{0,30}?)(\d[\d,]*)例", plan)
    return int(m.group(2).replace(",", "")) if m else None


def _period(detail: _Detail) -> str | None:
    plan = _field_text(detail, "実施計画") or ""
    m = re.search(r"(?:調査期間|試験期間|実施期間):(.*?)(?=登録期間|観察期間|予定症例数|なお|$)", plan)
    if m:
        return m.group(1)
    span = _field_text(detail, "実施期間")
    return span or None
