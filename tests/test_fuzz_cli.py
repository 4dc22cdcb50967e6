"""The CLI on damaged copies of every real PDF (issue 18): a truncated and a byte-flipped copy of
each file in ``../shared/real`` (seeded, so every run sees the same bytes), ingested by a real
``yakuji ingest`` process. It must end with the summary table and exit 1, with no traceback,
no worker death, no hang and no library noise on stderr. ``--ocr never`` and a 15 s limit per
document keep it to a minute or two on two CPUs."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real"
FLIPS = 30  # bytes flipped per copy, past the first KiB (the header stays a PDF's)
LIMIT_S = 15


def damaged_copies(out: Path) -> list[Path]:
    """For each real PDF: one copy cut at 30-90 % of its length, one with ``FLIPS`` single-bit
    flips; the positions come from a generator seeded with the file name."""
    made = []
    for src in sorted(REAL.rglob("*.pdf")):
        data = src.read_bytes()
        rng = random.Random(src.name)
        cut = out / f"{src.stem}.cut.pdf"
        cut.write_bytes(data[:rng.randint(len(data) * 3 // 10, len(data) * 9 // 10)])
        flipped = bytearray(data)
        for _ in range(FLIPS):
            flipped[rng.randrange(1024, len(flipped))] ^= 1 << rng.randrange(8)
        flip = out / f"{src.stem}.flip.pdf"
        flip.write_bytes(bytes(flipped))
        made += [cut, flip]
    return made


@pytest.fixture(scope="module")
def fuzz_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not any(REAL.rglob("*.pdf")):
        pytest.skip("real documents not available: ../shared/real is absent")
    tmp = tmp_path_factory.mktemp("fuzz")
    docs = tmp / "docs"
    docs.mkdir()
    copies = damaged_copies(docs)
    report = tmp / "report.json"
    proc = subprocess.Popen([sys.executable, "-m", "extract.cli", "ingest", str(docs), "--store", str(tmp / "store"),
                             "--ocr", "never", "--timeout", str(LIMIT_S), "--jobs", "2", "--report", str(report)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "COLUMNS": "200"})
    try:
        out, err = proc.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("yakuji ingest hung on the damaged copies (killed after 900 s)")
    return {"code": proc.returncode, "stdout": out, "stderr": err, "copies": copies,
            "report": json.loads(report.read_text(encoding="utf-8"))}


def test_damaged_real_pdfs_end_with_the_summary_and_exit_1(fuzz_run: dict[str, Any]) -> None:
    out, err, files = fuzz_run["stdout"], fuzz_run["stderr"], fuzz_run["report"]["files"]
    assert fuzz_run["code"] == 1, err[-3000:]
    assert "Traceback" not in out + err
    assert "┃ file" in out and "┃ reason" in out
    n = len(fuzz_run["copies"])
    last = out.rstrip().splitlines()[-1]
    counts = {k: int(v) for v, k in (part.split() for part in last.split(", "))}
    assert sum(counts.values()) == n and counts["failed"] > 0, last
    assert sorted(f["path"] for f in files) == sorted(map(str, fuzz_run["copies"]))
    # every stderr line is one of ours (a failure or a warning count), none a library's
    assert all(line.startswith("yakuji: ") for line in err.splitlines()), err[:3000]
    assert sum(f["warnings"] for f in files) > 0 and "PDF warnings (--verbose to see them)" in err
    died = [(f["path"], f["reason"]) for f in files if "worker-died" in f["codes"]]
    assert died == []
    for f in files:
        assert f["status"] in ("ok", "partial", "failed") and (f["status"] != "failed" or f["reason"])
        assert f["seconds"] <= LIMIT_S + 5


@pytest.mark.xfail(reason="the font-map recovery crashes on damaged embedded CFF fonts (pdf_fonts._cff_program: "
                          "fontTools AssertionError 'offSize too large', struct.error) in two byte-flipped "
                          "broken-font reviews; the loader's crop-box and layout crashes are fixed", strict=False)
def test_damaged_real_pdfs_meet_no_internal_error(fuzz_run: dict[str, Any]) -> None:
    """A damaged PDF is bad input: its reason must be a reading failure, not a bug."""
    bugs = [(Path(f["path"]).name, f["reason"][:200]) for f in fuzz_run["report"]["files"]
            if "internal-error" in f["codes"]]
    assert bugs == []
