"""Text documents: detect the encoding and the shape, then hand lines to ``layout``.

Shapes (see ``shared/seeds/README.md``):

* ``layout``: pdftotext-like text, one visual line per line;
* ``markdown``: tab-separated tables, HTML fragments (``<p>``, ``<ul>``) and LaTeX math
  (``$250\\text{mg}/\\text{m}^2$``); markup is reduced to its words and numbers, and every run of
  tab-separated lines becomes a ``Table`` whose cells have exact spans;
* ``registry``: a ClinicalTrials.gov text export, one field per line with ``|`` between
  repeated values and ``DRUG:``/``PHASE`` tokens;
* ``xml`` (``clinical_study`` root) and ``json`` (ClinicalTrials.gov API v2, ``protocolSection``):
  kept verbatim for the trial-record extractor, no sections or blocks.

Form feeds, where present, are page breaks.

Encodings: UTF-8 (with or without BOM), UTF-16/UTF-32 with BOM, UTF-16 without BOM when its
NUL pattern shows it, and Shift_JIS (CP932) or EUC-JP. The two legacy Japanese encodings can
both decode the same bytes without error, so every candidate that decodes is scored on how
Japanese the result reads (kana and common kanji against half-width katakana and symbols).
"""

from __future__ import annotations

import html
import json
import re

from extract.errors import InputError
from extract.load.layout import RawPage, RawTable, build_document
from extract.model import Document

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_LEGACY = ("cp932", "euc_jp")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_GOOD_JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]")
_BAD_JA = re.compile(r"[\uff61-\uff9f\ue000-\uf8ff\ufffd\u0080-\u00ff]")


def decode(data: bytes, path: str) -> str:
    """Decode the bytes of a text document, or raise ``InputError`` saying why not."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data, enc, path, f"starts with a {enc} byte-order mark but"), path)
    bomless = _utf16_without_bom(data)
    if bomless:
        return _checked(_strict(data, bomless, path, "looks like UTF-16 without a byte-order mark but"), path)
    if b"\x00" in data[:65536]:
        raise InputError(path, "binary data, not a text document (NUL bytes)")
    try:
        return _checked(data.decode("utf-8"), path)
    except UnicodeDecodeError:
        return _checked(_legacy_japanese(data, path), path)


def _strict(data: bytes, encoding: str, path: str, claim: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"{claim} is not valid {encoding}: {exc.reason} at byte {exc.start}") from exc


def _legacy_japanese(data: bytes, path: str) -> str:
    """Shift_JIS (CP932) or EUC-JP, whichever reads as Japanese (both may decode)."""
    decoded: list[tuple[float, str]] = []
    for enc in _LEGACY:
        try:
            decoded.append((_ja_score(data.decode(enc)), enc))
        except UnicodeDecodeError:
            continue
    if not decoded:
        raise InputError(path, "text in an unknown encoding (not UTF-8, UTF-16, Shift_JIS/CP932 or EUC-JP)")
    score, best = max(decoded)
    if score < -0.05:
        raise InputError(path, "text in an unknown encoding (neither Shift_JIS/CP932 nor EUC-JP reads as Japanese)")
    return data.decode(best)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NULs in every other byte of ASCII text."""
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _ja_score(text: str) -> float:
    good = len(_GOOD_JA.findall(text))
    bad = len(_BAD_JA.findall(text))
    return (good - 3 * bad) / max(1, len(text))


def _checked(text: str, path: str) -> str:
    """Refuse decoded text that is empty or mostly control characters (binary data that
    happened to decode)."""
    if not text.strip("\ufeff \t\r\n\f\u3000"):
        raise InputError(path, "empty document (no text)")
    controls = len(_CONTROL.findall(text[:65536]))
    if controls > 0.01 * min(len(text), 65536):
        raise InputError(path, f"binary data, not a text document ({controls} control characters)")
    return text


# --------------------------------------------------------------------------- shapes

_INTERVENTION = re.compile(r"^(?:DRUG|BIOLOGICAL|DEVICE|PROCEDURE|RADIATION|BEHAVIORAL|GENETIC|"
                           r"DIETARY_SUPPLEMENT|COMBINATION_PRODUCT|DIAGNOSTIC_TEST|OTHER)\s*:", re.M)
_PHASE_TOKEN = re.compile(r"\b(?:EARLY_)?PHASE\d\b")
_MARKUP = re.compile(r"<(?:p|ul|ol|li|table|tr|td|th|br|div|span|sup|sub)\b[^>]*>|\$[^$\n]*\\(?:text|mathrm|times|sim)")


def detect_shape(text: str) -> str:
    """One of ``xml``, ``json``, ``markdown``, ``registry``, ``layout`` (see module docstring)."""
    head = text.lstrip("\ufeff \t\r\n")[:2000]
    if head.startswith("<") and re.search(r"<clinical_study\b", text[:20000]):
        return "xml"
    if head.startswith(("{", "[")) and _is_trial_json(text):
        return "json"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return "layout"
    tabbed = sum(1 for ln in lines if "\t" in ln)
    markup = len(_MARKUP.findall(text))
    if tabbed >= 5 or markup >= 3:
        return "markdown"
    piped = sum(1 for ln in lines if re.search(r"\S\|\S", ln))
    tokens = bool(_INTERVENTION.search(text) or _PHASE_TOKEN.search(text))
    if len(lines) <= 60 and tabbed == 0 and (piped and tokens or piped >= 2):
        return "registry"
    return "layout"


def _is_trial_json(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    if isinstance(data, dict) and isinstance(data.get("studies"), list):
        data = data["studies"][0] if data["studies"] else {}
    elif isinstance(data, list):
        data = data[0] if data else {}
    return isinstance(data, dict) and "protocolSection" in data


_HTML_TAG = re.compile(r"</?(?:p|ul|ol|li|br|div|span|b|i|strong|em|sup|sub|table|tr|td|th|thead|tbody)\b[^>]*>", re.I)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_LATEX_TEXT = re.compile(r"\\(?:text|mathrm|mathit|textrm)\{([^{}]*)\}")
_LATEX_SYMBOLS = (("\\times", "×"), ("\\sim", "~"), ("\\%", "%"), ("\\leq", "≤"), ("\\geq", "≥"),
                  ("\\le", "≤"), ("\\ge", "≥"), ("\\pm", "±"), ("\\mu", "μ"), ("\\cdot", "·"))


def strip_markup(line: str) -> str:
    """Remove HTML tags, markdown heading marks and LaTeX wrappers, keep the words and numbers:
    ``$250\\text{mg}/\\text{m}^2$`` reads ``250mg/m^2``."""
    line = _MD_HEADING.sub("", _HTML_TAG.sub(" ", line))
    if "&" in line:
        line = html.unescape(line)
    if "$" in line:
        line = re.sub(r"\$([^$]+)\$", _math, line)
    return line


def _math(m: re.Match[str]) -> str:
    inner = _LATEX_TEXT.sub(r"\1", m.group(1))
    for macro, symbol in _LATEX_SYMBOLS:
        inner = inner.replace(macro, symbol)
    inner = re.sub(r"\^\{?(\d+)\}?", r"^\1", inner)
    inner = inner.replace("{", "").replace("}", "").replace("\\", "")
    return re.sub(r"\s+", " ", inner).strip()


# --------------------------------------------------------------------------- loading


def load_text(data: bytes, path: str) -> Document:
    """Decode, detect the shape and build the ``Document``."""
    text = decode(data, path)
    shape = detect_shape(text)
    if shape in ("xml", "json"):
        page = RawPage(None, tuple(text.lstrip("\ufeff").split("\n")))
        return build_document(data=data, path=path, source_format="text", shape=shape,
                              pages=[page], clean=False)
    chunks = text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    pages: list[RawPage] = []
    for i, chunk in enumerate(chunks):
        number = i + 1 if len(chunks) > 1 else None
        lines = chunk.split("\n")
        tables: tuple[RawTable, ...] = ()
        if shape == "markdown":
            lines = [strip_markup(ln) for ln in lines]
            tables = tuple(tab_tables(lines, number))
        pages.append(RawPage(number, tuple(lines), tables))
    return build_document(data=data, path=path, source_format="text", shape=shape, pages=pages)


def tab_tables(lines: list[str], page: int | None) -> list[RawTable]:
    """Consecutive tab-separated lines are one table (a table of contents is not: its rows
    end in page numbers); the first row is its header. Rows keep their line index so that
    cells get exact spans."""
    tables: list[RawTable] = []
    run: list[tuple[str, ...]] = []
    first = 0
    for i, line in enumerate([*lines, ""]):
        if "\t" in line:
            if not run:
                first = i
            run.append(tuple(cell.strip() for cell in line.split("\t")))
            continue
        if len(run) >= 2 and not _is_toc(run):
            tables.append(RawTable(tuple(run), page, header_rows=1, first_line=first))
        run = []
    return tables


def _is_toc(rows: list[tuple[str, ...]]) -> bool:
    return all(len(r) >= 2 and re.fullmatch(r"\d{1,3}", r[-1]) and re.match(r"\d", r[0]) for r in rows)
