"""Optimal-use guideline extractor: values read by hand from seed 002 (Abecma guideline,
markdown-like text) and from the project's fictional sample corpus/samples/guideline_ja.txt."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from extract.extractors.guideline import extract
from extract.load import load_document
from extract.model import (AdverseEventIncidence, Document, DosageRegimen, EfficacyResult,
                           EligibilityCriterion, ExtractionResult, Indication, ManagementRule,
                           UseRequirement)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
D = Decimal


@pytest.fixture(scope="module")
def seed() -> tuple[Document, ExtractionResult]:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    doc = load_document(SEEDS / "002_1b142aeaa985d70d.txt")
    return doc, extract(doc)


@pytest.fixture(scope="module")
def sample() -> tuple[Document, ExtractionResult]:
    doc = load_document(SAMPLES / "guideline_ja.txt")
    return doc, extract(doc)


def _of(result: ExtractionResult, kind: type) -> list:
    return [f for f in result.facts if isinstance(f, kind)]


def _efficacy(result: ExtractionResult, study: str, endpoint: str, arm_part: str,
              cutoff: dt.date | None, unit: str) -> EfficacyResult:
    found = [f for f in _of(result, EfficacyResult)
             if f.study.text == study and f.endpoint == endpoint and f.unit == unit
             and f.arm is not None and arm_part in f.arm and f.data_cutoff == cutoff]
    assert len(found) == 1, [(f.arm, f.value) for f in found]
    return found[0]


def _incidence(result: ExtractionResult, study: str, concept: str, arm: str | None,
               scope: str) -> AdverseEventIncidence:
    found = [f for f in _of(result, AdverseEventIncidence)
             if f.study.text == study and f.concept.text == concept and f.arm == arm
             and f.grade_scope == scope]
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- seed 002


def test_seed_document_product_and_date(seed: tuple[Document, ExtractionResult]) -> None:
    _doc, r = seed
    assert r.info.issued == dt.date(2023, 12, 1)  # 令和5年12月, day unknown
    assert r.info.title is not None and r.info.title.startswith("最適使用推進ガイドライン")
    (product,) = r.products
    assert product.product.text == "アベクマ点滴静注"
    assert [s.text for s in product.substances] == ["イデカブタゲン ビクルユーセル"]
    assert r.info.products == (product.product,)


def test_seed_indication_keeps_conditions(seed: tuple[Document, ExtractionResult]) -> None:
    _doc, r = seed
    (ind,) = _of(r, Indication)
    assert ind.text.startswith("再発又は難治性の多発性骨髄腫。")
    assert "2 つ以上の前治療歴" in ind.text and "治療歴がない" in ind.text
    assert ind.disease is not None and ind.disease.text == "再発又は難治性の多発性骨髄腫"


@pytest.mark.parametrize("substance,value,unit,frequency", [
    ("シクロホスファミド", D("300"), "mg/m2", "once daily"),
    ("フルダラビンリン酸エステル", D("30"), "mg/m2", "once daily"),
    ("トシリズマブ(遺伝子組換え)", D("8"), "mg/kg", None),
    ("トシリズマブ(遺伝子組換え)", D("12"), "mg/kg", None),
])
def test_seed_pretreatment_and_supportive_doses(seed: tuple[Document, ExtractionResult], substance: str,
                                                value: Decimal, unit: str, frequency: str | None) -> None:
    _doc, r = seed
    (reg,) = [d for d in _of(r, DosageRegimen)
              if d.substance is not None and d.substance.text == substance and d.dose_value == value]
    assert (reg.dose_unit, reg.route, reg.frequency) == (unit, "intravenous", frequency)
    # lymphodepleting chemotherapy: 1 日 1 回 3 日間 (days 1-3); tocilizumab is a single infusion per event
    assert reg.cycle_days == ("1-3" if frequency == "once daily" else None)


def test_seed_product_dose_is_target_with_range(seed: tuple[Document, ExtractionResult]) -> None:
    doc, r = seed
    (reg,) = [d for d in _of(r, DosageRegimen) if d.substance is None]
    assert (reg.dose_value, reg.dose_min, reg.dose_max) == (D("450000000"), D("280000000"), D("540000000"))
    assert (reg.dose_unit, reg.route, reg.frequency) == ("cells", "intravenous", "single dose")
    assert reg.product.text == "アベクマ点滴静注"
    assert doc.text[reg.ref.start:reg.ref.end] == reg.text


@pytest.mark.parametrize("code,alias,phase,enrollment", [
    ("BB2121-MM-001", "MM-001 試験", "II", None),  # enrolment not stated in the guideline
    ("CRB-401", "CRB-401 試験", "I", None),
    ("BB2121-MM-003", "MM-003 試験", "III", 386),  # ITT: 本品群 254 + 標準治療群 132
])
def test_seed_studies(seed: tuple[Document, ExtractionResult], code: str, alias: str, phase: str,
                      enrollment: int | None) -> None:
    _doc, r = seed
    (study,) = [s for s in r.studies if s.identifiers == (code,)]
    assert alias in study.aliases
    assert (study.phase, study.enrollment) == (phase, enrollment)


def test_seed_missing_enrolment_is_reported(seed: tuple[Document, ExtractionResult]) -> None:
    _doc, r = seed
    (study,) = [s for s in r.studies if s.identifiers == ("BB2121-MM-001",)]
    assert any(i.code == "field-missing" and i.ref == study.ref for i in r.issues)


@pytest.mark.parametrize("study,endpoint,arm,cutoff,unit,value,lo,hi,count,n", [
    ("BB2121-MM-001", "ORR", "150×10^6 ~ 450×10^6 個 128 例", dt.date(2019, 10, 16), "%",
     D("73.4"), D("65.8"), D("81.1"), 94, 128),
    ("BB2121-MM-001", "ORR", "外国人コホート / 450×10^6 個 54 例", dt.date(2019, 10, 16), "%",
     D("81.5"), D("68.6"), D("90.7"), 44, 54),
    ("BB2121-MM-001", "ORR", "日本人 コホート", dt.date(2020, 12, 21), "%",
     D("88.9"), D("51.8"), D("99.7"), 8, 9),
    ("BB2121-MM-001", "ORR", "全体集団", dt.date(2020, 12, 21), "%", D("74.5"), D("67.1"), D("81.8"), 102, None),
    ("BB2121-MM-001", "sCR", "外国人コホート / 300×10^6 個 70 例", dt.date(2019, 10, 16), "%",
     D("27.1"), None, None, 19, 70),
    ("BB2121-MM-001", "VGPR", "日本人 コホート", dt.date(2020, 12, 21), "%", D("33.3"), None, None, 3, 9),
    ("CRB-401", "ORR", "全体 62 例", dt.date(2020, 4, 7), "%", D("74.2"), D("61.5"), D("84.5"), 46, 62),
    ("CRB-401", "ORR", "800×10^6 個 3 例", dt.date(2020, 4, 7), "%", D("100"), D("29.2"), D("100"), 3, 3),
    ("CRB-401", "PR", "50×10^6 個 3 例", dt.date(2020, 4, 7), "%", D("33.3"), None, None, 1, 3),
    ("BB2121-MM-003", "PFS", "本品群 254 例 vs 標準治療群 132 例", dt.date(2022, 4, 18), "hazard ratio",
     D("0.493"), D("0.365"), D("0.666"), None, None),
    ("BB2121-MM-003", "PFS", "本品群 254 例", dt.date(2022, 4, 18), "months", D("13.3"), D("11.8"), D("16.1"), None, None),
    ("BB2121-MM-003", "PFS", "標準治療群 132 例", dt.date(2022, 4, 18), "months", D("4.4"), D("3.4"), D("5.9"), None, None),
    ("BB2121-MM-003", "OS", "本品群 254 例 vs", dt.date(2023, 4, 28), "hazard ratio",
     D("1.012"), D("0.731"), D("1.400"), None, None),
    ("BB2121-MM-003", "OS", "本品群 254 例", dt.date(2023, 4, 28), "months", D("41.4"), D("30.9"), None, None, None),
    ("BB2121-MM-003", "PFS", "3レジメン / 本品群 95例 vs", dt.date(2022, 4, 18), "hazard ratio",
     D("0.445"), D("0.292"), D("0.678"), None, None),
    ("BB2121-MM-003", "ORR", "全体 / 本品群 254例", dt.date(2022, 4, 18), "%", D("71.3"), D("65.7"), D("76.8"), 181, 254),
    ("BB2121-MM-003", "ORR", "2レジメン / 標準治療群 39例", dt.date(2022, 4, 18), "%", D("51.3"), D("35.6"), D("67.0"), 20, 39),
])
def test_seed_efficacy(seed: tuple[Document, ExtractionResult], study: str, endpoint: str, arm: str,
                       cutoff: dt.date, unit: str, value: Decimal, lo: Decimal | None, hi: Decimal | None,
                       count: int | None, n: int | None) -> None:
    doc, r = seed
    f = _efficacy_exact_or_part(r, study, endpoint, arm, cutoff, unit)
    assert (f.value, f.ci_lower, f.ci_upper, f.patient_count, f.denominator) == (value, lo, hi, count, n)
    assert str(value) in doc.text[f.ref.start:f.ref.end]


def _efficacy_exact_or_part(r: ExtractionResult, study: str, endpoint: str, arm: str,
                            cutoff: dt.date, unit: str) -> EfficacyResult:
    exact = [f for f in _of(r, EfficacyResult) if f.study.text == study and f.endpoint == endpoint
             and f.unit == unit and f.arm == arm and f.data_cutoff == cutoff]
    return exact[0] if len(exact) == 1 else _efficacy(r, study, endpoint, arm, cutoff, unit)


def test_seed_footnoted_count_is_not_a_number(seed: tuple[Document, ExtractionResult]) -> None:
    """The Japanese subgroup's responder count is printed "2*4": no count is read from it."""
    _doc, r = seed
    f = _efficacy(r, "BB2121-MM-003", "ORR", "日本人集団 / 本品群 4 例", dt.date(2022, 4, 18), "%")
    assert (f.value, f.ci_lower, f.ci_upper, f.patient_count) == (D("50.0"), D("1.0"), D("99.0"), None)


@pytest.mark.parametrize("study,concept,arm,scope,count,percent,n", [
    ("BB2121-MM-001", "サイトカイン放出症候群", "全体 137 例", "all", 116, D("84.7"), 137),
    ("BB2121-MM-001", "サイトカイン放出症候群", "全体 137 例", ">=3", 7, D("5.1"), 137),
    ("BB2121-MM-001", "サイトカイン放出症候群", "450×10^6 個 63 例", "all", 61, D("96.8"), 63),
    ("BB2121-MM-001", "好中球減少症", "450×10^6 個 63 例", ">=3", 45, D("71.4"), 63),
    ("BB2121-MM-001", "低血圧", "全体 137 例", "all", 7, D("5.1"), 137),  # after the repeated header
    ("BB2121-MM-001", "疲労", "150×10^6 個 4 例", "all", 0, D("0"), 4),
    ("CRB-401", "サイトカイン放出症候群", "全体 62例", "all", 47, D("75.8"), 62),
    ("CRB-401", "頻脈", "450×10^6 個 38例", "all", 4, D("10.5"), 38),
    ("BB2121-MM-003", "サイトカイン放出症候群", None, "all", 197, D("87.6"), 225),
    ("BB2121-MM-003", "低血圧", None, ">=3", 3, D("1.3"), 225),  # second part of the split table
    ("BB2121-MM-003", "頻脈", None, "all", 20, D("8.9"), 225),
])
def test_seed_adverse_reactions(seed: tuple[Document, ExtractionResult], study: str, concept: str,
                                arm: str | None, scope: str, count: int, percent: Decimal, n: int) -> None:
    doc, r = seed
    f = _incidence(r, study, concept, arm, scope)
    assert (f.patient_count, f.percent, f.denominator) == (count, percent, n)
    assert doc.text[f.ref.start:f.ref.end].startswith(concept)


@pytest.mark.parametrize("study,concept,arm,scope,count,soc", [
    ("BB2121-MM-001", "サイトカイン放出症候群", "全体 137 例", "all", 116, "免疫系障害"),
    ("BB2121-MM-001", "好中球減少症", "450×10^6 個 63 例", ">=3", 45, "血液およびリンパ系障害"),
    ("BB2121-MM-001", "C-反応性蛋白増加", "全体 137 例", "all", 12, "臨床検査"),
    ("BB2121-MM-001", "錯乱状態", "全体 137 例", "all", 13, "精神障害"),
    ("BB2121-MM-001", "低血圧", "全体 137 例", "all", 7, "血管障害"),  # after the repeated header
    ("CRB-401", "頭痛", "全体 62例", "all", 9, "神経系障害"),
    ("CRB-401", "悪寒", "450×10^6 個 38例", "all", 4, "一般・全身障害および投与部位の状態"),
    ("BB2121-MM-003", "肺炎", None, ">=3", 14, "感染症および寄生虫症"),
    ("BB2121-MM-003", "頻脈", None, "all", 20, "心臓障害"),
    ("BB2121-MM-003", "脱毛症", None, "all", 13, "皮膚および皮下組織障害"),
    ("BB2121-MM-003", "C-反応性蛋白増加", None, "all", 13, "臨床検査"),  # first row after the page break
    # SOC rows keep their own totals, the SOC as concept
    ("BB2121-MM-001", "免疫系障害", "全体 137 例", "all", 120, None),
    ("BB2121-MM-003", "血管障害", None, ">=3", 19, None),
])
def test_seed_adverse_reactions_system_organ_class(seed: tuple[Document, ExtractionResult], study: str,
                                                   concept: str, arm: str | None, scope: str, count: int,
                                                   soc: str | None) -> None:
    _doc, r = seed
    f = _incidence(r, study, concept, arm, scope)
    assert (f.patient_count, f.soc.text if f.soc else None) == (count, soc)


def test_seed_adverse_tables_skip_header_and_total_rows(seed: tuple[Document, ExtractionResult]) -> None:
    _doc, r = seed
    concepts = {f.concept.text for f in _of(r, AdverseEventIncidence)}
    assert not any("器官別" in c or c.startswith("全副作用") for c in concepts)


@pytest.mark.parametrize("concept,grade,recommends,phrase,dose", [
    ("CRS", 1, ("トシリズマブ",), "72 時間未満", "8 mg/kg"),
    ("CRS", 1, (), "72 時間以上", None),
    ("CRS", 2, ("トシリズマブ",), "8 mg/kg の静脈内投与", "8 mg/kg"),
    ("CRS", 2, ("デキサメタゾン",), "12~24 時間ごと", "10 mg"),
    ("CRS", 2, ("メチルプレドニゾロン",), "急速な悪化が継続", "2 mg/kg"),  # row continued after the page break
    ("CRS", 4, ("デキサメタゾン",), "6 時間ごと", "20 mg"),
    ("神経系事象", 1, ("デキサメタゾン",), "72 時間未満", "10 mg"),
    ("神経系事象", 3, ("メチルプレドニゾロン", "シクロホスファミド"), "脳浮腫", "1~2 g"),
    ("神経系事象", 4, ("デキサメタゾン",), "20 mg を 6 時間ごと", "20 mg"),
])
def test_seed_management_rules(seed: tuple[Document, ExtractionResult], concept: str, grade: int,
                               recommends: tuple[str, ...], phrase: str, dose: str | None) -> None:
    doc, r = seed
    found = [m for m in _of(r, ManagementRule) if m.concept.text == concept and m.grade == grade
             and phrase in m.text and tuple(s.text for s in m.recommends) == recommends]
    assert found, [(m.grade, m.text[:30]) for m in _of(r, ManagementRule) if m.concept.text == concept]
    assert found[0].dose_text == dose
    assert doc.text[found[0].ref.start:found[0].ref.end] == found[0].text


@pytest.mark.parametrize("kind,phrase", [
    ("facility", "ICU"),
    ("facility", "患者登録システム"),
    ("facility", "情報管理に従事する担当者"),
    ("physician", "講習を修了した医師"),
    ("physician", "6年以上の臨床経験"),
    ("physician", "同種造血細胞移植の診療実績"),
    ("patient-eligible", "60 日以内に PD"),
    ("patient-excluded", "同種造血幹細胞移植の治療歴のある患者。"),
    ("patient-excluded", "ECOG Performance Status"),
    ("contraindication", "一度解凍した本品を再凍結した場合"),
    ("contraindication", "過敏症の既往歴"),
    ("warning", "腫瘍崩壊症候群"),
])
def test_seed_use_requirements(seed: tuple[Document, ExtractionResult], kind: str, phrase: str) -> None:
    doc, r = seed
    found = [u for u in _of(r, UseRequirement) if u.kind == kind and phrase in u.text]
    assert len(found) == 1
    assert phrase in doc.text[found[0].ref.start:found[0].ref.end]


def test_seed_every_text_fact_is_its_evidence(seed: tuple[Document, ExtractionResult]) -> None:
    doc, r = seed
    for f in r.facts:
        evidence = doc.text[f.ref.start:f.ref.end]
        assert evidence and evidence == evidence.strip()
        text = getattr(f, "text", None)
        if text is not None:  # the text is the evidence without blank lines
            assert text == re.sub(r"\s*[\n\f]\s*", "\n", evidence)


# --------------------------------------------------------------------------- fictional sample


def test_sample_header(sample: tuple[Document, ExtractionResult]) -> None:
    _doc, r = sample
    assert r.info.issued == dt.date(2025, 3, 1)
    (product,) = r.products
    assert product.product.text == "フィクタセル点滴静注"
    assert [s.text for s in product.substances] == ["フィクタゲン オートルユーセル"]
    (ind,) = _of(r, Indication)
    assert "自家移植の適応とならない" in ind.text


@pytest.mark.parametrize("substance,value,vmin,vmax,unit,frequency", [
    ("ベンダムスチン塩酸塩", D("90"), None, None, "mg/m2", "once daily"),
    (None, D("200000000"), D("100000000"), D("250000000"), "cells", "single dose"),
    ("トシリズマブ(遺伝子組換え)", D("8"), None, None, "mg/kg", None),
    ("トシリズマブ(遺伝子組換え)", D("12"), None, None, "mg/kg", None),
])
def test_sample_dosage(sample: tuple[Document, ExtractionResult], substance: str | None, value: Decimal,
                       vmin: Decimal | None, vmax: Decimal | None, unit: str, frequency: str | None) -> None:
    _doc, r = sample
    (reg,) = [d for d in _of(r, DosageRegimen) if d.dose_value == value
              and (d.substance.text if d.substance else None) == substance]
    assert (reg.dose_min, reg.dose_max, reg.dose_unit, reg.route, reg.frequency) == \
        (vmin, vmax, unit, "intravenous", frequency)


@pytest.mark.parametrize("code,alias,phase,enrollment", [
    ("FX-2101", "2101 試験", "II", 48),
    ("FX-3001", "3001 試験", "III", 178),
])
def test_sample_studies(sample: tuple[Document, ExtractionResult], code: str, alias: str, phase: str,
                        enrollment: int) -> None:
    _doc, r = sample
    (study,) = [s for s in r.studies if s.identifiers == (code,)]
    assert (study.aliases, study.phase, study.enrollment) == ((alias,), phase, enrollment)


@pytest.mark.parametrize("study,endpoint,arm,unit,value,lo,hi,count,n", [
    ("FX-2101", "ORR", "200×10^6 個 30 例", "%", D("76.7"), D("57.7"), D("90.1"), 23, 30),
    ("FX-2101", "ORR", "全体 42 例", "%", D("73.8"), D("58.0"), D("86.1"), 31, 42),
    ("FX-2101", "CR", "100×10^6 個 12 例", "%", D("41.7"), None, None, 5, 12),
    ("FX-3001", "EFS", "本品群 90 例 vs 標準治療群 88 例", "hazard ratio", D("0.412"), D("0.276"), D("0.615"), None, None),
    ("FX-3001", "EFS", "標準治療群 88 例", "months", D("2.9"), D("2.1"), D("4.4"), None, None),
])
def test_sample_efficacy(sample: tuple[Document, ExtractionResult], study: str, endpoint: str, arm: str,
                         unit: str, value: Decimal, lo: Decimal | None, hi: Decimal | None,
                         count: int | None, n: int | None) -> None:
    _doc, r = sample
    (f,) = [x for x in _of(r, EfficacyResult) if x.study.text == study and x.endpoint == endpoint
            and x.arm == arm and x.unit == unit]
    assert (f.value, f.ci_lower, f.ci_upper, f.patient_count, f.denominator) == (value, lo, hi, count, n)
    assert f.data_cutoff in (dt.date(2024, 6, 30), dt.date(2024, 9, 1))


@pytest.mark.parametrize("concept,arm,scope,count,percent,page", [
    ("サイトカイン放出症候群", "200×10^6 個 30 例", "all", 26, D("86.7"), 1),
    ("好中球減少症", "100×10^6 個 12 例", ">=3", 7, D("58.3"), 1),
    ("頭痛", "200×10^6 個 30 例", "all", 5, D("16.7"), 2),  # after the page break
    ("神経系障害", "200×10^6 個 30 例", ">=3", 2, D("6.7"), 2),
])
def test_sample_adverse_reactions_across_pages(sample: tuple[Document, ExtractionResult], concept: str,
                                               arm: str, scope: str, count: int, percent: Decimal,
                                               page: int) -> None:
    _doc, r = sample
    f = _incidence(r, "FX-2101", concept, arm, scope)
    assert (f.patient_count, f.percent, f.ref.page) == (count, percent, page)


@pytest.mark.parametrize("concept,grade,recommends,phrase,dose", [
    ("CRS", 1, ("トシリズマブ",), "48 時間未満", "8 mg/kg"),
    ("CRS", 1, (), "48 時間以上", None),
    ("CRS", 2, ("トシリズマブ",), "改善しない場合", None),  # grade row continued on the next page
    ("CRS", 3, ("デキサメタゾン",), "6 時間おき", "20 mg"),
    ("ICANS", 2, ("メチルプレドニゾロン",), "悪化した場合", "1 g"),
])
def test_sample_management(sample: tuple[Document, ExtractionResult], concept: str, grade: int,
                           recommends: tuple[str, ...], phrase: str, dose: str | None) -> None:
    _doc, r = sample
    (m,) = [x for x in _of(r, ManagementRule) if x.concept.text == concept and x.grade == grade
            and phrase in x.text]
    assert (tuple(s.text for s in m.recommends), m.dose_text) == (recommends, dose)


@pytest.mark.parametrize("kind,count", [
    ("facility", 5), ("physician", 3), ("patient-eligible", 1), ("patient-excluded", 2),
    ("contraindication", 2), ("warning", 3),
])
def test_sample_requirement_counts(sample: tuple[Document, ExtractionResult], kind: str, count: int) -> None:
    _doc, r = sample
    assert len([u for u in _of(r, UseRequirement) if u.kind == kind]) == count


# --------------------------------------------------------------------------- eligibility criteria


def _criteria(result: ExtractionResult, study: str, kind: str) -> list[EligibilityCriterion]:
    return [f for f in _of(result, EligibilityCriterion) if f.study.text == study and f.kind == kind]


@pytest.mark.parametrize("study,kind,count,table", [
    ("MM-001 試験", "inclusion", 3, "表 1"), ("MM-001 試験", "exclusion", 4, "表 1"),
    ("CRB-401 試験", "inclusion", 4, "表 4"), ("CRB-401 試験", "exclusion", 3, "表 4"),
    ("MM-003 試験", "inclusion", 3, "表 6"), ("MM-003 試験", "exclusion", 3, "表 6"),
])
def test_seed_criteria_per_study_and_kind(seed: tuple[Document, ExtractionResult], study: str, kind: str,
                                          count: int, table: str) -> None:
    doc, r = seed
    found = _criteria(r, study, kind)
    assert len(found) == count
    assert {f.ref.section for f in found} == {table}
    assert all(f.product is not None and f.product.text == "アベクマ点滴静注" for f in found)
    assert all(f.text == re.sub(r"\s*[\n\f]\s*", "\n", doc.text[f.ref.start:f.ref.end]) for f in found)


@pytest.mark.parametrize("study,kind,position,text", [
    ("MM-003 試験", "inclusion", 2, "ECOG PS が 0 又は 1 の患者。"),
    ("MM-001 試験", "inclusion", 2, "ECOG PS が 0 又は 1 の患者。"),
    ("CRB-401 試験", "inclusion", 3, "ECOG PS スコアが 0 又は 1 の患者。"),
    ("MM-001 試験", "exclusion", 2, "中枢神経系(CNS)に骨髄腫病変を有する患者。"),
    ("MM-003 試験", "exclusion", 1, "中枢神経系(CNS)に骨髄腫病変を有する患者。"),
])
def test_seed_criterion_exact_text(seed: tuple[Document, ExtractionResult], study: str, kind: str,
                                   position: int, text: str) -> None:
    _doc, r = seed
    assert _criteria(r, study, kind)[position].text == text


@pytest.mark.parametrize("study,kind,position,begins,ends,inner", [
    # the CNS disease exclusion of MM-001 (the last item of its table)
    ("MM-001 試験", "exclusion", 3, "臨床的に重大な中枢神経系", "現病を有する患者。", ()),
    # CRB-401: part A and part B prior therapy, kept under CRB-401 as sub-items of one criterion
    ("CRB-401 試験", "inclusion", 0, "以下のいずれかの前治療歴", "直近の前治療に対して難治性。",
     ("➢ パート A :", "➢ パート B :")),
    # BCMA expression: a sub-item (part B) with its own sub-items (cohorts 1-3), footnote mark kept
    ("CRB-401 試験", "inclusion", 2, "骨髄生検又は形質細胞腫生検", "規定なし",
     ("患者*1。", "➢ パート A :", "➢ パート B", "✓ コホート 1", "✓ コホート 2", "✓ コホート 3")),
    # the third exclusion stands after a blank line, its footnote (*2 : …) is not part of it
    ("CRB-401 試験", "exclusion", 2, "臨床的に重大な中枢神経系", "現病を有する患者*2。", ()),
    # measurable disease: three alternatives in reading order
    ("MM-003 試験", "inclusion", 1, "以下の基準の少なくとも 1 つ", "血清 FLC 比率が異常",
     ("➢ 血清 M タンパク 0.5 g/dL 以上", "➢ 尿中 M タンパク", "➢ 血清 FLC アッセイ")),
])
def test_seed_criterion_with_sub_items(seed: tuple[Document, ExtractionResult], study: str, kind: str,
                                       position: int, begins: str, ends: str, inner: tuple[str, ...]) -> None:
    _doc, r = seed
    text = _criteria(r, study, kind)[position].text
    assert text.startswith(begins) and text.endswith(ends)
    assert [text.index(part) for part in inner] == sorted(text.index(part) for part in inner)


def test_seed_criteria_are_not_use_requirements(seed: tuple[Document, ExtractionResult]) -> None:
    """The criteria tables give no UseRequirement, and no footnote under a table is a criterion."""
    _doc, r = seed
    spans = [(f.ref.start, f.ref.end) for f in _of(r, EligibilityCriterion)]
    assert not [u for u in _of(r, UseRequirement) if any(a <= u.ref.start < b for a, b in spans)]
    assert not [f for f in _of(r, EligibilityCriterion) if "治験実施計画書" in f.text]


@pytest.mark.parametrize("study,kind,texts", [
    ("2101 試験", "inclusion", [
        "以下の前治療歴をいずれも有する架空疾患の患者。\n➢ 架空薬 A を含む 2 レジメン以上の前治療を受けている。\n"
        "➢ 直近の前治療に対して抵抗性である。",
        "登録時の年齢が 18 歳以上の患者。"]),
    ("2101 試験", "exclusion", [
        "架空臓器に病変を有する患者。",
        "本品の成分又は製造に用いる架空試薬に対して重度の過敏症の既往歴を有する\n患者。"]),
    ("3001 試験", "inclusion", ["架空疾患と診断され、1 レジメンの前治療後に再発した患者。", "ECOG PS が 0~2 の患者*。"]),
    ("3001 試験", "exclusion", ["活動性の架空感染症を有する患者。"]),
])
def test_sample_criteria(sample: tuple[Document, ExtractionResult], study: str, kind: str,
                         texts: list[str]) -> None:
    _doc, r = sample
    assert [f.text for f in _criteria(r, study, kind)] == texts


def _mini_guideline(chapter3: list[str]) -> str:
    """A fictional guideline: cover, product block and the given lines of chapter 3."""
    return "\n".join([
        "最適使用推進ガイドライン", "(販売名:テストセル点滴静注)", "令和6年4月", "",
        "1. はじめに", "", "対象となる品目:", "テストセル点滴静注(一般名:テストセル)", "",
        "3. 臨床成績", "", *chapter3, "", "4. 施設について", "", "① 施設要件", "(1) 架空の要件であること。", ""])


@pytest.mark.parametrize("lines,expected", [
    # a table whose rows hold the kind in the first cell and the items in the second
    (["(1) 国内第 II 相試験(TC-201 試験)", "",
      "架空の試験(以下、「201 試験」)が実施された。主な選択・除外基準は表 1 のとおりであった。", "",
      "表 1 主な選択・除外基準", "",
      "選択基準\t• 架空疾患の患者。", "\t• 年齢 20 歳以上の患者。", "除外基準\t• 架空感染症の患者。", "",
      "本試験の結果を示す。"],
     [("201 試験", "inclusion", "架空疾患の患者。"), ("201 試験", "inclusion", "年齢 20 歳以上の患者。"),
      ("201 試験", "exclusion", "架空感染症の患者。")]),
    # a caption naming one kind only: its items are of that kind; no alias, so the study code
    (["(1) 国内第 II 相試験(TC-202 試験)", "",
      "主な除外基準は表 1 のとおりであった。", "",
      "表 1 主な除外基準", "",
      "・活動性の架空感染症を有する患者。", "・妊婦。", "",
      "* : 架空の注記。"],
     [("TC-202", "exclusion", "活動性の架空感染症を有する患者。"), ("TC-202", "exclusion", "妊婦。")]),
    # numbered items under 【主な選択基準】, circled sub-items kept; the heading after the table
    # is not an item
    (["(1) 国内第 II 相試験(TC-205 試験)", "", "表 1 選択基準及び除外基準", "",
      "【主な選択基準】", "1. 架空疾患の患者。", "2. 以下のいずれかに該当する患者。", "  ① 架空検査値が基準値以上",
      "  ② 架空症状を有する", "【主な除外基準】", "1. 妊婦。", "", "(2) 205 試験の臨床成績"],
     [("TC-205", "inclusion", "架空疾患の患者。"),
      ("TC-205", "inclusion", "以下のいずれかに該当する患者。\n① 架空検査値が基準値以上\n② 架空症状を有する"),
      ("TC-205", "exclusion", "妊婦。")]),
    # a table continued on the next page under its caption repeated: same study, same kind
    (["(1) 国内第 II 相試験(TC-207 試験)", "",
      "架空の試験(以下、「207 試験」)が実施された。主な選択・除外基準は表 1 のとおりであった。", "",
      "表 1 主な選択・除外基準", "", "<選択基準>", "• 架空疾患の患者。", "\f",
      "表 1 主な選択・除外基準(続き)", "", "• 架空検査値が正常な患者。", "<除外基準>", "• 妊婦。", "", "本試験の結果。"],
     [("207 試験", "inclusion", "架空疾患の患者。"), ("207 試験", "inclusion", "架空検査値が正常な患者。"),
      ("207 試験", "exclusion", "妊婦。")]),
    # symbol-font bullets a PDF's text layer gives as private-use characters
    (["(1) 国内第 II 相試験(TC-206 試験)", "", "表 1 主な選択・除外基準", "",
      "<選択基準>", "\uf0b7 架空疾患の患者。", "\uf0d8 架空検査値が基準値以上", "\uf0b7 妊娠していない患者。",
      "<除外基準>", "\uf0b7 架空感染症の患者。"],
     [("TC-206", "inclusion", "架空疾患の患者。\n\uf0d8 架空検査値が基準値以上"),
      ("TC-206", "inclusion", "妊娠していない患者。"), ("TC-206", "exclusion", "架空感染症の患者。")]),
])
def test_criteria_layouts(tmp_path: Path, lines: list[str], expected: list[tuple[str, str, str]]) -> None:
    path = tmp_path / "g.txt"
    path.write_text(_mini_guideline(lines), encoding="utf-8")
    r = extract(load_document(path))
    assert [(f.study.text, f.kind, f.text) for f in _of(r, EligibilityCriterion)] == expected


@pytest.mark.parametrize("lines,code", [
    # inclusion and exclusion side by side: one item's text would not be one span
    (["(1) 国内第 II 相試験(TC-203 試験)", "", "表 1 主な選択・除外基準", "",
      "<選択基準>\t<除外基準>", "• 架空疾患の患者。\t• 架空感染症の患者。"], "table-unreadable"),
    # no bullets: the items cannot be told apart
    (["(1) 国内第 II 相試験(TC-204 試験)", "", "表 1 主な選択・除外基準", "",
      "<選択基準> 架空疾患の患者。年齢 20 歳以上の患者。", "<除外基準> 架空感染症の患者。"], "section-unreadable"),
])
def test_unreadable_criteria_give_an_issue_and_no_fact(tmp_path: Path, lines: list[str], code: str) -> None:
    path = tmp_path / "g.txt"
    path.write_text(_mini_guideline(lines), encoding="utf-8")
    r = extract(load_document(path))
    assert not _of(r, EligibilityCriterion)
    assert any(i.code == code for i in r.issues)


def test_a_caption_that_only_mentions_criteria_is_not_a_criteria_table(tmp_path: Path) -> None:
    path = tmp_path / "g.txt"
    path.write_text(_mini_guideline([
        "(1) 国内第 II 相試験(TC-208 試験)", "", "表 1 選択基準を満たした患者の背景", "",
        "\t本品群 10 例", "- 年齢中央値\t60", ""]), encoding="utf-8")
    r = extract(load_document(path))
    assert not _of(r, EligibilityCriterion)
    assert not [i for i in r.issues if i.code in ("table-unreadable", "section-unreadable")]


def test_criteria_table_in_a_pdf(tmp_path: Path, make_pdfs: ModuleType) -> None:
    """The kind-and-items table drawn as a PDF table gives the same criteria as its text."""
    text = _mini_guideline([
        "(1) 国内第 II 相試験(TC-201 試験)", "",
        "架空の試験(以下、「201 試験」)が実施された。主な選択・除外基準は表 1 のとおりであった。", "",
        "表 1 主な選択・除外基準", "",
        "<選択基準>\t• 架空疾患の患者。", "\t• 年齢 20 歳以上の患者。", "<除外基準>\t• 架空感染症の患者。", "",
        "本試験の結果を示す。"])
    src = tmp_path / "g.txt"
    src.write_text(text, encoding="utf-8")
    pdf = make_pdfs.render_text(load_document(src).text, tmp_path / "g.pdf")
    got = [(f.study.text, f.kind, f.text) for f in _of(extract(load_document(pdf)), EligibilityCriterion)]
    assert got == [("201 試験", "inclusion", "架空疾患の患者。"), ("201 試験", "inclusion", "年齢 20 歳以上の患者。"),
                   ("201 試験", "exclusion", "架空感染症の患者。")]


# --------------------------------------------------------------------------- PDF renditions


def _keys(result: ExtractionResult) -> set[tuple[str, str]]:
    """Every fact without its provenance (offsets differ between renditions)."""
    return {(type(f).__name__, repr([getattr(f, k) for k in f.__slots__ if k != "ref"]))
            for f in result.facts}


def test_sample_pdf_gives_the_same_facts(sample: tuple[Document, ExtractionResult],
                                         pdf_renditions: dict[str, Path]) -> None:
    _doc, r = sample
    pdf = extract(load_document(pdf_renditions["guideline_ja.txt"]))
    assert _keys(pdf) == _keys(r)
    assert [s.identifiers for s in pdf.studies] == [s.identifiers for s in r.studies]


def test_seed_pdf_gives_the_same_facts(seed: tuple[Document, ExtractionResult],
                                       pdf_renditions: dict[str, Path]) -> None:
    _doc, r = seed
    pdf = extract(load_document(pdf_renditions["002_1b142aeaa985d70d.txt"]))
    assert _keys(pdf) == _keys(r)
    assert pdf.info.issued == r.info.issued


# --------------------------------------------------------------------------- bad input


def test_not_a_guideline_gives_an_issue_and_no_facts(tmp_path: Path) -> None:
    path = tmp_path / "other.txt"
    path.write_text("ある文書\n\n令和6年1月\n\n本文のみで章立てがない。\n", encoding="utf-8")
    r = extract(load_document(path))
    assert r.status == "partial" and not r.facts


def test_management_row_before_any_grade_is_reported(tmp_path: Path) -> None:
    """A management table whose first body row has no grade (a span the text lost)."""
    text = ("最適使用推進ガイドライン\n(販売名:テスト注)\n令和6年1月\n\n1. はじめに\n\n"
            "6. 投与に際して留意すべき事項\n\n表 1: CRS 管理アルゴリズム\n\n"
            "Grade\t対処法\tステロイド\n続きの行\tトシリズマブ 8 mg/kg を静脈内投与する。\t該当なし\n"
            "Grade 2\tトシリズマブ 8 mg/kg を静脈内投与する。\t該当なし\n"
            "\t様子を見る。\t\n\t経過を観察する。\t\n")
    path = tmp_path / "g.txt"
    path.write_text(text, encoding="utf-8")
    r = extract(load_document(path))
    rules = _of(r, ManagementRule)
    assert [m.grade for m in rules] == [2, 2, 2]
    assert any(i.code == "row-unreadable" for i in r.issues)


# --------------------------------------------------------------------------- a second, antibody-shaped fictional guideline

ANTIBODY = "\n".join([
    "最適使用推進ガイドライン",
    "テストリマブ(遺伝子組換え)",
    "(販売名:テストリマ点滴静注 100 mg、テストリマ点滴静注 20 mg)",
    "令和6年10月1日",
    "厚生労働省",
    "1.\tはじめに\t1", "2.\t本剤の特徴、作用機序\t2", "3.\t臨床成績\t2", "4.\t施設について\t3",
    "5.\t投与対象となる患者\t3", "6.\t投与に際して留意すべき事項\t3",
    "1. はじめに",
    "架空の抗体医薬品の例である。",
    "対象となる医薬品:",
    "テストリマ点滴静注 100 mg(一般名:テストリマブ(遺伝子組換え))",
    "対象となる効能又は効果:",
    "切除不能な架空腫瘍",
    "がん化学療法後に増悪した架空肉腫",
    "対象となる用法及び用量:",
    "通常、成人にはテストリマブ(遺伝子組換え)として、1 回 200 mg を 3 週間間隔で点滴静注する。",
    "2. 本剤の特徴、作用機序",
    "架空の作用機序。",
    "3. 臨床成績",
    "(1) 国際共同第 III 相試験(TEST 301 試験)",
    "架空の無作為化試験(以下、「301 試験」)で、計 600 例が無作為化された。",
    "表 1 有効性の結果(2023 年 5 月 31 日データカットオフ)",
    "\t本剤群 300 例\t対照群 300 例",
    "OS 中央値 [95%CI] (カ月)\t20.1 [17.0, 23.5]\t14.2 [12.1, 16.0]",
    "OS ハザード比 [95%CI]\t0.70 [0.58, 0.84]\t",
    "4. 施設について",
    "① 施設要件",
    "(1) がん診療連携拠点病院であること。",
    "5. 投与対象となる患者",
    "6. 投与に際して留意すべき事項",
])


@pytest.fixture(scope="module")
def antibody(tmp_path_factory: pytest.TempPathFactory) -> ExtractionResult:
    path = tmp_path_factory.mktemp("guideline") / "antibody.txt"
    path.write_text(ANTIBODY, encoding="utf-8")
    return extract(load_document(path))


def test_antibody_header_and_indications(antibody: ExtractionResult) -> None:
    r = antibody
    assert r.info.issued == dt.date(2024, 10, 1)
    (product,) = r.products
    assert product.names == ("テストリマ点滴静注 100 mg", "テストリマ点滴静注 20 mg")
    assert [s.text for s in product.substances] == ["テストリマブ(遺伝子組換え)"]
    assert [i.disease.text for i in _of(r, Indication) if i.disease] == ["切除不能な架空腫瘍", "がん化学療法後に増悪した架空肉腫"]


def test_antibody_own_substance_is_the_product_regimen(antibody: ExtractionResult) -> None:
    (reg,) = _of(antibody, DosageRegimen)
    assert (reg.substance, reg.dose_value, reg.dose_unit, reg.frequency, reg.route) == \
        (None, D("200"), "mg", "every 3 weeks", "intravenous")


@pytest.mark.parametrize("unit,arm,value,lo,hi", [
    ("months", "本剤群 300 例", D("20.1"), D("17.0"), D("23.5")),
    ("months", "対照群 300 例", D("14.2"), D("12.1"), D("16.0")),
    ("hazard ratio", "本剤群 300 例 vs 対照群 300 例", D("0.70"), D("0.58"), D("0.84")),
])
def test_antibody_study_and_results(antibody: ExtractionResult, unit: str, arm: str, value: Decimal,
                                    lo: Decimal, hi: Decimal) -> None:
    (study,) = antibody.studies
    assert (study.identifiers, study.aliases, study.phase, study.enrollment) == (("TEST 301",), ("301 試験",), "III", 600)
    (f,) = [x for x in _of(antibody, EfficacyResult) if x.unit == unit and x.arm == arm]
    assert (f.study.text, f.endpoint, f.value, f.ci_lower, f.ci_upper, f.data_cutoff) == \
        ("TEST 301", "OS", value, lo, hi, dt.date(2023, 5, 31))
