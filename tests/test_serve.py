"""The SPARQL endpoint over HTTP: protocol forms, formats, read-only refusals, limits.

The store is a small fictional one built here (a product with an English and a Japanese label,
a concept, a safety concern); one test runs a named query on the seed store when present.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator

import pytest

from extract.serve import ServeConfig, Server, check_read_only, Refused, negotiate, SOLUTION_TYPES

YK = "https://w3id.org/yakuji/ontology#"
ID = "https://w3id.org/yakuji/id/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"

FICTION = f"""
<{ID}product/tesmira> a <{YK}MedicinalProduct> ; <{LABEL}> "Tesmira"@en, "テスミラ"@ja .
<{ID}concept/fictional-rash> a <{YK}MedicalConcept> ; <{SKOS}prefLabel> "fictional rash"@en, "架空発疹"@ja .
<{ID}fact/c1> a <{YK}SafetyConcern> ; <{YK}product> <{ID}product/tesmira> ;
    <{YK}concernCategory> <{YK}ImportantIdentifiedRisk> ; <{YK}concept> <{ID}concept/fictional-rash> ;
    <{LABEL}> "架空発疹"@ja ; <http://www.w3.org/ns/prov#wasDerivedFrom> <{ID}doc/fiction> .
"""


def _filler(n: int) -> str:
    return "".join(f'<{ID}filler/{i}> <{YK}text> "filler {i}" .\n' for i in range(n))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import pyoxigraph

    from extract.store import Store

    path = tmp_path_factory.mktemp("serve") / "store"
    data = pyoxigraph.serialize(pyoxigraph.parse(FICTION + _filler(400), format=pyoxigraph.RdfFormat.TURTLE),
                                format=pyoxigraph.RdfFormat.N_TRIPLES)
    with Store(path) as st:
        st.add_graph(f"{ID}graph/fiction", data)
    srv = Server(ServeConfig(path, timeout=2.0, max_rows=50, workers=2), "127.0.0.1", 0).start()
    yield srv
    srv.close()


def request(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
            method: str | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


LABELS_QUERY = f"SELECT ?l WHERE {{ <{ID}product/tesmira> rdfs:label ?l }} ORDER BY ?l"


def _values(fmt: str, body: bytes) -> list[str]:
    text = body.decode("utf-8")
    if fmt == "json":
        return [b["l"]["value"] for b in json.loads(text)["results"]["bindings"]]
    if fmt == "xml":
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        return [e.text or "" for e in ET.fromstring(text).findall(".//s:literal", ns)]
    if fmt == "csv":
        return [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    return text.splitlines()[1:]


@pytest.mark.parametrize(("accept", "fmt", "ctype", "expected"), [
    ("application/sparql-results+json", "json", "application/sparql-results+json", ["Tesmira", "テスミラ"]),
    ("application/sparql-results+xml", "xml", "application/sparql-results+xml", ["Tesmira", "テスミラ"]),
    ("text/csv", "csv", "text/csv", ["Tesmira", "テスミラ"]),
    ("text/tab-separated-values", "tsv", "text/tab-separated-values", ['"Tesmira"@en', '"テスミラ"@ja']),
])
@pytest.mark.parametrize("form", ["get", "post-form", "post-direct"])
def test_select_formats_and_protocol_forms(server: Server, accept: str, fmt: str, ctype: str,
                                           expected: list[str], form: str) -> None:
    encoded = urllib.parse.urlencode({"query": LABELS_QUERY})
    if form == "get":
        status, headers, body = request(f"{server.url}/sparql?{encoded}", headers={"Accept": accept})
    elif form == "post-form":
        status, headers, body = request(f"{server.url}/sparql", data=encoded.encode(), headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, headers, body = request(f"{server.url}/sparql", data=LABELS_QUERY.encode(), headers={
            "Accept": accept, "Content-Type": "application/sparql-query"})
    assert status == 200
    assert headers["Content-Type"].startswith(ctype)
    assert _values(fmt, body) == expected


@pytest.mark.parametrize(("accept", "ctype", "marker"), [
    ("text/turtle", "text/turtle", "テスミラ"),
    ("application/n-triples", "application/n-triples", f"<{ID}product/tesmira>"),
    ("application/ld+json", "application/ld+json", '"@id"'),
])
def test_construct_formats(server: Server, accept: str, ctype: str, marker: str) -> None:
    query = f"CONSTRUCT {{ <{ID}product/tesmira> ?p ?o }} WHERE {{ <{ID}product/tesmira> ?p ?o }}"
    status, headers, body = request(f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}",
                                    headers={"Accept": accept})
    assert status == 200 and headers["Content-Type"].startswith(ctype)
    assert marker in body.decode("utf-8")


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+json", b'"boolean": true'), ("text/csv", b"true"),
])
def test_ask(server: Server, accept: str, expected: bytes) -> None:
    query = f"ASK {{ <{ID}product/tesmira> a yk:MedicinalProduct }}"
    status, _, body = request(f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}",
                              headers={"Accept": accept})
    assert status == 200 and expected in body


@pytest.mark.parametrize(("path", "data", "ctype"), [
    ("/sparql", b"update=DROP+ALL", "application/x-www-form-urlencoded"),
    ("/update", b"update=DROP+ALL", "application/x-www-form-urlencoded"),
    ("/sparql", b"DROP ALL", "application/sparql-update"),
    ("/sparql", b"query=DELETE+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D", "application/x-www-form-urlencoded"),
    ("/sparql", b"query=PREFIX+a%3A+%3Chttp%3A%2F%2Fx%2F%3E+INSERT+DATA+%7B+a%3Ab+a%3Ac+a%3Ad+%7D",
     "application/x-www-form-urlencoded"),
])
def test_updates_are_refused(server: Server, path: str, data: bytes, ctype: str) -> None:
    status, _, _ = request(server.url + path, data=data, headers={"Content-Type": ctype})
    assert status == 403
    status, _, body = request(f"{server.url}/sparql?query=SELECT+(COUNT(*)+AS+%3Fn)+WHERE+%7B%3Fs+%3Fp+%3Fo%7D")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "412"


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://evil.example/sparql> { ?s ?p ?o } }",
    "PREFIX e: <http://evil.example/> SELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<http://evil.example/> AS ?x) SERVICE ?x { ?s ?p ?o } }",
])
def test_service_is_refused(server: Server, query: str) -> None:
    status, _, body = request(f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}")
    assert status == 403 and b"SERVICE" in body


@pytest.mark.parametrize(("query", "allowed", "refused"), [
    ("SELECT * WHERE { SERVICE <http://ok.example/q> { ?s ?p ?o } }", {"ok.example"}, False),
    ("SELECT * WHERE { SERVICE <http://bad.example/q> { ?s ?p ?o } }", {"ok.example"}, True),
    ('SELECT * WHERE { ?s ?p "SERVICE <http://bad.example/>" }', set(), False),
    ("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://bad.example/>", set(), False),
    ("SELECT ?service WHERE { ?service ?p ?o }", set(), False),
])
def test_service_check(query: str, allowed: set[str], refused: bool) -> None:
    if refused:
        with pytest.raises(Refused):
            check_read_only(query, frozenset(allowed))
    else:
        check_read_only(query, frozenset(allowed))


def test_row_limit_is_reported(server: Server) -> None:
    query = "SELECT ?s WHERE { ?s yk:text ?t }"
    status, headers, body = request(f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}")
    doc = json.loads(body)
    assert status == 200 and headers["X-Yakuji-Truncated"] == "true"
    assert len(doc["results"]["bindings"]) == 50
    assert doc["yakuji"] == {"truncated": True, "maxRows": 50, "rows": 50}


def test_slow_query_is_stopped_and_the_server_recovers(server: Server) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, headers, body = request(f"{server.url}/sparql?{urllib.parse.urlencode({'query': query})}")
    assert status == 503 and headers["X-Yakuji-Timeout"] == "2"
    assert "time limit" in json.loads(body)["error"]
    status, _, body = request(f"{server.url}/sparql?{urllib.parse.urlencode({'query': LABELS_QUERY})}")
    assert status == 200 and _values("json", body) == ["Tesmira", "テスミラ"]


@pytest.mark.parametrize("concept", ["架空発疹", "Fictional Rash", f"{ID}concept/fictional-rash"])
def test_named_query_with_parameter(server: Server, concept: str) -> None:
    status, _, body = request(f"{server.url}/queries/risk-by-concept?{urllib.parse.urlencode({'concept': concept})}")
    rows = json.loads(body)["results"]["bindings"]
    assert status == 200
    assert [(r["product"]["value"], r["product_ja"]["value"]) for r in rows] == [(f"{ID}product/tesmira", "テスミラ")]
    assert "param_concept" not in json.loads(body)["head"]["vars"]


@pytest.mark.parametrize("value", ['"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o', "') } UNION { ?s ?p ?o } #",
                                   "<http://x/> } ?s ?p ?o {"])
def test_malicious_parameter_is_only_a_value(server: Server, value: str) -> None:
    status, _, body = request(f"{server.url}/queries/risk-by-concept?{urllib.parse.urlencode({'concept': value})}")
    assert status == 200 and json.loads(body)["results"]["bindings"] == []
    status, _, body = request(f"{server.url}/sparql?query=ASK+%7B%3Fs+%3Fp+%3Fo%7D")
    assert b"true" in body


@pytest.mark.parametrize(("path", "status"), [
    ("/queries/risk-by-concept", 400), ("/queries/risk-by-concept?concept=x&bogus=1", 400),
    ("/queries/no-such-query", 404), ("/nothing-here", 404), ("/static/..%2Fserve.py", 404),
])
def test_bad_requests(server: Server, path: str, status: int) -> None:
    assert request(server.url + path)[0] == status


def test_queries_listing_and_service_description(server: Server) -> None:
    status, _, body = request(f"{server.url}/queries")
    listing = {q["name"]: q for q in json.loads(body)}
    assert status == 200
    assert listing["risk-by-concept"]["params"][0] == {
        "name": "concept", "type": "concept", "required": True,
        "description": "a concept label in either language, or its IRI"}
    assert listing["risk-by-concept"]["title_ja"]
    status, headers, body = request(f"{server.url}/", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert b"sd:SPARQL11Query" in body
    status, headers, body = request(f"{server.url}/", headers={"Accept": "text/html"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/csv;q=0.5, application/sparql-results+xml", "xml"), ("*/*", "json"), ("", "json"),
    ("text/html, text/tab-separated-values;q=0.9", "tsv"),
])
def test_negotiate(accept: str, expected: str) -> None:
    assert negotiate(accept, SOLUTION_TYPES, "json") == expected


def test_named_query_japanese_on_seed_store(seed_store: Path) -> None:
    srv = Server(ServeConfig(seed_store, timeout=20, workers=1), "127.0.0.1", 0).start()
    try:
        status, _, body = request(f"{srv.url}/queries/risk-by-concept?"
                                  + urllib.parse.urlencode({"concept": "サイトカイン放出症候群"}))
    finally:
        srv.close()
    rows = json.loads(body)["results"]["bindings"]
    assert status == 200 and {r["product"]["value"] for r in rows} == {f"{ID}product/lunsumio"}


@pytest.mark.parametrize(("args", "message"), [
    (["serve", "--host", "0.0.0.0"], "--allow-remote"),
    (["serve", "--host", "192.0.2.7", "--port", "1"], "--allow-remote"),
])
def test_cli_refuses_non_loopback_without_flag(tmp_path: Path, args: list[str], message: str) -> None:
    from typer.testing import CliRunner

    from extract.cli import app

    result = CliRunner().invoke(app, args + ["--store", str(tmp_path / "none")])
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                                ("localhost", True), ("0.0.0.0", False), ("10.0.0.5", False)])
def test_is_loopback(host: str, loopback: bool) -> None:
    from extract.serve import is_loopback

    assert is_loopback(host) is loopback


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_graph_store_writes_are_refused(server: Server, method: str) -> None:
    status, _, _ = request(f"{server.url}/sparql?graph={urllib.parse.quote(ID + 'graph/fiction')}",
                           data=b"<http://x/a> <http://x/b> <http://x/c> .", method=method,
                           headers={"Content-Type": "application/n-triples"})
    assert status == 403
    status, _, body = request(f"{server.url}/sparql?query=SELECT+(COUNT(*)+AS+%3Fn)+WHERE+%7B%3Fs+%3Fp+%3Fo%7D")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "412"


def test_service_description_ignores_a_forged_host(server: Server) -> None:
    status, _, body = request(f"{server.url}/service-description", headers={"Host": "x> . <y"})
    assert status == 200 and b"<http://127.0.0.1/sparql>" in body


def test_a_running_server_does_not_block_a_writer(server: Server) -> None:
    from extract.store import Store

    store_path = Path(server.pool._store)  # the module server's store
    with Store(store_path) as writer:  # would raise if a worker held the database
        assert writer.has_graph(f"{ID}graph/fiction")
    assert request(f"{server.url}/sparql?query=ASK+%7B%3Fs+%3Fp+%3Fo%7D")[2].find(b"true") > 0


# ---------------------------------------------------------------------------- protocol dataset

PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"
GRAPH_A, GRAPH_B = f"{ID}graph/doc-a", f"{ID}graph/doc-b"
DOC_A = f"""
<{ID}fact/a1> a <{YK}SafetyConcern> ; <{PROV}> <{ID}doc/a> .
<{ID}fact/a2> a <{YK}Indication> ; <{PROV}> <{ID}doc/a> .
"""
DOC_B = f"""
<{ID}fact/b1> a <{YK}SafetyConcern> ; <{PROV}> <{ID}doc/b> .
"""
FACTS_QUERY = "SELECT ?f WHERE { ?f prov:wasDerivedFrom ?d } ORDER BY ?f"
NAMED_QUERY = "SELECT ?g ?f WHERE { GRAPH ?g { ?f a yk:SafetyConcern } } ORDER BY ?g"


def _ntriples(turtle: str) -> bytes:
    import pyoxigraph

    return pyoxigraph.serialize(pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE),
                                format=pyoxigraph.RdfFormat.N_TRIPLES)


@pytest.fixture(scope="module")
def two_docs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A store with two document graphs: A (two facts) and B (one fact)."""
    from extract.store import Store

    path = tmp_path_factory.mktemp("dataset") / "store"
    with Store(path) as st:
        st.add_graph(GRAPH_A, _ntriples(DOC_A))
        st.add_graph(GRAPH_B, _ntriples(DOC_B))
    srv = Server(ServeConfig(path, timeout=10.0, workers=1), "127.0.0.1", 0).start()
    yield srv
    srv.close()


def _sparql(srv: Server, query: str, dataset: list[tuple[str, str]], form: str) -> tuple[int, list[dict[str, str]]]:
    """Run ``query`` with the protocol dataset parameters in the given protocol form; the
    bindings as {variable: last path segment of the IRI}."""
    fields = [("query", query)] + dataset
    json_accept = {"Accept": "application/sparql-results+json"}
    if form == "get":
        status, _, body = request(f"{srv.url}/sparql?{urllib.parse.urlencode(fields)}", headers=json_accept)
    elif form == "post-form":
        status, _, body = request(f"{srv.url}/sparql", data=urllib.parse.urlencode(fields).encode(), headers={
            **json_accept, "Content-Type": "application/x-www-form-urlencoded"})
    else:  # the query as the body, the dataset in the URL
        status, _, body = request(f"{srv.url}/sparql?{urllib.parse.urlencode(dataset)}", data=query.encode(),
                                  headers={**json_accept, "Content-Type": "application/sparql-query"})
    if status != 200:
        return status, []
    rows = json.loads(body)["results"]["bindings"]
    return status, [{k: v["value"].rsplit("/", 1)[1] for k, v in r.items()} for r in rows]


FORMS = ["get", "post-form", "post-direct"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("query", "dataset", "expected"), [
    (FACTS_QUERY, [], [{"f": "a1"}, {"f": "a2"}, {"f": "b1"}]),  # no dataset: the union of all graphs
    (FACTS_QUERY, [("default-graph-uri", GRAPH_A)], [{"f": "a1"}, {"f": "a2"}]),
    (FACTS_QUERY, [("default-graph-uri", GRAPH_B)], [{"f": "b1"}]),
    (FACTS_QUERY, [("default-graph-uri", GRAPH_A), ("default-graph-uri", GRAPH_B)],
     [{"f": "a1"}, {"f": "a2"}, {"f": "b1"}]),
    (FACTS_QUERY, [("default-graph-uri", f"{ID}graph/no-such-document")], []),
    (FACTS_QUERY, [("named-graph-uri", GRAPH_A)], []),  # named graphs only: the default graph is empty
    (NAMED_QUERY, [("named-graph-uri", GRAPH_B)], [{"g": "doc-b", "f": "b1"}]),
    (NAMED_QUERY, [("named-graph-uri", f"{ID}graph/no-such-document")], []),
    (NAMED_QUERY, [("default-graph-uri", GRAPH_A)], []),  # default graphs only: no named graphs
    (NAMED_QUERY, [], [{"g": "doc-a", "f": "a1"}, {"g": "doc-b", "f": "b1"}]),
    (f"SELECT ?f FROM <{GRAPH_B}> WHERE {{ ?f prov:wasDerivedFrom ?d }}", [], [{"f": "b1"}]),
    (f"SELECT ?f FROM <{GRAPH_B}> WHERE {{ ?f prov:wasDerivedFrom ?d }} ORDER BY ?f",
     [("default-graph-uri", GRAPH_A)], [{"f": "a1"}, {"f": "a2"}]),  # the protocol overrides FROM
])
def test_protocol_dataset(two_docs: Server, query: str, dataset: list[tuple[str, str]],
                          expected: list[dict[str, str]], form: str) -> None:
    assert _sparql(two_docs, query, dataset, form) == (200, expected)


@pytest.mark.parametrize("iri", ["not an iri", "", "http://x/a b"])
def test_protocol_dataset_with_a_bad_iri_is_a_bad_request(two_docs: Server, iri: str) -> None:
    assert _sparql(two_docs, FACTS_QUERY, [("default-graph-uri", iri)], "get")[0] == 400


def test_service_description_is_turtle_and_names_the_dataset_parameters(two_docs: Server) -> None:
    import pyoxigraph

    status, _, body = request(f"{two_docs.url}/service-description")
    triples = list(pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE))
    comment = [t.object.value for t in triples if t.predicate.value.endswith("#comment")]
    assert status == 200 and len(comment) == 1
    assert "default-graph-uri" in comment[0] and "named-graph-uri" in comment[0]


# ---------------------------------------------------------------------------- documents ingested later

def test_a_running_server_sees_documents_ingested_after_it_started(tmp_path: Path) -> None:
    """No restart: the workers reopen their read-only view when the store's generation changes."""
    from extract.pipeline import ingest_paths
    from extract.store import Store

    samples = Path(__file__).resolve().parents[1] / "corpus" / "samples"
    first, second = samples / "trial_record.json", samples / "package_insert_ja.txt"
    path = tmp_path / "store"
    with Store(path) as st:
        [done] = ingest_paths([first], st)
    docs_query = "SELECT ?d WHERE { ?d a yk:SourceDocument } ORDER BY ?d"
    srv = Server(ServeConfig(path, timeout=20.0, workers=2), "127.0.0.1", 0).start()
    try:
        before = [_sparql(srv, docs_query, [], "get") for _ in range(2)]  # both workers
        with Store(path) as st:  # the server keeps running
            [added] = ingest_paths([second], st)
        after = [_sparql(srv, docs_query, [], "get") for _ in range(3)]
        only_new = _sparql(srv, docs_query, [("default-graph-uri", added.doc_iri)], "get")
    finally:
        srv.close()
    name = lambda iri: iri.rsplit("/", 1)[1]  # noqa: E731
    assert done.status == "ok" and added.status == "ok"
    assert before == [(200, [{"d": name(done.doc_iri)}])] * 2
    assert after == [(200, sorted([{"d": name(done.doc_iri)}, {"d": name(added.doc_iri)}],
                                  key=lambda r: r["d"]))] * 3
    assert only_new == (200, [{"d": name(added.doc_iri)}])


@pytest.mark.parametrize(("query", "names_dataset"), [
    ("SELECT * FROM <http://x/g> WHERE { ?s ?p ?o }", True),
    ("select * from named <http://x/g> where { graph ?g { ?s ?p ?o } }", True),
    ('SELECT ?from WHERE { ?from rdfs:label "FROM <http://x/g>" } # FROM <http://x/g>', False),
    ("SELECT * WHERE { ?s <http://x/FROM> ex:FROM }", False),
])
def test_has_from_clause(query: str, names_dataset: bool) -> None:
    from extract.serve import has_from_clause

    assert has_from_clause(query) is names_dataset
