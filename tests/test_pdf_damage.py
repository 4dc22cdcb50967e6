"""Damaged and awkward real PDFs never kill the loader (issue 16 item 3): an error of
pdfplumber or pdfminer inside one page's table or layout pass becomes the page's reason while
its text still counts; truncated and byte-flipped copies of every real PDF give a Document or
an ``InputError``, nothing else, and finish."""

from __future__ import annotations

import random
import signal
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

import pytest

from extract.errors import InputError
from extract.load import pdf as pdf_module
from extract.load.pdf import from_library, load_pdf
from extract.model import Document

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"


def test_a_crop_box_off_the_page_is_no_crash(real_document: Callable[[str], Document]) -> None:
    """The proper-use guide's booktabs rules run above its pages: pdfplumber refused the crop
    box of the caption search (ValueError), which killed the worker."""
    doc = real_document("product/imbruvica-proper-use-guide-2026-03.pdf")
    assert len(doc.pages) == 90
    assert not doc.incomplete_pages()


def _off_page_crop(page: Any) -> list[Any]:
    return page.within_bbox((-50, -50, 10, 10)).extract_words()  # pdfplumber raises ValueError


def test_a_library_error_in_the_table_pass_is_a_page_issue(make_pdfs: ModuleType, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_pdfs.make_sample(tmp_path / "sample.pdf")
    monkeypatch.setattr(pdf_module, "_tables", _off_page_crop)
    doc = load_pdf(path.read_bytes(), str(path))
    page = doc.pages[0]
    assert page.status == "partial"
    assert page.reason.startswith("tables not read (ValueError: Bounding box (-50, -50, 10, 10) is not fully within")
    assert doc.text.strip() and doc.incomplete_pages() == [page]


def test_a_library_error_in_the_layout_pass_reads_lines_top_to_bottom(make_pdfs: ModuleType, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_pdfs.make_sample(tmp_path / "sample.pdf")
    expected = load_pdf(path.read_bytes(), str(path)).text
    real = pdf_module._text_segments

    def failing(page: Any, body: Any, blocks: Any) -> Any:
        if blocks is not None:
            _off_page_crop(page)
        return real(page, body, blocks)

    monkeypatch.setattr(pdf_module, "_text_segments", failing)
    doc = load_pdf(path.read_bytes(), str(path))
    assert doc.pages[0].status == "partial" and "layout not read, lines top to bottom" in doc.pages[0].reason
    lines = iter(doc.text.split("\n"))  # every text line as before, in order; table rows become text
    assert all(any(ln == got for got in lines) for ln in expected.split("\n") if ln and "\t" not in ln)


def test_an_error_of_our_own_is_not_hidden(make_pdfs: ModuleType, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_pdfs.make_sample(tmp_path / "sample.pdf")

    def ours(page: Any) -> list[Any]:
        raise ValueError("a bug of ours")

    monkeypatch.setattr(pdf_module, "_tables", ours)
    with pytest.raises(ValueError, match="a bug of ours"):
        load_pdf(path.read_bytes(), str(path))
    try:
        ours(None)
    except ValueError as exc:
        assert not from_library(exc)


# --------------------------------------------------------------------------- fuzz

FUZZ_SECONDS = 60   # one damaged copy; the loader reads the longest real PDF in ~15 s
FLIPS = 24          # bytes changed in a byte-flipped copy
FLIPPED_MAX_PAGES = 12  # longer documents get a truncated copy only (the suite's time)


def _real_documents() -> list[str]:
    return sorted(str(p.relative_to(REAL)) for p in REAL.glob("*/*.pdf")) or ["(no real documents)"]


def _damaged(name: str, data: bytes, pages: int) -> Iterator[tuple[str, bytes]]:
    """Deterministic damaged copies: cut at a seeded point, and (short documents) with
    ``FLIPS`` seeded bytes flipped past the header."""
    rng = random.Random(f"yakuji-fuzz:{name}")
    cut = rng.randrange(len(data) // 20, len(data) - 1)
    yield f"cut at byte {cut}", data[:cut]
    if pages <= FLIPPED_MAX_PAGES:
        flipped = bytearray(data)
        where = sorted(rng.randrange(16, len(data)) for _ in range(FLIPS))
        for i in where:
            flipped[i] ^= 1 << rng.randrange(8)
        yield f"bytes flipped at {where[:4]}…", bytes(flipped)


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Hang


@pytest.mark.parametrize("name", _real_documents())
def test_damaged_copies_of_real_documents(name: str) -> None:
    import pypdfium2

    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real documents not available: {REAL} is absent")
    data = path.read_bytes()
    pages = len(pypdfium2.PdfDocument(data, password=""))
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for how, damaged in _damaged(name, data, pages):
            signal.alarm(FUZZ_SECONDS)
            try:
                doc = load_pdf(damaged, f"{name} ({how})", ocr="never")
                assert doc.pages
            except InputError as exc:
                assert exc.reason
            except _Hang:
                pytest.fail(f"{name} ({how}): still reading after {FUZZ_SECONDS} s")
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)
