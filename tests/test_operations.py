"""Operations that never surprise (issue 18): workers end with their parent and never hold the
store; a stale lock is recognised and taken over; untrusted text is never terminal markup;
library warnings are counted, not printed; ``--report``; exit codes; the summary always."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.errors import StoreLockedError
from extract.pipeline import Built, Outcome
from extract.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"
GUIDELINE = SAMPLES / "guideline_ja.txt"
HOSTILE_REASON = ("[/bold] closing [red]red[/red] \x1b[31mANSI\x1b[0m bell\x07 cr\r "
                  "\u202eexe.txt \x9b31m " + "x" * 10_000 + " END")
RAW = ("\x1b", "\x07", "\r", "\u202e", "\x9b")  # never on the screen as they are


def _processes() -> list[tuple[int, int, int]]:
    """(pid, parent pid, session id) of every process, from Linux ``/proc``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        found.append((int(stat.parent.name), int(fields[1]), int(fields[3])))
    return found


def _session_processes(sid: int) -> list[int]:
    """Pids in session ``sid`` (the ingest started one: its workers stay in it when orphaned)."""
    return [pid for pid, _, session in _processes() if session == sid]


def _children(pid: int) -> set[int]:
    return {child for child, parent, _ in _processes() if parent == pid}


def _cli(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "extract.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc to find the workers")
def test_kill_9_mid_batch_leaves_no_worker_and_a_usable_store(tmp_path: Path) -> None:
    """A real ``yakuji ingest --jobs 2`` killed with SIGKILL once a document is done and two
    are in its workers: no worker outlives it by 5 s, the store validates, and the next
    ingest says the lock was stale, keeps what was committed and reads the rest."""
    n = 16
    proc, docs, store = _start_batch(tmp_path, n)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()  # not communicate(): surviving workers would hold its pipes open
    _no_process_left(proc.pid)
    proc.communicate()

    with Store(store, read_only=True) as st:
        committed = len(st.document_graphs())
    assert 0 < committed < n
    checked = _cli("validate", "--store", str(store))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    again = _cli("ingest", str(docs), "--store", str(store), "-q")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"previous writer (pid {proc.pid}) stopped without closing it" in again.stderr
    assert f"{committed} unchanged" in again.stdout and f"{n - committed} ok" in again.stdout
    with Store(store, read_only=True) as st:
        assert len(st.document_graphs()) == n


def _start_batch(tmp_path: Path, n: int, *extra: str) -> tuple[subprocess.Popen[str], Path, Path]:
    """A real ``yakuji ingest --jobs 2`` of ``n`` distinct copies of a sample, in its own session,
    returned once two documents are done and a worker is running."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(n):  # distinct bytes: one document each
        (docs / f"g{i:02}.txt").write_text(GUIDELINE.read_text(encoding="utf-8") + f"\ncopy {i}\n",
                                           encoding="utf-8")
    store = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-m", "extract.cli", "ingest", str(docs), "--store", str(store),
                             "--jobs", "2", "-q", *extra], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen: set[int] = set()
    running: set[int] = set()
    deadline = time.monotonic() + 120
    while not (len(seen) >= 4 and running) and time.monotonic() < deadline:  # two documents done
        assert proc.poll() is None, "the ingest ended before it could be stopped"
        running = _children(proc.pid)
        seen |= running
        time.sleep(0.02)
    assert running, "no worker running within 2 minutes"
    return proc, docs, store


def _no_process_left(sid: int) -> None:
    deadline = time.monotonic() + 5
    while _session_processes(sid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session_processes(sid) == [], "workers outlived their parent"


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux /proc to find the workers")
def test_ctrl_c_stops_the_workers_and_prints_the_summary(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the whole foreground group, as a terminal sends it): the workers are
    stopped by the parent, the table says what was done and what was not, exit 130."""
    proc, _, store = _start_batch(tmp_path, 16)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in err
    assert "┃ file" in out and "interrupted (Ctrl-C)" in out
    _no_process_left(proc.pid)
    with Store(store) as st:  # closed cleanly: not stale
        assert st.stale_lock == "" and 0 < len(st.document_graphs()) < 16


def test_a_forked_child_never_holds_the_lock(tmp_path: Path) -> None:
    """A writer forks a child that lives on, then dies without closing the store: the lock is
    free at once (the child closed its copy at fork) and the next writer says it was stale."""
    script = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
from extract.store import Store
st = Store({str(tmp_path / 'store')!r})
child = os.fork()
if child == 0:
    time.sleep(60)
    os._exit(0)
open({str(tmp_path / 'child')!r}, 'w').write(str(child))
os._exit(0)  # as if killed: no close
"""
    subprocess.run([sys.executable, "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60, check=True)
    child = int((tmp_path / "child").read_text())
    try:
        assert Path(f"/proc/{child}").exists()
        with Store(tmp_path / "store") as st:
            assert "stopped without closing it" in st.stale_lock
            with pytest.raises(StoreLockedError, match=f"pid {os.getpid()}"):
                Store(tmp_path / "store")
        with Store(tmp_path / "store") as st:  # closed cleanly: nothing stale
            assert st.stale_lock == ""
    finally:
        os.kill(child, signal.SIGKILL)


def test_a_lock_held_by_a_dead_writers_process_is_taken_over(tmp_path: Path) -> None:
    """What an older yakuji left behind: a process still holds the flock, the pid in the
    file is dead. The next writer names the holder and takes over; a third is refused."""
    store = tmp_path / "store"
    store.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", f"""
import fcntl, sys, time
f = open({str(store / 'write.lock')!r}, 'w')
fcntl.flock(f, fcntl.LOCK_EX)
f.write('999999999'); f.flush()
print('locked', flush=True)
time.sleep(60)
"""], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with Store(store) as st:
            assert "writer (pid 999999999) is no longer running" in st.stale_lock
            assert f"pid {holder.pid}" in st.stale_lock
            with pytest.raises(StoreLockedError, match=f"another yakuji process \\(pid {os.getpid()}\\)"):
                Store(store)
            st.add_graph("urn:x:g", b"<urn:x:s> <urn:x:p> <urn:x:o> .\n")
        with Store(store, read_only=True) as st:
            assert st.document_graphs() == ["urn:x:g"]
    finally:
        holder.kill()
        holder.wait()


def test_a_live_writer_is_refused_with_its_pid(tmp_path: Path) -> None:
    with Store(tmp_path / "store"):
        res = CliRunner().invoke(app, ["ingest", "--store", str(tmp_path / "store"), "-q", str(GUIDELINE)])
    assert res.exit_code == 1
    assert f"being written by another yakuji process (pid {os.getpid()})" in res.output
    assert "guideline_ja.txt" in res.output and "0 ok, 0 partial, 0 unchanged, 1 failed" in res.output


# --------------------------------------------------------------------------- untrusted text

def _fake_outcomes(monkeypatch: pytest.MonkeyPatch, reason: str) -> None:
    """Every document fails with ``reason`` (as if the loader said it)."""
    import extract.pipeline as pipeline

    monkeypatch.setattr(pipeline, "process_file",
                        lambda path, **_: Built(Outcome(str(path), "failed", reason=reason, codes=("input-error",))))


def _assert_safe(text: str) -> None:
    for ch in RAW:
        assert ch not in text, f"raw {ch!r} printed"
    assert "Traceback" not in text and "MarkupError" not in text


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_hostile_names_and_reasons_are_printed_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       jobs: str) -> None:
    _fake_outcomes(monkeypatch, HOSTILE_REASON)
    names = ["evil[/bold]closing.txt", "[red]open.txt", "\x1b[31mansi.txt", "bell\x07\x01.txt", "\u202eexe.txt"]
    docs = tmp_path / "docs"
    (docs / "evil[").mkdir(parents=True)  # a closing tag in a path: a folder ending in "["
    for name in names:
        (docs / name).write_text("x", encoding="utf-8")
    report = tmp_path / "report.json"
    res = CliRunner().invoke(app, ["ingest", "--store", str(tmp_path / "store"), "-q", "--jobs", jobs,
                                   "--report", str(report), str(docs)], env={"COLUMNS": "400"})
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    out = res.stdout + res.stderr
    _assert_safe(out)
    assert "0 ok, 0 partial, 0 unchanged, 5 failed" in res.stdout
    assert "evil[/bold]closing.txt" in res.stderr and "[red]open.txt" in out  # shown, not interpreted
    assert "\\x1b[31mansi.txt" in out and "\\u202eexe.txt" in out and "bell\\x07\\x01.txt" in out
    assert "[/bold] closing [red]red[/red] \\x1b[31mANSI" in res.stderr
    # the 10,000-character reason is cut in the table and on stderr, whole in the report
    assert "x END" not in out and "x… (9,923 more characters) │" in res.stdout
    assert "more characters)" in res.stderr
    assert max(map(len, res.stderr.splitlines())) < 800
    data = json.loads(report.read_text(encoding="utf-8"))
    assert sorted(str(Path(f["path"]).relative_to(docs)) for f in data["files"]) == sorted(names)
    assert {f["reason"] for f in data["files"]} == {HOSTILE_REASON}


def test_progress_label_is_escaped_markup() -> None:
    from rich.console import Console
    from rich.progress import Progress

    from extract.cli import progress_label

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120, color_system=None)
    with Progress(console=console, auto_refresh=False) as bar:
        task = bar.add_task("ingesting", total=2)
        bar.update(task, advance=1, description=progress_label("/x/evil[/bold][red]\x1b[2J\u202e.pdf"))
        bar.refresh()
    shown = buf.getvalue()
    assert "bold][red]\\x1b[2J\\u202e.pdf" in shown and "\u202e" not in shown


def _hostile_store(path: Path) -> None:
    """A store with one document graph whose labels and evidence are hostile."""
    from extract.pipeline import ensure_ontology

    label = '[/bold][red]\\u001B[31mCRS\\u0007\\u202E ' + "y" * 3000
    yk, doc, concept = "https://w3id.org/yakuji/ontology#", "https://w3id.org/yakuji/id/doc/x", "https://w3id.org/yakuji/id/concept/x"
    data = "\n".join([
        f"<{doc}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{yk}ReviewReport> .",
        f"<{doc}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{yk}SourceDocument> .",
        f'<{doc}> <http://purl.org/dc/terms/title> "{label}" .',
        f'<{doc}> <{yk}fileName> "[/i]\\u001B]0;title\\u0007.pdf" .',
        f"<{concept}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{yk}MedicalConcept> .",
        f'<{concept}> <{yk}unlinked> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .',
        f'<{concept}> <http://www.w3.org/2004/02/skos/core#prefLabel> "{label}"@ja .', ""])
    with Store(path) as st:
        ensure_ontology(st)
        st.add_graph("https://w3id.org/yakuji/id/doc/x", data.encode())


@pytest.mark.parametrize("args", [
    ["stats"],
    ["query", "SELECT ?l WHERE { ?c skos:prefLabel ?l FILTER(CONTAINS(?l, 'CRS')) }"],
    ["query", "SELECT ?l WHERE { ?c skos:prefLabel ?l FILTER(CONTAINS(?l, 'CRS')) }", "--format", "json"],
    ["query", "SELECT ?l WHERE { ?c skos:prefLabel ?l FILTER(CONTAINS(?l, 'CRS')) }", "--format", "csv"],
    ["query", "CONSTRUCT { ?c ?p ?l } WHERE { ?c skos:prefLabel ?l FILTER(CONTAINS(?l, 'CRS')) BIND(skos:prefLabel AS ?p) }"],
    ["lexicon", "gaps"],
    ["explain", "https://w3id.org/yakuji/id/concept/x"],
    ["consistency"],
    ["candidates"],
    ["validate"],
], ids=lambda a: "-".join(a[:1] + a[-1:]) if a[0] != "query" else "query-" + (a[-1] if len(a) > 2 else "table"))
def test_hostile_store_text_is_never_raw_on_screen(tmp_path: Path, args: list[str]) -> None:
    _hostile_store(tmp_path / "store")
    res = CliRunner().invoke(app, [*args, "--store", str(tmp_path / "store")])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    if "csv" in args:  # into a file or a pipe, CSV keeps the values exact
        assert "[/bold][red]\x1b[31mCRS\x07\u202e" in res.stdout
        return
    _assert_safe(res.stdout + res.stderr)
    if args[0] == "query" and "json" in args:
        rows = json.loads(res.stdout)["results"]["bindings"]
        assert rows[0]["l"]["value"].startswith("[/bold][red]\x1b[31mCRS\x07\u202e")  # same data, escaped
    elif args[0] in ("query", "lexicon"):
        assert "[/bold][red]\\x1b[31mCRS" in res.stdout or "[/bold][red]\\u001B[31mCRS" in res.stdout


def test_clean_and_cells() -> None:
    from extract.display import cell, clean, escape_json, one_line

    assert clean("a\x1b[1mb\tc\nd\u202e\x9b") == "a\\x1b[1mb\tc\nd\\u202e\\x9b"
    assert one_line("a\tb\nc\x00") == "a b c\\x00"
    cut = one_line("z" * 10_000, 200)
    assert len(cut) <= 200 and cut.endswith("(9,830 more characters)")
    assert cell("[bold]x[/bold]").plain == "[bold]x[/bold]"
    assert json.loads(escape_json(json.dumps({"k": "a\u202e\x85\x7f"}, ensure_ascii=False))) == {"k": "a\u202e\x85\x7f"}
    assert "\u202e" not in escape_json(json.dumps("\u202e", ensure_ascii=False))


# --------------------------------------------------------------------------- library warnings

def _noisy(real: Any, n: int) -> Any:
    def run(path: object, **kwargs: Any) -> Any:
        log = logging.getLogger("pdfminer.pdffont")
        for i in range(n):
            log.warning("Could not get FontBBox from font descriptor %d", i)
        logging.getLogger("fontTools.ttLib").error("bad table")
        return real(path, **kwargs)
    return run


@pytest.mark.parametrize("extra", [[], ["--jobs", "2"], ["--timeout", "0"]], ids=["worker", "jobs-2", "in-process"])
def test_library_warnings_are_counted_per_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   extra: list[str]) -> None:
    import extract.pipeline as pipeline

    monkeypatch.setattr(pipeline, "process_file", _noisy(pipeline.process_file, 411))
    log = tmp_path / "pdf.log"
    report = tmp_path / "r.json"
    res = CliRunner().invoke(app, ["ingest", "--store", str(tmp_path / "store"), "-q", *extra,
                                   "--log", str(log), "--report", str(report), str(GUIDELINE)])
    assert res.exit_code == 0, res.output
    assert "FontBBox" not in res.stderr and "bad table" not in res.stderr
    assert f"guideline_ja.txt: 412 PDF warnings (--verbose to see them, all in {log})" in res.stderr
    assert len(res.stderr.splitlines()) == 1
    logged = log.read_text(encoding="utf-8")
    assert "pdfminer.pdffont: warning: Could not get FontBBox from font descriptor 410" in logged
    assert "fontTools.ttLib: error: bad table" in logged
    assert json.loads(report.read_text(encoding="utf-8"))["files"][0]["warnings"] == 412
    verbose = CliRunner().invoke(app, ["ingest", "--store", str(tmp_path / "store2"), "-q", "--verbose",
                                       *extra, str(GUIDELINE)])
    assert "guideline_ja.txt: pdfminer.pdffont: warning: Could not get FontBBox from font descriptor 7" in verbose.stderr


def test_an_internal_error_fails_its_document_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import extract.pipeline as pipeline

    real = pipeline.process_file

    def buggy(path: object, **kwargs: Any) -> Any:
        if Path(str(path)).name == "bug.txt":
            raise ZeroDivisionError("a bug")
        return real(path, **kwargs)

    monkeypatch.setattr(pipeline, "process_file", buggy)
    bug = tmp_path / "bug.txt"
    bug.write_text("x", encoding="utf-8")
    for extra in (["--timeout", "0"], ["--jobs", "2"]):
        store = tmp_path / f"store{len(extra)}{extra[0]}"
        res = CliRunner().invoke(app, ["ingest", "--store", str(store), "-q", *extra, "--verbose",
                                       str(bug), str(GUIDELINE)])
        assert res.exit_code == 1
        assert "bug.txt: internal error: ZeroDivisionError: a bug" in res.stderr
        assert "Traceback (most recent call last)" in res.stderr  # with --verbose, prefixed lines
        assert "1 ok, 0 partial, 0 unchanged, 1 failed" in res.stdout


# --------------------------------------------------------------------------- report and exit codes

def test_report_lists_every_file_with_pages_codes_and_hashes(tmp_path: Path, bad_pdfs: dict[str, Path]) -> None:
    import hashlib

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "truncated.pdf").write_bytes(bad_pdfs["truncated.pdf"].read_bytes())
    (docs / "guideline_ja.txt").write_bytes(GUIDELINE.read_bytes())
    report = tmp_path / "out.json"
    store = str(tmp_path / "store")
    res = CliRunner().invoke(app, ["ingest", "--store", store, "-q", "--report", str(report), str(docs),
                                   str(tmp_path / "missing.pdf")])
    assert res.exit_code == 1
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["exit_code"] == 1 and data["counts"] == {"ok": 1, "partial": 0, "unchanged": 0, "failed": 2}
    files = {Path(f["path"]).name: f for f in data["files"]}
    assert set(files) == {"truncated.pdf", "guideline_ja.txt", "missing.pdf"}
    g = files["guideline_ja.txt"]
    assert g["sha256"] == hashlib.sha256(GUIDELINE.read_bytes()).hexdigest()
    assert g["status"] == "ok" and g["type"] == "OptimalUseGuideline" and g["facts"] > 0 and g["triples"] > 0
    assert g["graph"] == f"https://w3id.org/yakuji/id/doc/{g['sha256']}" and g["seconds"] > 0
    assert files["missing.pdf"]["codes"] == ["no-such-file"] and files["missing.pdf"]["sha256"] is None
    t = files["truncated.pdf"]
    assert t["status"] == "failed" and t["codes"] == ["input-error"] and "truncated" in t["reason"]

    # a PDF whose second page has no Unicode map: page statuses and the code say so
    res = CliRunner().invoke(app, ["ingest", "--store", store, "-q", "--ocr", "never", "--type", "pi",
                                   "--report", str(report), str(bad_pdfs["no_tounicode.pdf"]), str(GUIDELINE)])
    data = json.loads(report.read_text(encoding="utf-8"))
    nt, again = data["files"]
    assert [(p["page"], p["status"]) for p in nt["page_statuses"]] == [(1, "ok"), (2, "unreadable")]
    assert "Unicode map" in nt["page_statuses"][1]["reason"]
    assert nt["status"] == "partial" and "page-unreadable" in nt["codes"] and nt["pages"] == 2
    assert again["status"] == "unchanged" and again["sha256"] == g["sha256"]
    assert res.exit_code == 0 and data["exit_code"] == 0


@pytest.mark.parametrize("args, code", [
    (["--ocr", "sometimes"], 2),
    (["--type", "nonsense"], 2),
    (["--report", "/nonexistent-folder/r.json"], 2),
    (["--log", "/nonexistent-folder/x.log"], 2),
    (["--jobs", "0"], 2),
    ([], 0),
], ids=["bad-ocr", "bad-type", "report-folder", "log-folder", "jobs-0", "fine"])
def test_exit_codes(tmp_path: Path, args: list[str], code: int) -> None:
    res = CliRunner().invoke(app, ["ingest", "--store", str(tmp_path / "store"), "-q", *args, str(GUIDELINE)])
    assert res.exit_code == code, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
