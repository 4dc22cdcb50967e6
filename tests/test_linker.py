"""Linking mentions to shared keys, in both languages, with the variants documents use."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from extract.model import (
    DocumentInfo,
    ExtractionResult,
    Link,
    Mention,
    SafetyConcern,
    SourceRef,
    StudyFact,
)
from extract.normalize.lexicon import Entry, Lexicon
from extract.normalize.linker import (
    brand_stem,
    default_lexicon,
    gaps,
    learn_abbreviations,
    link,
    link_mention,
    study_norm,
    substance_stem,
    unlinked_key,
)

REF = SourceRef("0" * 64, 1, "1.1", 0, 1)


def _link(text: str, lang: str, kind: str = "concept", **kw: object) -> Link:
    return link_mention(Mention(text, lang, kind), default_lexicon(), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("text,lang,key,method", [
    # exact labels, both languages
    ("cytokine release syndrome", "en", "cytokine-release-syndrome", "exact"),
    ("サイトカイン放出症候群", "ja", "cytokine-release-syndrome", "exact"),
    ("Neuropathy peripheral", "en", "neuropathy-peripheral", "normalized"),
    ("末梢神経障害", "ja", "neuropathy-peripheral", "exact"),
    # British / American spelling and case
    ("Haemorrhage", "en", "haemorrhage", "normalized"),
    ("hemorrhage", "en", "haemorrhage", "exact"),
    ("出血", "ja", "haemorrhage", "exact"),
    ("Tumour lysis syndrome", "en", "tumour-lysis-syndrome", "normalized"),
    ("tumor lysis syndrome", "en", "tumour-lysis-syndrome", "exact"),
    ("腫瘍崩壊症候群", "ja", "tumour-lysis-syndrome", "exact"),
    ("Anaemia", "en", "anaemia", "normalized"),
    ("Tumour flare", "en", "tumour-flare", "normalized"),
    ("腫瘍フレア", "ja", "tumour-flare", "exact"),
    # the 症 / 数 suffix variants
    ("血小板減少", "ja", "thrombocytopenia", "exact"),
    ("血小板減少症", "ja", "thrombocytopenia", "exact"),
    ("血小板数減少", "ja", "thrombocytopenia", "exact"),
    ("Thrombocytopenia", "en", "thrombocytopenia", "normalized"),
    ("好中球減少", "ja", "neutropenia", "exact"),
    ("リンパ球数減少", "ja", "lymphopenia", "exact"),
    ("血球減少症", "ja", "cytopenia", "exact"),
    # NFKC, spaces from PDF line breaks, kana/kanji variants
    ("C反応性タンパク増加", "ja", "c-reactive-protein-increased", "normalized"),
    ("C－反応性蛋白増加", "ja", "c-reactive-protein-increased", "normalized"),
    ("サイトカイン 放出症候群", "ja", "cytokine-release-syndrome", "normalized"),
    ("せん妄", "ja", "delirium", "exact"),
    # SudachiPy normalised forms
    ("けいれん発作", "ja", "seizure", "sudachi"),
    ("不全片まひ", "ja", "hemiparesis", "sudachi"),
    ("発しん", "ja", "rash", "sudachi"),
    # a concept plus an included sub-concept, as RMPs write it
    ("神経学的事象(免疫エフェクター細胞関連神経毒性症候群含む)", "ja", "neurologic-event", "phrase"),
    ("神経学的事象（免疫エフェクタ ー細胞関連神経毒性症候群含 む）", "ja", "neurologic-event", "phrase"),
    ("Infusion reaction events", "ja", "infusion-related-reaction", "phrase"),  # Latin in a ja text
    # disease-course qualifiers
    ("再発又は難治性の多発性骨髄腫", "ja", "multiple-myeloma", "phrase"),
    ("relapsed or refractory adult T-cell leukemia-lymphoma", "en",
     "adult-t-cell-leukaemia-lymphoma", "phrase"),
    # abbreviations the lexicon knows
    ("CRS", "en", "cytokine-release-syndrome", "abbreviation"),
    ("ICANS", "ja", "icans", "abbreviation"),
    ("HLH", "en", "haemophagocytic-lymphohistiocytosis", "abbreviation"),
    ("DLBCL", "en", "diffuse-large-b-cell-lymphoma", "abbreviation"),
    ("血小板数", "ja", "platelet-count", "exact"),
    ("platelet count", "en", "platelet-count", "exact"),
])
def test_concepts_link_in_both_languages(text: str, lang: str, key: str, method: str) -> None:
    lk = _link(text, lang)
    assert (lk.key, lk.method, lk.unlinked) == (key, method, False)
    assert {lang for lang, _ in lk.labels} == {"en", "ja"}


def test_crs_in_english_and_japanese_share_one_key() -> None:
    en = _link("cytokine release syndrome", "en")
    ja = _link("サイトカイン放出症候群", "ja")
    assert en.key == ja.key == "cytokine-release-syndrome"
    assert dict(en.labels) == {"en": "cytokine release syndrome", "ja": "サイトカイン放出症候群"}


def test_included_sub_concept_is_noted() -> None:
    lk = _link("神経学的事象(免疫エフェクター細胞関連神経毒性症候群含む)", "ja")
    assert lk.includes == ("icans",)
    assert lk.score < 1.0


@pytest.mark.parametrize("text,lang", [
    ("headache/nausea/rash/pyrexia/vomiting", "en"),  # several concepts
    ("Grade 3以上の好中球減少症が認められた患者", "ja"),               # a sentence, not a name
    ("frobnication syndrome", "en"),
])
def test_unknown_or_compound_mentions_stay_unlinked(text: str, lang: str) -> None:
    lk = _link(text, lang)
    assert lk.unlinked and lk.method == "unlinked" and lk.score == 0.0
    assert lk.key == unlinked_key(text, lang)  # type: ignore[arg-type]
    assert lk.key.startswith("x-") and lk.key.isascii()
    assert lk.labels == ((lang, text),)


def test_unlinked_key_is_deterministic_and_variant_tolerant() -> None:
    assert unlinked_key("Frobnication Syndrome", "en") == unlinked_key("frobnication  syndrome", "en")
    assert unlinked_key("frobnication syndrome", "en") != unlinked_key("frobnication", "en")


@pytest.mark.parametrize("text,lang,kind,key", [
    ("レナリドミド", "ja", "substance", "lenalidomide"),
    ("Lenalidomide Hydrate", "en", "substance", "lenalidomide"),
    ("lenalidomide", "en", "substance", "lenalidomide"),
    ("モスネツズマブ(遺伝子組換え)", "ja", "substance", "mosunetuzumab"),
    ("モスネツズマブ（遺伝子組換え）", "ja", "substance", "mosunetuzumab"),
    ("イデカブタゲン ビクルユーセル", "ja", "substance", "idecabtagene-vicleucel"),
    ("トシリズマブ(遺伝子組換え)", "ja", "substance", "tocilizumab"),
    ("シクロホスファミド水和物", "ja", "substance", "cyclophosphamide"),
    ("フルダラビンリン酸エステル", "ja", "substance", "fludarabine"),
    ("Fludarabine Phosphate", "en", "substance", "fludarabine"),
    ("ポラツズマブ ベドチン(遺伝子組換え)", "ja", "substance", "polatuzumab-vedotin"),
    ("デキサメタゾン", "ja", "substance", "dexamethasone"),
    ("Revlimid", "en", "product", "revlimid"),
    ("Revlimid Capsules 2.5 mg", "en", "product", "revlimid"),
    ("レブラミドカプセル2.5mg", "ja", "product", "revlimid"),
    ("Abecma", "en", "product", "abecma"),
    ("アベクマ", "ja", "product", "abecma"),
    ("アベクマ点滴静注", "ja", "product", "abecma"),
    ("ルンスミオ®点滴静注1mg", "ja", "product", "lunsumio"),
    ("ルンスミオ®皮下注 45mg", "ja", "product", "lunsumio"),
    ("Celgene K.K.", "en", "organization", "celgene"),
    ("セルジーン株式会社", "ja", "organization", "celgene"),
    ("中外製薬株式会社", "ja", "organization", "chugai"),
    ("Chugai Pharmaceutical Co., Ltd.", "en", "organization", "chugai"),
    ("ブリストル・マイヤーズ スクイブ株式会社", "ja", "organization", "bristol-myers-squibb"),
])
def test_entities_link_to_one_key(text: str, lang: str, kind: str, key: str) -> None:
    lk = _link(text, lang, kind)
    assert (lk.key, lk.kind, lk.unlinked) == (key, kind, False)
    assert {lang for lang, _ in lk.labels} == {"en", "ja"}


@pytest.mark.parametrize("text,lang,kind,key", [
    ("Frobnimab", "en", "substance", "frobnimab"),
    ("Frobnix Tablets 10 mg", "en", "product", "frobnix"),
])
def test_unknown_entities_get_a_slug(text: str, lang: str, kind: str, key: str) -> None:
    lk = _link(text, lang, kind)
    assert (lk.key, lk.unlinked) == (key, True)


@pytest.mark.parametrize("raw,stem", [
    ("Revlimid Capsules 2.5 mg, 5", "Revlimid"),
    ("ルンスミオ®点滴静注30mg", "ルンスミオ"),
    ("アベクマ点滴静注", "アベクマ"),
    ("Frobnix for Injection 100 mg", "Frobnix"),
    ("フロブカプセル100", "フロブ"),
    ("Frob 100", "Frob 100"),  # a bare number is a strength only after a dosage form
])
def test_brand_stem(raw: str, stem: str) -> None:
    assert brand_stem(raw) == stem


@pytest.mark.parametrize("raw,stem", [
    ("モスネツズマブ（遺伝子組換え）", "モスネツズマブ"),
    ("Lenalidomide Hydrate", "Lenalidomide"),
    ("レナリドミド水和物", "レナリドミド"),
])
def test_substance_stem(raw: str, stem: str) -> None:
    assert substance_stem(raw) == stem


# --------------------------------------------------------------------------- abbreviations

# Fictional sentences in the shape documents use to define abbreviations.
JA_DEFINITION = "本剤の投与により腫瘍崩壊症候群（以下、「TLS」という）があらわれることがある。\n"
EN_DEFINITION = "Patients developed frobnication release syndrome (FRS) after the first dose.\n"


def test_abbreviations_defined_in_the_document_are_learned() -> None:
    learned = learn_abbreviations(JA_DEFINITION + EN_DEFINITION, default_lexicon())
    assert learned["TLS"] == "腫瘍崩壊症候群"
    assert learned["FRS"] == "frobnication release syndrome"


def test_document_abbreviation_links_like_its_expansion() -> None:
    learned = {"TLS": "腫瘍崩壊症候群", "FRS": "frobnication release syndrome"}
    tls = _link("TLS", "ja", abbreviations=learned)
    assert (tls.key, tls.method) == ("tumour-lysis-syndrome", "abbreviation")
    frs = _link("FRS", "en", abbreviations=learned)
    full = _link("frobnication release syndrome", "en")
    assert frs.key == full.key and frs.unlinked and frs.method == "abbreviation"


def test_a_document_abbreviation_overrides_nothing_it_cannot_expand() -> None:
    # "(Japan)" is not an abbreviation of the words before it
    assert "Japan" not in learn_abbreviations("A study conducted in Tokyo (Japan).", default_lexicon())


# --------------------------------------------------------------------------- studies


@pytest.mark.parametrize("raw,norm", [
    ("Study ATLL-002", "ATLL-002"),
    ("ATLL-002試験", "ATLL-002"),
    ("MM-001 試験", "MM-001"),
    ("cc-5013-atll-002", "CC-5013-ATLL-002"),
])
def test_study_norm(raw: str, norm: str) -> None:
    assert study_norm(raw) == norm


def _result_with_studies() -> ExtractionResult:
    product = Mention("Frobnix", "en", "product")
    return ExtractionResult(
        info=DocumentInfo(title="t", issued=dt.date(2020, 1, 1), products=(product,)),
        studies=(StudyFact(("CC-5013-ATLL-002",), REF, aliases=("Study ATLL-002",)),
                 StudyFact(("BB2121-MM-001",), REF, aliases=("KarMMa", "MM-001試験"))),
        facts=(SafetyConcern(product, "identified", "サイトカイン放出症候群", REF,
                             concept=Mention("サイトカイン放出症候群", "ja", "concept")),
               SafetyConcern(product, "missing", "frobnication syndrome", REF,
                             concept=Mention("frobnication syndrome", "en", "concept"))),
    )


@pytest.mark.parametrize("text,key", [
    ("Study ATLL-002", "study/CC-5013-ATLL-002"),
    ("ATLL-002", "study/CC-5013-ATLL-002"),
    ("CC-5013-ATLL-002", "study/CC-5013-ATLL-002"),
    ("KarMMa", "study/BB2121-MM-001"),
    ("MM-001試験", "study/BB2121-MM-001"),
    ("bb2121-mm-001", "study/BB2121-MM-001"),
    ("NCT01234567", "study/NCT01234567"),
])
def test_studies_link_through_their_identifiers_and_aliases(text: str, key: str) -> None:
    from extract.normalize.linker import StudyIndex

    index = StudyIndex.from_facts(_result_with_studies().studies)
    lk = link_mention(Mention(text, "en", "study"), default_lexicon(), studies=index)
    assert lk.key == key and not lk.unlinked


def test_link_covers_every_mention_and_gaps_lists_the_unknown() -> None:
    result = _result_with_studies()
    links = link(result)
    assert set(links) == result.mentions()
    assert links[Mention("サイトカイン放出症候群", "ja", "concept")].key == "cytokine-release-syndrome"
    found = gaps(links)
    assert [(g.kind, g.labels) for g in found] == [
        ("concept", (("en", "frobnication syndrome"),)),
        ("product", (("en", "Frobnix"),)),
    ]


def test_a_tiny_lexicon_can_be_passed_in() -> None:
    lexicon = Lexicon.from_entries([Entry("frobnication-syndrome", "adverse-event",
                                          "frobnication syndrome", "フロブ症候群")])
    links = link(_result_with_studies(), lexicon=lexicon)
    lk = links[Mention("frobnication syndrome", "en", "concept")]
    assert (lk.key, lk.labels) == ("frobnication-syndrome",
                                   (("en", "frobnication syndrome"), ("ja", "フロブ症候群")))
    assert links[Mention("サイトカイン放出症候群", "ja", "concept")].unlinked


# --------------------------------------------------------------------------- seeds

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def test_seed_safety_and_serious_reaction_coverage_is_at_least_95_percent() -> None:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "lexicon_coverage", Path(__file__).resolve().parents[1] / "scripts" / "lexicon_coverage.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    report = module.coverage(SEEDS)
    assert report.total >= 10
    assert report.percent >= 95.0, report.gaps


@pytest.mark.parametrize("text,abbr,expansion", [
    ("Patients with adult T-cell leukemia-\nlymphoma (ATLL) were enrolled.", "ATLL",
     "adult T-cell leukemia-lymphoma"),
    ("a history of acute myeloid leukaemia (AML) was excluded", "AML", "acute myeloid leukaemia"),
    ("本剤によりサイトカイン放出\n症候群（以下、「CRS」）が起こる。", "CRS", "サイトカイン放出症候群"),
])
def test_abbreviation_expansions_respect_line_breaks_and_initials(text: str, abbr: str,
                                                                  expansion: str) -> None:
    assert learn_abbreviations(text, default_lexicon())[abbr] == expansion


# --------------------------------------------------------------------------- in the graph

# Two fictional RMP fragments, one per language, naming the same risk.
FICTION = {
    "en": ("Risk management plan of Frobnix\n1.1 Safety specification\n"
           "Important identified risks\ncytokine release syndrome\n"),
    "ja": ("フロブニクスに係る医薬品リスク管理計画書\n1.1 安全性検討事項\n"
           "【重要な特定されたリスク】\nサイトカイン放出症候群\n"),
}


@pytest.mark.parametrize("label,lang", [("cytokine release syndrome", "en"),
                                        ("サイトカイン放出症候群", "ja")])
def test_query_by_either_label_finds_the_concept_of_both_documents(
        tmp_path: Path, label: str, lang: str) -> None:
    from rdflib import Dataset, Literal, URIRef

    from extract.load import load_document
    from extract.model import Classification, DocType
    from extract.rdf.build import build_graph

    ds = Dataset()
    for doc_lang, text in FICTION.items():
        path = tmp_path / f"rmp_{doc_lang}.txt"
        path.write_text(text, encoding="utf-8")
        doc = load_document(path)
        start = doc.text.index(text.splitlines()[-1])
        product = Mention("Frobnix" if doc_lang == "en" else "フロブニクス", doc_lang, "product")  # type: ignore[arg-type]
        concern = SafetyConcern(product, "identified", text.splitlines()[-1],
                                doc.ref(start, start + len(text.splitlines()[-1])),
                                concept=Mention(text.splitlines()[-1], doc_lang, "concept"))  # type: ignore[arg-type]
        result = ExtractionResult(info=DocumentInfo(products=(product,)), facts=(concern,))
        cls = Classification(DocType.RMP, doc_lang, 1.0, ())  # type: ignore[arg-type]
        graph = build_graph(doc, cls, result, link(result, doc))
        named = ds.graph(graph.identifier)
        for triple in graph:
            named.add(triple)
    q = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
           PREFIX yk: <https://w3id.org/yakuji/ontology#>
           SELECT DISTINCT ?concept ?risk WHERE {
             GRAPH ?g1 { ?concept skos:prefLabel ?label }
             GRAPH ?g2 { ?risk a yk:SafetyConcern ; yk:concept ?concept ;
                               yk:concernCategory yk:ImportantIdentifiedRisk } }"""
    rows = list(ds.query(q, initBindings={"label": Literal(label, lang=lang)}))
    concepts = {r[0] for r in rows}
    assert concepts == {URIRef("https://w3id.org/yakuji/id/concept/cytokine-release-syndrome")}
    assert len({r[1] for r in rows}) == 2  # the concern of each document
