"""Broken-font benchmark: pages per CPU second of the loader reading a broken-font PDF through
its recovered font map, against bare pdfplumber ``page.extract_text()`` on the same file
(which reads only ``(cid:N)``), in the same run, rounds interleaved.

Three loader figures: ``warm`` (the font's map already in the cache, as for a second document
with the same font program, or the same one again), ``cold`` (the map recovered from the
glyphs in the run; the reference glyphs, rendered once per machine, are cached) and the
recovery alone. CPU time (``time.process_time``) is used, which other work on a shared
machine does not inflate; the fastest of ``--repeat`` rounds counts.

Usage: ``python scripts/bench_fonts.py [PDF ...] [--repeat 2]`` (default: the four broken-font
reviews in ``../shared/real/review``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REAL = ROOT.parent / "shared" / "real" / "review"
DEFAULT = ["imbruvica-2016-03-review.pdf", "imbruvica-2016-11-review.pdf", "imbruvica-2022-12-review.pdf",
           "yuvanci-2024-review.pdf"]


def bare(path: Path) -> tuple[int, float]:
    import pdfplumber

    start = time.process_time()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        n = len(pdf.pages)
    return n, time.process_time() - start


def loader(path: Path, *, cold: bool) -> float:
    from extract.load import pdf_fonts
    from extract.load.pdf import load_pdf

    if cold:
        shutil.rmtree(pdf_fonts._cache_dir() / "fontmaps", ignore_errors=True)
    data = path.read_bytes()
    start = time.process_time()
    load_pdf(data, str(path), ocr="never")
    return time.process_time() - start


def recovery(path: Path) -> float:
    import pdfplumber

    from extract.load import pdf_fonts

    shutil.rmtree(pdf_fonts._cache_dir() / "fontmaps", ignore_errors=True)
    start = time.process_time()
    with pdfplumber.open(path) as pdf:
        pdf_fonts.install_maps(pdf)
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    pdfs = args.pdfs or [REAL / name for name in DEFAULT if (REAL / name).exists()]
    if not pdfs:
        print("no PDFs (../shared/real/review is absent)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        # the reference glyphs are kept (rendered once per machine), the maps live in tmp
        from extract.load import pdf_fonts

        user = pdf_fonts._cache_dir()
        os.environ["XDG_CACHE_HOME"] = tmp
        (Path(tmp) / "yakuji").mkdir()
        for ref in user.glob("references-*.npz"):
            shutil.copy(ref, Path(tmp) / "yakuji" / ref.name)
        pdf_fonts._references()  # loaded once per process, as in a worker
        print(f"{'file':34} {'pages':>5} {'bare p/s':>9} {'warm p/s':>9} {'cold p/s':>9} "
              f"{'warm/bare':>9} {'cold/bare':>9} {'recovery s':>10}")
        for path in pdfs:
            best: dict[str, float] = {}
            pages = 0
            for _ in range(args.repeat):
                pages, t_bare = bare(path)
                t_cold = loader(path, cold=True)
                t_warm = loader(path, cold=False)
                t_rec = recovery(path)
                for key, value in (("bare", t_bare), ("cold", t_cold), ("warm", t_warm), ("rec", t_rec)):
                    best[key] = min(best.get(key, value), value)
            rate = {key: pages / best[key] for key in ("bare", "warm", "cold")}
            print(f"{path.name:34} {pages:5d} {rate['bare']:9.2f} {rate['warm']:9.2f} {rate['cold']:9.2f} "
                  f"{rate['warm'] / rate['bare']:8.2f}x {rate['cold'] / rate['bare']:8.2f}x {best['rec']:10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
