"""Where documents about the same product disagree (competency question 14).

A product's facts are spread over documents of different kinds and dates. This module reads
the store (the union of all document graphs), groups each kind of fact by what makes two
statements comparable — the product and the disease for an indication, the product, substance
and unit for a dose, the study for an enrolment, the study, endpoint, arm and cut-off for an
efficacy figure — and reports every pair of documents that state different values, side by
side with their titles, kinds, dates, pages, sections and evidence texts.

A difference between two documents of the same kind with different dates is most likely a
revision (a later version of the label or plan), so it is labelled ``later-version`` rather
than ``disagreement``; the newer document is always marked when both are dated.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal

from extract.rdf.namespaces import YK

if TYPE_CHECKING:
    from extract.store import Store

Aspect = Literal["indication", "indication-condition", "dose", "safety-concerns", "enrollment",
                 "efficacy", "contraindications", "serious-adverse-reactions"]
Kind = Literal["disagreement", "later-version"]


@dataclass(frozen=True, slots=True)
class DocRef:
    """One source document as the report shows it."""

    iri: str
    title: str
    kind: str  # the yk: subclass local name, e.g. "OptimalUseGuideline"
    issued: str | None  # ISO date, or year-month (interview forms, guides, materials), or None
    file_name: str
    language: str | None = None  # dct:language, "ja" or "en"


@dataclass(frozen=True, slots=True)
class Statement:
    """What one document says on the compared point, and where."""

    doc: DocRef
    value: str
    page: int | None = None
    section: str | None = None
    evidence: str = ""
    nodes: tuple[str, ...] = ()  # the fact nodes stated (the web page marks them)


@dataclass(frozen=True, slots=True)
class Difference:
    """Two documents stating different values for the same product and point.
    ``newer`` is ``"a"``, ``"b"`` or None (a date missing, or equal dates)."""

    product: str
    aspect: Aspect
    subject: str  # what is compared: the disease, "dose mg/m2", "BB2121-MM-001 ORR …"
    a: Statement
    b: Statement
    kind: Kind
    newer: Literal["a", "b"] | None


@dataclass(frozen=True, slots=True)
class Report:
    differences: tuple[Difference, ...] = ()
    products: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------------- reading the store

_DOC = """
SELECT ?kind ?title ?issued ?file ?lang WHERE {
  ?doc a yk:SourceDocument , ?kind ; yk:fileName ?file .
  FILTER(?kind != yk:SourceDocument && STRSTARTS(STR(?kind), STR(yk:)))
  OPTIONAL { ?doc dct:title ?title } OPTIONAL { ?doc dct:language ?lang }
  OPTIONAL { ?doc dct:issued ?day } OPTIONAL { ?doc yk:issuedMonth ?month }
  BIND(COALESCE(STR(?day), STR(?month)) AS ?issued)
}"""

_PRODUCTS = """
SELECT ?p (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d yk:aboutProduct ?p } GROUP BY ?p"""

_PROVENANCE = "OPTIONAL { ?x yk:page ?page } OPTIONAL { ?x yk:section ?section } " \
              "OPTIONAL { ?x yk:evidenceText ?evidence }"

_INDICATIONS = f"""
SELECT ?x ?d ?disease ?text ?page ?section ?evidence WHERE {{
  ?x a yk:Indication ; yk:product ?product ; yk:text ?text ; prov:wasDerivedFrom ?d .
  OPTIONAL {{ ?x yk:disease ?disease }} {_PROVENANCE}
}}"""

_DOSES = f"""
SELECT ?x ?d ?unit ?route ?substance ?value ?min ?max ?text ?page ?section ?evidence WHERE {{
  ?x a yk:DosageRegimen ; yk:product ?product ; yk:doseUnit ?unit ; prov:wasDerivedFrom ?d .
  OPTIONAL {{ ?x yk:text ?text }} OPTIONAL {{ ?x yk:route ?route }}
  OPTIONAL {{ ?x yk:regimenSubstance ?substance }} OPTIONAL {{ ?x yk:doseValue ?value }}
  OPTIONAL {{ ?x yk:doseMin ?min }} OPTIONAL {{ ?x yk:doseMax ?max }} {_PROVENANCE}
}}"""

_CONCERNS = f"""
SELECT ?x ?d ?concept ?label ?page ?section ?evidence WHERE {{
  ?x a yk:SafetyConcern ; yk:product ?product ; rdfs:label ?label ; prov:wasDerivedFrom ?d .
  OPTIONAL {{ ?x yk:concept ?concept }} {_PROVENANCE}
}}"""

_ENROLLMENT = """
SELECT DISTINCT ?study ?d ?n ?page ?section ?evidence WHERE {
  { ?study yk:studiesProduct ?product } UNION
  { ?d0 yk:aboutProduct ?product . GRAPH ?d0 { ?r yk:study ?study } }
  GRAPH ?d { ?study yk:enrollment ?n ; prov:wasDerivedFrom ?d .
             OPTIONAL { ?study yk:page ?page } OPTIONAL { ?study yk:section ?section }
             OPTIONAL { ?study yk:evidenceText ?evidence } }
}"""

_STUDIES = """
SELECT DISTINCT ?study WHERE {
  { ?study yk:studiesProduct ?product } UNION
  { ?d0 yk:aboutProduct ?product . GRAPH ?d0 { ?r yk:study ?study } }
}"""

# The product's studies are found first and given as VALUES: with the union inside, Oxigraph
# started from every yk:EfficacyResult of the store (1.4 s on 1.3 M triples instead of 1 ms).
_EFFICACY = f"""
SELECT ?x ?d ?study ?endpoint ?value ?unit ?arm ?cutoff ?page ?section ?evidence WHERE {{
  {{studies}}
  ?x yk:study ?study ; a yk:EfficacyResult ; yk:endpoint ?endpoint ; yk:value ?value ;
     prov:wasDerivedFrom ?d .
  OPTIONAL {{ ?x yk:unit ?unit }} OPTIONAL {{ ?x yk:arm ?arm }} OPTIONAL {{ ?x yk:dataCutoff ?cutoff }}
  {_PROVENANCE}
}}"""


def _rows(store: "Store", sparql: str, product: str | None = None, *,
          var: str = "product") -> list[dict[str, str]]:
    """SELECT rows as plain strings; ``?product`` (or ``?<var>``) replaced by the IRI given
    (an IRI read from the store itself, checked to hold no SPARQL delimiter)."""
    if product is not None:
        if re.search(r"[<>\s\"{}]", product):
            raise ValueError(f"not an IRI: {product!r}")
        sparql = re.sub(rf"\?{var}\b", lambda _m: f"<{product}>", sparql)
    return [{k: v.value for k, v in row.items()} for row in store.select(sparql)]


class _Documents:
    """The documents statements come from, read when first met: a product's facts come from a
    handful of documents, and reading every document of a large store took longer than
    comparing one product's facts. ``in`` is false for a document the store does not describe."""

    def __init__(self, store: "Store") -> None:
        self._store = store
        self._known: dict[str, DocRef | None] = {}

    def _get(self, iri: str) -> DocRef | None:
        if iri not in self._known:
            rows = _rows(self._store, _DOC, iri, var="doc")
            self._known[iri] = None if not rows else DocRef(
                iri, rows[0].get("title", rows[0]["file"]), rows[0]["kind"].removeprefix(str(YK)),
                rows[0].get("issued"), rows[0]["file"], rows[0].get("lang"))
        return self._known[iri]

    def __contains__(self, iri: object) -> bool:
        return isinstance(iri, str) and self._get(iri) is not None

    def __getitem__(self, iri: str) -> DocRef:
        found = self._get(iri)
        if found is None:
            raise KeyError(iri)
        return found


def find_products(store: "Store", name: str | None = None) -> list[tuple[str, str]]:
    """(IRI, label) of the products named by two or more documents, or of the product called
    ``name`` (any label, trade name or IRI, case-insensitive) whatever its document count."""
    if name:
        wanted = unicodedata.normalize("NFKC", name).strip().lower()
        sparql = ("SELECT DISTINCT ?p ?l WHERE { ?p a yk:MedicinalProduct ; "
                  "rdfs:label|yk:tradeName|skos:altLabel ?l }")
        hits = {r["p"] for r in _rows(store, sparql)
                if wanted in (unicodedata.normalize("NFKC", r["l"]).lower(), r["p"].lower())}
        return sorted((p, _label(store, p)) for p in hits)
    return sorted((r["p"], _label(store, r["p"])) for r in _rows(store, _PRODUCTS) if int(r["n"]) >= 2)


def _label(store: "Store", iri: str) -> str:
    """An entity's English label if it has one, else any label, else its key."""
    rows = _rows(store, "SELECT ?l WHERE { ?product rdfs:label ?l }", iri)
    labels = sorted((0 if r["l"].isascii() else 1, r["l"]) for r in rows)
    return labels[0][1] if labels else _local(iri)


# ------------------------------------------------------------------------- comparing


def compact(text: str) -> str:
    """Wording without layout: NFKC, no whitespace, list bullets unified (``- `` / ``・``)."""
    s = unicodedata.normalize("NFKC", text)
    s = re.sub(r"(?m)^\s*[-・•*]\s*", "・", s)
    return re.sub(r"\s+", "", s)


_PRIOR_JA = re.compile(r"(\d+)\s*(?:つ|レジメン|ライン|種類)以上の(?:前治療|治療歴|化学療法)")
_PRIOR_EN = re.compile(r"(?:at least\s+(\d+)|(\d+)\s+or\s+more)\s+(?:prior|previous)\s+"
                       r"(?:lines? of\s+)?(?:therap|regimen|treatment)", re.IGNORECASE)


def prior_therapies(text: str) -> int | None:
    """The minimum number of prior therapies an indication requires, or None when it states
    none (or two different numbers: then it is not one condition)."""
    s = unicodedata.normalize("NFKC", text)
    found = {int(m.group(1)) for m in _PRIOR_JA.finditer(s)}
    found |= {int(m.group(1) or m.group(2)) for m in _PRIOR_EN.finditer(s)}
    return found.pop() if len(found) == 1 else None


def _statement(docs: _Documents, r: dict[str, str], value: str) -> Statement:
    return Statement(docs[r["d"]], value, int(r["page"]) if "page" in r else None,
                     r.get("section"), r.get("evidence", ""), (r["x"],) if "x" in r else ())


def _at_same_precision(da: str | None, db: str | None) -> tuple[str | None, str | None]:
    """Two document dates compared at the precision both have: a year-month (2026-03) and a
    day of that month (2026-03-06) are the same time, not one newer than the other."""
    if da and db:
        n = min(len(da), len(db))
        return da[:n], db[:n]
    return da, db


def _pair(product: str, aspect: Aspect, subject: str, a: Statement, b: Statement) -> Difference:
    """Order the two statements oldest first and say whether dates explain the difference."""
    da, db = _at_same_precision(a.doc.issued, b.doc.issued)
    if da and db and da > db:
        a, b, da, db = b, a, db, da
    newer: Literal["a", "b"] | None = "b" if da and db and da != db else None
    kind: Kind = "later-version" if newer and a.doc.kind == b.doc.kind else "disagreement"
    return Difference(product, aspect, subject, a, b, kind, newer)


def _differ(product: str, aspect: Aspect, groups: dict[str, dict[str, list[Statement]]],
            same: Callable[[list[Statement], list[Statement]], bool], *,
            same_language: bool = False) -> list[Difference]:
    """For each compared point, every pair of documents whose statements are not ``same``
    (``same_language``: only documents written in one language, for wording)."""
    out: list[Difference] = []
    for subject, by_doc in sorted(groups.items()):
        for da, db in combinations(sorted(by_doc), 2):
            if same_language and by_doc[da][0].doc.language != by_doc[db][0].doc.language:
                continue
            if not same(by_doc[da], by_doc[db]):
                a = _merge(by_doc[da])
                b = _merge(by_doc[db])
                out.append(_pair(product, aspect, subject, a, b))
    return out


def _merge(statements: list[Statement]) -> Statement:
    """Several statements of one document on one point shown as one (values joined)."""
    first = statements[0]
    values = sorted({s.value for s in statements})
    evidence = "\n".join(dict.fromkeys(s.evidence for s in statements if s.evidence))
    nodes = tuple(dict.fromkeys(n for s in statements for n in s.nodes))
    return Statement(first.doc, "; ".join(values), first.page, first.section, evidence, nodes)


def _same_values(a: list[Statement], b: list[Statement]) -> bool:
    return {s.value for s in a} == {s.value for s in b}


def _group(rows: Iterable[dict[str, str]], subject: Callable[[dict[str, str]], str | None],
           value: Callable[[dict[str, str]], str | list[str] | None],
           docs: _Documents) -> dict[str, dict[str, list[Statement]]]:
    """Statements by compared point and document; ``value`` may give several values of one
    row (a regimen stating a target dose and a range)."""
    groups: dict[str, dict[str, list[Statement]]] = {}
    for r in rows:
        s, v = subject(r), value(r)
        if s is None or v is None or r["d"] not in docs:
            continue
        for one in ([v] if isinstance(v, str) else v):
            groups.setdefault(s, {}).setdefault(r["d"], []).append(_statement(docs, r, one))
    return groups


def _local(iri: str | None) -> str:
    return (iri or "").rsplit("/", 1)[-1]


def _num(text: str | None) -> str | None:
    return None if text is None else format(Decimal(text).normalize(), "f")


def indication_differences(store: "Store", product: str, label: str,
                           docs: _Documents) -> list[Difference]:
    """Indications for the same disease worded differently (in documents of one language: an
    English and a Japanese review always word it differently), and, separately, a different
    number of prior therapies required (the condition most often changed)."""
    rows = _rows(store, _INDICATIONS, product)
    wording = _group(rows, lambda r: _local(r.get("disease")) or None,
                     lambda r: compact(r["text"]), docs)
    out = _differ(label, "indication", wording, _same_values, same_language=True)
    # show the text as written, not the compacted form
    out = [_with_written(d, rows) for d in out]
    prior = _group(rows, lambda r: _local(r.get("disease")) or None,
                   lambda r: _prior_value(r["text"]), docs)
    out += _differ(label, "indication-condition", prior, _same_values)
    return out


def _prior_value(text: str) -> str | None:
    n = prior_therapies(text)
    return None if n is None else f"{n} or more prior therapies"


def _with_written(diff: Difference, rows: list[dict[str, str]]) -> Difference:
    def written(st: Statement) -> Statement:
        texts = [r["text"] for r in rows if r["d"] == st.doc.iri and compact(r["text"]) in st.value.split("; ")]
        return Statement(st.doc, "; ".join(dict.fromkeys(texts)) or st.value, st.page, st.section, st.evidence,
                         st.nodes)

    return Difference(diff.product, diff.aspect, diff.subject, written(diff.a), written(diff.b),
                      diff.kind, diff.newer)


def dose_differences(store: "Store", product: str, label: str,
                     docs: _Documents) -> list[Difference]:
    """Doses of the same substance (or the product itself) in the same unit and route: the
    sets of single doses and ranges each document states."""
    rows = _rows(store, _DOSES, product)

    names: dict[str, str] = {}

    def subject(r: dict[str, str]) -> str:
        what = r.get("substance") or product
        if what not in names:
            names[what] = label if what == product else _label(store, what)
        return f"{names[what]} in {r['unit']}"

    def value(r: dict[str, str]) -> list[str]:
        out = [f"{_num(r['value'])} {r['unit']}"] if r.get("value") else []
        if r.get("min") and r.get("max"):
            out.append(f"{_num(r['min'])}-{_num(r['max'])} {r['unit']}")
        return out

    groups = _group(rows, subject, value, docs)
    return _differ(label, "dose", groups, _same_values)


def concern_differences(store: "Store", product: str, label: str,
                        docs: _Documents) -> list[Difference]:
    """Safety concerns in one document's list and absent from another's (only documents that
    list safety concerns at all are compared)."""
    rows = _rows(store, _CONCERNS, product)
    by_doc: dict[str, dict[str, dict[str, str]]] = {}
    for r in rows:
        if r["d"] in docs:
            key = _local(r.get("concept")) or compact(r["label"])
            by_doc.setdefault(r["d"], {}).setdefault(key, r)
    out: list[Difference] = []
    for da, db in combinations(sorted(by_doc), 2):
        for key in sorted(set(by_doc[da]) ^ set(by_doc[db])):
            has, lacks = (da, db) if key in by_doc[da] else (db, da)
            r = by_doc[has][key]
            present = _statement(docs, r, f"listed: {r['label']}")
            absent = Statement(docs[lacks], "not listed")
            a, b = (present, absent) if has == da else (absent, present)
            out.append(_pair(label, "safety-concerns", r["label"], a, b))
    return out


def enrollment_differences(store: "Store", product: str, label: str,
                           docs: _Documents) -> list[Difference]:
    rows = _rows(store, _ENROLLMENT, product)
    groups = _group(rows, lambda r: _local(r["study"]), lambda r: r["n"], docs)
    return _differ(label, "enrollment", groups, _same_values)


def efficacy_differences(store: "Store", product: str, label: str,
                         docs: _Documents) -> list[Difference]:
    """The same study, endpoint, arm (as written, compacted), unit and data cut-off with a
    different value. Only documents that give a cut-off are compared: without it two
    figures of the same endpoint may come from different analyses."""
    studies = [r["study"] for r in _rows(store, _STUDIES, product)]
    if not studies or any(re.search(r"[<>\s\"{}]", s) for s in studies):
        return []
    values = "VALUES ?study { " + " ".join(f"<{s}>" for s in studies) + " }"
    rows = [r for r in _rows(store, _EFFICACY.replace("{studies}", values)) if r.get("cutoff")]

    def subject(r: dict[str, str]) -> str:
        arm = compact(r.get("arm", "")) or "-"
        return f"{_local(r['study'])} {r['endpoint']} arm {arm} cut-off {r['cutoff']} {r.get('unit', '')}".strip()

    groups = _group(rows, subject, lambda r: _num(r["value"]), docs)
    return _differ(label, "efficacy", groups, _same_values)


_CONTRAINDICATIONS = f"""
SELECT ?x ?d ?text ?page ?section ?evidence WHERE {{
  ?x a yk:UseRequirement ; yk:product ?product ; yk:requirementKind "contraindication" ; yk:text ?text ;
     prov:wasDerivedFrom ?d . {_PROVENANCE}
}}"""

# the serious reactions a document lists: a label's 重大な副作用, a patient guide's table of them
_SERIOUS = f"""
SELECT ?x ?d ?concept ?label ?page ?section ?evidence WHERE {{
  {{ ?x a yk:SeriousAdverseReaction }} UNION {{ ?x a yk:InitialSymptoms }}
  ?x yk:product ?product ; rdfs:label ?label ; prov:wasDerivedFrom ?d .
  OPTIONAL {{ ?x yk:concept ?concept }} {_PROVENANCE}
}}"""

_ITEM_NUMBER = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s*")


def _audience(doc: DocRef) -> str:
    """Patient guides word what they say for patients: they are compared with one another only."""
    return "patient" if doc.kind == "PatientGuide" else "professional"


def _listed_differences(product: str, aspect: Aspect, rows: list[dict[str, str]], docs: _Documents,
                        keys: Callable[[dict[str, str]], list[str]], *, by_audience: bool) -> list[Difference]:
    """Items one document lists and another does not (only documents listing any are
    compared; with ``by_audience``, patient guides only with patient guides). An item is known
    by its keys (a label item naming two reactions, ``肝不全、肝機能障害``, has two)."""
    by_doc: dict[str, dict[str, dict[str, str]]] = {}
    for r in rows:
        if r["d"] in docs:
            for k in keys(r):
                by_doc.setdefault(r["d"], {}).setdefault(k, r)
    out: list[Difference] = []
    for da, db in combinations(sorted(by_doc), 2):
        if by_audience and _audience(docs[da]) != _audience(docs[db]):
            continue
        for k in sorted(set(by_doc[da]) ^ set(by_doc[db])):
            has, lacks = (da, db) if k in by_doc[da] else (db, da)
            r = by_doc[has][k]
            label = r.get("label") or r.get("text", "")
            present = _statement(docs, r, f"listed: {label}")
            absent = Statement(docs[lacks], "not listed")
            a, b = (present, absent) if has == da else (absent, present)
            out.append(_pair(product, aspect, label, a, b))
    return out


def contraindication_differences(store: "Store", product: str, label: str,
                                 docs: _Documents) -> list[Difference]:
    """Contraindications (禁忌) one document states and another does not, wording compared
    without layout, item numbers and cross-references (``[9.5参照]``)."""
    rows = _rows(store, _CONTRAINDICATIONS, product)

    def key(r: dict[str, str]) -> list[str]:
        return [compact(re.sub(r"\[[\d.、,\s]+参照\]", "", _ITEM_NUMBER.sub("", r["text"])))]

    return _listed_differences(label, "contraindications", rows, docs, key, by_audience=True)


def serious_reaction_differences(store: "Store", product: str, label: str,
                                 docs: _Documents) -> list[Difference]:
    """Serious adverse reactions (重大な副作用) one document lists and another does not, by name
    without layout; an item naming several (``肝不全、肝機能障害``) lists each. A patient guide
    lists the insert's serious reactions by the same names, so every document is compared."""
    rows = _rows(store, _SERIOUS, product)

    def keys(r: dict[str, str]) -> list[str]:
        return [compact(part) for part in _top_level_parts(r["label"])]

    return _listed_differences(label, "serious-adverse-reactions", rows, docs, keys, by_audience=False)


def _top_level_parts(label: str) -> list[str]:
    """``肝不全、肝機能障害`` → both; a ``、`` inside brackets stays (``白血球症(白血球停滞、…)``)."""
    parts, depth, cur = [], 0, ""
    for ch in unicodedata.normalize("NFKC", label):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "、" and depth <= 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [p for p in (*parts, cur) if p.strip()]


CHECKS = (indication_differences, dose_differences, concern_differences,
          enrollment_differences, efficacy_differences, contraindication_differences,
          serious_reaction_differences)


def product_differences(store: "Store", iri: str, label: str,
                        docs: _Documents | None = None) -> list[Difference]:
    """Every difference between the documents about one product (its IRI; ``label`` names it
    in the report)."""
    docs = _Documents(store) if docs is None else docs
    return [d for check in CHECKS for d in check(store, iri, label, docs)]


def consistency_report(store: "Store", product: str | None = None) -> Report:
    """Every difference for the products named by two or more documents (or for ``product``)."""
    docs = _Documents(store)
    products = find_products(store, product)
    out: list[Difference] = []
    for iri, label in products:
        out.extend(product_differences(store, iri, label, docs))
    return Report(tuple(out), tuple(label for _, label in products))


# ------------------------------------------------------------------------- rendering


def _doc_line(d: DocRef) -> str:
    return f"{d.title} [{d.kind}, {d.issued or 'undated'}, {d.file_name}]"


def _where(s: Statement) -> str:
    parts = [f"p. {s.page}" if s.page else "", f"§ {s.section}" if s.section else ""]
    return ", ".join(p for p in parts if p) or "-"


def render_text(report: Report) -> str:
    if not report.differences:
        return f"no differences found ({len(report.products)} product(s) compared)\n"
    lines: list[str] = []
    for d in report.differences:
        lines.append(f"{d.product} · {d.aspect} · {d.subject} · {d.kind}")
        for tag, s in (("a", d.a), ("b", d.b)):
            mark = " (newer)" if d.newer == tag else ""
            lines.append(f"  {tag.upper()}{mark}: {_doc_line(s.doc)} ({_where(s)})")
            lines.append("     value: " + s.value.replace("\n", " ⏎ "))
            if s.evidence:
                lines.append("     evidence: " + s.evidence.replace("\n", " ⏎ "))
        lines.append("")
    lines.append(f"{len(report.differences)} difference(s) over {len(report.products)} product(s)")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render_markdown(report: Report) -> str:
    out = ["| product | aspect | subject | kind | document A | value A | evidence A "
           "| document B | value B | evidence B |", "|---" * 10 + "|"]
    for d in report.differences:
        cells = [d.product, d.aspect, d.subject, d.kind]
        for tag, s in (("a", d.a), ("b", d.b)):
            mark = " **(newer)**" if d.newer == tag else ""
            cells += [f"{_doc_line(s.doc)} ({_where(s)}){mark}", s.value, s.evidence]
        out.append("| " + " | ".join(_md(c) for c in cells) + " |")
    out.append("")
    out.append(f"{len(report.differences)} difference(s) over {len(report.products)} product(s)")
    return "\n".join(out) + "\n"


def render_json(report: Report) -> str:
    data: dict[str, Any] = {"products": list(report.products),
                            "differences": [asdict(d) for d in report.differences]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


__all__ = ["consistency_report", "product_differences", "find_products", "prior_therapies", "compact", "Report",
           "Difference", "Statement", "DocRef", "RENDERERS"]
