"""yakuji-kg: Japanese drug-regulatory documents to one RDF knowledge graph.

The public API, in a few names::

    from extract import open_store, ingest, query, export

    with open_store(".yakuji/store") as store:
        outcomes = ingest(["corpus/samples"], store)
        rows = query(store, "SELECT ?p WHERE { ?p a yk:MedicinalProduct }")
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable

__version__ = "0.1.0"

if TYPE_CHECKING:
    from extract.pipeline import Outcome
    from extract.store import Store


def open_store(path: str | Path = ".yakuji/store", *, read_only: bool = False) -> "Store":
    """Open (creating) a store; use it as a context manager."""
    from extract.store import Store

    return Store(path, read_only=read_only)


def ingest(paths: Iterable[str | Path], store: "Store", **options: Any) -> list["Outcome"]:
    """Ingest files and folders; returns one outcome per file (ok/partial/failed/unchanged)."""
    from extract.pipeline import ingest_paths

    return ingest_paths(paths, store, **options)


def query(store: "Store", sparql: str, **bindings: Any) -> list[dict[str, Any]]:
    """SELECT over the union of graphs; ``bindings`` are bound as RDF terms, never pasted."""
    import pyoxigraph

    subs = {pyoxigraph.Variable(k): v for k, v in bindings.items()}
    return store.select(sparql, substitutions=subs)


def export(store: "Store", fmt: str, out: IO[bytes]) -> None:
    """Write the store as trig, nquads, turtle or jsonld."""
    store.export(fmt, out)


__all__ = ["__version__", "open_store", "ingest", "query", "export"]
