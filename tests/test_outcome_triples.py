"""What the graph says about how a document was read (the documents page reads it): page count,
a node for each page not read as ordinary text, fact count, issue codes, the source path."""

from __future__ import annotations

import os
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from extract.model import DocType
from extract.rdf.namespaces import YK


def _graph(path: Path, **options: object) -> tuple[Graph, URIRef, object]:
    from extract.pipeline import process_file

    built = process_file(path, ocr="never", **options)  # type: ignore[arg-type]
    assert built.outcome.status in ("ok", "partial"), built.outcome
    g = Graph()
    g.parse(data=built.ntriples.decode("utf-8"), format="nt")
    return g, URIRef(built.outcome.doc_iri), built.outcome


def test_pages_not_read_as_text_get_a_node_each(bad_pdfs: dict[str, Path]) -> None:
    from extract.load import load_document

    path = bad_pdfs["no_tounicode.pdf"]  # page 1 ordinary text, page 2 a font without a Unicode map
    doc = load_document(path, ocr="never")
    g, d, _ = _graph(path, doc_type=DocType.PRODUCT_INFO)  # a fixture of no kind: the kind is forced
    assert g.value(d, YK.pageCount) == Literal(2, datatype=XSD.integer)
    expected = {(p.number, p.status, p.reason) for p in doc.pages if p.status != "ok"}
    assert expected and all(number == 2 for number, _, _ in expected)
    found = {(int(g.value(n, YK.pageNumber)), str(g.value(n, YK.pageStatus)), str(g.value(n, YK.statusReason)))
             for n in g.objects(d, YK.documentPage)}
    assert found == expected
    assert all((n, RDF.type, YK.DocumentPage) in g for n in g.objects(d, YK.documentPage))
    assert str(g.value(d, YK.sourcePath)) == os.path.abspath(path)


def test_fact_count_and_issue_codes(pdf_renditions: dict[str, Path]) -> None:
    g, d, outcome = _graph(pdf_renditions["review_report_ja.txt"])
    assert g.value(d, YK.factCount) == Literal(outcome.facts, datatype=XSD.integer) and outcome.facts == 49
    codes = {str(c) for c in g.objects(d, YK.issueCode)}
    texts = [str(t) for t in g.objects(d, YK.issueText)]
    assert codes and all(any(f" {c}:" in t for t in texts) for c in codes)  # each code names an issue's text
    assert not list(g.objects(d, YK.documentPage))  # every page of the rendition is ordinary text
