"""The evaluation: normalisation, matching, scores, the gold files, and the floors on the seeds
and on the real documents (``corpus/gold/real``, read from ``../shared/real``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extract.evaluate import (
    FACT_TYPES,
    GOLD_DIR,
    REAL_SUBDIR,
    Comparison,
    Score,
    below_floor,
    compare,
    evaluate_store,
    in_scope,
    load_floors,
    load_gold,
    norm_value,
    real_sources,
    run_eval,
    signature,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
REAL_GOLD = GOLD_DIR / REAL_SUBDIR


@pytest.mark.parametrize("raw, expected", [
    ("25,000", "25000"),
    ("25000.0", "25000"),
    (Decimal("7.0"), "7"),
    ("0.580", "0.58"),
    ("https://w3id.org/yakuji/id/concept/platelet-count", "platelet-count"),
    ("https://w3id.org/yakuji/ontology#ImportantIdentifiedRisk", "importantidentifiedrisk"),
    ("Once  Daily", "oncedaily"),
    ("（ＬＵＮ２５０１）", "(lun2501)"),
    (None, ""),
])
def test_norm_value(raw: object, expected: str) -> None:
    assert norm_value(raw) == expected


@pytest.mark.parametrize("gold, found, tp, fp, fn", [
    # the same fact twice in the graph counts once
    ([{"concept": "a", "grade": 1}], [{"concept": "a", "grade": "1"}, {"concept": "a", "grade": "1"}], 1, 0, 0),
    ([{"concept": "a", "grade": 1}, {"concept": "a", "grade": 2}], [{"concept": "a", "grade": "1"}], 1, 0, 1),
    ([{"concept": "a", "grade": 1}], [{"concept": "a", "grade": "1"}, {"concept": "b", "grade": "1"}], 1, 1, 0),
    ([], [{"concept": "a", "grade": "3"}], 0, 1, 0),
])
def test_compare_counts(gold: list[dict], found: list[dict], tp: int, fp: int, fn: int) -> None:
    fields = FACT_TYPES["management_rule"].fields
    score, _, _ = compare([signature(g, fields) for g in gold], [signature(f, fields) for f in found])
    assert (score.tp, score.fp, score.fn) == (tp, fp, fn)


@pytest.mark.parametrize("phrases, label, hit", [
    ("使用条件の設定", "使用条件の設定", True),
    (["市販直後調査(", "皮下注製剤"], "市販直後調査(再発又は難治性の濾胞性リンパ腫,皮下注製剤)", True),
    (["市販直後調査(", "皮下注製剤"], "市販直後調査(再発又は難治性の濾胞性リンパ腫,点滴静注製剤)", False),
])
def test_contains_fields(phrases: object, label: str, hit: bool) -> None:
    fields = ("label",)
    score, _, _ = compare([signature({"label_has": phrases}, fields)], [signature({"label": label}, fields)])
    assert score.tp == (1 if hit else 0)


@pytest.mark.parametrize("score, p, r, f1", [
    (Score(9, 0, 1), 1.0, 0.9, 0.947),
    (Score(0, 0, 4), 1.0, 0.0, 0.0),
    (Score(3, 1, 0), 0.75, 1.0, 0.857),
])
def test_score_figures(score: Score, p: float, r: float, f1: float) -> None:
    assert (round(score.precision, 3), round(score.recall, 3), round(score.f1, 3)) == (p, r, f1)


def test_below_floor_names_the_figure() -> None:
    results = [Comparison("x", "indication", Score(1, 1, 0))]
    assert below_floor(results, {"indication": {"precision": 0.9}}) == ["indication precision 0.500 < floor 0.900"]
    assert below_floor(results, {"indication": {"precision": 0.5}}) == []


def test_gold_files_load_and_use_known_fact_types() -> None:
    golds = load_gold()
    assert {g.name for g in golds} == {"000", "001", "002", "003", "004"}
    for g in golds:
        assert g.document.startswith(g.name + "_")
        assert g.facts and set(g.facts) <= set(FACT_TYPES)
    floors = load_floors()
    assert set(floors) <= set(FACT_TYPES)


def _seed_lines() -> set[str]:
    lines: set[str] = set()
    for path in SEEDS.glob("*.txt"):
        lines |= {ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if len(ln.strip()) >= 25}
    return lines


def test_gold_copies_no_seed_line() -> None:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    seed_lines = _seed_lines()
    for path in GOLD_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert not [ln for ln in seed_lines if ln in text], path.name


@pytest.fixture(scope="module")
def seed_results(tmp_path_factory: pytest.TempPathFactory) -> list[Comparison]:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    from extract.pipeline import ingest_paths
    from extract.store import Store

    with Store(tmp_path_factory.mktemp("eval") / "store") as st:
        ingest_paths([SEEDS], st)
        return evaluate_store(st, load_gold())


def test_seed_figures_are_not_below_their_floors(seed_results: list[Comparison]) -> None:
    assert below_floor(seed_results, load_floors()) == []


def test_pdf_renditions_score_as_the_text(seed_results: list[Comparison],
                                          pdf_renditions: dict[str, Path], tmp_path: Path) -> None:
    """Every seed's PDF rendition gives the same hits, misses and false facts as its text, fact
    type by fact type: the PDF path reads the same facts (the renditions are named like their
    seeds, so each finds its own gold file)."""
    from extract.pipeline import ingest_paths
    from extract.store import Store

    pdfs = [p for name, p in pdf_renditions.items() if name[:3].isdigit()]
    assert pdfs
    with Store(tmp_path / "store") as st:
        ingest_paths(pdfs, st, jobs=2)
        from_pdf = evaluate_store(st, load_gold())

    def table(results: list[Comparison]) -> dict[tuple[str, str], tuple[int, int, int]]:
        return {(c.document, c.fact_type): (c.score.tp, c.score.fp, c.score.fn) for c in results}

    assert table(from_pdf) == table(seed_results)


@pytest.mark.parametrize("document, fact_type", [
    ("000", "dose_modification"), ("000", "dosage_regimen"), ("001", "study"),
    ("002", "efficacy_orr_pfs"), ("002", "management_rule"), ("003", "safety_concern"),
    ("003", "additional_activity"), ("004", "adverse_reaction_frequency"),
    ("000", "study"), ("000", "safety_concern"), ("000", "use_requirement"), ("000", "efficacy_result"),
    ("002", "use_requirement"), ("002", "adverse_event_incidence"), ("002", "dosage_regimen"),
    ("003", "product"), ("003", "document"), ("003", "routine_activity"), ("003", "dosage_regimen"),
    ("004", "use_requirement"), ("004", "efficacy_result"), ("004", "study"),
])
def test_every_gold_file_meets_its_document(seed_results: list[Comparison], document: str,
                                             fact_type: str) -> None:
    """Each gold list is compared with its own document's graph (found by file-name stem)."""
    c = next(c for c in seed_results if c.document == document and c.fact_type == fact_type)
    assert c.score.tp > 0


def test_misses_and_false_facts_are_listed() -> None:
    fields = FACT_TYPES["dose_modification"].fields
    gold = [signature({"parameter": "platelet-count", "action": "interrupt", "comparator": "<",
                       "threshold": 25000}, fields)]
    found = [signature({"parameter": "https://w3id.org/yakuji/id/concept/platelet-count",
                        "action": "interrupt", "comparator": "<", "threshold": "2500"}, fields)]
    score, misses, false = compare(gold, found)
    assert (score.tp, score.fp, score.fn) == (0, 1, 1)
    assert dict(misses[0])["threshold"] == "25000" and dict(false[0])["threshold"] == "2500"


_SAMPLE_GOLD = """document: rmp_solarista_v2
facts:
  safety_concern:
    - {category: ImportantPotentialRisk, label: 二次性悪性腫瘍}
"""


@pytest.mark.parametrize("extra, floor, code", [
    ("", 1.0, 0),  # the one listed concern is found: recall 1.0 meets the floor
    ("    - {category: MissingInformation, label: 架空の不足情報}\n", 1.0, 1),  # recall 0.5 < 1.0
    ("    - {category: MissingInformation, label: 架空の不足情報}\n", 0.5, 0),
])
def test_cli_eval_exits_1_below_a_floor(tmp_path: Path, extra: str, floor: float, code: int) -> None:
    import json

    from typer.testing import CliRunner

    from extract.cli import app

    sample = Path(__file__).resolve().parents[1] / "corpus" / "samples" / "rmp_solarista_v2.txt"
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "sample.yaml").write_text(_SAMPLE_GOLD + extra, encoding="utf-8")
    (gold / "floors.json").write_text(json.dumps({"safety_concern": {"recall": floor}}), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--gold", str(gold), "--seeds", str(sample)])
    assert result.exit_code == code, result.output
    assert "| safety_concern |" in result.output


@pytest.mark.parametrize("concepts, kept", [
    (["cytokine-release-syndrome"], 2),
    (["neutropenia", "anaemia"], 1),
    (["pyrexia"], 0),
])
def test_scope_keeps_only_the_listed_keys(concepts: list[str], kept: int) -> None:
    """A gold written for a few terms of a long table does not count the other rows as false."""
    rows = [{"concept": "https://w3id.org/yakuji/id/concept/cytokine-release-syndrome", "percent": "84.7"},
            {"concept": "https://w3id.org/yakuji/id/concept/cytokine-release-syndrome", "percent": "5.1"},
            {"concept": "https://w3id.org/yakuji/id/concept/neutropenia", "percent": "59.9"}]
    items = [{"concept": c} for c in concepts]
    assert len(in_scope(rows, items, "concept")) == kept


@pytest.mark.parametrize("scope", [
    "scope:\n  management_rule: concept\n",        # a type the gold does not list
    "scope:\n  safety_concern: severity\n",        # a field the type does not have
])
def test_scope_must_name_a_listed_type_and_its_field(tmp_path: Path, scope: str) -> None:
    (tmp_path / "x.yaml").write_text(_SAMPLE_GOLD + scope, encoding="utf-8")
    with pytest.raises(ValueError, match="scope"):
        load_gold(tmp_path)


# --------------------------------------------------------------------------- real documents


def test_real_gold_files_name_their_source() -> None:
    golds = load_gold(REAL_GOLD)
    assert golds, "no gold for real documents"
    for g in golds:
        assert g.source and Path(g.source).stem == g.document, g.name
        assert g.facts and set(g.facts) <= set(FACT_TYPES)
    assert set(load_floors(REAL_GOLD)) <= set(FACT_TYPES)


def test_real_gold_covers_review_reports_and_trial_records() -> None:
    kinds = {Path(g.source or "").parts[0] for g in load_gold(REAL_GOLD)}
    assert {"trial"} <= kinds


@pytest.fixture(scope="module")
def real_results(tmp_path_factory: pytest.TempPathFactory) -> list[Comparison]:
    if not REAL.is_dir():
        pytest.skip("real documents not available: ../shared/real is absent")
    from extract.pipeline import ingest_paths
    from extract.store import Store

    golds = load_gold(REAL_GOLD)
    paths = real_sources(golds, REAL)
    assert len(paths) == len(golds), "a real gold names a document ../shared/real does not hold"
    with Store(tmp_path_factory.mktemp("eval_real") / "store") as st:
        ingest_paths(paths, st)
        return evaluate_store(st, golds)


def test_real_figures_are_not_below_their_floors(real_results: list[Comparison]) -> None:
    assert below_floor(real_results, load_floors(REAL_GOLD)) == []


def test_real_gold_copies_no_line_of_its_document() -> None:
    """Gold holds facts and short phrases, never a line of the (copyrighted) document."""
    if not REAL.is_dir():
        pytest.skip("real documents not available: ../shared/real is absent")
    for g in load_gold(REAL_GOLD):
        src = REAL / (g.source or "")
        if src.suffix != ".xml":
            continue  # PDFs: their text lines are checked by the repository's hook
        lines = {ln.strip() for ln in src.read_text(encoding="utf-8").splitlines() if len(ln.strip()) >= 60}
        text = (REAL_GOLD / f"{g.name}.yaml").read_text(encoding="utf-8")
        assert not [ln for ln in lines if ln in text], g.name


def test_eval_reports_seeds_and_real_apart(tmp_path: Path) -> None:
    """Two gold sets, each with its own table and floors; a real gold's document is ingested from
    the real folder it names."""
    samples = Path(__file__).resolve().parents[1] / "corpus" / "samples"
    gold = tmp_path / "gold"
    (gold / REAL_SUBDIR).mkdir(parents=True)
    (gold / "sample.yaml").write_text(_SAMPLE_GOLD, encoding="utf-8")
    (gold / REAL_SUBDIR / "trial.yaml").write_text(
        'document: trial_record\nsource: "trial_record.xml"\nfacts:\n  study:\n'
        '    - {field: phase, value: I/II}\n', encoding="utf-8")
    (gold / REAL_SUBDIR / "floors.json").write_text('{"study": {"precision": 1.0, "recall": 1.0}}',
                                                    encoding="utf-8")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "rmp_solarista_v2.txt").write_bytes((samples / "rmp_solarista_v2.txt").read_bytes())
    report, below = run_eval(tmp_path / "unused", gold_dir=gold, seeds=seeds, real=samples)
    seeds_part, real_part = report.split("## real documents")
    assert "| safety_concern |" in seeds_part and "| study |" not in seeds_part
    assert "| study | 1.000 | 1.000 |" in real_part and "| safety_concern |" not in real_part
    assert below == []
