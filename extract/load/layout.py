"""From raw pages (lines and tables, whatever the source) to a ``Document``.

Both loaders (PDF and text) end here, so sections, blocks, languages and offsets are
computed one way for every source.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from extract.model import Block, Cell, Document, Lang, Page, PageStatus, Section, SourceRef, Table
from extract.normalize.text import clean_text, detect_lang, join_lines


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table as the loader found it: rows of cell strings (None = covered by a span)."""

    rows: tuple[tuple[str | None, ...], ...]
    page: int | None
    header_rows: int = 0


@dataclass(frozen=True, slots=True)
class RawPage:
    number: int | None
    lines: tuple[str, ...]
    tables: tuple[RawTable, ...] = ()
    status: PageStatus = "ok"
    reason: str = ""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_document(*, data: bytes, path: str, source_format: str, shape: str,
                   pages: list[RawPage]) -> Document:
    """Assemble the document: clean every line, lay pages end to end (``\\f`` between),
    then find blocks, tables and sections on the result."""
    doc_id = sha256_hex(data)
    parts: list[str] = []
    page_objs: list[Page] = []
    offset = 0
    for i, raw in enumerate(pages):
        if i:
            parts.append("\f")
            offset += 1
        body = "\n".join(clean_text(line) for line in raw.lines)
        parts.append(body)
        page_objs.append(Page(raw.number, offset, offset + len(body), raw.status, raw.reason))
        offset += len(body)
    text = "".join(parts)
    lang: Lang = "ja" if detect_lang(text[:20000]) == "ja" else "en"
    sections = find_sections(text)
    blocks = find_blocks(doc_id, text, page_objs, sections)
    tables = tuple(_table(doc_id, raw_t, text, page_objs)
                   for raw in pages for raw_t in raw.tables)
    return Document(doc_id=doc_id, path=path, source_format=source_format,  # type: ignore[arg-type]
                    shape=shape, lang=lang, text=text, pages=tuple(page_objs), blocks=blocks,
                    tables=tables, sections=sections)


def _table(doc_id: str, raw: RawTable, text: str, pages: list[Page]) -> Table:
    page = next((p for p in pages if p.number == raw.page), None)
    start = page.start if page else 0
    end = page.end if page else len(text)
    cells: list[Cell] = []
    n_cols = max((len(r) for r in raw.rows), default=0)
    for r, row in enumerate(raw.rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            col_span = 1
            while c + col_span < len(row) and row[c + col_span] is None:
                col_span += 1
            cell_text = clean_text(value)
            pos = text.find(cell_text.split("\n")[0], start, end) if cell_text else -1
            span = (pos, pos + len(cell_text)) if pos >= 0 else (start, start)
            ref = SourceRef(doc_id, raw.page, None, span[0], min(span[1], len(text)))
            cells.append(Cell(r, c, join_lines(cell_text.split("\n")), ref, 1, col_span))
    return Table(tuple(cells), len(raw.rows), n_cols, SourceRef(doc_id, raw.page, None, start, end),
                 raw.header_rows, (raw.page,) if raw.page else ())


# --------------------------------------------------------------------------- sections

_HEADING_PATTERNS: tuple[tuple[re.Pattern[str], int], ...] = (
    # 7.R.4 Title / 1.1.2 Title / 1. Title   (number first, level = depth)
    (re.compile(r"^\s{0,3}((?:\d{1,2}\.)(?:(?:\d{1,2}|R)\.?)*)\s*([^\d\s.,、。:：].{0,60})$"), 0),
    # 5.(3) / 1.(1) (after NFKC, １.（１） reads 1.(1))
    (re.compile(r"^\s{0,3}(\d{1,2}\s*\.\s*\(\d{1,2}\))\s*(.{0,60})$"), 0),
    # 【重要な特定されたリスク】
    (re.compile(r"^\s{0,3}(【[^】]{2,30}】)\s*$"), 0),
)


def _level(number: str) -> int:
    if number.startswith("【"):
        return 9
    parts = [p for p in re.split(r"[.\s]+", number.replace("(", ".(")) if p]
    return len(parts)


def find_sections(text: str) -> tuple[Section, ...]:
    """Numbered headings into a tree. Deliberately conservative: a line counts as a heading
    only when it is short and starts with a numbering pattern."""
    heads: list[tuple[int, int, str, str]] = []  # (start, level, number, title)
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip().lstrip("\f")
        if 2 <= len(stripped) <= 70 and not stripped.endswith(("。", ".")) or stripped.startswith("【"):
            for pattern, _ in _HEADING_PATTERNS:
                m = pattern.match(stripped)
                if m:
                    number = re.sub(r"\s+", "", m.group(1))
                    title = (m.group(2) if m.lastindex and m.lastindex >= 2 else "") or ""
                    heads.append((pos, _level(number), number, title.strip()))
                    break
        pos += len(line) + 1
    return _nest(heads, len(text))


def _nest(heads: list[tuple[int, int, str, str]], end: int) -> tuple[Section, ...]:
    def build(i: int, limit_level: int) -> tuple[list[Section], int]:
        out: list[Section] = []
        while i < len(heads) and heads[i][1] > limit_level:
            start, level, number, title = heads[i]
            children, j = build(i + 1, level)
            stop = heads[j][0] if j < len(heads) else end
            out.append(Section(number, title, level, start, stop, tuple(children)))
            i = j
        return out, i

    top, _ = build(0, 0)
    return tuple(top)


# --------------------------------------------------------------------------- blocks


def find_blocks(doc_id: str, text: str, pages: list[Page], sections: tuple[Section, ...]) -> tuple[Block, ...]:
    """Paragraphs: runs of non-blank lines. Headings are their own blocks."""
    doc_for_refs = _RefHelper(doc_id, pages, sections)
    blocks: list[Block] = []
    run: list[str] = []
    run_start = 0
    pos = 0

    def flush(end: int) -> None:
        if run:
            joined = join_lines(run)
            if joined:
                lang: Lang = "ja" if detect_lang(joined) == "ja" else "en"
                blocks.append(Block(joined, lang, "paragraph", doc_for_refs.ref(run_start, end)))
        run.clear()

    for line in re.split(r"(?<=\n)|(?=\f)", text):
        bare = line.strip("\n").strip("\f")
        if not bare.strip():
            flush(pos)
        else:
            if not run:
                run_start = pos + (len(line) - len(line.lstrip("\f")))
            run.append(bare)
        pos += len(line)
    flush(pos)
    return tuple(blocks)


class _RefHelper:
    def __init__(self, doc_id: str, pages: list[Page], sections: tuple[Section, ...]) -> None:
        self.doc_id, self.pages, self.sections = doc_id, pages, sections

    def ref(self, start: int, end: int) -> SourceRef:
        page = next((p.number for p in reversed(self.pages) if p.start <= start), None)
        section = None
        level = self.sections
        while True:
            inner = next((s for s in level if s.start <= start < s.end), None)
            if inner is None:
                break
            section, level = inner.label, inner.children
        return SourceRef(self.doc_id, page, section, start, end)
