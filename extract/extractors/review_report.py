"""PMDA review reports (審査報告書 / Review Report), English and Japanese.

A review report is three documents in one: the deliberation results (審議結果報告書), the
review report proper (審査報告書, header fields then the results of review) and its
attachments, Review Report (1) (sections 1-9, ``N.R`` review subsections, clinical studies)
and Review Report (2) (expert discussion, risk management plan (draft), overall evaluation
with the final indications, dosage, conditions, warnings and contraindications).

Everything here keys on that shared structure: the header labels, the numbered lists under
the final headings, table captions and their column headers (``N = x``, grade columns, dose
and day), the ``Study <code> [Study <alias>]`` naming scheme and the abbreviation list. The
English reader lives in this module, the Japanese one in ``review_report_ja``; the readers
both use (numbered lists, adverse-event and PK tables, the RMP (draft) bullet tables, study
index) live here. ``read_header`` gives the document-level facts the model has no slot for.

Text fields of facts are the evidence lines joined (``join_lines``); ``ref`` spans the exact
source text. When a flattened table cannot be read unambiguously the rows are skipped and an
``Issue`` is recorded instead (a wrong fact is worse than a missing one).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from extract.model import (Activity, AdverseEventIncidence, ApprovalCondition, DocumentInfo,
                           Document, DoseModificationRule, DosageRegimen, EfficacyResult,
                           ExtractionResult, Fact, Indication, Lang, Mention,
                           PkParameter, ProductFact, SafetyConcern, StudyFact, UseRequirement)
from extract.normalize import values
from extract.normalize.dosage import parse_dosage, regimen_fact
from extract.readers.context import ExtractContext
from extract.normalize.text import join_lines
from extract.readers.lines import Line, iter_lines, span_text, trim_span

# --------------------------------------------------------------------------- shared helpers


@dataclass(frozen=True, slots=True)
class HeaderField:
    """A header label (``Brand Name``, ``販売名``) and its value span as printed."""

    label: str
    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ReviewHeader:
    """The document-level facts of a review report (its header fields).

    ``document_info`` puts them into the result's ``DocumentInfo``; the re-examination period
    goes to ``ProductFact.reexamination_years``."""

    report_date: dt.date | None = None
    application_date: dt.date | None = None
    deliberation_date: dt.date | None = None
    application_classification: str | None = None
    special_mention: str | None = None
    orphan_designation: bool = False
    reviewing_office: str | None = None
    reexamination_years: int | None = None

    def document_info(self, title: str | None, product: ProductFact | None) -> DocumentInfo:
        """The ``DocumentInfo`` of the report: its date and the application's header fields."""
        return DocumentInfo(
            title=title, issued=self.report_date, products=(product.product,) if product else (),
            ref=product.ref if product else None, application_date=self.application_date,
            deliberation_date=self.deliberation_date,
            application_classification=self.application_classification,
            special_mention=self.special_mention, orphan_designation=self.orphan_designation,
            reviewing_office=self.reviewing_office)


@dataclass(frozen=True, slots=True)
class Item:
    """One item of a numbered list: its number, first line and the whole span."""

    number: int
    head: str
    start: int
    end: int
    body_start: int  # start of the second line (== end when the item is one line)


_NUMBERED = re.compile(r"^\s*(\d{1,2})[.)．]\s*(\S.*)$")


def numbered_items(doc: Document, start: int, stop: re.Pattern[str],
                   number: re.Pattern[str] = _NUMBERED) -> list[Item]:
    """The numbered list that begins after ``start`` (the heading line's end).

    Items must be numbered 1, 2, 3 … in order; a line matching ``stop`` (the next heading)
    ends the list, so does a number out of sequence. Blank lines inside an item are allowed
    because layout text breaks wrapped items with them."""
    items: list[Item] = []
    for line in iter_lines(doc.text, start):
        s = line.stripped
        if not s or s.isdigit():  # blank, or a page number
            continue
        m = number.match(line.text)
        if m and int(m.group(1)) == len(items) + 1:
            a, e = trim_span(doc.text, line.start, line.end)
            items.append(Item(len(items) + 1, m.group(2).strip(), a, e, e))
        elif stop.match(s) or not items:
            break
        else:  # continuation line of the current item
            it = items[-1]
            indent = len(line.text) - len(line.text.lstrip())
            body = it.body_start if it.body_start < it.end else line.start + indent
            end = trim_span(doc.text, line.start, line.end)[1]
            items[-1] = Item(it.number, it.head, it.start, end, body)
    return items


def paragraph_after(doc: Document, start: int, stop: re.Pattern[str]) -> tuple[int, int] | None:
    """The unnumbered paragraph right after a heading (ends at a blank line or a heading)."""
    first = last = None
    for line in iter_lines(doc.text, start):
        s = line.stripped
        if not s:
            if first is not None:
                break
            continue
        if stop.match(s) or _NUMBERED.match(line.text):
            break
        if first is None:
            first = line.start + len(line.text) - len(line.text.lstrip())
        last = trim_span(doc.text, line.start, line.end)[1]
    return (first, last) if first is not None and last is not None else None


def last_heading(doc: Document, pattern: re.Pattern[str]) -> Line | None:
    """The last line whose stripped text matches ``pattern``: the final version of a list
    (Review Report (2) restates, and may change, what the header proposed)."""
    found: Line | None = None
    for line in iter_lines(doc.text):
        if pattern.match(line.stripped):
            found = line
    return found


def _num(s: str) -> Decimal | None:
    return values.parse_number(s)


def dedupe(facts: list[Fact]) -> list[Fact]:
    """Drop facts equal to an earlier one in everything but provenance (the same table is
    printed in Review Report (1), (2) and the final labelling)."""
    seen: set[tuple[object, ...]] = set()
    out: list[Fact] = []
    for f in facts:
        skip = ("ref", "text") if isinstance(f, DoseModificationRule) else ("ref",)
        key = (type(f).__name__,) + tuple(getattr(f, n) for n in f.__slots__  # type: ignore[union-attr]
                                          if n not in skip)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


STUDY_CODE = re.compile(r"\b(?:NCT\d{8}|(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]+(?:-[A-Z0-9]+){2,})\b")


# --------------------------------------------------------------------------- English: header

_EN_LABELS = ("Brand Name", "Non-proprietary Name", "Applicant", "Date of Application",
              "Dosage Form/Strength", "Application Classification",
              "Items Warranting Special Mention", "Reviewing Office")
_EN_LABEL = re.compile(r"^\s*(" + "|".join(re.escape(x) for x in _EN_LABELS) + r")(?=[ \t]|$)[ \t]*(.*)$")
_EN_MULTILINE = {"Application Classification", "Items Warranting Special Mention",
                 "Dosage Form/Strength"}
_EN_HEADING = re.compile(
    r"^(Indications|Dosage and [Aa]dministration|Conditions of [Aa]pproval|Warnings?|"
    r"Contraindications|Precautions for .*|Results of (Review|Deliberation)|Review Report.*|"
    r"Attachment|Proposed .*|Product Submitted for Approval|List of Abbreviations|"
    r"Efficacy specification.*|Table \d+\..*)(\s*\(.*\))?\s*$")


def en_header_fields(doc: Document) -> dict[str, HeaderField]:
    """First occurrence of each header label (the deliberation results come first)."""
    out: dict[str, HeaderField] = {}
    lines = list(iter_lines(doc.text))
    for i, line in enumerate(lines):
        m = _EN_LABEL.match(line.text)
        if not m or m.group(1) in out:
            continue
        label = m.group(1)
        start = line.start + m.start(2)
        end = line.start + m.end(2)
        if label in _EN_MULTILINE:
            for nxt in lines[i + 1:i + 6]:
                s = nxt.stripped
                if _EN_LABEL.match(nxt.text) or _EN_HEADING.match(s):
                    break
                if s:
                    end = nxt.end
        start, end = trim_span(doc.text, start, end)
        if end > start:
            out[label] = HeaderField(label, span_text(doc, start, end), start, end)
    return out


_EN_DATE_LINE = re.compile(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$")


def _date_after(doc: Document, heading: re.Pattern[str], date_line: re.Pattern[str]) -> dt.date | None:
    """The date printed on its own line within a few lines after the first ``heading`` line."""
    lines = list(iter_lines(doc.text))
    for i, line in enumerate(lines):
        if heading.match(line.stripped):
            for nxt in lines[i + 1:i + 8]:
                if date_line.match(nxt.stripped):
                    return values.parse_date(nxt.stripped)
            return None
    return None


def read_header(doc: Document) -> ReviewHeader:
    """The document-level facts of an English report (dates, classification, orphan status,
    office, period); ``review_report_ja.read_header_ja`` reads the Japanese one."""
    f = en_header_fields(doc)
    meeting = re.search(r"meeting held on ([A-Z][a-z]+ \d{1,2},\s+\d{4})", doc.text)
    years = re.search(r"re-examination period\b[^.]{0,40}?\b(?:is|be)\s+(\d+)\s+years", doc.text)
    special = f.get("Items Warranting Special Mention")
    return ReviewHeader(
        report_date=_date_after(doc, re.compile(r"^Review Report$"), _EN_DATE_LINE),
        application_date=values.parse_date(f["Date of Application"].value)
        if "Date of Application" in f else None,
        deliberation_date=values.parse_date(meeting.group(1)) if meeting else None,
        application_classification=f["Application Classification"].value
        if "Application Classification" in f else None,
        special_mention=special.value if special else None,
        orphan_designation=bool(special and re.search(r"\borphan drug\b", special.value, re.I)),
        reviewing_office=f["Reviewing Office"].value if "Reviewing Office" in f else None,
        reexamination_years=int(years.group(1)) if years else None,
    )


# --------------------------------------------------------------------------- English: facts


def _split_names(value: str) -> list[str]:
    """``Yakujin Tablets 10 mg, Yakujin Tablets 20 mg`` → both; ``X Tablets 10 mg, 20 mg``
    → ``X Tablets 20 mg`` for the second (a bare strength shares the first name's stem)."""
    parts = [n.strip() for n in re.split(r",\s+", value) if n.strip()]
    if not parts:
        return []
    stem = re.sub(r"\s*\d[\d.,]*\s*(?:mg|g|mL|μg|µg|%).*$", "", parts[0])
    out: list[str] = []
    for p in parts:
        if out and p[0].isdigit() and stem != parts[0]:
            p = f"{stem} {p}"
        elif out and not p[0].isupper():
            out[-1] += ", " + p
            continue
        out.append(p)
    return out


def _en_product(doc: Document, header: ReviewHeader, ctx: ExtractContext) -> ProductFact | None:
    f = en_header_fields(doc)
    if "Brand Name" not in f:
        ctx.issue("error", "not-this-kind", "no Brand Name field: not a review report or a partial one")
        return None
    brand = f["Brand Name"]
    names = _split_names(brand.value)
    product = Mention(names[0], "en", "product")
    substances: tuple[Mention, ...] = ()
    if "Non-proprietary Name" in f:
        name = re.sub(r"\s*\((?:JAN|INN)\*?\)\s*$", "", f["Non-proprietary Name"].value).strip()
        substances = (Mention(name, "en", "substance"),)
    holder = Mention(f["Applicant"].value, "en", "organization") if "Applicant" in f else None
    return ProductFact(product=product, ref=doc.ref(brand.start, brand.end), names=tuple(names),
                       substances=substances, holder=holder,
                       reexamination_years=header.reexamination_years)


_IND_EN = re.compile(r"^Indications(\s*\(.*\))?$")
_DOSE_HEAD_EN = re.compile(r"^Dosage and [Aa]dministration(\s*\(.*\))?$")
_COND_EN = re.compile(r"^Conditions of [Aa]pproval(\s*\(.*\))?$")
_WARN_EN = re.compile(r"^Warnings?(\s*\(.*\))?$")
_CONTRA_EN = re.compile(r"^Contraindications(\s*\(.*\))?$")


def _en_indications(doc: Document, product: Mention, ctx: ExtractContext) -> list[Indication]:
    head = last_heading(doc, _IND_EN)
    if head is None:
        ctx.issue("warning", "section-missing", "no final Indications list (review report (1) only?)")
        return []
    items = numbered_items(doc, head.end, _EN_HEADING)
    para = paragraph_after(doc, head.end, _EN_HEADING) if not items else None
    if para:  # a single, unnumbered indication
        text = span_text(doc, *para)
        return [Indication(product, text, doc.ref(*para), Mention(text, "en", "concept"))]
    out = []
    for it in items:
        text = span_text(doc, it.start, it.end)
        text = re.sub(r"^\d+\.\s*", "", text)
        m = re.match(r"\d+\.\s*", doc.text[it.start:it.end])
        start = it.start + (m.end() if m else 0)
        out.append(Indication(product, text, doc.ref(start, it.end),
                              Mention(text, "en", "concept")))
    return out


def _regimen(doc: Document, product: Mention, indication: str | None, start: int, end: int,
             lang: Lang) -> DosageRegimen | None:
    """The first regimen of a dosage paragraph that gives a dose, a route and a frequency
    (``25 mg of <substance> administered orally once daily for 21 days, followed by a 7-day
    withdrawal period``), read by the one dosage parser; None when there is none."""
    dosage = parse_dosage(doc.text[start:end], lang)
    if not dosage.regimens:
        return None
    return regimen_fact(dosage.regimens[0], dosage, product, lang, doc.ref(start, end),
                        span_text(doc, start, end), indication=indication)


def _match_indication(title: str, indications: list[Indication]) -> str | None:
    t = title.strip().lower()
    for ind in indications:
        if ind.text.lower() == t:
            return ind.text
    for ind in indications:  # a narrower population named in a caption -> its indication
        if ind.text.lower() in t:
            return ind.text
    hits = [ind.text for ind in indications if t and t in ind.text.lower()]  # 〈…〉 short names
    return hits[0] if len(hits) == 1 else None


def _en_dosage(doc: Document, product: Mention, indications: list[Indication],
               ctx: ExtractContext) -> list[DosageRegimen]:
    head = last_heading(doc, _DOSE_HEAD_EN)
    if head is None:
        return []
    items = numbered_items(doc, head.end, _EN_HEADING)
    para = paragraph_after(doc, head.end, _EN_HEADING) if not items else None
    if para:  # one regimen for the only indication
        reg = _regimen(doc, product, indications[0].text if len(indications) == 1 else None, *para, "en")
        if reg is None or reg.indication is None:
            ctx.issue("warning", "dosage-unparsed", "dosage paragraph not understood", doc.ref(*para))
            return []
        return [reg]
    out = []
    for it in items:
        ind = _match_indication(it.head, indications)
        reg = _regimen(doc, product, ind, it.body_start, it.end, "en")
        if reg is None or ind is None:
            ctx.issue("warning", "dosage-unparsed", "dosage paragraph not understood",
                                doc.ref(it.start, it.end))
            continue
        out.append(reg)
    return out


def _en_listed(doc: Document, pattern: re.Pattern[str]) -> list[tuple[str, int, int]]:
    """(text, start, end) of each item of the last list under ``pattern``."""
    head = last_heading(doc, pattern)
    if head is None:
        return []
    out = []
    for it in numbered_items(doc, head.end, _EN_HEADING):
        m = re.match(r"\d+\.\s*", doc.text[it.start:it.end])
        start = it.start + (m.end() if m else 0)
        out.append((span_text(doc, start, it.end), start, it.end))
    return out


# ---- studies

_ABBR_STUDY = re.compile(r"^Stud(?:y|ies) (?P<alias>[A-Z0-9][A-Za-z0-9/-]*) Stud(?:y|ies) (?P<ids>.+)$")
_INLINE_STUDY = re.compile(r"Study\s+(?P<id>" + STUDY_CODE.pattern + r")\s+[\[(]Study\s+"
                           r"(?P<alias>[A-Z0-9][A-Za-z0-9/-]*)[\])]")
_STUDY_NAME = r"(?P<name>[A-Z0-9][A-Za-z0-9/-]*[A-Za-z0-9])"
_PHASE_EN = re.compile(r"(?P<region>Japanese|[Ff]oreign|[Gg]lobal|[Mm]ultinational|[Oo]verseas)?\s*"
                       r"phase (?P<phase>I/II|II/III|III|II|I) study \((?:CTD [\d.]+,\s*)?Study "
                       + _STUDY_NAME)
_SUBSECTION = re.compile(r"^(?P<num>\d+(?:\.[\dR]+)+)\s+(?P<title>[A-Z].*)$")
_EVAL_STUDY_EN = re.compile(r"phase (?P<phase>I/II|II/III|III|II|I) study \((?:CTD [\d.]+,\s*)?"
                            r"Study " + _STUDY_NAME)


@dataclass(frozen=True, slots=True)
class StudyInfo:
    """What a per-study section says: phase, design, enrolment, data cut-off."""

    name: str
    start: int
    end: int
    phase: str | None = None
    design: str | None = None
    enrollment: int | None = None
    cutoff: dt.date | None = None
    region: str | None = None
    primary_endpoint: str | None = None


class StudyIndex:
    """Alias → identifier map built from the abbreviation list and ``Study X [Study Y]``."""

    def __init__(self) -> None:
        self.ids: dict[str, list[str]] = {}  # identifier -> aliases
        self.alias: dict[str, str] = {}
        self.first: dict[str, int] = {}

    def add(self, ident: str, alias: str | None, where: int) -> None:
        aliases = self.ids.setdefault(ident, [])
        self.first.setdefault(ident, where)
        if alias:
            for a in (alias, re.sub(r"^Study\s+", "", alias)):
                if a not in aliases:
                    aliases.append(a)
                self.alias.setdefault(a, ident)

    def resolve(self, name: str) -> str:
        """The identifier for an alias or code (as written when unknown); Japanese aliases
        match with or without 試験 (``201`` and ``201試験``)."""
        name = re.sub(r"^Stud(?:y|ies)\s+", "", name.strip())
        for cand in (name, name + "試験", name.removesuffix("試験")):
            if cand in self.ids:
                return cand
            if cand in self.alias:
                return self.alias[cand]
        return name

    def mention(self, name: str, lang: Lang) -> Mention:
        return Mention(self.resolve(name), lang, "study")


def _en_study_index(doc: Document, ctx: ExtractContext) -> StudyIndex:
    idx = StudyIndex()
    for line in iter_lines(doc.text):
        m = _ABBR_STUDY.match(line.stripped)
        if not m:
            continue
        ids = STUDY_CODE.findall(m.group("ids"))
        if len(ids) == 1:
            idx.add(ids[0], f"Study {m.group('alias')}", line.start)
        elif ids:
            ctx.issue("warning", "reference-ambiguous", f"abbreviation Study {m.group('alias')} names "
                                f"{len(ids)} studies; alias not linked", doc.ref(line.start, line.end))
            for i in ids:
                idx.add(i, None, line.start)
    for m in _INLINE_STUDY.finditer(doc.text):
        idx.add(m.group("id"), f"Study {m.group('alias')}", m.start())
    for code, start in family_codes(doc.text, list(idx.ids)):
        idx.add(code, None, start)
    return idx


_CODE_RUN = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[ \t]*\n?[ \t]*[A-Z0-9]+){2,}\b")


def _family(code: str) -> str:
    return code.rsplit("-", 2)[0] + "-"


def family_codes(text: str, known: list[str]) -> list[tuple[str, int]]:
    """Codes of the sponsor's other studies, named in passing (footnotes, lists of supporting
    studies): a code is taken only when it shares the family prefix (``CC-5013-``) of a study
    the report defines, so part numbers and document codes are not read as studies. A code
    broken across lines at a hyphen is joined."""
    families = {_family(k) for k in known if not k.startswith("NCT") and k.count("-") >= 2}
    out: list[tuple[str, int]] = []
    for m in _CODE_RUN.finditer(text):
        code = re.sub(r"\s+", "", m.group())
        if STUDY_CODE.fullmatch(code) and _family(code) in families and code not in known:
            out.append((code, m.start()))
    return out


def _en_study_sections(doc: Document) -> list[StudyInfo]:
    """Per-study sections: a numbered subsection whose title names a phase N study."""
    heads = [ln for ln in iter_lines(doc.text) if _SUBSECTION.match(ln.stripped)]
    out = []
    for i, ln in enumerate(heads):
        m = _EVAL_STUDY_EN.search(ln.stripped)
        if not m:
            continue
        end = heads[i + 1].start if i + 1 < len(heads) else len(doc.text)
        body = doc.text[ln.start:end]
        title = " ".join(body[:400].split())
        cut = re.search(r"data cut-off ([A-Z][a-z]+ \d{1,2}, \d{4})", title)
        design = re.search(r"An? ((?:[a-z-]+,\s+)*[a-z-]+) study was conducted", body)
        enrolled = re.search(r"(?:Of|all)\s+(\d+)\s+patients\s+enrolled", body)
        region = re.search(r"study centers in ([A-Z][a-z]+)", body)
        primary = _PRIMARY_EN.search(" ".join(body.split()))
        out.append(StudyInfo(m.group("name"), ln.start, end, m.group("phase"),
                             " ".join(design.group(1).split()) if design else None,
                             int(enrolled.group(1)) if enrolled else None,
                             values.parse_date(cut.group(1)) if cut else None,
                             region.group(1) if region else None,
                             primary.group("ep") if primary else None))
    return out


_PRIMARY_EN = re.compile(r"\b[Tt]he (?P<ep>[a-z][a-z -]*?), the primary endpoint,|"
                         r"\b[Tt]he primary endpoint was the (?P<ep2>[a-z][a-z -]*?)[,.]")


def merge_study_info(a: StudyInfo, b: StudyInfo) -> StudyInfo:
    """``a`` with its missing fields taken from ``b`` (a later section on the same study)."""
    return StudyInfo(a.name, a.start, a.end, a.phase or b.phase, a.design or b.design,
                     a.enrollment if a.enrollment is not None else b.enrollment,
                     a.cutoff or b.cutoff, a.region or b.region,
                     a.primary_endpoint or b.primary_endpoint)


def _en_studies(doc: Document, idx: StudyIndex, sections: list[StudyInfo],
                product: Mention | None) -> list[StudyFact]:
    phases: dict[str, str] = {}
    regions: dict[str, str] = {}
    for m in _PHASE_EN.finditer(doc.text):
        ident = idx.resolve(m.group("name"))
        phases.setdefault(ident, m.group("phase"))
        if m.group("region") == "Japanese":
            regions.setdefault(ident, "Japan")
    info: dict[str, StudyInfo] = {}
    for s in sections:  # several sections per study: the first non-empty value of each field
        ident = idx.resolve(s.name)
        info[ident] = merge_study_info(info[ident], s) if ident in info else s
    primary: dict[str, str] = {}
    for m in re.finditer(r"In Study " + _STUDY_NAME + r",\s+the\s+(?P<ep>[a-z][a-z -]*?)\s+was\s+the\s+"
                         r"primary\s+endpoint", doc.text):
        primary.setdefault(idx.resolve(m.group("name")), " ".join(m.group("ep").split()))
    out = []
    for ident, aliases in idx.ids.items():
        s = info.get(ident)
        where = s.start if s else idx.first[ident]
        out.append(StudyFact(
            identifiers=(ident,), ref=doc.ref(where, where + len(doc.text[where:].split("\n")[0])),
            aliases=tuple(aliases), phase=phases.get(ident) or (s.phase if s else None),
            enrollment=s.enrollment if s else None,
            products=(product,) if product and s else (),
            countries=tuple(x for x in [regions.get(ident) or (s.region if s else None)] if x),
            design=s.design if s else None,
            primary_endpoints=tuple(x for x in [(s.primary_endpoint if s else None)
                                                or primary.get(ident)] if x)))
    return out + unlisted_studies(doc, idx, info, product)


def unlisted_studies(doc: Document, idx: StudyIndex, info: dict[str, StudyInfo],
                     product: Mention | None) -> list[StudyFact]:
    """Studies known only from a section title (no abbreviation-list entry): a code is an
    identifier, anything else (``201試験``) an alias, as written, matching the facts' mentions."""
    out = []
    for name, s in info.items():
        if name in idx.ids:
            continue
        code = STUDY_CODE.fullmatch(name.removesuffix("試験"))
        line_end = doc.text.find("\n", s.start)
        out.append(StudyFact(
            identifiers=(code.group(),) if code else (),
            ref=doc.ref(s.start, line_end if line_end > 0 else len(doc.text)),
            aliases=() if code else (name,), phase=s.phase, enrollment=s.enrollment,
            products=(product,) if product else (), countries=(s.region,) if s.region else (),
            design=s.design, primary_endpoints=(s.primary_endpoint,) if s.primary_endpoint else ()))
    return out


# ---- efficacy

_RATE_EP = r"(?P<ep>(?:best\s+)?overall\s+response\s+rate|complete\s+response\s+rate|response\s+rate)"
# ", calculated according to the criteria adjusted as closely as possible to …,": the figure
# is a secondary analysis under other criteria, kept apart from the primary result
_CRITERIA = r",\s*(?:calculated|assessed|evaluated)\s+(?:according\s+to|based\s+on|by)\s+(?:the\s+)?(?P<crit>[^,;]+?),\s*"
_EFFICACY_EN = re.compile(
    _RATE_EP + r"\s+\[95%\s+CI\]\s*(?:\(%\)\s*)?(?:,\s*the\s+primary\s+endpoint,\s*|" + _CRITERIA + r")?"
    r"(?:was|of)\s+"
    r"(?P<v>\d+(?:\.\d+)?)%\s+\[(?P<lo>\d+(?:\.\d+)?)%?,\s*(?P<hi>\d+(?:\.\d+)?)%?\]\s+"
    r"\((?P<n>\d+)\s+of\s+(?P<N>\d+)\s+patients\)")
_PCT_CI_N = (r"(?P<v{0}>\d+(?:\.\d+)?)%\s+\[(?P<lo{0}>\d+(?:\.\d+)?)%?,\s*(?P<hi{0}>\d+(?:\.\d+)?)%?\]\s+"
             r"\((?P<n{0}>\d+)\s+of\s+(?P<N{0}>\d+)\s+patients\)")
# "the response rate [95% CI] in patients A and in patients B was 18.2% [2.28%, 51.78%]
# (2 of 11 patients) and 60.0% [32.29%, 83.66%] (9 of 15 patients), respectively"
_RESPECTIVELY_EN = re.compile(
    r"(?P<ep>(?:best\s+)?overall\s+response\s+rate|complete\s+response\s+rate|response\s+rate)"
    r"\s+\[95%\s+CI\]\s+in\s+(?P<arm1>patients\s[^.;\[\]]+?)\s+and\s+in\s+(?P<arm2>patients\s[^.;\[\]]+?)"
    r"\s+was\s+" + _PCT_CI_N.format(1) + r"\s+and\s+" + _PCT_CI_N.format(2) + r",?\s+respectively")
# "the best overall response rate by disease type, calculated according to …, was 33.3% (5 of 15
# patients) for A, 57.1% (4 of 7 patients) for B, and 50.0% (2 of 4 patients) for C"
_BY_SUBGROUP_EN = re.compile(
    _RATE_EP + r"\s+by\s+[a-z][\w -]*?(?:" + _CRITERIA + r"|\s+)was\s+"
    r"(?P<list>\d+(?:\.\d+)?%\s+\(\d+\s+of\s+\d+\s+patients\)\s+for\s+[^;]+?)(?=\.(?:\d+\))?(?:\s|$))")
_SUBGROUP_ITEM = re.compile(r"(?P<v>\d+(?:\.\d+)?)%\s+\((?P<n>\d+)\s+of\s+(?P<N>\d+)\s+patients\)\s+for\s+"
                            r"(?P<arm>.+?)(?=,?\s+and\s+\d|,\s*\d|$)", re.S)
_STUDY_REF_EN = re.compile(r"Study\s+" + _STUDY_NAME)
_NUM_OR_NE = r"(?:\d+(?:\.\d+)?|NE)"
_TIME_EP = (r"(?P<ep>progression-free\s+survival|overall\s+survival|duration\s+of\s+response|PFS|OS|DOR)")
_CI = r"\[(?P<lo{0}>" + _NUM_OR_NE + r"),\s*(?P<hi{0}>" + _NUM_OR_NE + r")\]"
# "the median PFS [95% CI] (months) was 11.3 [9.5, 13.4] in the X group and 5.6 [4.2, 6.9] in the Y group"
_MEDIAN_EN = re.compile(
    r"median\s+" + _TIME_EP + r"\s+\[95%\s+CI\]\s*\((?P<unit>months|weeks)\)\s+was\s+"
    r"(?P<v1>\d+(?:\.\d+)?)\s+" + _CI.format(1) + r"(?:\s+in\s+the\s+(?P<arm1>[\w '’-]+?)\s+group\s+and\s+"
    r"(?P<v2>\d+(?:\.\d+)?)\s+" + _CI.format(2) + r"\s+in\s+the\s+(?P<arm2>[\w '’-]+?)\s+group)?(?=[.,;]|\s*\()")
# "the hazard ratio [95% CI] for PFS was 0.42 [0.33, 0.53]"
_HR_EN = re.compile(r"hazard\s+ratio\s+\[95%\s+CI\]\s+for\s+" + _TIME_EP + r"\s+was\s+"
                    r"(?P<v1>\d+(?:\.\d+)?)\s+" + _CI.format(1))
_EP_CODES = {"progression-free survival": "PFS", "overall survival": "OS", "duration of response": "DOR"}


def _endpoint(words: str) -> str:
    w = " ".join(words.lower().split())
    return "CRR" if w.startswith("complete") else "ORR"


def _paragraph_start(text: str, pos: int) -> int:
    m = None
    for m in re.finditer(r"\n[ \t]*\n", text[max(0, pos - 1500):pos]):
        pass
    return max(0, pos - 1500) + m.end() if m else max(0, pos - 1500)


def _en_efficacy(doc: Document, idx: StudyIndex, sections: list[StudyInfo],
                 ctx: ExtractContext) -> list[Fact]:
    cutoffs: dict[str, dt.date] = {}
    for s in sections:
        if s.cutoff:
            cutoffs.setdefault(idx.resolve(s.name), s.cutoff)
    out: list[Fact] = []
    for m in _EFFICACY_EN.finditer(doc.text):
        ident = _study_before(doc, idx, m.start(), ctx, m.end())
        if ident is None:
            continue
        crit = _criteria(m)
        out.append(EfficacyResult(
            Mention(ident, "en", "study"), _endpoint(m.group("ep")), doc.ref(m.start(), m.end()),
            value=_num(m.group("v")), unit="%", ci_lower=_num(m.group("lo")),
            ci_upper=_num(m.group("hi")), data_cutoff=None if crit else cutoffs.get(ident),
            patient_count=int(m.group("n")), denominator=int(m.group("N")), criteria=crit))
    for m in _BY_SUBGROUP_EN.finditer(doc.text):
        ident = _study_before(doc, idx, m.start(), ctx, m.end())
        if ident is not None:
            out.extend(_subgroup_rates(doc, m, ident))
    for m in _RESPECTIVELY_EN.finditer(doc.text):
        ident = _study_before(doc, idx, m.start(), ctx, m.end())
        if ident is not None:
            out.extend(_respective_rates(doc, m, ident, cutoffs.get(ident)))
    for pattern, unit in ((_MEDIAN_EN, None), (_HR_EN, "hazard ratio")):
        for m in pattern.finditer(doc.text):
            ident = _study_before(doc, idx, m.start(), ctx, m.end())
            if ident is not None:
                ep = " ".join(m.group("ep").split())
                out.extend(time_results(doc, m, ident, _EP_CODES.get(ep.lower(), ep),
                                        unit or m.group("unit"), cutoffs.get(ident)))
    return out


_FOOTNOTE_MARK = re.compile(r"(?<=[A-Za-z.])\d{1,2}\)")


def _criteria(m: re.Match[str]) -> str | None:
    """The criteria clause as written, on one line, without footnote markers (``criteria8)``)."""
    crit = m.groupdict().get("crit")
    return " ".join(_FOOTNOTE_MARK.sub("", crit).split()) if crit else None


def _subgroup_rates(doc: Document, m: re.Match[str], ident: str) -> list[Fact]:
    """One rate per subgroup of a "… by disease type, …, was x% (n of N patients) for A, …"
    sentence, the subgroup as written being the arm. The sentence gives no cut-off, so none is
    assumed; a subgroup whose numbers do not read as n of N with n <= N is not kept."""
    out: list[Fact] = []
    for it in _SUBGROUP_ITEM.finditer(m.group("list")):
        n, total = int(it.group("n")), int(it.group("N"))
        arm = " ".join(_FOOTNOTE_MARK.sub("", it.group("arm")).split()).rstrip(".")
        if n > total or not arm:
            continue
        out.append(EfficacyResult(
            Mention(ident, "en", "study"), _endpoint(m.group("ep")), doc.ref(m.start(), m.end()),
            value=_num(it.group("v")), unit="%", arm=arm, patient_count=n, denominator=total,
            criteria=_criteria(m)))
    return out


def _respective_rates(doc: Document, m: re.Match[str], ident: str,
                      cutoff: dt.date | None) -> list[Fact]:
    """One rate per subgroup of a "… in A and in B was x% […] and y% […], respectively"
    sentence; the subgroup as written is the arm."""
    return [EfficacyResult(
        Mention(ident, "en", "study"), _endpoint(m.group("ep")), doc.ref(m.start(), m.end()),
        value=_num(m.group("v" + k)), unit="%", ci_lower=_num(m.group("lo" + k)),
        ci_upper=_num(m.group("hi" + k)), arm=" ".join(m.group("arm" + k).split()), data_cutoff=cutoff,
        patient_count=int(m.group("n" + k)), denominator=int(m.group("N" + k))) for k in ("1", "2")]


def _study_before(doc: Document, idx: StudyIndex, pos: int, ctx: ExtractContext, end: int) -> str | None:
    """The study named last before ``pos`` in the same paragraph (``In Study X, …``)."""
    refs = list(_STUDY_REF_EN.finditer(doc.text, _paragraph_start(doc.text, pos), pos))
    if not refs:
        ctx.issue("warning", "study-unattributed", "efficacy result without a study", doc.ref(pos, end))
        return None
    return idx.resolve(refs[-1].group("name"))


def time_results(doc: Document, m: re.Match[str], ident: str, endpoint: str, unit: str,
                 cutoff: dt.date | None) -> list[Fact]:
    """One result per arm (groups ``v1``/``lo1``/``hi1``/``arm1``, ``…2``) of a median or
    hazard-ratio sentence; NE bounds stay empty."""
    out: list[Fact] = []
    for k in ("1", "2"):
        if m.groupdict().get("v" + k) is None:
            continue
        arm = m.groupdict().get("arm" + k)
        out.append(EfficacyResult(
            Mention(ident, doc.lang, "study"), endpoint, doc.ref(m.start(), m.end()),
            value=_num(m.group("v" + k)), unit=unit,
            ci_lower=_num(m.group("lo" + k)) if m.group("lo" + k) != "NE" else None,
            ci_upper=_num(m.group("hi" + k)) if m.group("hi" + k) != "NE" else None,
            arm=" ".join(arm.split()) if arm else None, data_cutoff=cutoff))
    return out


# ---- adverse-event tables

_AE_CAPTION_EN = re.compile(r"^Table \d+\.?\s+(?:Incidence of )?(?:adverse events|adverse drug reactions)\b"
                            r"(?!.*\b(?:[Oo]utline|[Ss]ummary|[Oo]verview)\b)", re.I)
_VALUE = r"(?:\d+\s*\(\d+(?:\.\d+)?\)|0|-)"
_ROW_VALUES = re.compile(r"(?:^|(?<=\s))(?P<vals>" + _VALUE + r"(?:\s+" + _VALUE + r")*)\s*$")
_SOC_WORDS = re.compile(r"disorders|conditions|Investigations|complications|infestations|"
                        r"neoplasms|procedures|circumstances", re.I)
_N_EQ = re.compile(r"N\s*=\s*(\d+)")


@dataclass(frozen=True, slots=True)
class TableProfile:
    """What differs between English and Japanese adverse-event tables."""

    caption: re.Pattern[str]
    unnamed: re.Pattern[str]  # header text above "N = x" that is not a group name
    grade3: re.Pattern[str]
    total_row: re.Pattern[str]  # "All adverse events": not a concept
    soc: re.Pattern[str]  # system organ class lines (not part of a wrapped term)
    subsection: re.Pattern[str]
    study_ref: re.Pattern[str]  # group "name"


EN_TABLES = TableProfile(
    caption=_AE_CAPTION_EN, unnamed=re.compile(r"Number of patients|N\s*="),
    grade3=re.compile(r"Grade\s*≥\s*3"), total_row=re.compile(
        r"(?:All|Any|Serious|Grade\s*≥\s*3) adverse events|Adverse events (?:leading|resulting)", re.I),
    soc=_SOC_WORDS, subsection=re.compile(r"^(?P<num>\d+(?:\.[\dR]+)+)\s+(?P<title>[A-Z].*)$"),
    study_ref=_STUDY_REF_EN)


@dataclass(frozen=True, slots=True)
class AeColumn:
    """One value column: the study, the arm (cohort) and the grade scope."""

    study: str | None
    arm: str | None
    grade: str
    n: int


def _parse_values(s: str) -> list[tuple[int, Decimal] | None]:
    out: list[tuple[int, Decimal] | None] = []
    for v in re.findall(_VALUE, s):
        if v == "0":
            out.append((0, Decimal(0)))
        elif v == "-":
            out.append(None)
        else:
            cp = values.parse_count_percent(v)
            out.append(cp)
    return out


def _ae_columns(header: list[Line], idx: StudyIndex, default_study: str | None,
                prof: TableProfile) -> list[AeColumn] | None:
    """Column groups from the header lines between caption and first row, or None."""
    groups: list[tuple[str | None, int]] = []
    texts = [ln.stripped for ln in header]
    for i, t in enumerate(texts):
        ns = _N_EQ.findall(t)
        if not ns:
            continue
        prev = next((texts[j] for j in range(i - 1, -1, -1) if texts[j]), "")
        names = prev.split() if len(ns) > 1 else [prev]
        if len(ns) > 1 and len(names) != len(ns):
            return None
        for name, n in zip(names, ns):
            if prof.unnamed.match(name):
                name = ""
            groups.append((re.sub(r"\*\d*$", "", name).strip() or None, int(n)))
    if not groups:
        return None
    joined = " ".join(texts)
    grades = ["all", ">=3"] if prof.grade3.search(joined) else ["all"]
    cols = []
    for name, n in groups:
        study, arm = default_study, name
        if name and idx.resolve(name) in idx.ids:
            study, arm = idx.resolve(name), None
        elif name and "/" in name:
            study = None  # a pooled column of several studies: not one study
        for g in grades:
            cols.append(AeColumn(study, arm, g, n))
    return cols


def section_study(doc: Document, pos: int, idx: StudyIndex, prof: TableProfile) -> str | None:
    """The study named in the title of the numbered subsection that contains ``pos``."""
    starts, titles = _subsection_titles(doc.text, prof.subsection)
    k = bisect.bisect_left(starts, pos)
    if k:
        m = prof.study_ref.search(titles[k - 1])
        if m:
            return idx.resolve(m.group("name"))
    return None


@functools.lru_cache(maxsize=4)
def _subsection_titles(text: str, subsection: re.Pattern[str]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Start offsets and titles of the numbered subsection headings, read once per document
    (a long report has many tables; scanning from the top for each was quadratic)."""
    starts: list[int] = []
    titles: list[str] = []
    for ln in iter_lines(text):
        if subsection.match(ln.stripped):
            starts.append(ln.start)
            titles.append(ln.stripped)
    return tuple(starts), tuple(titles)


def ae_tables(doc: Document, idx: StudyIndex, product: Mention | None, ctx: ExtractContext,
              prof: TableProfile = EN_TABLES) -> list[Fact]:
    """Adverse-event incidence tables: caption, header (groups "N = x", grade columns), rows."""
    lines = list(iter_lines(doc.text))
    out: list[Fact] = []
    for i, cap in enumerate(lines):
        if not prof.caption.match(cap.stripped):
            continue
        study = section_study(doc, cap.start, idx, prof)
        if study is None:
            m = re.search(r"\(Study ([A-Z][\w/-]*)\)", cap.stripped)
            study = idx.resolve(m.group(1)) if m else None
        j = i + 1
        while j < len(lines) and not _is_row(lines[j].stripped):
            j += 1
        cols = _ae_columns(lines[i + 1:j], idx, study, prof)
        if cols is None:
            ctx.issue("warning", "table-unreadable", "adverse-event table header not understood",
                                doc.ref(cap.start, cap.end))
            continue
        out.extend(_ae_rows(doc, lines[j:], cols, product, ctx, prof))
    return out


_FOOTNOTE_TAIL = re.compile(r"(?:\*\d*|(?<=[^\W\d_])\d{1,2}\))$")


def _is_row(s: str) -> bool:
    m = _ROW_VALUES.search(s)
    return bool(m and m.start() > 0 and re.search(r"[^\W\d_]", s[:m.start()]))


def _ae_rows(doc: Document, lines: list[Line], cols: list[AeColumn], product: Mention | None,
             ctx: ExtractContext, prof: TableProfile) -> list[Fact]:
    out: list[Fact] = []
    pending: list[Line] = []
    for ln in lines:
        s = ln.stripped
        if not s or s.isdigit():  # blank, or a page number where a table crosses a page
            continue
        if s.startswith(("*", "Table ")) or len(pending) > 3:
            break
        m = _ROW_VALUES.search(s)
        is_values_only = bool(m and m.start() == 0 and len(_parse_values(s)) == len(cols))
        if not m or not (is_values_only or _is_row(s)):
            pending.append(ln)
            continue
        if is_values_only:
            if not 1 <= len(pending) <= 2 or any(prof.soc.search(p.stripped) for p in pending):
                ctx.issue("warning", "row-unreadable", "table row term unclear; row skipped",
                                    doc.ref(ln.start, ln.end))
                pending = []
                continue
            term = join_lines([p.text for p in pending])
            start = pending[0].start + len(pending[0].text) - len(pending[0].text.lstrip())
        else:
            term = s[:m.start()].strip()
            start = ln.start + len(ln.text) - len(ln.text.lstrip())
        pending = []
        term = _FOOTNOTE_TAIL.sub("", term).strip()  # "Rash1)": the marker is not part of the term
        vals = _parse_values(m.group("vals"))
        if len(vals) != len(cols):
            ctx.issue("warning", "row-unreadable", "table row has an unexpected number of values",
                                doc.ref(ln.start, ln.end))
            continue
        if prof.total_row.match(term):
            continue
        end = trim_span(doc.text, ln.start, ln.end)[1]
        for col, v in zip(cols, vals):
            if v is None or col.study is None:
                continue
            out.append(AdverseEventIncidence(
                Mention(col.study, doc.lang, "study"), Mention(term, doc.lang, "concept"),
                doc.ref(start, end), arm=col.arm, grade_scope=col.grade, patient_count=v[0],
                percent=v[1], denominator=col.n, product=product))
    return out


# ---- pharmacokinetic parameter tables

_PK_ROW = re.compile(r"^(?P<name>[^\W\d_][^()]*?)\s*\((?P<unit>[^()]+)\)\s+"
                     r"(?P<vals>(?:(?:\d+(?:\.\d+)?\s*±\s*\d+(?:\.\d+)?|-)\s*)+)$")
_PK_CELL = re.compile(r"(\d+(?:\.\d+)?)\s*±\s*(\d+(?:\.\d+)?)|-")
_DOSES_LINE = re.compile(r"^(?:\d+(?:\.\d+)?\s*mg\s*)+$")
_MEAN_SD = re.compile(r"^(?:Mean\s*±\s*(?:standard deviation|SD)|平均値\s*±\s*標準偏差)")
_DAY = re.compile(r"^(?:Day\s*(\d+)|(\d+)\s*日目)$")


@dataclass(frozen=True, slots=True)
class PkColumn:
    """One value column of a PK table: dose, day or arm, and N."""

    n: int
    dose: str | None
    day: int | None
    arm: str | None


def _pk_columns(header: list[Line], caption: str) -> list[PkColumn] | None:
    texts = [ln.stripped for ln in header if ln.stripped]
    groups: list[tuple[str, int]] = []
    doses: list[str] = []
    for i, t in enumerate(texts):
        if _DOSES_LINE.match(t):
            doses = re.findall(r"\d+(?:\.\d+)?\s*mg", t)
        ns = _N_EQ.findall(t)
        if len(ns) == 1 and i > 0 and _N_EQ.fullmatch(t):
            groups.append((texts[i - 1], int(ns[0])))
        elif ns:
            return None  # several groups on one line: names cannot be paired safely
    if not groups:
        return None
    if not doses:
        doses = re.findall(r"\((\d+(?:\.\d+)?\s*mg)\)", caption)[:1]
    if doses and len(groups) % len(doses):
        return None
    per = len(groups) // len(doses) if doses else 0
    cols = []
    for k, (name, n) in enumerate(groups):
        day = _DAY.match(name)
        cols.append(PkColumn(n, doses[k // per] if doses else None,
                             int(day.group(1) or day.group(2)) if day else None,
                             None if day else name))
    return cols


def pk_tables(doc: Document, idx: StudyIndex, product: Mention, ctx: ExtractContext,
              caption: re.Pattern[str], prof: TableProfile) -> list[Fact]:
    """PK parameter tables: ``name (unit) mean ± SD …`` rows under dose/day/N column headers.
    Median (range) rows and cells marked ``-`` are skipped."""
    lines = list(iter_lines(doc.text))
    out: list[Fact] = []
    for i, cap in enumerate(lines):
        if not caption.match(cap.stripped):
            continue
        j = i + 1
        while j < len(lines) and j < i + 40 and not _PK_ROW.match(lines[j].stripped):
            j += 1
        cols = _pk_columns(lines[i + 1:j], cap.stripped)
        if cols is None:
            ctx.issue("warning", "table-unreadable", "PK table header not understood", doc.ref(cap.start, cap.end))
            continue
        rows, stat = [], None
        for ln in lines[j:j + 60]:
            if _MEAN_SD.match(ln.stripped):
                stat = "mean ± SD"
                break
            if ln.stripped.startswith(("Table ", "表")) or prof.subsection.match(ln.stripped):
                break
            m = _PK_ROW.match(ln.stripped)
            if m and len(_PK_CELL.findall(m.group("vals"))) == len(cols):
                rows.append((ln, m))
        if stat is None:
            ctx.issue("warning", "table-unreadable", "PK table without a mean ± SD legend; skipped",
                                doc.ref(cap.start, cap.end))
            continue
        study = section_study(doc, cap.start, idx, prof)
        for ln, m in rows:
            a, e = trim_span(doc.text, ln.start, ln.end)
            for col, cell in zip(cols, _PK_CELL.finditer(m.group("vals"))):
                if cell.group(0) == "-":
                    continue
                dose = values.parse_quantity(col.dose) if col.dose else None
                out.append(PkParameter(
                    product, m.group("name").strip(), doc.ref(a, e),
                    study=Mention(study, doc.lang, "study") if study else None,
                    value=_num(cell.group(1)), unit=m.group("unit").strip(),
                    dispersion=_num(cell.group(2)), statistic=stat,
                    dose_value=dose.value if dose else None, dose_unit=dose.unit if dose else None,
                    day=col.day, arm=col.arm, denominator=col.n))
    return out


# ---- dose modification

_PK_CAPTION_EN = re.compile(r"^Table \d+\.?\s+(?:PK|[Pp]harmacokinetic) parameters\b")
_DOSE_TABLE_EN = re.compile(r"^Guidelines for dose interruption\b.*")
_INTERRUPT_EN = re.compile(r"Decreased\s+to\s+<\s*(?P<v>[\d,]+)\s*/[μµu]L")
_RESUME_EN = re.compile(r"[Ii]f\s+(?P<p>platelet|neutrophil)\s+count\s+(?:returns|returned|has\s+increased|"
                        r"increases)\s+to\s+≥\s*(?P<v>[\d,]+)\s*/[μµu]L|"
                        r"(?P<p2>Platelet|Neutrophil)\s+count\s+returns\s+to\s+≥\s*(?P<v2>[\d,]+)\s*/[μµu]L")
# "For platelet count decreased to <10,000/μL …" and "For febrile neutropenia (decrease in
# neutrophil count to <500/μL accompanied by pyrexia …), the dose 1 level lower"
_REDUCE_EN = re.compile(r"For\s+(?:febrile\s+neutropenia\s+\(decrease\s+in\s+)?(?P<p>platelet|neutrophil)\s+"
                        r"count\s+(?:decreased\s+)?to\s+<\s*(?P<v>[\d,]+)\s*/[μµu]L")
_DOSE_LEVEL_EN = re.compile(r"^(?P<lvl>Starting dose|Dose level \d+)(?:\s+(?P<text>Oral dose of .*))?$")


def _population(doc: Document, cap: Line) -> str:
    """The caption's "in patients with …" text, which may wrap to the next line."""
    text = cap.stripped
    nxt = next((x for x in doc.text[cap.end + 1:cap.end + 300].split("\n") if x.strip()), "")
    if text.endswith("with") and nxt:
        text += " " + nxt.strip()
    m = re.search(r"in patients with\s+(.*)$", text)
    return m.group(1).strip() if m else ""


def _en_dose_rules(doc: Document, product: Mention, indications: list[Indication],
                   ctx: ExtractContext) -> list[Fact]:
    lines = list(iter_lines(doc.text))
    caps = [i for i, ln in enumerate(lines) if _DOSE_TABLE_EN.match(ln.stripped)]
    rules: list[Fact] = []
    for k, i in enumerate(caps):
        cap = lines[i]
        end = lines[caps[k + 1]].start if k + 1 < len(caps) else len(doc.text)
        ind = _match_indication(_population(doc, cap), indications)
        if ind is None:
            ctx.issue("warning", "reference-unknown", "dose-interruption table for an unknown population",
                                doc.ref(cap.start, cap.end))
        rules.extend(_rules_in(doc, product, ind, cap.end, end))
        rules.extend(_dose_levels(doc, product, ind, cap.end, end))
    return dedupe(rules)


def _rules_in(doc: Document, product: Mention, ind: str | None, start: int, end: int) -> list[Fact]:
    out: list[Fact] = []
    body = doc.text[start:end]
    stops = [m.start() for m in _INTERRUPT_EN.finditer(body)] + [len(body)]
    for n, m in enumerate(_INTERRUPT_EN.finditer(body)):
        row = body[m.start():stops[n + 1]]
        if "Interrupt" not in row:
            continue
        r = _RESUME_EN.search(row)
        if not r:
            continue
        param = (r.group("p") or r.group("p2")).lower() + " count"
        pm = Mention(param, "en", "concept")
        s0 = start + m.start()
        out.append(DoseModificationRule(product, pm, "interrupt", span_text(doc, s0, start + m.end()),
                                        doc.ref(s0, start + m.end()), comparator="<",
                                        threshold_value=_num(m.group("v")), threshold_unit="/uL",
                                        indication=ind))
        rs, re_ = start + m.start() + r.start(), start + m.start() + r.end()
        out.append(DoseModificationRule(product, pm, "resume", span_text(doc, rs, re_),
                                        doc.ref(rs, re_), comparator=">=",
                                        threshold_value=_num(r.group("v") or r.group("v2")),
                                        threshold_unit="/uL", indication=ind))
        red = _REDUCE_EN.search(row)
        if red:
            rs, re_ = start + m.start() + red.start(), start + m.start() + red.end()
            out.append(DoseModificationRule(product, Mention(red.group("p") + " count", "en", "concept"),
                                            "reduce", span_text(doc, rs, re_), doc.ref(rs, re_),
                                            comparator="<", threshold_value=_num(red.group("v")),
                                            threshold_unit="/uL", indication=ind))
    return out


def _dose_levels(doc: Document, product: Mention, ind: str | None, start: int, end: int) -> list[Fact]:
    """The dose-level table under a dose-interruption table: one regimen per level. A level
    whose text starts on the next line (``Starting dose`` / ``Oral dose of … Repeat``)
    runs to the next level or blank line."""
    out: list[Fact] = []
    lines = [ln for ln in iter_lines(doc.text, start, end)]
    for i, ln in enumerate(lines):
        m = _DOSE_LEVEL_EN.match(ln.stripped)
        if not m:
            continue
        s0, e0 = trim_span(doc.text, ln.start, ln.end)
        if not m.group("text"):
            for nxt in lines[i + 1:i + 4]:
                if not nxt.stripped or _DOSE_LEVEL_EN.match(nxt.stripped):
                    break
                e0 = trim_span(doc.text, nxt.start, nxt.end)[1]
        text = span_text(doc, s0, e0)
        body = text[m.end("lvl"):].strip()
        dosage = parse_dosage(body, "en")
        if not body.startswith("Oral dose of") or not dosage.regimens:
            continue
        lvl = "starting" if m.group("lvl") == "Starting dose" else m.group("lvl").split()[-1]
        out.append(replace(regimen_fact(dosage.regimens[0], dosage, product, "en", doc.ref(s0, e0), text,
                                        indication=ind), dose_level=lvl))
    return out


# ---- risk management plan (draft)

_BULLET = re.compile(r"(?:(?<=\s)|^)[•・]\s*")


_EMPTY_CELL = re.compile(r"(?<!\S)(?:該当なし|None)(?!\S)")


def bullet_items(doc: Document, start: int, end: int) -> list[list[tuple[str, int, int]]]:
    """Per line, the bullet items it starts (text, start, end); a line without a bullet
    continues the last item of the previous line."""
    rows: list[list[tuple[str, int, int]]] = []
    for ln in iter_lines(doc.text, start, end):
        s = ln.stripped
        if not s:
            continue
        parts = [m.start() for m in _BULLET.finditer(ln.text)]
        if not parts and _EMPTY_CELL.fullmatch(s):
            continue
        if not parts:
            if rows and rows[-1]:
                t, a, _ = rows[-1][-1]
                e = trim_span(doc.text, ln.start, ln.end)[1]
                rows[-1][-1] = (span_text(doc, a, e), a, e)
            else:
                rows.append([])
            continue
        row = []
        for k, p in enumerate(parts):
            a = ln.start + p + len(_BULLET.match(ln.text, p).group())  # type: ignore[union-attr]
            e = ln.start + (parts[k + 1] if k + 1 < len(parts) else len(ln.text))
            empty = _EMPTY_CELL.search(doc.text, a, e)  # "… 該当なし": the next column is empty
            a, e = trim_span(doc.text, a, empty.start() if empty else e)
            row.append((span_text(doc, a, e), a, e))
        rows.append(row)
    return rows


def safety_spec(doc: Document, product: Mention, start: int, end: int,
                ctx: ExtractContext) -> list[Fact]:
    """Three-column safety specification flattened into bullet lines.

    A line with three bullets gives one item per column; single-bullet lines before any
    multi-bullet line belong to the first column (the others are still empty). Once the
    later columns have started, a single bullet could be in any column: it is skipped."""
    cats = ("identified", "potential", "missing")
    out: list[Fact] = []
    opened = 1
    for row in bullet_items(doc, start, end):
        if not row:
            continue
        if len(row) == 1 and opened == 1:
            cols = [0]
        elif len(row) == 3:
            cols, opened = [0, 1, 2], 3
        elif len(row) == 2 and opened == 1:
            cols, opened = [1, 2], 3
        else:
            ctx.issue("warning", "row-unreadable", "safety specification item in an unknown column; skipped",
                                doc.ref(row[0][1], row[-1][2]))
            continue
        for col, (text, a, e) in zip(cols, row):
            out.append(SafetyConcern(product, cats[col], text, doc.ref(a, e),  # type: ignore[arg-type]
                                     Mention(text, doc.lang, "concept")))
    return out


_PV_WORDS = re.compile(r"surveillance|study|survey|registry|調査|試験", re.I)
_RM_WORDS = re.compile(r"distribution|materials?|information|website|education|資材|情報提供|"
                       r"管理手順|流通", re.I)


def activities(doc: Document, product: Mention, start: int, end: int, ctx: ExtractContext,
               efficacy_column: bool = False) -> list[Fact]:
    """Additional PV and RM activities of a table printed column after column: an item's
    kind is read from what it is (a survey or study is pharmacovigilance, materials and
    distribution control are risk minimisation) and must keep the column order (all PV items
    first); anything else is skipped with an issue. When the table also has an efficacy
    survey/study column, a survey could sit in either column: survey items are kept only if
    that column is printed empty (該当なし / None)."""
    out: list[Fact] = []
    seen_rm = False
    pv_unsure = efficacy_column and not _EMPTY_CELL.search(doc.text, start, end)
    for row in bullet_items(doc, start, end):
        for text, a, e in row:
            pv, rm = bool(_PV_WORDS.search(text)), bool(_RM_WORDS.search(text))
            if pv and not rm and pv_unsure:
                ctx.issue("warning", "content-skipped", "survey or study in a table with an efficacy column: "
                                    "pharmacovigilance or efficacy unknown; skipped", doc.ref(a, e))
                continue
            if pv and not rm and not seen_rm:
                kind = "pv"
            elif rm and not pv:
                kind, seen_rm = "rm", True
            else:
                ctx.issue("warning", "row-unreadable", "activity of unclear kind; skipped", doc.ref(a, e))
                continue
            code = STUDY_CODE.search(text) if kind == "pv" else None
            out.append(Activity(kind, product, text, "additional", doc.ref(a, e),  # type: ignore[arg-type]
                                study_code=code.group() if code else None))
    return out


_SPEC_CAP_EN = re.compile(r"^Table \d+\.?\s+Safety (?:and efficacy )?specifications?\b")
_ACT_CAP_EN = re.compile(r"^Table \d+\.?\s+Summary of additional pharmacovigilance activities\b")
_PMS_CAP_EN = re.compile(r"^Table \d+\.?\s+Outline of (?:the )?post-marketing (?:surveillance|survey) plan\b")


def _en_rmp(doc: Document, product: Mention, ctx: ExtractContext) -> list[Fact]:
    lines = list(iter_lines(doc.text))
    out: list[Fact] = []
    for i, ln in enumerate(lines):
        s = ln.stripped
        nxt = next((x.start for x in lines[i + 1:] if x.stripped.startswith("Table ")), len(doc.text))
        if _SPEC_CAP_EN.match(s):
            body_start = next((x.end for x in lines[i + 1:i + 8]
                               if x.stripped.startswith("Important identified risks")), None)
            stop = doc.text.find("Efficacy specification", ln.end, nxt)
            if body_start is None:
                ctx.issue("warning", "table-unreadable", "safety specification header not found",
                                    doc.ref(ln.start, ln.end))
                continue
            out.extend(safety_spec(doc, product, body_start, stop if stop > 0 else nxt, ctx))
        elif _ACT_CAP_EN.match(s):
            head = next((x for x in lines[i + 1:i + 8]
                         if x.stripped.startswith("Additional pharmacovigilance")), None)
            stop = doc.text.find("Underline denotes", ln.end, nxt)
            if head is not None:
                out.extend(activities(doc, product, head.end, stop if stop > 0 else nxt, ctx,
                                      efficacy_column="efficacy" in head.stripped.lower()))
        elif _PMS_CAP_EN.match(s):
            out = _with_pms(out, _en_pms(doc, product, ln, nxt), _pms_population(doc, ln.end, nxt))
    return out


_POPULATION_EN = re.compile(r"^\s*Population\s+(.+?)\s*$", re.M)
_IN_PATIENTS_WITH = re.compile(r"\bin patients with (.+?)\s*$")


def _pms_population(doc: Document, start: int, end: int) -> str | None:
    m = _POPULATION_EN.search(doc.text, start, end)
    return m.group(1) if m else None


def _with_pms(acts: list[Fact], pms: list[Fact], population: str | None) -> list[Fact]:
    """The surveillance plan outline describes one of the listed additional surveillances,
    not another activity: its sample size and period go to the one whose patients (``… in
    patients with ATLL``) the plan's population names. Without exactly one such activity the
    outline stays an activity of its own."""
    if not pms or population is None:
        return acts + pms
    plan = pms[0]
    assert isinstance(plan, Activity)
    hits = [i for i, a in enumerate(acts)
            if isinstance(a, Activity) and a.kind == "pv" and a.scope == "additional"
            and (m := _IN_PATIENTS_WITH.search(a.label))
            and re.search(rf"\b{re.escape(m.group(1))}\b", population)]
    if len(hits) != 1:
        return acts + pms
    out = list(acts)
    act = out[hits[0]]
    assert isinstance(act, Activity)
    out[hits[0]] = replace(act, target_sample_size=plan.target_sample_size, period=plan.period)
    return out


def _en_pms(doc: Document, product: Mention, cap: Line, end: int) -> list[Fact]:
    """The post-marketing surveillance plan outline: sample size and follow-up period."""
    body = doc.text[cap.end:end]
    size = re.search(r"^\s*Planned sample size\s+(\d[\d,]*)\s*$", body, re.M)
    period = re.search(r"^\s*(?:Follow-up|Observation) period\s+(.+?)\s*$", body, re.M)
    if not size and not period:
        return []
    label = re.sub(r"^Table \d+\.\s+Outline of\s+", "", cap.stripped)
    label = label[0].upper() + label[1:]
    last = max(m.end() for m in (size, period) if m)
    a, e = trim_span(doc.text, cap.start, cap.end + last)
    return [Activity("pv", product, label, "additional", doc.ref(a, e),
                     target_sample_size=int(_num(size.group(1)) or 0) if size else None,
                     period=period.group(1) if period else None)]


# --------------------------------------------------------------------------- entry point


def extract_en(doc: Document) -> ExtractionResult:
    """Read one English review report into typed facts (``extractors.review`` picks the reader
    by language)."""
    ctx = ExtractContext(doc)
    header = read_header(doc)
    pf = _en_product(doc, header, ctx)
    idx = _en_study_index(doc, ctx)
    sections = _en_study_sections(doc)
    studies = _en_studies(doc, idx, sections, pf.product if pf else None)
    facts: list[Fact] = []
    facts += _en_efficacy(doc, idx, sections, ctx)
    facts += ae_tables(doc, idx, pf.product if pf else None, ctx)
    if pf is not None:
        p = pf.product
        inds = _en_indications(doc, p, ctx)
        facts += inds
        facts += _en_dosage(doc, p, inds, ctx)
        facts += [ApprovalCondition(p, t, doc.ref(a, e)) for t, a, e in _en_listed(doc, _COND_EN)]
        facts += [UseRequirement(p, "warning", t, doc.ref(a, e)) for t, a, e in _en_listed(doc, _WARN_EN)]
        facts += [UseRequirement(p, "contraindication", t, doc.ref(a, e))
                  for t, a, e in _en_listed(doc, _CONTRA_EN)]
        facts += _en_dose_rules(doc, p, inds, ctx)
        facts += pk_tables(doc, idx, p, ctx, _PK_CAPTION_EN, EN_TABLES)
        facts += _en_rmp(doc, p, ctx)
    _redaction_issues(doc, ctx)
    partial_issues(doc, (r"^\s*Review Report \(1\)\s*$", r"^\s*Review Report \(2\)\s*$"), ctx)
    title = "Review Report" if re.search(r"^\s*Review Report\s*$", doc.text, re.M) else None
    info = header.document_info(title, pf)
    return ctx.result(info, (pf,) if pf else (), studies, dedupe(facts))


def partial_issues(doc: Document, parts: tuple[str, ...], ctx: ExtractContext) -> None:
    """Record each expected part (Review Report (1), (2)) the document lacks."""
    for pattern in parts:
        if not re.search(pattern, doc.text, re.M):
            name = pattern.strip("^$").replace("\\s*", "").replace("\\", "")
            ctx.issue("warning", "part-missing", f"partial document: no {name}; final lists may be provisional")


_REDACTED = re.compile(r"\*\*[ \t]+\*\*(?:,[ \t]*\d*\*+)?|■+")  # "** **, 20**": masked date


def _redaction_issues(doc: Document, ctx: ExtractContext) -> None:
    """Record masked passages (``** **, 20**``, ``■``) so a reader knows text is missing."""
    for m in _REDACTED.finditer(doc.text):
        ctx.issue("warning", "redacted", "redacted passage", doc.ref(m.start(), m.end()))
