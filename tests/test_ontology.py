"""The ontology defines the whole query contract; the shapes catch broken facts."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from extract import model
from extract.normalize.lexicon import Lexicon
from extract.rdf.namespaces import YK, YKID
from extract.rdf.validate import Violation, validate
from extract.resources import ontology_dir

SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def onto() -> Graph:
    g = Graph()
    g.parse(ontology_dir() / "yakuji.ttl", format="turtle")
    return g


# Every yk: term of shared/vocabulary.md, read by hand from the contract.
CONTRACT_CLASSES = [
    "SourceDocument", "ReviewReport", "RiskManagementPlan", "OptimalUseGuideline",
    "ClinicalTrialRecord", "ProductInformation", "MedicinalProduct", "Substance", "Organization",
    "MedicalConcept", "ClinicalStudy", "Indication", "DosageRegimen", "DoseModificationRule",
    "SafetyConcern", "PharmacovigilanceActivity", "RiskMinimisationActivity", "EfficacyResult",
    "AdverseEventIncidence", "ApprovalCondition", "UseRequirement", "ManagementRule",
    "EfficacyStudyActivity",
]
CONTRACT_PROPERTIES = [
    "sha256", "previousVersionDate", "aboutProduct", "page", "section", "evidenceText",
    "hasActiveSubstance", "marketingAuthorisationHolder", "studyIdentifier", "phase", "enrollment",
    "studiesProduct", "product", "disease", "text", "indication", "doseValue", "doseMin", "doseMax",
    "doseUnit", "route", "frequency", "cycleLengthDays", "cycleDays", "combinationWith", "parameter",
    "comparator", "thresholdValue", "thresholdUnit", "action", "concernCategory", "concept",
    "activityScope", "status", "targetSampleSize", "studyCode", "addresses", "study", "endpoint",
    "value", "unit", "ciLower", "ciUpper", "arm", "dataCutoff", "gradeScope", "patientCount",
    "percent", "denominator", "requirementKind", "forConcept", "grade", "recommends",
    # added by the extractors and the builder
    "tradeName", "approvalNumber", "approvalDate", "reexaminationYears", "therapeuticCategory",
    "reasonText", "milestone", "period", "reportDue", "cycleNumber", "regimenSubstance", "doseText",
    "studyTitle", "condition", "intervention", "sponsor", "country", "design", "primaryEndpoint",
    "secondaryEndpoint", "extractionMethod", "unlinked", "linkMethod", "linkScore", "code",
    "documentType", "extractionStatus", "issueText", "includesConcept",
]
INDIVIDUALS = [
    ("ImportantIdentifiedRisk", "ConcernCategory", "重要な特定されたリスク"),
    ("ImportantPotentialRisk", "ConcernCategory", "重要な潜在的リスク"),
    ("MissingInformation", "ConcernCategory", "重要な不足情報"),
    ("RoutineActivity", "ActivityScope", "通常の活動"),
    ("AdditionalActivity", "ActivityScope", "追加の活動"),
]


def _labels(g: Graph, term: URIRef) -> set[str | None]:
    return {o.language for o in g.objects(term, RDFS.label) if isinstance(o, Literal)}


@pytest.mark.parametrize("name", CONTRACT_CLASSES)
def test_every_contract_class_is_defined_with_both_labels(onto: Graph, name: str) -> None:
    term = YK[name]
    assert (term, RDF.type, OWL.Class) in onto
    assert {"en", "ja"} <= _labels(onto, term)
    assert onto.value(term, RDFS.comment) is not None


@pytest.mark.parametrize("name", CONTRACT_PROPERTIES)
def test_every_property_has_labels_comment_domain_and_range(onto: Graph, name: str) -> None:
    term = YK[name]
    assert {(term, RDF.type, OWL.ObjectProperty), (term, RDF.type, OWL.DatatypeProperty)} & set(
        onto.triples((term, RDF.type, None))), name
    assert {"en", "ja"} <= _labels(onto, term)
    assert onto.value(term, RDFS.comment) is not None
    assert onto.value(term, RDFS.domain) is not None
    assert onto.value(term, RDFS.range) is not None


def _model_predicates() -> set[str]:
    found: set[str] = set()
    for obj in vars(model).values():
        if isinstance(obj, type) and dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                p = f.metadata.get("p")
                if p and ":" not in p:
                    found.add(p)
    return found


def test_every_predicate_of_the_model_is_defined(onto: Graph) -> None:
    missing = sorted(p for p in _model_predicates() if (YK[p], RDF.type, None) not in onto)
    assert missing == []


def test_every_yk_term_the_builder_writes_is_defined(onto: Graph) -> None:
    source = (Path(model.__file__).parent / "rdf" / "build.py").read_text(encoding="utf-8")
    used = set(re.findall(r"\bYK\.([A-Za-z]\w*)", source))
    assert used, "the builder should use yk: terms"
    missing = sorted(t for t in used if (YK[t], RDF.type, None) not in onto)
    assert missing == []


@pytest.mark.parametrize("name,cls,ja", INDIVIDUALS)
def test_category_and_scope_individuals(onto: Graph, name: str, cls: str, ja: str) -> None:
    assert (YK[name], RDF.type, YK[cls]) in onto
    assert Literal(ja, lang="ja") in set(onto.objects(YK[name], RDFS.label))


@pytest.mark.parametrize("sub,sup", [
    (YK.MedicinalProduct, URIRef(SCHEMA + "Drug")),
    (YK.MedicalConcept, SKOS.Concept),
    (YK.Fact, PROV.Entity),
    (YK.SourceDocument, PROV.Entity),
    (YK.SourceDocument, URIRef(SCHEMA + "CreativeWork")),
    (YK.RiskManagementPlan, YK.SourceDocument),
    (YK.SafetyConcern, YK.Fact),
    (YK.PharmacovigilanceActivity, YK.Activity),
])
def test_alignment_axioms(onto: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in onto


def test_concept_scheme_carries_both_labels() -> None:
    g = Lexicon.load().to_graph()
    crs = YKID["concept/cytokine-release-syndrome"]
    assert (crs, RDF.type, YK.MedicalConcept) in g
    assert (crs, SKOS.inScheme, YKID["scheme/lexicon"]) in g
    assert Literal("cytokine release syndrome", lang="en") in set(g.objects(crs, SKOS.prefLabel))
    assert Literal("サイトカイン放出症候群", lang="ja") in set(g.objects(crs, SKOS.prefLabel))
    assert Literal("CRS", lang="en") in set(g.objects(crs, SKOS.altLabel))
    len_ = YKID["substance/lenalidomide"]
    assert {str(o) for o in g.objects(len_, RDFS.label)} == {"lenalidomide", "レナリドミド"}


# --------------------------------------------------------------------------- SHACL

DOC = YKID["doc/" + "a" * 64]
PRODUCT = YKID["product/lunsumio"]
CONCEPT = YKID["concept/cytokine-release-syndrome"]


def _valid_graph() -> tuple[Graph, URIRef]:
    """A tiny document graph written by hand: one document, one product, one concern,
    one dose rule."""
    g = Graph()
    g.add((DOC, RDF.type, YK.RiskManagementPlan))
    g.add((DOC, RDF.type, YK.SourceDocument))
    g.add((DOC, YK.sha256, Literal("a" * 64)))
    g.add((PRODUCT, RDF.type, YK.MedicinalProduct))
    g.add((PRODUCT, RDFS.label, Literal("Lunsumio", lang="en")))
    g.add((CONCEPT, RDF.type, YK.MedicalConcept))
    g.add((CONCEPT, SKOS.prefLabel, Literal("cytokine release syndrome", lang="en")))
    concern = YKID["fact/x/SafetyConcern/1"]
    g.add((concern, RDF.type, YK.SafetyConcern))
    g.add((concern, PROV.wasDerivedFrom, DOC))
    g.add((concern, YK.page, Literal(1, datatype=XSD.integer)))
    g.add((concern, YK.product, PRODUCT))
    g.add((concern, YK.concernCategory, YK.ImportantIdentifiedRisk))
    g.add((concern, RDFS.label, Literal("サイトカイン放出症候群", lang="ja")))
    g.add((concern, YK.concept, CONCEPT))
    rule = YKID["fact/x/DoseModificationRule/1"]
    g.add((rule, RDF.type, YK.DoseModificationRule))
    g.add((rule, PROV.wasDerivedFrom, DOC))
    g.add((rule, YK.product, PRODUCT))
    g.add((rule, YK.parameter, CONCEPT))
    g.add((rule, YK.action, Literal("interrupt")))
    g.add((rule, YK.comparator, Literal("<")))
    g.add((rule, YK.thresholdValue, Literal(Decimal("25000"), datatype=XSD.decimal)))
    g.add((rule, YK.text, Literal("a rule as written", lang="en")))
    return g, concern


def test_valid_graph_passes() -> None:
    g, _ = _valid_graph()
    assert validate(g) == []


def test_string_where_decimal_is_required_is_reported() -> None:
    g, _ = _valid_graph()
    rule = YKID["fact/x/DoseModificationRule/1"]
    g.set((rule, YK.thresholdValue, Literal("25,000")))
    found = validate(g)
    assert [(v.focus, v.path, v.severity) for v in found] == [
        (str(rule), str(YK.thresholdValue), "violation")]
    assert found[0].document == str(DOC)


def test_two_categories_on_one_concern_are_reported() -> None:
    g, concern = _valid_graph()
    g.add((concern, YK.concernCategory, YK.MissingInformation))
    found = validate(g)
    assert {(v.focus, v.path) for v in found} == {(str(concern), str(YK.concernCategory))}
    assert all(isinstance(v, Violation) and v.document == str(DOC) for v in found)


@pytest.mark.parametrize("pred,obj", [
    (YK.concernCategory, YK.RoutineActivity),          # not a concern category
    (YK.page, Literal("3")),                           # page must be xsd:integer
])
def test_wrong_values_are_reported(pred: URIRef, obj: object) -> None:
    g, concern = _valid_graph()
    g.set((concern, pred, obj))  # type: ignore[arg-type]
    assert [v.path for v in validate(g)] == [str(pred)]


def test_fact_without_provenance_is_reported() -> None:
    g, concern = _valid_graph()
    g.remove((concern, PROV.wasDerivedFrom, None))
    assert [v.path for v in validate(g)] == [str(PROV.wasDerivedFrom)]


def test_activity_status_must_be_known() -> None:
    g, _ = _valid_graph()
    act = BNode()
    g.add((act, RDF.type, YK.PharmacovigilanceActivity))
    g.add((act, PROV.wasDerivedFrom, DOC))
    g.add((act, YK.product, PRODUCT))
    g.add((act, RDFS.label, Literal("市販直後調査", lang="ja")))
    g.add((act, YK.activityScope, YK.AdditionalActivity))
    g.add((act, YK.status, Literal("unknown")))
    assert [v.path for v in validate(g)] == [str(YK.status)]


# --------------------------------------------------------------------------- seed corpus

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_seed_corpus_graphs_have_no_violations() -> None:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    from extract.classify import classify
    from extract.extractors import get_extractor
    from extract.load import load_document
    from extract.normalize.linker import link
    from extract.rdf.build import build_graph

    onto = Graph().parse(ontology_dir() / "yakuji.ttl", format="turtle")
    found: list[Violation] = []
    paths = sorted(SEEDS.glob("*.txt"))
    assert paths
    for path in paths:
        doc = load_document(path)
        cls = classify(doc)
        result = get_extractor(cls.doc_type)(doc)
        found.extend(validate(build_graph(doc, cls, result, link(result, doc)), onto))
    assert [str(v) for v in found] == []


def test_a_dataset_is_validated_graph_by_graph() -> None:
    from rdflib import Dataset

    good, _ = _valid_graph()
    bad, concern = _valid_graph()
    bad.add((concern, YK.concernCategory, YK.ImportantPotentialRisk))
    ds = Dataset()
    for iri, g in ((YKID["doc/good"], good), (YKID["doc/bad"], bad)):
        named = ds.graph(iri)
        for t in g:
            named.add(t)
    found = validate(ds)
    assert {(v.document, v.path) for v in found} == {(str(YKID["doc/bad"]), str(YK.concernCategory))}


def test_cli_validate_and_lexicon_gaps_on_the_project_samples(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from extract.cli import app

    samples = Path(__file__).resolve().parents[1] / "corpus" / "samples"
    rmps = sorted(samples.glob("rmp_*.txt"))
    if not rmps:
        pytest.skip("no fictional RMP samples in corpus/samples")
    store = str(tmp_path / "store")
    runner = CliRunner()
    ingested = runner.invoke(app, ["ingest", *map(str, rmps), "--store", store, "-q"])
    assert ingested.exit_code == 0, ingested.output
    checked = runner.invoke(app, ["validate", "--store", store])
    assert checked.exit_code == 0, checked.output
    assert "0 violation(s)" in checked.output
    listed = runner.invoke(app, ["lexicon", "gaps", "--store", store])
    assert listed.exit_code == 0
    for line in listed.stdout.splitlines():
        kind, key, label = line.split("\t")
        assert kind == "concept" and key.startswith("x-") and "@" in label
