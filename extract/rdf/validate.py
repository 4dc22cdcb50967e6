"""SHACL validation of document graphs against ``ontology/shapes.ttl`` (pySHACL).

Validation runs per document graph, so each violation names the document it came from;
``yakuji validate`` prints them by document and fact.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rdflib import Graph

    from extract.store import Store

Severity = Literal["violation", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result: the node that fails, the property, why, how bad, and the source
    document (IRI) when known."""

    focus: str
    path: str | None
    message: str
    severity: Severity
    document: str | None = None

    def __str__(self) -> str:
        where = f" [{self.path}]" if self.path else ""
        return f"{self.severity}: {self.focus}{where}: {self.message}"


@functools.lru_cache(maxsize=2)
def load_shapes(path: Path | None = None) -> "Graph":
    """The shapes graph shipped in ``ontology/shapes.ttl`` (parsed once)."""
    from rdflib import Graph

    from extract.resources import ontology_dir

    g = Graph()
    g.parse(path or ontology_dir() / "shapes.ttl", format="turtle")
    return g


def validate(data_graph: "Graph", ontology_graph: "Graph | None" = None,
             shapes: "Graph | None" = None) -> list[Violation]:
    """Every SHACL result for ``data_graph``: a Graph (one document) or a Dataset /
    ConjunctiveGraph, whose named graphs are validated one by one (the ontology graph is
    skipped). ``ontology_graph`` lets sh:class see rdfs:subClassOf from the ontology."""
    from rdflib import Dataset
    from rdflib.graph import ConjunctiveGraph

    from extract.rdf.namespaces import ONTOLOGY_GRAPH

    shapes_graph = shapes if shapes is not None else load_shapes()
    if isinstance(data_graph, (Dataset, ConjunctiveGraph)):
        found: list[Violation] = []
        graphs = data_graph.graphs() if isinstance(data_graph, Dataset) else data_graph.contexts()
        for g in graphs:
            if g.identifier == ONTOLOGY_GRAPH or len(g) == 0:
                continue
            found.extend(_validate_one(g, shapes_graph, ontology_graph, str(g.identifier)))
        return found
    return _validate_one(data_graph, shapes_graph, ontology_graph, None)


def validate_store(store: "Store") -> list[Violation]:
    """Validate every document graph of a store (the ontology graph gives sh:class its
    subclass axioms)."""
    import io

    from rdflib import Graph

    from extract.resources import ontology_dir

    ontology = Graph().parse(ontology_dir() / "yakuji.ttl", format="turtle")
    found: list[Violation] = []
    for iri in store.document_graphs():
        buf = io.BytesIO()
        store.export("ntriples", buf, graph=iri)
        graph = Graph().parse(data=buf.getvalue().decode("utf-8"), format="nt")
        found.extend(_validate_one(graph, load_shapes(), ontology, iri))
    return found


def _validate_one(graph: "Graph", shapes: "Graph", ontology: "Graph | None",
                  document: str | None) -> list[Violation]:
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import PROV, RDF, SH

    plain = Graph()  # pySHACL wants a plain Graph (a named-graph context works too, copy is safe)
    for triple in graph:
        plain.add(triple)
    _conforms, report, _text = pyshacl.validate(
        plain, shacl_graph=shapes, ont_graph=ontology, inference="none",
        allow_warnings=True, abort_on_first=False)
    out: list[Violation] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        severity = report.value(result, SH.resultSeverity)
        doc = document or _document_of(plain, focus, PROV.wasDerivedFrom)
        out.append(Violation(
            focus=str(focus), path=str(path) if path is not None else None,
            message=str(message) if message is not None else "constraint not met",
            severity=_severity(severity), document=doc))
    return sorted(out, key=lambda v: (v.document or "", v.focus, v.path or "", v.message))


def _document_of(graph: "Graph", focus: object, derived: object) -> str | None:
    from rdflib.namespace import RDF

    from extract.rdf.namespaces import YK

    source = graph.value(focus, derived)  # type: ignore[arg-type]
    if source is not None:
        return str(source)
    if (focus, RDF.type, YK.SourceDocument) in graph:  # type: ignore[operator]
        return str(focus)
    return None


def _severity(node: object) -> Severity:
    name = str(node).rsplit("#", 1)[-1].lower()
    return "warning" if name == "warning" else "info" if name == "info" else "violation"


__all__ = ["Violation", "validate", "validate_store", "load_shapes"]
