"""``yakuji serve``: a read-only SPARQL 1.1 Protocol endpoint, the named queries and a web page.

Why a process pool: Oxigraph cannot cancel a running query from another thread, so a thread
that "stops waiting" would leave a runaway query burning a core forever. Every query instead
runs in a worker *process* (each opens the store read-only); when the time limit passes the
server kills that process, answers 503 with ``X-Yakuji-Timeout``, and starts a fresh worker.

Read-only by construction and by check: requests to ``/update``, an ``update=`` field, or query
text whose first keyword is an update operation get 403 (the query parser would reject them
anyway). ``SERVICE`` would make the server fetch other hosts on a user's behalf, so it is refused
(403) unless its IRI's host is listed with ``--allow-service``.

Results are serialized here (not by Oxigraph) so the row limit can cut them: a response cut at
``max_rows`` carries ``X-Yakuji-Truncated: true`` and, in JSON, ``"yakuji": {"truncated": true}``.

The dataset of a query: the protocol's ``default-graph-uri`` / ``named-graph-uri`` when the
request gives any (they override ``FROM`` in the query, as the protocol says; a graph the store
does not hold is simply empty), else the query's own ``FROM`` / ``FROM NAMED``, else the union of
all graphs as default graph (the contract's default).

New documents without a restart: a worker's read-only view is a snapshot, so before each job it
compares the store's generation token (``extract.store.read_generation``, one small file read)
with the one it opened at and reopens the database when a writer has committed since.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import queue
import re
import threading
import xml.sax.saxutils as saxutils
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

WEB_DIR = Path(__file__).resolve().parent / "web"
MAX_BODY = 1 << 20

SOLUTION_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
SOLUTION_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                  "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8"}
GRAPH_TYPES = {"text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES",
               "application/ld+json": "JSON_LD"}
GRAPH_MEDIA = {"TURTLE": "text/turtle; charset=utf-8", "N_TRIPLES": "application/n-triples",
               "JSON_LD": "application/ld+json"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


@dataclass(frozen=True, slots=True)
class ServeConfig:
    store: Path
    timeout: float = 20.0
    max_rows: int = 10_000
    workers: int = 4
    allow_service: frozenset[str] = field(default_factory=frozenset)
    pdf_dirs: tuple[Path, ...] = ()  # where to look for a source PDF that moved since its ingest


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class Refused(Exception):
    """A request the endpoint will not run (an update, SERVICE to an unlisted host)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------------------- query text checks

_STRING = r'"""[\s\S]*?"""' + "|" + r"'''[\s\S]*?'''" + "|" + r'"(?:[^"\\\n]|\\.)*"' + "|" + r"'(?:[^'\\\n]|\\.)*'"
_TOKEN = re.compile(
    r"(?P<comment>#[^\n]*)"
    rf"|(?P<string>{_STRING})"
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<var>[?$]\w+)"
    r"|(?P<word>[A-Za-z_][\w\-]*(?::[^\s{}()<>,;\"']*)?|:[^\s{}()<>,;\"']*)"
    r"|(?P<other>\S)")


def tokens(sparql: str) -> list[tuple[str, str]]:
    """(kind, text) tokens with comments dropped: strings and IRIs stay single tokens, so a
    keyword inside a literal or an IRI is never mistaken for one."""
    return [(m.lastgroup or "", m.group()) for m in _TOKEN.finditer(sparql) if m.lastgroup != "comment"]


def _prefix_map(toks: list[tuple[str, str]]) -> dict[str, str]:
    from extract.rdf.namespaces import PREFIXES

    found = dict(PREFIXES)
    for i, (kind, text) in enumerate(toks[:-2]):
        if kind == "word" and text.upper() == "PREFIX" and toks[i + 2][0] == "iri":
            found[toks[i + 1][1].rstrip(":")] = toks[i + 2][1][1:-1]
    return found


def check_read_only(sparql: str, allow_service: frozenset[str]) -> None:
    """Raise Refused for an update operation or a SERVICE call to a host not allowed."""
    toks = tokens(sparql)
    words = [(i, t.upper()) for i, (k, t) in enumerate(toks) if k == "word"]
    i = 0
    while i < len(toks) and toks[i][0] == "word" and toks[i][1].upper() in ("PREFIX", "BASE"):
        i += 3 if toks[i][1].upper() == "PREFIX" else 2
    if i < len(toks) and toks[i][0] == "word" and toks[i][1].upper() in UPDATE_KEYWORDS:
        raise Refused(403, "this endpoint is read-only: SPARQL Update is not accepted")
    prefixes = _prefix_map(toks)
    for pos, word in words:
        if word != "SERVICE":
            continue
        j = pos + 1
        if j < len(toks) and toks[j][1].upper() == "SILENT":
            j += 1
        host = _service_host(toks[j] if j < len(toks) else ("", ""), prefixes)
        if host is None or host not in allow_service:
            raise Refused(403, f"SERVICE to {host or 'an unresolved endpoint'} is not allowed "
                               "(start the server with --allow-service HOST to permit it)")


def _service_host(tok: tuple[str, str], prefixes: dict[str, str]) -> str | None:
    kind, text = tok
    if kind == "iri":
        iri = text[1:-1]
    elif kind == "word" and ":" in text:
        prefix, _, local = text.partition(":")
        if prefix not in prefixes:
            return None
        iri = prefixes[prefix] + local
    else:
        return None
    host = urlsplit(iri).hostname
    return host.lower() if host else None


# ---------------------------------------------------------------------------- serializers

def negotiate(accept: str, table: dict[str, Any], default: Any) -> Any:
    """The supported type the client prefers most (q-values honoured); the default for */*."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, n, media.lower()))
    for negq, _, media in sorted(ranked):
        if negq < 0 and media in table:
            return table[media]
    return default


def _term_json(term: Any) -> dict[str, Any]:
    kind = type(term).__name__
    if kind == "NamedNode":
        return {"type": "uri", "value": term.value}
    if kind == "BlankNode":
        return {"type": "bnode", "value": term.value}
    if kind == "Triple":
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _term_xml(term: Any) -> str:
    kind = type(term).__name__
    esc = saxutils.escape
    if kind == "NamedNode":
        return f"<uri>{esc(term.value)}</uri>"
    if kind == "BlankNode":
        return f"<bnode>{esc(term.value)}</bnode>"
    if kind == "Literal":
        if term.language:
            return f'<literal xml:lang="{esc(term.language)}">{esc(term.value)}</literal>'
        return f'<literal datatype="{esc(term.datatype.value)}">{esc(term.value)}</literal>'
    return f"<literal>{esc(str(term))}</literal>"


def serialize_solutions(variables: list[str], rows: list[dict[str, Any]], fmt: str,
                        meta: dict[str, Any]) -> bytes:
    if fmt == "json":
        doc = {"head": {"vars": variables},
               "results": {"bindings": [{k: _term_json(v) for k, v in r.items()} for r in rows]},
               "yakuji": meta}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        head = "".join(f'<variable name="{v}"/>' for v in variables)
        body = "".join("<result>" + "".join(f'<binding name="{k}">{_term_xml(v)}</binding>'
                                            for k, v in r.items()) + "</result>" for r in rows)
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head>{head}</head><results>{body}</results></sparql>").encode("utf-8")
    buf = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        for r in rows:
            writer.writerow([_csv_value(r.get(v)) for v in variables])
    else:
        buf.write("\t".join(f"?{v}" for v in variables) + "\n")
        for r in rows:
            buf.write("\t".join(str(r[v]) if v in r else "" for v in variables) + "\n")
    return buf.getvalue().encode("utf-8")


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if type(term).__name__ == "BlankNode":
        return f"_:{term.value}"
    return term.value if hasattr(term, "value") else str(term)


def serialize_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>").encode()
    return ("_askResult\r\n" if fmt == "csv" else "?_askResult\n").encode() + (b"true\n" if value else b"false\n")


# ---------------------------------------------------------------------------- worker process

def parse_dataset(params: dict[str, list[str]]) -> dict[str, list[str]] | None:
    """The protocol dataset a request names (``default-graph-uri``, ``named-graph-uri``, each
    repeatable), or None when it names none. An invalid IRI raises Refused (400)."""
    import pyoxigraph

    default = params.get("default-graph-uri", [])
    named = params.get("named-graph-uri", [])
    if not default and not named:
        return None
    for iri in default + named:
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError:
            raise Refused(400, f"not an absolute IRI for a graph: {iri!r}") from None
    return {"default": default, "named": named}


def has_from_clause(sparql: str) -> bool:
    """True when the query names its own dataset (``FROM`` / ``FROM NAMED``, not in a string,
    IRI or comment): then the union default graph must not override it."""
    return any(kind == "word" and text.upper() == "FROM" for kind, text in tokens(sparql))


def dataset_arguments(sparql: str, dataset: dict[str, list[str]] | None) -> dict[str, Any]:
    """Keyword arguments of ``pyoxigraph.Store.query`` for the dataset (module docstring). A
    protocol dataset with only default graphs has no named graphs, and the other way round."""
    import pyoxigraph

    if dataset:
        return {"default_graph": [pyoxigraph.NamedNode(g) for g in dataset["default"]],
                "named_graphs": [pyoxigraph.NamedNode(g) for g in dataset["named"]]}
    if has_from_clause(sparql):
        return {}
    return {"use_default_graph_as_union": True}


def run_in_store(store: Any, job: dict[str, Any], index: Any = None) -> Reply:
    """Run one job (free SPARQL, a named query, or a web page) against an open ReadOnlyView;
    called in a worker. ``index``: the worker's ``StoreIndex`` (index workers only)."""
    import pyoxigraph

    from extract.queries import load_queries, run_named

    if job["kind"] == "page":
        import time

        from extract.web.pages import render

        started, cpu = time.perf_counter(), time.process_time()
        try:
            page = render(store, job, index)
        except OSError as exc:
            return _error(500, f"store error: {exc}")
        except Exception as exc:  # noqa: BLE001 - a page's bug answers 500; the worker keeps serving
            import traceback

            traceback.print_exc()
            return _error(500, f"the page {job['path']} failed: {type(exc).__name__}: {exc}")
        took = (time.perf_counter() - started) * 1000  # the page's own time, for scripts/bench_web.py
        used = (time.process_time() - cpu) * 1000  # and its CPU time (others' load does not inflate it)
        return Reply(page.status, page.content_type, page.body,
                     page.headers + (("Server-Timing", f"page;dur={took:.1f}, cpu;dur={used:.1f}"),))
    max_rows = int(job["max_rows"])
    if job["kind"] == "named":
        named = load_queries().get(job["name"])
        if named is None:
            return _error(404, f"no named query {job['name']!r}; see /queries")
        try:
            variables, rows = run_named(store, named, job["values"], limit=max_rows + 1)
        except ValueError as exc:
            return _error(400, str(exc))
        except OSError as exc:
            return _error(500, f"store error: {exc}")
        truncated = len(rows) > max_rows
        rows = rows[:max_rows]
        fmt = negotiate(job.get("accept", ""), SOLUTION_TYPES, "json")
        meta = {"truncated": truncated, "maxRows": max_rows, "rows": len(rows)}
        return Reply(200, SOLUTION_MEDIA[fmt], serialize_solutions(variables, rows, fmt, meta),
                     _limit_headers(truncated, max_rows))
    text = job["query"]
    try:
        result = store.query(text, dataset=dataset_arguments(text, job.get("dataset")))
    except SyntaxError as exc:
        return _error(400, f"SPARQL syntax error: {exc}")
    except OSError as exc:
        return _error(500, f"store error: {exc}")
    accept = job.get("accept", "")
    if isinstance(result, pyoxigraph.QueryBoolean):
        fmt = negotiate(accept, SOLUTION_TYPES, "json")
        return Reply(200, SOLUTION_MEDIA[fmt], serialize_boolean(bool(result), fmt))
    if isinstance(result, pyoxigraph.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = []
        truncated = False
        for sol in result:
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append({n: sol[n] for n in variables if sol[n] is not None})
        fmt = negotiate(accept, SOLUTION_TYPES, "json")
        meta = {"truncated": truncated, "maxRows": max_rows, "rows": len(rows)}
        return Reply(200, SOLUTION_MEDIA[fmt], serialize_solutions(variables, rows, fmt, meta),
                     _limit_headers(truncated, max_rows))
    triples = []
    truncated = False
    for triple in result:
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(triple)
    rdf_format = negotiate(accept, GRAPH_TYPES, "TURTLE")
    body = pyoxigraph.serialize(triples, format=getattr(pyoxigraph.RdfFormat, rdf_format)) or b""
    return Reply(200, GRAPH_MEDIA[rdf_format], body, _limit_headers(truncated, max_rows))


def _limit_headers(truncated: bool, max_rows: int) -> tuple[tuple[str, str], ...]:
    return (("X-Yakuji-Truncated", "true" if truncated else "false"), ("X-Yakuji-Max-Rows", str(max_rows)))


def _error(status: int, message: str, *extra: tuple[str, str]) -> Reply:
    return Reply(status, "application/json", json.dumps({"error": message}, ensure_ascii=False).encode(), extra)


class ReadOnlyView:
    """The store as workers see it: RocksDB opened read-only (never the primary), so a running
    server does not stop ``yakuji ingest`` from taking the database; queries run like
    ``Store.query`` (union default graph, contract prefixes) unless given another dataset.
    ``refresh()`` reopens it when a writer has committed since it was opened. A URL instead of
    a folder (``yakuji serve --upstream``) makes it a remote endpoint (``extract.remote``)."""

    def __init__(self, store_path: str | Path) -> None:
        from extract.remote import Endpoint, is_endpoint

        self._remote = Endpoint(str(store_path)) if is_endpoint(str(store_path)) else None
        self._generation = ""
        if self._remote is not None:
            return
        self._path = Path(store_path)
        if not (self._path / "db").is_dir():
            raise FileNotFoundError(f"no store at {store_path}: run `yakuji ingest` first")
        self._ox: Any = None
        self.refresh()

    def refresh(self) -> bool:
        """Reopen if the store's generation token changed; True when it did. The token is read
        before opening, so a commit during the open is caught by the next call. If the reopen
        fails (a writer is mid-flush), the old view serves and the next call tries again."""
        import pyoxigraph

        from extract.store import read_generation

        if self._remote is not None:  # every query reaches the upstream's current data
            return False
        generation = read_generation(self._path)
        if self._ox is not None and generation == self._generation:
            return False
        try:
            fresh = pyoxigraph.Store.read_only(str(self._path / "db"))
        except OSError:
            if self._ox is None:
                raise
            return False
        self._ox, self._generation = fresh, generation
        return True

    def query(self, sparql: str, *, substitutions: dict[Any, Any] | None = None,
              dataset: dict[str, Any] | None = None) -> Any:
        """``dataset``: keyword arguments from ``dataset_arguments``; the union default graph
        when None."""
        from extract.rdf.namespaces import PREFIXES

        if self._remote is not None:
            return self._remote.query(sparql, substitutions=substitutions, dataset=dataset)
        graphs = {"use_default_graph_as_union": True} if dataset is None else dataset
        return self._ox.query(sparql, prefixes=PREFIXES, substitutions=substitutions or None, **graphs)

    def select(self, sparql: str) -> list[dict[str, Any]]:
        """SELECT results as {variable: term} dicts (unbound omitted), as ``Store.select``."""
        result = self.query(sparql)
        names = [v.value for v in result.variables]
        return [{n: sol[n] for n in names if sol[n] is not None} for sol in result]

    @property
    def generation(self) -> str:
        """The store's commit token this view was opened at (``refresh`` moves it on)."""
        return self._generation


def _keep_index(store_path: str, index: Any) -> None:
    """An index worker's second thread: reads what is new in the store into the index, once a
    second, on a read-only view of its own (so it never races the job thread's view)."""
    import time

    view = ReadOnlyView(store_path)
    while True:
        try:
            view.refresh()
            index.refresh(view)
        except Exception:  # noqa: BLE001 - a failed read is retried; the last index keeps serving
            pass
        time.sleep(1.0)


def _worker_main(conn: Any, store_path: str, role: str = "query") -> None:
    store = ReadOnlyView(store_path)
    index = None
    if role == "index":
        from extract.web.index import StoreIndex

        index = StoreIndex()
        threading.Thread(target=_keep_index, args=(store_path, index), daemon=True).start()
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            store.refresh()
        except OSError as exc:
            reply = _error(500, f"store error: {exc}")
        else:
            reply = run_in_store(store, job, index)
        conn.send((reply.status, reply.content_type, reply.body, reply.headers))


class _Worker:
    def __init__(self, ctx: Any, store_path: str, role: str = "query") -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, store_path, role), daemon=True)
        self.proc.start()
        child.close()
        try:
            ready = self.conn.poll(60) and self.conn.recv() == "ready"
        except EOFError:
            ready = False
        if not ready:
            self.kill()
            raise RuntimeError(f"query worker for {store_path} did not start (see its error output)")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class QueryPool:
    """Worker processes over one store; ``run`` gives each job at most ``timeout`` seconds
    (waiting for a free worker included) and kills the worker of a job that overruns.
    ``role="index"``: workers that also keep the store index the search box and the lists of
    the web page read (``extract.web.index``)."""

    def __init__(self, store_path: Path, size: int, role: str = "query") -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._store = str(store_path)
        self._role = role
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(max(1, size)):
            self._idle.put(_Worker(self._ctx, self._store, role))
        self._size = max(1, size)
        self._closed = False

    def run(self, job: dict[str, Any], timeout: float) -> Reply:
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return _error(503, f"all query workers are busy (waited {timeout:g} s)",
                          ("X-Yakuji-Timeout", f"{timeout:g}"))
        try:
            worker.conn.send(job)
            if worker.conn.poll(timeout):
                status, ctype, body, headers = worker.conn.recv()
                self._idle.put(worker)
                return Reply(status, ctype, body, tuple(headers))
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            return _error(500, "the query worker stopped unexpectedly")
        self._replace(worker)
        return _error(503, f"query stopped at the time limit of {timeout:g} s",
                      ("X-Yakuji-Timeout", f"{timeout:g}"))

    def _replace(self, worker: _Worker) -> None:
        """Kill the worker and start its successor on a thread, so the reply is not delayed."""
        worker.kill()
        threading.Thread(target=self._spawn, daemon=True).start()

    def _spawn(self) -> None:
        if not self._closed:
            self._idle.put(_Worker(self._ctx, self._store, self._role))

    def close(self) -> None:
        self._closed = True
        for _ in range(self._size):
            try:
                worker = self._idle.get(timeout=1)
            except queue.Empty:
                continue
            worker.kill()


# ---------------------------------------------------------------------------- HTTP

def service_description(endpoint: str) -> bytes:
    formats = ", ".join(f"<http://www.w3.org/ns/formats/{n}>" for n in
                       ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                        "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD"))
    return (f"@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
            f"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            f"[] a sd:Service ;\n  sd:endpoint <{endpoint}> ;\n"
            f"  sd:supportedLanguage sd:SPARQL11Query ;\n"
            f"  sd:feature sd:UnionDefaultGraph ;\n  sd:resultFormat {formats} ;\n"
            f'  rdfs:comment "The default graph is the union of all document graphs. The protocol\'s '
            f'default-graph-uri and named-graph-uri parameters (and FROM / FROM NAMED in a query) '
            f'restrict a query to the graphs they name; a graph not in the store is empty."@en .\n').encode()


def queries_listing() -> bytes:
    from extract.queries import load_queries

    items = [{"name": q.name, "title": q.title_en, "title_ja": q.title_ja, "description": q.description,
              "columns": list(q.columns),
              "params": [{"name": p.name, "type": p.type, "required": p.required,
                          "description": p.description} for p in q.params]}
             for q in load_queries().values()]
    return json.dumps(items, ensure_ascii=False).encode("utf-8")


_LANG = re.compile(r"(?:^|;\s*)lang=(en|ja)(?:;|$)")


def choose_lang(params: dict[str, list[str]], cookie: str, accept_language: str) -> str:
    """The page language: ``?lang=`` first, then the ``lang`` cookie the switch sets, then the
    browser's first choice between Japanese and English."""
    asked = (params.get("lang") or [""])[0]
    if asked in ("en", "ja"):
        return asked
    found = _LANG.search(cookie)
    if found:
        return found.group(1)
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()
        if code.startswith("ja"):
            return "ja"
        if code.startswith("en"):
            return "en"
    return "en"


STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}


def make_handler(config: ServeConfig, pool: QueryPool,
                 index_pool: QueryPool | None = None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "yakuji-kg"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

        def do_GET(self) -> None:
            self._dispatch(parse_qs(urlsplit(self.path).query, keep_blank_values=True), None)

        def do_POST(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY:
                self.close_connection = True
                self._send(_error(413, f"request body must be 0 to {MAX_BODY} bytes with a Content-Length"))
                return
            body = self.rfile.read(length).decode("utf-8", "replace")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            if ctype == "application/x-www-form-urlencoded":
                params.update(parse_qs(body, keep_blank_values=True))
                self._dispatch(params, None)
            elif ctype == "application/sparql-update":
                self._send(_error(403, "this endpoint is read-only: SPARQL Update is not accepted"))
            elif ctype == "application/sparql-query":
                self._dispatch(params, body)
            else:
                self._send(_error(415, f"unsupported Content-Type {ctype!r}"))

        def do_PUT(self) -> None:
            self.close_connection = True  # the body is not read
            self._send(_error(403, "this endpoint is read-only"))

        do_DELETE = do_PATCH = do_PUT

        def _dispatch(self, params: dict[str, list[str]], direct: str | None) -> None:
            path = urlsplit(self.path).path.rstrip("/") or "/"
            accept = self.headers.get("Accept") or ""
            if path == "/update" or "update" in params:
                self._send(_error(403, "this endpoint is read-only: SPARQL Update is not accepted"))
            elif path in ("/", "/sparql") and (direct is not None or "query" in params):
                self._sparql(direct if direct is not None else params["query"][0], accept, params)
            elif path == "/service-description" or (path in ("/", "/sparql") and "text/turtle" in accept
                                                     and "text/html" not in accept):
                host = self.headers.get("Host") or ""
                host = host if re.fullmatch(r"[\w.\-:\[\]]+", host) else "127.0.0.1"
                self._send(Reply(200, "text/turtle; charset=utf-8", service_description(f"http://{host}/sparql")))
            elif path == "/prefixes":
                from extract.rdf.namespaces import PREFIXES

                self._send(Reply(200, "application/json", json.dumps(PREFIXES).encode()))
            elif path == "/queries":
                self._send(Reply(200, "application/json; charset=utf-8", queries_listing()))
            elif path.startswith("/queries/"):
                values = {k: v[0] for k, v in params.items()}
                job = {"kind": "named", "name": path.split("/", 2)[2], "values": values,
                       "accept": accept, "max_rows": config.max_rows}
                self._send(pool.run(job, config.timeout))
            elif path in ("/", "/index.html"):
                self._static("index.html")
            elif self._page(path, params):
                pass
            elif path.startswith("/static/"):
                self._static(path.split("/", 2)[2])
            else:
                self._send(_error(404, f"nothing at {path}"))

        def _sparql(self, text: str, accept: str, params: dict[str, list[str]]) -> None:
            try:
                check_read_only(text, config.allow_service)
                dataset = parse_dataset(params)
            except Refused as exc:
                self._send(_error(exc.status, str(exc)))
                return
            job = {"kind": "sparql", "query": text, "accept": accept, "max_rows": config.max_rows,
                   "dataset": dataset}
            self._send(pool.run(job, config.timeout))

        def _page(self, path: str, params: dict[str, list[str]]) -> bool:
            """A web page (``extract.web.pages``) answered by a worker; False for other paths."""
            from extract.web.pages import route

            which = route(path)
            if which is None:
                return False
            lang = choose_lang(params, self.headers.get("Cookie") or "", self.headers.get("Accept-Language") or "")
            job = {"kind": "page", "path": path, "params": {k: v[0] for k, v in params.items()}, "lang": lang,
                   "pdf_dirs": [str(d) for d in config.pdf_dirs]}
            target = index_pool if which == "index" and index_pool is not None else pool
            reply = target.run(job, config.timeout)
            if "lang" in params:  # the language switch: remembered for the next pages
                reply = Reply(reply.status, reply.content_type, reply.body,
                              reply.headers + (("Set-Cookie", f"lang={lang}; Path=/; SameSite=Lax"),))
            self._send(reply)
            return True

        def _static(self, name: str) -> None:
            files = {p.name: p for p in WEB_DIR.glob("*") if p.is_file() and p.suffix in STATIC_TYPES}
            if name not in files:
                self._send(_error(404, f"no file {name}"))
                return
            self._send(Reply(200, STATIC_TYPES[files[name].suffix], files[name].read_bytes()))

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            for key, value in reply.headers:
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up waiting

    return Handler


class _HTTPServer(ThreadingHTTPServer):
    # The stdlib default backlog of 5 drops connections under a burst of clients, which then
    # retry after a full second: a p99 of 1 s that says nothing about the queries.
    request_queue_size = 128


class Server:
    """The endpoint: ``Server(config, host, port).serve_forever()``; ``start()`` runs it on a
    background thread (tests, benchmarks) and ``close()`` stops it and its workers."""

    def __init__(self, config: ServeConfig, host: str = "127.0.0.1", port: int = 7878) -> None:
        self.pool = QueryPool(config.store, config.workers)
        self.index_pool = QueryPool(config.store, 1, role="index")
        self.httpd = _HTTPServer((host, port), make_handler(config, self.pool, self.index_pool))
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def start(self) -> "Server":
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.pool.close()
        self.index_pool.close()


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "::1", "localhost") or host.startswith("127.")
