"""Stable IRIs from normalised keys (never counters or memory addresses).

The same input gives the same IRI on every run and machine: documents by the SHA-256 of
their bytes, shared entities by the linker's key, facts by their document and the hash of the
fields marked ``key`` in ``extract.model``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from urllib.parse import quote

from rdflib import URIRef

from extract.model import Mention
from extract.rdf.namespaces import YKID


def document_iri(sha256: str) -> URIRef:
    return YKID[f"doc/{sha256}"]


def entity_iri(kind: str, key: str) -> URIRef:
    """``ykid:<kind>/<key>``; the key is percent-encoded so any script is a valid IRI."""
    if key.startswith(kind + "/"):
        key = key[len(kind) + 1:]
    return YKID[f"{kind}/{quote(key, safe='-._~')}"]


def _key_value(value: object) -> str:
    if isinstance(value, Mention):
        return f"{value.kind}:{value.lang}:{value.text}"
    if isinstance(value, tuple):
        return "|".join(_key_value(v) for v in value)
    return "" if value is None else str(value)


def fact_key(fact: object) -> str:
    """The identity of a fact: its class and the values of its ``key`` fields."""
    parts = [type(fact).__name__]
    for f in dataclasses.fields(fact):  # type: ignore[arg-type]
        if f.metadata.get("key"):
            parts.append(f"{f.name}={_key_value(getattr(fact, f.name))}")
    return "\x1f".join(parts)


def fact_iri(doc_sha256: str, rdf_class: str, key: str) -> URIRef:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return YKID[f"fact/{doc_sha256[:16]}/{rdf_class}/{digest}"]
