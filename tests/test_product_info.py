"""Product-information extractor: values read by hand from seed 004 (a brochure with
package-insert sections) and from the project's own fictional package insert."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from extract.extractors.product_info import extract
from extract.load import load_document
from extract.model import (AdverseEventIncidence, ApprovalCondition, Document, DosageRegimen, EfficacyResult,
                           ExtractionResult, Indication, PatientFlowCount, UseRequirement)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SAMPLE = ROOT / "corpus" / "samples" / "package_insert_ja.txt"
M = 10**6


@pytest.fixture(scope="module")
def seed004() -> tuple[Document, ExtractionResult]:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    doc = load_document(SEEDS / "004_a050315df33648bf.txt")
    return doc, extract(doc)


def _of(result: ExtractionResult, cls: type) -> list:  # type: ignore[type-arg]
    return [f for f in result.facts if isinstance(f, cls)]


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


# --------------------------------------------------------------------------- seed 004


def test_seed_product_and_document(seed004: tuple[Document, ExtractionResult]) -> None:
    _, r = seed004
    assert r.info.products[0].text == "アベクマ"
    assert r.info.title is not None and r.info.title.endswith("アベクマの有効性と安全性")
    assert r.products[0].approval_number == ("30400FZX00002000",)


@pytest.mark.parametrize(("field", "expected"), [
    ("identifiers", ("BB2121-MM-001",)),
    ("aliases", ("KarMMa",)),
    ("phase", "II"),
    ("enrollment", 149),
    ("design", "オープンラベル、単群、多施設共同、第II相試験"),
    ("primary_endpoints", ("全奏効割合(ORR)",)),
])
def test_seed_pivotal_study(seed004: tuple[Document, ExtractionResult], field: str, expected: object) -> None:
    study = seed004[1].studies[0]
    assert getattr(study, field) == expected


@pytest.mark.parametrize("endpoint", ["完全奏効割合(CRR)", "奏効持続期間(DOR)", "無増悪生存期間(PFS)",
                                      "無増悪期間(TTP)", "全生存期間(OS)", "安全性", "健康関連QOL(HRQoL)"])
def test_seed_secondary_endpoints(seed004: tuple[Document, ExtractionResult], endpoint: str) -> None:
    assert endpoint in seed004[1].studies[0].secondary_endpoints


def test_seed_footnoted_phase1_study(seed004: tuple[Document, ExtractionResult]) -> None:
    """A footnote names the foreign phase I study by its code: a study of its own, never an
    identifier of the study the brochure describes."""
    main, other = seed004[1].studies
    assert other.identifiers == ("CRB-401",) and other.phase == "I" and other.aliases == ()
    assert main.identifiers == ("BB2121-MM-001",) and main.aliases == ("KarMMa",)


@pytest.mark.parametrize(("kind", "number", "starts", "ends"), [
    ("warning", 0, "本品は、緊急時に十分対応できる", "同意を得てから投与を開始すること。"),
    ("warning", 1, "重度のサイトカイン放出症候群が", "重大な副作用」の項参照)"),
    ("warning", 2, "重度又は生命を脅かす神経系事象", "重大な副作用」の項参照)"),
    ("contraindication", 0, "再使用禁止", "再使用禁止"),
    ("contraindication", 1, "本品の成分に対し過敏症の", "既往歴のある患者"),
    ("contraindication", 2, "原材料として用いる", "本人以外に投与しないこと。"),
    ("patient-eligible", 0, "BCMA抗原を標的とした", "治療歴がない"),
    ("patient-eligible", 1, "免疫調節薬、プロテアソーム阻害剤", "治療後に再発した"),
])
def test_seed_use_requirements(seed004: tuple[Document, ExtractionResult], kind: str, number: int,
                               starts: str, ends: str) -> None:
    reqs = [f for f in _of(seed004[1], UseRequirement) if f.kind == kind]
    assert len(reqs) == (2 if kind == "patient-eligible" else 3)  # repeated pages give one fact
    assert reqs[number].text.startswith(starts) and reqs[number].text.endswith(ends)


def test_seed_approval_conditions(seed004: tuple[Document, ExtractionResult]) -> None:
    conds = _of(seed004[1], ApprovalCondition)
    assert len(conds) == 2
    assert conds[0].text.startswith("緊急時に十分対応できる医療施設") and conds[0].text.endswith("本品を使用すること。")
    assert conds[1].text.endswith("必要な措置を講じること。")


def test_seed_indication(seed004: tuple[Document, ExtractionResult]) -> None:
    (ind,) = _of(seed004[1], Indication)
    assert ind.disease is not None and ind.disease.text == "再発又は難治性の多発性骨髄腫"
    assert ind.text.startswith("再発又は難治性の多発性骨髄腫。ただし、")


@pytest.mark.parametrize(("substance", "value", "low", "high", "unit", "route", "freq"), [
    # target 450×106個 (flattened) and, in the なお sentence after it, the range 280×106~540×106個: one regimen
    (None, Decimal(450 * M), Decimal(280 * M), Decimal(540 * M), "cells", "intravenous", "single dose"),
    ("シクロホスファミド", Decimal(300), None, None, "mg/m2", "intravenous", "once daily"),
    ("フルダラビンリン酸エステル", Decimal(30), None, None, "mg/m2", "intravenous", "once daily"),
])
def test_seed_dosage(seed004: tuple[Document, ExtractionResult], substance: str | None, value: Decimal | None,
                     low: Decimal | None, high: Decimal | None, unit: str, route: str | None,
                     freq: str | None) -> None:
    found = [d for d in _of(seed004[1], DosageRegimen)
             if (d.substance.text if d.substance else None) == substance and d.dose_value == value
             and d.dose_min == low and d.dose_max == high]
    assert len(found) == 1
    assert (found[0].dose_unit, found[0].route, found[0].frequency) == (unit, route, freq)
    # lymphodepleting chemotherapy runs on days 1-3 (1日1回3日間); the product itself has no run of days
    assert found[0].cycle_days == ("1-3" if substance else None)
    assert found[0].indication is None and found[0].combination_with == ()


def test_seed_target_dose_and_its_range_are_one_regimen(seed004: tuple[Document, ExtractionResult]) -> None:
    doc, r = seed004
    cells = [d for d in _of(r, DosageRegimen) if d.dose_unit == "cells"]
    assert len(cells) == 1
    evidence = _squash(doc.text[cells[0].ref.start:cells[0].ref.end])
    assert evidence.startswith("通常、成人には") and evidence.endswith("の範囲で投与できる。")
    assert _squash(cells[0].text) == evidence


@pytest.mark.parametrize(("concept", "percent"), [
    ("サイトカイン放出症候群", "81.9"), ("神経系事象", "32.7"), ("感染症", "18.6"), ("血球減少", "61.8"),
    ("低γグロブリン血症", "10.1"), ("Infusion reaction", "1.0"), ("腫瘍崩壊症候群", "0.5"),
    ("血球貪食性リンパ組織球症", "2.5"), ("錯乱状態", "7.0"), ("発熱性好中球減少症", "7.0"),
    ("振戦", "3.5"),
])
def test_seed_serious_reactions(seed004: tuple[Document, ExtractionResult], concept: str, percent: str) -> None:
    doc, r = seed004
    found = [a for a in _of(r, AdverseEventIncidence) if a.concept.text == concept and a.study.text == "アベクマ 添付文書"]
    assert len(found) == 1
    assert found[0].percent == Decimal(percent) and found[0].grade_scope == "all"
    assert found[0].product is not None and found[0].product.text == "アベクマ"
    assert f"({percent}%)" in _squash(doc.text[found[0].ref.start:found[0].ref.end])


@pytest.mark.parametrize("concept", ["重度の好中球減少", "好中球減少", "血小板減少", "リンパ球減少"])
def test_seed_frequencies_under_a_severity_word_are_not_read(seed004: tuple[Document, ExtractionResult],
                                                             concept: str) -> None:
    """After 重度の (severe), a list of percentages may count severe cases only."""
    doc, r = seed004
    assert not [a for a in _of(r, AdverseEventIncidence) if a.concept.text == concept]
    assert any(i.code == "content-skipped" for i in r.issues)


@pytest.mark.parametrize(("study", "concept", "percent", "denominator"), [
    ("BB2121-MM-001", "サイトカイン放出症候群", "84.7", 137),
    ("BB2121-MM-001", "好中球減少症", "59.9", 137),
    ("BB2121-MM-001", "発熱", "10.2", 137),
    ("CRB-401", "サイトカイン放出症候群", "75.8", 62),
    ("CRB-401", "上気道感染", "11.3", 62),
])
def test_seed_reaction_overview(seed004: tuple[Document, ExtractionResult], study: str, concept: str,
                                percent: str, denominator: int) -> None:
    found = [a for a in _of(seed004[1], AdverseEventIncidence)
             if a.study.text == study and a.concept.text == concept and a.arm is None]
    assert [(a.percent, a.denominator) for a in found] == [(Decimal(percent), denominator)]


@pytest.mark.parametrize(("endpoint", "arm", "value", "lo", "hi", "cutoff"), [
    ("ORR", "外国人患者 150~450×10^6個", "73.4", "65.8", "81.1", dt.date(2019, 10, 16)),
    ("CRR", "外国人患者 150~450×10^6個", "31.3", "23.2", "39.3", dt.date(2019, 10, 16)),
    ("DOR", "外国人患者 150~450×10^6個", "10.94", "9.03", "11.43", dt.date(2020, 12, 21)),
    ("DOR", "外国人患者 450×10^6個", "11.33", "10.25", "16.92", dt.date(2020, 12, 21)),
    ("PFS", "外国人患者 300×10^6個", "5.78", "4.21", "8.94", dt.date(2020, 12, 21)),
    ("PFS", "外国人患者 450×10^6個", "12.22", "8.57", "13.14", dt.date(2020, 12, 21)),
    ("OS", "外国人患者 150~450×10^6個", "24.80", "19.88", "31.24", dt.date(2020, 12, 21)),
    ("OS", "外国人患者 450×10^6個", "24.80", "20.21", None, dt.date(2020, 12, 21)),  # upper bound NE
    # one sentence gives the 300 and 450×10^6 arms' ORR and CRR in the order of the arms
    ("ORR", "外国人患者 300×10^6個", "68.6", "56.4", "79.1", dt.date(2019, 10, 16)),
    ("ORR", "外国人患者 450×10^6個", "81.5", "68.6", "90.7", dt.date(2019, 10, 16)),
    ("CRR", "外国人患者 300×10^6個", "28.6", None, None, dt.date(2019, 10, 16)),
    ("CRR", "外国人患者 450×10^6個", "35.2", None, None, dt.date(2019, 10, 16)),
    # TTR medians with their range (範囲), which is no CI
    ("TTR", "外国人患者 150~450×10^6個", "1.0", None, None, dt.date(2020, 12, 21)),
    ("TTR", "外国人患者 300×10^6個", "1.0", None, None, dt.date(2020, 12, 21)),
    ("TTR", "外国人患者 450×10^6個", "1.0", None, None, dt.date(2020, 12, 21)),
    ("TTR", "日本人患者 450×10^6個", "1.0", None, None, dt.date(2020, 12, 21)),
    # the 150×10^6 column (4 patients) of the tables of medians, which no sentence gives
    ("TTR", "外国人患者 150×10^6個", "1.0", None, None, dt.date(2020, 12, 21)),
    ("DOR", "外国人患者 150×10^6個", "15.79", "2.79", "28.78", dt.date(2020, 12, 21)),
    ("PFS", "外国人患者 150×10^6個", "2.83", "0.99", "29.70", dt.date(2020, 12, 21)),
    ("OS", "外国人患者 150×10^6個", "18.17", "9.36", None, dt.date(2020, 12, 21)),
])
def test_seed_efficacy(seed004: tuple[Document, ExtractionResult], endpoint: str, arm: str, value: str,
                       lo: str | None, hi: str | None, cutoff: dt.date) -> None:
    found = [e for e in _of(seed004[1], EfficacyResult) if e.endpoint == endpoint and e.arm == arm]
    assert len(found) == 1
    e = found[0]
    assert (e.value, e.ci_lower, e.ci_upper, e.data_cutoff) == (
        Decimal(value), Decimal(lo) if lo else None, Decimal(hi) if hi else None, cutoff)
    assert e.study.text == "BB2121-MM-001" and e.unit == ("%" if endpoint in ("ORR", "CRR") else "months")


@pytest.mark.parametrize(("concept", "arm", "count", "percent", "denominator"), [
    ("サイトカイン放出症候群", "全体", 116, "84.7", 137),
    ("サイトカイン放出症候群", "外国人患者", 107, "83.6", 128),
    ("サイトカイン放出症候群", "日本人患者", 9, None, 9),
    ("好中球減少症", "全体", 126, "92.0", 137),
    ("貧血", "外国人患者", 90, "70.3", 128),
    ("下痢", "全体", 46, "33.6", 137),
    ("低γグロブリン血症", "日本人患者", 4, None, 9),
])
def test_seed_adverse_event_table(seed004: tuple[Document, ExtractionResult], concept: str, arm: str,
                                  count: int, percent: str | None, denominator: int) -> None:
    found = [a for a in _of(seed004[1], AdverseEventIncidence) if a.concept.text == concept and a.arm == arm]
    assert [(a.patient_count, a.percent, a.denominator, a.grade_scope, a.study.text) for a in found] == [
        (count, Decimal(percent) if percent else None, denominator, "all", "BB2121-MM-001")]


@pytest.mark.parametrize(("concept", "arm", "count", "soc"), [
    ("好中球減少症", "外国人患者", 117, "血液およびリンパ系障害"),
    ("サイトカイン放出症候群", "全体", 116, "免疫系障害"),
    ("疲労", "外国人患者", 44, "一般・全身障害および投与部位の状態"),
    ("低カリウム血症", "全体", 48, "代謝および栄養障害"),
    ("下痢", "全体", 46, "胃腸障害"),
    ("低γグロブリン血症", "日本人患者", 4, "免疫系障害"),
    ("そう痒症", "日本人患者", 2, "皮膚および皮下組織障害"),
    ("全身健康状態悪化", "日本人患者", 2, "一般・全身障害および投与部位の状態"),
    ("高血圧", "日本人患者", 2, "血管障害"),
    # SOC rows give their own totals: kept, the SOC as concept and no SOC above it
    ("免疫系障害", "全体", 121, None),
    ("代謝および栄養障害", "外国人患者", 98, None),
    ("感染症および寄生虫症", "日本人患者", 5, None),
])
def test_seed_adverse_event_system_organ_class(seed004: tuple[Document, ExtractionResult], concept: str, arm: str,
                                               count: int, soc: str | None) -> None:
    found = [a for a in _of(seed004[1], AdverseEventIncidence) if a.concept.text == concept and a.arm == arm
             and a.study.text == "BB2121-MM-001"]
    assert [(a.patient_count, a.soc.text if a.soc else None) for a in found] == [(count, soc)]


@pytest.mark.parametrize(("arm", "stage", "count"), [
    ("日本人患者", "スクリーニング", 10),
    ("日本人患者", "登録(白血球アフェレーシス実施)", 9),
    ("日本人患者", "アベクマ投与集団(アベクマの初回投与実施)", 9),
    ("日本人患者", "不適格", 1),
    ("日本人患者", "試験継続中", 7),
    ("日本人患者", "試験中止", 2),
    ("外国人患者", "スクリーニング", 158),
    ("外国人患者", "登録(白血球アフェレーシス実施)", 140),
    ("外国人患者", "アベクマ投与集団(アベクマの初回投与実施)", 128),
    ("外国人患者", "不適格", 18),
    ("外国人患者", "アフェレーシス後LD化学療法前に中止", 8),
    ("外国人患者", "LD化学療法後に中止", 4),
    ("外国人患者", "試験継続中", 42),
    ("外国人患者", "試験中止", 86),  # printed with a footnote mark after the count
])
def test_seed_patient_flow(seed004: tuple[Document, ExtractionResult], arm: str, stage: str, count: int) -> None:
    doc, r = seed004
    found = [f for f in _of(r, PatientFlowCount) if f.arm == arm and f.stage == stage]
    assert [(f.study.text, f.count) for f in found] == [("BB2121-MM-001", count)]
    ev = doc.text[found[0].ref.start:found[0].ref.end]
    assert ev.startswith(stage[:4]) and ev.endswith(")") and str(count) in ev


def test_seed_patient_flow_reasons_are_not_stages(seed004: tuple[Document, ExtractionResult]) -> None:
    flow = _of(seed004[1], PatientFlowCount)
    assert len(flow) == 14
    assert not [f for f in flow if f.stage in ("死亡", "同意の撤回", "追跡不能", "病勢進行")]


def test_seed_grade_3_4_columns_are_not_read_as_grade_3_or_more(seed004: tuple[Document, ExtractionResult]) -> None:
    assert not [a for a in _of(seed004[1], AdverseEventIncidence) if a.grade_scope != "all"]
    crs = [a for a in _of(seed004[1], AdverseEventIncidence) if a.concept.text == "サイトカイン放出症候群"]
    assert not [a for a in crs if a.patient_count == 7]  # the Grade 3/4 cells of the row


def test_seed_evidence_spans_are_exact(seed004: tuple[Document, ExtractionResult]) -> None:
    doc, r = seed004
    for fact in r.facts:
        evidence = _squash(doc.text[fact.ref.start:fact.ref.end])
        assert evidence, fact
        if isinstance(fact, (UseRequirement, ApprovalCondition, Indication)):
            assert evidence == _squash(fact.text)


def test_seed_no_footnote_or_table_numbers_as_doses(seed004: tuple[Document, ExtractionResult]) -> None:
    units = {d.dose_unit for d in _of(seed004[1], DosageRegimen)}
    assert units <= {"cells", "mg/m2"}
    assert len(_of(seed004[1], DosageRegimen)) == 3  # the product (dose and range) and two pre-treatment drugs


# --------------------------------------------------------------------------- fictional sample


@pytest.fixture(scope="module")
def sample() -> ExtractionResult:
    return extract(load_document(SAMPLE))


def test_sample_product(sample: ExtractionResult) -> None:
    pf = sample.products[0]
    assert pf.product.text == "ゾルテニブカプセル10mg"
    assert pf.names == ("ゾルテニブカプセル10mg", "ゾルテニブカプセル20mg")
    assert [s.text for s in pf.substances] == ["ゾルテニブ塩酸塩"]
    assert pf.holder is not None and pf.holder.text == "架空製薬株式会社"
    assert pf.approval_number == ("30600AMX00901000", "30600AMX00902000")


@pytest.mark.parametrize(("kind", "texts"), [
    ("warning", ["本剤は、緊急時に", "間質性肺疾患があらわれ、"]),
    ("contraindication", ["本剤の成分に対し過敏症の既往歴のある患者", "妊婦又は妊娠している可能性のある女性"]),
])
def test_sample_requirements(sample: ExtractionResult, kind: str, texts: list[str]) -> None:
    reqs = [f for f in _of(sample, UseRequirement) if f.kind == kind]
    assert len(reqs) == len(texts)
    assert all(r.text.startswith(t) for r, t in zip(reqs, texts))


def test_sample_label_facts(sample: ExtractionResult) -> None:
    (ind,) = _of(sample, Indication)
    assert ind.disease is not None and ind.disease.text == "ALK融合遺伝子陽性の切除不能な進行・再発の非小細胞肺癌"
    (cond,) = _of(sample, ApprovalCondition)
    assert cond.text == "医薬品リスク管理計画を策定の上、適切に実施すること。"  # unnumbered single item
    (dose,) = _of(sample, DosageRegimen)
    assert (dose.dose_value, dose.dose_unit, dose.route, dose.frequency) == (Decimal(20), "mg", "oral", "twice daily")
    assert dose.text.startswith("通常、成人には")  # the heading on the line before is not evidence


@pytest.mark.parametrize(("study", "concept", "percent", "denominator"), [
    ("ゾルテニブカプセル10mg 添付文書", "間質性肺疾患", "4.2", None),
    ("ゾルテニブカプセル10mg 添付文書", "肝機能障害", "8.3", None),
    ("ゾルテニブカプセル10mg 添付文書", "QT間隔延長", "2.5", None),
    ("ZT-1001-LC-002", "悪心", "45.0", 120),
    ("ZT-1001-LC-002", "発疹", "20.8", 120),
])
def test_sample_reactions(sample: ExtractionResult, study: str, concept: str, percent: str,
                          denominator: int | None) -> None:
    found = [a for a in _of(sample, AdverseEventIncidence) if a.concept.text == concept]
    assert [(a.study.text, a.percent, a.denominator) for a in found] == [(study, Decimal(percent), denominator)]


def test_sample_frequency_unknown_is_not_a_number(sample: ExtractionResult) -> None:
    assert not [a for a in _of(sample, AdverseEventIncidence) if a.concept.text == "肝炎"]


def test_sample_study_and_result(sample: ExtractionResult) -> None:
    (study,) = sample.studies
    assert (study.identifiers, study.aliases, study.phase, study.enrollment) == (
        ("ZT-1001-LC-002",), ("ZEPHYR-2",), "II", 126)
    assert study.primary_endpoints == ("奏効率(ORR)",)  # footnote marker *1 dropped
    assert study.secondary_endpoints == ("無増悪生存期間(PFS)", "全生存期間(OS)", "安全性")
    (res,) = _of(sample, EfficacyResult)
    assert (res.endpoint, res.value, res.ci_lower, res.ci_upper, res.data_cutoff) == (
        "ORR", Decimal("65.0"), Decimal("55.8"), Decimal("73.4"), dt.date(2023, 6, 30))


# --------------------------------------------------------------------------- 2019 format, bad input

NEW_FORMAT = """販売名 テストミブ錠5mg
1. 警告
1.1 本剤は、十分な知識・経験を持つ医師のもとで投与すること。
2. 禁忌(次の患者には投与しないこと)
2.1 本剤の成分に対し過敏症の既往歴のある患者
2.2 重度の肝機能障害のある患者
4. 効能又は効果
○再発又は難治性の多発性骨髄腫
○再発又は難治性の成人T細胞白血病リンパ腫
6. 用法及び用量
通常、成人にはテストミブとして1日1回5mgを21日間連日経口投与した後、7日間休薬する。これを1サイクル
として投与を繰り返す。
11.1 重大な副作用
11.1.1 好中球減少(35.2%)、血小板減少(22.1%)
11.1.2 ショック(頻度不明)
11.2 その他の副作用
21. 承認条件
21.1 医薬品リスク管理計画を策定の上、適切に実施すること。
"""


def test_numbered_2019_format(tmp_path: Path) -> None:
    path = tmp_path / "insert.txt"
    path.write_text(NEW_FORMAT, encoding="utf-8")
    r = extract(load_document(path))
    assert r.info.products[0].text == "テストミブ錠5mg"
    kinds = [(u.kind, u.text[:8]) for u in _of(r, UseRequirement)]
    assert kinds == [("warning", "本剤は、十分な知"), ("contraindication", "本剤の成分に対し"),
                     ("contraindication", "重度の肝機能障害")]
    assert [i.text for i in _of(r, Indication)] == ["再発又は難治性の多発性骨髄腫", "再発又は難治性の成人T細胞白血病リンパ腫"]
    (dose,) = _of(r, DosageRegimen)
    assert (dose.dose_value, dose.dose_unit, dose.frequency, dose.route) == (Decimal(5), "mg", "once daily", "oral")
    assert (dose.cycle_days, dose.cycle_length_days) == ("1-21", 28)
    assert [c.text for c in _of(r, ApprovalCondition)] == ["医薬品リスク管理計画を策定の上、適切に実施すること。"]
    assert {(a.concept.text, a.percent) for a in _of(r, AdverseEventIncidence)} == {
        ("好中球減少", Decimal("35.2")), ("血小板減少", Decimal("22.1"))}


@pytest.mark.parametrize(("text", "code"), [
    ("ただの文章です。製品名はありません。\n", "not-this-kind"),
])
def test_no_product_is_an_issue(tmp_path: Path, text: str, code: str) -> None:
    path = tmp_path / "x.txt"
    path.write_text(text, encoding="utf-8")
    r = extract(load_document(path))
    assert r.status == "partial" and r.issues[0].code == code and r.facts == ()


def test_footnote_marker_is_not_a_dose(tmp_path: Path) -> None:
    path = tmp_path / "insert.txt"
    path.write_text("販売名 テストミブ錠5mg\n【用法・用量】\n通常、成人にはテストミブとして1日1回25mg1)を"
                    "経口投与する。\n", encoding="utf-8")
    (dose,) = _of(extract(load_document(path)), DosageRegimen)
    assert (dose.dose_value, dose.dose_unit) == (Decimal(25), "mg")


_FLOW_SAMPLE = """\
販売名 テストセル点滴静注
テストセルの有効性と安全性
国際共同第II相試験(TC-2001試験/SUNRISE試験)
目的:テストセルの有効性を検討する。

患者の内訳

登録
(n=52)

テストセル投与*1
(n=47)

投与前に中止(n=5)
・病勢進行(n=3)
・死亡(n=2)

有効性解析対象(n=45)

データカットオフ日:2025年3月31日
"""


def test_sample_patient_flow_with_caption_above(tmp_path: Path) -> None:
    path = tmp_path / "brochure.txt"
    path.write_text(_FLOW_SAMPLE, encoding="utf-8")
    r = extract(load_document(path))
    assert sorted((f.stage, f.count, f.arm, f.study.text) for f in _of(r, PatientFlowCount)) == sorted([
        ("登録", 52, None, "TC-2001"), ("テストセル投与", 47, None, "TC-2001"),
        ("投与前に中止", 5, None, "TC-2001"), ("有効性解析対象", 45, None, "TC-2001")])


def test_sample_patient_flow_count_without_label_is_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "brochure.txt"
    path.write_text(_FLOW_SAMPLE.replace("登録\n(n=52)", "登録の前に、説明を行った。\n(n=52)"), encoding="utf-8")
    r = extract(load_document(path))
    assert "登録" not in {f.stage for f in _of(r, PatientFlowCount)}
    assert any(i.code == "table-unreadable" for i in r.issues)


_MULTI_LABEL = """\
2023年3月27日作成(第1版)
2025年6月10日改訂(第3版)
販売名 テストリドカプセル5mg
一般名 テストリド
承認年月日 2023年3月27日
【効能・効果】
○多発性骨髄腫
○骨髄異形成症候群
【用法・用量】
〈多発性骨髄腫〉
デキサメタゾンとの併用において、通常、成人にはテストリドとして1日1回25mgを21日間連日経口投与した後、7日間休薬する。
〈骨髄異形成症候群〉
通常、成人にはテストリドとして1日1回10mgを21日間連日経口投与した後、7日間休薬する。
"""


@pytest.fixture()
def multi_label(tmp_path: Path) -> ExtractionResult:
    path = tmp_path / "label.txt"
    path.write_text(_MULTI_LABEL, encoding="utf-8")
    return extract(load_document(path))


def test_full_dates_of_the_label(multi_label: ExtractionResult) -> None:
    assert multi_label.products[0].approval_date == (dt.date(2023, 3, 27),)
    assert multi_label.info.issued == dt.date(2025, 6, 10)  # the newest version


@pytest.mark.parametrize(("dose", "indication", "combination"), [
    (25, "多発性骨髄腫", ("デキサメタゾン",)),
    (10, "骨髄異形成症候群", ()),
])
def test_dosage_per_indication_and_combination(multi_label: ExtractionResult, dose: int, indication: str,
                                               combination: tuple[str, ...]) -> None:
    (reg,) = [d for d in _of(multi_label, DosageRegimen) if d.dose_value == dose]
    assert reg.indication == indication and reg.indication in {i.text for i in _of(multi_label, Indication)}
    assert tuple(m.text for m in reg.combination_with) == combination
    assert (reg.frequency, reg.cycle_days, reg.cycle_length_days) == ("once daily", "1-21", 28)


def test_year_month_dates_give_no_day(sample: ExtractionResult) -> None:
    # the sample label prints 承認年月 and 改訂 with year and month only
    assert sample.products[0].approval_date == () and sample.info.issued is None


def test_combination_with_a_drug_class_is_not_a_substance(tmp_path: Path) -> None:
    path = tmp_path / "label.txt"
    path.write_text("販売名 テストマブ点滴静注100mg\n【用法・用量】\n他の抗悪性腫瘍剤との併用において、通常、成人には"
                    "テストマブとして1回100mgを2週間間隔で点滴静注する。\n", encoding="utf-8")
    r = extract(load_document(path))
    (reg,) = _of(r, DosageRegimen)
    assert reg.combination_with == () and reg.frequency == "every 2 weeks"
    assert any(i.code == "content-skipped" for i in r.issues)


# --------------------------------------------------------------------------- PDF renditions


def _comparable(result: ExtractionResult) -> tuple[object, ...]:
    """Everything but provenance (offsets differ between a PDF and its text)."""
    def strip(obj: object) -> dict[str, object]:
        return {k: getattr(obj, k) for k in obj.__slots__ if k != "ref"}  # type: ignore[attr-defined]

    return (result.info.title, result.info.products, [strip(p) for p in result.products],
            [strip(s) for s in result.studies], [strip(f) for f in result.facts])


@pytest.mark.parametrize("source", ["seed", "sample"])
def test_pdf_rendition_gives_the_same_facts(make_pdfs, tmp_path: Path, source: str) -> None:  # type: ignore[no-untyped-def]
    if source == "seed" and not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    path = SEEDS / "004_a050315df33648bf.txt" if source == "seed" else SAMPLE
    pdf = make_pdfs.render_document(path, tmp_path)
    from_pdf, from_text = extract(load_document(pdf)), extract(load_document(path))
    assert _comparable(from_pdf) == _comparable(from_text)
    assert len(from_text.facts) > 10


# --------------------------------------------------------------------------- dose ranges, results per arm

_INSERT = "販売名 テストセル点滴静注\n【用法・用量】\n{}\n"


@pytest.mark.parametrize(("dosage", "value", "low", "high"), [
    # a target dose, and the range it may take in the なお sentence after it: one regimen
    ("通常、成人にはテストセルとして目標投与数200×10^6個を単回静脈内投与する。なお、テストセルとして"
     "150×10^6~250×10^6個の範囲で投与できる。", 200 * M, 150 * M, 250 * M),
    # the range in brackets in the same sentence
    ("通常、成人にはテストセルとして目標投与数200×10^6個(150×10^6~250×10^6個の範囲で)を単回静脈内投与する。",
     200 * M, 150 * M, 250 * M),
    # a range only
    ("通常、成人にはテストセルとして150×10^6~250×10^6個を単回静脈内投与する。", None, 150 * M, 250 * M),
])
def test_target_dose_with_its_range(tmp_path: Path, dosage: str, value: int | None, low: int, high: int) -> None:
    path = tmp_path / "insert.txt"
    path.write_text(_INSERT.format(dosage), encoding="utf-8")
    (reg,) = _of(extract(load_document(path)), DosageRegimen)
    assert (reg.dose_value, reg.dose_min, reg.dose_max) == (
        Decimal(value) if value else None, Decimal(low), Decimal(high))
    assert (reg.dose_unit, reg.route, reg.frequency) == ("cells", "intravenous", "single dose")
    assert reg.text == dosage


def test_range_that_does_not_hold_the_dose_stays_apart(tmp_path: Path) -> None:
    path = tmp_path / "insert.txt"
    path.write_text(_INSERT.format("通常、成人にはテストセルとして目標投与数200×10^6個を単回静脈内投与する。"
                                   "なお、テストセルとして300×10^6~400×10^6個の範囲で投与できる。"), encoding="utf-8")
    r = extract(load_document(path))
    regs = _of(r, DosageRegimen)
    assert [(d.dose_value, d.dose_min, d.dose_max) for d in regs] == [
        (Decimal(200 * M), None, None), (None, Decimal(300 * M), Decimal(400 * M))]
    assert any(i.code == "values-inconsistent" for i in r.issues)


_BROCHURE = """\
販売名 テストセル点滴静注
テストセルの有効性と安全性
国際共同第II相試験(TC-2001試験/SUNRISE試験)
目的:テストセルの有効性を検討する。

{}

データカットオフ日:2025年3月31日
"""


def test_results_given_in_the_order_of_the_arms(tmp_path: Path) -> None:
    path = tmp_path / "brochure.txt"
    path.write_text(_BROCHURE.format("目標用量が100×10^6個、200×10^6個投与の外国人患者におけるORRは55.0%(95%CI:"
                                     "40.1-69.2)、62.5%(95%CI:45.8-77.3)、CRRは20.0%、25.0%でした。"),
                    encoding="utf-8")
    found = {(e.endpoint, e.arm): (e.value, e.ci_lower, e.ci_upper, e.data_cutoff)
             for e in _of(extract(load_document(path)), EfficacyResult)}
    cutoff = dt.date(2025, 3, 31)
    assert found == {
        ("ORR", "外国人患者 100×10^6個"): (Decimal("55.0"), Decimal("40.1"), Decimal("69.2"), cutoff),
        ("ORR", "外国人患者 200×10^6個"): (Decimal("62.5"), Decimal("45.8"), Decimal("77.3"), cutoff),
        ("CRR", "外国人患者 100×10^6個"): (Decimal("20.0"), None, None, cutoff),
        ("CRR", "外国人患者 200×10^6個"): (Decimal("25.0"), None, None, cutoff),
    }


@pytest.mark.parametrize("sentence", [
    "目標用量が100×10^6個、200×10^6個投与の外国人患者におけるORRは55.0%(95%CI:40.1-69.2)でした。",
    # the second endpoint short of a value: the first is not read either
    "目標用量が100×10^6個、200×10^6個投与の外国人患者におけるORRは55.0%、62.5%、CRRは20.0%でした。",
])
def test_results_fewer_than_the_arms_are_an_issue(tmp_path: Path, sentence: str) -> None:
    path = tmp_path / "brochure.txt"
    path.write_text(_BROCHURE.format(sentence), encoding="utf-8")
    r = extract(load_document(path))
    assert _of(r, EfficacyResult) == []
    assert any(i.code == "values-inconsistent" for i in r.issues)


def test_median_with_its_range_has_no_ci(tmp_path: Path) -> None:
    path = tmp_path / "brochure.txt"
    path.write_text(_BROCHURE.format("奏効が得られた日本人患者におけるTTR中央値は、目標用量が200×10^6個投与で"
                                     "1.5ヵ月(範囲:0.9-4.2)でした。"), encoding="utf-8")
    (e,) = _of(extract(load_document(path)), EfficacyResult)
    assert (e.endpoint, e.arm, e.value, e.unit, e.ci_lower, e.ci_upper) == (
        "TTR", "日本人患者 200×10^6個", Decimal("1.5"), "months", None, None)


_MEDIAN_TABLE = """\
奏効が得られた外国人患者におけるDOR中央値は、目標用量が100×10^6個投与で8.10ヵ月(95%CI:5.20-11.30)でした。
データカットオフ日:2025年3月31日
奏効持続期間(DOR)
目標用量
100×10^6個
(n=40)
200×10^6個
(n=42)
DOR中央値*、月(95%CI) 8.10(5.20-11.30) 10.40(7.70-NE)
{}
"""


def test_table_of_medians_per_arm(tmp_path: Path) -> None:
    """The 200×10^6 column is read from the table (population from the sentence about the same
    endpoint above it); the 100×10^6 cell repeats the sentence and gives no second fact."""
    path = tmp_path / "brochure.txt"
    path.write_text(_BROCHURE.format(_MEDIAN_TABLE.format("")), encoding="utf-8")
    found = [(e.arm, e.value, e.ci_lower, e.ci_upper, e.data_cutoff)
             for e in _of(extract(load_document(path)), EfficacyResult)]
    cutoff = dt.date(2025, 3, 31)
    assert found == [("外国人患者 100×10^6個", Decimal("8.10"), Decimal("5.20"), Decimal("11.30"), cutoff),
                     ("外国人患者 200×10^6個", Decimal("10.40"), Decimal("7.70"), None, cutoff)]


@pytest.mark.parametrize(("table", "why"), [
    # a row with fewer cells than arms
    (_MEDIAN_TABLE.replace(" 10.40(7.70-NE)", "").format(""), "cells"),
    # arms that are not doses (responders by best response)
    (_MEDIAN_TABLE.replace("100×10^6個\n", "CRの患者\n").replace("200×10^6個\n", "PRの患者\n").format(""), "arms"),
])
def test_table_of_medians_not_read(tmp_path: Path, table: str, why: str) -> None:
    path = tmp_path / "brochure.txt"
    path.write_text(_BROCHURE.format(table), encoding="utf-8")
    r = extract(load_document(path))
    assert [e.arm for e in _of(r, EfficacyResult)] == ["外国人患者 100×10^6個"], why  # the sentence only
    assert any(i.code == "table-unreadable" for i in r.issues)


def test_table_between_two_cutoffs_has_none(tmp_path: Path) -> None:
    path = tmp_path / "brochure.txt"
    path.write_text(_BROCHURE.format(_MEDIAN_TABLE.format("データカットオフ日:2025年9月30日")), encoding="utf-8")
    r = extract(load_document(path))
    table = [e for e in _of(r, EfficacyResult) if e.arm == "外国人患者 200×10^6個"]
    assert [e.data_cutoff for e in table] == [None]
    assert any(i.code == "values-inconsistent" for i in r.issues)
