"""The persistent store: Oxigraph (RocksDB) on disk, one named graph per document version.

Why pyoxigraph underneath and rdflib on top: Oxigraph loads and queries 10-30x faster than
rdflib's memory store and its ``load`` is transactional (a document that fails mid-way
leaves the store as it was); rdflib is the API users' scripts already know, and
``Store.dataset()`` gives them an ``rdflib.Dataset`` over the very same data (oxrdflib).

One writer at a time: a lock file (``fcntl.flock``) is taken for the lifetime of a
read-write ``Store``; a second writer gets ``StoreLockedError`` with the holder's pid
instead of a corrupted database. Readers open a read-only view while a writer holds it.

A read-only view sees the database as it was when it was opened, so every committed write
replaces the small file ``generation`` (a fresh token, written atomically): a long-lived reader
(``yakuji serve``) compares it with the token it opened at, one file read per request, and
reopens when it changed.
"""

from __future__ import annotations

import fcntl
import io
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Iterator

from extract.errors import StoreLockedError
from extract.rdf.namespaces import ONTOLOGY_GRAPH, PREFIXES, YK

DEFAULT_STORE = Path(".yakuji") / "store"

GENERATION_FILE = "generation"

EXPORT_FORMATS = {"trig": "TRIG", "nquads": "N_QUADS", "turtle": "TURTLE", "jsonld": "JSON_LD",
                  "ntriples": "N_TRIPLES"}


def read_generation(path: str | Path) -> str:
    """The token of the store's last committed write ("" if none yet): when it differs from the
    one read before opening a read-only view, that view misses writes and should be reopened."""
    try:
        return (Path(path) / GENERATION_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


@dataclass(frozen=True, slots=True)
class StoreStats:
    documents: int
    graphs: int
    triples: int
    by_type: tuple[tuple[str, int], ...]
    documents_by_kind: tuple[tuple[str, int], ...]


class Store:
    """``Store(path)`` opens (creating) a store for writing; ``Store(path, read_only=True)``
    for queries. Use as a context manager so the lock is released."""

    def __init__(self, path: str | Path = DEFAULT_STORE, *, read_only: bool = False) -> None:
        import pyoxigraph

        self.path = Path(path)
        self.read_only = read_only
        self._lock_file: IO[str] | None = None
        if read_only:
            if not (self.path / "db").is_dir():
                raise FileNotFoundError(f"no store at {self.path}: run `yakuji ingest` first")
            self._ox = self._open_read_only(pyoxigraph)
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._take_lock()
            self._ox = pyoxigraph.Store(str(self.path / "db"))

    def _open_read_only(self, pyoxigraph: Any) -> Any:
        """A writer may hold the database; then read a consistent secondary view."""
        try:
            return pyoxigraph.Store(str(self.path / "db"))
        except OSError:
            return pyoxigraph.Store.read_only(str(self.path / "db"))

    def _take_lock(self) -> None:
        lock = open(self.path / "write.lock", "a+", encoding="utf-8")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown"
            lock.close()
            raise StoreLockedError(
                f"the store {self.path} is being written by another yakuji process (pid {holder}); "
                "wait for it to finish") from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        self._lock_file = lock

    def close(self) -> None:
        if getattr(self, "_ox", None) is not None and not self.read_only:
            self._ox.flush()
        self._ox = None
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def has_graph(self, graph_iri: str) -> bool:
        import pyoxigraph

        return bool(self._ox.contains_named_graph(pyoxigraph.NamedNode(graph_iri)))

    def add_graph(self, graph_iri: str, ntriples: bytes) -> None:
        """Write one document's graph in one transaction: all of it or nothing."""
        import pyoxigraph

        # Store.load is transactional (all of the graph or nothing) and parses in Rust, with
        # no Python object per triple (a tenth of the time of parse + extend)
        self._ox.load(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES,
                      to_graph=pyoxigraph.NamedNode(graph_iri))
        self._bump_generation()

    def _bump_generation(self) -> None:
        """Record a commit for readers (module docstring): a new token, renamed into place so a
        reader never sees a half-written file."""
        tmp = self.path / f"{GENERATION_FILE}.{os.getpid()}.tmp"
        tmp.write_text(uuid.uuid4().hex, encoding="utf-8")
        os.replace(tmp, self.path / GENERATION_FILE)

    def replace_graph(self, graph_iri: str, ntriples: bytes) -> None:
        """Replace a graph (the ontology graph when the ontology changes)."""
        self._ox.update(f"DROP SILENT GRAPH <{graph_iri}>")
        self.add_graph(graph_iri, ntriples)

    def ontology_version(self) -> str | None:
        rows = self.select(f"SELECT ?v WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{ONTOLOGY_GRAPH}> <{YK.contentHash}> ?v }} }}")
        return rows[0]["v"].value if rows else None  # the lexical form (str() would add quotes)

    # ------------------------------------------------------------------ reading

    def query(self, sparql: str, *, substitutions: dict[str, Any] | None = None) -> Any:
        """Run SPARQL over the union of all named graphs (the contract's default), with the
        contract prefixes predeclared. ``substitutions`` binds variables to RDF terms safely."""
        return self._ox.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES,
                              substitutions=substitutions or None)

    def select(self, sparql: str, **kw: Any) -> list[dict[str, Any]]:
        """SELECT results as a list of {variable: pyoxigraph term} dicts (unbound omitted)."""
        result = self.query(sparql, **kw)
        names = [v.value for v in result.variables]
        return [{n: sol[n] for n in names if sol[n] is not None} for sol in result]

    def document_graphs(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if g.value != str(ONTOLOGY_GRAPH))

    def export(self, fmt: str, out: IO[bytes], *, graph: str | None = None) -> None:
        import pyoxigraph

        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown format {fmt!r}; one of {', '.join(EXPORT_FORMATS)}")
        rdf_format = getattr(pyoxigraph.RdfFormat, EXPORT_FORMATS[fmt])
        if graph is not None or fmt in ("turtle", "ntriples"):
            # triple formats: the union (or one graph) as one graph
            data = self._ox.query(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {'GRAPH <' + graph + '> {' if graph else ''} ?s ?p ?o {'}' if graph else ''} }}",
                use_default_graph_as_union=True)
            buf = io.BytesIO()
            data.serialize(buf, rdf_format)
            out.write(buf.getvalue())
            return
        if fmt == "trig":
            self._ox.dump(out, rdf_format, prefixes=dict(PREFIXES))
        else:
            self._ox.dump(out, rdf_format)

    def stats(self) -> StoreStats:
        docs = self.select("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a yk:SourceDocument }")
        triples = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        by_type = self.select(
            "SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?t } "
            f"FILTER(?g != <{ONTOLOGY_GRAPH}>) FILTER(STRSTARTS(STR(?t), STR(yk:))) }} GROUP BY ?t ORDER BY ?t")
        by_kind = self.select(
            "SELECT ?t (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a yk:SourceDocument, ?t "
            "FILTER(?t != yk:SourceDocument) FILTER(STRSTARTS(STR(?t), STR(yk:))) } GROUP BY ?t ORDER BY ?t")
        strip = str(YK)
        return StoreStats(
            documents=int(docs[0]["n"].value) if docs else 0,
            graphs=len(list(self._ox.named_graphs())),
            triples=int(triples[0]["n"].value) if triples else 0,
            by_type=tuple((r["t"].value.replace(strip, "yk:"), int(r["n"].value)) for r in by_type),
            documents_by_kind=tuple((r["t"].value.replace(strip, "yk:"), int(r["n"].value)) for r in by_kind),
        )

    def dataset(self) -> Any:
        """An ``rdflib.Dataset`` over this store (oxrdflib), for rdflib-based scripts."""
        import rdflib
        from oxrdflib import OxigraphStore

        return rdflib.Dataset(store=OxigraphStore(store=self._ox))

    def quads(self) -> Iterator[Any]:
        return iter(self._ox)
