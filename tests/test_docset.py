"""One product across its documents (issue 17): the real Imbruvica interview form, patient guide
and proper-use guide in one store: one product IRI, the product-identifiers and product-materials
queries, the consistency report naming the newer document, SHACL and the garbage rules.

The store is built once per module from the session's loaded documents (the 204-page IF is
loaded once per test session), so no PDF is read twice."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterator

import pytest

from extract.model import Document

DOCS = ("product/imbruvica-interview-form-2025-11.pdf", "product/imbruvica-patient-guide-2026-03.pdf",
        "product/imbruvica-proper-use-guide-2026-03.pdf")


def _loaded(real_document: Callable[[str], Document]) -> list[Document]:
    return [real_document(name) for name in DOCS]


@pytest.fixture(scope="module")
def docset(real_document: Callable[[str], Document], tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from extract.classify import classify
    from extract.extractors import get_extractor
    from extract.normalize.linker import link
    from extract.pipeline import ensure_ontology
    from extract.rdf.build import build_ntriples
    from extract.store import Store

    store = Store(tmp_path_factory.mktemp("docset") / "store")
    ensure_ontology(store)
    for doc in _loaded(real_document):
        cls = classify(doc)
        result = get_extractor(cls.doc_type)(doc)
        built = build_ntriples(doc, cls, result, link(result, doc))
        store.add_graph(built.graph_iri, built.data)
    yield store
    store.close()


def _query(store: object, name: str, **params: str) -> list[dict[str, str]]:
    from extract.queries import load_queries, run_named

    _, rows = run_named(store, load_queries()[name], params)
    return [{k: v.value for k, v in row.items()} for row in rows]


def test_one_product_iri_across_the_documents(docset) -> None:  # type: ignore[no-untyped-def]
    rows = docset.select("SELECT DISTINCT ?d ?p WHERE { ?d a yk:SourceDocument ; yk:aboutProduct ?p }")
    products = {r["p"].value for r in rows}
    assert products == {"https://w3id.org/yakuji/id/product/imbruvica"}
    assert len({r["d"].value for r in rows}) == 3


def test_product_identifiers_query(docset) -> None:  # type: ignore[no-untyped-def]
    rows = _query(docset, "product-identifiers", product="イムブルビカ")
    found = {(r["field"], r["value"]) for r in rows}
    assert {("approval number", "22800AMX00387000"), ("approval date", "2016-03-28"),
            ("NHI price listing date", "2016-05-25"), ("launch date", "2016-05-25"),
            ("NHI price code", "4291043M1027"), ("HOT number", "124879101"),
            ("receipt computer code", "622487901"), ("regulatory class", "劇薬、処方箋医薬品"),
            ("shelf life", "24ヵ月"), ("storage condition", "室温保存"), ("therapeutic category", "874291"),
            ("period end", "2032-12")} <= found
    codes = [r for r in rows if r["field"] == "HOT number"]
    assert codes and all(r["kind"] == "InterviewForm" and r["page"] == "192" and r["issued"] == "2025-11"
                         and r["file"] == "imbruvica-interview-form-2025-11.pdf" for r in codes)
    # the same rows by the English name and by a trade name
    assert {(r["field"], r["value"]) for r in _query(docset, "product-identifiers", product="Imbruvica")} == found


def test_product_materials_query(docset) -> None:  # type: ignore[no-untyped-def]
    rows = _query(docset, "product-materials", product="イムブルビカ")
    (row,) = [r for r in rows if r.get("activity")]
    assert row["materialName"] == "適正使用ガイド" and row["issued"] == "2026-03" and row["edition"] == "第12版"
    assert row["activity"] == "医療従事者向け資材(適正使用ガイド)による情報提供"
    assert "心不全 (important potential risk)" in row["topics"].split(" | ")


def test_consistency_between_the_guide_and_the_interview_form(docset) -> None:  # type: ignore[no-untyped-def]
    from extract.consistency import consistency_report

    report = consistency_report(docset, "イムブルビカ")
    serious = [d for d in report.differences if d.aspect == "serious-adverse-reactions"]
    # ぶどう膜炎 is in the 2026-03 guide's table and not in the 2025-11 IF's 11.1 list
    (uveitis,) = [d for d in serious if d.subject == "ぶどう膜炎"]
    assert uveitis.newer == "b" and uveitis.b.doc.kind == "PatientGuide" and uveitis.b.value.startswith("listed:")
    assert uveitis.a.doc.kind == "InterviewForm" and uveitis.a.value == "not listed"
    # the IF's combined item 肝不全、肝機能障害 is the guide's two rows: no difference
    assert not [d for d in serious if d.subject in ("肝不全", "肝機能障害", "肝不全、肝機能障害")]
    # patient-worded contraindications are not compared with the IF's
    assert not [d for d in report.differences if d.aspect == "contraindications"]


def test_graphs_validate(docset) -> None:  # type: ignore[no-untyped-def]
    from extract.rdf.validate import validate_store

    assert [str(v) for v in validate_store(docset)] == []


_BAD_START = re.compile(r"^[\s、。,.:;・･\-–—()（）\[\]【】〔〕「」*※]")
_GARBAGE = re.compile(r"\(cid:\d+\)|\ufffd|[\ue000-\uf8ff]")


def test_garbage_rules(docset) -> None:  # type: ignore[no-untyped-def]
    """Labels and fact texts of the three documents: no opening punctuation or list mark, no
    同-name or 本剤, no Japanese entity label over 60 characters, no (cid:N), U+FFFD or
    private-use characters."""
    rows = docset.select("""SELECT ?s ?p ?o WHERE { VALUES ?p { rdfs:label skos:prefLabel yk:text yk:tradeName
                            yk:symptom } ?s ?p ?o FILTER(isLiteral(?o)) }""")
    for r in rows:
        text = r["o"].value
        assert not _BAD_START.match(text), text
        assert not _GARBAGE.search(text), text
        assert not text.startswith("同") and text != "本剤", text
    entities = docset.select("""SELECT ?o WHERE { ?s a ?c ; rdfs:label ?o .
        VALUES ?c { yk:MedicalConcept yk:MedicinalProduct yk:Substance } FILTER(LANG(?o) = "ja") }""")
    assert all(len(r["o"].value) <= 60 for r in entities)


def test_query_files_parse() -> None:
    from extract.queries import load_queries

    queries = load_queries(Path(__file__).resolve().parents[1] / "ontology" / "queries")
    for name in ("product-identifiers", "product-materials"):
        q = queries[name]
        assert q.title_en and q.title_ja and [p.name for p in q.params] == ["product"]
