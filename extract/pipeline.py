"""The pipeline: one document at a time, every stage called explicitly, in one function.

``process_file`` is pure (bytes in, N-Triples out) so it can run in worker processes;
``ingest_paths`` is the only place that writes, in the parent process, one transaction per
document. A bad document becomes a ``failed`` outcome with its reason; the batch goes on.

Time limit: with ``timeout`` set (the CLI's default is ``DEFAULT_TIMEOUT_S``), every document
runs in its own forked worker process, at most ``jobs`` at a time, and a worker still running
at the limit is killed: the document is ``failed`` with "timed out after S s". Each worker's
address space is capped at ``WORKER_MEMORY_LIMIT_MB`` (a decompression bomb fails its
document with "out of memory" instead of exhausting the machine). A worker that
dies (killed for memory, a crash in a C library, a bug: its traceback goes to stderr) fails
its document only. The parent warms the heavy caches (spaCy, Sudachi) before forking, so
workers inherit them instead of paying for them once per document.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Literal

from extract.errors import InputError
from extract.model import Classification, DocType

if TYPE_CHECKING:
    from extract.store import Store

Status = Literal["ok", "partial", "failed", "unchanged"]
DOCUMENT_SUFFIXES = (".pdf", ".txt", ".xml", ".json", ".text")
DEFAULT_TIMEOUT_S = 300.0  # per document, for ``yakuji ingest --timeout``
WORKER_MEMORY_LIMIT_MB = 4096  # address space of a time-limited worker (RLIMIT_AS)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one file, for the summary table and the exit code."""

    path: str
    status: Status
    doc_type: str | None = None
    pages: int = 0
    facts: int = 0
    triples: int = 0
    reason: str = ""
    doc_iri: str | None = None


@dataclass(frozen=True, slots=True)
class Built:
    outcome: Outcome
    ntriples: bytes = b""


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Outcome]]:
    """Expand folders into the documents they hold (by suffix, sorted, hidden files skipped).
    A folder with no documents, or a path that does not exist, is a failed outcome."""
    files: list[Path] = []
    problems: list[Outcome] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in DOCUMENT_SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                problems.append(Outcome(str(p), "failed", reason="folder holds no documents "
                                        f"({', '.join(DOCUMENT_SUFFIXES)})"))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Outcome(str(p), "failed", reason="no such file or folder"))
    return files, problems


def document_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def process_file(path: str | Path, *, doc_type: DocType | None = None, password: str | None = None,
                 ocr: str = "auto") -> Built:
    """Load → classify → extract → link → build, for one file. Never touches the store."""
    from extract.classify import classify
    from extract.extractors import get_extractor
    from extract.load import load_document
    from extract.normalize.linker import link
    from extract.rdf.build import build_ntriples

    name = str(path)
    try:
        doc = load_document(path, password=password, ocr=ocr)
        if doc_type is None:
            cls = classify(doc)
        else:
            cls = Classification(doc_type, doc.lang, 1.0, ("forced with --type",))
        result = get_extractor(cls.doc_type)(doc)
    except InputError as exc:
        return Built(Outcome(name, "failed", reason=exc.reason))
    links = link(result, doc)
    built = build_ntriples(doc, cls, result, links)
    status: Status = "partial" if result.status == "partial" or doc.unreadable_pages() else "ok"
    reasons = [i.message for i in result.issues if i.level == "error"]
    reasons += [f"page {p.number}: {p.reason}" for p in doc.unreadable_pages()]
    pages = doc.page_count if doc.pages and doc.pages[0].number is not None else 0
    outcome = Outcome(name, status, cls.doc_type.value, pages, len(result.facts), built.count,
                      "; ".join(reasons[:3]), built.graph_iri)
    return Built(outcome, built.data)


def _process_star(args: tuple[str, DocType | None, str | None, str]) -> Built:
    path, doc_type, password, ocr = args
    return process_file(path, doc_type=doc_type, password=password, ocr=ocr)


def ingest_paths(paths: Iterable[str | Path], store: "Store", *, doc_type: DocType | None = None,  # noqa: F821
                 password: str | None = None, ocr: str = "auto", jobs: int = 1,
                 on_done: Callable[[Outcome], None] | None = None,
                 timeout: float | None = None) -> list[Outcome]:
    """Ingest files and folders into ``store``. Documents whose bytes are already stored are
    ``unchanged`` (not even parsed). Work runs in ``jobs`` processes; only this one writes.
    ``timeout``: seconds per document, each in a worker killed at the limit (module docstring)."""
    from extract.rdf.iri import document_iri

    ensure_ontology(store)
    files, outcomes = collect_files(paths)
    for o in outcomes:
        if on_done:
            on_done(o)
    todo: list[str] = []
    for f in files:
        sha = document_sha256(f)
        if sha is not None and store.has_graph(str(document_iri(sha))):
            o = Outcome(str(f), "unchanged", reason="already in the store (same bytes)",
                        doc_iri=str(document_iri(sha)))
            outcomes.append(o)
            if on_done:
                on_done(o)
        else:
            todo.append(str(f))
    if todo:
        _settle_heap()

    def write(built: Built) -> Outcome:
        o = built.outcome
        if o.status in ("ok", "partial") and o.doc_iri:
            if store.has_graph(o.doc_iri):  # the same bytes twice in one batch
                o = replace(o, status="unchanged", reason="already in the store (same bytes)")
            else:
                store.add_graph(o.doc_iri, built.ntriples)
        outcomes.append(o)
        if on_done:
            on_done(o)
        return o

    args = [(f, doc_type, password, ocr) for f in todo]
    if jobs > 1:  # largest first: a long document started last would keep one worker busy alone
        args.sort(key=lambda a: _size(a[0]), reverse=True)
    if timeout is not None and args:
        for built in _run_with_time_limit(args, max(jobs, 1), timeout):
            write(built)
    elif jobs <= 1 or len(todo) <= 1:
        for a in args:
            write(_process_star(a))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_process_star, a) for a in args]
            for fut in as_completed(futures):
                write(fut.result())
    order = {str(p): i for i, p in enumerate([*map(str, paths), *todo, *map(str, files)])}
    return sorted(outcomes, key=lambda o: order.get(o.path, len(order)))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _worker(conn: "multiprocessing.connection.Connection",
            args: tuple[str, DocType | None, str | None, str]) -> None:
    """Child side of ``_run_with_time_limit``: process one document under the address-space
    limit, send the result. Running out of memory fails this document, not the batch."""
    import resource

    limit = WORKER_MEMORY_LIMIT_MB * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        built = _process_star(args)
    except MemoryError:
        built = Built(Outcome(args[0], "failed",
                              reason=f"out of memory (worker limit {WORKER_MEMORY_LIMIT_MB} MB)"))
    conn.send(built)
    conn.close()


def _run_with_time_limit(args: list[tuple[str, DocType | None, str | None, str]], jobs: int,
                         timeout: float) -> Iterator[Built]:
    """One forked process per document, ``jobs`` at a time; a process still running after
    ``timeout`` seconds is killed and its document fails. Results arrive as they finish."""
    from multiprocessing.connection import wait

    from extract.normalize.linker import warm_up

    warm_up()  # forked children inherit the built matchers
    ctx = multiprocessing.get_context("fork")
    pending = list(reversed(args))
    running: dict[object, tuple[str, "multiprocessing.process.BaseProcess", float]] = {}
    while pending or running:
        while pending and len(running) < jobs:
            a = pending.pop()
            reader, writer = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker, args=(writer, a), daemon=True)
            proc.start()
            writer.close()
            running[reader] = (a[0], proc, time.monotonic() + timeout)
        first_deadline = min(deadline for _, _, deadline in running.values())
        ready = wait(list(running), timeout=max(first_deadline - time.monotonic(), 0.0))
        for reader in ready:
            name, proc, _ = running.pop(reader)
            yield _receive(reader, proc, name)  # type: ignore[arg-type]
        now = time.monotonic()
        for reader in [r for r, (_, _, deadline) in running.items() if deadline <= now]:
            name, proc, _ = running.pop(reader)
            proc.kill()
            proc.join()
            reader.close()  # type: ignore[attr-defined]
            yield Built(Outcome(name, "failed", reason=f"timed out after {timeout:g} s"))


def _receive(reader: "multiprocessing.connection.Connection",
             proc: "multiprocessing.process.BaseProcess", name: str) -> Built:
    """The worker's result, or a failed outcome when it died without sending one."""
    try:
        built: Built = reader.recv()
    except EOFError:
        proc.join()
        return Built(Outcome(name, "failed",
                             reason=f"worker process died (exit code {proc.exitcode})"))
    finally:
        reader.close()
    proc.join()
    return built


def _settle_heap() -> None:
    """Build the linker's matchers (spaCy, Sudachi: hundreds of MB of long-lived objects), then
    move every live object out of the garbage collector's sight (``gc.freeze``). Parsing a PDF
    allocates millions of short-lived objects, and each full collection would otherwise walk the
    matchers again: measured on the 11 renditions, collections took 1.31 s of loading with the
    matchers on the heap, 0.66 s with them frozen. Garbage existing now is collected first, so
    only live objects are frozen; worker processes forked afterwards share the frozen pages."""
    import gc

    from extract.normalize.linker import warm_up

    warm_up()
    gc.collect()
    gc.freeze()


def ensure_ontology(store: "Store") -> None:
    """Load the ontology and the lexicon's concept scheme into their own named graph,
    replacing it when their content changed."""
    from rdflib import Graph, Literal

    from extract.normalize.lexicon import Lexicon
    from extract.rdf.namespaces import ONTOLOGY_GRAPH, YK
    from extract.resources import ontology_dir

    onto = ontology_dir()
    digest = hashlib.sha256()
    files = sorted([onto / "yakuji.ttl", *(onto / "lexicon").glob("*")])
    for f in files:
        if f.is_file():
            digest.update(f.name.encode() + f.read_bytes())
    version = digest.hexdigest()
    if store.ontology_version() == version:
        return
    g = Graph()
    g.parse(onto / "yakuji.ttl", format="turtle")
    g += Lexicon.load().to_graph()
    g.add((ONTOLOGY_GRAPH, YK.contentHash, Literal(version)))
    store.replace_graph(str(ONTOLOGY_GRAPH), g.serialize(format="nt", encoding="utf-8"))

