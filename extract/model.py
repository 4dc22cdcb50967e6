"""Every shared type of the pipeline, as frozen dataclasses.

This module imports nothing else from the package, so every stage can depend on it
and on nothing more. Data flows one way:

    bytes --load--> Document --classify--> Classification --extract--> ExtractionResult
          --link--> Links --build--> rdflib graph --store--> SPARQL

Facts carry the RDF predicate each field maps to in ``field(metadata=...)``; the graph
builder (``extract.rdf.build``) reads that metadata, so adding a fact type needs no
builder code. Metadata keys:

* ``p``: local name of the ``yk:`` predicate (``"rdfs:label"``, ``"dct:…"`` for others);
* ``lang``: the value is text read from the document and gets the document's language tag;
* ``key``: the field takes part in the fact's identity (its IRI), so re-extracting the
  same fact from the same bytes gives the same node.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Union

Lang = Literal["ja", "en"]


class DocType(str, enum.Enum):
    """The document kinds; values are the ontology's subclass local names."""

    REVIEW_REPORT = "ReviewReport"
    RMP = "RiskManagementPlan"
    GUIDELINE = "OptimalUseGuideline"
    TRIAL_RECORD = "ClinicalTrialRecord"
    PRODUCT_INFO = "ProductInformation"
    INTERVIEW_FORM = "InterviewForm"            # 医薬品インタビューフォーム (IF記載要領2018)
    PATIENT_GUIDE = "PatientGuide"              # 患者向医薬品ガイド
    RISK_MATERIAL = "RiskMinimisationMaterial"  # 追加のリスク最小化活動の資材 (適正使用ガイド …)

    @classmethod
    def parse(cls, text: str) -> "DocType":
        """Accept the CLI spellings (``rmp``, ``review-report``, ``ReviewReport`` …)."""
        wanted = text.replace("-", "").replace("_", "").lower()
        aliases = {"rmp": cls.RMP, "review": cls.REVIEW_REPORT, "guideline": cls.GUIDELINE,
                   "trial": cls.TRIAL_RECORD, "pi": cls.PRODUCT_INFO, "packageinsert": cls.PRODUCT_INFO,
                   "if": cls.INTERVIEW_FORM, "guide": cls.PATIENT_GUIDE, "rmm": cls.RISK_MATERIAL,
                   "material": cls.RISK_MATERIAL}
        for member in cls:
            if wanted in (member.value.lower(), member.name.replace("_", "").lower()):
                return member
        if wanted in aliases:
            return aliases[wanted]
        raise ValueError(f"unknown document type {text!r}; one of: "
                         + ", ".join(m.name.lower().replace("_", "-") for m in cls))


@dataclass(frozen=True, slots=True, order=True)
class YearMonth:
    """A year and month a document states without a day (2025年11月改訂, 満了年月: 2026年3月);
    written to the graph as ``xsd:gYearMonth``, never padded to a made-up day."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and 1900 <= self.year <= 2200):
            raise ValueError(f"bad year-month {self.year}-{self.month}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


# --------------------------------------------------------------------------- document


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a piece of evidence sits: page (1-based, None when the source has no pages),
    section path as printed (e.g. ``"7.R.4"``), and the character span in ``Document.text``."""

    doc_id: str
    page: int | None
    section: str | None
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span {self.start}..{self.end}")
        if self.page is not None and self.page < 1:
            raise ValueError(f"page must be 1-based, got {self.page}")


BlockKind = Literal["heading", "paragraph", "list_item", "table_text", "footnote", "furniture"]


@dataclass(frozen=True, slots=True)
class Block:
    """A run of text lines that belong together. ``text`` is the lines joined (Japanese
    lines without a space); ``ref`` spans the original lines in ``Document.text``."""

    text: str
    lang: Lang
    kind: BlockKind
    ref: SourceRef


@dataclass(frozen=True, slots=True)
class Cell:
    row: int
    col: int
    text: str
    ref: SourceRef
    row_span: int = 1
    col_span: int = 1


@dataclass(frozen=True, slots=True)
class Table:
    """A table as cells; ``header_rows`` counts the leading rows that are headers."""

    cells: tuple[Cell, ...]
    n_rows: int
    n_cols: int
    ref: SourceRef
    header_rows: int = 0
    pages: tuple[int, ...] = ()

    def rows(self) -> list[list[str]]:
        """The table as a grid of strings (a spanned value appears in its first cell only)."""
        grid = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for c in self.cells:
            grid[c.row][c.col] = c.text
        return grid


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and what it contains. ``number`` as printed (``"7.R.4"``, ``"１.（１）"``,
    ``"【重要な特定されたリスク】"``) or None for an unnumbered heading; ``start``/``end`` are
    offsets into ``Document.text``."""

    number: str | None
    title: str
    level: int
    start: int
    end: int
    children: tuple["Section", ...] = ()

    @property
    def label(self) -> str:
        return self.number if self.number else self.title


# "font-recovered": read through a recovered font map (``load/pdf_fonts``); "partial": some
# characters unreadable (U+FFFD after a recovered map, or unmapped glyphs dropped inside a
# word or value, or a table/layout pass that failed: the reason says which and how many)
PageStatus = Literal["ok", "unreadable", "ocr", "font-recovered", "partial"]
# how a page's text was obtained: the values of ``yk:extractionMethod``
ExtractionMethod = Literal["text", "pdf-text", "ocr", "font-recovered"]
FurnitureKind = Literal["header", "footer", "page-number", "confidential"]


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote printed apart from the body (smaller type at the foot of a page, or a block
    of marked lines ending a text page), linked to the markers that point to it.

    ``marker`` as printed at the footnote's start (``1)``, ``*1``, ``注1)``, ``※``); the footnote,
    marker included, is ``Document.text[text_start:text_end]`` (it stays in the text, where it was
    printed); ``ref_offsets`` are the start offsets of the same marker in the page's body text
    (``25 mg1)`` → the offset of ``1)``), so an extractor can drop the marker from a number and
    knows which note qualifies the value."""

    marker: str
    text_start: int
    text_end: int
    page: int | None
    ref_offsets: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.marker or self.text_start < 0 or self.text_end <= self.text_start:
            raise ValueError(f"bad footnote {self.marker!r} at {self.text_start}..{self.text_end}")


@dataclass(frozen=True, slots=True)
class Furniture:
    """A line the PDF loader removed from a page's text: a running header or footer, a page
    number or a "Confidential" mark (kept here so what was dropped stays on record)."""

    page: int | None
    kind: FurnitureKind
    text: str

    def __post_init__(self) -> None:
        if self.kind not in ("header", "footer", "page-number", "confidential"):
            raise ValueError(f"unknown furniture kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class Page:
    """One page (text sources without page breaks are one page numbered None).
    ``start``/``end`` are offsets into ``Document.text``."""

    number: int | None
    start: int
    end: int
    status: PageStatus = "ok"
    reason: str = ""
    method: ExtractionMethod | None = None  # None: the document's own ("text" or "pdf-text")
    # (start, end, (x0, top, x1, bottom)): where each text line of a PDF page is printed, in
    # PDF points from the page's top left (offsets into ``Document.text``)
    line_boxes: tuple[tuple[int, int, tuple[float, float, float, float]], ...] = field(
        default=(), repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Document:
    """A loaded document: cleaned text plus its structure, every piece addressable by offset.

    ``text`` is the whole document after ``normalize.text.clean_text``, one source line per
    line, pages separated by a line holding only ``\\f`` (``layout.PAGE_BREAK``). Extractors
    search it and turn spans into ``SourceRef``s
    with ``ref()``, so provenance needs no bookkeeping in the extractors.
    """

    doc_id: str  # sha256 hex of the source bytes
    path: str
    source_format: Literal["pdf", "text"]
    shape: str  # "pdf", "layout", "markdown", "registry", "xml", "json"
    lang: Lang
    text: str
    pages: tuple[Page, ...]
    blocks: tuple[Block, ...]
    tables: tuple[Table, ...]
    sections: tuple[Section, ...]  # top level; children nested
    footnotes: tuple[Footnote, ...] = ()  # in text order
    furniture: tuple[Furniture, ...] = ()  # what the PDF loader removed, page by page
    _page_starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.doc_id) != 64:
            raise ValueError("doc_id must be a sha256 hex digest")
        object.__setattr__(self, "_page_starts", tuple(p.start for p in self.pages))

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def page_at(self, offset: int) -> int | None:
        if not self.pages:
            return None
        i = max(0, bisect.bisect_right(self._page_starts, offset) - 1)
        return self.pages[i].number

    def section_at(self, offset: int) -> Section | None:
        """The innermost section containing ``offset``."""
        found: Section | None = None
        level = self.sections
        while True:
            inner = next((s for s in level if s.start <= offset < s.end), None)
            if inner is None:
                return found
            found, level = inner, inner.children

    def section_path(self, offset: int) -> str | None:
        s = self.section_at(offset)
        return s.label if s else None

    def ref(self, start: int, end: int) -> SourceRef:
        """Provenance for the span ``text[start:end]``."""
        return SourceRef(self.doc_id, self.page_at(start), self.section_path(start), start, end)

    def iter_sections(self) -> list[Section]:
        """Every section, depth first, in document order."""
        out: list[Section] = []
        stack = list(reversed(self.sections))
        while stack:
            s = stack.pop()
            out.append(s)
            stack.extend(reversed(s.children))
        return out

    def box_of(self, start: int, end: int) -> tuple[int, tuple[float, float, float, float]] | None:
        """The page and box (the union of its printed lines' boxes) of the span ``text[start:end]``
        on the page where it starts; None where the loader recorded no boxes."""
        number = self.page_at(start)
        page = next((p for p in self.pages if p.number == number), None)
        if page is None or number is None:
            return None
        hit = [box for s, e, box in page.line_boxes if s < max(end, start + 1) and e > start]
        if not hit:
            return None
        return number, (min(b[0] for b in hit), min(b[1] for b in hit), max(b[2] for b in hit), max(b[3] for b in hit))

    def unreadable_pages(self) -> list[Page]:
        return [p for p in self.pages if p.status == "unreadable"]

    def incomplete_pages(self) -> list[Page]:
        """Pages read in part or not at all (``partial``, ``unreadable``): the reasons say why."""
        return [p for p in self.pages if p.status in ("partial", "unreadable")]

    def footnote_at(self, offset: int) -> Footnote | None:
        """The footnote whose text holds ``offset`` (extractors skip footnote text)."""
        return next((f for f in self.footnotes if f.text_start <= offset < f.text_end), None)

    def footnote_marker_at(self, offset: int) -> Footnote | None:
        """The footnote whose marker starts at ``offset`` in the body (``25 mg1)``: the ``1``)."""
        return next((f for f in self.footnotes if offset in f.ref_offsets), None)


@dataclass(frozen=True, slots=True)
class Classification:
    doc_type: DocType
    lang: Lang
    score: float
    evidence: tuple[str, ...]


# --------------------------------------------------------------------------- mentions

MentionKind = Literal["product", "substance", "organization", "concept", "study"]


@dataclass(frozen=True, slots=True)
class Mention:
    """A name as written in a document, before linking. The linker maps it to a stable key
    (and so an IRI) shared across documents."""

    text: str
    lang: Lang
    kind: MentionKind

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError(f"empty {self.kind} mention")


@dataclass(frozen=True, slots=True)
class Link:
    """The linker's decision for one mention: the entity key and its labels."""

    key: str  # e.g. "lenalidomide", "C0001", "study/CC-5013-ATLL-002"
    kind: MentionKind
    labels: tuple[tuple[Lang, str], ...]  # preferred labels
    alt_labels: tuple[tuple[Lang, str], ...] = ()
    method: str = "exact"  # exact | normalized | lexicon | abbreviation | identifier | unlinked
    score: float = 1.0
    unlinked: bool = False
    codes: tuple[str, ...] = ()  # e.g. "ICD10:C90.0"
    includes: tuple[str, ...] = ()  # keys of sub-concepts named inside the mention (yk:includesConcept)


# --------------------------------------------------------------------------- facts


def _p(pred: str, *, lang: bool = False, key: bool = False) -> dict[str, object]:
    return {"p": pred, "lang": lang, "key": key}


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """Document-level metadata (``yk:SourceDocument``)."""

    title: str | None = None
    issued: dt.date | None = None
    previous_version_date: dt.date | None = None
    products: tuple[Mention, ...] = ()
    ref: SourceRef | None = None
    change_summary: str | None = None  # RMP 変更の履歴: 変更内容の概要 (yk:changeSummary)
    change_reason: str | None = None   # RMP 変更の履歴: 変更理由 (yk:changeReason)
    # review reports (審査報告書): the header fields of the application
    application_date: dt.date | None = None            # yk:applicationDate (申請年月日)
    deliberation_date: dt.date | None = None           # yk:deliberationDate (審議日)
    application_classification: str | None = None      # yk:applicationClassification (申請区分)
    special_mention: str | None = None                 # yk:specialMention (特記事項)
    orphan_designation: bool | None = None             # yk:orphanDesignation (希少疾病用医薬品)
    reviewing_office: str | None = None                # yk:reviewingOffice (審査担当部)
    # interview forms, patient guides, materials: dated by year and month only (2025年11月改訂)
    issued_month: YearMonth | None = None              # yk:issuedMonth (xsd:gYearMonth)
    edition: str | None = None                         # yk:edition, as printed (第17版)
    material_name: str | None = None                   # yk:materialName (適正使用ガイド), materials only


@dataclass(frozen=True, slots=True)
class ProductFact:
    """A product the document names, with what it says of it. ``names`` are every 販売名 /
    brand name with strength as written (``yk:tradeName``)."""

    product: Mention
    ref: SourceRef
    names: tuple[str, ...] = ()
    substances: tuple[Mention, ...] = ()
    holder: Mention | None = None
    approval_number: tuple[str, ...] = ()
    approval_date: tuple[dt.date, ...] = ()
    reexamination_years: int | None = None
    therapeutic_category: str | None = None


@dataclass(frozen=True, slots=True)
class StudyFact:
    """``yk:ClinicalStudy``. ``identifiers`` are codes (``CC-5013-ATLL-002``, ``NCT…``),
    ``aliases`` nicknames (``KarMMa``, ``MM-001試験``)."""

    identifiers: tuple[str, ...]
    ref: SourceRef
    aliases: tuple[str, ...] = ()
    title: str | None = None
    phase: str | None = None
    enrollment: int | None = None
    products: tuple[Mention, ...] = ()
    conditions: tuple[Mention, ...] = ()
    interventions: tuple[Mention, ...] = ()
    sponsor: Mention | None = None
    countries: tuple[str, ...] = ()
    design: str | None = None
    primary_endpoints: tuple[str, ...] = ()
    secondary_endpoints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Indication:
    product: Mention = field(metadata=_p("product", key=True))
    text: str = field(metadata=_p("text", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    disease: Mention | None = field(default=None, metadata=_p("disease"))
    rdf_class = "Indication"


@dataclass(frozen=True, slots=True)
class DosageRegimen:
    product: Mention = field(metadata=_p("product", key=True))
    text: str = field(metadata=_p("text", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    indication: str | None = field(default=None, metadata=_p("indication", key=True))  # Indication.text
    dose_value: Decimal | None = field(default=None, metadata=_p("doseValue", key=True))
    dose_min: Decimal | None = field(default=None, metadata=_p("doseMin", key=True))
    dose_max: Decimal | None = field(default=None, metadata=_p("doseMax", key=True))
    dose_unit: str | None = field(default=None, metadata=_p("doseUnit", key=True))
    route: str | None = field(default=None, metadata=_p("route", key=True))
    frequency: str | None = field(default=None, metadata=_p("frequency", key=True))
    cycle_length_days: int | None = field(default=None, metadata=_p("cycleLengthDays", key=True))
    cycle_days: str | None = field(default=None, metadata=_p("cycleDays", key=True))
    cycle_number: str | None = field(default=None, metadata=_p("cycleNumber", key=True))
    combination_with: tuple[Mention, ...] = field(default=(), metadata=_p("combinationWith"))
    substance: Mention | None = field(default=None, metadata=_p("regimenSubstance", key=True))
    dose_level: str | None = field(default=None, metadata=_p("doseLevel", key=True))  # "starting", "1", "2" …
    # who or when the dose is for, as written: "体重30kg以上", "クレアチニンクリアランス30mL/min未満",
    # "ボリコナゾールとの併用時", "未治療の場合" (several joined by "; ")
    condition: str | None = field(default=None, metadata=_p("doseCondition", lang=True, key=True))
    rdf_class = "DosageRegimen"


@dataclass(frozen=True, slots=True)
class DoseModificationRule:
    product: Mention = field(metadata=_p("product", key=True))
    parameter: Mention = field(metadata=_p("parameter", key=True))
    action: str = field(metadata=_p("action", key=True))  # interrupt | reduce | discontinue | resume
    text: str = field(metadata=_p("text", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    comparator: str | None = field(default=None, metadata=_p("comparator", key=True))
    threshold_value: Decimal | None = field(default=None, metadata=_p("thresholdValue", key=True))
    threshold_unit: str | None = field(default=None, metadata=_p("thresholdUnit", key=True))
    indication: str | None = field(default=None, metadata=_p("indication", key=True))  # Indication.text
    rdf_class = "DoseModificationRule"

    def __post_init__(self) -> None:
        if self.action not in ("interrupt", "reduce", "discontinue", "resume"):
            raise ValueError(f"unknown action {self.action!r}")
        if self.comparator not in (None, "<", "<=", ">", ">="):
            raise ValueError(f"unknown comparator {self.comparator!r}")


ConcernCategory = Literal["identified", "potential", "missing"]


@dataclass(frozen=True, slots=True)
class SafetyConcern:
    product: Mention = field(metadata=_p("product", key=True))
    category: ConcernCategory = field(metadata=_p("concernCategory", key=True))
    label: str = field(metadata=_p("rdfs:label", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    concept: Mention | None = field(default=None, metadata=_p("concept"))
    reason: str | None = field(default=None, metadata=_p("reasonText", lang=True))
    rdf_class = "SafetyConcern"

    def __post_init__(self) -> None:
        if self.category not in ("identified", "potential", "missing"):
            raise ValueError(f"unknown concern category {self.category!r}")


@dataclass(frozen=True, slots=True)
class Activity:
    """A pharmacovigilance (``kind="pv"``) or risk-minimisation (``"rm"``) activity.
    ``addresses`` holds the labels of the SafetyConcerns (same document) it addresses."""

    kind: Literal["pv", "rm", "efficacy"] = field(metadata=_p("", key=True))
    product: Mention = field(metadata=_p("product", key=True))
    label: str = field(metadata=_p("rdfs:label", lang=True, key=True))
    scope: Literal["routine", "additional"] = field(metadata=_p("activityScope", key=True))
    ref: SourceRef = field(metadata=_p(""))
    status: str | None = field(default=None, metadata=_p("status"))  # planned | ongoing | completed
    target_sample_size: int | None = field(default=None, metadata=_p("targetSampleSize"))
    study_code: str | None = field(default=None, metadata=_p("studyCode"))
    addresses: tuple[str, ...] = field(default=(), metadata=_p("addresses"))
    milestones: tuple[str, ...] = field(default=(), metadata=_p("milestone", lang=True))
    period: str | None = field(default=None, metadata=_p("period", lang=True))
    report_due: str | None = field(default=None, metadata=_p("reportDue", lang=True))

    @property
    def rdf_class(self) -> str:
        return {"pv": "PharmacovigilanceActivity", "rm": "RiskMinimisationActivity",
                "efficacy": "EfficacyStudyActivity"}[self.kind]

    def __post_init__(self) -> None:
        if self.status not in (None, "planned", "ongoing", "completed"):
            raise ValueError(f"unknown status {self.status!r}")
        if self.scope not in ("routine", "additional"):
            raise ValueError(f"unknown scope {self.scope!r}")


@dataclass(frozen=True, slots=True)
class EfficacyResult:
    study: Mention = field(metadata=_p("study", key=True))
    endpoint: str = field(metadata=_p("endpoint", key=True))
    ref: SourceRef = field(metadata=_p(""))
    value: Decimal | None = field(default=None, metadata=_p("value", key=True))
    unit: str | None = field(default=None, metadata=_p("unit", key=True))
    ci_lower: Decimal | None = field(default=None, metadata=_p("ciLower", key=True))
    ci_upper: Decimal | None = field(default=None, metadata=_p("ciUpper", key=True))
    arm: str | None = field(default=None, metadata=_p("arm", lang=True, key=True))
    data_cutoff: dt.date | None = field(default=None, metadata=_p("dataCutoff", key=True))
    patient_count: int | None = field(default=None, metadata=_p("patientCount", key=True))
    denominator: int | None = field(default=None, metadata=_p("denominator", key=True))
    # the response criteria as written when the sentence names them ("criteria adjusted as closely
    # as possible to …"): a secondary analysis of the same endpoint must not read as a second
    # primary result
    criteria: str | None = field(default=None, metadata=_p("responseCriteria", lang=True, key=True))
    rdf_class = "EfficacyResult"


@dataclass(frozen=True, slots=True)
class AdverseEventIncidence:
    study: Mention = field(metadata=_p("study", key=True))
    concept: Mention = field(metadata=_p("concept", key=True))
    ref: SourceRef = field(metadata=_p(""))
    arm: str | None = field(default=None, metadata=_p("arm", lang=True, key=True))
    grade_scope: str = field(default="all", metadata=_p("gradeScope", key=True))  # "all" | ">=3"
    patient_count: int | None = field(default=None, metadata=_p("patientCount", key=True))
    percent: Decimal | None = field(default=None, metadata=_p("percent", key=True))
    denominator: int | None = field(default=None, metadata=_p("denominator", key=True))
    product: Mention | None = field(default=None, metadata=_p("product"))
    soc: Mention | None = field(default=None, metadata=_p("systemOrganClass"))  # 器官別大分類 the row is under
    rdf_class = "AdverseEventIncidence"

    def __post_init__(self) -> None:
        if self.grade_scope not in ("all", ">=3", "serious"):
            raise ValueError(f"unknown grade scope {self.grade_scope!r}")


@dataclass(frozen=True, slots=True)
class PatientFlowCount:
    """How many patients reached one stage of a study's patient flow (登録, 投与, 有効性解析対象 …),
    the stage label as written, per arm or population when the flow has several."""

    study: Mention = field(metadata=_p("study", key=True))
    stage: str = field(metadata=_p("flowStage", lang=True, key=True))
    count: int = field(metadata=_p("patientCount", key=True))
    ref: SourceRef = field(metadata=_p(""))
    arm: str | None = field(default=None, metadata=_p("arm", lang=True, key=True))
    rdf_class = "PatientFlowCount"


@dataclass(frozen=True, slots=True)
class ApprovalCondition:
    product: Mention = field(metadata=_p("product", key=True))
    text: str = field(metadata=_p("text", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    rdf_class = "ApprovalCondition"


RequirementKind = Literal["facility", "physician", "patient-eligible", "patient-excluded",
                          "contraindication", "warning", "tell-doctor"]
# "tell-doctor": a patient guide's 次の人は、特に注意が必要です。…医師または薬剤師に告げてください


@dataclass(frozen=True, slots=True)
class UseRequirement:
    product: Mention = field(metadata=_p("product", key=True))
    kind: RequirementKind = field(metadata=_p("requirementKind", key=True))
    text: str = field(metadata=_p("text", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    rdf_class = "UseRequirement"

    def __post_init__(self) -> None:
        if self.kind not in ("facility", "physician", "patient-eligible", "patient-excluded",
                             "contraindication", "warning", "tell-doctor"):
            raise ValueError(f"unknown requirement kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class ManagementRule:
    product: Mention = field(metadata=_p("product", key=True))
    concept: Mention = field(metadata=_p("forConcept", key=True))
    text: str = field(metadata=_p("text", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    grade: int | None = field(default=None, metadata=_p("grade", key=True))
    recommends: tuple[Mention, ...] = field(default=(), metadata=_p("recommends"))
    dose_text: str | None = field(default=None, metadata=_p("doseText", lang=True))
    rdf_class = "ManagementRule"


@dataclass(frozen=True, slots=True)
class PkParameter:
    """One cell of a pharmacokinetic parameter table (review reports): ``Cmax`` 493 ± 72.6
    ng/mL after 25 mg on Day 1, N = 9. ``statistic`` says what value ± dispersion mean."""

    product: Mention = field(metadata=_p("product", key=True))
    parameter: str = field(metadata=_p("pkParameter", key=True))  # as written: "Cmax", "t1/2, z"
    ref: SourceRef = field(metadata=_p(""))
    study: Mention | None = field(default=None, metadata=_p("study", key=True))
    value: Decimal | None = field(default=None, metadata=_p("value", key=True))
    unit: str | None = field(default=None, metadata=_p("unit", key=True))  # as written: "ng/mL"
    dispersion: Decimal | None = field(default=None, metadata=_p("dispersion", key=True))
    statistic: str | None = field(default=None, metadata=_p("statistic", key=True))  # "mean ± SD"
    dose_value: Decimal | None = field(default=None, metadata=_p("doseValue", key=True))
    dose_unit: str | None = field(default=None, metadata=_p("doseUnit", key=True))
    day: int | None = field(default=None, metadata=_p("studyDay", key=True))
    arm: str | None = field(default=None, metadata=_p("arm", lang=True, key=True))
    denominator: int | None = field(default=None, metadata=_p("denominator", key=True))
    rdf_class = "PharmacokineticParameter"


CriterionKind = Literal["inclusion", "exclusion"]


@dataclass(frozen=True, slots=True)
class EligibilityCriterion:
    """One inclusion (選択基準) or exclusion (除外基準) criterion of a study, as written, with its
    sub-items. A study's entry criteria are not conditions of use of the product, so they are
    not ``UseRequirement``s; ``product`` is the product the document is about, when known."""

    study: Mention = field(metadata=_p("study", key=True))
    kind: CriterionKind = field(metadata=_p("criterionKind", key=True))
    text: str = field(metadata=_p("text", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    product: Mention | None = field(default=None, metadata=_p("product"))
    rdf_class = "EligibilityCriterion"

    def __post_init__(self) -> None:
        if self.kind not in ("inclusion", "exclusion"):
            raise ValueError(f"unknown criterion kind {self.kind!r}")


# --- a product's document set (issue 17): interview forms, patient guides, materials


@dataclass(frozen=True, slots=True)
class BrandRecord:
    """Identifiers and dates one passage of a document gives for one trade name (販売名 with its
    strength): an interview form's cover and X. 管理的事項 (製造販売承認年月日及び承認番号, 薬価基準
    収載年月日, 販売開始年月日, 各種コード, 規制区分, 有効期間, 貯法, 包装). One record per passage, so
    each value keeps the page and evidence it was read from; records join on the trade name."""

    product: Mention = field(metadata=_p("product", key=True))
    trade_name: str = field(metadata=_p("tradeName", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    approval_number: str | None = field(default=None, metadata=_p("approvalNumber", key=True))
    approval_date: dt.date | None = field(default=None, metadata=_p("approvalDate", key=True))
    nhi_listing_date: dt.date | None = field(default=None, metadata=_p("nhiListingDate", key=True))
    launch_date: dt.date | None = field(default=None, metadata=_p("launchDate", key=True))
    nhi_price_code: str | None = field(default=None, metadata=_p("nhiPriceCode", key=True))
    yj_code: str | None = field(default=None, metadata=_p("yjCode", key=True))
    hot_number: str | None = field(default=None, metadata=_p("hotNumber", key=True))
    receipt_code: str | None = field(default=None, metadata=_p("receiptCode", key=True))
    regulatory_class: str | None = field(default=None, metadata=_p("regulatoryClass", lang=True, key=True))
    shelf_life: str | None = field(default=None, metadata=_p("shelfLife", lang=True, key=True))
    shelf_life_months: int | None = field(default=None, metadata=_p("shelfLifeMonths", key=True))
    storage: str | None = field(default=None, metadata=_p("storageCondition", lang=True, key=True))
    packaging: str | None = field(default=None, metadata=_p("packaging", lang=True, key=True))
    rdf_class = "BrandRecord"


@dataclass(frozen=True, slots=True)
class ReexaminationPeriod:
    """A re-examination period (再審査期間) as an interview form states it, per indication: its
    length in years and its end (満了年月, a year and month); a period that is the
    remainder of another (残余期間) has an end and no length."""

    product: Mention = field(metadata=_p("product", key=True))
    text: str = field(metadata=_p("text", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    indication: str | None = field(default=None, metadata=_p("indication", key=True))  # as written
    years: int | None = field(default=None, metadata=_p("periodYears", key=True))
    end_month: YearMonth | None = field(default=None, metadata=_p("periodEnd", key=True))
    orphan: bool | None = field(default=None, metadata=_p("orphanDesignation", key=True))
    rdf_class = "ReexaminationPeriod"


@dataclass(frozen=True, slots=True)
class SubstanceRecord:
    """What an interview form's II. 名称に関する項目 says of an active substance: its JAN (和名) and
    INN, molecular formula and weight."""

    substance: Mention = field(metadata=_p("substance", key=True))
    ref: SourceRef = field(metadata=_p(""))
    product: Mention | None = field(default=None, metadata=_p("product"))
    jan: str | None = field(default=None, metadata=_p("janName", lang=True, key=True))
    inn: str | None = field(default=None, metadata=_p("innName", key=True))
    molecular_formula: str | None = field(default=None, metadata=_p("molecularFormula", key=True))
    molecular_weight: Decimal | None = field(default=None, metadata=_p("molecularWeight", key=True))
    rdf_class = "SubstanceRecord"


@dataclass(frozen=True, slots=True)
class InitialSymptoms:
    """The initial (subjective) symptoms a document lists for one serious adverse reaction
    (重大な副作用 → 主な自覚症状 in a patient guide, 重大な副作用と初期症状 in an interview form);
    ``group`` is the sub-heading a reaction's symptoms are split under (``【脳出血】``)."""

    product: Mention = field(metadata=_p("product", key=True))
    label: str = field(metadata=_p("rdfs:label", lang=True, key=True))  # the reaction as written
    ref: SourceRef = field(metadata=_p(""))
    concept: Mention | None = field(default=None, metadata=_p("concept"))
    group: str | None = field(default=None, metadata=_p("symptomGroup", lang=True, key=True))
    symptoms: tuple[str, ...] = field(default=(), metadata=_p("symptom", lang=True))
    rdf_class = "InitialSymptoms"


@dataclass(frozen=True, slots=True)
class SeriousAdverseReaction:
    """An adverse reaction a label lists as serious (重大な副作用: ``11.1.7 腫瘍崩壊症候群(0.4%)``),
    with the frequency its heading gives; the list a document gives, so documents can be
    compared on it (a reaction 頻度不明 is listed all the same)."""

    product: Mention = field(metadata=_p("product", key=True))
    label: str = field(metadata=_p("rdfs:label", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    concept: Mention | None = field(default=None, metadata=_p("concept"))
    percent: Decimal | None = field(default=None, metadata=_p("percent", key=True))
    rdf_class = "SeriousAdverseReaction"


@dataclass(frozen=True, slots=True)
class MaterialTopic:
    """A safety concern a risk-minimisation material addresses (its 注意を要する副作用とその対策
    list), linked to its concept: the material names the RMP's risks without their category."""

    product: Mention = field(metadata=_p("product", key=True))
    label: str = field(metadata=_p("rdfs:label", lang=True, key=True))
    ref: SourceRef = field(metadata=_p(""))
    concept: Mention | None = field(default=None, metadata=_p("concept"))
    rdf_class = "MaterialTopic"


Fact = Union[Indication, DosageRegimen, DoseModificationRule, SafetyConcern, Activity,
             EfficacyResult, AdverseEventIncidence, ApprovalCondition, UseRequirement, ManagementRule,
             PkParameter, PatientFlowCount, EligibilityCriterion, BrandRecord, ReexaminationPeriod,
             SubstanceRecord, InitialSymptoms, SeriousAdverseReaction, MaterialTopic]


# --------------------------------------------------------------------------- results

IssueLevel = Literal["warning", "error"]

# The stable codes of ``Issue`` (tests, eval and scripts match these, never the message text,
# which is for people and may be reworded). A new code is added here with what it means.
ISSUE_CODES: dict[str, str] = {
    "not-this-kind": "the document lacks what every document of its kind has (no product name, no header)",
    "part-missing": "a part of the document (審査報告(2), 別紙様式1, Review Report (1)) is absent",
    "section-missing": "an expected section or labelled block is not in the document",
    "section-unreadable": "a section is there but its content could not be read",
    "section-order": "a label printed apart from its text (two-column layout): read with care",
    "core-empty": "a core section of the kind gave no facts: the document is partial",
    "table-missing": "an expected table is not in the document",
    "table-unreadable": "a table is there but its header, columns or cells could not be read",
    "row-unreadable": "one row or cell of a table could not be read; the rest of the table was",
    "field-missing": "a header or record field is absent",
    "value-unparsed": "a value (date, number, dose, status word) is not in a form that can be read",
    "dosage-unparsed": "a dosage text could not be parsed into a regimen",
    "reference-ambiguous": "a name, heading or abbreviation could refer to several things",
    "reference-unknown": "a name refers to nothing the document defines",
    "study-unattributed": "a result or incidence could not be tied to one study",
    "values-inconsistent": "values disagree with each other (n/N and %, cut-off dates)",
    "content-skipped": "content deliberately not read (a class, a qualifier, a kind not modelled)",
    "redacted": "a passage is masked in the published document",
    "record-invalid": "a structured record (XML, JSON) is malformed",
}


@dataclass(frozen=True, slots=True)
class Issue:
    """Something an extractor could not read (recorded, never raised). An ``error`` makes the
    result partial; a ``warning`` is kept in the graph (``yk:issueText``) for a reader.
    ``code`` is one of ``ISSUE_CODES``: a stable identifier to match on."""

    level: IssueLevel
    code: str
    message: str
    ref: SourceRef | None = None

    def __post_init__(self) -> None:
        if self.level not in ("warning", "error"):
            raise ValueError(f"unknown issue level {self.level!r}")
        if self.code not in ISSUE_CODES:
            raise ValueError(f"unknown issue code {self.code!r}; add it to ISSUE_CODES")


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    info: DocumentInfo
    products: tuple[ProductFact, ...] = ()
    studies: tuple[StudyFact, ...] = ()
    facts: tuple[Fact, ...] = ()
    issues: tuple[Issue, ...] = ()

    @property
    def status(self) -> Literal["ok", "partial"]:
        return "partial" if any(i.level == "error" for i in self.issues) else "ok"

    def mentions(self) -> set[Mention]:
        """Every mention in the result, for the linker."""
        found: set[Mention] = set(self.info.products)
        for obj in (*self.products, *self.studies, *self.facts):
            for name in obj.__slots__:  # type: ignore[union-attr]
                value = getattr(obj, name)
                if isinstance(value, Mention):
                    found.add(value)
                elif isinstance(value, tuple):
                    found.update(v for v in value if isinstance(v, Mention))
        return found
