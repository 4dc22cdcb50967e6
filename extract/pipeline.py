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
workers inherit them instead of paying for them once per document. ``jobs`` > 1 without a time
limit uses the same workers (no limit), so every parallel run fails one document at a time.

Workers end with their parent: each asks Linux for SIGKILL when its parent dies
(``PR_SET_PDEATHSIG``; elsewhere a thread watches the parent pid), ignores Ctrl-C (the parent
stops them), and never holds the store's lock (``extract.store``). A bug in the pipeline (an
exception other than ``InputError``) fails its document with "internal error" and the
traceback in the outcome's messages, so the batch goes on; third-party warnings are counted per
document where it is read (``extract.logs``) and travel back in the ``Outcome``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
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
    """What happened to one file, for the summary table, the JSON report and the exit code.

    ``codes`` say why a document is partial or failed, once each: the extractor's error
    ``Issue.code`` (``model.ISSUE_CODES``), ``page-unreadable``, ``page-partial``, or the pipeline's own
    (``input-error``, ``timeout``, ``out-of-memory``, ``worker-died``, ``internal-error``,
    ``no-such-file``, ``no-documents``); ``page_statuses`` holds (number, status, reason) per PDF page;
    ``warnings`` counts the PDF libraries' messages, the first of which are in ``messages``
    (with the traceback of an internal error)."""

    path: str
    status: Status
    doc_type: str | None = None
    pages: int = 0
    facts: int = 0
    triples: int = 0
    reason: str = ""
    doc_iri: str | None = None
    sha256: str | None = None
    codes: tuple[str, ...] = ()
    page_statuses: tuple[tuple[int, str, str], ...] = ()
    seconds: float = 0.0
    warnings: int = 0
    messages: tuple[str, ...] = ()


# path, forced type, password, OCR mode, and where the document really is when ``path`` is a copy
WorkArgs = tuple[str, DocType | None, str | None, str, str | None]


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
                                        f"({', '.join(DOCUMENT_SUFFIXES)})", codes=("no-documents",)))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Outcome(str(p), "failed", reason="no such file or folder",
                                    codes=("no-such-file",)))
    return files, problems


def document_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def process_file(path: str | Path, *, doc_type: DocType | None = None, password: str | None = None,
                 ocr: str = "auto", source: str | None = None) -> Built:
    """Load → classify → extract → link → build, for one file. Never touches the store.
    ``source``: the document's own path when ``path`` is a copy of it (a Dask worker's), so the
    graph names the original (``yk:fileName``, ``yk:sourcePath``)."""
    from extract.classify import classify
    from extract.extractors import get_extractor
    from extract.load import load_document
    from extract.normalize.linker import link
    from extract.rdf.build import build_ntriples

    name = str(path)
    try:
        doc = load_document(path, password=password, ocr=ocr)
        if source is not None:
            doc = replace(doc, path=source)
        if doc_type is None:
            cls = classify(doc)
        else:
            cls = Classification(doc_type, doc.lang, 1.0, ("forced with --type",))
        result = get_extractor(cls.doc_type)(doc)
    except InputError as exc:
        return Built(Outcome(name, "failed", reason=exc.reason,
                             codes=("input-error",)))
    links = link(result, doc)
    built = build_ntriples(doc, cls, result, links)
    status: Status = "partial" if result.status == "partial" or doc.incomplete_pages() else "ok"
    errors = [i for i in result.issues if i.level == "error"]
    reasons = [i.message for i in errors]
    reasons += [f"page {p.number}: {p.reason}" for p in doc.incomplete_pages()]
    codes = [i.code for i in errors] + [f"page-{p.status}" for p in doc.incomplete_pages()]
    numbered = [p for p in doc.pages if p.number is not None]
    outcome = Outcome(name, status, cls.doc_type.value, doc.page_count if numbered else 0,
                      len(result.facts), built.count, "; ".join(reasons[:3]), built.graph_iri,
                      codes=tuple(dict.fromkeys(codes)),
                      page_statuses=tuple((p.number, p.status, p.reason) for p in numbered))
    return Built(outcome, built.data)


def _process_star(args: WorkArgs) -> Built:
    """``process_file`` with its time, the libraries' warnings, and any bug but running out
    of memory turned into a failed outcome (module docstring)."""
    from extract.logs import collect

    path, doc_type, password, ocr, source = args
    start = time.monotonic()
    extra: list[str] = []
    with collect() as found:
        try:
            built = process_file(path, doc_type=doc_type, password=password, ocr=ocr, source=source)
        except MemoryError:
            raise
        except Exception as exc:  # a bug: fail this document, keep the traceback, go on
            extra.append(traceback.format_exc())
            built = Built(Outcome(path, "failed", reason=f"internal error: {type(exc).__name__}: {exc}",
                                  codes=("internal-error",)))
    outcome = replace(built.outcome, seconds=round(time.monotonic() - start, 3), warnings=found.count,
                      messages=(*found.messages, *extra))
    return Built(outcome, built.ntriples)


def ingest_paths(paths: Iterable[str | Path], store: "Store", *, doc_type: DocType | None = None,  # noqa: F821
                 password: str | None = None, ocr: str = "auto", jobs: int = 1,
                 on_done: Callable[[Outcome], None] | None = None,
                 timeout: float | None = None, scheduler: str | None = None) -> list[Outcome]:
    """Ingest files and folders into ``store``. Documents whose bytes are already stored are
    ``unchanged`` (not even parsed). Work runs in ``jobs`` worker processes (in this one when
    ``jobs`` is 1 and there is no ``timeout``), or on the Dask cluster ``scheduler``
    (``local:N`` or ``tcp://HOST:PORT``, ``extract.cluster``); only this process writes.
    ``timeout``: seconds per document, each in a worker killed at the limit (module docstring)."""
    from extract.rdf.iri import document_iri

    ensure_ontology(store)
    files, outcomes = collect_files(paths)
    for o in outcomes:
        if on_done:
            on_done(o)
    todo: list[str] = []
    shas: dict[str, str | None] = {}
    for f in files:
        sha = shas[str(f)] = document_sha256(f)
        if sha is not None and store.has_graph(str(document_iri(sha))):
            o = Outcome(str(f), "unchanged", reason="already in the store (same bytes)",
                        doc_iri=str(document_iri(sha)), sha256=sha)
            outcomes.append(o)
            if on_done:
                on_done(o)
        else:
            todo.append(str(f))
    if todo and scheduler is None:  # the Dask workers warm their own
        _settle_heap()

    def write(built: Built) -> Outcome:
        o = replace(built.outcome, sha256=shas.get(built.outcome.path))
        if o.status in ("ok", "partial") and o.doc_iri:
            if store.has_graph(o.doc_iri):  # the same bytes twice in one batch
                o = replace(o, status="unchanged", reason="already in the store (same bytes)")
            else:
                store.add_graph(o.doc_iri, built.ntriples)
        outcomes.append(o)
        if on_done:
            on_done(o)
        return o

    args: list[WorkArgs] = [(f, doc_type, password, ocr, None) for f in todo]
    if jobs > 1 or scheduler:  # largest first: a long document started last would keep one worker busy alone
        args.sort(key=lambda a: _size(a[0]), reverse=True)
    if scheduler is not None and args:
        from extract.cluster import run_on_dask

        for built in run_on_dask(args, scheduler, timeout):
            write(built)
    elif timeout is None and jobs <= 1:
        for a in args:
            write(_process_star(a))
    elif args:
        for built in _run_in_workers(args, max(jobs, 1), timeout):
            write(built)
    order = {str(p): i for i, p in enumerate([*map(str, paths), *todo, *map(str, files)])}
    return sorted(outcomes, key=lambda o: order.get(o.path, len(order)))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


PR_SET_PDEATHSIG = 1  # <sys/prctl.h>


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` dies: Linux sends SIGKILL (``PR_SET_PDEATHSIG``);
    elsewhere a daemon thread checks the parent pid twice a second. A parent that died before
    this call is caught by the pid check."""
    armed = False
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            armed = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker(conn: "multiprocessing.connection.Connection",
            args: WorkArgs, parent: int) -> None:
    """Child side of ``_run_in_workers``: die with the parent, leave Ctrl-C to it, process one
    document under the address-space limit, send the result. Running out of memory fails this
    document, not the batch."""
    import resource

    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    limit = WORKER_MEMORY_LIMIT_MB * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        built = _process_star(args)
    except MemoryError:
        built = Built(Outcome(args[0], "failed", codes=("out-of-memory",),
                              reason=f"out of memory (worker limit {WORKER_MEMORY_LIMIT_MB} MB)"))
    conn.send(built)
    conn.close()


def _run_in_workers(args: list[WorkArgs], jobs: int,
                    timeout: float | None) -> Iterator[Built]:
    """One forked process per document, ``jobs`` at a time; a process still running after
    ``timeout`` seconds (None: no limit) is killed and its document fails. Results arrive as
    they finish; workers still running when the caller stops (Ctrl-C) are killed."""
    from multiprocessing.connection import wait

    from extract.normalize.linker import warm_up

    warm_up()  # forked children inherit the built matchers
    ctx = multiprocessing.get_context("fork")
    pending = list(reversed(args))
    running: dict[object, tuple[str, "multiprocessing.process.BaseProcess", float]] = {}
    limit = float("inf") if timeout is None else timeout
    try:
        while pending or running:
            while pending and len(running) < jobs:
                a = pending.pop()
                reader, writer = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_worker, args=(writer, a, os.getpid()), daemon=True)
                proc.start()
                writer.close()
                running[reader] = (a[0], proc, time.monotonic())
            first = min(started for _, _, started in running.values()) + limit
            wait_s = None if first == float("inf") else max(first - time.monotonic(), 0.0)
            for reader in wait(list(running), timeout=wait_s):
                name, proc, started = running.pop(reader)
                yield _receive(reader, proc, name, started)  # type: ignore[arg-type]
            now = time.monotonic()
            for reader in [r for r, (_, _, started) in running.items() if started + limit <= now]:
                name, proc, _ = running.pop(reader)
                proc.kill()
                proc.join()
                reader.close()  # type: ignore[attr-defined]
                yield Built(Outcome(name, "failed", reason=f"timed out after {limit:g} s",
                                    codes=("timeout",), seconds=limit))
    finally:
        for reader, (_, proc, _) in running.items():
            proc.kill()
            proc.join()
            reader.close()  # type: ignore[attr-defined]


def _receive(reader: "multiprocessing.connection.Connection",
             proc: "multiprocessing.process.BaseProcess", name: str, started: float) -> Built:
    """The worker's result, or a failed outcome when it died without sending one."""
    try:
        built: Built = reader.recv()
    except EOFError:
        proc.join()
        code = proc.exitcode or 0
        how = f"killed by {_signal_name(-code)}" if code < 0 else f"exit code {code}"
        return Built(Outcome(name, "failed", reason=f"worker process died ({how})", codes=("worker-died",),
                             seconds=round(time.monotonic() - started, 3)))
    finally:
        reader.close()
    proc.join()
    return built


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


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

