"""Loader speed on the real PDFs: pages per CPU second of ``load_pdf`` against bare pdfplumber
``page.extract_text()`` on the same files, in the same run.

Why a script of its own: ``bench_ingest.py`` measures the whole ingest on generated renditions;
this one measures the loader on the documents users have (``../shared/real``: the inserts and
the clean review reports up to 100 pages, no OCR), and can compare checkouts of the project
(``--tree DIR``, repeatable: e.g. ``main`` before and after a change) in the same rounds.
Each measurement runs in its own subprocess (imports before the clock); CPU time (user +
system) counts, the fastest of ``--repeat`` rounds, rounds interleaved.

Usage: ``python scripts/bench_real.py [--tree DIR ...] [--repeat 2]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real"
MAX_PAGES = 100

_CHILD = r"""
import io, logging, sys, time
logging.disable(logging.WARNING)
mode, files = sys.argv[1], sys.argv[2:]
data = [open(f, "rb").read() for f in files]
if mode == "bare":
    import pdfplumber
else:
    from extract.load.pdf import load_pdf
pages, start = 0, time.process_time()
for name, blob in zip(files, data):
    if mode == "bare":
        with pdfplumber.open(io.BytesIO(blob)) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                pages += 1
    else:
        pages += len(load_pdf(blob, name, ocr="never").pages)
print(pages, time.process_time() - start)
"""


def _files() -> list[str]:
    import pypdfium2

    found = []
    for path in sorted(REAL.glob("*/*.pdf")):
        try:
            if len(pypdfium2.PdfDocument(path.read_bytes(), password="")) <= MAX_PAGES:
                found.append(str(path))
        except pypdfium2.PdfiumError:
            continue
    return found


def _run(tree: Path, mode: str, files: list[str]) -> tuple[int, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", _CHILD, mode, *files], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    pages, cpu = done.stdout.split()
    return int(pages), float(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, action="append", default=[], help="another checkout to measure")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    files = [f for f in _files() if "broken" not in f]
    if not files:
        print(f"no real PDFs under {REAL}")
        return 1
    runs = {"bare pdfplumber": (ROOT, "bare"), **{f"load_pdf {t}": (t, "load") for t in args.tree},
            "load_pdf (this tree)": (ROOT, "load")}
    best: dict[str, tuple[int, float]] = {}
    for _ in range(args.repeat):
        for name, (tree, mode) in runs.items():
            pages, cpu = _run(tree, mode, files)
            if name not in best or cpu < best[name][1]:
                best[name] = (pages, cpu)
    bare = best["bare pdfplumber"][1]
    print(f"{len(files)} real PDFs of at most {MAX_PAGES} pages, no OCR")
    for name, (pages, cpu) in best.items():
        print(f"{name:40} {pages:5} pages {cpu:7.2f} CPU s {pages / cpu:6.1f} pages/CPU s {bare / cpu:5.2f}x bare")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
