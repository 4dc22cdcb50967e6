"""Loaders: bytes on disk to a ``Document``. ``load_document`` picks PDF or text by content."""

from __future__ import annotations

from pathlib import Path

from extract.errors import InputError
from extract.model import Document

MAX_BYTES = 200 * 1024 * 1024


def load_document(path: str | Path, *, password: str | None = None, ocr: str = "auto") -> Document:
    """Read one file. Raises ``InputError`` naming the file and the reason when it is unusable."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(str(p), f"file larger than {MAX_BYTES // 2**20} MB")
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(str(p), f"cannot read file: {exc.strerror or exc}") from exc
    if not data:
        raise InputError(str(p), "empty file (0 bytes)")
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        from extract.load.pdf import load_pdf

        return load_pdf(data, str(p), password=password, ocr=ocr)
    if p.suffix.lower() == ".pdf":
        raise InputError(str(p), "named .pdf but is not a PDF (no %PDF header)")
    from extract.load.text import load_text

    return load_text(data, str(p))
