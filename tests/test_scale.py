"""Past one machine (issue 19), on loopback: a Dask LocalCluster ingests into the same store as
``--jobs 1``; a worker lost mid-batch costs no document; the graphs pushed to Virtuoso 7
answer every named query with the local store's rows, through ``query --endpoint`` and
``serve --upstream`` too.

Virtuoso: ``.ci/run`` starts one and names it in ``$YAKUJI_TEST_VIRTUOSO``; otherwise a
throw-away one is started here with ``scripts/virtuoso.sh`` when ``virtuoso-t`` is installed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"
SEEDS = ROOT.parent / "shared" / "seeds"
DOCS = [SAMPLES, *([SEEDS] if SEEDS.is_dir() else [])]
PUSH_ENV = {"YAKUJI_PUSH_USER": "dba", "YAKUJI_PUSH_PASSWORD": "dba"}  # a fresh Virtuoso's

# a case per named query (and both scopes, both languages); seed products and studies
NAMED_CASES = [("ae-incidence", {"concept": "CRS"}), ("dose-modification", {"parameter": "platelet count"}),
               ("management-rules", {"concept": "CRS"}),
               ("product-activities", {"product": "Lunsumio", "scope": "all"}),
               ("product-activities", {"product": "Lunsumio"}),
               ("product-conditions", {"product": "Abecma"}), ("product-disagreements", {"product": "Abecma"}),
               ("product-profile", {"product": "Revlimid"}), ("product-studies", {"product": "Revlimid"}),
               ("risk-by-concept", {"concept": "サイトカイン放出症候群"}),
               ("risk-by-concept", {"concept": "CRS", "category": "identified"}),
               ("study-criteria", {"study": "MM-003"}), ("study-efficacy", {"study": "ATLL-002"}),
               ("product-identifiers", {"product": "Revlimid"}), ("product-materials", {"product": "Imbruvica"})]
# the samples and seeds hold no risk-minimisation material: the query runs, on both, with no row
EMPTY_ON_SEEDS = {"product-materials"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a Virtuoso 7 on 127.0.0.1 (SPARQL at /sparql)."""
    if os.environ.get("YAKUJI_TEST_VIRTUOSO"):
        yield os.environ["YAKUJI_TEST_VIRTUOSO"].rstrip("/")
        return
    if shutil.which("virtuoso-t") is None:
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource; scripts/setup.sh does)")
    folder = tmp_path_factory.mktemp("virtuoso")
    script = ROOT / "scripts" / "virtuoso.sh"
    started = subprocess.run(["bash", str(script), "start", str(folder), str(_free_port()), str(_free_port())],
                             capture_output=True, text=True, timeout=180)
    assert started.returncode == 0, started.stderr
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(script), "stop", str(folder)], timeout=60)


def _nquads(store: Path) -> tuple[list[str], Any]:
    """The store's N-Quads lines without blank nodes, sorted, and the ontology graph (whose
    OWL lists are blank nodes, labelled afresh on each load) as an rdflib graph."""
    import rdflib

    import io

    buf = io.BytesIO()
    with Store(store, read_only=True) as st:
        st.export("nquads", buf)
    lines = sorted(buf.getvalue().decode("utf-8").splitlines())
    named = [line for line in lines if "_:" not in line]
    data = rdflib.Dataset()
    data.parse(data="\n".join(line for line in lines if "_:" in line), format="nquads")
    assert {str(g.identifier) for g in data.graphs() if len(g)} == {"https://w3id.org/yakuji/id/graph/ontology"}
    onto = rdflib.Graph()
    for s, p, o, _ in data.quads():
        onto.add((s, p, o))
    return named, onto


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples and seeds ingested with ``--jobs 1`` (no Dask)."""
    store = tmp_path_factory.mktemp("jobs1") / "store"
    res = CliRunner().invoke(app, ["ingest", "--store", str(store), "-q", "--jobs", "1", *map(str, DOCS)])
    assert res.exit_code == 0, res.output
    return store


def _same_store(a: Path, b: Path) -> None:
    from rdflib.compare import isomorphic

    (lines_a, onto_a), (lines_b, onto_b) = _nquads(a), _nquads(b)
    assert lines_a == lines_b
    assert isomorphic(onto_a, onto_b)


def test_a_local_cluster_ingests_the_same_store(baseline: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    store = tmp_path / "store"
    res = CliRunner().invoke(app, ["ingest", "--store", str(store), "-q", "--scheduler", "local:2",
                                   "--report", str(tmp_path / "r.json"), *map(str, DOCS)])
    assert res.exit_code == 0, res.output
    files = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"]
    assert {f["status"] for f in files} == {"ok"} and all(f["seconds"] > 0 for f in files)
    _same_store(baseline, store)


def test_a_lost_worker_costs_no_document(baseline: Path, tmp_path: Path) -> None:
    """A ``tcp://`` scheduler of two workers; one is killed (SIGKILL) once the first result is in,
    while documents are on both: its document runs again on a worker (retried once), and the
    store is the same as ``--jobs 1``'s."""
    distributed = pytest.importorskip("distributed")
    import dask

    from extract.pipeline import ingest_paths

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    killed: list[int] = []
    try:
        def kill_one(_: object) -> None:
            if not killed:  # four documents are in flight on the two workers: one of them dies
                pid = next(iter(cluster.workers.values())).pid
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        with Store(tmp_path / "store") as st:
            outcomes = ingest_paths(DOCS, st, scheduler=cluster.scheduler_address, on_done=kill_one, timeout=300)
    finally:
        cluster.close()
    assert killed
    assert {o.status for o in outcomes} == {"ok"}, [(o.path, o.reason) for o in outcomes if o.status != "ok"]
    _same_store(baseline, tmp_path / "store")


def test_scheduler_option_errors() -> None:
    for bad in ("local:0", "local:x", "http://h:1", "h:8786"):
        res = CliRunner().invoke(app, ["ingest", "--scheduler", bad, str(SAMPLES)])
        assert res.exit_code == 2 and "--scheduler" in res.output, res.output


# --------------------------------------------------------------------------- Virtuoso


@pytest.fixture(scope="module")
def pushed(virtuoso: str, baseline: Path) -> str:
    """The baseline pushed to Virtuoso's Graph Store endpoint (digest auth); its SPARQL URL."""
    from extract.push import auth_from_env, push_store

    report = push_store(baseline, f"{virtuoso}/sparql-graph-crud-auth", auth=auth_from_env(PUSH_ENV))
    assert not report.failed, report.lines()
    return f"{virtuoso}/sparql"


def _triples_per_graph(store: Any) -> dict[str, int]:
    rows = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                        "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/yakuji/')) } GROUP BY ?g")
    return {r["g"].value: int(r["n"].value) for r in rows}


def test_push_to_virtuoso_puts_every_graph_and_a_repush_replaces(pushed: str, virtuoso: str,
                                                                  baseline: Path) -> None:
    from extract.push import auth_from_env, push_store
    from extract.remote import Endpoint

    with Store(baseline, read_only=True) as st:
        local = _triples_per_graph(st)
    assert _triples_per_graph(Endpoint(pushed)) == local
    again = push_store(baseline, f"{virtuoso}/sparql-graph-crud-auth", auth=auth_from_env(PUSH_ENV))
    assert again.count("pushed") == len(local)
    assert _triples_per_graph(Endpoint(pushed)) == local  # replaced, not added
    since = push_store(baseline, f"{virtuoso}/sparql-graph-crud-auth", since=True, auth=auth_from_env(PUSH_ENV))
    assert since.count("unchanged") == len(local) and since.count("pushed") == 0
    refused = push_store(baseline, f"{virtuoso}/sparql-graph-crud-auth",
                         auth=auth_from_env({"YAKUJI_PUSH_USER": "dba", "YAKUJI_PUSH_PASSWORD": "wrong"}))
    assert refused.failed and "401" in refused.outcomes[0].detail


def _rows(rows: list[dict[str, Any]]) -> list[tuple[tuple[str, str], ...]]:
    return sorted(tuple(sorted((k, str(v)) for k, v in r.items())) for r in rows)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available: ../shared/seeds is absent")
def test_every_named_query_gives_the_same_rows_on_virtuoso(pushed: str, baseline: Path) -> None:
    from extract.queries import load_queries, run_named
    from extract.remote import Endpoint

    queries = load_queries()
    with Store(baseline, read_only=True) as st:
        fact = st.select("SELECT ?f WHERE { ?f yk:evidenceText ?e } ORDER BY ?f LIMIT 1")[0]["f"].value
        cases = [*NAMED_CASES, ("fact-provenance", {"fact": fact})]
        assert {name for name, _ in cases} == set(queries), "a named query without a case"
        for name, params in cases:
            _, local = run_named(st, queries[name], params)
            _, remote = run_named(Endpoint(pushed), queries[name], params)
            assert bool(local) != (name in EMPTY_ON_SEEDS), f"{name} {params}: {len(local)} rows locally"
            assert _rows(remote) == _rows(local), f"{name} {params}"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available: ../shared/seeds is absent")
def test_query_cli_against_the_endpoint(pushed: str, baseline: Path) -> None:
    args = ["query", "--name", "product-profile", "--param", "product=Revlimid", "--format", "json"]
    local = CliRunner().invoke(app, [*args, "--store", str(baseline)])
    remote = CliRunner().invoke(app, [*args, "--endpoint", pushed])
    assert local.exit_code == remote.exit_code == 0, remote.output
    rows = lambda out: sorted(json.dumps(b, sort_keys=True) for b in json.loads(out)["results"]["bindings"])  # noqa: E731
    assert rows(remote.stdout) == rows(local.stdout) and rows(local.stdout)
    bad = CliRunner().invoke(app, ["query", "SELECT ?x WHERE { ?x", "--endpoint", pushed])
    assert bad.exit_code == 2 and "syntax error" in bad.stderr
    down = CliRunner().invoke(app, ["query", "ASK {}", "--endpoint", f"http://127.0.0.1:{_free_port()}/sparql"])
    assert down.exit_code == 1 and "refused" in down.stderr.lower()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available: ../shared/seeds is absent")
def test_serve_upstream_answers_named_queries_from_virtuoso(pushed: str, baseline: Path, tmp_path: Path) -> None:
    from extract.queries import load_queries, run_named

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "extract.cli", "serve", "--upstream", pushed, "--port", str(port),
                             "--workers", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/queries/product-studies?" + urllib.parse.urlencode({"product": "Revlimid"})
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"}),
                                            timeout=30) as response:
                    answer = json.loads(response.read())
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(10)
    with Store(baseline, read_only=True) as st:
        _, local = run_named(st, load_queries()["product-studies"], {"product": "Revlimid"})
    got = sorted(tuple(sorted((k, v["value"]) for k, v in b.items())) for b in answer["results"]["bindings"])
    want = sorted(tuple(sorted((k, v.value) for k, v in r.items())) for r in local)
    assert got == want and want
