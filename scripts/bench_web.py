#!/usr/bin/env python3
"""Benchmark the web pages of ``yakuji serve`` on the synthetic 1.3 M-triple store.

The store is the one ``scripts/bench_queries.py`` builds (10,000 fictional products, one
document each, every tenth with a later revision); it is built here when ``--store`` holds
none. The server runs with its usual workers; once its index worker has read the store (the
time that takes is reported: it is paid once per server start, while the other pages already
answer), each page is loaded ``--rounds`` times, pages interleaved within each round. Two
figures per page: the page's own time in the worker (the ``Server-Timing`` header) and the whole
request over loopback (queueing, the worker pipe and HTTP included).

    python scripts/bench_web.py --store /tmp/yakuji-bench-store --rounds 20

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

PAGES = [
    "/product/synthetic-42", "/product/synthetic-2", "/concept/synthetic-42", "/study/syn-42",
    "/document/synthetic-42", "/documents", "/documents?page=50", "/documents?kind=RiskManagementPlan&sort=file",
    "/products", "/products?page=40", "/search?q=synthomab", "/api/search?q=シンソマブ4",
    "/api/search?q=syn-4", "/api/search?q=SC42", "/diff",
]
# For scale: a named query through the same server (README: 15 ms median on a quieter machine)
BASELINE = "/queries/product-profile?product=Synthomab 42"


def _bench_queries():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_queries", Path(__file__).with_name("bench_queries.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fetch(base: str, path: str) -> tuple[int, float, float, float]:
    """(status, page ms and page CPU ms from Server-Timing, round-trip ms)."""
    parts = urllib.parse.urlsplit(path)
    url = base + parts.path + ("?" + urllib.parse.quote(parts.query, safe="=&") if parts.query else "")
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
        timing = r.headers.get("Server-Timing", "")
        status = r.status
    total = (time.perf_counter() - t0) * 1000
    own = re.search(r"page;dur=([\d.]+)", timing)
    cpu = re.search(r"cpu;dur=([\d.]+)", timing)
    return (status, float(own.group(1)) if own else float("nan"), float(cpu.group(1)) if cpu else float("nan"),
            total)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--products", type=int, default=10_000)
    ap.add_argument("--store", type=Path, default=Path("/tmp/yakuji-bench-store"))
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4)
    args = ap.parse_args()
    bench_queries = _bench_queries()
    percentile = bench_queries.percentile
    if not (args.store / "db").is_dir():
        t0 = time.perf_counter()
        bench_queries.build_store(args.store, args.products)
        print(f"built {args.products} products in {time.perf_counter() - t0:.1f} s", flush=True)
    from extract.serve import ServeConfig, Server
    from extract.store import Store

    with Store(args.store, read_only=True) as st:
        print(f"store: {st.stats().triples:,} triples")
    t0 = time.perf_counter()
    server = Server(ServeConfig(args.store, timeout=120, workers=args.workers), "127.0.0.1", 0).start()
    started = time.perf_counter() - t0
    try:
        while True:
            with urllib.request.urlopen(server.url + "/api/search?q=x", timeout=120) as r:
                if json.loads(r.read())["complete"]:
                    break
            time.sleep(0.5)
        indexed = time.perf_counter() - t0
        print(f"server started in {started:.1f} s; the index worker had read the whole store {indexed:.1f} s "
              "after the start (search and lists answer from what it has read meanwhile)")
        paths = [*PAGES, BASELINE]
        for path in paths:  # warm each worker's caches once; not counted
            for _ in range(args.workers):
                status, _, _, _ = fetch(server.url, path)
                assert status == 200, (path, status)
        own: dict[str, list[float]] = {p: [] for p in paths}
        cpu: dict[str, list[float]] = {p: [] for p in paths}
        total: dict[str, list[float]] = {p: [] for p in paths}
        for _ in range(args.rounds):
            for path in paths:
                _, page_ms, cpu_ms, round_trip = fetch(server.url, path)
                own[path].append(page_ms)
                cpu[path].append(cpu_ms)
                total[path].append(round_trip)
    finally:
        server.close()
    base = statistics.median(total[BASELINE])
    print(f"\n{'page':44} {'page ms':>8} {'p95':>6} {'CPU ms':>7} {'request ms':>11} {'p95':>6} {'x base':>7}")
    for path in paths:
        print(f"{path:44} {statistics.median(own[path]):8.1f} {percentile(own[path], 95):6.1f} "
              f"{statistics.median(cpu[path]):7.1f} {statistics.median(total[path]):11.1f} "
              f"{percentile(total[path], 95):6.1f} {statistics.median(total[path]) / base:7.2f}")
    print(f"x base: request time over the named query {BASELINE!r} in the same rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
