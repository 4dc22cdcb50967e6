"""Extraction quality as numbers: the graph compared with gold facts written by hand.

Gold lives in ``corpus/gold/<id>.yaml``, one file per document:

    document: "000_…"            # the file-name stem the gold was written from
    facts:
      dose_modification:          # a fact type below; the list is COMPLETE for that type
        - {parameter: platelet-count, action: interrupt, comparator: "<", threshold: 25000}

Each fact type names the fields that identify a fact (its signature) and reads them from the
document's named graph. A gold file may narrow a long list to some of its keys:

    scope:
      adverse_event_incidence: concept   # only the rows whose concept the gold lists count

Before comparing, values are normalised: text by NFKC without
whitespace and case, numbers as ``Decimal`` (``25,000`` = ``25000`` = ``25000.0``), entity
IRIs by their key (``ykid:concept/platelet-count`` -> ``platelet-count``). A gold field whose
name ends in ``_has`` matches when its text (or each text of a list) is contained in the
extracted value, so gold needs only short distinctive phrases, never a copied sentence. The same fact stated twice in one
document counts once: precision and recall are over distinct signatures, per fact type and
per document, with the misses and false facts listed.

Two gold sets are scored and reported apart, each with its own floors (``floors.json`` beside
its files): the **seeds** (``corpus/gold/*.yaml``, documents in ``../shared/seeds``) and the
**real documents** (``corpus/gold/real/*.yaml``, PDFs as PMDA publishes them, in
``../shared/real``). A real gold file names the document it was read from by its path under
that folder, so ``yakuji eval --seeds ../shared/seeds`` can ingest it too:

    document: "imbruvica-2023-01-review"        # file-name stem, as for the seeds
    source: "review/imbruvica-2023-01-review.pdf"  # path under ../shared/real
    read_from: "page images, pp. 1-3, 19-25"   # what a reader looked at (kept for the record)
    facts: …
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extract.store import Store

GOLD_DIR = Path(__file__).resolve().parents[1] / "corpus" / "gold"
REAL_SUBDIR = "real"  # corpus/gold/real: gold for the real documents, with its own floors
SET_TITLES = {"seeds": "seeds", "real": "real documents"}


@dataclass(frozen=True, slots=True)
class FactType:
    """How to read one fact type from a document graph: a SPARQL pattern over ``?x`` that
    binds one variable per field (OPTIONAL where the field may be absent)."""

    name: str
    fields: tuple[str, ...]
    pattern: str


def _opt(*pairs: tuple[str, str]) -> str:
    return " ".join(f"OPTIONAL {{ ?x {p} ?{v} }}" for v, p in pairs)


FACT_TYPES: dict[str, FactType] = {t.name: t for t in (
    FactType("indication", ("product", "disease"),
             "?x a yk:Indication ; yk:product ?product . " + _opt(("disease", "yk:disease"))),
    FactType("dosage_regimen", ("dose_value", "dose_min", "dose_max", "unit", "route", "frequency",
                                "cycle_days"),
             "?x a yk:DosageRegimen . " + _opt(("dose_value", "yk:doseValue"), ("dose_min", "yk:doseMin"),
                                               ("dose_max", "yk:doseMax"), ("unit", "yk:doseUnit"),
                                               ("route", "yk:route"), ("frequency", "yk:frequency"),
                                               ("cycle_days", "yk:cycleDays"))),
    FactType("dose_modification", ("parameter", "action", "comparator", "threshold"),
             "?x a yk:DoseModificationRule ; yk:parameter ?parameter ; yk:action ?action . "
             + _opt(("comparator", "yk:comparator"), ("threshold", "yk:thresholdValue"))),
    FactType("approval_condition", ("text",), "?x a yk:ApprovalCondition ; yk:text ?text ."),
    FactType("safety_concern", ("category", "label"),
             "?x a yk:SafetyConcern ; yk:concernCategory ?category ; rdfs:label ?label ."),
    FactType("additional_activity", ("kind", "label", "status"),
             "?x a ?kind ; yk:activityScope yk:AdditionalActivity ; rdfs:label ?label . "
             "FILTER(?kind IN (yk:PharmacovigilanceActivity, yk:RiskMinimisationActivity)) "
             + _opt(("status", "yk:status"))),
    # response rates and progression-free survival (median, hazard ratio) per study and cut-off
    FactType("efficacy_orr_pfs", ("study", "endpoint", "value", "unit", "cutoff", "arm"),
             "?x a yk:EfficacyResult ; yk:study ?study ; yk:endpoint ?endpoint . "
             "FILTER(?endpoint IN (\"ORR\", \"PFS\")) "
             + _opt(("value", "yk:value"), ("unit", "yk:unit"), ("cutoff", "yk:dataCutoff"),
                    ("arm", "yk:arm"))),
    FactType("management_rule", ("concept", "grade"),
             "?x a yk:ManagementRule ; yk:forConcept ?concept . " + _opt(("grade", "yk:grade"))),
    # frequencies a label states for the product (no study arm): 副作用 overview, 重大な副作用
    FactType("adverse_reaction_frequency", ("concept", "percent"),
             "?x a yk:AdverseEventIncidence ; yk:concept ?concept . "
             "FILTER NOT EXISTS { ?x yk:arm ?arm } " + _opt(("percent", "yk:percent"))),
    # every efficacy figure (any endpoint) with its confidence interval
    FactType("efficacy_result", ("study", "endpoint", "value", "unit", "ci_lower", "ci_upper", "cutoff",
                                 "arm"),
             "?x a yk:EfficacyResult ; yk:study ?study ; yk:endpoint ?endpoint . "
             + _opt(("value", "yk:value"), ("unit", "yk:unit"), ("ci_lower", "yk:ciLower"),
                    ("ci_upper", "yk:ciUpper"), ("cutoff", "yk:dataCutoff"), ("arm", "yk:arm"))),
    # incidences a study reports, per arm (a one-arm table has none), all grades and grade >=3
    FactType("adverse_event_incidence", ("study", "concept", "arm", "grade_scope", "percent"),
             "?x a yk:AdverseEventIncidence ; yk:concept ?concept ; yk:study ?study . "
             + _opt(("arm", "yk:arm"), ("grade_scope", "yk:gradeScope"), ("percent", "yk:percent"))),
    FactType("use_requirement", ("kind", "text"),
             "?x a yk:UseRequirement ; yk:requirementKind ?kind ; yk:text ?text ."),
    # a study's inclusion/exclusion criteria, one per top-level item (sub-items in its text)
    FactType("eligibility_criterion", ("study", "kind", "text"),
             "?x a yk:EligibilityCriterion ; yk:study ?study ; yk:criterionKind ?kind ; yk:text ?text ."),
    FactType("routine_activity", ("kind", "label"),
             "?x a ?kind ; yk:activityScope yk:RoutineActivity ; rdfs:label ?label . "
             "FILTER(?kind IN (yk:PharmacovigilanceActivity, yk:RiskMinimisationActivity))"),
    # interview forms, patient guides, materials (issue 17): identifiers and dates per trade name
    FactType("product_identifier", ("trade_name", "field", "value"),
             "?x a yk:BrandRecord ; yk:tradeName ?trade_name ; ?p ?value . VALUES (?p ?field) { "
             + " ".join(f'(yk:{p} "{f}")' for p, f in (
                 ("approvalNumber", "approval_number"), ("approvalDate", "approval_date"),
                 ("nhiListingDate", "nhi_listing_date"), ("launchDate", "launch_date"),
                 ("nhiPriceCode", "nhi_price_code"), ("yjCode", "yj_code"), ("hotNumber", "hot_number"),
                 ("receiptCode", "receipt_code"), ("regulatoryClass", "regulatory_class"),
                 ("shelfLife", "shelf_life"), ("storageCondition", "storage"), ("packaging", "packaging")))
             + " }"),
    FactType("reexamination_period", ("indication", "years", "end"),
             "?x a yk:ReexaminationPeriod . OPTIONAL { ?x yk:indication ?i OPTIONAL { ?i yk:text ?it } } "
             "BIND(COALESCE(?it, ?i) AS ?indication) " + _opt(("years", "yk:periodYears"), ("end", "yk:periodEnd"))),
    FactType("substance_record", ("jan", "inn", "formula", "weight"),
             "?x a yk:SubstanceRecord . " + _opt(("jan", "yk:janName"), ("inn", "yk:innName"),
                                                 ("formula", "yk:molecularFormula"), ("weight", "yk:molecularWeight"))),
    FactType("serious_adverse_reaction", ("label", "percent"),
             "?x a yk:SeriousAdverseReaction ; rdfs:label ?label . " + _opt(("percent", "yk:percent"))),
    FactType("initial_symptom", ("label", "group", "symptom"),
             "?x a yk:InitialSymptoms ; rdfs:label ?label ; yk:symptom ?symptom . " + _opt(("group", "yk:symptomGroup"))),
    FactType("material_topic", ("label",), "?x a yk:MaterialTopic ; rdfs:label ?label ."),
    FactType("study", ("field", "value"), ""),  # read by _FIELD_QUERIES
    FactType("product", ("field", "value"), ""),
    FactType("document", ("field", "value"), ""),
)}

_STUDY = """
SELECT ?field ?value WHERE { GRAPH <DOC> {
  ?s a yk:ClinicalStudy .
  { ?s yk:studyIdentifier ?value BIND("identifier" AS ?field) }
  UNION { ?s skos:altLabel ?value BIND("alias" AS ?field) }
  UNION { ?s yk:phase ?value BIND("phase" AS ?field) }
  UNION { ?s yk:enrollment ?value BIND("enrollment" AS ?field) }
  UNION { ?s yk:condition ?value BIND("condition" AS ?field) }
  UNION { ?s yk:intervention ?value BIND("intervention" AS ?field) }
  UNION { ?s yk:sponsor ?value BIND("sponsor" AS ?field) }
  UNION { ?s yk:country ?value BIND("country" AS ?field) }
  UNION { ?s yk:primaryEndpoint ?value BIND("primary_endpoint" AS ?field) }
} }"""

_PRODUCT = """
SELECT ?field ?value WHERE { GRAPH <DOC> {
  ?s a yk:MedicinalProduct .
  { ?s yk:tradeName ?value BIND("trade_name" AS ?field) }
  UNION { ?s yk:approvalNumber ?value BIND("approval_number" AS ?field) }
  UNION { ?s yk:approvalDate ?value BIND("approval_date" AS ?field) }
  UNION { ?s yk:marketingAuthorisationHolder ?value BIND("holder" AS ?field) }
  UNION { ?s yk:hasActiveSubstance ?value BIND("substance" AS ?field) }
  UNION { ?s yk:reexaminationYears ?value BIND("reexamination_years" AS ?field) }
  UNION { ?s yk:therapeuticCategory ?value BIND("therapeutic_category" AS ?field) }
} }"""

_DOCUMENT = """
SELECT ?field ?value WHERE { GRAPH <DOC> {
  ?s a yk:SourceDocument .
  { ?s dct:issued ?value BIND("issued" AS ?field) }
  UNION { ?s yk:previousVersionDate ?value BIND("previous_version_date" AS ?field) }
  UNION { ?s yk:applicationDate ?value BIND("application_date" AS ?field) }
  UNION { ?s yk:deliberationDate ?value BIND("deliberation_date" AS ?field) }
  UNION { ?s yk:applicationClassification ?value BIND("application_classification" AS ?field) }
  UNION { ?s yk:specialMention ?value BIND("special_mention" AS ?field) }
  UNION { ?s yk:orphanDesignation ?value BIND("orphan_designation" AS ?field) }
  UNION { ?s yk:reviewingOffice ?value BIND("reviewing_office" AS ?field) }
  UNION { ?s yk:issuedMonth ?value BIND("issued_month" AS ?field) }
  UNION { ?s yk:edition ?value BIND("edition" AS ?field) }
  UNION { ?s yk:materialName ?value BIND("material_name" AS ?field) }
} }"""

# fact types read as (field, value) rows of one entity kind rather than one row per fact
_FIELD_QUERIES = {"study": _STUDY, "product": _PRODUCT, "document": _DOCUMENT}


# ------------------------------------------------------------------------- normalising


def norm_value(value: Any) -> str:
    """The comparable form of one value (see the module docstring)."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if s.startswith(("http://", "https://")):
        s = re.split(r"[/#]", s)[-1]
    number = s.replace(",", "")
    if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", number):
        try:
            return format(Decimal(number).normalize(), "f")
        except InvalidOperation:
            pass
    return re.sub(r"\s+", "", s).casefold()


Signature = tuple[tuple[str, str], ...]


def signature(item: dict[str, Any], fields: tuple[str, ...]) -> Signature:
    """Gold item or extracted row -> ((field, normalised value), …) over the type's fields;
    a ``<field>_has`` key of a gold item stands for ``<field>``."""
    out = []
    for f in fields:
        if f + "_has" in item:
            parts = item[f + "_has"]
            parts = parts if isinstance(parts, list) else [parts]
            out.append((f + "_has", "\x1f".join(norm_value(p) for p in parts)))
        else:
            out.append((f, norm_value(item.get(f))))
    return tuple(out)


def matches(gold: Signature, found: Signature) -> bool:
    for (gf, gv), (_, fv) in zip(gold, found):
        if gf.endswith("_has"):
            if not all(part in fv for part in gv.split("\x1f")):
                return False
        elif gv != fv:
            return False
    return True


# ------------------------------------------------------------------------- scoring


@dataclass(frozen=True, slots=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "Score") -> "Score":
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True, slots=True)
class Comparison:
    document: str
    fact_type: str
    score: Score
    misses: tuple[Signature, ...] = ()
    false: tuple[Signature, ...] = ()


def compare(gold: list[Signature], found: list[Signature]) -> tuple[Score, list[Signature], list[Signature]]:
    """One-to-one greedy matching of distinct gold and extracted signatures; the gold facts
    with the longest ``_has`` phrases go first, so a general phrase (``本品群254例``) cannot
    take the row a more specific one (``全体集団`` + ``本品群254例``) needs."""
    gold_set = list(dict.fromkeys(gold))
    left = list(dict.fromkeys(found))
    misses: list[Signature] = []
    for g in sorted(gold_set, key=lambda sig: -sum(len(v) for k, v in sig if k.endswith("_has"))):
        hit = next((f for f in left if matches(g, f)), None)
        if hit is None:
            misses.append(g)
        else:
            left.remove(hit)
    tp = len(gold_set) - len(misses)
    return Score(tp, len(left), len(misses)), misses, left


# ------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class Gold:
    name: str  # the gold file's stem
    document: str  # file-name stem of the document
    facts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # fact type -> field: the gold is complete only for the values of that field it lists
    scope: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # real gold: the document's path under ../shared/real


def load_gold(gold_dir: Path | None = None) -> list[Gold]:
    import yaml

    folder = gold_dir or GOLD_DIR
    if not folder.is_dir():
        raise FileNotFoundError(f"no gold folder at {folder}")
    out = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        facts = data.get("facts") or {}
        unknown = set(facts) - set(FACT_TYPES)
        if unknown:
            raise ValueError(f"{path.name}: unknown fact type(s) {sorted(unknown)}")
        scope = {str(k): str(v) for k, v in (data.get("scope") or {}).items()}
        bad_scope = [k for k, v in scope.items() if k not in facts or v not in FACT_TYPES[k].fields]
        if bad_scope:
            raise ValueError(f"{path.name}: scope names no listed fact type and field: {bad_scope}")
        source = str(data["source"]) if data.get("source") else None
        out.append(Gold(path.stem, str(data["document"]), {k: list(v or []) for k, v in facts.items()}, scope,
                        source))
    return out


def gold_sets(gold_dir: Path | None = None) -> dict[str, Path]:
    """The gold sets under ``gold_dir`` by name: ``seeds`` (its own ``*.yaml``) and ``real`` (its
    ``real/`` folder), each present when it holds a gold file."""
    folder = gold_dir or GOLD_DIR
    if not folder.is_dir():
        raise FileNotFoundError(f"no gold folder at {folder}")
    sets = {"seeds": folder, "real": folder / REAL_SUBDIR}
    return {name: path for name, path in sets.items() if path.is_dir() and any(path.glob("*.yaml"))}


def real_sources(golds: list[Gold], real_dir: Path) -> list[Path]:
    """The real documents the gold was read from that are present under ``real_dir``."""
    paths = [real_dir / g.source for g in golds if g.source]
    return [p for p in dict.fromkeys(paths) if p.is_file()]


def _document_graph(store: "Store", stem: str) -> str | None:
    rows = store.select("SELECT ?d ?f WHERE { ?d a yk:SourceDocument ; yk:fileName ?f }")
    hits = sorted(r["d"].value for r in rows if Path(r["f"].value).stem == stem)
    return hits[0] if hits else None


_HASHED = re.compile(r"/x-[0-9a-f]{12}$")  # an entity the lexicon does not know: keyed by a hash


def extracted(store: "Store", doc_iri: str, ft: FactType) -> list[dict[str, str]]:
    """The rows of one fact type in one document graph, as {field: value}. An entity the lexicon
    does not know has a hashed key; its label as written stands for it, so gold names it as a
    reader reads it (``End Stage Renal Disease``)."""
    if ft.name in _FIELD_QUERIES:
        sparql = _FIELD_QUERIES[ft.name].replace("DOC", doc_iri)
    else:
        sparql = f"SELECT ?x ?{' ?'.join(ft.fields)} WHERE {{ GRAPH <{doc_iri}> {{ {ft.pattern} }} }}"
    rows = [{k: v.value for k, v in r.items()} for r in store.select(sparql)]
    hashed = {v for r in rows for k, v in r.items() if k != "x" and _HASHED.search(v)}
    if hashed:
        values = " ".join(f"<{v}>" for v in sorted(hashed))
        labels = {r["e"].value: r["l"].value for r in store.select(
            f"SELECT ?e ?l WHERE {{ GRAPH <{doc_iri}> {{ VALUES ?e {{ {values} }} ?e rdfs:label ?l }} }}")}
        rows = [{k: labels.get(v, v) if k != "x" else v for k, v in r.items()} for r in rows]
    return rows


def in_scope(rows: list[dict[str, str]], items: list[dict[str, Any]], key: str) -> list[dict[str, str]]:
    """The extracted rows whose ``key`` value the gold lists: a gold written for a few key
    terms of a long table is complete for those terms only, so the others are not false."""
    wanted = {norm_value(i.get(key)) for i in items}
    return [r for r in rows if norm_value(r.get(key)) in wanted]


def evaluate_store(store: "Store", golds: list[Gold]) -> list[Comparison]:
    out: list[Comparison] = []
    for gold in golds:
        doc_iri = _document_graph(store, gold.document)
        for name, items in sorted(gold.facts.items()):
            ft = FACT_TYPES[name]
            gold_sigs = [signature(i, ft.fields) for i in items]
            rows = [] if doc_iri is None else extracted(store, doc_iri, ft)
            if name in _FIELD_QUERIES:  # complete for the fields it lists, not for every field
                rows = [r for r in rows if r.get("field") in {i.get("field") for i in items}]
            if name in gold.scope:
                rows = in_scope(rows, items, gold.scope[name])
            found = [signature(r, ft.fields) for r in rows]
            score, misses, false = compare(gold_sigs, found)
            out.append(Comparison(gold.name, name, score, tuple(misses), tuple(false)))
    return out


# ------------------------------------------------------------------------- floors and report


def load_floors(gold_dir: Path | None = None) -> dict[str, dict[str, float]]:
    path = (gold_dir or GOLD_DIR) / "floors.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def totals(results: list[Comparison], by: str) -> dict[str, Score]:
    out: dict[str, Score] = {}
    for c in results:
        key = c.fact_type if by == "type" else c.document
        out[key] = out.get(key, Score(0, 0, 0)) + c.score
    return dict(sorted(out.items()))


def below_floor(results: list[Comparison], floors: dict[str, dict[str, float]]) -> list[str]:
    """Every figure under its floor, as a readable line (floors are per fact type)."""
    bad = []
    for name, s in totals(results, "type").items():
        for metric, floor in floors.get(name, {}).items():
            value = round(getattr(s, metric), 3)
            if value < floor:
                bad.append(f"{name} {metric} {value:.3f} < floor {floor:.3f}")
    return bad


def _sig_text(sig: Signature) -> str:
    return ", ".join(f"{k}={v}" for k, v in sig if v)


def render_text(results: list[Comparison], floors: dict[str, dict[str, float]]) -> str:
    lines = ["| fact type | P | R | F1 | TP | FP | FN |", "|---|---|---|---|---|---|---|"]
    for name, s in totals(results, "type").items():
        lines.append(f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.tp} | {s.fp} | {s.fn} |")
    lines += ["", "| document | P | R | F1 | TP | FP | FN |", "|---|---|---|---|---|---|---|"]
    for name, s in totals(results, "doc").items():
        lines.append(f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.tp} | {s.fp} | {s.fn} |")
    for c in results:
        for sig in c.misses:
            lines.append(f"miss  {c.document} {c.fact_type}: {_sig_text(sig)}")
        for sig in c.false:
            lines.append(f"false {c.document} {c.fact_type}: {_sig_text(sig)}")
    for line in below_floor(results, floors):
        lines.append(f"BELOW FLOOR: {line}")
    return "\n".join(lines) + "\n"


def render_json(results: list[Comparison], floors: dict[str, dict[str, float]]) -> str:
    def score(s: Score) -> dict[str, Any]:
        return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4),
                "tp": s.tp, "fp": s.fp, "fn": s.fn}

    data = {"by_type": {k: score(s) for k, s in totals(results, "type").items()},
            "by_document": {k: score(s) for k, s in totals(results, "doc").items()},
            "misses": [{"document": c.document, "type": c.fact_type, "fact": dict(sig)}
                       for c in results for sig in c.misses],
            "false": [{"document": c.document, "type": c.fact_type, "fact": dict(sig)}
                      for c in results for sig in c.false],
            "below_floor": below_floor(results, floors)}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def evaluate_documents(paths: list[Path], golds: list[Gold]) -> list[Comparison]:
    """Ingest ``paths`` into a fresh temporary store and evaluate it."""
    return evaluate_sets(paths, {"": golds})[""]


def evaluate_sets(paths: list[Path], sets: dict[str, list[Gold]]) -> dict[str, list[Comparison]]:
    """Ingest ``paths`` into one fresh temporary store and evaluate each gold set against it."""
    from extract.pipeline import ingest_paths
    from extract.store import Store

    with tempfile.TemporaryDirectory(prefix="yakuji-eval-") as tmp, Store(Path(tmp) / "store") as st:
        ingest_paths(paths, st)
        return {name: evaluate_store(st, golds) for name, golds in sets.items()}


def run_eval(store_path: Path, *, gold_dir: Path | None = None, seeds: Path | None = None,
             real: Path | None = None, fmt: str = "text") -> tuple[str, list[str]]:
    """The printed report and the figures below their floors (the CLI exits 1 on any), for each
    gold set apart. With ``seeds`` (documents to ingest into a fresh store) the real documents
    the real gold names are ingested too, from ``real`` or else the ``real`` folder beside the
    seeds (``../shared/real`` beside ``../shared/seeds``) when there is one."""
    from extract.store import Store

    sets = {name: load_gold(folder) for name, folder in gold_sets(gold_dir).items()}
    if seeds is not None:
        real_dir = real or (seeds.parent / "real" if seeds.is_dir() else None)
        extra = real_sources(sets.get("real", []), real_dir) if real_dir and real_dir.is_dir() else []
        results = evaluate_sets([seeds, *extra], sets)
    else:
        with Store(store_path, read_only=True) as st:
            results = {name: evaluate_store(st, golds) for name, golds in sets.items()}
    folders = gold_sets(gold_dir)
    parts, below = [], []
    for name, res in results.items():
        floors = load_floors(folders[name])
        below += [f"{name}: {line}" for line in below_floor(res, floors)]
        parts.append((name, res, floors))
    if fmt == "json":
        return _json_sets(parts), below
    return "\n".join(f"## {SET_TITLES[name]} ({len(sets[name])} gold files)\n\n{render_text(res, floors)}"
                     for name, res, floors in parts), below


def _json_sets(parts: list[tuple[str, list[Comparison], dict[str, dict[str, float]]]]) -> str:
    """The seeds' report at the top level (as before there were two sets), the others by name."""
    data: dict[str, Any] = {}
    for name, res, floors in parts:
        one = json.loads(render_json(res, floors))
        if name == "seeds":
            data.update(one)
        else:
            data[name] = one
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


__all__ = ["FACT_TYPES", "Score", "Comparison", "Gold", "load_gold", "gold_sets", "real_sources", "evaluate_store",
           "evaluate_documents", "evaluate_sets", "run_eval", "in_scope", "norm_value", "signature", "compare", "totals",
           "below_floor", "load_floors"]
