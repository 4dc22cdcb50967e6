"""Ingest benchmark: pages/s of the loader and of the whole ingest against bare pdfplumber
``page.extract_text()`` on the same PDFs, and peak memory loading a long generated PDF.

Every measurement runs in its own Python subprocess, so its peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own, and no cache is shared between
runs. Times exclude interpreter start-up and imports (imports are done before the clock starts);
each measurement runs ``--repeat`` times and the fastest run counts.

Usage: ``python scripts/bench_ingest.py [--pdf-dir DIR] [--pages 100] [--jobs 2] [--repeat 2]``. Without
``--pdf-dir`` the PDF renditions of the samples and (when present) the seeds are generated
into a temporary folder with ``scripts/make_pdfs.py``.
"""

from __future__ import annotations

import argparse
import importlib
import json
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

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else float("nan")


# --------------------------------------------------------------------------- in the subprocess


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


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


def _measure_ingest(paths: list[str], jobs: int) -> tuple[int, float]:
    from extract import pipeline
    from extract.store import Store

    # Warm the heavy imports (spaCy, Sudachi, rdflib) outside the clock.
    for module in ("extract.classify", "extract.normalize.linker", "extract.rdf.build"):
        importlib.import_module(module)

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "store") as store:
        pipeline.ensure_ontology(store)
        start = time.perf_counter()
        outcomes = pipeline.ingest_paths(paths, store, jobs=jobs)
        seconds = time.perf_counter() - start
    return sum(o.pages for o in outcomes), seconds


def _child(kind: str, paths: list[str], jobs: int) -> None:
    if kind == "plumber":
        pages, seconds = _measure_plumber(paths)
    elif kind == "load":
        pages, seconds = _measure_load(paths)
    else:
        pages, seconds = _measure_ingest(paths, jobs)
    print(json.dumps({"pages": pages, "seconds": seconds, "peak_mb": _peak_mb()}))


# --------------------------------------------------------------------------- in the parent


REPEAT = 2  # runs per measurement; the fastest counts (other load on the machine only adds time)


def measure(label: str, kind: str, paths: list[Path], jobs: int = 1) -> Result:
    cmd = [sys.executable, __file__, "--child", kind, "--jobs", str(jobs), *map(str, paths)]
    runs: list[Result] = []
    for _ in range(REPEAT):
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{label} failed:\n{done.stderr[-2000:]}")
        data = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(Result(label, data["pages"], data["seconds"], data["peak_mb"]))
    return min(runs, key=lambda r: r.seconds)


def has_pipeline() -> bool:
    try:
        from extract import pipeline
    except ImportError:
        return False
    return hasattr(pipeline, "ingest_paths")


def renditions(out: Path) -> list[Path]:
    import make_pdfs

    return make_pdfs.render_corpus(out)


def long_pdf(out: Path, pages: int) -> Path:
    """A dense generated PDF: Japanese and English text and a ruled table on every page."""
    import make_pdfs

    body = "\n".join([
        *make_pdfs.SAMPLE_LINES,
        *[f"{i}. 本品の用法及び用量は通常成人に1日1回 {i * 5} mg を経口投与する。The dose is "
          f"{i * 5} mg once daily." for i in range(1, 36)],
        *make_pdfs.SAMPLE_TABLE,
    ])
    return make_pdfs.render_text("\f".join([body] * pages), out / f"long_{pages}.pdf")


def table(results: list[Result], base: Result) -> str:
    rows = [f"{'measurement':<44} {'pages':>6} {'s':>7} {'pages/s':>8} {'vs bare':>8} {'peak MB':>8}"]
    for r in results:
        ratio = r.pages_per_s / base.pages_per_s
        rows.append(f"{r.label:<44} {r.pages:>6} {r.seconds:>7.2f} {r.pages_per_s:>8.1f} "
                    f"{ratio:>7.2f}x {r.peak_mb:>8.0f}")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--pdf-dir", type=Path, help="PDFs to measure (default: generate renditions)")
    parser.add_argument("--pages", type=int, default=100, help="length of the memory-test PDF")
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
        print(f"{len(pdfs)} PDF renditions; memory test on a generated {args.pages}-page PDF\n")
        base = measure("bare pdfplumber extract_text()", "plumber", pdfs)
        results = [base, measure("load_document (text + tables + checks)", "load", pdfs)]
        if has_pipeline():
            results.append(measure("ingest_paths --jobs 1 (load..store)", "ingest", pdfs, 1))
            results.append(measure(f"ingest_paths --jobs {args.jobs}", "ingest", pdfs, args.jobs))
        else:
            print("(extract.pipeline.ingest_paths not found: ingest not measured)")
        print(table(results, base))
        print()
        big_base = measure(f"bare pdfplumber, {args.pages}-page PDF", "plumber", [big])
        big_results = [big_base, measure(f"load_document, {args.pages}-page PDF", "load", [big])]
        if has_pipeline():
            big_results.append(measure(f"ingest_paths, {args.pages}-page PDF", "ingest", [big], 1))
        print(table(big_results, big_base))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
