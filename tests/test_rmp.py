"""RMP extractor: facts read by hand from seed 003 and from the project's fictional RMPs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from extract.extractors.rmp import Compact, extract, numbered_items, tidy
from extract.load import load_document
from extract.model import (Activity, AdverseEventIncidence, ApprovalCondition, DosageRegimen, ExtractionResult,
                           Indication, SafetyConcern)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_RMP = SEEDS / "003_033988a1d9a37a3d.txt"
SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
V1 = SAMPLES / "rmp_solarista_v1.txt"
V2 = SAMPLES / "rmp_solarista_v2.txt"


@pytest.fixture(scope="module")
def seed() -> ExtractionResult:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    return extract(load_document(SEED_RMP))


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    return load_document(SEED_RMP).text


@pytest.fixture(scope="module")
def v1() -> ExtractionResult:
    return extract(load_document(V1))


def _of(result: ExtractionResult, cls: type) -> list:  # type: ignore[type-arg]
    return [f for f in result.facts if isinstance(f, cls)]


def _activity(result: ExtractionResult, *words: str) -> Activity:
    found = [a for a in _of(result, Activity) if all(w in a.label for w in words)]
    assert len(found) == 1, [a.label for a in _of(result, Activity)]
    return found[0]


# --------------------------------------------------------------------------- seed 003


def test_seed_document_info(seed: ExtractionResult) -> None:
    assert seed.info.issued == dt.date(2026, 3, 23)
    assert seed.info.previous_version_date == dt.date(2026, 2, 25)
    assert [m.text for m in seed.info.products] == ["ルンスミオ"]
    assert not [i for i in seed.issues if i.level == "error"]


@pytest.mark.parametrize("line, opening, closing", [
    (0, "皮下注製剤について", "に関する記載を追加。"),
    (1, "・品目の概要:", "効能又は効果"),
    (2, "・1.1安全性検討事項", "を各リスクに追記。"),
    (3, "市販直後調査による情報提供", "実施状況の変更。"),
    (4, "・5.1", "医薬品安全性監視計画の一覧"),
    (5, "・5.3", "リスク最小化計画の一覧"),
])
def test_seed_change_summary(seed: ExtractionResult, line: int, opening: str, closing: str) -> None:
    assert seed.info.change_summary is not None
    lines = seed.info.change_summary.split("\n")
    assert len(lines) == 6
    assert lines[line].startswith(opening) and lines[line].endswith(closing)


def test_seed_change_reason(seed: ExtractionResult) -> None:
    assert seed.info.change_reason == "承認事項一部変更承認取得のため。"


def test_change_history_in_the_graph(seed: ExtractionResult) -> None:
    from rdflib import Literal

    from extract.classify import classify
    from extract.normalize.linker import link
    from extract.rdf.build import build_graph
    from extract.rdf.namespaces import YK

    doc = load_document(SEED_RMP)
    g = build_graph(doc, classify(doc), seed, link(seed, doc))
    assert Literal("承認事項一部変更承認取得のため。", lang="ja") in set(g.objects(None, YK.changeReason))
    (summary,) = g.objects(None, YK.changeSummary)
    assert summary.language == "ja" and str(summary).startswith("皮下注製剤について")


def test_seed_product(seed: ExtractionResult) -> None:
    (p,) = seed.products
    assert p.product.text == "ルンスミオ"
    assert p.names == ("ルンスミオ®点滴静注1mg", "ルンスミオ®点滴静注30mg", "ルンスミオ®皮下注5mg",
                       "ルンスミオ®皮下注45mg")
    assert [s.text for s in p.substances] == ["モスネツズマブ(遺伝子組換え)"]
    assert p.holder is not None and p.holder.text == "中外製薬株式会社"
    assert p.approval_number == ("30600AMX00306000", "30600AMX00307000", "30700AMX00256000",
                                 "30700AMX00257000")
    assert p.approval_date == (dt.date(2024, 12, 27), dt.date(2025, 12, 22))
    assert p.reexamination_years == 8
    assert p.therapeutic_category == "87429"


@pytest.mark.parametrize("label", ["サイトカイン放出症候群", "神経学的事象(", "感染症", "腫瘍フレア",
                                   "腫瘍崩壊症候群", "血球減少"])
def test_seed_identified_risks(seed: ExtractionResult, seed_text: str, label: str) -> None:
    (c,) = [c for c in _of(seed, SafetyConcern) if c.label == label or label.endswith("(")
            and c.label.startswith(label) and c.label.endswith("含む)")]
    label = c.label
    assert c.category == "identified"
    assert c.concept is not None and c.concept.text == label
    assert c.reason is not None and c.reason.endswith("重要な特定されたリスクとした。") or \
        c.reason is not None and c.reason.endswith("報告されている。")
    evidence = seed_text[c.ref.start:c.ref.end]
    assert evidence.startswith(label) and "とした理由" in evidence
    assert "全Grade" not in c.reason and "例)" not in c.reason  # the incidence table is not reason text


def test_seed_concern_counts(seed: ExtractionResult) -> None:
    cats = [c.category for c in _of(seed, SafetyConcern)]
    assert cats == ["identified"] * 6  # no potential risks, no missing information
    assert not [i for i in seed.issues if i.code == "content-skipped"]  # no efficacy concerns


@pytest.mark.parametrize("words, kind, status, target, code", [
    (("市販直後調査(", "点滴静注製剤"), "pv", "completed", None, None),
    (("市販直後調査(", "皮下注製剤"), "pv", "ongoing", None, None),
    (("LUN2501",), "pv", "ongoing", 120, "LUN2501"),
    (("情報提供", "点滴静注製剤"), "rm", "completed", None, None),
    (("情報提供", "皮下注製剤"), "rm", "ongoing", None, None),
    (("適正使用ガイド",), "rm", "ongoing", None, None),
    (("患者ハンドブック",), "rm", "ongoing", None, None),
    (("使用条件の設定",), "rm", "ongoing", None, None),
])
def test_seed_additional_activities(seed: ExtractionResult, words: tuple[str, ...], kind: str,
                                    status: str, target: int | None, code: str | None) -> None:
    a = _activity(seed, *words)
    assert (a.kind, a.scope, a.status, a.target_sample_size, a.study_code) == \
        (kind, "additional", status, target, code)


def test_seed_activity_details(seed: ExtractionResult) -> None:
    lun = _activity(seed, "LUN2501")
    assert lun.label.startswith("特定使用成績調査(再発又は") and lun.label.endswith("点滴静注製剤)(LUN2501)")
    assert lun.addresses == ("サイトカイン放出症候群",)
    assert lun.milestones == ("安全性定期報告時", "中間報告書の作成時", "最終報告書の作成時")
    assert lun.period == "2025年4月~2027年5月31日(予定)"
    assert _activity(seed, "使用条件の設定").addresses == ("サイトカイン放出症候群",)
    assert len(_activity(seed, "適正使用ガイド").addresses) == 6
    assert _activity(seed, "市販直後調査(", "点滴静注製剤").report_due == "作成済(2025年11月提出)"
    assert _activity(seed, "市販直後調査(", "皮下注製剤").period == "販売開始後6カ月間"
    routine = [a for a in _of(seed, Activity) if a.scope == "routine"]
    assert sorted((a.kind, a.label, len(a.addresses)) for a in routine) == [
        ("pv", "通常の医薬品安全性監視活動", 6), ("rm", "通常のリスク最小化活動", 6)]
    assert len(_of(seed, Activity)) == 10


def test_seed_indications_and_conditions(seed: ExtractionResult) -> None:
    texts = [i.text for i in _of(seed, Indication)]
    assert texts[0] == "再発又は難治性の濾胞性リンパ腫"
    assert texts[1].startswith("以下の再発又は難治性の大細胞型B細胞リンパ腫")
    assert [i.disease.text for i in _of(seed, Indication)][1] == "再発又は難治性の大細胞型B細胞リンパ腫"
    conditions = _of(seed, ApprovalCondition)
    assert len(conditions) == 2
    assert conditions[0].text.startswith("医薬品リスク管理計画を") and conditions[0].text.endswith("実施すること。")


@pytest.mark.parametrize("route, cycle, day, dose, combined", [
    ("intravenous", "1", "1", "1", False),
    ("intravenous", "1", "8", "2", False),
    ("intravenous", "1", "15", "60", False),
    ("intravenous", "2", "1", "60", False),
    ("intravenous", ">=3", "1", "30", False),
    ("subcutaneous", "1", "1", "5", False),
    ("subcutaneous", "1", "8", "45", False),
    ("subcutaneous", "1", "15", "45", False),
    ("subcutaneous", ">=2", "1", "45", False),
    ("subcutaneous", "1", "1", "5", True),
    ("subcutaneous", "1", "15", "45", True),
    ("subcutaneous", ">=2", "1", "45", True),
])
def test_seed_dosage_steps(seed: ExtractionResult, route: str, cycle: str, day: str, dose: str,
                           combined: bool) -> None:
    steps = [d for d in _of(seed, DosageRegimen) if (d.route, d.cycle_number, d.cycle_days) == (route, cycle, day)
             and bool(d.combination_with) == combined]
    assert len(steps) == 1
    d = steps[0]
    assert (d.dose_value, d.dose_unit, d.cycle_length_days) == (Decimal(dose), "mg", 21)
    if combined:
        assert [m.text for m in d.combination_with] == ["ポラツズマブ ベドチン(遺伝子組換え)"]
        assert d.indication is None  # the block covers two indications: not guessed
    else:
        assert d.indication == "再発又は難治性の濾胞性リンパ腫"


def test_seed_dosage_count(seed: ExtractionResult) -> None:
    assert len(_of(seed, DosageRegimen)) == 13


def test_seed_spans_exact(seed: ExtractionResult, seed_text: str) -> None:
    for fact in (*seed.facts, *seed.products):
        evidence = seed_text[fact.ref.start:fact.ref.end]
        assert evidence and evidence == evidence.strip(), fact
    for d in _of(seed, DosageRegimen):
        assert tidy(seed_text[d.ref.start:d.ref.end]).replace(" ", "") == d.text.replace(" ", "")


@pytest.mark.parametrize("concept, study, arm_start, scope, count, percent, n", [
    ("CRS", "GO29781", "B11 FL", "all", 41, "45.6", 90),
    ("CRS", "JO40295", "拡大", "all", 9, "47.4", 19),
    ("CRS", "GO29781", "F2 FL", "all", 30, "31.9", 94),
    ("CRS", "GO43643", "Arm A", "all", 35, "25.9", 135),
    ("CRS", "GO40516", "Arm L", ">=3", 0, None, 40),
    ("CRS", "GO43643", "Arm A", ">=3", 1, "0.7", 135),
    ("HLH", "GO29781", "F2 FL", "all", 1, "1.1", 94),
    ("ICANS", "GO29781", "B11 FL", "all", 0, None, 90),  # printed 0*1: the *1 is a footnote
    ("ICANS", "JO40295", "拡大", "all", 1, "5.3", 19),
    ("腫瘍フレア", "GO43643", "Arm A", "all", 9, "6.7", 135),
    ("腫瘍フレア", "GO43643", "Arm A", ">=3", 2, "1.5", 135),
    ("腫瘍崩壊症候群", "GO29781", "B11 FL", ">=3", 1, "1.1", 90),
])
def test_seed_incidence(seed: ExtractionResult, concept: str, study: str, arm_start: str, scope: str,
                        count: int, percent: str | None, n: int) -> None:
    rows = [f for f in _of(seed, AdverseEventIncidence) if f.concept.text == concept and f.study.text == study
            and f.arm is not None and f.arm.startswith(arm_start) and f.grade_scope == scope]
    assert len(rows) == 1
    r = rows[0]
    assert (r.patient_count, r.percent, r.denominator) == (count, Decimal(percent) if percent else None, n)


def test_seed_incidence_skips_what_cannot_be_read(seed: ExtractionResult) -> None:
    concepts = {f.concept.text for f in _of(seed, AdverseEventIncidence)}
    assert concepts == {"CRS", "HLH", "ICANS", "腫瘍フレア", "腫瘍崩壊症候群"}
    assert len(_of(seed, AdverseEventIncidence)) == 5 * 12
    skipped = [i for i in seed.issues if i.code in ("table-unreadable", "row-unreadable")]
    assert len(skipped) == 3  # interleaved headers (2 tables) and one broken row label
    assert {s.identifiers for s in seed.studies} == {("GO29781",), ("JO40295",), ("GO40516",), ("GO43643",)}


# --------------------------------------------------------------------------- fictional samples


def test_sample_v1_facts(v1: ExtractionResult) -> None:
    assert v1.info.issued == dt.date(2025, 4, 10)
    assert v1.info.previous_version_date == dt.date(2024, 10, 1)
    assert [(c.category, c.label) for c in _of(v1, SafetyConcern)] == [
        ("identified", "サイトカイン放出症候群"), ("identified", "感染症"), ("identified", "血球減少"),
        ("potential", "間質性肺疾患"), ("potential", "進行性多巣性白質脳症"), ("missing", "肝機能障害患者への投与")]
    trial = _activity(v1, "ABC-2002")
    assert (trial.status, trial.target_sample_size, trial.study_code, trial.addresses) == \
        ("planned", 50, "ABC-2002", ("肝機能障害患者への投与",))
    assert _activity(v1, "ABC1001").milestones == ("安全性定期報告時", "最終報告書作成時")
    assert _activity(v1, "投与ガイド").addresses == ("サイトカイン放出症候群", "感染症")
    assert not v1.issues
    crs = sorted((f.study.text, f.grade_scope, f.patient_count, f.percent, f.denominator, f.arm)
                 for f in _of(v1, AdverseEventIncidence))
    assert crs == [("ABC0101", ">=3", 1, Decimal("3.3"), 30, "第I相パート"),
                   ("ABC0101", "all", 12, Decimal("40.0"), 30, "第I相パート"),
                   ("ABC0102", ">=3", 0, None, 60, None), ("ABC0102", "all", 20, Decimal("33.3"), 60, None)]


def _variant(tmp_path: Path, source: Path, edits: list[tuple[str, str]]) -> ExtractionResult:
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "variant.txt"
    path.write_text(text, encoding="utf-8")
    return extract(load_document(path))


@pytest.mark.parametrize("word", ["中止", "休止"])
def test_unknown_status_is_not_invented(tmp_path: Path, word: str) -> None:
    r = _variant(tmp_path, V1, [("試験終了時 計画中", f"試験終了時 {word}")])
    assert _activity(r, "ABC-2002").status is None
    assert any(i.code == "value-unparsed" for i in r.issues)


def test_summary_only(tmp_path: Path) -> None:
    text = V1.read_text(encoding="utf-8")
    path = tmp_path / "summary.txt"
    path.write_text(text[:text.index("（別紙様式１）")], encoding="utf-8")
    r = extract(load_document(path))
    assert r.status == "partial"
    assert r.info.issued == dt.date(2025, 4, 10)
    assert r.products[0].names == ("ソラリスタ®点滴静注2mg", "ソラリスタ®点滴静注100mg")
    assert not _of(r, SafetyConcern)  # the layout table's columns cannot be told apart
    assert {a.label for a in _of(r, Activity)} >= {"一般使用成績調査(ABC1001)", "市販直後調査"}
    assert all(a.status is None for a in _of(r, Activity))


def test_plan_only(tmp_path: Path) -> None:
    text = V1.read_text(encoding="utf-8")
    path = tmp_path / "plan.txt"
    path.write_text(text[text.index("（別紙様式１）"):], encoding="utf-8")
    r = extract(load_document(path))
    assert r.info.products[0].text == "ソラリスタ"
    assert len(_of(r, SafetyConcern)) == 6
    assert r.info.change_summary == "・5.1医薬品安全性監視計画の一覧:製造販売後臨床試験の追加"
    assert r.info.change_reason == "製造販売後臨床試験の計画策定のため。"
    assert _activity(r, "ABC1001").status == "ongoing"
    assert any(i.code == "part-missing" for i in r.issues)


def test_truncated_before_section_5(tmp_path: Path) -> None:
    text = V1.read_text(encoding="utf-8")
    path = tmp_path / "cut.txt"
    path.write_text(text[:text.index("５. 医薬品安全性監視計画，")], encoding="utf-8")
    r = extract(load_document(path))
    assert r.status == "partial"
    assert len(_of(r, SafetyConcern)) == 6
    assert all(a.status is None for a in _of(r, Activity))


def test_not_an_rmp(tmp_path: Path) -> None:
    path = tmp_path / "other.txt"
    path.write_text("添付文書\n用法及び用量\n通常，1日1回投与する。\n", encoding="utf-8")
    r = extract(load_document(path))
    assert r.status == "partial" and not r.facts


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize("raw, expected", [
    ("21 日間を 1\nサイクルとし", "21日間を1サイクルとし"),
    ("ポラツズマブ ベドチン（遺伝子組換え）", "ポラツズマブ ベドチン(遺伝子組換え)"),
    ("大細胞型 B 細胞リンパ腫", "大細胞型B細胞リンパ腫"),
    ("3L+ FL", "3L+ FL"),
])
def test_tidy(raw: str, expected: str) -> None:
    from extract.normalize.text import clean_text

    assert tidy(clean_text(raw)) == expected


@pytest.mark.parametrize("value, expected", [
    ("1.2. 2024 年 1 月 5 日\n3.4. 2025 年 2 月 6 日", [(1, 2), (3, 4)]),
    ("1, 2:通常\n3, 4:\n本文", [(1, 2), (3, 4)]),
    ("①②: A\n③: B", [(1, 2), (3,)]),
    ("8 年", [()]),
    ("1. 1 バイアル中\n2. 1 バイアル中", [(1,), (2,)]),
])
def test_numbered_items(value: str, expected: list[tuple[int, ...]]) -> None:
    assert [i.numbers for i in numbered_items(value, 0, len(value), 4)] == expected


def test_compact_maps_offsets() -> None:
    text = "市販直後調査(再発又\n  は難治性) 実施中"
    c = Compact.of(text, 0, len(text))
    assert c.text == "市販直後調査(再発又は難治性)実施中"
    s, e = c.span(0, c.text.index(")") + 1)
    assert text[s:e] == "市販直後調査(再発又\n  は難治性)"
    assert c.text.index("実") in c.gaps and c.text.index("は") in c.breaks


# --------------------------------------------------------------------------- PDF renditions


def _comparable(result: ExtractionResult) -> tuple[object, ...]:
    """Everything but provenance offsets (which differ between a PDF and its text)."""
    def strip(obj: object) -> dict[str, object]:
        return {k: getattr(obj, k) for k in obj.__slots__ if k != "ref"}  # type: ignore[attr-defined]

    return (result.info.issued, result.info.previous_version_date, result.info.products,
            result.info.change_summary, result.info.change_reason,
            [strip(p) for p in result.products], [strip(f) for f in result.facts])


@pytest.mark.parametrize("source", ["seed", "sample"])
def test_pdf_rendition_gives_the_same_facts(make_pdfs, tmp_path: Path, source: str) -> None:  # type: ignore[no-untyped-def]
    if source == "seed" and not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    path = SEED_RMP if source == "seed" else V2
    pdf = make_pdfs.render_document(path, tmp_path)
    from_pdf, from_text = extract(load_document(pdf)), extract(load_document(path))
    assert _comparable(from_pdf) == _comparable(from_text)
    assert [i.code for i in from_pdf.issues] == [i.code for i in from_text.issues]


@pytest.mark.parametrize("cell, n, expected", [
    ("41(45.6%)", 90, (41, Decimal("45.6"))),
    ("15(16.6%)", 90, (15, Decimal("16.6"))),   # printed truncated, within rounding
    ("0", 19, (0, None)),
    ("0*1", 90, (0, None)),                      # footnote marker, not a number
    ("1(5.3%)*2", 19, (1, Decimal("5.3"))),
    ("41(55.6%)", 90, None),                     # percentage does not match the count
    ("95(100.0%)", 90, None),                    # more patients than the column's N
    ("5", 40, None),                             # a count whose percentage is missing
    ("25 mg1)", 40, None),
])
def test_incidence_cell_validation(cell: str, n: int, expected: tuple[int, Decimal | None] | None) -> None:
    from extract.extractors.rmp import _value

    assert _value(cell, n) == expected


@pytest.mark.parametrize("status_cell, expected", [("終了(2025年9月)", "completed"), ("実施中", "ongoing"),
                                                   ("計画中", "planned")])
def test_status_cell_with_note(tmp_path: Path, status_cell: str, expected: str) -> None:
    r = _variant(tmp_path, V1, [("試験終了時 計画中", f"試験終了時 {status_cell}")])
    assert _activity(r, "ABC-2002").status == expected


def test_circled_product_numbers(tmp_path: Path) -> None:
    r = _variant(tmp_path, V1, [("1. 30600AMX00901000\n2. 30600AMX00902000", "①30600AMX00901000\n②30600AMX00902000"),
                                ("1. ソラリスタ®点滴静注 2mg\n2. ソラリスタ®点滴静注 100mg",
                                 "① ソラリスタ®点滴静注 2mg\n② ソラリスタ®点滴静注 100mg")])
    (p,) = r.products
    assert p.approval_number == ("30600AMX00901000", "30600AMX00902000")
    assert p.names == ("ソラリスタ®点滴静注2mg", "ソラリスタ®点滴静注100mg")


def test_section_5_cut_off(tmp_path: Path) -> None:
    text = V1.read_text(encoding="utf-8")
    path = tmp_path / "cut5.txt"
    path.write_text(text[:text.index("製造販売後臨床試験（ABC-2002） 50 例")], encoding="utf-8")
    r = extract(load_document(path))
    assert r.status == "partial"  # the RM table is missing
    assert _activity(r, "ABC1001").status == "ongoing"
    assert not [a for a in _of(r, Activity) if "ABC-2002" in a.label]
    assert any(i.code == "reference-unknown" for i in r.issues)  # ABC-2002 not in the section-5 tables


@pytest.mark.parametrize("wrapped, expected", [
    ("進行性多巣性白\n\n質脳症", "進行性多巣性白質脳症"),        # confirmed by the summary table
    ("肝機能障害患者への\n\n投与", "肝機能障害患者への投与"),
])
def test_concern_name_wrapped_over_a_blank_line(tmp_path: Path, wrapped: str, expected: str) -> None:
    r = _variant(tmp_path, V1, [(f"\n{expected}\n重要な", f"\n{wrapped}\n重要な")])
    labels = [c.label for c in _of(r, SafetyConcern)]
    assert expected in labels and len(labels) == 6


def test_unconfirmed_wrapped_concern_name_is_left_out(tmp_path: Path) -> None:
    r = _variant(tmp_path, V1, [("\n感染症\n重要な", "\n感染症ア\n\nレルギー\n重要な")])
    labels = [c.label for c in _of(r, SafetyConcern)]
    assert len(labels) == 5 and not [x for x in labels if "レルギー" in x]
    assert any(i.code == "reference-ambiguous" for i in r.issues)


# --------------------------------------------------------------------------- summary-only: the risk table

HEADS = ("【重要な特定されたリスク】", "【重要な潜在的リスク】", "【重要な不足情報】")


def _row(*cells: str) -> str:
    """A layout-text row: each cell at the start of its 20-character column."""
    return "".join(c.ljust(20) for c in cells).rstrip()


def _summary_only(tmp_path: Path, table: list[str]) -> ExtractionResult:
    """A fictional summary-only RMP (no 別紙様式1) around the given risk-table lines."""
    lines = ["（別紙様式２）", "", "テストニールに係る", "医薬品リスク管理計画書（RMP）の概要", "",
             "販売名 テストニール®錠10mg", "有効成分 テストニブ", "製造販売業者 試験薬品株式会社 薬効分類 87429",
             "提出年月日 令和7年6月2日", "", "1.1. 安全性検討事項", *table, "", "1.2. 有効性に関する検討事項", "なし", "",
             "2. 医薬品安全性監視計画の概要", "通常の医薬品安全性監視活動", "追加の医薬品安全性監視活動",
             "一般使用成績調査", "", "3. 有効性に関する調査・試験の計画の概要", "なし", "",
             "4. リスク最小化計画の概要", "通常のリスク最小化活動", "追加のリスク最小化活動", "なし", ""]
    path = tmp_path / "summary_only.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return extract(load_document(path))


TABLES = {
    "two or more spaces": [_row(*HEADS), _row("肝機能障害", "心不全", "なし"),
                           _row("好中球減少症", "間質性肺疾患（薬剤性を"), _row("", "含む）"), _row("発疹")],
    "one column a row": [_row(*HEADS), _row("肝機能障害"), _row("", "心不全"), _row("", "", "小児への投与"),
                         _row("好中球減少症")],
}
EXPECTED = {
    "two or more spaces": [("identified", "肝機能障害"), ("identified", "好中球減少症"), ("identified", "発疹"),
                           ("potential", "心不全"), ("potential", "間質性肺疾患(薬剤性を含む)")],
    "one column a row": [("identified", "肝機能障害"), ("identified", "好中球減少症"), ("potential", "心不全"),
                         ("missing", "小児への投与")],
}


@pytest.mark.parametrize("layout", list(TABLES))
def test_summary_only_risk_table(tmp_path: Path, layout: str) -> None:
    r = _summary_only(tmp_path, TABLES[layout])
    doc = load_document(tmp_path / "summary_only.txt")
    concerns = _of(r, SafetyConcern)
    assert [(c.category, c.label) for c in concerns] == EXPECTED[layout]
    for c in concerns:
        assert c.reason is None and c.concept is not None and c.concept.text == c.label
        evidence = doc.text[c.ref.start:c.ref.end]
        assert evidence.startswith(c.label[:3]) and evidence.endswith(c.label[-2:])
    assert r.status == "partial"  # no plan: no reasons, no activity status
    assert any(i.code == "section-missing" for i in r.issues)


@pytest.mark.parametrize("table", [
    # columns a single space apart: which words belong to which column cannot be told
    [" ".join(HEADS), "肝機能障害 心不全 なし", "好中球減少症"],
    # the header broken over two lines: no column positions
    [_row(*HEADS[:2]), HEADS[2], _row("肝機能障害", "心不全", "なし")],
    # a cell running over the next column's start
    [_row(*HEADS), "肝機能障害に伴う重篤な黄疸及び肝不全の発現", _row("", "心不全")],
    # なし beside entries in one column
    [_row(*HEADS), _row("肝機能障害", "なし"), _row("", "心不全")],
])
def test_summary_only_unreadable_risk_table(tmp_path: Path, table: list[str]) -> None:
    r = _summary_only(tmp_path, table)
    assert not _of(r, SafetyConcern)
    assert any(i.code == "table-unreadable" and i.level == "error" for i in r.issues)
    assert r.products[0].names == ("テストニール®錠10mg",)


def test_seed_summary_alone_invents_no_category(seed_text: str, tmp_path: Path) -> None:
    """Seed 003's summary puts its table's columns a single space apart: without the plan,
    no concern is read and the reason is recorded."""
    path = tmp_path / "summary.txt"
    path.write_text(seed_text[:seed_text.index("(別紙様式1)")], encoding="utf-8")
    r = extract(load_document(path))
    assert not _of(r, SafetyConcern)
    assert any(i.code == "table-unreadable" for i in r.issues)
    assert r.info.issued == dt.date(2026, 3, 23) and r.status == "partial"


@pytest.mark.parametrize(("text", "phases"), [
    ("国内第I相試験(XY12345試験)において", {"XY12345": "I"}),
    ("海外第 I /II 相試験(XY12345 試験)では", {"XY12345": "I/II"}),
    ("第III相臨床試験(AB-301試験)", {"AB-301": "III"}),
    ("第I相試験(XY1試験)及び第II相試験(XY1試験)", {}),   # two phases for one study: none
    ("XY12345試験において", {}),
])
def test_study_phases(text, phases):
    from extract.extractors.rmp import study_phases

    assert study_phases(text) == phases


@pytest.mark.parametrize(("ident", "phase"), [
    ("GO29781", "I/II"),  # 海外第I/II相試験
    ("JO40295", "I"),     # 国内第I相試験
    ("GO40516", None),    # named without a phase
])
def test_seed_study_phases(seed: ExtractionResult, ident: str, phase: str | None) -> None:
    (s,) = [s for s in seed.studies if s.identifiers == (ident,)]
    assert s.phase == phase
