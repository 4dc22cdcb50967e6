"""The namespaces of the query contract (``shared/vocabulary.md``)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

YK = Namespace("https://w3id.org/yakuji/ontology#")
YKID = Namespace("https://w3id.org/yakuji/id/")
SCHEMA = Namespace("https://schema.org/")
DCT = DCTERMS

ONTOLOGY_GRAPH = YKID["graph/ontology"]

PREFIXES: dict[str, str] = {
    "yk": str(YK), "ykid": str(YKID), "prov": str(PROV), "dct": str(DCT), "skos": str(SKOS),
    "schema": str(SCHEMA), "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "owl": str(OWL),
}


def sparql_prologue() -> str:
    """PREFIX lines for every contract namespace, prepended to users' queries."""
    return "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


__all__ = ["YK", "YKID", "SCHEMA", "DCT", "PROV", "RDF", "RDFS", "SKOS", "XSD", "OWL",
           "ONTOLOGY_GRAPH", "PREFIXES", "sparql_prologue"]
