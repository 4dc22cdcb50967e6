"""Named queries: the competency questions as ``ontology/queries/*.rq`` files.

Each file starts with a comment header (title, title@ja, description, ``param:`` lines,
columns). Parameter values become RDF terms (``pyoxigraph.Literal`` / ``NamedNode``, which
validate and escape them) and each ``?param_<name>`` of the query is replaced by the engine's own
serialisation of its term (``inline_bindings``): a value such as ``"} ; DROP ALL`` is only ever
the content of one escaped literal, and an IRI with ``>`` or a space is refused. (Oxigraph's
``substitutions`` would be the other way, but it applies them after evaluating the pattern: an
exact-label lookup took 0.9 s that way on a 1.3 M-triple store and 2 ms with the constant.)

Names of entities (a concept, product, study or substance label in either language) are
resolved to the IRIs they label before the query runs, so the queries join on IRIs and never
scan labels. Parameter variables are named ``?param_<name>``; an optional parameter that is
not given is bound to the empty string, which the query tests with ``?param_x = ""``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.resources import ontology_dir

PARAM_TYPES = ("concept", "product", "study", "substance", "iri", "string")
_PARAM = re.compile(r"^(\w+)\s*\(([\w-]+)(?:,\s*(required))?\)\s*(.*)$")


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    required: bool
    description: str

    def __post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ValueError(f"parameter {self.name}: unknown type {self.type!r}")


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    title_en: str
    title_ja: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    text: str


def parse_query_file(path: Path) -> NamedQuery:
    header: dict[str, list[str]] = {}
    key = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        m = re.match(r"^([\w@-]+):\s*(.*)$", body)
        if m and m.group(1) in ("title", "title@ja", "description", "param", "columns"):
            key = m.group(1)
            header.setdefault(key, []).append(m.group(2))
        elif key and body:
            header[key][-1] += " " + body
    params = []
    for spec in header.get("param", []):
        pm = _PARAM.match(spec)
        if not pm:
            raise ValueError(f"{path.name}: bad param line {spec!r}")
        params.append(Param(pm.group(1), pm.group(2), bool(pm.group(3)), pm.group(4)))
    columns = tuple(c.strip() for c in " ".join(header.get("columns", [])).split(",") if c.strip())
    return NamedQuery(path.stem, " ".join(header.get("title", [path.stem])), " ".join(header.get("title@ja", [""])),
                      " ".join(header.get("description", [""])), tuple(params), columns,
                      path.read_text(encoding="utf-8"))


def load_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    folder = folder or ontology_dir() / "queries"
    return {q.name: q for q in (parse_query_file(p) for p in sorted(folder.glob("*.rq")))}


def bind_params(query: NamedQuery, values: dict[str, str]) -> dict[Any, Any]:
    """RDF terms for the given values: an IRI for ``<…>``/``http(s)://…`` or an ``iri`` param,
    a plain literal otherwise. Unknown or missing required parameters raise ValueError."""
    import pyoxigraph

    known = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"{query.name}: unknown parameter(s) {', '.join(unknown)}; "
                         f"it takes {', '.join(known) or 'none'}")
    missing = [p.name for p in query.params if p.required and p.name not in values]
    if missing:
        raise ValueError(f"{query.name}: missing required parameter(s) {', '.join(missing)}")
    subs: dict[Any, Any] = {}
    for name, raw in values.items():
        value = raw.strip()
        is_iri = known[name].type == "iri" or re.match(r"^<?https?://\S+>?$", value) is not None
        term = pyoxigraph.NamedNode(value.strip("<>")) if is_iri else pyoxigraph.Literal(value)
        subs[pyoxigraph.Variable(f"param_{name}")] = term
    for p in query.params:
        if p.name not in values:
            subs[pyoxigraph.Variable(f"param_{p.name}")] = pyoxigraph.Literal("")
    return subs


ENTITY_CLASS = {"concept": "MedicalConcept", "product": "MedicinalProduct",
                "study": "ClinicalStudy", "substance": "Substance"}
# Name predicates as VALUES, not a property path: Oxigraph evaluates ``a|b|c`` with a constant
# object by enumeration (0.9 s on 1.3 M triples) but each ``?e ?p "name"`` by index (< 1 ms).
_NAMES = "VALUES ?p { rdfs:label skos:prefLabel skos:altLabel yk:tradeName yk:studyIdentifier }"


def resolve_entities(store: Any, kind: str, name: str) -> list[Any]:
    """The IRIs of the ``kind`` entities that carry ``name`` as a label, alt label, trade name
    or study identifier, in either language. Exact lookups first (index hits, milliseconds);
    a case-insensitive scan of that class only when they find nothing."""
    import unicodedata

    import pyoxigraph

    cls = ENTITY_CLASS[kind]
    spellings = dict.fromkeys(v for base in (name, unicodedata.normalize("NFKC", name))
                              for v in (base, base.lower(), base[:1].upper() + base[1:]))
    exact = f"SELECT DISTINCT ?e WHERE {{ {_NAMES} ?e ?p ?name . ?e a yk:{cls} }}"
    found: dict[str, Any] = {}
    for text in spellings:
        for lang in (None, "en", "ja"):
            lit = pyoxigraph.Literal(text, language=lang) if lang else pyoxigraph.Literal(text)
            for row in store.query(inline_bindings(exact, {pyoxigraph.Variable("name"): lit})):
                found.setdefault(row["e"].value, row["e"])
    if not found:
        scan = (f"SELECT DISTINCT ?e WHERE {{ {_NAMES} ?e a yk:{cls} ; ?p ?n "
                "FILTER(LCASE(STR(?n)) = LCASE(STR(?needle))) }")
        for row in store.query(inline_bindings(scan, {pyoxigraph.Variable("needle"): pyoxigraph.Literal(name)})):
            found.setdefault(row["e"].value, row["e"])
    if not found and kind == "study":
        found = _studies_by_short_name(store, name)
    return [found[k] for k in sorted(found)]


_STUDY_WORDS = re.compile(r"^(?:study|trial)|(?:試験|study|trial)$")
_CODE_LIKE = re.compile(r"[a-z]+-?\d")


def _study_key(text: str) -> str:
    """A study name as users type it in several ways: ``MM-003試験``, ``MM-003 試験``, ``Study
    MM-003`` and ``mm-003`` all give ``mm-003``."""
    import unicodedata

    s = "".join(unicodedata.normalize("NFKC", text).lower().split())
    return _STUDY_WORDS.sub("", s)


def _studies_by_short_name(store: Any, name: str) -> dict[str, Any]:
    """Studies whose name matches ``name`` up to spacing, case and the words 試験/Study, or whose
    code ends with it after a hyphen (``MM-003`` for ``BB2121-MM-003``, a code-like name only).
    Every match is returned: a short code two sponsors share names both studies."""
    want = _study_key(name)
    if not want:
        return {}
    rows = store.query(f"SELECT DISTINCT ?e ?n WHERE {{ {_NAMES} ?e a yk:ClinicalStudy ; ?p ?n }}")
    found: dict[str, Any] = {}
    for row in rows:
        have = _study_key(row["n"].value)
        if have == want or (_CODE_LIKE.match(want) and have.endswith("-" + want)):
            found.setdefault(row["e"].value, row["e"])
    return found


def resolved_bindings(store: Any, query: NamedQuery, values: dict[str, str]) -> list[dict[Any, Any]]:
    """``bind_params``, with names of entities (concept, product, study, substance) turned into
    the IRIs they label, so the query joins on an IRI instead of scanning labels. A name that
    labels several entities gives one binding each; a name that labels none gives no binding."""
    import itertools

    import pyoxigraph

    base = bind_params(query, values)
    choices: list[list[tuple[Any, Any]]] = []
    for p in query.params:
        var = pyoxigraph.Variable(f"param_{p.name}")
        term = base[var]
        if p.type in ENTITY_CLASS and isinstance(term, pyoxigraph.Literal) and term.value:
            choices.append([(var, iri) for iri in resolve_entities(store, p.type, term.value)])
    return [{**base, **dict(combo)} for combo in itertools.product(*choices)]


def inline_bindings(text: str, subs: dict[Any, Any]) -> str:
    """``text`` with each bound ``?var`` replaced by its term, as pyoxigraph serialises it
    (escaped N-Triples syntax), never by pasting the raw value. The variables are dropped from
    SELECT projections and GROUP BY clauses, where a constant may not stand. A constant in the
    pattern lets the engine start from an index lookup, also inside UNION branches."""
    import pyoxigraph

    for var, term in subs.items():
        if not isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
            raise TypeError(f"cannot bind {type(term).__name__}")
        token = re.compile(rf"\?{re.escape(var.value)}\b")
        text = re.sub(r"(SELECT\b.*?)(\bWHERE\b)", lambda m: token.sub("", m.group(1)) + m.group(2),
                      text, flags=re.S | re.I)
        text = re.sub(r"(GROUP BY\b[^\n]*(?:\n[ \t]+[^\n]*)*)", lambda m: token.sub("", m.group(1)),
                      text, flags=re.I)
        serialized = str(term)
        text = token.sub(lambda _m: serialized, text)
    return text


_GROUP_CONCAT = re.compile(r'GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s*\?(\w+)',
                           re.I | re.S)


def concatenated(text: str) -> dict[str, str]:
    """The columns a query builds with ``GROUP_CONCAT(…; separator=S)``, with their separator."""
    return {var: sep for sep, var in _GROUP_CONCAT.findall(text)}


def _canonical(row: dict[str, Any], joined: dict[str, str]) -> dict[str, Any]:
    """A row whose GROUP_CONCAT columns read the same on every SPARQL 1.1 engine: the parts
    sorted and joined by the separator, as a plain literal, and an empty one left out. The order
    of the parts, a language tag they share (Oxigraph keeps it, Virtuoso drops it) and the value
    of an empty group (unbound or "") are each engine's choice under the standard."""
    import pyoxigraph

    out = dict(row)
    for var, sep in joined.items():
        term = out.pop(var, None)
        parts = sorted(set(term.value.split(sep))) if term is not None and term.value else []
        if parts:
            out[var] = pyoxigraph.Literal(sep.join(parts))
    return out


def run_named(store: Any, query: NamedQuery, values: dict[str, str], *,
              limit: int | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """Run a named query over a ``Store`` or a remote ``Endpoint``; returns (columns, rows)
    without the parameter columns, at most ``limit`` rows. Entity names are resolved to IRIs
    first (``resolved_bindings``); GROUP_CONCAT columns are made canonical (``_canonical``)."""
    variables = list(query.columns)  # the declared columns, for a name that labels nothing
    rows: list[dict[str, Any]] = []
    joined = concatenated(query.text)
    for subs in resolved_bindings(store, query, values):
        result = store.query(inline_bindings(query.text, subs))
        variables = [v.value for v in result.variables if not v.value.startswith("param_")]
        for sol in result:
            row = _canonical({n: sol[n] for n in variables if sol[n] is not None}, joined)
            if row not in rows:
                rows.append(row)
            if limit is not None and len(rows) >= limit:
                return variables, rows
    return variables, rows

