"""Product information: package inserts (添付文書 / 電子添文), brochures and proper-use guides.

What every such document shares, and what this module keys on:

* bracketed headings of the label (【警告】, 【禁忌・禁止】 / 【禁忌(…)】, 【承認条件】 /
  【承認条件及び期限】, 【効能・効果】 / 【効能又は効果】 / 【効能、効果又は性能】, 【用法・用量】 …) or
  the numbered headings of the 2019 format (``1. 警告``, ``2. 禁忌…``), each followed by
  numbered items (``1.`` or ``2.1``);
* the standard sentence form of a dosage (``通常、成人には…として…を…投与する。``,
  continued by ``なお、…``; pre-treatment drugs as ``Xとして Nmg/m2を1日1回…点滴静注する。``);
* serious adverse reactions (重大な副作用) as ``(n) term(12.3%):description`` items;
* the adverse-reaction overview ``…第II相試験において、本品が投与された137例中…主な副作用は、
  term(84.7%)、…``;
* a target dose and the range it may take (``…目標投与数Nを…投与する。なお、…A~Bの範囲で投与できる。``
  or ``(A~Bの範囲で)`` in the same sentence) make one regimen, with dose_value and dose_min/max;
* brochures: ``…第II相試験(CODE試験/NICKNAME試験)`` study headers and ``label:value`` study
  summaries (目的, 試験デザイン, 対象, 主要評価項目, 副次評価項目), and result sentences
  ``…目標用量が<dose>投与で<endpoint>中央値は<value>ヵ月(95%CI:<lo>-<hi>)`` (a ``(範囲:…)`` after
  a median is its spread, not a CI), values given in the order of the arms
  (``が<dose1>、<dose2>投与の<population>における<endpoint>は<v1>、<v2>``), and tables of medians
  with one column per dose arm (``<dose> (n=N)`` headers, a ``<endpoint>中央値、月(95%CI)`` row).
  A study a footnote names by code (``海外第I相試験(CODE試験)``) is a study of its own.

Serious-adverse-reaction frequencies of a label usually pool several studies (the section's own
footnote says so), so they are recorded against the product's label, as the pseudo-study
``"<product> 添付文書"`` (with ``product`` set), never against one study. The overview sentence
that names one study gives incidences for that study.

Brochure adverse-event tables (``全Grade Grade 3/4`` per arm, arms named above as ``(n=N)``)
give all-grade incidences for the document's main study (the one it names most); ``Grade 3/4``
columns are not read, since they are not ``≥3`` (grade 5 is left out).

Paragraphs come from line geometry, never from blank lines, which PDF text does not have: a
line much shorter than its neighbours ends a paragraph (lines are broken at the column edge),
so a document and its PDF rendition give the same facts. Layout text may print a section label
after its content (two-column pages); where a label has no body after it, the paragraph before
it is read and an Issue says so. Repeated pages give each fact once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Iterator

from extract.model import (AdverseEventIncidence, ApprovalCondition, DocumentInfo, Document,
                           EfficacyResult, ExtractionResult, Fact, Indication, Mention, PatientFlowCount,
                           ProductFact, RequirementKind, SourceRef, StudyFact, UseRequirement)
from extract.normalize.dosage import parse_dosage, regimen_fact
from extract.normalize.values import find_dates, parse_date, unflatten_power
from extract.readers.context import ExtractContext

# The MedDRA system organ classes (SOC, 器官別大分類), as MedDRA/J and MedDRA name them. Tables print
# SOC rows and preferred-term rows alike (layout text may indent the terms, tab text does not), so a
# row is known for an SOC by its name: the 27 SOCs are a closed list every MedDRA table shares.
MEDDRA_SOCS = frozenset(re.sub(r"\s+", "", s).lower() for s in (
    "血液およびリンパ系障害", "心臓障害", "先天性、家族性および遺伝性障害", "耳および迷路障害", "内分泌障害",
    "眼障害", "胃腸障害", "一般・全身障害および投与部位の状態", "肝胆道系障害", "免疫系障害",
    "感染症および寄生虫症", "傷害、中毒および処置合併症", "臨床検査", "代謝および栄養障害",
    "筋骨格系および結合組織障害", "良性、悪性および詳細不明の新生物(嚢胞およびポリープを含む)", "神経系障害",
    "妊娠、産褥および周産期の状態", "精神障害", "腎および尿路障害", "生殖系および乳房障害",
    "呼吸器、胸郭および縦隔障害", "皮膚および皮下組織障害", "社会環境", "外科および内科処置", "血管障害",
    "製品の問題",
    "Blood and lymphatic system disorders", "Cardiac disorders", "Congenital, familial and genetic disorders",
    "Ear and labyrinth disorders", "Endocrine disorders", "Eye disorders", "Gastrointestinal disorders",
    "General disorders and administration site conditions", "Hepatobiliary disorders",
    "Immune system disorders", "Infections and infestations", "Injury, poisoning and procedural complications",
    "Investigations", "Metabolism and nutrition disorders", "Musculoskeletal and connective tissue disorders",
    "Neoplasms benign, malignant and unspecified (incl cysts and polyps)", "Nervous system disorders",
    "Pregnancy, puerperium and perinatal conditions", "Psychiatric disorders", "Renal and urinary disorders",
    "Reproductive system and breast disorders", "Respiratory, thoracic and mediastinal disorders",
    "Skin and subcutaneous tissue disorders", "Social circumstances", "Surgical and medical procedures",
    "Vascular disorders", "Product issues"))


def is_soc(name: str) -> bool:
    """True when a table row's label is a MedDRA system organ class (see ``MEDDRA_SOCS``)."""
    return re.sub(r"\s+", "", name).lower() in MEDDRA_SOCS


# --------------------------------------------------------------------------- text helpers


@dataclass(frozen=True, slots=True)
class Line:
    start: int
    end: int
    text: str
    final: bool = False  # last line of a paragraph (see ``lines_of``)

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def lines_of(text: str) -> list[Line]:
    """Lines (a page break ends a line too), each marked ``final`` when it is much shorter than
    the lines around it: text drawn on a page breaks lines at the column edge, so a short line
    ends a paragraph. Blank lines are not used for that, because PDF text has none: the text
    of a document and its PDF rendition must fall apart into the same paragraphs."""
    out: list[Line] = []
    pos = 0
    for raw in re.split(r"[\n\f]", text):
        out.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    full = [i for i, ln in enumerate(out) if not ln.blank]
    for k, i in enumerate(full):
        width = max(len(out[j].text.strip()) for j in full[max(0, k - 3):k + 4])
        body = out[i].text.strip()
        if len(body) < 0.6 * width and not body.endswith(("、", ",")):  # a comma never ends one
            out[i] = Line(out[i].start, out[i].end, out[i].text, True)
    return out


@dataclass(frozen=True, slots=True)
class Para:
    """Lines joined as ``join_lines`` joins them, with each character's offset in the
    document, so a match in the joined text maps back to an exact span."""

    text: str
    offsets: tuple[int, ...]

    @classmethod
    def of(cls, lines: list[Line]) -> "Para":
        chars: list[str] = []
        offs: list[int] = []
        for ln in lines:
            body = ln.text.strip()
            if not body:
                continue
            lead = ln.text.find(body[0])
            if chars and chars[-1].isascii() and body[0].isascii() and chars[-1] not in "([" \
                    and body[0] not in ")],.;:":
                chars.append(" ")  # only between two Latin words: Japanese joins without a space
                offs.append(offs[-1] + 1)
            chars.extend(body)
            offs.extend(range(ln.start + lead, ln.start + lead + len(body)))
        return cls("".join(chars), tuple(offs))

    def span(self, i: int, j: int) -> tuple[int, int]:
        return self.offsets[i], self.offsets[j - 1] + 1

    @property
    def whole(self) -> tuple[int, int]:
        return self.span(0, len(self.text))


def paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Runs of lines, each ending at a ``final`` line (blank lines are skipped)."""
    out: list[list[Line]] = []
    run: list[Line] = []
    for ln in lines:
        if ln.blank:
            continue
        run.append(ln)
        if ln.final:
            out.append(run)
            run = []
    if run:
        out.append(run)
    return out


_NUMBERED_LINE = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2}){0,2}\.?\s+\S[^。]{0,28}$")


def is_heading(line: Line) -> bool:
    """A label line (【…】, <…>, 《…》, a known section name) or a short numbered heading."""
    return bool(_ANY_LABEL.match(line.text) or _NUMBERED_LINE.match(line.text)
                or _SERIOUS_HEAD.match(line.text) or _OTHER_HEAD.match(line.text))


def blocks(lines: list[Line]) -> list[list[Line]]:
    """Paragraphs, also cut at heading lines (which belong to none): text without blank lines
    around its headings still falls apart into its sections."""
    out: list[list[Line]] = []
    for para in paragraphs(lines):
        run: list[Line] = []
        for ln in para:
            if is_heading(ln):
                if run:
                    out.append(run)
                run = []
            else:
                run.append(ln)
        if run:
            out.append(run)
    return out


def sentences(p: Para) -> Iterator[tuple[int, int]]:
    """Character ranges of the ``。``-terminated sentences of a paragraph."""
    start = 0
    for m in re.finditer("。", p.text):
        yield start, m.end()
        start = m.end()
    if p.text[start:].strip():
        yield start, len(p.text)


def strip_marks(text: str) -> str:
    """Remove footnote markers (``*3``, ``注1)``) and trailing ``など``/``等``."""
    text = re.sub(r"[*＊]\d*", "", text)
    text = re.sub(r"注\d+\)", "", text)
    return re.sub(r"(?:など|等)$", "", text.strip()).strip()


def split_top(text: str, sep: str = "、") -> list[str]:
    """Split at ``sep`` outside parentheses."""
    parts: list[str] = []
    depth, cur = 0, ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == sep and depth <= 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


# --------------------------------------------------------------------------- context


@dataclass
class Ctx(ExtractContext):
    """The extraction context with the document's lines (paragraph ends marked)."""

    lines: list[Line] = field(default_factory=list)

    def span_ref(self, span: tuple[int, int]) -> SourceRef:
        return self.doc.ref(*span)


# --------------------------------------------------------------------------- entry point


def extract(doc: Document) -> ExtractionResult:
    """Read the label sections and the brochure's study summaries of one document."""
    lines = lines_of(doc.text)
    ctx = Ctx(doc, lines=lines)
    product = find_product(doc, lines)
    if product is None:
        ctx.error("not-this-kind", "no product name found (販売名 / brand name / title)")
        return ctx.result(DocumentInfo())
    ctx.product = product[0]
    studies = find_studies(ctx)
    read_numbered_sections(ctx)
    read_indications(ctx)
    read_dosage(ctx)
    read_serious_reactions(ctx)
    read_reaction_overview(ctx, studies)
    read_efficacy(ctx, studies)
    read_event_tables(ctx, studies)
    read_patient_flow(ctx, studies)
    info = DocumentInfo(title=product[1], products=(ctx.product,), ref=doc.ref(*product[2]),
                        issued=find_issued(lines))
    pf = ProductFact(product=ctx.product, ref=doc.ref(*product[2]), names=find_names(lines, ctx.product),
                     substances=find_substances(ctx), approval_number=tuple(find_approval_numbers(doc)),
                     holder=find_holder(ctx), approval_date=find_approval_dates(lines))
    return ctx.result(info, (pf,), [s for s, _ in studies], facts=dedupe(ctx.facts))


def dedupe(facts: list[Fact]) -> list[Fact]:
    """Brochures repeat label pages: keep the first of facts equal but for their ref."""
    seen: set[tuple[object, ...]] = set()
    out: list[Fact] = []
    for f in facts:
        key = (type(f).__name__,) + tuple(_loose(getattr(f, s)) for s in f.__slots__ if s != "ref")
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _loose(value: object) -> object:
    """Text compared without whitespace: the same sentence broken at other places is equal."""
    return re.sub(r"\s+", "", value) if isinstance(value, str) else value


# --------------------------------------------------------------------------- product


_BRAND_FIELD = re.compile(r"^\s*(?:【)?(?:販売名|Brand Name)(?:】)?\s*[:：]?\s*(\S.*)$", re.I)
_BROCHURE_TITLE = re.compile(r"^\s*([^\s、。の]{2,20})の有効性(?:と|及び|および)安全性")
_APPROVAL_NO = re.compile(r"承認番号\s*[:：]?\s*(\d{5}[A-Z]{3}\d{5,8})")
_HOLDER_LABEL = re.compile(r"^\s*(?:【)?(?:製造販売元|製造販売)(?:】)?\s*[:：]?\s*(.*)$")
_COMPANY = re.compile(r"株式会社|有限会社|K\.K\.|Inc\.|Ltd\.|GmbH")


def find_product(doc: Document, lines: list[Line]) -> tuple[Mention, str, tuple[int, int]] | None:
    """``(mention, title, span)``: the 販売名 field, else a brochure title ``Xの有効性と安全性``."""
    for ln in lines:
        m = _BRAND_FIELD.match(ln.text)
        if m:
            name = re.split(r"\s{2,}", m.group(1).strip())[0]
            return Mention(name, doc.lang, "product"), name, (ln.start + m.start(1), ln.start + m.end(1))
    for i, ln in enumerate(lines[:60]):
        m = _BROCHURE_TITLE.match(ln.text)
        if m:
            title_lines = [ln]
            if i and lines[i - 1].text.rstrip().endswith("に対する"):
                title_lines.insert(0, lines[i - 1])
            title = Para.of(title_lines).text
            lead = ln.text.find(m.group(1))
            return (Mention(m.group(1), doc.lang, "product"), title,
                    (ln.start + lead, ln.start + lead + len(m.group(1))))
    return None


def find_names(lines: list[Line], product: Mention) -> tuple[str, ...]:
    """Every trade name of the 販売名 field (a table row: names apart by two or more spaces)."""
    for ln in lines:
        m = _BRAND_FIELD.match(ln.text)
        if m:
            return tuple(n for n in re.split(r"\s{2,}", m.group(1).strip()) if n)
    return (product.text,)


_GENERIC = re.compile(r"^\s*(?:【)?(?:一般名|Non-proprietary Name)(?:】)?\s*[:：]?\s*([^\s(]+)", re.I)


def find_substances(ctx: Ctx) -> tuple[Mention, ...]:
    """The 一般名 field, as written (salt and hydrate kept: the linker strips them)."""
    for ln in ctx.lines:
        m = _GENERIC.match(ln.text)
        if m:
            return (Mention(m.group(1), ctx.lang, "substance"),)
    return ()


def find_approval_numbers(doc: Document) -> list[str]:
    """Every number on a 承認番号 line (one per strength, as a table row)."""
    found: list[str] = []
    for m in _APPROVAL_NO.finditer(doc.text):
        line_end = doc.text.find("\n", m.start())
        row = doc.text[m.start():line_end if line_end >= 0 else len(doc.text)]
        found.extend(re.findall(r"\d{5}[A-Z]{3}\d{5,8}", row))
    return list(dict.fromkeys(found))


_APPROVAL_DATE = re.compile(r"^\s*(?:【)?承認年月日(?:】)?\s*[:：]?\s*(\S.*)$")
_REVISED = re.compile(r"((?:\d{4}|(?:令和|平成)(?:\d{1,2}|元))\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:作成|改訂)")


def find_approval_dates(lines: list[Line]) -> tuple[dt.date, ...]:
    """Dates on the 承認年月日 line, full dates only: a label's 承認年月 (year and month) gives no
    day, and a day is never invented. A table printed as a column of labels and then a column
    of values is not read (which value is which is not known)."""
    out: list[dt.date] = []
    for ln in lines:
        m = _APPROVAL_DATE.match(ln.text)
        if m:
            out.extend(d for d, _, _ in find_dates(m.group(1)) if d not in out)
    return tuple(out)


def find_issued(lines: list[Line]) -> dt.date | None:
    """The latest full date written as ``…年…月…日作成`` / ``…改訂`` (a label lists its versions;
    the newest is this document's). ``2025年4月改訂`` has no day and gives nothing."""
    dates = [d for ln in lines for m in _REVISED.finditer(ln.text) if (d := parse_date(m.group(1)))]
    return max(dates) if dates else None


def find_holder(ctx: Ctx) -> Mention | None:
    """The 製造販売元 / 【製造販売】 field: its value on the same line or the next one, taken
    only when it is a company name."""
    full = [ln for ln in ctx.lines if not ln.blank]
    for k, ln in enumerate(full):
        m = _HOLDER_LABEL.match(ln.text)
        if not m:
            continue
        value = m.group(1).strip() or (full[k + 1].text.strip() if k + 1 < len(full) else "")
        if value and len(value) <= 40 and _COMPANY.search(value):
            return Mention(value, ctx.lang, "organization")
    return None


# --------------------------------------------------------------------------- numbered sections

# heading name (after NFKC) -> what its numbered items are
_BRACKET_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^警告"), "warning"),
    (re.compile(r"^禁忌"), "contraindication"),
    (re.compile(r"^承認条件"), "approval"),
)
_BRACKET = re.compile(r"^\s*【([^】]{2,40})】")
_NUMBERED_HEAD = re.compile(r"^\s*(\d{1,2})\.\s*(警告|禁忌|承認条件)(?:\(.*\))?\s*$")
_NUMBERED_KINDS = {"警告": "warning", "禁忌": "contraindication", "承認条件": "approval"}


def section_heads(ctx: Ctx) -> Iterator[tuple[int, str, str | None]]:
    """``(line index, kind, major number)`` of every warning / contraindication / approval
    condition heading, bracketed or numbered."""
    for i, ln in enumerate(ctx.lines):
        m = _BRACKET.match(ln.text)
        if m:
            for pattern, kind in _BRACKET_KINDS:
                if pattern.match(m.group(1)):
                    yield i, kind, None
            continue
        n = _NUMBERED_HEAD.match(ln.text)
        if n:
            yield i, _NUMBERED_KINDS[n.group(2)], n.group(1)


def numbered_items(lines: list[Line], major: str | None) -> list[list[Line]]:
    """The numbered items after a heading: ``1.``, ``2.`` … in sequence (or ``2.1``, ``2.2`` under
    a numbered heading). An item runs to the next number in sequence or a blank line; the
    first paragraph that is not an item ends the list."""
    item_re = (re.compile(rf"^\s*{major}\.(\d{{1,2}})(?!\d)\s*") if major
               else re.compile(r"^\s*(\d{1,2})[.．](?![\d.])\s*"))
    items: list[list[Line]] = []
    expected = 1
    for ln in lines:
        if ln.blank:
            continue
        if _BRACKET.match(ln.text) or (major is None and _NUMBERED_HEAD.match(ln.text) and items):
            break
        m = item_re.match(ln.text)
        if m and int(m.group(1)) == expected:
            items.append([ln])
            expected += 1
        elif items and continues(items[-1][-1], ln):
            items[-1].append(ln)
        else:
            break
    return items


_NEW_BLOCK = re.compile(r"^\s*(?:\d{1,2}[.．)](?![\d.])|\(\d{1,2}\)|[<《・■※*]|注\d)")


def continues(prev: Line, line: Line) -> bool:
    """Whether ``line`` goes on with the paragraph ``prev`` belongs to: not after a paragraph's
    last line, not into a heading, and not into a new numbered/bulleted/footnote block after a
    finished sentence."""
    if is_heading(line):
        return False
    if prev.text.rstrip().endswith(("、", ",")):
        return True  # a clause cut at a comma never ends a paragraph
    if prev.final:
        return False
    return not (prev.text.rstrip().endswith("。") and _NEW_BLOCK.match(line.text))


def item_text(item: list[Line]) -> tuple[str, tuple[int, int]]:
    """Item text without its number, and the span of that text."""
    p = Para.of(item)
    m = re.match(r"\s*\d{1,2}(?:\.\d{1,2})?[.．]?\s*", p.text)
    i = m.end() if m else 0
    return p.text[i:], p.span(i, len(p.text))


def read_numbered_sections(ctx: Ctx) -> None:
    for idx, kind, major in section_heads(ctx):
        items = numbered_items(ctx.lines[idx + 1:], major)
        if not items:
            paras = blocks(ctx.lines[idx + 1:idx + 30])
            if paras and not is_heading(next(ln for ln in ctx.lines[idx + 1:] if not ln.blank)):
                items = [paras[0]]  # a single unnumbered item
            else:
                ctx.warn("section-unreadable", f"{kind} heading without items", (ctx.lines[idx].start, ctx.lines[idx].end))
        for item in items:
            text, span = item_text(item)
            if not text:
                continue
            if kind == "approval":
                ctx.facts.append(ApprovalCondition(ctx.product, text, ctx.span_ref(span)))
            else:
                req: RequirementKind = "warning" if kind == "warning" else "contraindication"
                ctx.facts.append(UseRequirement(ctx.product, req, text, ctx.span_ref(span)))


# --------------------------------------------------------------------------- indications

_INDICATION_LABEL = re.compile(r"^\s*(?:【(効能・効果|効能又は効果|効能、効果又は性能)】|"
                               r"(?:\d{1,2}\.\s*)?(効能・効果|効能又は効果|効能、効果又は性能))\s*$")
_ANY_LABEL = re.compile(r"^\s*(?:【[^】]+】|《[^》]+》|<[^>]+>|(?:\d{1,2}\.\s*)?(?:効能・効果|効能又は効果|"
                        r"効能、効果又は性能|用法・用量|用法及び用量|用法及び用量又は使用方法|"
                        r"使用上の注意|臨床成績))\s*(?:\(抜粋\))?\s*$")


def read_indications(ctx: Ctx) -> None:
    for i, ln in enumerate(ctx.lines):
        if not _INDICATION_LABEL.match(ln.text):
            continue
        body = _body_after(ctx.lines, i)
        if body is None:
            body = _body_before(ctx.lines, i)
            if body is None:
                ctx.warn("section-unreadable", "indication heading without a readable body", (ln.start, ln.end))
                continue
            ctx.warn("section-order", "indication label printed after its text: read the paragraph before it",
                     (ln.start, ln.end))
        _indication(ctx, body)


def _body_after(lines: list[Line], i: int) -> list[Line] | None:
    following = lines[i + 1:i + 40]
    first = next((ln for ln in following if not ln.blank), None)
    if first is None or is_heading(first):
        return None
    if first.text.lstrip().startswith("○"):  # a list of indications runs to the next heading
        body: list[Line] = []
        for ln in following:
            if is_heading(ln):
                break
            if not ln.blank:
                body.append(ln)
        return body
    return blocks(following)[0]


def _body_before(lines: list[Line], i: int) -> list[Line] | None:
    """Paragraphs between the previous label and this one; the indication is the first that is
    not an instruction (precautions end in ``こと。``)."""
    j = i - 1
    while j >= 0 and not _ANY_LABEL.match(lines[j].text) and i - j < 40:
        j -= 1
    for para in paragraphs(lines[j + 1:i]):
        if not Para.of(para).text.endswith("こと。"):
            return para
    return None


def _indication(ctx: Ctx, body: list[Line]) -> None:
    """An indication paragraph, or one per ``○`` line when the label lists several."""
    if sum(1 for ln in body if ln.text.lstrip().startswith("○")) >= 2:
        items: list[list[Line]] = []
        for ln in body:
            if ln.text.lstrip().startswith("○"):
                items.append([Line(ln.start + ln.text.find("○") + 1, ln.end, ln.text.split("○", 1)[1])])
            elif items:
                items[-1].append(ln)
        for item in items:
            _one_indication(ctx, item)
    else:
        _one_indication(ctx, body)


def _one_indication(ctx: Ctx, body: list[Line]) -> None:
    """The disease is the first sentence; ``・`` lines after ``…場合に限る`` are eligibility
    conditions."""
    p = Para.of(body)
    first = p.text.split("。", 1)[0]
    disease = Mention(first, ctx.lang, "concept") if 2 <= len(first) <= 60 and "、" not in first else None
    ctx.facts.append(Indication(ctx.product, p.text, ctx.span_ref(p.whole), disease))
    if "場合に限る" not in p.text:
        return
    for m in re.finditer(r"・([^・]+)", p.text):
        text = m.group(1).strip()
        span = p.span(m.start(1), m.start(1) + len(text))
        ctx.facts.append(UseRequirement(ctx.product, "patient-eligible", text, ctx.span_ref(span)))


# --------------------------------------------------------------------------- dosage

_DOSE_SENTENCE = re.compile(r"(?:投与|静注|注射|内服|服用)(?:する|できる)。$|投与した後、\d+日間休薬する。$")


def read_dosage(ctx: Ctx) -> None:
    """Dosage sentences anywhere: the label's present-tense form (``…投与する。``) is kept
    apart from study descriptions (past tense) by the sentence ending itself. A ``通常`` sentence
    is the product's own regimen; a ``…として`` sentence without it gives other drugs' regimens
    (pre-treatment, supportive care), each with its substance. A ``なお、`` sentence after a
    regimen is read with it (``…~…の範囲で投与できる`` widens its target dose to a range)."""
    for para in blocks(ctx.lines):
        p = Para.of(para)
        for s, e, usual in _dosage_runs(p):
            dosage = parse_dosage(p.text[s:e], ctx.lang)
            for code, what, a, b in dosage.problems:
                ctx.warn(code, what, p.span(s + a, s + b))
            if dosage.combination_class:
                ctx.warn("content-skipped", f"combination {dosage.combination_class!r} names a drug class, "
                         "not recorded", p.span(s, e))
            for reg in dosage.regimens:
                span = p.span(s + reg.start, s + reg.end)
                fact = regimen_fact(reg, dosage, ctx.product, ctx.lang, ctx.span_ref(span),
                                    p.text[s + reg.start:s + reg.end], indication=_indication_for(ctx, span[0]))
                ctx.facts.append(replace(fact, substance=None) if usual else fact)


def _dosage_runs(p: Para) -> list[tuple[int, int, bool]]:
    """(start, end, is the product's own) of each run of dosage sentences of a paragraph: a
    ``通常`` or ``…として`` dosage sentence opens a run, a ``なお`` dosage sentence joins the run
    just before it."""
    runs: list[list[object]] = []
    for s, e in sentences(p):
        sent = p.text[s:e]
        if not _DOSE_SENTENCE.search(sent):
            continue
        if sent.startswith("なお"):
            if runs and runs[-1][1] == s:
                runs[-1][1] = e
            continue
        if "通常" in sent or "として" in sent:
            runs.append([s, e, "通常" in sent])
    return [(int(a), int(b), bool(c)) for a, b, c in runs]  # type: ignore[call-overload]


_SUBHEAD = re.compile(r"^\s*[〈<《]([^〉>》]{2,80})[〉>》]\s*$")
_LABEL_HEAD = re.compile(r"^\s*(?:【[^】]+】|\d{1,2}\.\s*\S)")


def _indication_for(ctx: Ctx, offset: int) -> str | None:
    """The Indication a dosage belongs to when the label splits 用法・用量 by indication under
    ``〈indication〉`` sub-headings: the nearest sub-heading above, within the same section,
    naming one of the label's indications (its text starts with the sub-heading's)."""
    indications = [f.text for f in ctx.facts if isinstance(f, Indication) and f.product == ctx.product]
    if not indications:
        return None
    above = [ln for ln in ctx.lines if ln.end <= offset][-60:]
    for ln in reversed(above):
        if m := _SUBHEAD.match(ln.text):
            name = _loose(m.group(1))
            found = [t for t in indications if _loose(t).startswith(name)]  # type: ignore[union-attr]
            if len(found) == 1:
                return found[0]
            if found:
                ctx.warn("reference-ambiguous", f"dosage sub-heading {m.group(1)!r} names several indications", (ln.start, ln.end))
            return None
        if _LABEL_HEAD.match(ln.text):
            return None
    return None


# --------------------------------------------------------------------------- serious reactions

# the heading alone on its line (a cross-reference 「…重大な副作用」の項参照 is not one)
_SERIOUS_HEAD = re.compile(r"^\s*(?:\d+\)|\(\d+\)|\d+\.\d+)?\s*重大な(?:副作用|不具合)\s*(?:注\d+\))?\s*$")
_OTHER_HEAD = re.compile(r"^\s*(?:\d+\)|\(\d+\)|\d+\.\d+)?\s*その他の(?:副作用|不具合)")
_ITEM = re.compile(r"^\s*(?:\(\d{1,2}\)|\d{1,2}\)|\d{1,2}\.\d{1,2}\.\d{1,2})\s*")
_TERM_FREQ = re.compile(r"([^、。:()]+?)\((\d+(?:\.\d+)?)%\)")
_SEVERITY = re.compile(r"重度の|重篤な|重症の|Grade\s*\d")


def read_serious_reactions(ctx: Ctx) -> None:
    for i, ln in enumerate(ctx.lines):
        if _SERIOUS_HEAD.match(ln.text):
            for item in _serious_items(ctx.lines[i + 1:]):
                _serious_item(ctx, Para.of(item))


def _serious_items(lines: list[Line]) -> list[list[Line]]:
    items: list[list[Line]] = []
    for ln in lines:
        if _OTHER_HEAD.match(ln.text) or _BRACKET.match(ln.text):
            break
        if _ITEM.match(ln.text):
            items.append([ln])
        elif ln.blank:
            continue
        elif items:
            items[-1].append(ln)
        else:
            break
    return items


def _serious_item(ctx: Ctx, p: Para) -> None:
    """``(1) term(81.9%)、term2(頻度不明):description with term3(2.5%)…``."""
    lead = _ITEM.match(p.text)
    start = lead.end() if lead else 0
    colon = p.text.find(":", start)
    head_end = colon if colon >= 0 else len(p.text)
    label_study = Mention(f"{ctx.product.text} 添付文書", ctx.lang, "study")
    for m in _TERM_FREQ.finditer(p.text, start):
        term = m.group(1)
        if m.start() < head_end:
            term = term.lstrip("、 ")
        else:
            term = term.split("、")[-1].strip()
            sentence_start = max(p.text.rfind("。", 0, m.start()) + 1, head_end)
            if _SEVERITY.search(p.text, sentence_start, m.start(2)):
                # a severity word before it: the percentage may count only severe cases
                ctx.warn("content-skipped", f"serious reaction {term!r}: frequency under a severity qualifier, not recorded",
                         p.span(m.start(), m.end()))
                continue
        if not term or len(term) > 40:
            continue
        ctx.facts.append(AdverseEventIncidence(
            study=label_study, concept=Mention(term, ctx.lang, "concept"),
            ref=ctx.span_ref(p.span(m.start(), m.end())), grade_scope="all",
            percent=Decimal(m.group(2)), product=ctx.product))


# --------------------------------------------------------------------------- studies

_STUDY_HEADER = re.compile(r"((?:国際共同|国内|海外)?第([IVX]+(?:/[IVX]+)?)相試験)\s*\(([^()]*試験[^()]*)\)")
_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{3,}$")
_FIELD = re.compile(r"^\s*((?:\S\s*){2,8}?)\s*:\s*(.*)$")
_FIELDS = ("目的", "試験デザイン", "対象", "主要評価項目", "副次評価項目")


def find_studies(ctx: Ctx) -> list[tuple[StudyFact, str]]:
    """``(StudyFact, descriptor)`` per study header ``…第II相試験(CODE試験/NAME試験)``, most
    often named first; the descriptor (``国際共同第II相試験``) is how the label refers to the
    study. A study named several times gathers its aliases and summary fields from all."""
    headers = list(_STUDY_HEADER.finditer(ctx.doc.text))
    seen: dict[str, list[re.Match[str]]] = {}
    for m in headers:
        names = [re.sub(r"\s+", "", n).removesuffix("試験") for n in m.group(3).split("/")]
        ids = [n for n in names if _CODE.match(n)]
        if ids:
            seen.setdefault(ids[0], []).append(m)
    out: list[tuple[StudyFact, str]] = []
    for code, matches in sorted(seen.items(), key=lambda kv: -len(kv[1])):
        names = [re.sub(r"\s+", "", n).removesuffix("試験") for m in matches for n in m.group(3).split("/")]
        ids = tuple(dict.fromkeys(n for n in names if _CODE.match(n)))
        aliases = tuple(dict.fromkeys(n for n in names if n and not _CODE.match(n)))
        fields: dict[str, str] = {}
        for m in matches:
            nxt = next((h.start() for h in headers if h.start() > m.start()), len(ctx.doc.text))
            for label, value in _study_fields(ctx, m.end(), nxt).items():
                fields.setdefault(label, value)
        first = matches[0]
        study = StudyFact(
            identifiers=ids, ref=ctx.doc.ref(first.start(), first.end()), aliases=aliases,
            phase=first.group(2), enrollment=_enrolled(fields.get("対象")),
            design=fields.get("試験デザイン"),
            primary_endpoints=tuple(_endpoints(fields.get("主要評価項目"))),
            secondary_endpoints=tuple(_endpoints(fields.get("副次評価項目"))))
        out.append((study, first.group(1)))
    return out


def _study_fields(ctx: Ctx, after: int, limit: int) -> dict[str, str]:
    """``label:value`` lines between a study header and the next one; a value runs on to the
    next label line."""
    fields: dict[str, list[Line]] = {}
    current: list[Line] | None = None
    label: str | None = None
    for ln in ctx.lines:
        if ln.start < after or ln.blank:
            continue
        if ln.start >= limit or _BRACKET.match(ln.text):
            break
        m = _FIELD.match(ln.text)
        if m:
            label = re.sub(r"\s+", "", m.group(1))
            current = None
            if label in _FIELDS and label not in fields:
                current = fields[label] = [Line(ln.start + m.start(2), ln.end, m.group(2), ln.final)]
        elif current is not None and len(current) < 8 and continues(current[-1], ln) \
                and not (label in ("主要評価項目", "副次評価項目") and "。" in ln.text):
            current.append(ln)
        else:
            current = None
    return {k: Para.of(v).text for k, v in fields.items()}


def _enrolled(text: str | None) -> int | None:
    m = re.search(r"(\d+)例\(登録時", text or "") or re.search(r"登録(?:例|症例|患者)(?:数)?\D{0,3}(\d+)例", text or "")
    return int(m.group(1)) if m else None


def _endpoints(text: str | None) -> list[str]:
    return [e for e in (strip_marks(x) for x in split_top(text or "")) if e]


# --------------------------------------------------------------------------- reaction overview

_OVERVIEW = re.compile(r"((?:国際共同|国内|海外)?第[IVX]+(?:/[IVX]+)?相試験)(?:\(([^()]*)\))?において、[^。]*?(\d+)例"
                       r"(?:\([^()]*\))?中(\d+)例\(([\d.]+)%\)に副作用")
_MAIN = re.compile(r"主な副作用は、(.*?)等であった")


def read_reaction_overview(ctx: Ctx, studies: list[tuple[StudyFact, str]]) -> None:
    """``…第II相試験において、本品が投与されたN例…中M例(x%)に副作用…主な副作用は、A(x%)、…`` ->
    incidences for that study (only when the document names the study's code)."""
    by_descriptor: dict[str, list[StudyFact]] = {}
    for study, descriptor in studies:
        by_descriptor.setdefault(descriptor, []).append(study)
    for para in paragraphs(ctx.lines):
        p = Para.of(para)
        for m in _OVERVIEW.finditer(p.text):
            named = [re.sub(r"\s+", "", n).removesuffix("試験") for n in (m.group(2) or "").split("/")]
            match = ([s for s, _ in studies if set(named) & set(s.identifiers)]
                     or by_descriptor.get(m.group(1), []))
            if len(match) != 1:
                ctx.warn("study-unattributed", f"adverse reactions of {m.group(1)}: study not identified by code in this "
                         "document, not recorded", p.span(m.start(), m.end()))
                continue
            study = Mention(match[0].identifiers[0], ctx.lang, "study")
            denominator = int(m.group(3))
            main = _MAIN.search(p.text, m.end())
            if not main:
                continue
            for t in _TERM_FREQ.finditer(p.text, main.start(1), main.end(1)):
                term = t.group(1).lstrip("、 ")
                ctx.facts.append(AdverseEventIncidence(
                    study=study, concept=Mention(term, ctx.lang, "concept"),
                    ref=ctx.span_ref(p.span(t.start(), t.end())), grade_scope="all",
                    percent=Decimal(t.group(2)), denominator=denominator, product=ctx.product))


# --------------------------------------------------------------------------- efficacy

_ENDPOINT = r"(ORR|CRR|PFS|OS|DOR|TTR|TTP|CR率|奏効率)"
_VALUE = r"(\d+(?:\.\d+)?)(%|ヵ月|カ月|か月)"
_CI = r"\(95%CI:\s*([\d.]+)\s*-\s*([\d.]+|NE)\)"
# …目標用量が<arm>投与の<population>における<endpoint>は<value>(95%CI:<lo>-<hi>)
_RESULT_A = re.compile(r"が([^、。]{2,30}?)投与の([^、。]{2,20}?)における" + _ENDPOINT + r"(?:中央値)?は" + _VALUE + _CI)
# <population>における<endpoint>中央値は、…が<arm>投与で<value>(95%CI:…)、<arm2>投与で…
_RESULT_B = re.compile(r"([^、。]{2,20}?)における" + _ENDPOINT + r"中央値は、")
# the spread of a median (範囲:0.5-8.8) is not a confidence interval: read past it, keep no bound
_SPREAD = r"\(範囲:\s*[\d.]+\s*-\s*[\d.]+\)"
_ARM_VALUE = re.compile(r"(?:が|、)([^、。]{2,30}?)投与で" + _VALUE + r"(?:" + _CI + "|" + _SPREAD + ")")
# が<arm1>、<arm2>投与の<population>における<endpoint>は<v1>(CI)、<v2>(CI)、<endpoint2>は<v1>、<v2>:
# values given "respectively", in the order of the arms
_RESULT_LIST = re.compile(r"が([^。が]{2,80}?、[^。が]{2,80}?)投与の([^、。]{2,20}?)における")
_LIST_CLAUSE = re.compile(r"、?" + _ENDPOINT + r"(?:中央値)?は((?:" + _VALUE + r"(?:" + _CI + r")?、?)+)")
_LIST_VALUE = re.compile(_VALUE + r"(?:" + _CI + r")?")
# 同様に、<endpoint>は<value>(95%CI:…): same arm as the result before it in the paragraph
_RESULT_SAME = re.compile(r"同様に、" + _ENDPOINT + r"(?:中央値)?は" + _VALUE + _CI)
_POPULATION = re.compile(r"(日本人患者|外国人患者|全体|全患者)")
_UNITS = {"%": "%", "ヵ月": "months", "カ月": "months", "か月": "months"}
_CUTOFF = re.compile(r"データカットオフ日?\s*:\s*(\S+)")


def read_efficacy(ctx: Ctx, studies: list[tuple[StudyFact, str]]) -> None:
    """Result sentences of a brochure that describes one study; the data cut-off is the one
    printed next after the sentence (brochure pages close with it)."""
    study = _main_study(ctx, studies)
    if study is None:
        if studies:
            ctx.warn("study-unattributed", "no study is the document's main one: result sentences not attributed")
        return
    for para in paragraphs(ctx.lines):
        p = Para.of(para)
        for m in _RESULT_A.finditer(p.text):
            arm = _arm(m.group(2), m.group(1))
            _result(ctx, study, p, m.start(), m.end(), m.group(3), arm, *m.group(4, 5, 6, 7))
            same = _RESULT_SAME.search(p.text, m.end())
            nxt = _RESULT_A.search(p.text, m.end())
            if same and (nxt is None or same.start() < nxt.start()) and same.start() - m.end() < 200:
                _result(ctx, study, p, same.start(), same.end(), same.group(1), arm, *same.group(2, 3, 4, 5))
        for head in _RESULT_B.finditer(p.text):
            stop = p.text.find("。", head.end())
            stop = len(p.text) if stop < 0 else stop
            for v in _ARM_VALUE.finditer(p.text, head.end() - 1, stop):
                arm = _arm(head.group(1), v.group(1))
                _result(ctx, study, p, v.start(1), v.end(), head.group(2), arm, *v.group(2, 3, 4, 5))
        for head in _RESULT_LIST.finditer(p.text):
            _respective(ctx, study, p, head)
    read_median_tables(ctx, study)


def _respective(ctx: Ctx, study: Mention, p: Para, head: re.Match[str]) -> None:
    """``が<arm1>、<arm2>投与の<population>における<EP>は<v1>(CI)、<v2>(CI)、<EP2>は<v1>、<v2>``:
    the n-th value of each endpoint belongs to the n-th arm. Arms that are not doses (no number)
    make no such sentence. Every endpoint must give one value per arm; otherwise nothing of the
    sentence is read and an Issue says so."""
    doses = split_top(head.group(1))
    if not all(re.search(r"\d", d) for d in doses):
        return
    stop = p.text.find("。", head.end())
    stop = len(p.text) if stop < 0 else stop
    pos = head.end()
    clauses: list[tuple[str, list[re.Match[str]]]] = []
    while (clause := _LIST_CLAUSE.match(p.text, pos, stop)) is not None:
        values = list(_LIST_VALUE.finditer(p.text, clause.start(2), clause.end(2)))
        if len(values) != len(doses):
            ctx.warn("values-inconsistent", f"{clause.group(1)}: {len(values)} values for {len(doses)} arms, not read",
                     p.span(head.start(1), clause.end()))
            return
        clauses.append((clause.group(1), values))
        pos = clause.end()
    for endpoint, values in clauses:
        for dose, v in zip(doses, values):
            _result(ctx, study, p, head.start(1), v.end(), endpoint, _arm(head.group(2), dose), *v.group(1, 2, 3, 4))


# a table row of medians, one cell per arm: ``PFS中央値*、月(95%CI) 2.83(0.99-29.70) 5.78(4.21-8.94)``
_MEDIAN_ROW = re.compile(r"^\s*(TTR|DOR|PFS|OS|TTP)中央値(?:\*\d*)?、?\s*(?:月|ヵ月|カ月|か月)\s*"
                         r"\((95%CI|範囲)\)((?:\s+(?:\d+(?:\.\d+)?|NE)\s*\([\d.]+\s*-\s*(?:[\d.]+|NE)\))+)\s*$")
_MEDIAN_CELL = re.compile(r"(\d+(?:\.\d+)?|NE)\s*\(([\d.]+)\s*-\s*([\d.]+|NE)\)")
_DOSE_LABEL = re.compile(r"\d[\d.,]*(?:\s*~\s*\d[\d.,]*)?\s*(?:×\s*10\^\d{1,2}\s*)?(?:個|mg/m2|mg/kg|mg|μg)")


def read_median_tables(ctx: Ctx, study: Mention) -> None:
    """Result tables with one column per dose arm (``label (n=N)`` above the rows) and a row of
    medians ``<endpoint>中央値、月(95%CI)`` or ``…月(範囲)`` (a range is no CI). A table is read
    only when every arm above it is a dose and the row has one cell per arm; a cell a result
    sentence already gave (same endpoint, dose and value) is not repeated. The population is the
    one a nearby line names with the same endpoint (``外国人患者におけるPFS中央値は…``)."""
    stated = {(f.endpoint, (f.arm or "").split(" ")[-1], f.value) for f in ctx.facts
              if isinstance(f, EfficacyResult) and f.study == study}
    for i, ln in enumerate(ctx.lines):
        m = _MEDIAN_ROW.match(ln.text)
        if not m:
            continue
        arms = _arms_above(ctx.lines, i)
        doses = [re.sub(r"\s+", "", unflatten_power(label)) for label, _ in arms]
        cells = list(_MEDIAN_CELL.finditer(ln.text, ln.text.index(m.group(3))))
        if len(arms) < 2:
            continue  # one arm: the result sentence gives it, with its population
        if len(cells) != len(arms) or not all(_DOSE_LABEL.fullmatch(d) for d in doses):
            ctx.warn("table-unreadable", f"{m.group(1)} table: arms above it are not {len(cells)} doses, not read", (ln.start, ln.end))
            continue
        population = _population_near(ctx.lines, i, m.group(1))
        cutoff = _cutoff_near(ctx, i)
        for dose, c in zip(doses, cells):
            if c.group(1) == "NE" or (m.group(1), dose, Decimal(c.group(1))) in stated:
                continue  # not estimable: no value; or a sentence gave it already
            ci = m.group(2) == "95%CI"
            ctx.facts.append(EfficacyResult(
                study=study, endpoint=m.group(1), ref=ctx.span_ref((ln.start + m.start(1), ln.start + c.end())),
                value=Decimal(c.group(1)), unit="months",
                ci_lower=Decimal(c.group(2)) if ci else None,
                ci_upper=Decimal(c.group(3)) if ci and c.group(3) != "NE" else None,
                arm=f"{population} {dose}" if population else dose, data_cutoff=cutoff))


def _population_near(lines: list[Line], i: int, endpoint: str) -> str | None:
    """The population (外国人患者 / 日本人患者 …) named on the nearest line above, within a page's
    reach, that names the same endpoint; None when no such line names one."""
    for ln in reversed(lines[max(0, i - 60):i]):
        if re.search(rf"(?<![A-Za-z]){endpoint}(?![A-Za-z])", ln.text):
            pops = _POPULATION.findall(ln.text)
            if pops:
                return pops[0]
    return None


def _cutoff_near(ctx: Ctx, i: int) -> dt.date | None:
    """The data cut-off of a table: the notes around it (layout text prints them above or below
    the table). The nearest one above and the nearest one below must agree, else the date is
    not known and an Issue says so."""
    def date_of(ln: Line) -> dt.date | None:
        m = _CUTOFF.search(ln.text)
        dates = find_dates(m.group(1)) if m else []
        return dates[0][0] if dates else None

    above = next((d for ln in reversed(ctx.lines[max(0, i - 40):i]) if (d := date_of(ln))), None)
    below = next((d for ln in ctx.lines[i + 1:i + 40] if (d := date_of(ln))), None)
    if above and below and above != below:
        ctx.warn("values-inconsistent", "result table between two data cut-off dates: cut-off not recorded",
                 (ctx.lines[i].start, ctx.lines[i].end))
        return None
    return above or below


def _arm(population: str, dose: str) -> str:
    """``外国人患者 150~450×10^6個``: the population named, and the dose after its last ``が``."""
    pop = _POPULATION.findall(population)
    dose = re.sub(r"\s+", "", unflatten_power(dose.split("が")[-1]))
    return f"{pop[-1]} {dose}" if pop else dose


def _mentions(ctx: Ctx, study: StudyFact) -> int:
    return sum(ctx.doc.text.count(i) for i in study.identifiers)


def _result(ctx: Ctx, study: Mention, p: Para, s: int, e: int, endpoint: str, arm: str, value: str,
            unit: str, lo: str | None, hi: str | None) -> None:
    """One result; ``lo``/``hi`` are None when no confidence interval is given (an upper bound
    ``NE``, not estimable, is None too)."""
    span = p.span(s, e)
    ctx.facts.append(EfficacyResult(
        study=study, endpoint=endpoint, ref=ctx.span_ref(span), value=Decimal(value), unit=_UNITS[unit],
        ci_lower=Decimal(lo) if lo else None, ci_upper=None if hi in (None, "NE") else Decimal(hi), arm=arm,
        data_cutoff=_cutoff_after(ctx, span[1])))


def _cutoff_after(ctx: Ctx, offset: int) -> dt.date | None:
    m = _CUTOFF.search(ctx.doc.text, offset, min(len(ctx.doc.text), offset + 3000))
    if not m:
        return None
    dates = find_dates(m.group(1))
    return dates[0][0] if dates else None


# --------------------------------------------------------------------------- adverse-event tables

_GRADE_HEADER = re.compile(r"^\s*(?:(?:全Grade|All grades?)\s+Grade\s*(?:3/4|3-4|≥3|3以上)\s*){1,4}$", re.I)
_ARM_N = re.compile(r"([^\s()]*)\s*\(([^()]*?)、?\s*n=(\d+)\*?\)")
_CELL = r"(\d+)(?:\s*\(\s*(\d+(?:\.\d+)?)\s*\))?"
_TOTAL_ROW = re.compile(r"有害事象$")


def read_event_tables(ctx: Ctx, studies: list[tuple[StudyFact, str]]) -> None:
    """Tables headed ``全Grade Grade 3/4`` (once per arm), arms named above as ``label (n=N)``;
    rows ``term n(%) n(%) …``. Only the all-grade columns are read (``Grade 3/4`` is not ``≥3``)
    and a cell is kept only when n/N agrees with its percentage, so a misaligned run of cells
    gives nothing rather than a wrong number."""
    main = _main_study(ctx, studies)
    if main is None:
        return
    for i, ln in enumerate(ctx.lines):
        if not _GRADE_HEADER.match(ln.text):
            continue
        arms = _arms_above(ctx.lines, i)
        n_cols = len(re.findall(r"全Grade|All grade", ln.text, re.I)) * 2
        if len(arms) * 2 != n_cols:
            ctx.warn("table-unreadable", "adverse-event table: arms above the header do not match its columns",
                     (ln.start, ln.end))
            continue
        soc: Mention | None = None
        for row in ctx.lines[i + 1:i + 80]:
            if row.blank:
                continue
            cells = _row_cells(row.text, n_cols)
            if cells is None:
                break
            name = row.text[:cells[0][2]].strip()
            if is_soc(name):
                soc = Mention(name, ctx.lang, "concept")
            _event_row(ctx, main, row, cells, arms, None if soc is not None and name == soc.text else soc)


def _main_study(ctx: Ctx, studies: list[tuple[StudyFact, str]]) -> Mention | None:
    if not studies:
        return None
    if len(studies) > 1 and _mentions(ctx, studies[1][0]) >= _mentions(ctx, studies[0][0]):
        return None
    return Mention(studies[0][0].identifiers[0], ctx.lang, "study")


def _arms_above(lines: list[Line], i: int) -> list[tuple[str, int]]:
    """``(label, N)`` of the arms named in the dozen lines above a table header, in order."""
    arms: list[tuple[str, int]] = []
    previous = ""
    for ln in lines[max(0, i - 12):i]:
        for m in _ARM_N.finditer(ln.text):
            label = m.group(2) or m.group(1) or previous
            arms.append((label.strip(), int(m.group(3))))
        if ln.text.strip() and not _ARM_N.search(ln.text):
            previous = ln.text.strip()
    return arms


def _row_cells(text: str, n_cols: int) -> list[tuple[int, Decimal | None, int, int]] | None:
    """``(count, percent, start, end)`` of the last ``n_cols`` cells of a row, or None."""
    m = re.match(r"^\s*(\S.*?)((?:\s+" + _CELL + r"){" + str(n_cols) + r"})\s*$", text)
    if not m:
        return None
    out = []
    for c in re.finditer(_CELL, m.group(2)):
        base = m.start(2)
        out.append((int(c.group(1)), Decimal(c.group(2)) if c.group(2) else None,
                    base + c.start(), base + c.end()))
    return out if len(out) == n_cols else None


def _event_row(ctx: Ctx, study: Mention, row: Line, cells: list[tuple[int, Decimal | None, int, int]],
               arms: list[tuple[str, int]], soc: Mention | None = None) -> None:
    """One all-grade incidence per arm; ``soc`` is the SOC row the term is under (an SOC row
    itself is kept with its own totals, the SOC as its concept and no ``soc``)."""
    name = row.text[:cells[0][2]].strip()
    if not name or _TOTAL_ROW.search(name) or re.search(r"\d", name):
        return
    for k, (arm, n) in enumerate(arms):
        count, pct, s, _ = cells[2 * k]
        if pct is not None and abs(Decimal(count) * 100 / n - pct) > Decimal("0.1"):
            ctx.warn("values-inconsistent", f"adverse-event row {name!r}: {count}/{n} does not give {pct}%, not recorded",
                     (row.start, row.end))
            continue
        e = cells[2 * k][3]
        ctx.facts.append(AdverseEventIncidence(
            study=study, concept=Mention(name, ctx.lang, "concept"),
            ref=ctx.span_ref((row.start + row.text.find(name), row.start + e)), arm=arm, grade_scope="all",
            patient_count=count, percent=pct, denominator=n, product=ctx.product, soc=soc))


# --------------------------------------------------------------------------- patient flow

_FLOW_CAPTION = re.compile(r"^\s*(?:■\s*)?(?:患者フロー|患者の内訳|症例の内訳|被験者の内訳|"
                           r"Patient\s+(?:flow|disposition))\s*$", re.I)
_N_ONLY = re.compile(r"^\s*\(n\s*=\s*(\d+)(?:\*\d*)?\)\s*$")
_N_INLINE = re.compile(r"^\s*(\S[^()]{0,38}?(?:\([^()]{1,30}\))?)\s*\(n\s*=\s*(\d+)(?:\*\d*)?\)\s*$")
_REASON = re.compile(r"^\s*[・•]")
_FLOW_ARM = re.compile(r"^\s*(日本人患者|外国人患者|全体|全患者|日本人集団|外国人集団)\s*$")
_MARK = re.compile(r"\s*\*\d*\s*$")


def read_patient_flow(ctx: Ctx, studies: list[tuple[StudyFact, str]]) -> None:
    """The patient-flow chart of a brochure's main study (caption 患者フロー / 患者の内訳 …):
    boxes ``label (n=N)``, on one line or with ``(n=N)`` on the line below the label, under
    population headers (日本人患者 / 外国人患者) when the chart has several. The chart is the run
    of such lines next to its caption (layout text may print the caption after the chart).
    Reason lines (``・死亡(n=2)``) break a stage down and are not stages themselves."""
    main = _main_study(ctx, studies)
    if main is None:
        return
    for i, ln in enumerate(ctx.lines):
        if not _FLOW_CAPTION.match(ln.text):
            continue
        run = _flow_run(ctx.lines, i, -1) or _flow_run(ctx.lines, i, 1)
        if not run:
            ctx.warn("table-unreadable", "patient-flow caption without counts next to it", (ln.start, ln.end))
            continue
        _flow_counts(ctx, main, run)


def _flow_run(lines: list[Line], caption: int, step: int) -> list[Line]:
    """The chart's lines, in reading order, walking from the caption in direction ``step``
    while lines look like chart boxes; empty when no count is among them."""
    run: list[Line] = []
    k = caption + step
    while 0 <= k < len(lines) and _flow_line(lines, k):
        run.append(lines[k])
        k += step
    if step < 0:
        run.reverse()
    return run if any(_N_ONLY.match(x.text) or _N_INLINE.match(x.text) for x in run) else []


def _flow_line(lines: list[Line], k: int) -> bool:
    text = lines[k].text
    if lines[k].blank or _N_ONLY.match(text) or _N_INLINE.match(text) or _FLOW_ARM.match(text):
        return True
    if _REASON.match(text):
        return bool(re.search(r"\(n\s*=\s*\d+", text))
    return _label_of_count(lines, k)


def _label_of_count(lines: list[Line], k: int) -> bool:
    """A short line (no sentence) whose next non-blank line is a lone ``(n=N)``."""
    body = lines[k].text.strip()
    if len(body) > 40 or "。" in body:
        return False
    nxt = next((x for x in lines[k + 1:k + 4] if not x.blank), None)
    return nxt is not None and bool(_N_ONLY.match(nxt.text))


def _flow_counts(ctx: Ctx, study: Mention, run: list[Line]) -> None:
    arm: str | None = None
    label: Line | None = None
    for ln in run:
        if ln.blank or _REASON.match(ln.text):
            continue
        if m := _FLOW_ARM.match(ln.text):
            arm, label = m.group(1), None
        elif m := _N_ONLY.match(ln.text):
            if label is None:
                ctx.warn("row-unreadable", "patient-flow count without a stage label above it", (ln.start, ln.end))
                continue
            _flow_fact(ctx, study, label.text, int(m.group(1)), arm, (label.start, ln.end))
            label = None
        elif m := _N_INLINE.match(ln.text):
            _flow_fact(ctx, study, m.group(1), int(m.group(2)), arm, (ln.start, ln.start + len(ln.text.rstrip())))
            label = None
        else:
            label = ln


def _flow_fact(ctx: Ctx, study: Mention, label: str, count: int, arm: str | None,
               span: tuple[int, int]) -> None:
    stage = _MARK.sub("", label.strip())  # a footnote mark (試験継続中*4) is not part of the stage
    if not stage:
        return
    ctx.facts.append(PatientFlowCount(study=study, stage=stage, count=count, ref=ctx.span_ref(span), arm=arm))
