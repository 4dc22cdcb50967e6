"""Hostile and oversized PDFs end in bounded time: a clear ``InputError`` or a completed load,
never a hang or a crash of the batch; and the pipeline's per-document time limit.

The PDFs are written byte by byte here (a few objects each), so every defect is exactly the
one named: a FlateDecode stream that inflates to 250 MB, 200,000 nested arrays, a form that
draws itself, 1,000 tiny pages, a 10,000 × 10,000 pixel image, a broken cross-reference
table, a file cut off inside a stream. Each load runs in a subprocess with a generous timeout;
the assertion is that it finished, and how.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path
from functools import cache
from typing import Any, Callable

import pytest

from extract.pipeline import Outcome, ingest_paths
from extract.store import Store

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
LIMIT_S = 240  # the subprocess is killed after this: a test failure, never a hang
HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _pdf(objects: list[bytes], *, root: int = 1) -> bytes:
    """Objects 1..n, a classic cross-reference table and trailer."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), extra, data)


def _text_op(text: str) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (%s) Tj ET\n" % text.encode("ascii")


def _one_page(content: bytes, *, xobjects: bytes = b"", extra: tuple[bytes, ...] = ()) -> bytes:
    """Catalog, pages, one A4 page with Helvetica as /F1, its content (object 5), extras 6…"""
    resources = b"<< /Font << /F1 4 0 R >> /XObject << %s >> >>" % xobjects
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s /Contents 5 0 R >>"
                 % resources, HELVETICA, content, *extra])


def _deflate_repeated(chunk: bytes, times: int, head: bytes = b"") -> bytes:
    z = zlib.compressobj(9)
    return z.compress(head) + b"".join(z.compress(chunk) for _ in range(times)) + z.flush()


@cache
def bomb() -> bytes:
    """A page whose content stream is 250 KB compressed and 250 MB inflated."""
    data = _deflate_repeated(b" " * 2**20, 250, head=_text_op("Inflated page"))
    return _one_page(_stream(data, b"/Filter /FlateDecode"))


def nested_arrays() -> bytes:
    return _one_page(_stream(_text_op("Nested page") + b"[" * 200_000 + b"]" * 200_000))


def self_drawing_form() -> bytes:
    form = _stream(b"/X1 Do", b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] "
                   b"/Resources << /XObject << /X1 6 0 R >> >>")
    return _one_page(_stream(_text_op("Recursive form") + b"/X1 Do"), xobjects=b"/X1 6 0 R", extra=(form,))


@cache
def huge_image() -> bytes:
    """A 10,000 x 10,000 RGB image (300 MB decoded, 300 KB compressed) beside a line of text."""
    side = 10_000
    img = _stream(_deflate_repeated(b"\xff" * side * 3, side),
                  b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                  b"/BitsPerComponent 8 /Filter /FlateDecode" % (side, side))
    return _one_page(_stream(_text_op("Image page") + b"q 500 0 0 500 50 50 cm /Im1 Do Q"),
                     xobjects=b"/Im1 6 0 R", extra=(img,))


def many_pages(n: int) -> bytes:
    """``n`` tiny pages, each with one line of text."""
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)]
    font = 3 + 2 * n
    for i in range(n):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 50] "
                       b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font, 4 + 2 * i))
        objects.append(_stream(b"BT /F1 8 Tf 5 20 Td (Page %d) Tj ET" % (i + 1)))
    objects.append(HELVETICA)
    return _pdf(objects)


def xref_garbage() -> bytes:
    """Every cross-reference entry points far beyond the end of the file."""
    good = _one_page(_stream(_text_op("Hello xref")))
    cut = good.index(b"xref\n")
    return good[:cut] + good[cut:].replace(b"0000000", b"9999999")


def xref_wrong_offsets() -> bytes:
    """Offsets shifted by a few bytes, as after an edit that did not rewrite the table."""
    good = _one_page(_stream(_text_op("Shifted offsets")))
    cut = good.index(b"xref\n")
    return good[:cut].replace(b"%PDF-1.7\n", b"%PDF-1.7\n% padding\n", 1) + good[cut:]


def truncated_in_stream() -> bytes:
    """The file ends halfway through its compressed content stream."""
    data = zlib.compress(_text_op("Cut short") * 200)
    whole = _one_page(_stream(data, b"/Filter /FlateDecode"))
    return whole[:whole.index(b"stream\n") + 7 + len(data) // 2]


def truncated_deflate() -> bytes:
    """A complete file whose FlateDecode data stops halfway (a corrupt stream)."""
    data = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Half a stream) Tj ET\n" * 200)
    return _one_page(_stream(data[:len(data) // 2], b"/Filter /FlateDecode"))


CHILD = """
import json, resource, sys
from extract.errors import InputError
from extract.load import load_document
try:
    doc = load_document(sys.argv[1])
    out = {"ok": True, "pages": len(doc.pages), "text": doc.text[:200],
           "statuses": sorted({p.status for p in doc.pages})}
except InputError as exc:
    out = {"ok": False, "reason": exc.reason}
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def _load_in_subprocess(path: Path) -> dict[str, Any]:
    """Load in a fresh interpreter; a hang fails the test at LIMIT_S instead of stalling it."""
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                              timeout=LIMIT_S, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading {path.name} did not finish within {LIMIT_S} s")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("build, text", [
    (bomb, "Inflated page"),
    (nested_arrays, "Nested page"),
    (self_drawing_form, "Recursive form"),
    (huge_image, "Image page"),
    (xref_wrong_offsets, "Shifted offsets"),
], ids=["bomb-250MB", "nested-arrays", "self-drawing-form", "huge-image", "xref-wrong-offsets"])
def test_hostile_pdf_loads_in_bounded_time_and_memory(tmp_path: Path, build: Callable[[], bytes],
                                                      text: str) -> None:
    path = tmp_path / "hostile.pdf"
    path.write_bytes(build())
    result = _load_in_subprocess(path)
    assert result["ok"], result
    assert result["text"].strip() == text
    assert result["statuses"] == ["ok"]
    assert result["peak_mb"] < 2048, result["peak_mb"]  # the 250 MB stream is held once, not copied over and over


@pytest.mark.parametrize("build, reason", [
    (xref_garbage, "PDF has no pages"),
    (truncated_in_stream, "corrupt or truncated PDF"),
    (truncated_deflate, "no text on any of its 1 page(s)"),
    (lambda: many_pages(2001), "more than the limit of 2000"),
], ids=["xref-garbage", "truncated-in-stream", "truncated-deflate", "2001-pages"])
def test_broken_pdf_is_a_clear_input_error(tmp_path: Path, build: Callable[[], bytes], reason: str) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(build())
    result = _load_in_subprocess(path)
    assert not result["ok"], result
    assert reason in result["reason"]


def test_thousand_tiny_pages_load(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(many_pages(1000))
    result = _load_in_subprocess(path)
    assert result["ok"] and result["pages"] == 1000
    assert result["text"].startswith("Page 1\n\f\nPage 2\n\f\nPage 3")


# --------------------------------------------------------------------------- pipeline


def _sample() -> Path:
    return SAMPLES / "rmp_solarista_v1.txt"


def _by_name(outcomes: list[Outcome]) -> dict[str, Outcome]:
    return {Path(o.path).name: o for o in outcomes}


def test_batch_of_hostile_pdfs_completes_with_a_time_limit(tmp_path: Path) -> None:
    """Every file gets an outcome, the good document is stored; nothing stops the batch."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for build in (bomb, nested_arrays, xref_garbage, truncated_in_stream, huge_image):
        (docs / f"{build.__name__}.pdf").write_bytes(build())
    (docs / "good.txt").write_bytes(_sample().read_bytes())
    with Store(tmp_path / "store") as st:
        outcomes = _by_name(ingest_paths([docs], st, jobs=2, timeout=LIMIT_S))
        assert len(st.document_graphs()) == 1
    assert outcomes["good.txt"].status == "ok"
    assert "PDF has no pages" in outcomes["xref_garbage.pdf"].reason
    assert "corrupt or truncated" in outcomes["truncated_in_stream.pdf"].reason
    for name in ("bomb.pdf", "nested_arrays.pdf", "huge_image.pdf"):  # text, but no known type
        assert outcomes[name].status == "failed" and "unknown document type" in outcomes[name].reason


def _sleepy(path: object, **_: object) -> object:
    time.sleep(3600)
    raise AssertionError("the worker should have been killed")


def _dies(path: object, **_: object) -> object:
    os._exit(7)


@pytest.mark.parametrize("fake, bad_name, reason", [
    (_sleepy, "slow.txt", "timed out after 5 s"),
    (_dies, "crash.txt", "worker process died (exit code 7)"),
], ids=["timeout", "worker-dies"])
def test_time_limit_fails_the_document_not_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     fake: Callable[..., object], bad_name: str,
                                                     reason: str) -> None:
    """The worker for the bad document runs ``fake`` (forked children inherit the patch);
    the good document beside it is stored."""
    import extract.pipeline as pipeline

    real = pipeline.process_file
    bad = tmp_path / bad_name
    bad.write_bytes(_sample().read_bytes() + b"\n")

    def route(path: object, **kwargs: Any) -> object:
        return fake(path) if Path(str(path)).name == bad_name else real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "process_file", route)
    good = tmp_path / "good.txt"
    good.write_bytes(_sample().read_bytes())
    with Store(tmp_path / "store") as st:
        outcomes = _by_name(ingest_paths([bad, good], st, jobs=2, timeout=5 if fake is _sleepy else LIMIT_S))
        assert len(st.document_graphs()) == 1
    assert outcomes[bad_name].status == "failed" and outcomes[bad_name].reason == reason
    assert outcomes["good.txt"].status == "ok"


def test_cli_timeout_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import extract.pipeline as pipeline
    from extract.cli import app

    monkeypatch.setattr(pipeline, "process_file", _sleepy)
    doc = tmp_path / "slow.txt"
    doc.write_bytes(_sample().read_bytes())
    result = CliRunner().invoke(app, ["ingest", "--store", str(tmp_path / "store"), "--timeout", "1",
                                      "-q", str(doc)])
    assert result.exit_code != 0
    assert "timed out after 1 s" in result.output
