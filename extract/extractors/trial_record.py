"""ClinicalTrials.gov records in the three shapes users have: the one-field-per-line text
export (no field labels, ``|`` between repeated values), the legacy XML (``clinical_study``
root) and the API v2 JSON (``protocolSection``).

Every shape ends in one ``StudyFact``. What the record does not give stays ``None`` and
becomes an ``Issue``: nothing is guessed, except where a convention of the format itself
says what a value is (the position of a field in the text export, ``DRUG:`` prefixes).

Phase normalisation (``yk:phase``): ``Phase 1``/``PHASE1``/``Phase I`` -> ``"I"``, ``2`` ->
``"II"``, ``3`` -> ``"III"``, ``4`` -> ``"IV"``; combined phases (``PHASE1|PHASE2``,
``Phase 1/Phase 2``) -> ``"I/II"``; ``Early Phase 1`` (ClinicalTrials.gov's name for an
exploratory phase 0 study) -> ``"0"``; ``N/A``/``NA`` (not a drug trial phase) -> None with an
Issue, as is any phase string not listed here.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Iterator

from extract.model import Document, DocumentInfo, ExtractionResult, Issue, Lang, Mention, StudyFact
from extract.readers.context import ExtractContext

NCT = re.compile(r"\bNCT\d{8}\b")
# Sponsor protocol codes: CC-5013-ATLL-001, BB2121-MM-001 (upper-case segments joined by
# hyphens, ending in a number of three or more digits).
SPONSOR_CODE = re.compile(r"\b[A-Z][A-Z0-9]{1,9}(?:-[A-Z0-9]{1,10}){0,3}-\d{3,}\b")
INTERVENTION = re.compile(
    r"^(DRUG|BIOLOGICAL|DEVICE|PROCEDURE|RADIATION|BEHAVIORAL|GENETIC|DIETARY_SUPPLEMENT|"
    r"COMBINATION_PRODUCT|DIAGNOSTIC_TEST|OTHER)\s*:\s*(.+)$", re.I)
SUBSTANCE_TYPES = {"DRUG", "BIOLOGICAL", "GENETIC", "COMBINATION_PRODUCT"}
PHASE_IN_TITLE = re.compile(r"\bPhase\s+(I{1,3}|IV|[1-4])(?:\s*/\s*(?:Phase\s+)?(I{1,3}|IV|[1-4]))?\b",
                            re.I)
_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "I": "I", "II": "II", "III": "III", "IV": "IV"}


@dataclass
class _Builder(ExtractContext):
    """The extraction context, collecting the fields of one record while a shape-specific
    reader walks it."""

    identifiers: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    title: str | None = None
    phase: str | None = None
    enrollment: int | None = None
    conditions: list[str] = field(default_factory=list)
    interventions: list[str] = field(default_factory=list)
    sponsor: str | None = None
    countries: list[str] = field(default_factory=list)
    design: str | None = None
    primary: list[str] = field(default_factory=list)
    secondary: list[str] = field(default_factory=list)
    title_span: tuple[int, int] | None = None
    title_phase: Issue | None = None  # "phase read from the title", withdrawn when a phase field is found

    def add_id(self, value: str | None) -> None:
        value = (value or "").strip()
        if value and value not in self.identifiers:
            self.identifiers.append(value)

    def record(self) -> ExtractionResult:
        lang: Lang = self.doc.lang
        self._report_missing()
        span = self.title_span or (0, len(self.doc.text))
        ref = self.doc.ref(*span)
        study = StudyFact(
            identifiers=tuple(self.identifiers), ref=ref, aliases=tuple(_unique(self.aliases)),
            title=self.title, phase=self.phase, enrollment=self.enrollment,
            conditions=tuple(Mention(c, lang, "concept") for c in _unique(self.conditions)),
            interventions=tuple(Mention(i, lang, "substance") for i in _unique(self.interventions)),
            sponsor=Mention(self.sponsor, lang, "organization") if self.sponsor else None,
            countries=tuple(_unique(self.countries)), design=self.design,
            primary_endpoints=tuple(self.primary), secondary_endpoints=tuple(self.secondary))
        info = DocumentInfo(title=self.title, ref=ref)
        return self.result(info, studies=(study,))

    def _report_missing(self) -> None:
        if not any(NCT.fullmatch(i) for i in self.identifiers):
            self.warn("field-missing", "no NCT number in the record")
        if not self.identifiers:
            self.warn("field-missing", "no study identifier (NCT number or sponsor code) in the record: the study "
                      "cannot be joined to other documents by identifier")
        for name, value in (("title", self.title), ("phase", self.phase),
                            ("enrollment", self.enrollment), ("sponsor", self.sponsor)):
            if value is None:
                self.warn("field-missing", f"record gives no {name}")
        for name, values in (("conditions", self.conditions), ("interventions", self.interventions),
                             ("primary outcomes", self.primary), ("countries", self.countries)):
            if not values:
                self.warn("field-missing", f"record gives no {name}")


def _unique(values: list[str]) -> list[str]:
    seen: list[str] = []
    for v in values:
        v = v.strip()
        if v and v not in seen:
            seen.append(v)
    return seen


# --------------------------------------------------------------------------- phase


def normalize_phase(raw: str | list[str] | None) -> tuple[str | None, str | None]:
    """``(phase, problem)``: the normalised phase, or None and why (see module docstring)."""
    if raw is None:
        return None, None
    if isinstance(raw, str) and re.sub(r"[\s_]+", "", raw).upper() in ("NA", "N/A", "NOTAPPLICABLE"):
        return None, f"phase {raw!r} (not applicable) given: no phase recorded"
    tokens = raw if isinstance(raw, list) else re.split(r"\s*[|/,]\s*", raw)
    phases: list[str] = []
    for token in (t.strip() for t in tokens):
        if not token:
            continue
        compact = re.sub(r"[\s_]+", "", token).upper()
        if compact in ("NA", "N/A", "NOTAPPLICABLE"):
            return None, f"phase {token!r} (not applicable) given: no phase recorded"
        m = re.fullmatch(r"(EARLY)?PHASE(I{1,3}|IV|[0-4])", compact)
        if not m:
            return None, f"unknown phase string {token!r}: no phase recorded"
        if m.group(1) or m.group(2) == "0":
            phases.append("0")
        else:
            phases.append(_ROMAN[m.group(2)])
    if not phases:
        return None, None
    return "/".join(_unique(phases)), None


def _set_phase(b: _Builder, raw: str | list[str] | None, span: tuple[int, int] | None = None) -> None:
    phase, problem = normalize_phase(raw)
    if problem:
        b.warn("value-unparsed", problem, span)
    b.phase = phase


# --------------------------------------------------------------------------- entry point


def extract(doc: Document) -> ExtractionResult:
    """Pick the reader by the record's shape: XML, JSON, or the line-per-field text export."""
    head = doc.text.lstrip()[:1]
    if doc.shape == "xml" or head == "<":
        return _from_xml(doc)
    if doc.shape == "json" or head == "{":
        return _from_json(doc)
    return _from_lines(doc)


def _find(doc: Document, value: str | None, start: int = 0) -> tuple[int, int] | None:
    """The span of ``value`` as it appears in the raw record text (first occurrence)."""
    if not value:
        return None
    pos = doc.text.find(value, start)
    return (pos, pos + len(value)) if pos >= 0 else None


def _outcome(measure: str | None, time_frame: str | None) -> str | None:
    """An endpoint as ``measure [time frame]``, the form all three shapes share."""
    measure = (measure or "").strip()
    if not measure:
        return None
    frame = (time_frame or "").strip()
    return f"{measure} [{frame}]" if frame else measure


def _failed(doc: Document, message: str) -> ExtractionResult:
    ctx = ExtractContext(doc)
    ctx.error("record-invalid", message, (0, len(doc.text)))
    return ctx.result(DocumentInfo())


# --------------------------------------------------------------------------- XML (legacy)


def _from_xml(doc: Document) -> ExtractionResult:
    try:
        root = ET.fromstring(doc.text.strip())
    except ET.ParseError as exc:
        return _failed(doc, f"not well-formed XML: {exc}")
    if root.tag != "clinical_study":
        return _failed(doc, f"XML root is <{root.tag}>, not a ClinicalTrials.gov <clinical_study>")
    b = _Builder(doc)

    def text(path: str) -> str | None:
        node = root.find(path)
        value = (node.text or "").strip() if node is not None else ""
        return " ".join(value.split()) or None

    b.add_id(text("id_info/nct_id"))
    b.add_id(text("id_info/org_study_id"))
    for node in root.findall("id_info/secondary_id"):
        b.add_id(node.text)
    for alias in (text("acronym"),):
        if alias:
            b.aliases.append(alias)
    b.title = text("official_title") or text("brief_title")
    b.title_span = _find(doc, b.title)
    raw_phase = text("phase")
    _set_phase(b, raw_phase, _find(doc, raw_phase))
    enrollment = text("enrollment")
    b.enrollment = int(enrollment) if enrollment and enrollment.isdigit() else None
    if enrollment and b.enrollment is None:
        b.warn("value-unparsed", f"enrollment {enrollment!r} is not a number", _find(doc, enrollment))
    b.conditions.extend(n.text or "" for n in root.findall("condition"))
    for node in root.findall("intervention"):
        kind = (node.findtext("intervention_type") or "").strip().upper().replace(" ", "_")
        name = (node.findtext("intervention_name") or "").strip()
        if name and kind in SUBSTANCE_TYPES:
            b.interventions.append(name)
    b.sponsor = text("sponsors/lead_sponsor/agency")
    b.countries.extend(n.text or "" for n in root.findall("location_countries/country"))
    design = [f"{(n.tag or '').replace('_', ' ')}: {(n.text or '').strip()}"
              for n in root.findall("study_design_info/*") if (n.text or "").strip()]
    b.design = "; ".join(design) or None
    for tag, target in (("primary_outcome", b.primary), ("secondary_outcome", b.secondary)):
        for node in root.findall(tag):
            endpoint = _outcome(node.findtext("measure"), node.findtext("time_frame"))
            if endpoint:
                target.append(" ".join(endpoint.split()))
    return b.record()


# --------------------------------------------------------------------------- JSON (API v2)


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _from_json(doc: Document) -> ExtractionResult:
    try:
        data = json.loads(doc.text)
    except json.JSONDecodeError as exc:
        return _failed(doc, f"not valid JSON: {exc}")
    proto = _get(data, "protocolSection")
    if not isinstance(proto, dict):
        return _failed(doc, "JSON has no protocolSection: not a ClinicalTrials.gov API v2 record")
    b = _Builder(doc)
    ident = proto.get("identificationModule") or {}
    b.add_id(ident.get("nctId"))
    b.add_id(_get(ident, "orgStudyIdInfo", "id"))
    for sec in ident.get("secondaryIdInfos") or []:
        b.add_id(_get(sec, "id"))
    if ident.get("acronym"):
        b.aliases.append(ident["acronym"])
    b.title = ident.get("officialTitle") or ident.get("briefTitle")
    b.title_span = _find(doc, b.title)
    design = proto.get("designModule") or {}
    phases = design.get("phases")
    if phases is not None:
        _set_phase(b, [str(p) for p in phases] if isinstance(phases, list) else str(phases))
    count = _get(design, "enrollmentInfo", "count")
    b.enrollment = count if isinstance(count, int) else None
    info = design.get("designInfo") or {}
    parts = [f"{k}: {v}" for k, v in info.items() if isinstance(v, str)]
    masking = _get(info, "maskingInfo", "masking")
    if masking:
        parts.append(f"masking: {masking}")
    b.design = "; ".join(parts) or None
    b.conditions.extend(str(c) for c in _get(proto, "conditionsModule", "conditions") or [])
    for item in _get(proto, "armsInterventionsModule", "interventions") or []:
        if str(_get(item, "type") or "").upper() in SUBSTANCE_TYPES and _get(item, "name"):
            b.interventions.append(str(item["name"]))
    b.sponsor = _get(proto, "sponsorCollaboratorsModule", "leadSponsor", "name")
    b.countries.extend(str(loc["country"]) for loc in
                       _get(proto, "contactsLocationsModule", "locations") or []
                       if isinstance(loc, dict) and loc.get("country"))
    for key, target in (("primaryOutcomes", b.primary), ("secondaryOutcomes", b.secondary)):
        for item in _get(proto, "outcomesModule", key) or []:
            endpoint = _outcome(_get(item, "measure"), _get(item, "timeFrame"))
            if endpoint:
                target.append(endpoint)
    return b.record()


# --------------------------------------------------------------------------- text export


@dataclass(frozen=True)
class _Field:
    """One field of the text export: its physical lines joined, with the span they cover."""

    text: str
    start: int
    end: int

    def items(self) -> list[str]:
        return [v.strip() for v in self.text.split("|") if v.strip()]


def _fields(doc: Document) -> list[_Field]:
    """Split the export into fields. A field is one line, except an outcome list whose
    description runs over several lines: its line is continued until an item ends in a time
    frame (the last comma-separated part of every outcome)."""
    fields: list[_Field] = []
    lines = list(_lines(doc.text))
    i = 0
    while i < len(lines):
        start, end, line = lines[i]
        if not line.strip():
            i += 1
            continue
        parts = [line]
        while _open_outcome(" ".join(parts)) and i + 1 < len(lines):
            i += 1
            _, end, nxt = lines[i]
            if nxt.strip():
                parts.append(nxt.strip())
        fields.append(_Field(" ".join(p.strip() for p in parts), start, end))
        i += 1
    return fields


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line), line.strip("\f")
        pos += len(line) + 1


def _open_outcome(text: str) -> bool:
    """True when the text looks like an outcome item cut before its time frame: it has the
    ``measure, description`` shape but its last part is a sentence (ends with a full stop)."""
    last = text.split("|")[-1]
    if ", " not in last:
        return False
    tail = last.rsplit(", ", 1)[1].strip()
    return tail.endswith(".")


def _is_outcome_list(f: _Field) -> bool:
    items = f.items()
    return bool(items) and all(", " in it and len(it.rsplit(", ", 1)[1]) <= 80 for it in items)


def _outcome_item(item: str) -> str | None:
    """``measure, description, time frame`` -> ``measure [time frame]``. When the measure is
    repeated as the description the repeat tells where the measure ends."""
    body, frame = item.rsplit(", ", 1)
    half = (len(body) - 2) // 2
    if len(body) % 2 == 0 and body[:half] == body[half + 2:] and body[half:half + 2] == ", ":
        measure = body[:half]
    else:
        measure = body.split(", ", 1)[0]
    return _outcome(measure, frame)


def _from_lines(doc: Document) -> ExtractionResult:
    """The field export: title, brief summary, conditions, interventions, primary outcomes,
    secondary outcomes… in that order (the ClinicalTrials.gov download column order), with
    identifiers recognised by shape wherever they are."""
    b = _Builder(doc)
    for m in NCT.finditer(doc.text):
        b.add_id(m.group())
    for m in SPONSOR_CODE.finditer(doc.text):
        if not NCT.fullmatch(m.group()):
            b.add_id(m.group())
    fields = [f for f in _fields(doc) if not NCT.fullmatch(f.text) and not f.text.startswith("http")]
    if not fields:
        return _failed(doc, "empty trial record")
    title = fields[0]
    b.title, b.title_span = title.text, (title.start, title.end)
    m = PHASE_IN_TITLE.search(title.text)
    if m:
        raw = m.group(1) + (f"/{m.group(2)}" if m.group(2) else "")
        b.phase, _ = normalize_phase([f"Phase {p}" for p in raw.split("/")])
        b.title_phase = b.warn("field-missing", "record has no phase field: phase read from the title",
                               (title.start, title.end))
    inter_at = next((i for i, f in enumerate(fields)
                     if f.items() and all(INTERVENTION.match(v) for v in f.items())), None)
    if inter_at is None:
        b.warn("field-missing", "no intervention field (`TYPE: name`) found: conditions and outcomes not read")
        return b.record()
    for item in fields[inter_at].items():
        im = INTERVENTION.match(item)
        if im and im.group(1).upper() in SUBSTANCE_TYPES:
            b.interventions.append(im.group(2).strip())
    if inter_at >= 1 and not _is_outcome_list(fields[inter_at - 1]) and inter_at - 1 > 0:
        b.conditions.extend(fields[inter_at - 1].items())
    outcome_fields = []
    for f in fields[inter_at + 1:]:
        if not _is_outcome_list(f):
            break
        outcome_fields.append(f)
    for f, target in zip(outcome_fields[:2], (b.primary, b.secondary)):
        target.extend(o for o in map(_outcome_item, f.items()) if o)
    _phase_and_enrollment(b, fields[inter_at + 1 + len(outcome_fields):])
    return b.record()


_PHASE_FIELD = re.compile(r"^(?:EARLY_PHASE1|PHASE[1-4]|NA)(?:\|(?:EARLY_PHASE1|PHASE[1-4]|NA))*$")


def _phase_and_enrollment(b: _Builder, fields: list[_Field]) -> None:
    """The later columns that have a shape of their own: phases (``PHASE1|PHASE2``) and, in
    the column right after them, enrollment (a bare integer)."""
    for k, f in enumerate(fields):
        if _PHASE_FIELD.fullmatch(f.text.strip()):
            if b.title_phase is not None:
                b.issues.remove(b.title_phase)
            _set_phase(b, f.items(), (f.start, f.end))
            nxt = fields[k + 1] if k + 1 < len(fields) else None
            if nxt is not None and nxt.text.strip().isdigit():
                b.enrollment = int(nxt.text.strip())
            return
