"""The graph builder: contract terms, typed literals, provenance, stable IRIs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rdflib import Literal
from rdflib.namespace import PROV, RDF, RDFS, XSD

from extract.load.layout import RawPage, build_document
from extract.model import (Activity, Classification, DocType, DocumentInfo, DosageRegimen,
                           ExtractionResult, Link, Mention, ProductFact, SafetyConcern)
from extract.rdf.build import build_graph
from extract.rdf.iri import document_iri, entity_iri
from extract.rdf.namespaces import DCT, YK

LINES = ("フィクション錠 10 mg", "有効成分 フィクショニブ", "重要な特定されたリスク 肝機能障害",
         "通常、成人には 1 日 1 回 10 mg を経口投与する。", "特定使用成績調査 実施中")


def _doc():
    data = "\n".join(LINES).encode()
    return build_document(data=data, path="sample.txt", source_format="text", shape="layout",
                          pages=[RawPage(1, LINES[:3]), RawPage(2, LINES[3:])])


def _result(doc):
    product = Mention("フィクション錠 10 mg", "ja", "product")
    sub = Mention("フィクショニブ", "ja", "substance")
    risk = Mention("肝機能障害", "ja", "concept")
    t = doc.text
    dose_at = t.index("通常")
    concern_at = t.index("肝機能障害")
    act_at = t.index("特定使用成績調査")
    facts = (
        SafetyConcern(product, "identified", "肝機能障害", doc.ref(concern_at, concern_at + 5), concept=risk),
        DosageRegimen(product, LINES[3], doc.ref(dose_at, dose_at + len(LINES[3])),
                      dose_value=Decimal("10"), dose_unit="mg", route="oral", frequency="once daily"),
        Activity("pv", product, "特定使用成績調査", "additional", doc.ref(act_at, act_at + 8),
                 status="ongoing", target_sample_size=120, addresses=("肝機能障害",)),
    )
    info = DocumentInfo(title="フィクション錠 RMP", issued=dt.date(2026, 3, 23), products=(product,))
    pf = ProductFact(product, doc.ref(0, 12), names=("フィクション錠 10 mg",), substances=(sub,))
    links = {
        product: Link("fiction", "product", (("ja", "フィクション"), ("en", "Fiction"))),
        sub: Link("fictionib", "substance", (("ja", "フィクショニブ"), ("en", "fictionib"))),
        risk: Link("hepatic-disorder", "concept", (("ja", "肝機能障害"), ("en", "hepatic disorder"))),
    }
    return ExtractionResult(info, products=(pf,), facts=facts), links


def test_builder_uses_contract_terms_with_typed_values_and_provenance() -> None:
    doc = _doc()
    result, links = _result(doc)
    g = build_graph(doc, Classification(DocType.RMP, "ja", 0.9, ()), result, links)
    d = document_iri(doc.doc_id)
    assert g.identifier == d
    assert (d, RDF.type, YK.RiskManagementPlan) in g
    assert (d, DCT.issued, Literal(dt.date(2026, 3, 23), datatype=XSD.date)) in g
    assert (d, YK.sha256, Literal(doc.doc_id)) in g
    product = entity_iri("product", "fiction")
    assert (product, YK.hasActiveSubstance, entity_iri("substance", "fictionib")) in g
    assert (product, RDFS.label, Literal("Fiction", lang="en")) in g

    regimen = next(g.subjects(RDF.type, YK.DosageRegimen))
    assert g.value(regimen, YK.doseValue) == Literal(Decimal("10"), datatype=XSD.decimal)
    assert g.value(regimen, YK.route) == Literal("oral")
    assert g.value(regimen, YK.page) == Literal(2, datatype=XSD.integer)
    assert g.value(regimen, YK.evidenceText) == Literal(LINES[3], lang="ja")
    assert g.value(regimen, PROV.wasDerivedFrom) == d

    concern = next(g.subjects(RDF.type, YK.SafetyConcern))
    assert g.value(concern, YK.concernCategory) == YK.ImportantIdentifiedRisk
    assert g.value(concern, YK.concept) == entity_iri("concept", "hepatic-disorder")
    activity = next(g.subjects(RDF.type, YK.PharmacovigilanceActivity))
    assert g.value(activity, YK.addresses) == concern
    assert g.value(activity, YK.activityScope) == YK.AdditionalActivity
    assert g.value(activity, YK.targetSampleSize) == Literal(120, datatype=XSD.integer)


def test_iris_are_stable_across_builds() -> None:
    doc = _doc()
    result, links = _result(doc)
    cls = Classification(DocType.RMP, "ja", 0.9, ())
    first = set(build_graph(doc, cls, result, links))
    second = set(build_graph(_doc(), cls, *_result(_doc())))
    assert first == second
