"""``yakuji push`` against a real Oxigraph server (the ``oxigraph`` package's ``serve``) on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from extract.push import STATE_FILE, auth_from_env, graph_url, push_store
from extract.store import Store

ID = "https://w3id.org/yakuji/id/"
YK = "https://w3id.org/yakuji/ontology#"
GRAPHS = [f"{ID}graph/fiction-{k}" for k in range(5)]


def _graph_body(k: int, version: int) -> bytes:
    """Fictional facts: version 2 changes every triple's object and adds one triple."""
    lines = [f'<{ID}fact/f{k}-{n}> <{YK}text> "graph {k} fact {n} version {version}" .' for n in range(20 + version)]
    return ("\n".join(lines) + "\n").encode()


def _make_store(path: Path, version: int) -> Path:
    with Store(path) as st:
        for k, graph in enumerate(GRAPHS):
            st.add_graph(graph, _graph_body(k, version))
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Remote:
    """An ``oxigraph serve`` process on a free loopback port over a folder that survives restarts."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def store_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/store"

    def start(self) -> None:
        exe = shutil.which("oxigraph")
        assert exe is not None
        self.proc = subprocess.Popen([exe, "serve", "--location", str(self.location),
                                      "--bind", f"127.0.0.1:{self.port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                self.graphs()
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise RuntimeError("oxigraph serve did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def graphs(self) -> dict[str, set[str]]:
        """Each remote graph's triples, as sorted N-Triples-ish strings."""
        query = "SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/query?" + urllib.parse.urlencode({"query": query}),
                                     headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            rows = json.loads(r.read())["results"]["bindings"]
        out: dict[str, set[str]] = {}
        for row in rows:
            out.setdefault(row["g"]["value"], set()).add(f'{row["s"]["value"]} {row["o"]["value"]}')
        return out


def _expected(version: int) -> dict[str, set[str]]:
    return {g: {f"{ID}fact/f{k}-{n} graph {k} fact {n} version {version}" for n in range(20 + version)}
            for k, g in enumerate(GRAPHS)}


@pytest.fixture()
def remote(tmp_path: Path) -> Iterator[Remote]:
    if shutil.which("oxigraph") is None:
        pytest.skip("the Oxigraph server binary is not installed (pip install 'oxigraph>=0.4', the test extra)")
    server = Remote(tmp_path / "remote")
    server.start()
    yield server
    server.kill()


def test_push_then_push_again_replaces(remote: Remote, tmp_path: Path) -> None:
    store = _make_store(tmp_path / "v1", 1)
    report = push_store(store, remote.store_url)
    assert [o.status for o in report.outcomes] == ["pushed"] * 5 and not report.failed
    assert [o.triples for o in report.outcomes] == [21] * 5
    assert remote.graphs() == _expected(1)
    again = push_store(store, remote.store_url)
    assert again.count("pushed") == 5
    assert remote.graphs() == _expected(1)  # PUT replaced: no duplicates
    since = push_store(store, remote.store_url, since=True)
    assert since.count("unchanged") == 5 and since.count("pushed") == 0
    state = json.loads((store / STATE_FILE).read_text())
    assert set(state[remote.store_url]) == set(GRAPHS)


def test_server_killed_mid_push(remote: Remote, tmp_path: Path) -> None:
    push_store(_make_store(tmp_path / "v1", 1), remote.store_url)
    v2 = _make_store(tmp_path / "v2", 2)

    def kill_before_third(i: int, graph: str) -> None:
        if i == 2:
            remote.kill()

    report = push_store(v2, remote.store_url, retries=1, backoff=0.01, before_put=kill_before_third)
    assert [o.status for o in report.outcomes] == ["pushed", "pushed", "failed", "not attempted", "not attempted"]
    failed = report.outcomes[2]
    assert failed.graph == GRAPHS[2] and "after 2 attempts" in failed.detail
    assert report.failed and report.lines()[-1].endswith("2 pushed, 0 unchanged, 1 failed, 2 not attempted")
    remote.start()
    remote_graphs = remote.graphs()
    old, new = _expected(1), _expected(2)
    assert [remote_graphs[g] == new[g] for g in GRAPHS] == [True, True, False, False, False]
    for graph in GRAPHS:
        assert remote_graphs[graph] in (old[graph], new[graph]), graph
    resumed = push_store(v2, remote.store_url, since=True)
    assert resumed.count("unchanged") == 2 and resumed.count("pushed") == 3
    assert remote.graphs() == new


def test_since_resumes_after_failure(remote: Remote, tmp_path: Path) -> None:
    store = _make_store(tmp_path / "v1", 1)

    def kill_before_fourth(i: int, graph: str) -> None:
        if i == 3:
            remote.kill()

    report = push_store(store, remote.store_url, retries=0, before_put=kill_before_fourth)
    assert [o.status for o in report.outcomes] == ["pushed"] * 3 + ["failed", "not attempted"]
    remote.start()
    resumed = push_store(store, remote.store_url, since=True)
    assert [o.status for o in resumed.outcomes] == ["unchanged"] * 3 + ["pushed"] * 2
    assert remote.graphs() == _expected(1)


def test_unreachable_endpoint_is_reported(tmp_path: Path) -> None:
    store = _make_store(tmp_path / "v1", 1)
    report = push_store(store, f"http://127.0.0.1:{_free_port()}/store", retries=2, backoff=0.01)
    assert report.failed and report.outcomes[0].status == "failed"
    assert "network error" in report.outcomes[0].detail and "after 3 attempts" in report.outcomes[0].detail
    assert [o.status for o in report.outcomes[1:]] == ["not attempted"] * 4
    assert not (store / STATE_FILE).exists()


@pytest.mark.parametrize(("env", "expected"), [
    ({}, None),
    ({"YAKUJI_PUSH_TOKEN": "t0k"}, "Bearer t0k"),
    ({"YAKUJI_PUSH_USER": "alice", "YAKUJI_PUSH_PASSWORD": "s3cret"}, "Basic YWxpY2U6czNjcmV0"),
    ({"YAKUJI_PUSH_USER": "alice", "YAKUJI_PUSH_TOKEN": "t0k"}, "Bearer t0k"),
])
def test_auth_from_env(env: dict[str, str], expected: str | None) -> None:
    assert auth_from_env(env) == expected


@pytest.mark.parametrize(("endpoint", "expected"), [
    ("http://h/store", "http://h/store?graph=https%3A%2F%2Fw3id.org%2Fyakuji%2Fid%2Fgraph%2Fx"),
    ("http://h/ds/data?x=1", "http://h/ds/data?x=1&graph=https%3A%2F%2Fw3id.org%2Fyakuji%2Fid%2Fgraph%2Fx"),
])
def test_graph_url(endpoint: str, expected: str) -> None:
    assert graph_url(endpoint, f"{ID}graph/x") == expected


def test_cli_push(remote: Remote, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from extract.cli import app

    store = _make_store(tmp_path / "v1", 1)
    result = CliRunner().invoke(app, ["push", "--endpoint", remote.store_url, "--store", str(store)])
    assert result.exit_code == 0 and result.output.splitlines()[-1].endswith("5 pushed, 0 unchanged, 0 failed, 0 not attempted")
    result = CliRunner().invoke(app, ["push", "--endpoint", remote.store_url, "--store", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no store" in result.output
