"""Named queries: the competency questions as ``ontology/queries/*.rq`` files.

Each file starts with a comment header (title, title@ja, description, ``param:`` lines,
columns). Parameters are bound as RDF terms through Oxigraph's substitutions (SEP-0007), never
pasted into the query text, so a value such as ``"} ; DROP ALL`` is only ever a literal.
Parameter variables are named ``?param_<name>`` and projected (Oxigraph substitutes projected
variables only); they are dropped from the results. An optional parameter that is not given is
bound to the empty string, which the query tests with ``?param_x = ""`` (``BOUND`` cannot be used:
a substituted variable does not count as bound inside the query).
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


def run_named(store: Any, query: NamedQuery, values: dict[str, str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Run a named query; returns (columns, rows) without the parameter columns."""
    result = store.query(query.text, substitutions=bind_params(query, values))
    variables = [v.value for v in result.variables if not v.value.startswith("param_")]
    rows = [{n: sol[n] for n in variables if sol[n] is not None} for sol in result]
    return variables, rows
