"""The graph builder: contract terms, typed literals, provenance, stable IRIs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD
from rdflib.plugins.serializers.nt import _quoteLiteral

from extract.load.layout import RawPage, build_document
from extract.model import (Activity, Classification, DocType, DocumentInfo, DosageRegimen,
                           ExtractionResult, Link, Mention, ProductFact, SafetyConcern)
from extract.rdf.build import NTriplesSink, build_graph, build_ntriples, nt_literal
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


# ---------------------------------------------------------------- the fast N-Triples path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SUFFIXES = (".txt", ".xml", ".json", ".text")
XS = "http://www.w3.org/2001/XMLSchema#"


def _nt_lines(graph: Graph) -> set[str]:
    return set(graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines())


def _assert_same_graph(doc, cls, result, links) -> None:  # type: ignore[no-untyped-def]
    graph = build_graph(doc, cls, result, links)
    fast = build_ntriples(doc, cls, result, links)
    lines = fast.data.decode("utf-8").splitlines()
    assert set(lines) == _nt_lines(graph)
    assert fast.count == len(lines) == len(graph)
    assert fast.graph_iri == str(graph.identifier)


def _pipeline_inputs(path: Path):  # type: ignore[no-untyped-def]
    from extract.classify import classify
    from extract.extractors import get_extractor
    from extract.load import load_document
    from extract.normalize.linker import link

    doc = load_document(path)
    cls = classify(doc)
    result = get_extractor(cls.doc_type)(doc)
    return doc, cls, result, link(result, doc)


def _files(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(f.name for f in folder.iterdir() if f.suffix.lower() in SUFFIXES)


def test_fast_path_writes_the_fictional_graph_exactly() -> None:
    doc = _doc()
    result, links = _result(doc)
    _assert_same_graph(doc, Classification(DocType.RMP, "ja", 0.9, ()), result, links)


@pytest.mark.parametrize("name", _files(ROOT / "corpus" / "samples"))
def test_fast_path_equals_rdflib_on_samples(name: str) -> None:
    _assert_same_graph(*_pipeline_inputs(ROOT / "corpus" / "samples" / name))


@pytest.mark.parametrize("name", _files(SEEDS) or ["(none)"])
def test_fast_path_equals_rdflib_on_seeds(name: str) -> None:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    _assert_same_graph(*_pipeline_inputs(SEEDS / name))


@pytest.mark.parametrize(("value", "lang", "datatype", "expected"), [
    ('say "no"', None, None, r'"say \"no\""'),
    ("C:\\dir", None, None, r'"C:\\dir"'),
    ("line\nnext", "en", None, r'"line\nnext"@en'),
    ("cr\rhere", None, None, r'"cr\rhere"'),
    ("tab\tkept", None, None, '"tab\tkept"'),
    ("\U0001F600 and \u2460", None, None, '"\U0001F600 and \u2460"'),
    ("肝機能障害", "ja", None, '"肝機能障害"@ja'),
    ("Fiction", "EN", None, '"Fiction"@EN'),
    ("Fiction", "en-US", None, '"Fiction"@en-US'),
    ("no tag", "", None, '"no tag"'),
    ("typed", None, XSD.string, f'"typed"^^<{XS}string>'),
    (Decimal("1.50"), None, XSD.decimal, f'"1.50"^^<{XS}decimal>'),
    (Decimal("1E+2"), None, XSD.decimal, f'"100"^^<{XS}decimal>'),
    (Decimal("-0"), None, XSD.decimal, f'"-0"^^<{XS}decimal>'),
    (Decimal("-0.0"), None, None, f'"-0.0"^^<{XS}decimal>'),
    (Decimal("0E-5"), None, XSD.decimal, f'"0.00000"^^<{XS}decimal>'),
    (Decimal("1E-7"), None, XSD.decimal, f'"0.0000001"^^<{XS}decimal>'),
    (120, None, XSD.integer, f'"120"^^<{XS}integer>'),
    (-3, None, None, f'"-3"^^<{XS}integer>'),
    (5, None, XSD.decimal, f'"5"^^<{XS}decimal>'),
    (True, None, None, f'"true"^^<{XS}boolean>'),
    (False, None, XSD.boolean, f'"false"^^<{XS}boolean>'),
    (dt.date(2026, 3, 23), None, XSD.date, f'"2026-03-23"^^<{XS}date>'),
    (dt.date(999, 1, 2), None, None, f'"0999-01-02"^^<{XS}date>'),
    (dt.datetime(2026, 3, 23, 9, 30), None, XSD.date, f'"2026-03-23T09:30:00"^^<{XS}date>'),
    (0.5, None, None, f'"0.5"^^<{XS}double>'),
])
def test_literal_is_written_as_rdflib_writes_it(value: object, lang: str | None,
                                                 datatype: URIRef | None, expected: str) -> None:
    assert nt_literal(value, lang, datatype) == expected
    assert _quoteLiteral(Literal(value, lang=lang, datatype=datatype)) == expected


@pytest.mark.parametrize(("value", "lang", "datatype", "error"), [
    ("x", "not a tag", None, ValueError),
    ("x", "en", XSD.string, TypeError),
])
def test_literal_refused_as_rdflib_refuses_it(value: object, lang: str, datatype: URIRef | None,
                                              error: type[Exception]) -> None:
    with pytest.raises(error):
        Literal(value, lang=lang, datatype=datatype)
    with pytest.raises(error):
        nt_literal(value, lang, datatype)


def test_sink_removes_duplicates_as_a_graph_does() -> None:
    """Language tags compare ignoring case (the first one added is kept, as written)."""
    s, p, o = URIRef("https://example.org/s"), URIRef("https://example.org/p"), URIRef("https://example.org/o")
    triples = [(s, p, ("x", "EN", None)), (s, p, ("x", "en", None)), (s, p, ("y", "en", None)),
               (s, p, ("y", "EN", None)), (s, p, (1, None, XSD.integer)), (s, p, (1, None, None)),
               (s, p, ("1", None, None)), (s, p, o), (s, p, o), (o, p, s)]
    graph, sink = Graph(), NTriplesSink()
    for subj, pred, obj in triples:
        graph.add((subj, pred, obj if isinstance(obj, URIRef) else Literal(obj[0], lang=obj[1], datatype=obj[2])))
        sink.add(subj, pred, obj if isinstance(obj, URIRef) else sink.literal(*obj))
    lines = sink.data().decode("utf-8").splitlines()
    assert set(lines) == _nt_lines(graph)
    assert sink.count == len(graph) == 6
    assert '<https://example.org/s> <https://example.org/p> "x"@EN .' in lines
    assert '<https://example.org/s> <https://example.org/p> "y"@en .' in lines


@pytest.mark.parametrize("name", _files(ROOT / "corpus" / "samples")[:2])
def test_pipeline_outcome_counts_the_triples_it_hands_to_the_store(name: str) -> None:
    from extract.pipeline import process_file

    path = ROOT / "corpus" / "samples" / name
    built = process_file(path)
    graph = build_graph(*_pipeline_inputs(path))
    assert built.outcome.status in ("ok", "partial")
    assert built.outcome.doc_iri == str(graph.identifier)
    assert built.outcome.triples == len(graph)
    assert set(built.ntriples.decode("utf-8").splitlines()) == _nt_lines(graph)


def test_sink_refuses_an_iri_rdflib_cannot_write() -> None:
    sink = NTriplesSink()
    bad = URIRef("https://example.org/a b")
    with pytest.raises(Exception, match="does not look like a valid URI"):
        sink.add(bad, RDF.type, sink.literal("x"))
    with pytest.raises(Exception, match="does not look like a valid URI"):
        bad.n3()
