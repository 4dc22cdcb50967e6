"""Reading the graph for the pages: nodes with all their properties, labels, documents.

Every read is a SPARQL SELECT through ``store.query`` — the one call the endpoint's workers
make — so the pages work over any store that answers SPARQL. A page reads in three steps that
each cost one query (a few milliseconds on a 1.3 M-triple store): the IRIs it shows, every
property of those nodes (``nodes``), then every node they point at (for labels and documents).
Joins across many optional properties in one query were slower than that in Oxigraph (each
optional is one index lookup per row), and a page needs most properties anyway.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple
from urllib.parse import quote, unquote

from extract.rdf.namespaces import PREFIXES

YK = PREFIXES["yk"]
ID = PREFIXES["ykid"]
RDF_TYPE = PREFIXES["rdf"] + "type"
_COMPACT = sorted(((iri, name) for name, iri in PREFIXES.items()), key=lambda x: -len(x[0]))
_BATCH = 300  # IRIs per VALUES block


class Value(NamedTuple):
    """One RDF term as the pages use it: its lexical form, whether it is an IRI, its language.
    (A NamedTuple: a page reads thousands, and a frozen dataclass took 5x as long to make.)"""

    text: str
    iri: bool = False
    lang: str | None = None


@functools.lru_cache(maxsize=4096)
def compact(iri: str) -> str:
    """``yk:page`` for the full IRI (the contract's prefixes), else the IRI itself."""
    for base, name in _COMPACT:
        if iri.startswith(base):
            return f"{name}:{iri[len(base):]}"
    return iri


def _value(term: Any) -> Value:
    kind = type(term).__name__
    if kind == "NamedNode":
        return Value(term.value, True)
    if kind == "Literal":
        return Value(term.value, False, term.language or None)
    return Value(str(getattr(term, "value", term)))


def select(store: Any, sparql: str) -> list[dict[str, Value]]:
    """SELECT rows as {variable: Value} (unbound variables omitted). The common terms are
    converted inline and each IRI once: this loop is most of a page's time."""
    from pyoxigraph import Literal, NamedNode

    result = store.query(sparql)
    names = list(enumerate(v.value for v in result.variables))
    iris: dict[str, Value] = {}
    out = []
    for sol in result:
        row = {}
        for i, name in names:
            term = sol[i]
            if term is None:
                continue
            kind = type(term)
            if kind is NamedNode:
                text = term.value
                row[name] = iris.get(text) or iris.setdefault(text, Value(text, True))
            elif kind is Literal:
                row[name] = Value(term.value, False, term.language)
            else:
                row[name] = _value(term)
        out.append(row)
    return out


_IRI_OK = re.compile(r"^[^\s<>\"{}|\\^`]+$")


def iri_term(iri: str) -> str:
    """``<iri>`` for a query, refused when it could break out of the brackets."""
    if not _IRI_OK.match(iri):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def values_block(var: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(iri_term(i) for i in iris)} }}"


def entity_iri(kind: str, key: str) -> str:
    """The IRI a page path names: ``/product/abecma`` → ``ykid:product/abecma``. The key is
    percent-encoded as the builder encodes it (``extract.rdf.iri.entity_iri``), whatever form the
    browser sent it in."""
    return f"{ID}{kind}/{quote(unquote(key), safe='-._~')}"


def key_of(iri: str) -> str:
    """The last segment of an IRI, as a page path uses it."""
    return iri.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- nodes


@dataclass(slots=True)
class Node:
    """One subject with every property the store holds for it, keyed by compact predicate
    (``yk:page``, ``rdfs:label``), each value once."""

    iri: str
    props: dict[str, list[Value]] = field(default_factory=dict)

    def all(self, pred: str) -> list[Value]:
        return self.props.get(pred, [])

    def one(self, pred: str) -> Value | None:
        found = self.props.get(pred)
        return found[0] if found else None

    def text(self, pred: str) -> str | None:
        found = self.one(pred)
        return found.text if found else None

    def number(self, pred: str) -> int | None:
        found = self.text(pred)
        try:
            return int(found) if found is not None else None
        except ValueError:
            return None

    def iris(self, pred: str) -> list[str]:
        return [v.text for v in self.all(pred) if v.iri]

    @property
    def types(self) -> set[str]:
        """The yk: classes of the node, by local name (``SafetyConcern``)."""
        return {v.text[len(YK):] for v in self.all("rdf:type") if v.text.startswith(YK)}


def nodes(store: Any, iris: Iterable[str], preds: Iterable[str] | None = None) -> dict[str, Node]:
    """Every property of each IRI over the union of graphs, or only ``preds`` (compact names)."""
    wanted = list(dict.fromkeys(iris))
    # a FILTER, not VALUES: with both ?x and ?p in VALUES Oxigraph scanned by predicate (seconds)
    only = f"FILTER(?p IN ({', '.join(preds)}))" if preds is not None else ""
    out: dict[str, Node] = {}
    for i in range(0, len(wanted), _BATCH):
        block = values_block("x", wanted[i:i + _BATCH])
        for row in select(store, f"SELECT ?x ?p ?o WHERE {{ {block} ?x ?p ?o {only} }}"):
            node = out.setdefault(row["x"].text, Node(row["x"].text))
            values = node.props.setdefault(compact(row["p"].text), [])
            if row["o"] not in values:
                values.append(row["o"])
    return out


# What a page needs of the nodes its facts point at: names, kinds, and how to cite a document.
CITED = ("rdf:type", "rdfs:label", "skos:prefLabel", "dct:title", "dct:issued", "yk:fileName", "yk:sourceFormat",
         "yk:sha256", "yk:studiesProduct", "yk:studyIdentifier", "yk:text", "yk:disease")


def iris_of(store: Any, sparql: str) -> list[str]:
    """The IRIs a one-variable SELECT gives, in its order, each once."""
    found: dict[str, None] = {}
    for row in select(store, sparql):
        for v in row.values():
            if v.iri:
                found[v.text] = None
    return list(found)


def pointed_at(found: Iterable[Node]) -> set[str]:
    """The IRIs the nodes point at (entities, documents, other facts, their yk: classes)."""
    return {v.text for n in found for pred, vals in n.props.items() for v in vals
            if v.iri and (pred != "rdf:type" or v.text.startswith(YK))}


# --------------------------------------------------------------------------- labels


def label(node: Node | None, lang: str, fallback: str = "") -> Value:
    """The node's name in ``lang`` (preferred label, label, title), else in the other
    language, else any, else ``fallback`` or its key."""
    if node is None:
        return Value(fallback)
    for pred in ("skos:prefLabel", "rdfs:label", "dct:title"):
        found = pick(node.all(pred), lang)
        if found is not None:
            return found
    return Value(fallback or key_of(node.iri))


def pick(values: list[Value], lang: str) -> Value | None:
    """The value in ``lang``, else the other language's, else one without a tag (shortest
    first within each, so a bare brand wins over a longer spelling)."""
    if not values:
        return None
    order = {lang: 0, "en" if lang == "ja" else "ja": 1}
    return min(values, key=lambda v: (order.get(v.lang or "", 2), len(v.text), v.text))


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True, slots=True)
class DocRef:
    """A source document as pages cite it."""

    iri: str
    title: Value
    kind: str  # yk: subclass local name
    issued: str | None
    file_name: str
    source_format: str
    sha256: str

    @property
    def key(self) -> str:
        return key_of(self.iri)


def doc_ref(node: Node) -> DocRef:
    kinds = sorted(node.types - {"SourceDocument"})
    name = node.text("yk:fileName") or key_of(node.iri)
    title = pick(node.all("dct:title"), "ja") or Value(name)
    return DocRef(node.iri, title, kinds[0] if kinds else "SourceDocument", node.text("dct:issued"),
                  name, node.text("yk:sourceFormat") or "", node.text("yk:sha256") or key_of(node.iri))


@dataclass(frozen=True, slots=True)
class Source:
    """Where one fact was read: the document and the place in it."""

    doc: DocRef
    fact: str
    page: int | None
    section: str | None
    evidence: Value | None
    method: str | None
    bbox: str | None


def source_of(fact: Node, docs: dict[str, Node], refs: dict[str, DocRef | None] | None = None) -> Source | None:
    """The fact's provenance, or None when its document is not in the store (``refs``: the
    documents already cited, each read once)."""
    doc_iri = next(iter(fact.iris("prov:wasDerivedFrom")), None)
    if doc_iri is None:
        return None
    refs = {} if refs is None else refs
    if doc_iri not in refs:
        node = docs.get(doc_iri)
        refs[doc_iri] = doc_ref(node) if node is not None and "SourceDocument" in node.types else None
    ref = refs[doc_iri]
    if ref is None:
        return None
    return Source(ref, fact.iri, fact.number("yk:page"), fact.text("yk:section"),
                  fact.one("yk:evidenceText"), fact.text("yk:extractionMethod"), fact.text("yk:bbox"))
