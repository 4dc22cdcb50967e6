#!/usr/bin/env python3
"""Benchmark the named queries and the endpoint on a synthetic store.

Why synthetic: the seed corpus is a dozen documents; the question is how the named queries and
``yakuji serve`` behave at the scale of a whole market (10,000 products, about a million
triples). The generator writes fictional products in the contract vocabulary, one document
graph per product, with the shapes every named query reads (concerns, activities, regimens,
studies, incidences, rules, provenance), sharing 300 concepts between products. Every tenth
product (42 among them) has a second, later document that words its indication and states its
dose differently, so ``product-disagreements`` has pairs to find.

    python scripts/bench_queries.py --products 10000 --store /tmp/bench-store \
        --clients 20 --seconds 30

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

YK = "https://w3id.org/yakuji/ontology#"
ID = "https://w3id.org/yakuji/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
N_CONCEPTS = 300
CATEGORIES = ("ImportantIdentifiedRisk", "ImportantPotentialRisk", "MissingInformation")


def _lit(value: str | int | float, lang: str = "", dtype: str = "") -> str:
    if isinstance(value, bool):
        raise TypeError("no booleans")
    if isinstance(value, int):
        return f'"{value}"^^<{XSD}integer>'
    if isinstance(value, float):
        return f'"{value}"^^<{XSD}decimal>'
    text = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"@{lang}' if lang else (f'"{text}"^^<{dtype}>' if dtype else f'"{text}"')


class _Graph:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> {o} .")

    def iri(self, s: str, p: str, o: str) -> None:
        self.add(s, p, f"<{o}>")

    def bytes(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("utf-8")


def concept_iri(k: int) -> str:
    return f"{ID}concept/synthetic-{k}"


def concepts_graph() -> bytes:
    g = _Graph()
    for k in range(N_CONCEPTS):
        c = concept_iri(k)
        g.iri(c, RDF_TYPE, f"{YK}MedicalConcept")
        g.add(c, f"{SKOS}prefLabel", _lit(f"synthetic condition {k}", "en"))
        g.add(c, f"{SKOS}prefLabel", _lit(f"合成症状{k}", "ja"))
        g.add(c, f"{SKOS}altLabel", _lit(f"SC{k}", "en"))
    return g.bytes()


def product_graph(i: int) -> tuple[str, bytes]:
    """One fictional product's document graph (about 100 triples)."""
    g = _Graph()
    doc, product = f"{ID}doc/synthetic-{i}", f"{ID}product/synthetic-{i}"
    study = f"{ID}study/syn-{i}"
    g.iri(doc, RDF_TYPE, f"{YK}SourceDocument")
    g.iri(doc, RDF_TYPE, f"{YK}RiskManagementPlan")
    g.add(doc, f"{YK}sha256", _lit(f"{i:064x}"))
    g.add(doc, f"{DCT}title", _lit(f"Synthetic RMP {i}"))
    g.add(doc, f"{YK}fileName", _lit(f"synthetic-{i}.pdf"))
    g.add(doc, f"{DCT}issued", _lit(f"20{10 + i % 15}-0{1 + i % 9}-15", dtype=f"{XSD}date"))
    g.iri(doc, f"{YK}aboutProduct", product)
    g.iri(product, RDF_TYPE, f"{YK}MedicinalProduct")
    g.add(product, RDFS_LABEL, _lit(f"Synthomab {i}", "en"))
    g.add(product, RDFS_LABEL, _lit(f"シンソマブ{i}", "ja"))
    g.iri(product, f"{YK}hasActiveSubstance", f"{ID}substance/synthomab-{i}")
    g.add(f"{ID}substance/synthomab-{i}", RDFS_LABEL, _lit(f"synthomab-{i}", "en"))

    def fact(kind: str, n: int) -> str:
        f = f"{ID}fact/synthetic-{i}-{kind}-{n}"
        g.iri(f, RDF_TYPE, f"{YK}{kind}")
        g.iri(f, PROV, doc)
        g.add(f, f"{YK}page", _lit(1 + n))
        g.add(f, f"{YK}section", _lit(f"{1 + n}.1"))
        g.add(f, f"{YK}evidenceText", _lit(f"synthetic evidence {i}-{kind}-{n}"))
        return f

    ind = fact("Indication", 0)
    g.iri(ind, f"{YK}product", product)
    g.add(ind, f"{YK}text", _lit(f"synthetic disease {i % 50}", "en"))
    g.iri(ind, f"{YK}disease", concept_iri(i % N_CONCEPTS))
    reg = fact("DosageRegimen", 0)
    g.iri(reg, f"{YK}product", product)
    g.add(reg, f"{YK}text", _lit(f"{10 + i % 90} mg once daily", "en"))
    g.add(reg, f"{YK}doseValue", _lit(float(10 + i % 90)))
    g.add(reg, f"{YK}doseUnit", _lit("mg"))
    g.add(reg, f"{YK}route", _lit("oral"))
    concerns = []
    for n in range(3):
        c = fact("SafetyConcern", n)
        concerns.append(c)
        g.iri(c, f"{YK}product", product)
        g.iri(c, f"{YK}concernCategory", f"{YK}{CATEGORIES[n]}")
        g.iri(c, f"{YK}concept", concept_iri((i * 7 + n) % N_CONCEPTS))
        g.add(c, RDFS_LABEL, _lit(f"合成症状{(i * 7 + n) % N_CONCEPTS}", "ja"))
    for n in range(2):
        a = fact("PharmacovigilanceActivity", n)
        g.iri(a, f"{YK}product", product)
        g.iri(a, f"{YK}activityScope", f"{YK}AdditionalActivity")
        g.add(a, RDFS_LABEL, _lit(f"post-marketing study {i}-{n}"))
        g.iri(a, f"{YK}addresses", concerns[n])
    g.iri(study, RDF_TYPE, f"{YK}ClinicalStudy")
    g.add(study, f"{YK}studyIdentifier", _lit(f"SYN-{i}"))
    g.iri(study, f"{YK}studiesProduct", product)
    g.add(study, f"{YK}phase", _lit("Phase 3"))
    for n in range(2):
        r = fact("AdverseEventIncidence", n)
        g.iri(r, f"{YK}study", study)
        g.iri(r, f"{YK}concept", concept_iri((i * 7 + n) % N_CONCEPTS))
        g.add(r, f"{YK}gradeScope", _lit("all" if n == 0 else ">=3"))
        g.add(r, f"{YK}patientCount", _lit(5 + i % 40))
        g.add(r, f"{YK}denominator", _lit(100))
    e = fact("EfficacyResult", 0)
    g.iri(e, f"{YK}study", study)
    g.add(e, f"{YK}endpoint", _lit("ORR"))
    g.add(e, f"{YK}value", _lit(float(20 + i % 60)))
    ac = fact("ApprovalCondition", 0)
    g.iri(ac, f"{YK}product", product)
    g.add(ac, f"{YK}text", _lit("Carry out a risk management plan.", "en"))
    d = fact("DoseModificationRule", 0)
    g.iri(d, f"{YK}product", product)
    g.iri(d, f"{YK}parameter", concept_iri((i * 3) % N_CONCEPTS))
    g.add(d, f"{YK}action", _lit("withhold"))
    g.add(d, f"{YK}text", _lit("Withhold until recovery.", "en"))
    m = fact("ManagementRule", 0)
    g.iri(m, f"{YK}product", product)
    g.iri(m, f"{YK}forConcept", concept_iri((i * 7) % N_CONCEPTS))
    g.add(m, f"{YK}text", _lit("Treat as per the guideline.", "en"))
    return f"{ID}graph/synthetic-{i}", g.bytes()


def revision_graph(i: int) -> tuple[str, bytes]:
    """A later document about product ``i``: the indication reworded, another dose (about 20
    triples)."""
    g = _Graph()
    doc, product = f"{ID}doc/synthetic-{i}-revised", f"{ID}product/synthetic-{i}"
    g.iri(doc, RDF_TYPE, f"{YK}SourceDocument")
    g.iri(doc, RDF_TYPE, f"{YK}PackageInsert")
    g.add(doc, f"{DCT}issued", _lit("2026-01-15", dtype=f"{XSD}date"))
    g.iri(doc, f"{YK}aboutProduct", product)
    for kind, n in (("Indication", 0), ("DosageRegimen", 0)):
        f = f"{ID}fact/synthetic-{i}-revised-{kind}-{n}"
        g.iri(f, RDF_TYPE, f"{YK}{kind}")
        g.iri(f, PROV, doc)
        g.iri(f, f"{YK}product", product)
        g.add(f, f"{YK}evidenceText", _lit(f"synthetic revised evidence {i}-{kind}"))
    ind, reg = (f"{ID}fact/synthetic-{i}-revised-{k}-0" for k in ("Indication", "DosageRegimen"))
    g.add(ind, f"{YK}text", _lit(f"synthetic disease {i % 50}, after one prior therapy", "en"))
    g.iri(ind, f"{YK}disease", concept_iri(i % N_CONCEPTS))
    g.add(reg, f"{YK}text", _lit(f"{5 + i % 90} mg once daily", "en"))
    g.add(reg, f"{YK}doseValue", _lit(float(5 + i % 90)))
    g.add(reg, f"{YK}doseUnit", _lit("mg"))
    g.add(reg, f"{YK}route", _lit("oral"))
    return f"{ID}graph/synthetic-{i}-revised", g.bytes()


def build_store(path: Path, products: int) -> None:
    from extract.store import Store

    with Store(path) as st:
        st.add_graph(f"{ID}graph/synthetic-concepts", concepts_graph())
        for i in range(products):
            graph, body = product_graph(i)
            st.add_graph(graph, body)
            if i % 10 == 2:
                graph, body = revision_graph(i)
                st.add_graph(graph, body)


PARAMS = {
    "risk-by-concept": {"concept": "合成症状42"}, "ae-incidence": {"concept": "synthetic condition 42"},
    "dose-modification": {"parameter": "SC42"}, "management-rules": {"concept": "合成症状14"},
    "product-profile": {"product": "Synthomab 42"}, "product-activities": {"product": "シンソマブ42"},
    "product-conditions": {"product": "Synthomab 42"}, "product-disagreements": {"product": "Synthomab 42"},
    "product-studies": {"product": "Synthomab 42"}, "study-efficacy": {"study": "SYN-42"},
    "fact-provenance": {"fact": f"{ID}fact/synthetic-42-SafetyConcern-0"},
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_named(path: Path, repeats: int, limit: float) -> list[tuple[str, str, str, str]]:
    """Each named query ``repeats`` times through the endpoint's worker pool, so one that runs
    past ``limit`` seconds is stopped (and reported) instead of stalling the benchmark."""
    import json

    from extract.queries import load_queries
    from extract.serve import QueryPool

    pool = QueryPool(path, 1)
    out = []
    try:
        for name in load_queries():
            times, rows, note = [], "", ""
            for attempt in range(repeats + 1):  # the first run warms the worker's caches: not counted
                job = {"kind": "named", "name": name, "values": PARAMS.get(name, {}),
                       "accept": "application/sparql-results+json", "max_rows": 10_000}
                t0 = time.perf_counter()
                reply = pool.run(job, limit)
                if reply.status != 200:
                    note = "timeout" if dict(reply.headers).get("X-Yakuji-Timeout") else f"HTTP {reply.status}"
                    break
                if attempt:
                    times.append((time.perf_counter() - t0) * 1000)
                rows = str(len(json.loads(reply.body)["results"]["bindings"]))
            if note:
                out.append((name, note, f"> {limit * 1000:.0f}", rows))
            else:
                out.append((name, f"{statistics.median(times):.1f}", f"{percentile(times, 95):.1f}", rows))
    finally:
        pool.close()
    return out


def load_test(url: str, names: list[str], clients: int, seconds: float) -> tuple[int, int, float, float]:
    """``clients`` threads run the given named queries round-robin against the endpoint."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        n = k
        while time.monotonic() < stop:
            name = names[n % len(names)]
            n += 1
            target = f"{url}/queries/{name}?{urllib.parse.urlencode(PARAMS[name])}"
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(target, timeout=30) as r:
                    r.read()
                ok = True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                ok = False
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), errors[0], len(latencies) / seconds, percentile(latencies, 99) if latencies else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--products", type=int, default=10_000)
    ap.add_argument("--store", type=Path, default=Path("/tmp/yakuji-bench-store"))
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--query-limit", type=float, default=10.0, help="seconds before a named query is stopped")
    args = ap.parse_args()
    if not (args.store / "db").is_dir():
        t0 = time.perf_counter()
        build_store(args.store, args.products)
        print(f"built {args.products} products in {time.perf_counter() - t0:.1f} s", flush=True)
    from extract.store import Store

    with Store(args.store, read_only=True) as st:
        print(f"store: {st.stats().triples} triples")
    print(f"{'named query':24} {'median ms':>10} {'p95 ms':>10} {'rows':>6}")
    fast = []
    for name, med, p95, rows in bench_named(args.store, args.repeats, args.query_limit):
        print(f"{name:24} {med:>10} {p95:>10} {rows:>6}")
        if not p95.startswith(">"):
            fast.append(name)
    from extract.serve import ServeConfig, Server

    server = Server(ServeConfig(args.store, timeout=30, workers=args.workers), "127.0.0.1", 0).start()
    try:
        load_test(server.url, fast, args.clients, 3.0)  # warm the workers' caches; not counted
        done, errors, rps, p99 = load_test(server.url, fast, args.clients, args.seconds)
    finally:
        server.close()
    print(f"load mix: {', '.join(fast)} (the named queries that finished within --query-limit)")
    print(f"load: {args.clients} clients x {args.seconds:g} s, {args.workers} workers: {done} requests, "
          f"{rps:.1f} req/s, p99 {p99:.1f} ms, {errors} errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
