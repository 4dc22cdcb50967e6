"""Tokenising speed: pdfminer's ``PDFContentParser`` against ``FastContentParser``.

Renders the PDF renditions (``make_pdfs.render_corpus``: the samples and, when present, the
seeds) into a temporary folder, takes every page's content streams, and parses them all to
the end with both parsers: CPU seconds, best of ``--rounds``, and the ratio stock / fast.
Both parsers' objects are compared once first, so a fast wrong parser cannot win.

Usage: ``python scripts/bench_tokens.py [--rounds 3] [--pdf-dir DIR]`` (an existing folder of
PDFs instead of rendering).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfinterp import PDFContentParser
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import PSEOF

from extract.load.pdf_tokens import FastContentParser

ROOT = Path(__file__).resolve().parents[1]


def _make_pdfs():  # noqa: ANN202 - a module loaded by path
    spec = importlib.util.spec_from_file_location("yakuji_make_pdfs", ROOT / "scripts" / "make_pdfs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def page_streams(pdfs: list[Path]) -> list[list[bytes]]:
    """Every page's decoded content streams."""
    pages = []
    for pdf in pdfs:
        with pdf.open("rb") as fp:
            for page in PDFPage.create_pages(PDFDocument(PDFParser(fp))):
                pages.append([stream_value(s).get_data() for s in page.contents])
    return pages


def parse_all(cls: type[PDFContentParser], pages: list[list[bytes]]) -> list[list[object]]:
    out = []
    for streams in pages:
        parser = cls([PDFStream({}, data) for data in streams])
        objs: list[object] = []
        try:
            while True:
                objs.append(parser.nextobject())
        except PSEOF:
            pass
        out.append(objs)
    return out


def best_cpu(pages: list[list[bytes]], rounds: int) -> tuple[float, float]:
    """CPU seconds of (stock, fast), best of ``rounds``; the two alternate within each round
    because the machine's speed drifts over minutes."""
    best = {PDFContentParser: float("inf"), FastContentParser: float("inf")}
    for _ in range(rounds):
        for cls in best:
            start = time.process_time()
            parse_all(cls, pages)
            best[cls] = min(best[cls], time.process_time() - start)
    return best[PDFContentParser], best[FastContentParser]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pdf-dir", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.pdf_dir:
            pdfs = sorted(args.pdf_dir.glob("*.pdf"))
        else:
            pdfs = _make_pdfs().render_corpus(Path(tmp))
        pages = page_streams(pdfs)
    size = sum(len(d) for streams in pages for d in streams)
    if repr(parse_all(PDFContentParser, pages)) != repr(parse_all(FastContentParser, pages)):
        sys.exit("the parsers disagree: run tests/test_pdf_tokens.py")
    stock, fast = best_cpu(pages, args.rounds)
    print(f"{len(pdfs)} PDFs, {len(pages)} pages, {size / 1e6:.2f} MB of content streams")
    print(f"stock {stock:.3f} s  fast {fast:.3f} s  ratio {stock / fast:.2f}x (CPU, best of {args.rounds})")


if __name__ == "__main__":
    main()
