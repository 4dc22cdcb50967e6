"""The consistency report: condition parsing, and the differences found in a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.consistency import (
    RENDERERS,
    Difference,
    Report,
    compact,
    consistency_report,
    find_products,
    prior_therapies,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SAMPLES = ROOT / "corpus" / "samples"


@pytest.mark.parametrize("text, expected", [
    ("再発又は難治性の多発性骨髄腫。免疫調節薬を含む 2 つ以上の前治療歴を有する", 2),
    ("抗CD38抗体を含む３つ以上の前治療歴を有し、かつ", 3),
    ("２レジメン以上の化学療法歴のある患者", 2),
    ("2レジメン以上の前治療歴を有する", 2),
    ("patients who received at least 2 prior therapies", 2),
    ("after 3 or more prior lines of therapy", 3),
    ("relapsed or refractory follicular lymphoma", None),
    ("2 つ以上の前治療歴 … 3 つ以上の前治療歴", None),  # two numbers: not one condition
])
def test_prior_therapies(text: str, expected: int | None) -> None:
    assert prior_therapies(text) == expected


@pytest.mark.parametrize("a, b", [
    ("条件:\n- Aがない\n- Bを有する", "条件:・Aがない・Bを有する"),
    ("BCMA 抗原を標的とした", "BCMA抗原を標的とした"),
    ("ＣＤ３８", "CD38"),
])
def test_compact_ignores_layout(a: str, b: str) -> None:
    assert compact(a) == compact(b)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    from extract.pipeline import ingest_paths
    from extract.store import Store

    paths = [*sorted(SEEDS.glob("002_*.txt")), *sorted(SEEDS.glob("004_*.txt")),
             SAMPLES / "rmp_solarista_v1.txt", SAMPLES / "rmp_solarista_v2.txt"]
    st = Store(tmp_path_factory.mktemp("consistency") / "store")
    ingest_paths(paths, st)
    yield st
    st.close()


@pytest.fixture(scope="module")
def report(store) -> Report:  # type: ignore[no-untyped-def]
    return consistency_report(store)


def _find(report: Report, aspect: str, subject: str) -> list[Difference]:
    return [d for d in report.differences if d.aspect == aspect and d.subject == subject]


def test_prior_therapy_difference_between_guideline_and_label(report: Report) -> None:
    (d,) = _find(report, "indication-condition", "multiple-myeloma")
    by_kind = {d.a.doc.kind: d.a, d.b.doc.kind: d.b}
    guideline, label = by_kind["OptimalUseGuideline"], by_kind["ProductInformation"]
    assert guideline.value == "2 or more prior therapies"
    assert label.value == "3 or more prior therapies"
    assert "2 つ以上の前治療歴" in guideline.evidence
    assert "3つ以上の前治療歴" in label.evidence
    assert guideline.doc.issued == "2023-12-01" and label.doc.issued is None
    assert d.kind == "disagreement" and d.newer is None  # the brochure gives no date
    assert d.product == "Abecma"


@pytest.mark.parametrize("subject, listed_in, newer_listed", [
    ("二次性悪性腫瘍", "2025-11-20", True),  # added in the later plan
    ("進行性多巣性白質脳症", "2025-04-10", False),  # dropped from it
])
def test_rmp_revision_differences_are_later_versions(report: Report, subject: str, listed_in: str,
                                                     newer_listed: bool) -> None:
    (d,) = _find(report, "safety-concerns", subject)
    assert d.kind == "later-version" and d.newer == "b"
    assert (d.a.doc.issued, d.b.doc.issued) == ("2025-04-10", "2025-11-20")
    listed = d.b if newer_listed else d.a
    assert listed.doc.issued == listed_in and listed.value.startswith("listed:")
    assert (d.a if newer_listed else d.b).value == "not listed"


def test_product_filter_by_any_label(store) -> None:  # type: ignore[no-untyped-def]
    assert [label for _, label in find_products(store, "アベクマ")] == ["Abecma"]
    only = consistency_report(store, "abecma")
    assert only.products == ("Abecma",) and all(d.product == "Abecma" for d in only.differences)
    assert find_products(store, "no such product") == []


@pytest.mark.parametrize("fmt, marker", [
    ("text", "indication-condition"),
    ("markdown", "| product | aspect |"),
    ("json", '"aspect": "indication-condition"'),
])
def test_renderers(report: Report, fmt: str, marker: str) -> None:
    out = RENDERERS[fmt](report)
    assert marker in out
    if fmt == "json":
        assert json.loads(out)["products"]
