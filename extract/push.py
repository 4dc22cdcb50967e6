"""``yakuji push``: copy the store's named graphs to an external triple store.

Why the Graph Store HTTP Protocol with one PUT per graph: every store users run (Fuseki,
GraphDB, Virtuoso, Neptune, an Oxigraph server) speaks it, and a PUT replaces the whole graph
in one request, so pushing twice never duplicates triples and a push that fails half-way leaves
each remote graph either fully old or fully new (which graphs made it is in the report).

``--since``: the SHA-256 of each graph's N-Triples as last pushed to an endpoint is kept in
``<store>/push-state.json``; a graph whose content has not changed since is skipped.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import quote

STATE_FILE = "push-state.json"
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}


@dataclass(frozen=True, slots=True)
class GraphOutcome:
    graph: str
    status: str  # pushed | unchanged | failed | not attempted
    triples: int
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PushReport:
    endpoint: str
    outcomes: tuple[GraphOutcome, ...]

    @property
    def failed(self) -> bool:
        return any(o.status == "failed" for o in self.outcomes)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def lines(self) -> list[str]:
        out = [f"{o.status:13} {o.triples:7} triples  {o.graph}" + (f"  ({o.detail})" if o.detail else "")
               for o in self.outcomes]
        out.append(f"{self.endpoint}: {self.count('pushed')} pushed, {self.count('unchanged')} unchanged, "
                   f"{self.count('failed')} failed, {self.count('not attempted')} not attempted")
        return out


class PushError(Exception):
    """One graph could not be uploaded (after retries, for network errors)."""


def auth_from_env(env: Mapping[str, str] | None = None) -> str | None:
    """The Authorization header from YAKUJI_PUSH_TOKEN (bearer) or YAKUJI_PUSH_USER and
    YAKUJI_PUSH_PASSWORD (basic); None when neither is set."""
    env = os.environ if env is None else env
    if env.get("YAKUJI_PUSH_TOKEN"):
        return f"Bearer {env['YAKUJI_PUSH_TOKEN']}"
    if env.get("YAKUJI_PUSH_USER"):
        pair = f"{env['YAKUJI_PUSH_USER']}:{env.get('YAKUJI_PUSH_PASSWORD', '')}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    return None


def graph_url(endpoint: str, graph: str) -> str:
    return f"{endpoint}{'&' if '?' in endpoint else '?'}graph={quote(graph, safe='')}"


def put_graph(endpoint: str, graph: str, body: bytes, *, auth: str | None = None,
              retries: int = 3, backoff: float = 0.5, timeout: float = 60.0) -> None:
    """One PUT of one graph; network errors and 5xx/429 are retried with exponential backoff."""
    last = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        request = urllib.request.Request(graph_url(endpoint, graph), data=body, method="PUT",
                                         headers={"Content-Type": "application/n-triples"})
        try:
            with _send(request, auth, timeout) as response:
                response.read()
                return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code} {exc.reason}"
            if exc.code not in RETRY_STATUSES:
                raise PushError(last) from None
        except (urllib.error.URLError, ConnectionError, socket.timeout) as exc:
            last = f"network error: {getattr(exc, 'reason', exc)}"
    raise PushError(f"{last} (after {retries + 1} attempts)")


def _send(request: urllib.request.Request, auth: str | None, timeout: float) -> Any:
    """Open ``request`` with the Authorization header. A server that refuses a Basic header and
    wants Digest (Virtuoso's ``/sparql-graph-crud-auth``, which says so only to a request
    without credentials) gets the same user and password by Digest: the challenge comes from a
    bodiless HEAD, the credentials are checked with a second one, and the graph is sent once."""
    if auth:
        request.add_header("Authorization", auth)
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code != 401 or not (auth or "").startswith("Basic "):
            raise
    user, _, password = base64.b64decode(auth[6:]).decode("utf-8").partition(":")  # type: ignore[index]
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, request.full_url, user, password)
    digest = urllib.request.HTTPDigestAuthHandler(manager)
    challenge = ""
    try:
        urllib.request.urlopen(urllib.request.Request(request.full_url, method="HEAD"), timeout=timeout).close()
    except urllib.error.HTTPError as exc:
        challenge = exc.headers.get("WWW-Authenticate", "")
    if not challenge.lower().startswith("digest "):
        raise urllib.error.HTTPError(request.full_url, 401, "Unauthorized (Basic credentials refused)",
                                     request.headers, None)  # type: ignore[arg-type]
    fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge[7:]))

    def signed(method: str, body: bytes | None) -> urllib.request.Request:
        out = urllib.request.Request(request.full_url, data=body, method=method, headers={
            k: v for k, v in request.header_items() if k.lower() not in ("authorization", "content-length")})
        out.add_header("Authorization", f"Digest {digest.get_authorization(out, fields)}")
        return out

    try:  # any answer but 401 (Virtuoso: 501, no HEAD on graphs) means the credentials passed
        urllib.request.urlopen(signed("HEAD", None), timeout=timeout).close()
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            raise
    return urllib.request.urlopen(signed(request.get_method(), request.data), timeout=timeout)


def _load_state(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _save_state(path: Path, state: dict[str, dict[str, dict[str, str]]]) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def store_graphs(store_path: Path) -> list[tuple[str, bytes]]:
    """(graph IRI, N-Triples) for the ontology graph and every document graph."""
    from extract.rdf.namespaces import ONTOLOGY_GRAPH
    from extract.store import Store

    with Store(store_path, read_only=True) as st:
        names = ([str(ONTOLOGY_GRAPH)] if st.has_graph(str(ONTOLOGY_GRAPH)) else []) + st.document_graphs()
        out = []
        for name in names:
            buf = io.BytesIO()
            st.export("ntriples", buf, graph=name)
            out.append((name, buf.getvalue()))
    return out


def push_store(store_path: Path, endpoint: str, *, since: bool = False, auth: str | None = None,
               retries: int = 3, backoff: float = 0.5,
               before_put: Callable[[int, str], None] | None = None) -> PushReport:
    """Push every graph (or, with ``since``, the changed ones); stop at the first failure, since
    the next graphs would meet the same unreachable or refusing server. ``before_put(i, graph)``
    is a hook for tests."""
    state_path = Path(store_path) / STATE_FILE
    state = _load_state(state_path)
    pushed = state.setdefault(endpoint, {})
    outcomes: list[GraphOutcome] = []
    stopped = False
    for i, (graph, body) in enumerate(store_graphs(Path(store_path))):
        triples = body.count(b"\n")
        digest = hashlib.sha256(body).hexdigest()
        if stopped:
            outcomes.append(GraphOutcome(graph, "not attempted", triples))
            continue
        if since and pushed.get(graph, {}).get("sha256") == digest:
            outcomes.append(GraphOutcome(graph, "unchanged", triples))
            continue
        if before_put:
            before_put(i, graph)
        try:
            put_graph(endpoint, graph, body, auth=auth, retries=retries, backoff=backoff)
        except PushError as exc:
            outcomes.append(GraphOutcome(graph, "failed", triples, str(exc)))
            stopped = True
            continue
        pushed[graph] = {"sha256": digest, "pushed": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        _save_state(state_path, state)
        outcomes.append(GraphOutcome(graph, "pushed", triples))
    return PushReport(endpoint, tuple(outcomes))
