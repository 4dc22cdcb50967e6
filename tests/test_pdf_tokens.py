"""Differential tests: ``FastContentParser`` against pdfminer's ``PDFContentParser``.

pdfminer is the judge. Every case parses the same streams with both parsers and compares the
whole ``(pos, obj)`` sequence (same types, interned names and keywords identical), the
exception that ends it (type and message) and the parser state after every object (buffer,
positions, tokeniser state, stacks). Cases: hand-written edge cases, a seeded fuzz over a token
alphabet split into streams and tiny buffers, and every page of the generated PDFs.
"""

from __future__ import annotations

import logging
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pdfminer import settings
from pdfminer.pdfinterp import PDFContentParser
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import KWD, LIT, PSKeyword, PSLiteral

from extract.load.pdf_tokens import FastContentParser

MAX_OBJECTS = 1_000_000  # a parser that stops making progress is a failure, not a hang


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types; names and keywords the same interned object."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (PSLiteral, PSKeyword)):
        return a is b
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, PDFStream):
        return _same(a.attrs, b.attrs) and a.rawdata == b.rawdata and a.objid == b.objid
    return bool(a == b)


def _state(p: PDFContentParser) -> tuple[Any, ...]:
    """What the next call (or an inline image's seek) depends on."""
    return (
        p.buf, p.bufpos, p.charpos, p.eof, p._parse1.__func__, list(p._tokens), p.istream,
        None if p.fp is None else p.fp.tell(), p.curtype, list(p.curstack), list(p.results),
        [(pos, t, list(s)) for pos, t, s in p.context],
    )


def _trace(cls: type[PDFContentParser], streams: Sequence[bytes], bufsiz: int,
           states: bool = True) -> list[Any]:
    """Every object, each followed by the parser's state (or None), then the exception that
    ended the parse and the final state."""
    parser = cls([PDFStream({}, data) for data in streams])
    parser.BUFSIZ = bufsiz
    trace: list[Any] = []
    for _ in range(MAX_OBJECTS):
        try:
            trace.append(parser.nextobject())
        except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
            trace.append(("raised", type(e), str(e), _state(parser)))
            return trace
        trace.append(_state(parser) if states else None)
    raise AssertionError("no end after MAX_OBJECTS objects")


def assert_same(streams: Sequence[bytes], bufsiz: int = 4096, states: bool = True) -> list[Any]:
    stock = _trace(PDFContentParser, streams, bufsiz, states)
    fast = _trace(FastContentParser, streams, bufsiz, states)
    for i, (s, f) in enumerate(zip(stock, fast)):
        assert _same(s, f), (i, s, f, streams)
    assert len(stock) == len(fast), (stock[len(fast):], fast[len(stock):])
    return stock


def objects(trace: list[Any]) -> list[Any]:
    return [t for t in trace[::2] if t[0] != "raised"]


# --------------------------------------------------------------------------- hand cases

EDGE_CASES = {
    "operators": [b"q 1 0 0 1 72.5 -3 cm BT /F1 9 Tf (ab) Tj ET Q\n"],
    "ints_and_signs": [b"0 +5 -7 007 - + -- +-5 1-2 1a\n"],
    "floats": [b"1.5 -.5 +.25 5. . -. 1.2.3 ..5 3.14x 1e5\n"],
    "bools": [b"true false truex false/ true\n"],
    "names": [b"/A /a_b /#20x /A#42C /A#4 /A#zz / /\xc3\xa9 /\xff\xfe /N\x00x /A/B\n"],
    "keywords": [b"T* ' \" d0 BT\x00ET Tj# a#b * {x} Do\n"],
    "string_plain": [b"(hello world) Tj () Tj\n"],
    "string_nested": [b"(a(b)c) (a(b(c)d)e) (((deep))) (a(b(c(d)e)f)g) Tj\n"],
    "string_escapes": [b"(\\(\\)\\\\) (\\053\\53\\0053\\1234) (\\n\\r\\t\\b\\f\\q\\8) Tj\n"],
    "string_line_continuation": [b"(ab\\\r\ncd\\\ref\\\ngh) (x\r\ny) Tj\n"],
    "string_bad_octal": [b"(\\777) Tj\n"],
    "string_unbalanced": [b"(abc Tj\n"],
    "hex_strings": [b"<4142> <41 42\n43> <414> <> <a> <4G> <41>> <41>>> Tj\n"],
    "dicts": [b"/P <</MCID 3 /Lang (en) /X [1 2]>> BDC EMC\n"],
    "dict_odd": [b"<< /A >> 1\n"],
    "dict_empty_value": [b"<< /A 1 /B 2 >> <<>> 1\n"],
    "arrays": [b"[(a) -250 (b) 12.5 (c)] TJ [[1 2] [3]] x [] y\n"],
    "array_elements": [b"[(a)-250(b\\)c)12.5<41 42>.5-.5 1.2.3 <414>(x(y)z)] TJ [ ] [\x001\x00] x\n"],
    "array_odd": [b"[<41>>] [<41> >] [(a\\777)] [1 % c\n 2] [/N 1] [1 [2] 3] [1 true] [+ 1] x\n"],
    "array_unbalanced": [b"] 1 ] [1 2 ]] 3\n"],
    "array_unclosed": [b"[1 2 (a)\n"],
    "procs": [b"{ 1 2 add } exec {} { [ } ] }\n"],
    "comments": [b"1 % a comment ( [ <\n2 %\r3 %% x\r\n4\n"],
    "comment_at_end": [b"1 2 % no end of line"],
    "nul_bytes": [b"\x00\x001\x002 \x00(a)\x00 /N\x00 x\x00y\n"],
    "odd_bytes": [b"\x01 \x7f \x80 \xff ) } ] # \n"],
    "greater_alone": [b"1 > 2 >x >> > >\n"],
    "less_alone": [b"1 < 2\n"],
    "inline_image": [b"q BI /W 2 /H 1 /BPC 8 /CS /G ID \x00\xffEI x EI Q 1\n"],
    "inline_image_a85": [b"BI /W 1 /H 1 /F /A85 ID 9jqo^~> EI Q\n"],
    "inline_image_filters": [b"BI /W 1 /H 1 /F [/A85 /Fl] ID 9j~> EI\n"],
    "inline_image_odd_dict": [b"BI /W 1 /H ID \x01 EI Q\n"],
    "inline_image_crlf": [b"BI /W 1 /H 1 ID\r\nab\r\nEI\r\nQ\n"],
    "inline_image_unfinished": [b"BI /W 1 ID abc"],
    "id_alone": [b"1 ID x EI 2\n"],
    "empty": [b""],
    "empty_streams": [b"", b"", b"1 2\n", b""],
    "whitespace_only": [b" \n\t\r\f\v "],
    "no_final_newline": [b"1 2 Tj"],
    "number_split": [b"1 12", b"34 5\n"],
    "keyword_split": [b"B", b"T 1\n"],
    "name_split": [b"/F", b"1 9 Tf\n"],
    "slash_split": [b"/", b"F1 9 Tf\n"],
    "string_split": [b"(ab", b"cd) Tj\n"],
    "paren_split": [b"1 (", b"ab) Tj\n"],
    "escape_split": [b"(a\\", b"053) Tj\n"],
    "octal_split": [b"(a\\05", b"3) Tj\n"],
    "hex_split": [b"<41", b"42> Tj\n"],
    "dict_split": [b"<", b"</A 1>", b"> x\n"],
    "array_split": [b"[(a) -2", b"50 (b)] TJ\n"],
    "comment_split": [b"1 % comm", b"ent\n2\n"],
    "float_split": [b"1.", b"5 2\n"],
    "int_too_long": [b"1 " + b"7" * 5000 + b" 2 " + b"8" * 5000 + b".5 x\n"],
    "int_long": [b"1 " + b"7" * 700 + b" 2 " + b"8" * 700 + b".5 x\n"],
}


def _led(streams: list[bytes], lead: bytes) -> list[bytes]:
    """The case after a first operator: the first token of a parse always takes pdfminer's
    path (the buffer is still empty), the next ones are the fast path's."""
    return [lead + streams[0], *streams[1:]]


@pytest.mark.parametrize("lead", [b"", b"q ", b"q\n"])
@pytest.mark.parametrize("streams", list(EDGE_CASES.values()), ids=list(EDGE_CASES))
def test_edge_cases(streams: list[bytes], lead: bytes) -> None:
    assert_same(_led(streams, lead))


@pytest.mark.parametrize("streams", list(EDGE_CASES.values()), ids=list(EDGE_CASES))
def test_edge_cases_strict(streams: list[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    """pdfminer's STRICT mode raises on unbalanced brackets and odd dictionaries: same there."""
    monkeypatch.setattr(settings, "STRICT", True)
    assert_same(_led(streams, b"q "))


@pytest.mark.parametrize("bufsiz", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("name", ["operators", "string_escapes", "hex_strings", "dicts", "arrays", "array_elements",
                                  "comments", "inline_image", "inline_image_a85", "nul_bytes"])
def test_edge_cases_tiny_buffers(name: str, bufsiz: int) -> None:
    """Tiny buffers put a buffer end inside every token kind."""
    assert_same(_led(EDGE_CASES[name], b"q "), bufsiz)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"1 -2 +3 4.5 -.5 5.", [1, -2, 3, 4.5, -0.5, 5.0]),
        (b"1.2.3", [1.2, 0.3]),
        (b"- 7", [7]),
        (b"true false", [True, False]),
        (b"(a\\053b) (x(y)z)", [b"a+b", b"x(y)z"]),
        (b"<41 4> <>", [b"A\x04", b""]),
        (b"[1 (a)] << /K 2 >>", [[1, b"a"], {"K": 2}]),
        (b"[(Ab)-250(c\\)d)12.5<4142>] TJ", [[b"Ab", -250, b"c)d", 12.5, b"AB"], KWD(b"TJ")]),
        (b"/F2+0 /\xc3\xa9 /\xff /", [LIT("F2+0"), LIT("\u00e9"), LIT(b"\xff"), LIT("")]),
        (b"T* ' \" d0", [KWD(b"T*"), KWD(b"'"), KWD(b'"'), KWD(b"d0")]),
    ],
)
def test_values_read_by_hand(data: bytes, expected: list[Any]) -> None:
    """The fast parser's values, checked by hand (not only against pdfminer)."""
    trace = assert_same([b"q " + data + b"\n"])
    got = objects(_trace(FastContentParser, [b"q " + data + b"\n"], 4096))[1:]
    assert _same([o for _, o in got], expected)
    assert objects(trace)[1:] == got


def test_positions_and_interning() -> None:
    got = objects(_trace(FastContentParser, [b"q /F1 9 Tf (ab) Tj <41> Tj [(a) 1]\n"], 4096))
    assert [pos for pos, _ in got] == [0, 2, 6, 8, 11, 16, 19, 24, 27]
    assert got[1][1] is LIT("F1") and got[3][1] is KWD(b"Tf")


def test_int_past_the_digit_limit() -> None:
    """Past ``sys.get_int_max_str_digits()`` pdfminer drops the number (its ValueError is
    suppressed); the fast path must not raise there."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        trace = assert_same(_led(EDGE_CASES["int_long"], b"q "))
    finally:
        sys.set_int_max_str_digits(old)
    assert [o for _, o in objects(trace)][1:] == [1, 2, float("8" * 700 + ".5"), KWD(b"x")]


class _Recording:
    """A parser subclass that overrides ``do_keyword`` (as an interpreter might): every
    keyword must reach it, in the same order, from both parsers."""

    calls: list[tuple[int, object]]

    def do_keyword(self, pos: int, token: PSKeyword) -> None:
        self.calls.append((pos, token))
        super().do_keyword(pos, token)  # type: ignore[misc]


class _StockRecording(_Recording, PDFContentParser):
    pass


class _FastRecording(_Recording, FastContentParser):
    pass


@pytest.mark.parametrize("name", ["operators", "keywords", "inline_image", "arrays", "dicts"])
def test_overridden_do_keyword_sees_every_keyword(name: str) -> None:
    traces = []
    for cls in (_StockRecording, _FastRecording):
        cls.calls = []
        traces.append((_trace(cls, _led(EDGE_CASES[name], b"q "), 4096), list(cls.calls)))
    (stock, stock_calls), (fast, fast_calls) = traces
    assert _same(stock_calls, fast_calls) and stock_calls
    assert _same(stock, fast)


TOKENS_AT_BOUNDARY = [b"123", b"-4.5", b"/Name", b"Tj", b"(str)", b"(a\\)b)", b"<4142>",
                      b"<<", b">>", b"[", b"true", b"%c\n", b"'", b"[(a) -2 <41> .5]"]


@pytest.mark.parametrize("shift", range(-3, 4))
@pytest.mark.parametrize("token", TOKENS_AT_BOUNDARY)
def test_token_at_the_4096_boundary(token: bytes, shift: int) -> None:
    """A token ending just before, at and just after pdfminer's 4096-byte buffer end."""
    pad = b"q" + b" " * (4096 - 1 - len(token) + shift)  # after "q": the fast path's token
    assert_same([pad + token + b" 1 x\n"])
    assert_same([pad + token, b" 1 x\n"])  # the same, the stream ending right after it


# --------------------------------------------------------------------------- fuzz

ALPHABET = [
    b" ", b"\n", b"\r", b"\r\n", b"\t", b"\x00", b"\x0c", b"0", b"7", b"12", b"-", b"+", b".",
    b"3.5", b"-.5", b"/", b"/F1", b"/A#20", b"#", b"%", b"% note\n", b"(", b")", b"\\",
    b"\\0", b"\\53", b"\\n", b"\\\r\n", b"(ab)", b"(a(b)c)", b"<", b">", b"<<", b">>", b"<41>",
    b"<4 1>", b"[", b"]", b"{", b"}", b"Tj", b"TJ", b"BT", b"ET", b"T*", b"'", b"\"", b"true",
    b"false", b"BI", b"ID", b"EI", b"/W 1 /H 1", b"/F /A85", b"~>", b"cm", b"x", b"\xe3\x81\x82",
    b"\xff", b"\x01",
]


def _fuzz_case(rng: random.Random) -> tuple[list[bytes], int]:
    parts = []
    for _ in range(rng.randint(0, 40)):
        if rng.random() < 0.1:
            parts.append(bytes(rng.randrange(256) for _ in range(rng.randint(1, 4))))
        else:
            parts.append(rng.choice(ALPHABET))
        if rng.random() < 0.6:
            parts.append(b" ")
    data = b"q " + b"".join(parts)
    cuts = sorted(rng.randint(0, len(data)) for _ in range(rng.randint(0, 2)))
    streams = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]
    bufsiz = rng.choice([4096, 4096, 1, 2, 3, 7, 16])
    return streams, bufsiz


@pytest.mark.parametrize("seed", range(8))
def test_fuzz(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(500):
        streams, bufsiz = _fuzz_case(rng)
        assert_same(streams, bufsiz)


def _operand(rng: random.Random) -> bytes:
    pick = rng.randrange(9)
    if pick == 0:
        return str(rng.randint(-999, 9999)).encode()
    if pick == 1:
        return f"{rng.uniform(-100, 1000):.{rng.randint(0, 4)}f}".encode()
    if pick == 2:
        return b"/" + rng.choice([b"F1", b"F2+0", b"Span", b"MCID", b"Im1", b"GS#201", b"\xe5\x90\x8d"])
    if pick == 3:
        return b"(" + rng.choice([b"abc", b"a(b)c", b"\\(x\\)", b"\\303\\251", b"\\\n", b"", b"((a))"]) + b")"
    if pick == 4:
        return b"<" + bytes(rng.choice(b"0123456789abcdefABCDEF \n") for _ in range(rng.randint(0, 9))) + b">"
    if pick == 5:
        return b"[" + b" ".join(_operand(rng) for _ in range(rng.randint(0, 5))) + b"]"
    if pick == 6:
        return b"<</MCID " + str(rng.randint(0, 99)).encode() + b" /Lang (ja)>>"
    if pick == 7:
        return rng.choice([b"true", b"false", b"{ 1 add }"])
    return b""


def _content_case(rng: random.Random) -> tuple[list[bytes], int]:
    """Well-formed content (operands then an operator, TJ arrays, marked-content dictionaries,
    inline images), then a few random bytes deleted, changed or inserted."""
    ops = [b"Tj", b"TJ", b"Tf", b"Td", b"cm", b"re f", b"BDC", b"EMC", b"'", b"\"", b"T*", b"Do"]
    out = bytearray()
    for _ in range(rng.randint(1, 30)):
        if rng.random() < 0.05:
            out += b"BI /W 2 /H 1 /BPC 8 /CS /G ID " + bytes(rng.randrange(256) for _ in range(2)) + b" EI "
        out += b" ".join(_operand(rng) for _ in range(rng.randint(0, 3))) + b" " + rng.choice(ops)
        out += rng.choice([b" ", b"\n", b"\r\n", b"\n% comment\n"])
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(out) + 1)
        edit = rng.randrange(3)
        if edit == 0:
            del out[i:i + 1]
        elif edit == 1:
            out[i:i + 1] = bytes((rng.randrange(256),))
        else:
            out[i:i] = rng.choice([b"(", b")", b"<", b">", b"[", b"]", b"\\", b"%", b"#", b"\x00"])
    data = b"q " + bytes(out)
    cuts = sorted(rng.randint(0, len(data)) for _ in range(rng.randint(0, 2)))
    streams = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]
    return streams, rng.choice([4096, 4096, 4096, 5, 13, 64])


@pytest.mark.parametrize("seed", range(4))
def test_fuzz_content(seed: int) -> None:
    rng = random.Random(1000 + seed)
    for _ in range(300):
        streams, bufsiz = _content_case(rng)
        assert_same(streams, bufsiz)


# --------------------------------------------------------------------------- real streams


def _page_streams(pdf: Path) -> list[list[bytes]]:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    with pdf.open("rb") as fp:
        pages = PDFPage.create_pages(PDFDocument(PDFParser(fp)))
        return [[stream_value(s).get_data() for s in page.contents] for page in pages]


@pytest.fixture(scope="module")
def generated_pdfs(make_pdfs: ModuleType, pdf_renditions: dict[str, Path],
                   tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("token_pdfs")
    made = [*pdf_renditions.values(), *make_pdfs.make_layouts(out / "layouts").values(),
            *make_pdfs.make_tables(out / "tables").values()]
    bad = make_pdfs.make_bad_inputs(out / "bad")
    made += [bad[n] for n in ("image_only.pdf", "no_tounicode.pdf", "encrypted_empty_password.pdf")]
    return made


def test_generated_pdfs(generated_pdfs: list[Path]) -> None:
    pages = 0
    for pdf in generated_pdfs:
        for streams in _page_streams(pdf):
            trace = assert_same(streams, states=False)
            assert objects(trace), pdf.name
            pages += 1
    assert pages >= len(generated_pdfs)


def test_debug_logging_keeps_pdfminer_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    """With pdfminer's debug log on, the fast parser is pdfminer's parser, log lines included."""
    data = [b"/F1 9 Tf (ab) Tj\n"]
    with caplog.at_level(logging.DEBUG, logger="pdfminer"):
        assert_same(data)
        caplog.clear()
        _trace(FastContentParser, data, 4096)
    assert any("nexttoken" in r.getMessage() for r in caplog.records)
