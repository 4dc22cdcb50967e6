"""What the search box and the documents page need about the whole store, kept in the worker.

Why a cache: search runs on every keystroke and the documents page lists every document. On
the 1.3 M-triple benchmark store a ``CONTAINS`` over all labels took 400 ms and one sorted
list of documents with their properties 1.2 s (each optional property is an index lookup per
document), while matching 30,000 names held in memory takes a few milliseconds.

How it stays right: documents are only ever added as new named graphs (a re-ingest of the same
bytes is a no-op; a new version is a new graph) and the ontology graph is replaced only when its
content hash changes. So ``refresh`` reads only the graphs it has not seen, when the store's
generation token moved (or, for a store without one, at most every ``TTL`` seconds), and
starts again from nothing when a graph went away or the ontology changed.
"""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from extract.rdf.namespaces import ONTOLOGY_GRAPH
from extract.web.graph import Node, Value, compact, pick, select, values_block

_KIND_ORDER = {"product": 0, "substance": 1, "concept": 2, "study": 3}
_PREFERRED = ("rdfs:label", "skos:prefLabel")
TTL = 30.0
_BATCH = 300

_NAMES = """
SELECT ?g ?e ?k ?p ?l WHERE { {values} GRAPH ?g {
  { ?e a yk:MedicinalProduct BIND("product" AS ?k) } UNION { ?e a yk:Substance BIND("substance" AS ?k) }
  UNION { ?e a yk:MedicalConcept BIND("concept" AS ?k) } UNION { ?e a yk:ClinicalStudy BIND("study" AS ?k) }
  { ?e rdfs:label ?l BIND("rdfs:label" AS ?p) } UNION { ?e skos:prefLabel ?l BIND("skos:prefLabel" AS ?p) }
  UNION { ?e skos:altLabel ?l BIND("skos:altLabel" AS ?p) } UNION { ?e yk:tradeName ?l BIND("yk:tradeName" AS ?p) }
  UNION { ?e yk:studyIdentifier ?l BIND("yk:studyIdentifier" AS ?p) }
} }"""
_DOCS = "SELECT ?g ?d ?p ?o WHERE { {values} GRAPH ?g { ?d a yk:SourceDocument ; ?p ?o } }"
_PAGES = ("SELECT ?g ?d ?n ?p ?o WHERE { {values} GRAPH ?g { ?d a yk:SourceDocument ; yk:documentPage ?n . "
          "?n ?p ?o } }")


def normalise(text: str) -> str:
    """What search compares: NFKC (full-width letters and digits), case folded, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    lang: str | None
    preferred: bool  # rdfs:label / skos:prefLabel (else an alias: alt label, trade name, code)
    norm: str


@dataclass(slots=True)
class Entity:
    iri: str
    kind: str
    names: list[Name] = field(default_factory=list)
    in_documents: bool = False

    def add(self, text: str, lang: str | None, preferred: bool) -> None:
        name = Name(text, lang, preferred, normalise(text))
        if name not in self.names:
            self.names.append(name)

    def label(self, lang: str) -> Value:
        preferred = [Value(n.text, lang=n.lang) for n in self.names if n.preferred]
        found = pick(preferred or [Value(n.text, lang=n.lang) for n in self.names], lang)
        return found or Value(self.iri.rsplit("/", 1)[-1])


@dataclass(frozen=True, slots=True)
class Hit:
    iri: str
    kind: str
    label: Value
    matched: Name  # the name the query matched (may be an alias of the label)
    rank: int  # 0 exact, 1 prefix, 2 contains


@dataclass(slots=True)
class DocumentEntry:
    """A document's node and the nodes of its pages not read as ordinary text."""

    node: Node
    pages: list[Node] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Progress:
    graphs_read: int
    graphs_total: int | None  # None until the store's graphs have been listed once

    @property
    def complete(self) -> bool:
        return self.graphs_total is not None and self.graphs_read >= self.graphs_total


class StoreIndex:
    """The names and documents of the store. ``refresh`` brings it up to date; it may run on
    another thread than the readers: each batch is published as new dictionaries (readers keep
    iterating the ones they took), so a search during the first reading of a large store
    answers from the documents read so far and ``progress`` says how far that is."""

    def __init__(self) -> None:
        self.version = 0  # moves on with every batch published (pages cache what they derive by it)
        self._derived: dict[object, tuple[int, Any]] = {}
        self._reset(None)

    def _reset(self, ontology: str | None) -> None:
        self._token: object = object()
        self._checked = 0.0
        self._ontology = ontology
        self._graphs: frozenset[str] = frozenset()
        self.entities: dict[str, Entity] = {}
        self.documents: dict[str, DocumentEntry] = {}
        self.progress = Progress(0, None)
        self.version += 1

    # ------------------------------------------------------------------ keeping up

    def refresh(self, store: Any) -> None:
        token = getattr(store, "generation", None)
        now = time.monotonic()
        if token is not None and token == self._token:
            return
        if token is None and now - self._checked < TTL:
            return
        graphs = {row["g"].text for row in select(store, "SELECT ?g WHERE { GRAPH ?g { } }")}
        rows = select(store, f"SELECT ?v WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{ONTOLOGY_GRAPH}> "
                             "yk:contentHash ?v } }")
        ontology = rows[0]["v"].text if rows else None
        if ontology != self._ontology or self._graphs - graphs:
            self._reset(ontology)  # start again: a graph was replaced or removed
        fresh = sorted(graphs - self._graphs)
        done = len(self._graphs)
        self.progress = Progress(done, done + len(fresh))
        for i in range(0, len(fresh), _BATCH):
            batch = fresh[i:i + _BATCH]
            self._read(store, batch)
            self._graphs |= frozenset(batch)
            self.progress = Progress(len(self._graphs), self.progress.graphs_total)
        self._token, self._checked = token, now

    def _read(self, store: Any, graphs: list[str]) -> None:
        """Read some graphs into new dictionaries and publish them."""
        block = values_block("g", graphs)
        entities = dict(self.entities)
        for row in select(store, _NAMES.replace("{values}", block)):
            iri, kind = row["e"].text, row["k"].text
            entity = entities.get(iri)
            if entity is None:
                entity = entities[iri] = Entity(iri, kind)
            entity.add(row["l"].text, row["l"].lang, row["p"].text in _PREFERRED)
            if row["g"].text != str(ONTOLOGY_GRAPH):
                entity.in_documents = True
        documents = dict(self.documents)
        for row in select(store, _DOCS.replace("{values}", block)):
            entry = documents.get(row["d"].text)
            if entry is None:
                entry = documents[row["d"].text] = DocumentEntry(Node(row["d"].text))
            _put(entry.node, row["p"].text, row["o"])
        for row in select(store, _PAGES.replace("{values}", block)):
            entry = documents.get(row["d"].text)
            if entry is None:
                continue
            node = next((n for n in entry.pages if n.iri == row["n"].text), None)
            if node is None:
                node = Node(row["n"].text)
                entry.pages.append(node)
            _put(node, row["p"].text, row["o"])
        self.entities, self.documents = entities, documents
        self.version += 1

    def derived(self, key: object, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per version of the index (a sorted list, counts): a page over
        the whole store then costs what showing its part costs."""
        version, value = self._derived.get(key, (-1, None))
        if version != self.version:
            value = compute()
            self._derived[key] = (self.version, value)
        return value

    # ------------------------------------------------------------------ searching

    def search(self, query: str, lang: str, limit: int = 10,
               kinds: Iterable[str] | None = None) -> list[Hit]:
        """Entities named in the documents whose label or alias matches: exact, then prefix,
        then contains; within a rank products first, then shorter names."""
        needle = normalise(query)
        if not needle:
            return []
        wanted = set(kinds) if kinds else None
        best: dict[str, tuple[int, Name, Entity]] = {}
        names = self.derived("names", lambda: [(name.norm, name, entity) for entity in self.entities.values()
                                               if entity.in_documents for name in entity.names])
        for norm, name, entity in names:
            if needle not in norm or (wanted and entity.kind not in wanted):
                continue
            rank = 0 if norm == needle else 1 if norm.startswith(needle) else 2
            have = best.get(entity.iri)
            if have is None or (rank, len(norm)) < (have[0], len(have[1].norm)):
                best[entity.iri] = (rank, name, entity)
        ordered = sorted(best.values(), key=lambda h: (h[0], _KIND_ORDER[h[2].kind], len(h[1].norm), h[1].norm))
        hits = [Hit(e.iri, e.kind, e.label(lang), name, rank) for rank, name, e in ordered[:limit]]
        return hits

    def label(self, iri: str, lang: str) -> Value:
        entity = self.entities.get(iri)
        return entity.label(lang) if entity else Value(iri.rsplit("/", 1)[-1])


def _put(node: Node, pred: str, value: Value) -> None:
    values = node.props.setdefault(compact(pred), [])
    if value not in values:
        values.append(value)
