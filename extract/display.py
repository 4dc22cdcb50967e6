"""Untrusted text made safe for a terminal: what the CLI prints never acts on the screen.

File names, failure reasons, labels and evidence come from documents (or from exceptions about
them), so they may hold rich markup (``[/bold]``), ANSI escape sequences, other control
characters or bidirectional overrides (U+202E turns ``exe.txt`` into ``txt.exe`` on screen).
``clean`` turns every such character into a visible escape (``\\x1b``, ``\\u202e``) so the
bytes on screen are the bytes in the data; ``cell`` also cuts a long text for a table and
returns a ``rich.text.Text``, which rich never parses as markup. Machine formats keep the data
exact: ``escape_json`` writes the same characters the JSON way (``\\u202e``), which decodes to
the original string.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 and C1 control characters (ESC starts ANSI sequences; U+009B is a one-character CSI), DEL,
# the bidirectional marks, embeddings, overrides and isolates, and the Unicode line separators
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_CELL = re.compile(f"[\t\n{_UNSAFE.pattern[1:-1]}]")
CELL_LIMIT = 200  # characters of one table cell; the JSON report keeps the whole text


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object) -> str:
    """``text`` with every control, bidi and line-separator character (tab and newline kept)
    written as a visible escape."""
    return _UNSAFE.sub(_escape, str(text))


def one_line(text: object, limit: int | None = None) -> str:
    """``clean`` on one line (tabs and newlines become spaces), cut at ``limit`` characters
    with a note of how many were left out."""
    flat = _UNSAFE_IN_CELL.sub(lambda m: " " if m.group() in "\t\n" else _escape(m), str(text))
    if limit is not None and len(flat) > limit:
        keep = max(limit - 30, limit // 2)
        return f"{flat[:keep].rstrip()}… ({len(flat) - keep:,} more characters)"
    return flat


def cell(text: object, limit: int | None = CELL_LIMIT) -> Text:
    """A table cell: one clean line, cut at ``limit``, as plain ``Text`` (never markup)."""
    return Text(one_line(text, limit))


def escape_json(text: str) -> str:
    """Rendered JSON with DEL, C1, bidi and line-separator characters written as ``\\uXXXX``:
    they can only stand inside strings, where the escape decodes to the same character (C0 is
    escaped by ``json`` already). Also valid for N-Triples literals."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
