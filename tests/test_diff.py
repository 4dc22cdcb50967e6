"""RMP version diff: the fictional sample pair, an earlier version of seed 003 derived at test
time from its change history, robustness to renumbering and renaming, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.diff import (ActivityAdded, ActivityChanged, ActivityRemoved, ConcernAdded, ConcernRecategorised,
                          ConcernRemoved, ConcernRenamed, ConditionChanged, DosageChanged, IndicationChanged,
                          ProductChanged, ProductMismatchError, WordingChanged, describe, diff_rmp,
                          normalise_label, render_markdown, render_text, to_json)
from extract.extractors.rmp import extract
from extract.load import load_document
from extract.model import ExtractionResult

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_RMP = SEEDS / "003_033988a1d9a37a3d.txt"
SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
V1 = SAMPLES / "rmp_solarista_v1.txt"
V2 = SAMPLES / "rmp_solarista_v2.txt"

CONCERNS = "サイトカイン放出症候群, 感染症, 肝機能障害患者への投与, 血球減少症, "
ROUTINE_OLD = CONCERNS + "進行性多巣性白質脳症, 間質性肺疾患"
ROUTINE_NEW = "サイトカイン放出症候群, 二次性悪性腫瘍, 感染症, 肝機能障害患者への投与, 血球減少症, 間質性肺疾患"
MZL = "[再発又は難治性の辺縁帯リンパ腫] intravenous"
MCL = "[再発又は難治性のマントル細胞リンパ腫] intravenous"

# every change made between the two fictional versions, as the diff must report it
SAMPLE_CHANGES = [
    ProductChanged("names", "ソラリスタ®点滴静注2mg, ソラリスタ®点滴静注100mg",
                   "ソラリスタ®点滴静注2mg, ソラリスタ®点滴静注100mg, ソラリスタ®点滴静注400mg"),
    ProductChanged("approval_number", "30600AMX00901000, 30600AMX00902000",
                   "30600AMX00901000, 30600AMX00902000, 30700AMX00903000"),
    ProductChanged("approval_date", "2024-09-24", "2024-09-24, 2025-10-15"),
    IndicationChanged("added", "再発又は難治性のマントル細胞リンパ腫"),
    DosageChanged("removed", f"{MZL} cycle 1 day 8 10 mg every 28 days"),
    DosageChanged("added", f"{MZL} cycle 1 day 8 20 mg every 28 days"),
    DosageChanged("added", f"{MCL} cycle 1 day 1 2 mg every 21 days"),
    DosageChanged("added", f"{MCL} cycle 1 day 8 20 mg every 21 days"),
    DosageChanged("added", f"{MCL} cycle 1 day 15 100 mg every 21 days"),
    DosageChanged("added", f"{MCL} cycle >=2 day 1 100 mg every 21 days"),
    ConditionChanged("added", "国内での治験症例が極めて限られていることから,製造販売後,一定数の症例に係る"
                              "データが集積されるまでの間は,全症例を対象に使用成績調査を実施すること。"),
    ConcernRenamed("血球減少", "血球減少症"),
    ConcernRecategorised("間質性肺疾患", "potential", "identified"),
    WordingChanged("間質性肺疾患", "reason", "臨床試験での発現は少ないが,同種同効薬で報告があるため,重要な潜在的リスクとした。",
                   "製造販売後に重篤な症例が集積されたため,重要な特定されたリスクとした。"),
    ConcernRemoved("進行性多巣性白質脳症", "potential"),
    WordingChanged("肝機能障害患者への投与", "reason", "肝機能障害患者での使用経験が限られているため,重要な不足情報とした。",
                   "肝機能障害患者を対象とした臨床試験の成績がまだ得られていないため,重要な不足情報とした。"),
    ConcernAdded("二次性悪性腫瘍", "potential"),
    ActivityChanged("pv", "通常の医薬品安全性監視活動", "addresses", ROUTINE_OLD, ROUTINE_NEW),
    ActivityChanged("rm", "通常のリスク最小化活動", "addresses", ROUTINE_OLD, ROUTINE_NEW),
    ActivityChanged("pv", "市販直後調査", "status", "ongoing", "completed"),
    ActivityChanged("pv", "市販直後調査", "report_due", "市販直後調査終了から2カ月以内", "作成済(2025年9月提出)"),
    ActivityChanged("pv", "一般使用成績調査(ABC1001)", "target_sample_size", "300", "400"),
    ActivityChanged("pv", "一般使用成績調査(ABC1001)", "milestones", "安全性定期報告時, 最終報告書作成時",
                    "安全性定期報告時, 中間報告書作成時, 最終報告書作成時"),
    ActivityChanged("pv", "製造販売後臨床試験(ABC-2002)", "status", "planned", "ongoing"),
    ActivityChanged("rm", "市販直後調査による情報提供", "status", "ongoing", "completed"),
    ActivityChanged("rm", "医療従事者向け資材(投与ガイド)の作成及び配布", "addresses",
                    "サイトカイン放出症候群, 感染症", "サイトカイン放出症候群, 感染症, 間質性肺疾患"),
    ActivityRemoved("rm", "患者向け資材(治療日誌)の作成及び配布", "ongoing"),
    ActivityAdded("pv", "特定使用成績調査(間質性肺疾患)(ABC1003)", "planned"),
    ActivityAdded("rm", "使用条件の設定", "ongoing"),
]


def _result(path: Path) -> ExtractionResult:
    return extract(load_document(path))


@pytest.fixture(scope="module")
def pair() -> tuple[ExtractionResult, ExtractionResult]:
    return _result(V1), _result(V2)


def test_sample_pair_reports_exactly_the_changes_made(pair: tuple[ExtractionResult, ExtractionResult]) -> None:
    diff = diff_rmp(*pair)
    assert sorted(map(repr, diff.changes)) == sorted(map(repr, SAMPLE_CHANGES))
    assert (diff.dates.old_issued, diff.dates.new_issued) == (dt.date(2025, 4, 10), dt.date(2025, 11, 20))
    assert (diff.dates.old_previous, diff.dates.new_previous) == (dt.date(2024, 10, 1), dt.date(2025, 4, 10))
    assert not diff.identical


def test_ignore_wording(pair: tuple[ExtractionResult, ExtractionResult]) -> None:
    diff = diff_rmp(*pair).without_wording()
    assert not diff.of_kind(WordingChanged)
    assert len(diff.changes) == len(SAMPLE_CHANGES) - 2


def test_same_version_is_identical(pair: tuple[ExtractionResult, ExtractionResult]) -> None:
    assert diff_rmp(pair[0], pair[0]).identical


def _write_variant(tmp_path: Path, source: Path, edits: list[tuple[str, str, int]], name: str) -> Path:
    """A variant of a document written at test time: regex edits on the loaded text."""
    text = load_document(source).text
    for pattern, replacement, flags in edits:
        text, n = re.subn(pattern, replacement, text, flags=flags)
        assert n == 1, pattern
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_renumbered_sections_and_reordered_rows_are_no_change(tmp_path: Path,
                                                              pair: tuple[ExtractionResult, ExtractionResult]) -> None:
    path = _write_variant(tmp_path, V1, [
        (r"5\. 医薬品安全性監視計画,", "6. 医薬品安全性監視計画,", 0),
        (r"5\.\(1\)", "6.(1)", 0), (r"5\.\(2\)", "6.(2)", 0), (r"5\.\(3\)", "6.(3)", 0),
        (r"1\.\(1\)安全性検討事項", "1.1 安全性検討事項", 0),
        # the two RM rows swapped
        (r"(医療従事者向け資材[^\n]*実施中\n)(患者向け資材[^\n]*実施中\n)", r"\2\1", 0),
    ], "renumbered.txt")
    assert diff_rmp(pair[0], _result(path)).identical


def test_slightly_renamed_concern_is_a_rename(tmp_path: Path, pair: tuple[ExtractionResult, ExtractionResult]) -> None:
    path = _write_variant(tmp_path, V1, [(r"\n感染症\n重要な", "\n感染症等\n重要な", 0)], "renamed.txt")
    diff = diff_rmp(pair[0], _result(path))
    assert diff.of_kind(ConcernRenamed) == [ConcernRenamed("感染症", "感染症等")]
    assert not diff.of_kind(ConcernAdded) and not diff.of_kind(ConcernRemoved)


@pytest.mark.parametrize("a, b", [("血球減少", "血球減少症"), ("感染症", "感染症等"),
                                  ("神経学的事象(ICANS含む)", "神経学的事象"), ("ＣＲＳ", "CRS")])
def test_normalise_label(a: str, b: str) -> None:
    assert normalise_label(a) == normalise_label(b)


def test_different_products_refused(tmp_path: Path, pair: tuple[ExtractionResult, ExtractionResult]) -> None:
    path = tmp_path / "other.txt"
    path.write_text(V1.read_text(encoding="utf-8").replace("ソラリスタ", "ミラノバ")
                    .replace("ベルノキシマブ", "テストマブ"), encoding="utf-8")
    other = _result(path)
    with pytest.raises(ProductMismatchError):
        diff_rmp(pair[0], other)


# --------------------------------------------------------------------------- seed 003, earlier version


@pytest.fixture(scope="module")
def seed_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[ExtractionResult, ExtractionResult]:
    """Seed 003 and the version before it, derived by undoing what its 変更の履歴 lists:
    the LBCL / FL Grade 3B indication and its dosage for the subcutaneous products, and the
    status change of the intravenous early post-marketing survey in 5.1 and 5.3."""
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    path = _write_variant(tmp_path_factory.mktemp("seed"), SEED_RMP, [
        (r"(提出年月\s*)令和8年3月23日", r"\g<1>令和8年2月25日", 0),
        (r"〇以下の.*?(?=〇)", "", re.S),                                # 効能又は効果
        (r"〈再発又は難治性の大細胞型.*?(?=効 能 又 は 効 果)", "", re.S),  # 用法及び用量
        (r"^([ \t]*)終了([ \t]*)$", r"\g<1>実施中\g<2>", re.M),          # 5.(1)
        (r"(カ月後 )終了", r"\g<1>実施中", 0),                            # 5.(3)
    ], "earlier.txt")
    return _result(path), _result(SEED_RMP)


def test_seed_earlier_version_diff(seed_versions: tuple[ExtractionResult, ExtractionResult]) -> None:
    diff = diff_rmp(*seed_versions)
    pola = "with ポラツズマブ ベドチン(遺伝子組換え)"
    assert sorted(map(repr, diff.of_kind(DosageChanged))) == sorted(map(repr, [
        DosageChanged("added", f"subcutaneous cycle 1 day 1 5 mg every 21 days {pola}"),
        DosageChanged("added", f"subcutaneous cycle 1 day 8 45 mg every 21 days {pola}"),
        DosageChanged("added", f"subcutaneous cycle 1 day 15 45 mg every 21 days {pola}"),
        DosageChanged("added", f"subcutaneous cycle >=2 day 1 45 mg every 21 days {pola}"),
    ]))
    (indication,) = diff.of_kind(IndicationChanged)
    assert indication.change == "added"
    assert indication.text.startswith("以下の") and indication.text.endswith(" 高悪性度B細胞リンパ腫")
    changed = sorted((c.activity_kind, c.field, c.old, c.new, "情報提供" in c.label, "点滴静注製剤" in c.label)
                     for c in diff.of_kind(ActivityChanged))
    assert changed == [("pv", "status", "ongoing", "completed", False, True),
                       ("rm", "status", "ongoing", "completed", True, True)]
    assert len(diff.changes) == 7  # nothing else changed
    assert (diff.dates.old_issued, diff.dates.new_issued) == (dt.date(2026, 2, 25), dt.date(2026, 3, 23))
    assert diff.dates.new_previous == dt.date(2026, 2, 25)


# --------------------------------------------------------------------------- renderers and CLI


def test_renderers(pair: tuple[ExtractionResult, ExtractionResult]) -> None:
    diff = diff_rmp(*pair)
    text = render_text(diff)
    assert "Safety concerns:" in text and "moved potential -> identified: 間質性肺疾患" in text
    md = render_markdown(diff)
    assert md.startswith("# RMP diff: ソラリスタ") and "## Activities" in md
    payload = json.loads(to_json(diff))
    assert payload["identical"] is False and payload["dates"]["new_issued"] == "2025-11-20"
    assert {c["kind"] for c in payload["changes"]} >= {"concern_added", "activity_changed", "wording_changed"}
    assert describe(ConcernAdded("X", "potential")) == "added (potential): X"


@pytest.mark.parametrize("args, code, needle", [
    ([str(V1), str(V2)], 1, "renamed: 血球減少 -> 血球減少症"),
    ([str(V1), str(V1)], 0, "No differences."),
    ([str(V1), str(V2), "--format", "json"], 1, '"kind": "concern_removed"'),
    ([str(V1), str(V2), "--format", "markdown"], 1, "## Safety concerns"),
])
def test_cli_diff_rmp(args: list[str], code: int, needle: str) -> None:
    result = CliRunner().invoke(app, ["diff-rmp", *args])
    assert result.exit_code == code, result.output
    assert needle in result.output


def test_cli_ignore_wording() -> None:
    result = CliRunner().invoke(app, ["diff-rmp", str(V1), str(V2), "--ignore-wording"])
    assert result.exit_code == 1 and "Wording:" not in result.output


def test_cli_errors(tmp_path: Path) -> None:
    other = tmp_path / "pi.txt"
    other.write_text("添付文書\n用法及び用量\n通常,1日1回投与する。\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["diff-rmp", str(V1), str(other)])
    assert result.exit_code == 2 and "not a Risk Management Plan" in result.output
    renamed = tmp_path / "other_product.txt"
    renamed.write_text(V1.read_text(encoding="utf-8").replace("ソラリスタ", "ミラノバ")
                       .replace("ベルノキシマブ", "テストマブ"), encoding="utf-8")
    result = CliRunner().invoke(app, ["diff-rmp", str(V1), str(renamed)])
    assert result.exit_code == 2 and "different products" in result.output
    result = CliRunner().invoke(app, ["diff-rmp", str(V1), str(V2), "--format", "xml"])
    assert result.exit_code == 2


def test_table_split_across_pages_is_no_change(tmp_path: Path, pair: tuple[ExtractionResult, ExtractionResult]) -> None:
    """Page breaks inside section-5 rows and inside a concern's text change nothing."""
    path = _write_variant(tmp_path, V1, [
        (r"(一般使用成績調査\(ABC1001\)) (300 例)", "\\1\n\f\\2", 0),
        (r"(市販直後調査による情報提供) (販売開始から)", "\\1\f\\2", 0),
        (r"(\n感染症)\n(重要な特定されたリスクとした理由)", "\\1\f\\2", 0),
    ], "pages.txt")
    assert diff_rmp(pair[0], _result(path)).identical


@pytest.mark.parametrize("old_label, new_label, renamed", [
    ("間質性肺疾患", "間質性肺疾患の増悪", True),
    ("肝機能障害患者への投与", "腎機能障害患者への投与", False),  # a different concern, however close
])
def test_rename_or_replacement(tmp_path: Path, pair: tuple[ExtractionResult, ExtractionResult],
                               old_label: str, new_label: str, renamed: bool) -> None:
    path = _write_variant(tmp_path, V1, [(f"\n{old_label}\n重要な", f"\n{new_label}\n重要な", 0)], "v.txt")
    diff = diff_rmp(pair[0], _result(path))
    if renamed:
        assert diff.of_kind(ConcernRenamed) == [ConcernRenamed(old_label, new_label)]
    else:
        assert not diff.of_kind(ConcernRenamed)
        assert [c.label for c in diff.of_kind(ConcernRemoved)] == [old_label]
        assert [c.label for c in diff.of_kind(ConcernAdded)] == [new_label]


# --------------------------------------------------------------------------- versions already in the store


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A store holding the sample pair, a second product's RMP of V1's date and a guideline;
    returns the store path and the document IRI of each file name."""
    from extract.pipeline import ingest_paths
    from extract.store import Store

    tmp = tmp_path_factory.mktemp("store")
    other = tmp / "other_product.txt"
    other.write_text(V1.read_text(encoding="utf-8").replace("ソラリスタ", "ミラノバ")
                     .replace("ベルノキシマブ", "テストマブ"), encoding="utf-8")
    with Store(tmp / "store") as st:
        outcomes = ingest_paths([V1, V2, other, SAMPLES / "guideline_ja.txt"], st)
    assert all(o.status == "ok" for o in outcomes), outcomes
    return tmp / "store", {Path(o.path).name: str(o.doc_iri) for o in outcomes}


def _stored_diff(store: Path, old: str, new: str, product: str | None = None):  # type: ignore[no-untyped-def]
    from extract.diff import find_rmp_document, rmp_from_store
    from extract.store import Store

    with Store(store, read_only=True) as st:
        (a, a_links), (b, b_links) = (rmp_from_store(st, find_rmp_document(st, ref, product)) for ref in (old, new))
    return diff_rmp(a, b, old_links=a_links, new_links=b_links)


@pytest.mark.parametrize("old, new, product", [
    ("iri:" + V1.name, "iri:" + V2.name, None),
    ("2025-04-10", "2025-11-20", "ソラリスタ"),
    ("令和7年4月10日", "令和7年11月20日", "ソラリスタ®点滴静注2mg"),
])
def test_store_diff_gives_the_file_diff(stored: tuple[Path, dict[str, str]], old: str, new: str,
                                        product: str | None) -> None:
    store, iris = stored
    refs = [iris[r[4:]] if r.startswith("iri:") else r for r in (old, new)]
    diff = _stored_diff(store, *refs, product)
    assert sorted(map(repr, diff.changes)) == sorted(map(repr, SAMPLE_CHANGES))
    from extract.diff import load_rmp

    (a, a_links), (b, b_links) = load_rmp(str(V1)), load_rmp(str(V2))
    from_files = diff_rmp(a, b, old_links=a_links, new_links=b_links)
    assert set(diff.changes) == set(from_files.changes)
    assert diff.dates == from_files.dates and diff.product == from_files.product == "ソラリスタ"


def test_store_read_back_keeps_the_change_history(stored: tuple[Path, dict[str, str]]) -> None:
    from extract.diff import rmp_from_store
    from extract.store import Store

    store, iris = stored
    with Store(store, read_only=True) as st:
        result, _ = rmp_from_store(st, iris[V2.name])
    assert result.info.change_reason == "承認事項一部変更承認取得のため。"
    assert result.info.issued == dt.date(2025, 11, 20)


@pytest.mark.parametrize("args, code, needle", [
    (["2025-04-10", "2025-11-20", "--product", "ソラリスタ"], 1, "renamed: 血球減少 -> 血球減少症"),
    (["2025-11-20", "2025-11-20"], 0, "No differences."),
    (["2025-04-10", "2025-11-20"], 2, "--product"),             # two products have an RMP that day
    (["2025-04-11", "2025-11-20"], 2, "no RMP issued on that date"),
    (["yesterday", "2025-11-20"], 2, "neither a document IRI nor a date"),
    (["iri:other_product.txt", "iri:" + V2.name], 2, "different products"),
    (["https://w3id.org/yakuji/id/doc/none", "2025-11-20"], 2, "no such document graph"),
    (["iri:guideline_ja.txt", "iri:" + V2.name], 2, "not a Risk Management Plan"),
])
def test_cli_diff_rmp_store(stored: tuple[Path, dict[str, str]], args: list[str], code: int, needle: str) -> None:
    store, iris = stored
    args = [iris[a[4:]] if a.startswith("iri:") else a for a in args]
    result = CliRunner().invoke(app, ["diff-rmp", "--store", str(store), *args])
    assert result.exit_code == code, result.output
    assert needle in result.output


# --------------------------------------------------------------------------- renamed activities

GUIDE = "医療従事者向け資材(投与ガイド)の作成及び配布"
DIARY = "患者向け資材(治療日誌)の作成及び配布"


def _relabelled(tmp_path: Path, renames: list[tuple[str, str]]) -> ExtractionResult:
    """V1 with activity labels changed wherever they are printed (summary, plan, tables)."""
    text = load_document(V1).text
    for old, new in renames:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "relabelled.txt"
    path.write_text(text, encoding="utf-8")
    return _result(path)


@pytest.mark.parametrize("renames, expected", [
    # a parenthetical dropped, or added
    ([(DIARY, "患者向け資材の作成及び配布")], [(DIARY, "患者向け資材の作成及び配布")]),
    ([("\n市販直後調査による情報提供", "\n市販直後調査による情報提供(点滴静注製剤)")],
     [("市販直後調査による情報提供", "市販直後調査による情報提供(点滴静注製剤)")]),
    ([("医療従事者向け資材(投与ガイド)", "医療従事者向け資材(投与ガイド)(改訂版)")],
     [(GUIDE, "医療従事者向け資材(投与ガイド)(改訂版)の作成及び配布")]),
    # a near wording of the same activity
    ([("(投与ガイド)の作成及び配布", "(投与ガイド)の作成と配布")],
     [(GUIDE, "医療従事者向け資材(投与ガイド)の作成と配布")]),
])
def test_slightly_renamed_activity_is_a_change(pair: tuple[ExtractionResult, ExtractionResult], tmp_path: Path,
                                               renames: list[tuple[str, str]],
                                               expected: list[tuple[str, str]]) -> None:
    diff = diff_rmp(pair[0], _relabelled(tmp_path, renames))
    assert [(c.old, c.new) for c in diff.of_kind(ActivityChanged)] == expected
    assert all(c.field == "label" and c.activity_kind == "rm" for c in diff.of_kind(ActivityChanged))
    assert not diff.of_kind(ActivityAdded) and not diff.of_kind(ActivityRemoved)


@pytest.mark.parametrize("renames, removed, added", [
    # another audience: a different material, however alike the words
    ([("患者向け資材(治療日誌)", "薬剤師向け資材(治療日誌)")], [DIARY], ["薬剤師向け資材(治療日誌)の作成及び配布"]),
    # another parenthetical: another material or population
    ([("(投与ガイド)", "(適正使用ガイド)")], [GUIDE], ["医療従事者向け資材(適正使用ガイド)の作成及び配布"]),
    # both materials renamed alike: two candidates each, so nothing is paired
    ([("(投与ガイド)", "(手引き)"), ("(治療日誌)", "(手引き)")], [GUIDE, DIARY], []),
])
def test_unclear_activity_rename_stays_removed_and_added(pair: tuple[ExtractionResult, ExtractionResult],
                                                         tmp_path: Path, renames: list[tuple[str, str]],
                                                         removed: list[str], added: list[str]) -> None:
    diff = diff_rmp(pair[0], _relabelled(tmp_path, renames))
    assert sorted(c.label for c in diff.of_kind(ActivityRemoved)) == sorted(removed)
    if added:
        assert [c.label for c in diff.of_kind(ActivityAdded)] == added
    assert not [c for c in diff.of_kind(ActivityChanged) if c.field == "label"]
