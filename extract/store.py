"""The persistent store: Oxigraph (RocksDB) on disk, one named graph per document version.

Why pyoxigraph underneath and rdflib on top: Oxigraph loads and queries 10-30x faster than
rdflib's memory store and its ``load`` is transactional (a document that fails mid-way
leaves the store as it was); rdflib is the API users' scripts already know, and
``Store.dataset()`` gives them an ``rdflib.Dataset`` over the very same data (oxrdflib).

One writer at a time: a lock file (``fcntl.flock`` on ``write.lock``) is taken for the lifetime
of a read-write ``Store``; a second writer gets ``StoreLockedError`` with the holder's pid
instead of a corrupted database. Readers open a read-only view while a writer holds it.

The lock never outlives its writer. An flock belongs to the open file description, which a
forked child shares, so a worker forked while the store is open would keep the lock after its
parent died: every forked child closes its copy of the descriptor at once (``os.register_at_fork``;
closing a copy releases nothing while the parent holds its own), and exec'd programs never get
it (Python opens files close-on-exec). A writer killed with ``kill -9`` leaves only its pid in the
file (a clean ``close`` empties it): the next writer takes the free lock and says the last one
was stale. If processes started by a dead writer still hold the lock (forked by other means, or
by an older yakuji), the next writer names them and takes over on a fresh lock file, under a
short lock of the store directory so that two newcomers cannot both take over; RocksDB's own
lock of ``db/`` (per process, never inherited) still refuses a second live writer.

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
import weakref
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Iterator

from extract.errors import StoreLockedError
from extract.rdf.namespaces import ONTOLOGY_GRAPH, PREFIXES, YK

DEFAULT_STORE = Path(".yakuji") / "store"
LOCK_FILE = "write.lock"

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
        self.stale_lock: str = ""  # what was said about a dead writer's lock ("" if none)
        if read_only:
            if not (self.path / "db").is_dir():
                raise FileNotFoundError(f"no store at {self.path}: run `yakuji ingest` first")
            self._ox = self._open_read_only(pyoxigraph)
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self._take_lock()
            try:
                self._ox = pyoxigraph.Store(str(self.path / "db"))
            except OSError as exc:  # RocksDB's own lock: another live process writes
                self.close()
                raise StoreLockedError(f"the store {self.path} is open for writing in another "
                                       f"process ({exc}); wait for it to finish") from None

    def _open_read_only(self, pyoxigraph: Any) -> Any:
        """A writer may hold the database; then read a consistent secondary view."""
        try:
            return pyoxigraph.Store(str(self.path / "db"))
        except OSError:
            return pyoxigraph.Store.read_only(str(self.path / "db"))

    def _take_lock(self) -> None:
        """Hold ``write.lock`` (module docstring), recording this pid in it."""
        path = self.path / LOCK_FILE
        lock = _try_lock(path)
        if lock is None:
            holder = _read_holder(path)
            if _alive(holder):
                raise StoreLockedError(
                    f"the store {self.path} is being written by another yakuji process (pid {holder}); "
                    "wait for it to finish")
            lock = self._take_over(path)
        previous = lock.read().strip()
        if previous and not _alive(previous):
            self.stale_lock = (f"the store's previous writer (pid {previous}) stopped without "
                               "closing it; its stale lock is taken over (every document it "
                               "committed is kept, the one it was writing is not in the store)")
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        self._lock_file = lock
        _WRITERS.add(self)

    def _take_over(self, path: Path) -> IO[str]:
        """The recorded writer is dead but its lock is held (by processes it started): lock a
        fresh file and rename it into place, one newcomer at a time (the directory's flock)."""
        guard = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(guard, fcntl.LOCK_EX)
            lock = _try_lock(path)  # freed, or taken over by another newcomer, meanwhile
            if lock is not None:
                return lock
            holder = _read_holder(path)
            if _alive(holder):
                raise StoreLockedError(
                    f"the store {self.path} is being written by another yakuji process (pid {holder}); "
                    "wait for it to finish")
            others = _processes_holding(path)
            fresh_path = path.with_name(f"{LOCK_FILE}.{os.getpid()}")
            fresh = open(fresh_path, "w+", encoding="utf-8")
            fcntl.flock(fresh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: nobody else has it
            os.replace(fresh_path, path)
            held = f" (pid {', '.join(map(str, others))})" if others else ""
            self.stale_lock = (f"the store's writer (pid {holder}) is no longer running, but processes "
                               f"it started still held its lock{held}; the lock is taken over "
                               "(they do not write to the store; stop them to free their memory)")
            return fresh
        finally:
            os.close(guard)

    def close(self) -> None:
        if getattr(self, "_ox", None) is not None and not self.read_only:
            self._ox.flush()
        self._ox = None
        if self._lock_file is not None:
            self._lock_file.seek(0)
            self._lock_file.truncate()  # an empty lock file: closed cleanly, not stale
            self._lock_file.flush()
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None
            _WRITERS.discard(self)

    def _forget_lock(self) -> None:
        """In a forked child: close this copy of the lock's descriptor without unlocking (the
        parent's lock stays), so the child can never keep the store locked."""
        if self._lock_file is not None:
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


_WRITERS: "weakref.WeakSet[Store]" = weakref.WeakSet()


def _forget_locks_in_child() -> None:
    for store in list(_WRITERS):
        store._forget_lock()
    _WRITERS.clear()


os.register_at_fork(after_in_child=_forget_locks_in_child)


def _try_lock(path: Path) -> IO[str] | None:
    """``path`` opened and exclusively flock'ed, or None when another description holds it.
    A lock on a file renamed away meanwhile (a takeover) is dropped and tried again."""
    while True:
        lock = open(path, "a+", encoding="utf-8")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            return None
        try:
            same = os.fstat(lock.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            lock.seek(0)
            return lock
        lock.close()


def _read_holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "unknown"
    except OSError:
        return "unknown"


def _alive(pid: str) -> bool:
    """Whether process ``pid`` exists (an unreadable or unknown pid counts as alive: never
    take over a lock on a guess)."""
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _processes_holding(path: Path) -> list[int]:
    """Pids with ``path`` open (Linux ``/proc``; empty elsewhere), to name them in a message."""
    target = os.path.realpath(path)
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if any(os.readlink(fd) == target for fd in (proc / "fd").iterdir()):
                found.append(int(proc.name))
        except OSError:
            continue
    return sorted(found)
