"""Past one machine, measured (issue 19): ingest with ``--jobs 2`` and with a two-worker Dask
``LocalCluster`` on the same real PDFs; push throughput to Virtuoso 7 and to an Oxigraph server;
one named query's latency on the local store, Virtuoso and the Oxigraph server with the same data.

    python scripts/bench_scale.py [--rounds 2] [--files N] [--queries 20]

Ingest: each round runs ``yakuji ingest --ocr never`` into a fresh store once with ``--jobs 2``
and once with ``--scheduler local:2``, in alternating order, and reports documents and pages per
wall second (the whole command, so the cluster's start and each worker's warm-up count), the
sum of the documents' own reading times (``doc s``: what the workers spent on them) and the
ratio of the two wall times within the round. Push: the ``--jobs 2`` store pushed to a fresh Virtuoso
(``scripts/virtuoso.sh``, digest auth) and a fresh ``oxigraph serve`` on 127.0.0.1, triples per
second. Query: ``product-profile`` for the first product of the store, ``--queries`` runs each,
median and 95th percentile in ms. Needs ../shared/real, virtuoso-t and the ``oxigraph`` command.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real"
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ingest(files: list[Path], store: Path, *how: str) -> tuple[float, dict]:
    report = store.parent / f"{store.name}.json"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "extract.cli", "ingest", *map(str, files), "--store", str(store), "-q",
                    "--ocr", "never", "--report", str(report), *how], cwd=ROOT, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, json.loads(report.read_text(encoding="utf-8"))


def push_seconds(store: Path, endpoint: str, env: dict[str, str]) -> tuple[float, int]:
    from extract.push import auth_from_env, push_store

    start = time.perf_counter()
    report = push_store(store, endpoint, auth=auth_from_env(env))
    took = time.perf_counter() - start
    assert not report.failed, report.lines()
    return took, sum(o.triples for o in report.outcomes)


def latencies(target: object, name: str, values: dict[str, str], runs: int) -> list[float]:
    from extract.queries import load_queries, run_named

    query = load_queries()[name]
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        run_named(target, query, values)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--files", type=int, default=0, help="the first N real PDFs by name (0: all)")
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    files = sorted(REAL.rglob("*.pdf"))[: args.files or None]
    if not files:
        sys.exit("no real PDFs in ../shared/real")
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    print(f"{len(files)} real PDFs, {os.cpu_count()} CPU(s), --ocr never, {args.rounds} round(s)\n")
    print(f"{'round':5} {'engine':12} {'docs':>5} {'pages':>6} {'wall s':>7} {'docs/s':>7} {'pages/s':>8} {'doc s':>7}")
    ratios = []
    kept = None
    for r in range(args.rounds):
        runs = {}
        order = [("--jobs 2", ["--jobs", "2"]), ("local:2", ["--scheduler", "local:2"])]
        for label, how in order if r % 2 == 0 else order[::-1]:
            store = tmp / f"r{r}-{label.replace(' ', '').replace(':', '')}"
            wall, report = ingest(files, store, *how)
            done = [f for f in report["files"] if f["status"] in ("ok", "partial")]
            pages = sum(f["pages"] for f in done)
            runs[label] = wall
            doc_s = sum(f["seconds"] for f in report["files"])
            print(f"{r + 1:5} {label:12} {len(done):5} {pages:6} {wall:7.1f} {len(done) / wall:7.2f} {pages / wall:8.1f}"
                  f" {doc_s:7.1f}")
            if label == "--jobs 2":
                kept = store
        ratios.append(runs["--jobs 2"] / runs["local:2"])
    print(f"\nLocalCluster(2) speed vs --jobs 2 (wall ratio per round): {', '.join(f'{x:.2f}x' for x in ratios)}")
    assert kept is not None

    from extract.remote import Endpoint
    from extract.store import Store

    vdir = tmp / "virtuoso"
    url = subprocess.run(["bash", str(ROOT / "scripts" / "virtuoso.sh"), "start", str(vdir), str(free_port()),
                          str(free_port())], capture_output=True, text=True, check=True).stdout.strip()
    oxdir = tmp / "oxigraph"
    port = free_port()
    ox = subprocess.Popen([shutil.which("oxigraph") or "oxigraph", "serve", "--location", str(oxdir), "--bind",
                           f"127.0.0.1:{port}", "--union-default-graph"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        v_s, triples = push_seconds(kept, f"{url}/sparql-graph-crud-auth",
                                    {"YAKUJI_PUSH_USER": "dba", "YAKUJI_PUSH_PASSWORD": "dba"})
        o_s, _ = push_seconds(kept, f"http://127.0.0.1:{port}/store", {})
        print(f"\npush of {triples:,} triples: Virtuoso {triples / v_s:,.0f} triples/s ({v_s:.1f} s), "
              f"Oxigraph server {triples / o_s:,.0f} triples/s ({o_s:.1f} s)")
        with Store(kept, read_only=True) as st:
            product = st.select("SELECT ?l WHERE { GRAPH ?g { ?p a yk:MedicinalProduct ; rdfs:label ?l } "
                                "FILTER(?g != <https://w3id.org/yakuji/id/graph/ontology>) } ORDER BY ?l LIMIT 1")
            name = product[0]["l"].value
            targets = {"local store": st, "Virtuoso": Endpoint(f"{url}/sparql"),
                       "Oxigraph server": Endpoint(f"http://127.0.0.1:{port}/query")}
            print(f"\nproduct-profile (product={name}), {args.queries} runs each:")
            for label, target in targets.items():
                ms = sorted(latencies(target, "product-profile", {"product": name}, args.queries))
                print(f"  {label:16} median {statistics.median(ms):7.1f} ms   p95 {ms[int(len(ms) * 0.95) - 1]:7.1f} ms")
    finally:
        ox.kill()
        ox.wait()
        subprocess.run(["bash", str(ROOT / "scripts" / "virtuoso.sh"), "stop", str(vdir)])
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
