"""The parse stage on a Dask distributed cluster (``yakuji ingest --scheduler``).

``process_file`` is pure (bytes in, N-Triples out), so a document can be read anywhere: each
one is sent, as its bytes and its file name, to a Dask worker, which needs only the package
installed (no shared file system). The client alone writes the store, one transaction per
document, as results arrive, exactly as with ``--jobs``.

On the worker, a document is read the way ``--jobs`` reads it: in a forked child process with
the time limit and the address-space cap (``pipeline._run_in_workers``), so a timeout, a crash
in a C library or running out of memory fails that document with the same reason, and the Dask
worker lives on. The linker's matchers are built once per worker process, before its first
document, and every child inherits them. A Dask worker lost mid-document (its machine gone,
killed) is the scheduler's to handle: the task runs again elsewhere, and a task that loses
``distributed.scheduler.allowed-failures`` workers (1 for ``local:N``; the scheduler's setting for
a remote one) fails its document only, with the reason.

``--scheduler local:N`` starts a ``LocalCluster`` of N single-threaded worker processes on this
machine for the run; ``tcp://HOST:PORT`` connects to a running scheduler (``dask scheduler`` and
``dask worker tcp://HOST:PORT --nthreads 1`` on each machine, the package installed on each).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from extract.errors import missing_dependency

if TYPE_CHECKING:
    from extract.pipeline import Built, WorkArgs

_WARM = False


def _dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise missing_dependency("dask.distributed", "pip install 'yakuji-kg[dask]'") from None
    return distributed


def parse_scheduler(spec: str) -> tuple[str, int]:
    """``local:N`` -> ("local", N); ``tcp://host:port`` (or tls://) -> (the address, 0)."""
    if spec.startswith("local:"):
        count = spec.partition(":")[2]
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--scheduler local:N needs a number of workers N >= 1, not {spec!r}")
        return "local", int(count)
    if spec.startswith(("tcp://", "tls://", "inproc://")):
        return spec, 0
    raise ValueError(f"--scheduler takes local:N or tcp://HOST:PORT, not {spec!r}")


def _connect(spec: str) -> tuple[Any, Any]:
    """A client (and the LocalCluster it owns, or None) for ``spec``."""
    import logging

    import dask

    distributed = _dask()
    address, workers = parse_scheduler(spec)
    if address != "local":
        return distributed.Client(address, timeout=30), None
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
    return distributed.Client(cluster), cluster


def read_on_worker(data: bytes, args: "WorkArgs", source: str, timeout: float | None) -> "Built":
    """The task: ``data`` written under its own file name in a private folder, then read in a
    forked child with the limit (module docstring). The graph names ``source`` (the client's
    absolute path) and the outcome the path as the client was given it."""
    global _WARM
    import multiprocessing

    from extract.pipeline import _run_in_workers, _settle_heap

    if not _WARM:
        _settle_heap()
        # a Dask worker runs as a daemonic process, which multiprocessing forbids children; ours
        # die with it (PR_SET_PDEATHSIG), which is what the flag is for
        multiprocessing.current_process().daemon = False
        _WARM = True
    with tempfile.TemporaryDirectory(prefix="yakuji-") as tmp:
        path = Path(tmp) / Path(args[0]).name
        path.write_bytes(data)
        [built] = _run_in_workers([(str(path), *args[1:4], source)], 1, timeout)
    return replace(built, outcome=replace(built.outcome, path=args[0]))


def run_on_dask(work: list["WorkArgs"], scheduler: str, timeout: float | None) -> Iterator["Built"]:
    """Each document on the cluster, a few per worker thread in flight (so the client holds a
    bounded number of files in memory); results as they arrive."""
    from extract.pipeline import Built, Outcome

    distributed = _dask()
    client, cluster = _connect(scheduler)
    try:
        threads = sum(client.nthreads().values()) or 1
        todo = iter(work)
        running = distributed.as_completed(loop=client.loop)  # this client's, not the process's default
        names: dict[str, str] = {}
        unreadable: list[Built] = []

        def submit_next() -> None:
            for args in todo:
                try:
                    data = Path(args[0]).read_bytes()
                except OSError as exc:
                    unreadable.append(Built(Outcome(args[0], "failed", reason=f"cannot read: {exc.strerror}",
                                                    codes=("input-error",))))
                    continue
                future = client.submit(read_on_worker, data, args, os.path.abspath(args[0]), timeout, pure=False,
                                       key=f"yakuji-read-{os.getpid()}-{len(names)}")
                names[future.key] = args[0]
                running.add(future)
                return

        for _ in range(2 * threads):
            submit_next()
        yield from unreadable
        for future in running:
            try:
                yield future.result()
            except Exception as exc:  # the worker was lost (KilledWorker) or the task could not run
                yield Built(Outcome(names[future.key], "failed", codes=("worker-died",),
                                    reason=f"Dask worker lost while reading it ({type(exc).__name__}: {exc})"))
            future.release()
            unreadable.clear()
            submit_next()
            yield from unreadable
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
