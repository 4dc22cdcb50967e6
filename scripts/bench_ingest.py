"""Ingest benchmark: pages/s of the loader and of the whole ingest against bare pdfplumber
``page.extract_text()`` on the same PDFs, the speed-up of ``--jobs N`` over ``--jobs 1``, peak
memory ingesting a long generated PDF, and the share of ingest time spent linking.

The long PDFs (``--pages``, default 500, for memory; ``--link-pages``, default 100, for the
linking share) repeat a sample review report until they are that long, so every stage runs
(classify, extract, link, build) and the numbers are those of a real document kind. Peak
memory counts the measuring process and its worker processes (``RUSAGE_CHILDREN``).

Every measurement runs in its own Python subprocess, so its peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own, and no cache is shared between
runs. Times exclude interpreter start-up and imports (imports are done before the clock starts);
each measurement runs ``--repeat`` times, in rounds (``measure_all``), and the fastest run
counts. Two times are kept: wall clock, and CPU time (user + system, of the process and its
waited-for workers). The "vs bare" ratio is taken on CPU time, which other work on a shared
machine does not inflate; the ``--jobs`` speed-up is taken on wall time (what parallel workers
save), round by round, next to the same ratio for two CPU-bound loops: on a shared virtual
machine two CPUs need not give 2x, and that ceiling is measured in the same rounds.

Usage: ``python scripts/bench_ingest.py [--pdf-dir DIR] [--pages 500] [--link-pages 100] [--jobs 2] [--repeat 2]``. Without
``--pdf-dir`` the PDF renditions of the samples and (when present) the seeds are generated
into a temporary folder with ``scripts/make_pdfs.py``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


@dataclass(frozen=True)
class Result:
    label: str
    pages: int
    seconds: float
    peak_mb: float
    cpu: float = 0.0  # CPU seconds (process and workers)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else float("nan")

    @property
    def pages_per_cpu_s(self) -> float:
        return self.pages / self.cpu if self.cpu else float("nan")


# --------------------------------------------------------------------------- in the subprocess


def _cpu() -> float:
    """CPU seconds so far of this process and its waited-for workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _peak_mb() -> float:
    """The largest resident set of this process or any of its (waited-for) workers."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024  # Linux: KiB


def _measure_plumber(paths: list[str]) -> tuple[int, float]:
    import pdfplumber

    pages = 0
    start = time.perf_counter()
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                pages += 1
    return pages, time.perf_counter() - start


def _measure_load(paths: list[str]) -> tuple[int, float]:
    from extract.load import load_document

    pages = 0
    start = time.perf_counter()
    for path in paths:
        pages += len(load_document(path).pages)
    return pages, time.perf_counter() - start


def _measure_ingest(paths: list[str], jobs: int) -> tuple[int, float, float]:
    from extract import pipeline
    from extract.store import Store

    # Warm the heavy imports (spaCy, Sudachi, rdflib) and the linker's matchers outside the
    # clock: like interpreter start-up they are paid once per process, not per page (the
    # linking measurement reports that cost, ``warm_up()``, on its own line). Workers of
    # ``--jobs N`` are forked from this process and inherit the warmed matchers.
    for module in ("extract.classify", "extract.normalize.linker", "extract.rdf.build"):
        importlib.import_module(module)
    from extract.normalize import linker

    linker.warm_up()

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "store") as store:
        pipeline.ensure_ontology(store)
        cpu = _cpu()
        start = time.perf_counter()
        outcomes = pipeline.ingest_paths(paths, store, jobs=jobs)
        seconds = time.perf_counter() - start
        cpu = _cpu() - cpu
    return sum(o.pages for o in outcomes), seconds, cpu


def _measure_linking(paths: list[str]) -> dict[str, float]:
    """Ingest with ``linker.link`` timed: its share of the ingest, and ``warm_up`` (spaCy and
    Sudachi's one-off start, paid once per process) timed apart, before the clock starts."""
    from extract import pipeline
    from extract.normalize import linker
    from extract.store import Store

    for module in ("extract.classify", "extract.rdf.build"):
        importlib.import_module(module)
    start = time.perf_counter()
    linker.warm_up()
    warm = time.perf_counter() - start
    spent = [0.0]
    real_link = linker.link

    def timed_link(*args, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return real_link(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0

    linker.link = timed_link  # process_file imports it from the module at call time
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "store") as store:
        pipeline.ensure_ontology(store)
        start = time.perf_counter()
        outcomes = pipeline.ingest_paths(paths, store)
        seconds = time.perf_counter() - start
    return {"pages": sum(o.pages for o in outcomes), "seconds": seconds, "link_s": spent[0],
            "warm_up_s": warm, "facts": sum(o.facts for o in outcomes),
            "status": ",".join(o.status for o in outcomes)}


SPIN = 20_000_000  # additions per spin: about 1-2 s of one CPU


def _spin(_: int = 0) -> float:
    """A CPU-bound pure-Python loop, no memory traffic: what two CPUs give at best."""
    total = 0
    for i in range(SPIN):
        total += i
    return float(total)


def _measure_spin(jobs: int) -> tuple[int, float]:
    """Two spins, one after the other (``jobs`` 1) or in two forked processes at once: the
    ratio of the two wall times is this machine's ceiling for ``--jobs 2`` (a shared VM's
    CPUs need not give 2x)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    start = time.perf_counter()
    if jobs <= 1:
        _spin(), _spin()
    else:
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(_spin, range(2)))
    return 0, time.perf_counter() - start


def _child(kind: str, paths: list[str], jobs: int) -> None:
    if kind == "linking":
        data = _measure_linking(paths)
        data["peak_mb"] = _peak_mb()
        print(json.dumps(data))
        return
    if kind == "ingest":  # the heavy imports are warmed inside, before its own clock starts
        pages, seconds, cpu = _measure_ingest(paths, jobs)
    elif kind == "spin":
        cpu = _cpu()
        pages, seconds = _measure_spin(jobs)
        cpu = _cpu() - cpu
    else:
        measure_kind = _measure_plumber if kind == "plumber" else _measure_load
        cpu = _cpu()
        pages, seconds = measure_kind(paths)
        cpu = _cpu() - cpu
    print(json.dumps({"pages": pages, "seconds": seconds, "cpu": cpu, "peak_mb": _peak_mb()}))


# --------------------------------------------------------------------------- in the parent


REPEAT = 2  # runs per measurement; the fastest counts (other load on the machine only adds time)


Spec = tuple[str, str, list[Path], int]  # label, kind, PDFs, jobs


def _run_once(label: str, kind: str, paths: list[Path], jobs: int) -> Result:
    cmd = [sys.executable, __file__, "--child", kind, "--jobs", str(jobs), *map(str, paths)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{label} failed:\n{done.stderr[-2000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Result(label, data["pages"], data["seconds"], data["peak_mb"], data["cpu"])


def paired_ratio(specs: list[Spec], runs: dict[str, list[Result]], first: int, second: int) -> tuple[float, float, float]:
    """Wall time of spec ``first`` over spec ``second``, round by round (each round runs both
    minutes apart at most): the median and the range over the rounds."""
    a, b = runs[specs[first][0]], runs[specs[second][0]]
    ratios = sorted(x.seconds / y.seconds for x, y in zip(a, b))
    return ratios[len(ratios) // 2], ratios[0], ratios[-1]


def measure_all(specs: list[Spec]) -> tuple[list[Result], dict[str, list[Result]]]:
    """Each measurement ``REPEAT`` times, in rounds (every measurement once per round), the
    fastest run of each counting (and every run, by label, for ratios taken round by round). On a shared machine the speed drifts over minutes; running
    the measurements one after another, each repeated in a block, let the drift fall on one
    side of a ratio (bare pdfplumber alone took 11.8 to 19.2 CPU s on the same pages in blocks)."""
    runs: dict[str, list[Result]] = {label: [] for label, *_ in specs}
    for _ in range(REPEAT):
        for label, kind, paths, jobs in specs:
            runs[label].append(_run_once(label, kind, paths, jobs))
    return [min(runs[label], key=lambda r: r.cpu) for label, *_ in specs], runs


def has_pipeline() -> bool:
    try:
        from extract import pipeline
    except ImportError:
        return False
    return hasattr(pipeline, "ingest_paths")


def renditions(out: Path) -> list[Path]:
    import make_pdfs

    return make_pdfs.render_corpus(out)


LONG_SOURCE = HERE.parent / "corpus" / "samples" / "review_report_ja.txt"


def long_pdf(out: Path, pages: int) -> Path:
    """A PDF of at least ``pages`` pages: the sample Japanese review report (text, headings,
    ruled tables) repeated, each copy starting a new page, so it classifies and extracts
    like a real review report."""
    import make_pdfs

    body = LONG_SOURCE.read_text(encoding="utf-8")
    per_copy = max(len(make_pdfs.paginate(body)), 1)
    copies = -(-pages // per_copy)
    return make_pdfs.render_text("\f".join([body] * copies), out / f"long_{pages}.pdf")


def measure_linking(path: Path) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", "linking", str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"linking measurement failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def largest_share(pdfs: list[Path]) -> float:
    """The largest document's share of all pages (bounds what parallel workers can gain)."""
    import pypdfium2

    counts = []
    for path in pdfs:
        pdf = pypdfium2.PdfDocument(str(path))
        counts.append(len(pdf))
        pdf.close()
    return max(counts) / sum(counts) if counts else 0.0


def table(results: list[Result], base: Result) -> str:
    rows = [f"{'measurement':<44} {'pages':>6} {'wall s':>7} {'CPU s':>7} {'pages/CPU s':>11} "
            f"{'vs bare':>8} {'peak MB':>8}"]
    for r in results:
        ratio = r.pages_per_cpu_s / base.pages_per_cpu_s
        rows.append(f"{r.label:<44} {r.pages:>6} {r.seconds:>7.2f} {r.cpu:>7.2f} "
                    f"{r.pages_per_cpu_s:>11.1f} {ratio:>7.2f}x {r.peak_mb:>8.0f}")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--pdf-dir", type=Path, help="PDFs to measure (default: generate renditions)")
    parser.add_argument("--pages", type=int, default=500, help="length of the memory-test PDF")
    parser.add_argument("--link-pages", type=int, default=100, help="length of the linking-share PDF")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the --jobs run")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per measurement (fastest)")
    args = parser.parse_args()
    globals()["REPEAT"] = max(1, args.repeat)
    if args.child:
        _child(args.child, args.paths, args.jobs)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        pdfs = sorted(args.pdf_dir.glob("*.pdf")) if args.pdf_dir else renditions(out / "pdf")
        big = long_pdf(out, args.pages)
        print(f"{len(pdfs)} PDF renditions; memory test on a generated {args.pages}-page PDF; "
              f"{os.cpu_count()} CPU(s)\n")
        specs: list[Spec] = [("bare pdfplumber extract_text()", "plumber", pdfs, 1),
                             ("load_document (text + tables + checks)", "load", pdfs, 1)]
        spin: list[Spec] = [("two spins in turn", "spin", [], 1), ("two spins at once", "spin", [], 2)]
        if has_pipeline():
            specs += [("ingest_paths --jobs 1 (load..store)", "ingest", pdfs, 1),
                      (f"ingest_paths --jobs {args.jobs}", "ingest", pdfs, args.jobs)]
        else:
            print("(extract.pipeline.ingest_paths not found: ingest not measured)")
        every = specs + spin
        results, runs = measure_all(every)
        results = results[:-2]
        print(table(results, results[0]))
        if has_pipeline():
            mid, low, high = paired_ratio(every, runs, 2, 3)
            print(f"\nspeed-up of --jobs {args.jobs} over --jobs 1 (wall time, round by round): "
                  f"{mid:.2f}x median, {low:.2f}-{high:.2f}x (largest document: "
                  f"{largest_share(pdfs):.0%} of all pages; no run can be shorter than it)")
        mid, low, high = paired_ratio(every, runs, len(every) - 2, len(every) - 1)
        print(f"this machine's ceiling: two CPU-bound loops in two processes finish {mid:.2f}x "
              f"sooner than one after the other (median; {low:.2f}-{high:.2f}x, same rounds)")
        print()
        big_specs: list[Spec] = [(f"bare pdfplumber, {args.pages}-page PDF", "plumber", [big], 1),
                                 (f"load_document, {args.pages}-page PDF", "load", [big], 1)]
        if has_pipeline():
            big_specs.append((f"ingest_paths, {args.pages}-page PDF", "ingest", [big], 1))
        big_results, _ = measure_all(big_specs)
        print(table(big_results, big_results[0]))
        if has_pipeline():
            link_pdf = long_pdf(out, args.link_pages)
            data = measure_linking(link_pdf)
            print(f"\nlinking on a {int(data['pages'])}-page PDF ({data['status']}, {int(data['facts'])} facts): "
                  f"link() {data['link_s']:.2f} s of {data['seconds']:.2f} s ingest = "
                  f"{data['link_s'] / data['seconds']:.0%}; warm_up() once per process "
                  f"{data['warm_up_s']:.2f} s (not counted)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
