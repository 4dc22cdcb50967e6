"""The bilingual lexicon: well-formed records, both labels, matching keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.normalize.lexicon import COLUMNS, Entry, Lexicon, label_lang, normalize_label, read_tsv


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


@pytest.mark.parametrize("text,lang,key", [
    ("Haemorrhage", "en", "hemorrhage"),
    ("Tumour  lysis-syndrome", "en", "tumor lysis syndrome"),
    ("Anaemia", "en", "anemia"),
    ("Diarrhoea", "en", "diarrhea"),
    ("血小板減少症", "ja", "血小板減少"),
    ("血小板数減少", "ja", "血小板減少"),
    ("血小板減少", "ja", "血小板減少"),
    ("低タンパク血症", "ja", "低蛋白血"),
    ("Ｃ－反応性蛋白増加", "ja", "c反応性蛋白増加"),
    ("大細胞型 B 細胞リンパ腫", "ja", "大細胞型b細胞リンパ腫"),
])
def test_normalize_label(text: str, lang: str, key: str) -> None:
    assert normalize_label(text, lang) == key  # type: ignore[arg-type]


@pytest.mark.parametrize("text,lang", [("サイトカイン放出症候群", "ja"), ("CRS", "en"), ("C-反応性蛋白増加", "ja"),
                                       ("γ", "en")])
def test_label_lang(text: str, lang: str) -> None:
    assert label_lang(text) == lang


def test_every_record_has_both_labels_and_a_slug(lexicon: Lexicon) -> None:
    assert len(lexicon.entries) > 200
    for e in lexicon.entries:
        # Japanese in Japanese script, unless written alike in both (COVID-19)
        assert e.pref_en and e.pref_ja, e.id
        assert label_lang(e.pref_ja) == "ja" or e.pref_ja == e.pref_en, e.id
        assert e.id.isascii() and e.id == e.id.lower(), e.id


def test_no_two_records_share_a_normalised_name(lexicon: Lexicon) -> None:
    clashes = {}
    for e in lexicon.entries:
        for name in e.names():
            hits = {x.id for x in lexicon.normalized(e.kind, name)}
            if len(hits) > 1:
                clashes[name] = sorted(hits)
    assert clashes == {}


# Terms read by hand from the seeds' safety specifications, serious-reaction lists,
# adverse-event tables, indications and dose rules, with the English term they mean.
@pytest.mark.parametrize("ja,en,key", [
    ("サイトカイン放出症候群", "cytokine release syndrome", "cytokine-release-syndrome"),
    ("免疫エフェクター細胞関連神経毒性症候群", "immune effector cell-associated neurotoxicity syndrome", "icans"),
    ("血球貪食性リンパ組織球症", "haemophagocytic lymphohistiocytosis", "haemophagocytic-lymphohistiocytosis"),
    ("腫瘍崩壊症候群", "tumour lysis syndrome", "tumour-lysis-syndrome"),
    ("腫瘍フレア", "tumour flare", "tumour-flare"),
    ("低γグロブリン血症", "hypogammaglobulinaemia", "hypogammaglobulinaemia"),
    ("発熱性好中球減少症", "febrile neutropenia", "febrile-neutropenia"),
    ("末梢神経障害", "neuropathy peripheral", "neuropathy-peripheral"),
    ("静脈血栓塞栓症", "venous thromboembolism", "venous-thromboembolism"),
    ("間質性肺疾患", "interstitial lung disease", "interstitial-lung-disease"),
    ("成人T細胞白血病リンパ腫", "adult T-cell leukaemia-lymphoma", "adult-t-cell-leukaemia-lymphoma"),
    ("多発性骨髄腫", "multiple myeloma", "multiple-myeloma"),
    ("濾胞性リンパ腫", "follicular lymphoma", "follicular-lymphoma"),
    ("びまん性大細胞型B細胞リンパ腫", "diffuse large B-cell lymphoma", "diffuse-large-b-cell-lymphoma"),
    ("好中球数", "neutrophil count", "neutrophil-count"),
    ("血小板数", "platelet count", "platelet-count"),
])
def test_seed_concepts_are_bilingual(lexicon: Lexicon, ja: str, en: str, key: str) -> None:
    assert [e.id for e in lexicon.exact("concept", ja)] == [key]
    assert [e.id for e in lexicon.normalized("concept", en)] == [key]


@pytest.mark.parametrize("key,en,ja", [
    ("lenalidomide", "lenalidomide", "レナリドミド"),
    ("dexamethasone", "dexamethasone", "デキサメタゾン"),
    ("mosunetuzumab", "mosunetuzumab", "モスネツズマブ"),
    ("idecabtagene-vicleucel", "idecabtagene vicleucel", "イデカブタゲン ビクルユーセル"),
    ("tocilizumab", "tocilizumab", "トシリズマブ"),
    ("cyclophosphamide", "cyclophosphamide", "シクロホスファミド"),
    ("fludarabine", "fludarabine", "フルダラビン"),
    ("polatuzumab-vedotin", "polatuzumab vedotin", "ポラツズマブ ベドチン"),
])
def test_substances_use_the_inn_in_lower_case(lexicon: Lexicon, key: str, en: str, ja: str) -> None:
    e = lexicon.get(key)
    assert e is not None and (e.type, e.pref_en, e.pref_ja) == ("substance", en, ja)


@pytest.mark.parametrize("abbr,key", [("CRS", "cytokine-release-syndrome"), ("ICANS", "icans"),
                                      ("HLH", "haemophagocytic-lymphohistiocytosis"),
                                      ("TLS", "tumour-lysis-syndrome"),
                                      ("ATLL", "adult-t-cell-leukaemia-lymphoma"),
                                      ("MM", "multiple-myeloma"), ("MDS", "myelodysplastic-syndromes"),
                                      ("DLBCL", "diffuse-large-b-cell-lymphoma"),
                                      ("FL", "follicular-lymphoma"), ("PTCL", "peripheral-t-cell-lymphoma")])
def test_abbreviations(lexicon: Lexicon, abbr: str, key: str) -> None:
    assert [e.id for e in lexicon.abbreviation("concept", abbr)] == [key]
    assert lexicon.abbreviation("concept", abbr.lower()) == []


def test_icd10_codes_for_diseases(lexicon: Lexicon) -> None:
    assert lexicon.get("multiple-myeloma").codes == ("ICD10:C90.0",)  # type: ignore[union-attr]
    assert lexicon.get("adult-t-cell-leukaemia-lymphoma").codes == ("ICD10:C91.5",)  # type: ignore[union-attr]


@pytest.mark.parametrize("row,message", [
    ("Bad Id\tdisease\tx\tエックス\t\t\t", "slug"),
    ("x\tnonsense\tx\tエックス\t\t\t", "unknown type"),
    ("x\tdisease\tx\t\t\t\t", "both pref_en and pref_ja"),
    ("x\tdisease\tx", "expected 7 columns"),
])
def test_malformed_rows_are_rejected_with_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("\t".join(COLUMNS) + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message) as err:
        read_tsv(path)
    assert "bad.tsv:2" in str(err.value)


def test_duplicate_ids_are_rejected() -> None:
    e = Entry("x", "disease", "x", "エックス")
    with pytest.raises(ValueError, match="duplicate"):
        Lexicon.from_entries([e, e])
