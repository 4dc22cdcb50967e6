"""Text documents: detect the encoding and the shape, then hand lines to ``layout``.

Three shapes occur (see ``shared/seeds/README.md``): layout text (pdftotext-like), markdown-
like text (tab-separated tables, HTML fragments, LaTeX math) and registry records (one field
per line). Form feeds, where present, are page breaks.
"""

from __future__ import annotations

import re

from extract.errors import InputError
from extract.load.layout import RawPage, RawTable, build_document
from extract.model import Document

_ENCODINGS = ("utf-8-sig", "utf-16", "cp932", "euc_jp")


def decode(data: bytes, path: str) -> str:
    """Decode UTF-8, UTF-16 (with BOM), Shift_JIS/CP932 or EUC-JP; refuse binary data."""
    if not data.strip():
        raise InputError(path, "empty file")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "binary data, not a text document")
    for enc in _ENCODINGS:
        if enc == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(path, "text in an unknown encoding (tried UTF-8, UTF-16, CP932, EUC-JP)")


def detect_shape(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return "layout"
    tabbed = sum(1 for ln in lines if "\t" in ln)
    markup = len(re.findall(r"<(?:p|ul|li|table|tr|td|br)\b|\$[^$\n]*\\text\{", text))
    if tabbed >= 5 or markup >= 3:
        return "markdown"
    if len(lines) <= 40 and sum(1 for ln in lines if "|" in ln) >= 1 and max(map(len, lines)) > 150:
        return "registry"
    return "layout"


_HTML_TAG = re.compile(r"</?(?:p|ul|ol|li|br|div|span|b|i|strong|em|sup|sub)\b[^>]*>", re.I)
_LATEX_TEXT = re.compile(r"\\(?:text|mathrm)\{([^{}]*)\}")


def strip_markup(line: str) -> str:
    """Remove HTML tags and LaTeX wrappers, keep the words and numbers."""
    line = _HTML_TAG.sub(" ", line)
    if "$" in line:
        def math(m: re.Match[str]) -> str:
            inner = _LATEX_TEXT.sub(r"\1", m.group(1))
            inner = inner.replace("\\times", "×").replace("\\sim", "~").replace("\\%", "%")
            inner = inner.replace("\\leq", "≤").replace("\\geq", "≥").replace("\\le", "≤").replace("\\ge", "≥")
            inner = re.sub(r"\^\{?(\d+)\}?", r"^\1", inner)
            inner = inner.replace("{", "").replace("}", "").replace("\\", "")
            return re.sub(r"\s+", " ", inner).strip()
        line = re.sub(r"\$([^$]+)\$", math, line)
    return line


def load_text(data: bytes, path: str) -> Document:
    text = decode(data, path)
    shape = detect_shape(text)
    pages_src = text.split("\f")
    pages: list[RawPage] = []
    for i, chunk in enumerate(pages_src):
        number = i + 1 if len(pages_src) > 1 else None
        lines = chunk.splitlines()
        tables: tuple[RawTable, ...] = ()
        if shape == "markdown":
            lines = [strip_markup(ln) for ln in lines]
            tables = tuple(_tab_tables(lines, number))
        pages.append(RawPage(number, tuple(lines), tables))
    return build_document(data=data, path=path, source_format="text", shape=shape, pages=pages)


def _tab_tables(lines: list[str], page: int | None) -> list[RawTable]:
    """Consecutive tab-separated lines are one table; the first row is its header."""
    tables: list[RawTable] = []
    run: list[tuple[str, ...]] = []
    for line in [*lines, ""]:
        if "\t" in line:
            run.append(tuple(cell.strip() for cell in line.split("\t")))
        elif line.strip() or not run:
            if len(run) >= 2:
                tables.append(RawTable(tuple(run), page, header_rows=1))
            run = []
    return tables
