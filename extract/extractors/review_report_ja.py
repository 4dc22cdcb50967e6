"""Japanese review reports (審議結果報告書 + 審査報告書 + 別紙 審査報告(1)/(2)).

The Japanese report keys on bracketed, often letter-spaced header labels (``［販 売 名］``,
``【一般名】``; NFKC turns ``［`` into ``[``), numbered products sharing fields by number
(``①〇〇錠10 mg、②同錠20 mg``), ``〈疾患名〉`` sub-headings in 用法及び用量, ``表N`` captions,
``第II相試験(CTD …:201試験<…>)`` study titles and the 略語等一覧 (abbreviation list). The
final labelling is the last ``[効能又は効果]`` / ``[用法及び用量]`` / ``[承認条件]`` /
``[警告]`` / ``[禁忌]`` block, printed in 審査報告(2)'s 総合評価.
"""

from __future__ import annotations

import datetime as dt
import re

from extract.extractors.review_report import (
    STUDY_CODE, HeaderField, ReviewHeader, StudyIndex, StudyInfo, TableProfile, activities,
    ae_tables, dedupe, merge_study_info, numbered_items, safety_spec,
    partial_issues, pk_tables, time_results, unlisted_studies, _match_indication, _redaction_issues)
from extract.readers.context import ExtractContext
from extract.readers.lines import Line, iter_lines, span_text, trim_span
from extract.model import (Activity, ApprovalCondition, Document,
                           DoseModificationRule, DosageRegimen, EfficacyResult, ExtractionResult,
                           Fact, Indication, Mention, ProductFact, StudyFact, UseRequirement)
from extract.normalize import values
from extract.normalize.dosage import parse_dosage, regimen_fact

_LABEL = re.compile(r"^\s*[\[【]\s*(?P<label>[^\]】]+?)\s*[\]】]\s*(?P<value>.*)$")
_CIRCLED = re.compile(r"[①-⑳]")


def _label(raw: str) -> str:
    """``販 売 名`` → ``販売名``; ``禁 忌(次の患者には投与しないこと)`` → ``禁忌``."""
    return re.sub(r"\(.*?\)|\s+", "", raw)


def header_fields(doc: Document) -> dict[str, HeaderField]:
    """First occurrence of each bracketed label with its value (value lines continue until
    the next label or a blank line)."""
    out: dict[str, HeaderField] = {}
    lines = list(iter_lines(doc.text))
    for i, line in enumerate(lines):
        m = _LABEL.match(line.text)
        if not m:
            continue
        label = _label(m.group("label"))
        if label in out:
            continue
        start, end = line.start + m.start("value"), line.start + m.end("value")
        if m.group("value").strip():
            for nxt in lines[i + 1:i + 6]:
                if not nxt.stripped or _LABEL.match(nxt.text):
                    break
                end = nxt.end
        start, end = trim_span(doc.text, start, end)
        if end > start:
            out[label] = HeaderField(label, span_text(doc, start, end), start, end)
    return out


def _field(f: dict[str, HeaderField], *labels: str) -> HeaderField | None:
    return next((f[x] for x in labels if x in f), None)


_DATE_LINE = re.compile(r"^(?:令和|平成)\s*(?:\d+|元)\s*年\s*\d+\s*月\s*\d+\s*日$|^\d{4}\s*年\s*\d+\s*月\s*\d+\s*日$")


def _date_after(doc: Document, heading: str) -> dt.date | None:
    """The date printed on its own line just under ``heading`` (the report's date)."""
    lines = list(iter_lines(doc.text))
    for i, line in enumerate(lines):
        if re.sub(r"\s+", "", line.stripped) == heading:  # also letter-spaced 審 査 報 告 書
            for nxt in lines[i + 1:i + 6]:
                if _DATE_LINE.match(nxt.stripped):
                    return values.parse_date(nxt.stripped)
            return None
    return None


def read_header_ja(doc: Document) -> ReviewHeader:
    """Japanese counterpart of ``read_header``: bracketed fields, 令和/平成 dates."""
    f = header_fields(doc)
    app = _field(f, "申請年月日")
    special = _field(f, "特記事項")
    meeting = re.search(r"((?:令和|平成)\s*(?:\d+|元)\s*年\s*\d+\s*月\s*\d+\s*日)に開催された", doc.text)
    years = re.search(r"再審査期間は\s*(\d+)\s*年", doc.text)
    cls, office = _field(f, "申請区分"), _field(f, "審査担当部")
    return ReviewHeader(
        report_date=_date_after(doc, "審査報告書"),
        application_date=values.parse_date(app.value) if app else None,
        deliberation_date=values.parse_date(meeting.group(1)) if meeting else None,
        application_classification=cls.value if cls else None,
        special_mention=special.value if special else None,
        orphan_designation=bool(special and "希少疾病用" in special.value),  # 医薬品 / 再生医療等製品
        reviewing_office=office.value if office else None,
        reexamination_years=int(years.group(1)) if years else None)


_NUMBERED_SPLIT = re.compile(r"(?:[、,]|\s)\s*(?=[①-⑳])")


def split_products(value: str) -> list[str]:
    """``①ヤクジン錠10 mg、②同錠20 mg`` → both full names (``同`` = the first name's stem)."""
    parts = [p.strip() for p in _NUMBERED_SPLIT.split(value) if p.strip()]
    names = [_CIRCLED.sub("", p).strip() for p in parts]
    out: list[str] = []
    for n in names:
        if n.startswith("同") and out:
            rest = n[1:]
            k = out[0].find(rest[:1]) if rest else -1
            n = out[0][:k] + rest if k > 0 else n
        out.append(n)
    return out


def _product(doc: Document, header: ReviewHeader, ctx: ExtractContext) -> ProductFact | None:
    f = header_fields(doc)
    brand = _field(f, "販売名")
    if brand is None:
        ctx.issue("error", "not-this-kind", "no [販売名] field: not a review report or a partial one")
        return None
    names = split_products(brand.value)
    product = Mention(names[0], "ja", "product")
    subst = _field(f, "一般名")
    substances = tuple(Mention(s, "ja", "substance")
                       for s in dict.fromkeys(_CIRCLED.sub("", x).strip()
                                              for x in _NUMBERED_SPLIT.split(subst.value))
                       if s) if subst else ()
    holder = _field(f, "申請者", "申請者名")
    return ProductFact(product, doc.ref(brand.start, brand.end), names=tuple(names),
                       substances=substances,
                       holder=Mention(holder.value, "ja", "organization") if holder else None,
                       reexamination_years=header.reexamination_years)


# --------------------------------------------------------------------------- labelling

_STOP = re.compile(r"^([\[【]|表\s*\d+|別紙|審査報告|\d+(?:\.[\dR]+)+\s|(?:\(|（)(?:下線|取消線))")


def _final_block(doc: Document, labels: tuple[str, ...]) -> tuple[int, int] | None:
    """Span of the body under the last bracketed heading among ``labels``."""
    found: Line | None = None
    inline: tuple[int, int] | None = None  # "[効能又は効果] text" on the label's own line
    for line in iter_lines(doc.text):
        m = _LABEL.match(line.text)
        if not m or _label(m.group("label")) not in labels:
            continue
        value = m.group("value").strip()
        if not value or _ANNOTATION.match(value):
            found = line
        else:
            inline = (line.start + m.start("value"), line.end)
    if found is None:
        return _with_continuation(doc, *inline) if inline else None
    return _with_continuation(doc, found.end + 1, found.end + 1)


_ANNOTATION = re.compile(r"^\([^()]*\)$")  # "(下線部追加)", "(申請時から変更なし)"


def _with_continuation(doc: Document, start: int, end: int) -> tuple[int, int]:
    """Extend ``start..end`` over the following lines up to the next label or heading."""
    pos = end + 1 if end > start else start
    for line in iter_lines(doc.text, pos):
        if _STOP.match(line.stripped) or _LABEL.match(line.text):
            break
        if line.stripped:
            end = line.end
    return start, end


_MARK = re.compile(r"^\s*(?:[○◯●]|[①-⑳]|\d+\.)\s*")
_INDICATION_LABELS = ("効能又は効果", "効能・効果", "効能、効果又は性能")


def _indication(doc: Document, product: Mention, a: int, e: int) -> Indication:
    """One indication; the disease is the text before any "。ただし" condition."""
    text = span_text(doc, a, e)
    disease = re.split(r"。", text, maxsplit=1)[0].strip() or text
    return Indication(product, text, doc.ref(a, e), Mention(disease, "ja", "concept"))


def _indications(doc: Document, product: Mention, ctx: ExtractContext) -> list[Indication]:
    """Marked lines (○, ①, 1.) are one indication each, with unmarked lines continuing the
    previous one; an unmarked first line means one indication (its ・ lines are conditions)."""
    span = _final_block(doc, _INDICATION_LABELS)
    if span is None:
        ctx.issue("warning", "section-missing", "no final [効能又は効果] block")
        return []
    lines = [ln for ln in iter_lines(doc.text, *span) if ln.stripped]
    if not lines:
        ctx.issue("warning", "section-unreadable", "empty [効能又は効果] block", doc.ref(*span))
        return []
    if not _MARK.match(lines[0].text):
        return [_indication(doc, product, *trim_span(doc.text, *span))]
    spans: list[list[int]] = []
    for ln in lines:
        m = _MARK.match(ln.text)
        a, e = trim_span(doc.text, ln.start + (m.end() if m else 0), ln.end)
        if m:
            spans.append([a, e])
        else:
            spans[-1][1] = e
    return [_indication(doc, product, a, e) for a, e in spans]


_SUBHEAD = re.compile(r"^\s*〈(?P<name>[^〉]+)〉\s*$")


def _dose_paragraphs(doc: Document, span: tuple[int, int],
                     inds: list[Indication]) -> list[tuple[str | None, int, int]]:
    """Split the 用法及び用量 block at its 〈…〉 sub-headings: (indication, start, end) each.
    Without sub-headings the block belongs to the only indication (or to none)."""
    out: list[tuple[str | None, int, int]] = []
    ind = inds[0].text if len(inds) == 1 else None
    first = last = None
    for ln in iter_lines(doc.text, *span):
        sub = _SUBHEAD.match(ln.text)
        if sub:
            if first is not None and last is not None:
                out.append((ind, first, last))
            ind, first, last = _match_indication(sub.group("name"), inds), None, None
        elif ln.stripped:
            a, e = trim_span(doc.text, ln.start, ln.end)
            first, last = (a if first is None else first), e
    if first is not None and last is not None:
        out.append((ind, first, last))
    return out


def _dosage(doc: Document, product: Mention, inds: list[Indication],
            ctx: ExtractContext) -> list[DosageRegimen]:
    span = _final_block(doc, ("用法及び用量", "用法・用量", "用法及び用量又は使用方法"))
    if span is None:
        return []
    out = []
    for ind, a, e in _dose_paragraphs(doc, span, inds):
        dosage = parse_dosage(doc.text[a:e], "ja")
        regs = [r for r in dosage.regimens if r.route]
        if not regs or ind is None:
            ctx.issue("warning", "dosage-unparsed", "用法及び用量 paragraph not understood", doc.ref(a, e))
            continue
        out += [regimen_fact(r, dosage, product, "ja", doc.ref(a + r.start, a + r.end),
                             span_text(doc, a + r.start, a + r.end), indication=ind) for r in regs]
    return out


_NUM_JA = re.compile(r"^\s*(\d{1,2})[.)]\s*(\S.*)$")


def _listed(doc: Document, labels: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """Items of the last bracketed list among ``labels`` (numbered, or one paragraph)."""
    span = _final_block(doc, labels)
    if span is None:
        return []
    items = numbered_items(doc, span[0] - 1, _STOP, _NUM_JA)
    if not items:
        a, e = trim_span(doc.text, *span)
        return [(span_text(doc, a, e), a, e)] if e > a else []
    out = []
    for it in items:
        m = re.match(r"\d+[.)]\s*", doc.text[it.start:it.end])
        a = it.start + (m.end() if m else 0)
        out.append((span_text(doc, a, it.end), a, it.end))
    return out


# --------------------------------------------------------------------------- studies

_ABBR = re.compile(r"^(?P<alias>\S+試験)\s+(?P<rest>.*)$")
_PHASE = re.compile(r"(?P<region>国内|海外|国際共同)?第(?P<phase>I/II|II/III|III|II|I)相試験\("
                    r"(?:CTD\s*[\d.]+\s*[:;]\s*)?(?P<name>[A-Za-z0-9-]+試験)")
_SUB_JA = re.compile(r"^(?P<num>\d+(?:\.[\dR]+)+)\s*(?P<title>\S.*)$")


def _study_index(doc: Document) -> StudyIndex:
    idx = StudyIndex()
    for line in iter_lines(doc.text):
        m = _ABBR.match(line.stripped)
        if m:
            codes = list(dict.fromkeys(STUDY_CODE.findall(m.group("rest"))))
            if len(codes) == 1 and codes[0] not in m.group("alias"):
                idx.add(codes[0], m.group("alias"), line.start)
    return idx


def _study_sections(doc: Document, idx: StudyIndex) -> list[StudyInfo]:
    heads = [ln for ln in iter_lines(doc.text) if _SUB_JA.match(ln.stripped)]
    out = []
    for i, ln in enumerate(heads):
        m = _PHASE.search(ln.stripped)
        if not m:
            continue
        end = heads[i + 1].start if i + 1 < len(heads) else len(doc.text)
        body = doc.text[ln.start:end]
        flat = span_text(doc, ln.start, end)
        cut = re.search(r"データ\s*カットオフ日\s*[::]\s*(\d{4}\s*年\s*\d+\s*月\s*\d+\s*日|"
                        r"(?:令和|平成)\s*\d+\s*年\s*\d+\s*月\s*\d+\s*日)", flat)
        design = re.search(r"(非盲検非対照|非盲検無作為化|二重盲検無作為化|非盲検|二重盲検)試験", flat)
        enrolled = re.search(r"登録された\s*(\d+)\s*例", body)
        primary = re.search(r"主要評価項目(?:とされた|である)(?P<ep>[^、。\[]+?)(?:\[|は|、)", flat)
        out.append(StudyInfo(idx.resolve(m.group("name")), ln.start, end, m.group("phase"),
                             design.group(1) if design else None,
                             int(enrolled.group(1)) if enrolled else None,
                             values.parse_date(cut.group(1)) if cut else None,
                             "Japan" if m.group("region") == "国内" else None,
                             primary.group("ep") if primary else None))
    return out


def _studies(doc: Document, idx: StudyIndex, sections: list[StudyInfo],
             product: Mention | None) -> list[StudyFact]:
    info: dict[str, StudyInfo] = {}
    for s in sections:
        info[s.name] = merge_study_info(info[s.name], s) if s.name in info else s
    out = []
    for ident, aliases in idx.ids.items():
        s = info.get(ident)
        where = s.start if s else idx.first[ident]
        line_end = doc.text.find("\n", where)
        out.append(StudyFact((ident,), doc.ref(where, line_end if line_end > 0 else len(doc.text)),
                             aliases=tuple(aliases), phase=s.phase if s else None,
                             enrollment=s.enrollment if s else None,
                             products=(product,) if product and s else (),
                             countries=(s.region,) if s and s.region else (),
                             design=s.design if s else None,
                             primary_endpoints=(s.primary_endpoint,) if s and s.primary_endpoint else ()))
    return out + unlisted_studies(doc, idx, info, product)


_EFFICACY = re.compile(
    r"(?P<ep>完全奏効率|奏効率)\s*\[95\s*%\s*信頼区間\]\s*\(%\)\s*(?:は|:)?\s*、?\s*"
    r"(?P<v>\d+(?:\.\d+)?)\s*\[(?P<lo>\d+(?:\.\d+)?)\s*,\s*(?P<hi>\d+(?:\.\d+)?)\]\s*"
    r"\((?P<n>\d+)\s*/\s*\n?\s*(?P<N>\d+)\s*例\)")
_STUDY_REF = re.compile(r"(?P<name>[A-Za-z0-9-]+試験)")


def _efficacy(doc: Document, idx: StudyIndex, sections: list[StudyInfo],
              ctx: ExtractContext) -> list[Fact]:
    out: list[Fact] = []
    for m in _EFFICACY.finditer(doc.text):
        name = _study_at(doc, idx, sections, m.start())
        if name is None:
            ctx.issue("warning", "study-unattributed", "efficacy result without a study", doc.ref(m.start(), m.end()))
            continue
        cut = next((s.cutoff for s in sections if s.name == name and s.cutoff), None)
        out.append(EfficacyResult(
            Mention(name, "ja", "study"), "CRR" if m.group("ep") == "完全奏効率" else "ORR",
            doc.ref(m.start(), m.end()), value=values.parse_number(m.group("v")), unit="%",
            ci_lower=values.parse_number(m.group("lo")), ci_upper=values.parse_number(m.group("hi")),
            data_cutoff=cut, patient_count=int(m.group("n")), denominator=int(m.group("N"))))
    return out


_EP_JA = {"無増悪生存期間": "PFS", "全生存期間": "OS", "奏効期間": "DOR"}
_UNIT_JA = {"カ月": "months", "ヵ月": "months", "ヶ月": "months", "か月": "months", "週": "weeks"}
_NE = r"(?:\d+(?:\.\d+)?|NE|推定不能)"
_CI_JA = r"\[(?P<lo{0}>" + _NE + r")\s*,\s*(?P<hi{0}>" + _NE + r")\]"
_ARM_VALUE = r"(?:(?P<arm{0}>[^\s、。]+?)群で)?(?P<v{0}>\d+(?:\.\d+)?)\s*" + _CI_JA
# 無増悪生存期間の中央値[95%信頼区間](カ月)は、本薬群で8.4[6.0, 10.9]、対照群で4.1[2.9, 5.5]
_MEDIAN_JA = re.compile(r"(?P<ep>無増悪生存期間|全生存期間|奏効期間)の中央値\s*\[95\s*%\s*信頼区間\]\s*"
                        r"\((?P<unit>カ月|ヵ月|ヶ月|か月|週)\)\s*は、?\s*" + _ARM_VALUE.format(1)
                        + r"(?:、" + _ARM_VALUE.format(2) + r")?(?=[、。]|であ)")
_HR_JA = re.compile(r"(?:(?P<ep>無増悪生存期間|全生存期間)の)?ハザード比\s*\[95\s*%\s*信頼区間\]\s*は、?\s*"
                    r"(?P<v1>\d+(?:\.\d+)?)\s*" + _CI_JA.format(1))


def _time_efficacy(doc: Document, idx: StudyIndex, sections: list[StudyInfo],
                   ctx: ExtractContext) -> list[Fact]:
    """Medians (per arm) and hazard ratios; a hazard ratio without its endpoint named in the
    same sentence takes the endpoint of the median before it, or is skipped."""
    out: list[Fact] = []
    for pattern in (_MEDIAN_JA, _HR_JA):
        for m in pattern.finditer(doc.text):
            sentence = doc.text[doc.text.rfind("。", 0, m.start()) + 1:m.start()]
            eps = [m.group("ep")] if m.group("ep") else [k for k in _EP_JA if k in sentence]
            name = _study_at(doc, idx, sections, m.start())
            if name is None or len(eps) != 1:
                ctx.issue("warning", "study-unattributed", "time-to-event result without a clear study or endpoint",
                                    doc.ref(m.start(), m.end()))
                continue
            unit = _UNIT_JA[m.group("unit")] if "unit" in m.groupdict() else "hazard ratio"
            cut = next((s.cutoff for s in sections if s.name == name and s.cutoff), None)
            out.extend(time_results(doc, m, name, _EP_JA[eps[0]], unit, cut))
    return out


def _study_at(doc: Document, idx: StudyIndex, sections: list[StudyInfo], pos: int) -> str | None:
    """The study whose section contains ``pos``, else the last ``N試験`` in the 300 characters before."""
    sec = next((s for s in sections if s.start <= pos < s.end), None)
    if sec:
        return sec.name
    refs = list(_STUDY_REF.finditer(doc.text, max(0, pos - 300), pos))
    return idx.resolve(refs[-1].group("name")) if refs else None


JA_TABLES = TableProfile(
    caption=re.compile(r"^表\s*\d+\s+(?!.*(?:概要|概略|発現状況)).*(?:有害事象|副作用)"),
    unnamed=re.compile(r"例数|N\s*="), grade3=re.compile(r"Grade\s*3\s*以上|Grade\s*≥\s*3"),
    total_row=re.compile(r"全有害事象|すべての有害事象|重篤な有害事象|に至った有害事象|Grade\s*3以上の有害事象"),
    soc=re.compile(r"障害$|臨床検査$|寄生虫症$|新生物|合併症$"), subsection=_SUB_JA,
    study_ref=_STUDY_REF)


# --------------------------------------------------------------------------- dose rules, RMP

_PK_CAPTION = re.compile(r"^表\s*\d+\s+.*薬物動態パラメータ")
_RULE_CAP = re.compile(r"^表\s*\d+\s+(?:(?P<pop>.+?)患者における)?.*(休薬|減量|中止).*基準")
_PARAM = re.compile(r"(?P<p>好中球数|血小板数)")
_BELOW = re.compile(r"(?P<v>[\d,]+)\s*/\s*[μµu]L\s*未満")
_RECOVER = re.compile(r"(?P<v>[\d,]+)\s*/\s*[μµu]L\s*以上に回復")
_LEVEL = re.compile(r"^(?P<lvl>開始用量|(?P<n>\d+)段階減量)\s+(?P<dose>\d+(?:\.\d+)?\s*mg)\s+1日(?P<t>[12])回$")


def _table_end(doc: Document, lines: list[Line], i: int) -> int:
    """A table ends at the next caption, numbered heading or blank line after a row."""
    for ln in lines[i + 1:]:
        if not ln.stripped or re.match(r"^(表\s*\d+|\d+(?:\.[\dR]+)+\s)", ln.stripped):
            return ln.start
    return len(doc.text)


def _dose_rules(doc: Document, product: Mention, inds: list[Indication],
                ctx: ExtractContext) -> list[Fact]:
    lines = list(iter_lines(doc.text))
    out: list[Fact] = []
    ind = inds[0].text if len(inds) == 1 else None
    for i, cap in enumerate(lines):
        m = _RULE_CAP.match(cap.stripped)
        if m:
            ind = _match_indication(m.group("pop") or "", inds) if m.group("pop") else (
                inds[0].text if len(inds) == 1 else None)
            if ind is None:
                ctx.issue("warning", "reference-unknown", "休薬・減量基準 table for an unknown population",
                                    doc.ref(cap.start, cap.end))
            out.extend(_rules_ja(doc, product, ind, cap.end, _table_end(doc, lines, i)))
        elif cap.stripped.startswith("表") and "減量" in cap.stripped:
            out.extend(_levels_ja(doc, product, ind, cap.end, _table_end(doc, lines, i)))
    return dedupe(out)


def _rules_ja(doc: Document, product: Mention, ind: str | None, start: int, end: int) -> list[Fact]:
    out: list[Fact] = []
    body = doc.text[start:end]
    params = list(_PARAM.finditer(body))
    for k, p in enumerate(params):
        row_end = params[k + 1].start() if k + 1 < len(params) else len(body)
        row = body[p.start():row_end]
        pm = Mention(p.group("p"), "ja", "concept")
        below, recover = _BELOW.search(row), _RECOVER.search(row)
        if below and "休薬" in row:
            a, e = start + p.start() + below.start(), start + p.start() + below.end()
            out.append(DoseModificationRule(product, pm, "interrupt", span_text(doc, a, e), doc.ref(a, e),
                                            comparator="<",
                                            threshold_value=values.parse_number(below.group("v")),
                                            threshold_unit="/uL", indication=ind))
        if recover:
            a, e = start + p.start() + recover.start(), start + p.start() + recover.end()
            out.append(DoseModificationRule(product, pm, "resume", span_text(doc, a, e), doc.ref(a, e),
                                            comparator=">=",
                                            threshold_value=values.parse_number(recover.group("v")),
                                            threshold_unit="/uL", indication=ind))
    return out


def _levels_ja(doc: Document, product: Mention, ind: str | None, start: int, end: int) -> list[Fact]:
    out: list[Fact] = []
    for ln in iter_lines(doc.text, start, end):
        m = _LEVEL.match(ln.stripped)
        q = values.parse_quantity(m.group("dose")) if m else None
        if not m or q is None:
            continue
        a, e = trim_span(doc.text, ln.start, ln.end)
        out.append(DosageRegimen(product, doc.text[a:e], doc.ref(a, e), indication=ind,
                                 dose_value=q.value, dose_unit=q.unit,
                                 frequency="once daily" if m.group("t") == "1" else "twice daily",
                                 dose_level="starting" if m.group("lvl") == "開始用量" else m.group("n")))
    return out


def _rmp(doc: Document, product: Mention, ctx: ExtractContext) -> list[Fact]:
    lines = list(iter_lines(doc.text))
    out: list[Fact] = []
    for i, ln in enumerate(lines):
        s = ln.stripped
        if not s.startswith("表"):
            continue
        nxt = next((x.start for x in lines[i + 1:] if re.match(r"^(表\s*\d+|\d+\.\s*\S)", x.stripped)),
                   len(doc.text))
        if "安全性検討事項" in s:
            head = next((x for x in lines[i + 1:i + 6] if x.stripped.startswith("重要な特定されたリスク")), None)
            stop = doc.text.find("有効性に関する検討事項", ln.end + 1, nxt)
            if head is None:
                ctx.issue("warning", "table-unreadable", "安全性検討事項 header not found", doc.ref(ln.start, ln.end))
                continue
            out.extend(safety_spec(doc, product, head.end, stop if stop > 0 else nxt, ctx))
        elif "追加の医薬品安全性監視活動" in s:
            head = next((x for x in lines[i + 1:i + 6] if x.stripped.startswith("追加の医薬品安全性監視活動")), None)
            if head is not None:
                out.extend(activities(doc, product, head.end, nxt, ctx,
                                      efficacy_column="有効性" in head.stripped))
        elif re.search(r"調査計画の骨子", s):
            out.extend(_pms(doc, product, ln, nxt))
    return out


def _pms(doc: Document, product: Mention, cap: Line, end: int) -> list[Fact]:
    body = doc.text[cap.end:end]
    size = re.search(r"^\s*予\s*定\s*症\s*例\s*数\s+(\d[\d,]*)\s*例", body, re.M)
    period = re.search(r"^\s*観\s*察\s*期\s*間\s+(\S.*?)\s*$", body, re.M)
    if not size and not period:
        return []
    label = re.sub(r"^表\s*\d+\s*", "", cap.stripped)
    last = max(m.end() for m in (size, period) if m)
    a, e = trim_span(doc.text, cap.start, cap.end + last)
    n = values.parse_number(size.group(1)) if size else None
    return [Activity("pv", product, label, "additional", doc.ref(a, e),
                     target_sample_size=int(n) if n is not None else None,
                     period=period.group(1) if period else None)]


# --------------------------------------------------------------------------- entry point


def extract_ja(doc: Document) -> ExtractionResult:
    ctx = ExtractContext(doc)
    header = read_header_ja(doc)
    pf = _product(doc, header, ctx)
    idx = _study_index(doc)
    sections = _study_sections(doc, idx)
    product = pf.product if pf else None
    facts: list[Fact] = []
    facts += _efficacy(doc, idx, sections, ctx)
    facts += _time_efficacy(doc, idx, sections, ctx)
    facts += ae_tables(doc, idx, product, ctx, JA_TABLES)
    if pf is not None:
        p = pf.product
        inds = _indications(doc, p, ctx)
        facts += inds
        facts += _dosage(doc, p, inds, ctx)
        facts += [ApprovalCondition(p, t, doc.ref(a, e))
                  for t, a, e in _listed(doc, ("承認条件", "承認条件及び期限"))]
        facts += [UseRequirement(p, "warning", t, doc.ref(a, e)) for t, a, e in _listed(doc, ("警告",))]
        facts += [UseRequirement(p, "contraindication", t, doc.ref(a, e))
                  for t, a, e in _listed(doc, ("禁忌",))]
        facts += _dose_rules(doc, p, inds, ctx)
        facts += pk_tables(doc, idx, p, ctx, _PK_CAPTION, JA_TABLES)
        facts += _rmp(doc, p, ctx)
    _redaction_issues(doc, ctx)
    partial_issues(doc, (r"^\s*審査報告\(1\)\s*$", r"^\s*審査報告\(2\)\s*$"), ctx)
    title = "審査報告書" if re.search(r"^\s*審査報告書\s*$", doc.text, re.M) else None
    info = header.document_info(title, pf)
    return ctx.result(info, (pf,) if pf else (), _studies(doc, idx, sections, product), dedupe(facts))
