"""A remote SPARQL 1.1 Protocol endpoint that answers like ``Store.query``.

``Endpoint(url).query(sparql)`` POSTs the query (form-encoded) with the contract's prefixes
declared, and returns what ``pyoxigraph.Store.query`` would: solutions (from SPARQL JSON
results), a boolean, or triples (from N-Triples or Turtle). So the named queries, the entity
lookups and ``yakuji serve`` run unchanged over Virtuoso, Fuseki, GraphDB or an Oxigraph server
(``--union-default-graph``): the query text is standard SPARQL 1.1 and the store's default
graph must be the union of its graphs, as Virtuoso's is.
"""

from __future__ import annotations

import io
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

RESULTS = "application/sparql-results+json"
GRAPHS = ("application/n-triples", "text/turtle")


class EndpointError(ConnectionError):
    """The endpoint could not be reached, or answered with an error other than a bad query."""


class Endpoint:
    """A read-only view of a remote store (``query`` and ``select``, as ``Store`` has)."""

    def __init__(self, url: str, *, timeout: float = 60.0, auth: str | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.auth = auth  # an Authorization header value (see extract.push.auth_from_env)

    def __enter__(self) -> "Endpoint":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def query(self, sparql: str, *, substitutions: dict[Any, Any] | None = None,
              dataset: dict[str, Any] | None = None) -> Any:
        """``dataset``: ``pyoxigraph.Store.query``'s keywords (``default_graph``, ``named_graphs``,
        as ``serve.dataset_arguments`` gives them), sent as the protocol's graph parameters."""
        import pyoxigraph

        if substitutions:
            raise TypeError("a remote query takes no substitutions: inline the terms (queries.inline_bindings)")
        fields = [("query", prologue() + sparql)]
        for key, param in (("default_graph", "default-graph-uri"), ("named_graphs", "named-graph-uri")):
            fields += [(param, g.value) for g in (dataset or {}).get(key, [])]
        body = urllib.parse.urlencode(fields).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": f"{RESULTS}, {GRAPHS[0]};q=0.9, {GRAPHS[1]};q=0.8"})
        if self.auth:
            request.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                kind = response.headers.get_content_type()
                data = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:500]
            if exc.code == 400:  # the protocol's answer to a malformed query
                raise SyntaxError(f"{self.url}: {detail or exc.reason}") from None
            raise EndpointError(f"{self.url}: HTTP {exc.code} {exc.reason}: {detail}") from None
        except (urllib.error.URLError, ConnectionError, socket.timeout) as exc:
            raise EndpointError(f"{self.url}: {getattr(exc, 'reason', exc)}") from None
        if kind in GRAPHS:
            fmt = pyoxigraph.RdfFormat.N_TRIPLES if kind == GRAPHS[0] else pyoxigraph.RdfFormat.TURTLE
            return list(pyoxigraph.parse(io.BytesIO(data), format=fmt))  # triples, as CONSTRUCT gives
        return pyoxigraph.parse_query_results(data, format=pyoxigraph.QueryResultsFormat.JSON)

    def select(self, sparql: str) -> list[dict[str, Any]]:
        result = self.query(sparql)
        names = [v.value for v in result.variables]
        return [{n: sol[n] for n in names if sol[n] is not None} for sol in result]


def is_endpoint(location: str) -> bool:
    """Whether a store location is a SPARQL endpoint URL rather than a folder."""
    return location.startswith(("http://", "https://"))


def prologue() -> str:
    """The contract's prefixes as PREFIX lines (the local store predeclares them)."""
    from extract.rdf.namespaces import PREFIXES

    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
