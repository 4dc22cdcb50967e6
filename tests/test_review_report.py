"""Review-report extractor: values read by hand from seed 000 (English, Revlimid/ATLL) and from
the project's own fictional samples in corpus/samples (Japanese and English)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from extract.extractors.review_report import extract, read_header
from extract.load import load_document
from extract.model import (Activity, AdverseEventIncidence, ApprovalCondition, Document,
                           DoseModificationRule, DosageRegimen, EfficacyResult, ExtractionResult,
                           Indication, SafetyConcern, UseRequirement)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"
SEED = SEEDS / "000_5bdac4ceb4ac4a34.txt"


@pytest.fixture(scope="module")
def seed() -> tuple[Document, ExtractionResult]:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    doc = load_document(SEED)
    return doc, extract(doc)


@pytest.fixture(scope="module")
def ja() -> tuple[Document, ExtractionResult]:
    doc = load_document(SAMPLES / "review_report_ja.txt")
    return doc, extract(doc)


@pytest.fixture(scope="module")
def en_sample() -> tuple[Document, ExtractionResult]:
    doc = load_document(SAMPLES / "review_report_en.txt")
    return doc, extract(doc)


def _of(result: ExtractionResult, cls: type) -> list:
    return [f for f in result.facts if isinstance(f, cls)]


def _spans_exact(doc: Document, result: ExtractionResult) -> None:
    """Every fact's evidence span is inside the text and starts/ends on non-space."""
    for f in result.facts:
        ev = doc.text[f.ref.start:f.ref.end]
        assert ev and ev == ev.strip(), f


# --------------------------------------------------------------------------- seed 000: header


@pytest.mark.parametrize(("field", "expected"), [
    ("report_date", dt.date(2017, 1, 16)),
    ("application_date", dt.date(2016, 6, 24)),
    ("deliberation_date", dt.date(2017, 2, 3)),
    ("orphan_designation", True),
    ("reviewing_office", "Office of New Drug V"),
    ("reexamination_years", 10),
])
def test_seed_header(seed, field, expected):
    doc, _ = seed
    assert getattr(read_header(doc), field) == expected


def test_seed_classification(seed):
    doc, _ = seed
    cls = read_header(doc).application_classification
    assert cls.startswith("Prescription drug") and "(6) Drug with a new dosage" in cls


def test_seed_product(seed):
    doc, r = seed
    (p,) = r.products
    assert p.product.text == "Revlimid Capsules 2.5 mg"
    assert p.names == ("Revlimid Capsules 2.5 mg", "Revlimid Capsules 5 mg")
    assert [s.text for s in p.substances] == ["Lenalidomide Hydrate"]
    assert p.holder is not None and p.holder.text == "Celgene K.K."
    assert p.reexamination_years == 10
    assert r.info.issued == dt.date(2017, 1, 16)
    assert r.info.products == (p.product,)
    # one product Mention for every product fact
    assert {f.product for f in r.facts if hasattr(f, "product") and f.product} == {p.product}


# --------------------------------------------------------------------------- seed 000: labelling


def test_seed_indications(seed):
    _, r = seed
    inds = _of(r, Indication)
    assert [i.text.split()[0] for i in inds] == ["Multiple", "Myelodysplastic", "Relapsed"]
    assert inds[0].text == "Multiple myeloma" and inds[0].disease.text == "Multiple myeloma"
    assert "refractory" in inds[2].text and "recrudescent" not in inds[2].text  # final wording


@pytest.mark.parametrize(("first_word", "dose", "cycle", "days", "combo"), [
    ("Multiple", Decimal(25), 28, "1-21", ("dexamethasone",)),
    ("Myelodysplastic", Decimal(10), 28, "1-21", ()),
    ("Relapsed", Decimal(25), None, None, ()),
])
def test_seed_dosage(seed, first_word, dose, cycle, days, combo):
    _, r = seed
    (reg,) = [d for d in _of(r, DosageRegimen)
              if d.dose_level is None and d.indication.startswith(first_word)]
    assert (reg.dose_value, reg.dose_unit, reg.route, reg.frequency) == (dose, "mg", "oral", "once daily")
    assert (reg.cycle_length_days, reg.cycle_days) == (cycle, days)
    assert tuple(m.text for m in reg.combination_with) == combo
    assert reg.substance.text == "lenalidomide"


@pytest.mark.parametrize(("level", "dose"), [
    ("starting", Decimal(25)), ("1", Decimal(20)), ("2", Decimal(15)), ("3", Decimal(10)),
])
def test_seed_dose_levels_atll(seed, level, dose):
    _, r = seed
    (reg,) = [d for d in _of(r, DosageRegimen) if d.dose_level == level
              and d.indication.startswith("Relapsed")]
    assert reg.dose_value == dose and reg.frequency == "once daily"


def test_seed_conditions_warnings_contraindications(seed):
    _, r = seed
    conds = _of(r, ApprovalCondition)
    assert len(conds) == 3 and "risk management plan" in conds[1].text
    reqs = _of(r, UseRequirement)
    warnings = [u for u in reqs if u.kind == "warning"]
    contra = [u for u in reqs if u.kind == "contraindication"]
    assert len(warnings) == 6 and warnings[5].text.startswith("Deep vein thrombosis")
    assert len(contra) == 3 and contra[0].text.startswith("Pregnant women")


# --------------------------------------------------------------------------- seed 000: studies


@pytest.mark.parametrize(("ident", "alias", "phase", "enrolled"), [
    ("CC-5013-ATLL-001", "Study ATLL-001", "I", 14),
    ("CC-5013-ATLL-002", "Study ATLL-002", "II", 26),
    ("CC-5013-MM-025", "Study MM-025", None, None),
    ("CC-5013-MDS-007", "Study MDS-007", None, None),
])
def test_seed_studies(seed, ident, alias, phase, enrolled):
    _, r = seed
    (s,) = [s for s in r.studies if s.identifiers == (ident,)]
    assert alias in s.aliases and alias.removeprefix("Study ") in s.aliases
    assert s.phase == phase and s.enrollment == enrolled


def test_seed_study_design_region(seed):
    _, r = seed
    (s,) = [s for s in r.studies if s.identifiers == ("CC-5013-ATLL-002",)]
    assert s.design == "open-label, uncontrolled" and s.countries == ("Japan",)


def test_seed_pooled_alias_not_linked(seed):
    _, r = seed
    pooled = [s for s in r.studies if s.identifiers[0] in ("CC-5013-MM-017", "CC-5013-MM-022")]
    assert len(pooled) == 2 and all(s.aliases == () for s in pooled)
    assert any("MM-017/022" in i.message for i in r.issues)


def test_seed_efficacy(seed):
    _, r = seed
    (e,) = _of(r, EfficacyResult)
    assert e.study.text == "CC-5013-ATLL-002" and e.endpoint == "ORR"
    assert (e.value, e.unit, e.ci_lower, e.ci_upper) == (Decimal("42.3"), "%", Decimal("23.35"),
                                                         Decimal("63.08"))
    assert (e.patient_count, e.denominator, e.data_cutoff) == (11, 26, dt.date(2014, 11, 20))


# --------------------------------------------------------------------------- seed 000: adverse events


@pytest.mark.parametrize(("study", "term", "arm", "grade", "n", "pct", "denom"), [
    # Table 9 (Study ATLL-002, one column pair)
    ("CC-5013-ATLL-002", "Neutropenia", None, ">=3", 17, "65.4", 26),
    ("CC-5013-ATLL-002", "Thrombocytopenia", None, "all", 20, "76.9", 26),
    ("CC-5013-ATLL-002", "Constipation", None, "all", 8, "30.8", 26),
    ("CC-5013-ATLL-002", "Hypoalbuminaemia", None, ">=3", 0, "0", 26),
    # Table 7 (one column per study)
    ("CC-5013-MM-025", "Thrombocytopenia", None, "all", 6, "23.1", 26),
    ("CC-5013-MDS-007", "Pruritus", None, "all", 5, "45.5", 11),
    ("CC-5013-ATLL-002", "Tumour flare", None, "all", 3, "11.5", 26),
    # Table 8 (Study ATLL-001, cohorts x grade)
    ("CC-5013-ATLL-001", "Neutrophil count decreased", "Cohort 3", ">=3", 3, "75.0", 4),
    ("CC-5013-ATLL-001", "Electrocardiogram QT prolonged", "Cohort 3", "all", 2, "50.0", 4),
    ("CC-5013-ATLL-001", "Blood lactate dehydrogenase increased", "Cohort 2", "all", 2, "33.3", 6),
    ("CC-5013-ATLL-001", "Fatigue", "Cohort 1", "all", 2, "66.7", 3),
])
def test_seed_adverse_events(seed, study, term, arm, grade, n, pct, denom):
    _, r = seed
    hits = [a for a in _of(r, AdverseEventIncidence) if a.study.text == study
            and a.concept.text == term and a.arm == arm and a.grade_scope == grade]
    assert len(hits) == 1
    a = hits[0]
    assert (a.patient_count, a.percent, a.denominator) == (n, Decimal(pct), denom)


def test_seed_pooled_column_skipped(seed):
    """Table 7's MM-017/022 column pools two studies: no incidence is attached to either."""
    _, r = seed
    assert not [a for a in _of(r, AdverseEventIncidence) if a.denominator == 31]
    assert not [a for a in _of(r, AdverseEventIncidence) if a.concept.text.startswith("All ")]


# --------------------------------------------------------------------------- seed 000: dose rules


@pytest.mark.parametrize(("ind", "param", "action", "cmp", "value"), [
    ("Relapsed", "platelet count", "interrupt", "<", 25000),
    ("Relapsed", "platelet count", "resume", ">=", 50000),
    ("Relapsed", "platelet count", "reduce", "<", 10000),
    ("Relapsed", "neutrophil count", "interrupt", "<", 500),
    ("Relapsed", "neutrophil count", "resume", ">=", 1000),
    ("Multiple", "platelet count", "interrupt", "<", 30000),
    ("Myelodysplastic", "neutrophil count", "resume", ">=", 500),
])
def test_seed_dose_rules(seed, ind, param, action, cmp, value):
    _, r = seed
    hits = [d for d in _of(r, DoseModificationRule) if d.indication.startswith(ind)
            and d.parameter.text == param and d.action == action
            and d.threshold_value == Decimal(value)]
    assert len(hits) == 1 and hits[0].comparator == cmp and hits[0].threshold_unit == "/uL"


# --------------------------------------------------------------------------- seed 000: RMP (draft)


@pytest.mark.parametrize(("label", "category"), [
    ("Teratogenicity", "identified"),
    ("Bone marrow depression", "identified"),
    ("Secondary malignancies", "identified"),
    ("Cataract", "potential"),
    ("Safety in long-term treatment", "missing"),
])
def test_seed_safety_spec(seed, label, category):
    _, r = seed
    (c,) = [c for c in _of(r, SafetyConcern) if c.label == label]
    assert c.category == category and c.concept.text == label


def test_seed_safety_spec_ambiguous_item_skipped(seed):
    _, r = seed
    concerns = _of(r, SafetyConcern)
    assert len([c for c in concerns if c.category == "identified"]) == 20
    assert not [c for c in concerns if c.label.startswith("Progression")]
    assert any("unknown column" in i.message for i in r.issues)


def test_seed_activities_and_pms(seed):
    _, r = seed
    acts = _of(r, Activity)
    pv = [a for a in acts if a.kind == "pv" and a.target_sample_size is None]
    rm = [a for a in acts if a.kind == "rm"]
    assert len(pv) == 6 and len(rm) == 3
    assert pv[0].label == "Post-marketing surveillance in patients with ATLL"
    assert pv[5].study_code == "CC-5013-MM-025"
    (pms,) = [a for a in acts if a.target_sample_size is not None]
    assert (pms.target_sample_size, pms.period, pms.scope) == (80, "6 months", "additional")


def test_seed_redaction_recorded(seed):
    doc, r = seed
    red = [i for i in r.issues if i.message == "redacted passage"]
    assert len(red) == 1 and doc.text[red[0].ref.start:red[0].ref.end].startswith("**")


def test_seed_spans_exact(seed):
    _spans_exact(*seed)
