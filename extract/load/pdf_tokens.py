"""A faster drop-in for pdfminer's content-stream parser, giving exactly the same objects.

Why: pdfminer tokenises a content stream one byte class at a time (``PSBaseParser._parse_*``,
one Python call chain and several ``log.debug`` calls per token); that is the largest single
cost of reading a PDF. ``FastContentParser`` keeps pdfminer's parser as the reference and
only adds a FAST PATH: when the tokeniser is idle (main state, nothing pending, not at EOF)
one compiled regex matches the next complete token of the current buffer, and the object is
built as ``PSStackParser.nextobject`` would build it; an array of numbers and strings only
(``TJ``'s) is matched whole and listed in one go. Anything the regex does not surely cover
goes the inherited slow way, which stays the judge:

- a token must be terminated INSIDE the current 4096-byte buffer (a number, name or keyword
  touching the buffer's end may continue in the next buffer or stream, pdfminer issue #1157);
- names with ``#`` escapes, strings nested more than two levels deep or with an octal escape
  above 255, bare signs and dots ("-", "."), and every malformed case take the slow path;
- ``BI``/``ID`` (inline images), dictionaries and procedures go through pdfminer's own code
  (their tokens are read fast, the objects are built by pdfminer's lines);
- the first token of a parse (the buffer is still empty) is always pdfminer's;
- when pdfminer's debug logging is on, the whole parse is pdfminer's, so its log lines stay.

``tests/test_pdf_tokens.py`` compares both parsers object by object (hand cases, seeded fuzz,
the generated PDFs); ``scripts/bench_tokens.py`` measures the gain. The module imports
pdfminer at top level (a subclass needs it); only the PDF loader imports it.
"""

from __future__ import annotations

import binascii
import logging
import re
from collections.abc import Sequence

from pdfminer import psparser, settings
from pdfminer.pdfinterp import PDFContentParser
from pdfminer.psparser import (
    KEYWORD_ARRAY_BEGIN,
    KEYWORD_ARRAY_END,
    KEYWORD_DICT_BEGIN,
    KEYWORD_DICT_END,
    KEYWORD_PROC_BEGIN,
    KEYWORD_PROC_END,
    KWD,
    LIT,
    PSBaseParser,
    PSException,
    PSKeyword,
    PSLiteral,
    PSStackEntry,
    PSSyntaxError,
    PSTypeError,
    literal_name,
)
from pdfminer.utils import choplist

__all__ = ["FastContentParser"]

# --------------------------------------------------------------------------- the token regex
# Byte classes exactly as psparser defines them (END_LITERAL, END_KEYWORD, NONSPC, ...).
_WS = b" \t\n\r\f\v"  # what the bytes regex \s matches
_DELIM = rb"/%\[\]()<>{}\s"  # ends a name (with "#") and a keyword (also with "#")

# Skipped between tokens, as _parse_main and friends skip them: whitespace and NUL, a comment
# whose end of line is in the buffer, and a lone ">" (after a hex string: _parse_wclose drops
# it unless another ">" follows, which must therefore be in the buffer).
_SKIP = rb"(?:[\s\x00]++|%[^\r\n]*+(?=[\r\n])|>(?=[^>]))*+"

# A literal string: balanced parens up to two levels inside, any escape pair kept verbatim.
_ATOM = rb"(?:[^()\\]++|\\.)"
_LEVEL1 = rb"(?:" + _ATOM + rb"|\(" + _ATOM + rb"*+\))*+"
_LEVEL2 = rb"(?:" + _ATOM + rb"|\(" + _LEVEL1 + rb"\))*+"



def _element(group: bytes) -> bytes:
    """Array elements the fast path reads in one go (a TJ array's strings and kernings):
    numbers, literal and hex strings, ended as the single tokens below are; ``group`` is
    b"(" to capture each kind, b"(?:" not to."""
    return (
        group + rb"[-+]?[0-9]++)(?=[^0-9.])"
        + rb"|" + group + rb"[-+]?(?:[0-9]++\.[0-9]*+|\.[0-9]++))(?=[^0-9])"
        + rb"|\(" + group + _LEVEL2 + rb")\)"
        + rb"|<" + group + rb"[0-9a-fA-F\s]*+)>(?=[^>])"
    )


_ELEMENTS = re.compile(rb"[\s\x00]*+(?:" + _element(b"(") + rb")", re.DOTALL)
_E_INT, _E_FLOAT, _E_STRING, _E_HEX = range(1, 5)

_TOKEN = re.compile(
    _SKIP
    + rb"(?:"
    + rb"([A-Za-z][^#" + _DELIM + rb"]*+)(?=[#" + _DELIM + rb"])"  # 1 keyword
    + rb"|\[((?:[\s\x00]++|" + _element(b"(?:") + rb")*+)\]"  # 2 array of _ELEMENTS
    + rb"|([^\s%/+\-0-9.A-Za-z(<>\x00])"  # 3 a one-byte keyword (_parse_main's else)
    + rb"|(<<|>>)"  # 4 dictionary brackets
    + rb"|([-+]?[0-9]++)(?=[^0-9.])"  # 5 int: ends at any non-digit but "."
    + rb"|([-+]?(?:[0-9]++\.[0-9]*+|\.[0-9]++))(?=[^0-9])"  # 6 float, one digit at least
    + rb"|/([^#" + _DELIM + rb"]*+)(?=[" + _DELIM + rb"])"  # 7 name, no "#"
    + rb"|\((" + _LEVEL2 + rb")\)"  # 8 literal string
    + rb"|<([0-9a-fA-F\s]*+)(?=>)"  # 9 hex string (its ">" is left to _SKIP or ">>")
    + rb")",
    re.DOTALL,
)
# Group numbers; keywords (and true/false) and arrays come first, so "kind <= _DICT" tells them.
_KEYWORD, _ARRAY, _ONE, _DICT, _INT, _FLOAT, _NAME, _STRING, _HEX = range(1, 10)
# How far a token starts before its group: the "[", "/", "(" or "<" it opens with.
_LEAD = (0, 0, 1, 0, 0, 0, 0, 1, 1, 1)
# How far it ends after its group: the "]" or ")" it closes with (a hex string's ">" is not
# its own: pdfminer reads it as the next token).
_TRAIL = (0, 0, 1, 0, 0, 0, 0, 0, 1, 0)

_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|\r\n|(.))", re.DOTALL)
_ESC_STRING = psparser.ESC_STRING


_SLOW = object()  # no fast token here: pdfminer's tokeniser reads it


class _NotFast(Exception):
    """A token the fast path must not build (pdfminer raises or differs there)."""


def _unescape_one(m: re.Match[bytes]) -> bytes:
    """One backslash escape as ``_parse_string_1`` reads it: octal, known letter, or dropped."""
    octal, other = m.group(1), m.group(2)
    if octal is not None:
        code = int(octal, 8)
        if code > 255:  # pdfminer asserts here: leave it to pdfminer
            raise _NotFast
        return bytes((code,))
    if other is None:  # backslash + CR LF: a line continuation
        return b""
    code = _ESC_STRING.get(other)
    return b"" if code is None else bytes((code,))


def _string(body: bytes) -> object:
    """A literal string's bytes with its escapes read, or _SLOW for an octal escape above 255
    (pdfminer fails an assertion there: its own path must raise it)."""
    try:
        return _ESCAPE.sub(_unescape_one, body)
    except _NotFast:
        return _SLOW


def _hex(body: bytes) -> bytes:
    """Hex digits to bytes as ``_parse_hexstring``: whitespace dropped, an odd last digit is
    one byte of its own value."""
    digits = body.translate(None, _WS)
    if len(digits) % 2:
        return binascii.unhexlify(digits[:-1]) + bytes((int(digits[-1:], 16),))
    return binascii.unhexlify(digits)


def _array(buf: bytes, start: int, end: int) -> object:
    """The objects of an array that ``_TOKEN`` matched whole (``buf[start:end]`` is between its
    brackets), as ``end_type`` lists them, or _SLOW when one element must be pdfminer's."""
    objs: list[object] = []
    for m in _ELEMENTS.finditer(buf, start, end + 1):  # the "]" ends the last element
        kind = m.lastindex
        raw = m.group(kind)  # type: ignore[arg-type]
        if kind == _E_STRING:
            obj = _string(raw) if b"\\" in raw else raw
            if obj is _SLOW:
                return _SLOW
        elif kind == _E_INT:
            try:
                obj = int(raw)
            except ValueError:  # past sys.get_int_max_str_digits(): pdfminer drops it
                return _SLOW
        elif kind == _E_FLOAT:
            obj = float(raw)
        else:
            obj = _hex(raw)
        objs.append(obj)
    return objs


_NAMES: dict[bytes, PSLiteral] = {}
_KEYWORDS: dict[bytes, PSKeyword | bool] = {b"true": True, b"false": False}


def _name(raw: bytes) -> PSLiteral:
    """The interned literal, its name decoded as UTF-8 or left as bytes (as ``_parse_literal``)."""
    lit = _NAMES.get(raw)
    if lit is None:
        try:
            lit = LIT(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lit = LIT(raw)
        _NAMES[raw] = lit
    return lit


def _keyword(raw: bytes) -> PSKeyword | bool:
    kw = _KEYWORDS.get(raw)
    if kw is None:
        kw = _KEYWORDS[raw] = KWD(raw)
    return kw


# Objects a stack parser pushes as they are (nextobject's "normal token"), by exact type.
_PLAIN_TYPES = frozenset({int, float, bool, bytes, PSLiteral})
_MAIN = PSBaseParser._parse_main
_MATCH = _TOKEN.match


class _Keywords(frozenset):  # type: ignore[type-arg]
    """Every keyword: what ``special`` is when a subclass overrides ``do_keyword``."""

    def __contains__(self, item: object) -> bool:
        return True


_ALL_KEYWORDS = _Keywords()
_LOG = psparser.log


class FastContentParser(PDFContentParser):
    """``PDFContentParser`` whose ``nextobject`` takes a regex fast path for the common tokens;
    same ``(pos, obj)`` sequence, exceptions and parser state as pdfminer's."""

    def __init__(self, streams: Sequence[object]) -> None:
        super().__init__(streams)
        # Keywords other than BI/ID only get pushed by PDFContentParser.do_keyword; inline that
        # unless a subclass changed it.
        self._plain_keywords = type(self).do_keyword is PDFContentParser.do_keyword
        self._special = frozenset(
            {
                KEYWORD_ARRAY_BEGIN, KEYWORD_ARRAY_END, KEYWORD_DICT_BEGIN, KEYWORD_DICT_END,
                KEYWORD_PROC_BEGIN, KEYWORD_PROC_END, self.KEYWORD_BI, self.KEYWORD_ID,
            }
        )

    def nextobject(self) -> PSStackEntry[PSKeyword]:  # type: ignore[override]
        """pdfminer's ``PSStackParser.nextobject`` with the fast tokens and without logging.

        One loop, everything inlined: this runs once per token of every page, and a method
        call per token is what made pdfminer slow."""
        if _LOG.isEnabledFor(logging.DEBUG):
            return super().nextobject()
        special = self._special if self._plain_keywords else _ALL_KEYWORDS
        idle = self._parse1.__func__ is _MAIN and not self._tokens and not self.eof  # type: ignore[attr-defined]
        while not self.results:
            token: object = _SLOW
            if idle:
                buf = self.buf
                m = _MATCH(buf, self.charpos)
                if m is not None:
                    kind = m.lastindex
                    start, end = m.span(kind)
                    raw = buf[start:end]
                    if kind == _ARRAY:
                        token = _array(buf, start, end)
                        plain = True
                    elif kind <= _DICT:
                        token = _KEYWORDS.get(raw, _SLOW)
                        if token is _SLOW:
                            token = _keyword(raw)
                        plain = token not in special
                    else:
                        plain = True
                        if kind == _INT:
                            try:
                                token = int(raw)
                            except ValueError:  # past sys.get_int_max_str_digits(): dropped
                                token = _SLOW
                        elif kind == _FLOAT:
                            token = float(raw)
                        elif kind == _NAME:
                            token = _NAMES.get(raw) or _name(raw)
                        elif kind == _STRING:
                            token = _string(raw) if b"\\" in raw else raw
                        else:
                            token = _hex(raw)
                    if token is not _SLOW:
                        pos = self.bufpos + start - _LEAD[kind]
                        self.charpos = end + _TRAIL[kind]
            if token is _SLOW:
                pos, token = self.nexttoken()
                idle = self._parse1.__func__ is _MAIN and not self._tokens and not self.eof  # type: ignore[attr-defined]
                cls = type(token)
                plain = cls in _PLAIN_TYPES or (cls is PSKeyword and token not in special)
            if plain:
                if not self.context:
                    if not self.curstack:
                        return pos, token  # type: ignore[return-value]
                    self.curstack.append((pos, token))  # type: ignore[arg-type]
                    self.flush()
                else:
                    self.curstack.append((pos, token))  # type: ignore[arg-type]
                continue
            if token is KEYWORD_ARRAY_BEGIN:
                self.context.append((pos, self.curtype, self.curstack))
                self.curtype, self.curstack = "a", []
                continue
            if token is KEYWORD_ARRAY_END and self.curtype == "a":
                objs = [obj for (_, obj) in self.curstack]
                (start, self.curtype, self.curstack) = self.context.pop()
                self.curstack.append((start, objs))
            else:
                self._dispatch(pos, token)
                # do_keyword(ID) seeks and reads the inline image: the tokeniser moved
                idle = self._parse1.__func__ is _MAIN and not self._tokens and not self.eof  # type: ignore[attr-defined]
            if not self.context:
                self.flush()
        return self.results.pop(0)

    def _dispatch(self, pos: int, token: object) -> None:
        """One token as pdfminer's ``nextobject`` loop body handles it (before its flush),
        kept word for word for the rare kinds so that errors and state match."""
        if isinstance(token, (int, float, bool, str, bytes, PSLiteral)):
            self.push((pos, token))  # type: ignore[arg-type]
        elif token is KEYWORD_ARRAY_BEGIN:
            self.start_type(pos, "a")
        elif token is KEYWORD_ARRAY_END:
            try:
                self.push(self.end_type("a"))  # type: ignore[arg-type]
            except PSTypeError:
                if settings.STRICT:
                    raise
        elif token is KEYWORD_DICT_BEGIN:
            self.start_type(pos, "d")
        elif token is KEYWORD_DICT_END:
            try:
                (pos, objs) = self.end_type("d")
                if len(objs) % 2 != 0:
                    raise PSSyntaxError(f"Invalid dictionary construct: {objs!r}")
                d = {literal_name(k): v for (k, v) in choplist(2, objs) if v is not None}
                self.push((pos, d))  # type: ignore[arg-type]
            except PSTypeError:
                if settings.STRICT:
                    raise
        elif token is KEYWORD_PROC_BEGIN:
            self.start_type(pos, "p")
        elif token is KEYWORD_PROC_END:
            try:
                self.push(self.end_type("p"))  # type: ignore[arg-type]
            except PSTypeError:
                if settings.STRICT:
                    raise
        elif isinstance(token, PSKeyword):
            self.do_keyword(pos, token)
        else:
            _LOG.error("unknown token: pos=%r, token=%r, stack=%r", pos, token, self.curstack)
            self.do_keyword(pos, token)  # type: ignore[arg-type]
            raise PSException
