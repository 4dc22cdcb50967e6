"""Review-report extractor: values read by hand from seed 000 (English, Revlimid/ATLL) and from
the project's own fictional samples in corpus/samples (Japanese and English)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from extract.extractors.review import extract, read_header
from extract.load import load_document
from extract.model import (Activity, AdverseEventIncidence, ApprovalCondition, Document,
                           DoseModificationRule, DosageRegimen, EfficacyResult, ExtractionResult,
                           Indication, PkParameter, SafetyConcern, UseRequirement)

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


@pytest.mark.parametrize(("level", "dose", "freq", "cycle"), [
    ("starting", 10, "once daily", 28),  # level text on the line after its label
    ("1", 5, "once daily", None),
    ("2", 5, "every 2 days", None),
    ("3", 5, "twice weekly", None),
])
def test_seed_dose_levels_mds(seed, level, dose, freq, cycle):
    _, r = seed
    (reg,) = [d for d in _of(r, DosageRegimen) if d.dose_level == level
              and d.indication.startswith("Myelodysplastic")]
    assert (reg.dose_value, reg.frequency, reg.cycle_length_days) == (Decimal(dose), freq, cycle)


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


def test_seed_primary_endpoint(seed):
    _, r = seed
    (s,) = [s for s in r.studies if s.identifiers == ("CC-5013-ATLL-002",)]
    assert s.primary_endpoints == ("response rate",)


@pytest.mark.parametrize(("value", "names"), [
    ("Yakujin Tablets 10 mg, Yakujin Tablets 20 mg", ["Yakujin Tablets 10 mg", "Yakujin Tablets 20 mg"]),
    ("Yakujin Tablets 10 mg, 20 mg", ["Yakujin Tablets 10 mg", "Yakujin Tablets 20 mg"]),
    ("Fictamab for Intravenous Infusion", ["Fictamab for Intravenous Infusion"]),
])
def test_brand_name_split_en(value, names):
    from extract.extractors.review_report import _split_names

    assert _split_names(value) == names


@pytest.mark.parametrize(("value", "names"), [
    ("①ヤクジン錠10 mg、②同錠20 mg", ["ヤクジン錠10 mg", "ヤクジン錠20 mg"]),
    ("①ヤクジン錠10mg ②同錠20mg", ["ヤクジン錠10mg", "ヤクジン錠20mg"]),
    ("カクウマブ点滴静注100 mg", ["カクウマブ点滴静注100 mg"]),
])
def test_brand_name_split_ja(value, names):
    from extract.extractors.review_report_ja import split_products

    assert split_products(value) == names


def test_seed_pooled_alias_not_linked(seed):
    _, r = seed
    pooled = [s for s in r.studies if s.identifiers[0] in ("CC-5013-MM-017", "CC-5013-MM-022")]
    assert len(pooled) == 2 and all(s.aliases == () for s in pooled)
    assert any(i.code == "reference-ambiguous" for i in r.issues)


def test_seed_efficacy(seed):
    _, r = seed
    # subgroups: test_seed_respective_rates; other criteria: test_seed_rates_under_other_criteria
    (e,) = [e for e in _of(r, EfficacyResult) if e.arm is None and e.criteria is None]
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
    # a term wrapped over two lines, its values on a third
    ("CC-5013-ATLL-001", " ".join(["Blood lactate", "dehydrogenase", "increased"]), "Cohort 2", "all",
     2, "33.3", 6),
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


# --------------------------------------------------------------------------- seed 000: PK tables


@pytest.mark.parametrize(("param", "dose", "day", "arm", "value", "sd", "unit", "n"), [
    ("Cmax", 25, 1, None, "493", "72.6", "ng/mL", 9),
    ("Cmax", 35, 8, None, "853", "436", "ng/mL", 4),
    ("AUC24h", 25, 8, None, "2782", "1010", "ng∙h/mL", 8),
    ("t1/2, z", 35, 1, None, "2.74", "0.75", "h", 4),
    ("Fe24h", 25, 1, None, "80.2", "15.5", "%", 9),
    ("CLr", 35, 8, None, "124", "42.2", "mL/min", 4),  # row after a blank line
    ("Vz/F", 25, None, "Patients with MM", "42.0", "8.52", "L", 6),  # Table 2
])
def test_seed_pk(seed, param, dose, day, arm, value, sd, unit, n):
    _, r = seed
    (p,) = [p for p in _of(r, PkParameter) if p.parameter == param and p.dose_value == Decimal(dose)
            and p.day == day and p.arm == arm]
    assert (p.value, p.dispersion, p.unit, p.denominator, p.statistic) == (
        Decimal(value), Decimal(sd), unit, n, "mean ± SD")


def test_seed_pk_skips_median_and_not_applicable(seed):
    _, r = seed
    pk = _of(r, PkParameter)
    assert not [p for p in pk if p.parameter.startswith("tmax") or p.parameter == "*"]
    assert len([p for p in pk if p.parameter == "AUC∞" and p.day == 8]) == 0  # "-" cells
    assert {p.study.text for p in pk if p.day is not None} == {"CC-5013-ATLL-001"}


# --------------------------------------------------------------------------- seed 000: dose rules


@pytest.mark.parametrize(("ind", "param", "action", "cmp", "value"), [
    ("Relapsed", "platelet count", "interrupt", "<", 25000),
    ("Relapsed", "platelet count", "resume", ">=", 50000),
    ("Relapsed", "platelet count", "reduce", "<", 10000),
    ("Relapsed", "neutrophil count", "interrupt", "<", 500),
    ("Relapsed", "neutrophil count", "resume", ">=", 1000),
    ("Relapsed", "neutrophil count", "reduce", "<", 500),  # febrile neutropenia: one level lower
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
    assert any(i.code == "row-unreadable" for i in r.issues)


def test_seed_activities_and_pms(seed):
    _, r = seed
    acts = _of(r, Activity)
    pv = [a for a in acts if a.kind == "pv"]
    rm = [a for a in acts if a.kind == "rm"]
    assert len(pv) == 6 and len(rm) == 3  # the plan outline (Table 12) is no seventh activity
    assert pv[0].label.startswith("Post-marketing surveillance") and pv[0].label.endswith(" ATLL")
    assert pv[5].study_code == "CC-5013-MM-025"
    # the outline's population (relapsed or refractory ATLL) names the ATLL surveillance
    (pms,) = [a for a in acts if a.target_sample_size is not None]
    assert (pms.target_sample_size, pms.period, pms.scope) == (80, "6 months", "additional")
    assert pms is pv[0]


def test_seed_redaction_recorded(seed):
    doc, r = seed
    red = [i for i in r.issues if i.code == "redacted"]
    assert len(red) == 1 and doc.text[red[0].ref.start:red[0].ref.end].startswith("**")


def test_seed_spans_exact(seed):
    _spans_exact(*seed)


# --------------------------------------------------------------------------- Japanese sample (fictional)


@pytest.mark.parametrize(("field", "expected"), [
    ("report_date", dt.date(2024, 11, 1)),          # 令和6年11月1日
    ("application_date", dt.date(2024, 3, 15)),     # 令和6年3月15日
    ("deliberation_date", dt.date(2024, 11, 28)),   # 令和6年11月28日に開催された
    ("orphan_designation", True),
    ("reviewing_office", "新薬審査第五部"),
    ("application_classification", "医療用医薬品(1)新有効成分含有医薬品"),
    ("reexamination_years", 10),
])
def test_ja_header(ja, field, expected):
    doc, _ = ja
    assert getattr(read_header(doc), field) == expected


def test_ja_product(ja):
    _, r = ja
    (p,) = r.products
    assert p.product.text == "ヤクジン錠10 mg" and p.product.lang == "ja"
    assert p.names == ("ヤクジン錠10 mg", "ヤクジン錠20 mg")  # ②同錠20 mg expanded
    assert [s.text for s in p.substances] == ["ヤクジニブ塩酸塩"]
    assert p.holder.text == "架空ファーマ株式会社"
    assert r.info.title == "審査報告書" and r.info.issued == dt.date(2024, 11, 1)


def test_ja_indications_and_dosage(ja):
    _, r = ja
    inds = [i.text for i in _of(r, Indication)]
    assert inds == ["再発又は難治性の末梢性T細胞リンパ腫", "再発又は難治性の皮膚T細胞性リンパ腫"]
    regs = {d.indication: d for d in _of(r, DosageRegimen) if d.dose_level is None}
    ptcl, ctcl = regs[inds[0]], regs[inds[1]]
    assert (ptcl.dose_value, ptcl.dose_unit, ptcl.route, ptcl.frequency) == (
        Decimal(20), "mg", "oral", "once daily")
    assert (ptcl.cycle_length_days, ptcl.cycle_days, ptcl.combination_with) == (28, "1-21", ())
    assert ptcl.substance.text == "ヤクジニブ"
    assert (ctcl.dose_value, ctcl.cycle_length_days) == (Decimal(10), None)
    assert [m.text for m in ctcl.combination_with] == ["デキサメタゾン"]


@pytest.mark.parametrize(("level", "dose"), [("starting", 20), ("1", 15), ("2", 10)])
def test_ja_dose_levels(ja, level, dose):
    _, r = ja
    (reg,) = [d for d in _of(r, DosageRegimen) if d.dose_level == level]
    assert reg.dose_value == Decimal(dose) and reg.indication.endswith("末梢性T細胞リンパ腫")


def test_ja_conditions_warnings_contraindications(ja):
    _, r = ja
    assert len(_of(r, ApprovalCondition)) == 2
    reqs = _of(r, UseRequirement)
    assert [u.kind for u in reqs].count("warning") == 2
    assert [u.text for u in reqs if u.kind == "contraindication"] == [
        "本剤の成分に対し過敏症の既往歴のある患者", "妊婦又は妊娠している可能性のある女性"]


@pytest.mark.parametrize(("ident", "alias", "phase", "enrolled", "design"), [
    ("YK-4471-101", "101試験", "I", 15, "非盲検非対照"),
    ("YK-4471-201", "201試験", "II", 62, "非盲検非対照"),
])
def test_ja_studies(ja, ident, alias, phase, enrolled, design):
    _, r = ja
    (s,) = [s for s in r.studies if s.identifiers == (ident,)]
    assert alias in s.aliases and (s.phase, s.enrollment, s.design) == (phase, enrolled, design)
    assert s.countries == ("Japan",)
    assert s.primary_endpoints == (("独立判定委員会判定による奏効率",) if phase == "II" else ())


def test_ja_efficacy(ja):
    _, r = ja
    (e,) = [e for e in _of(r, EfficacyResult) if e.endpoint == "ORR"]  # printed twice, one fact
    assert (e.study.text, e.endpoint, e.value, e.ci_lower, e.ci_upper) == (
        "YK-4471-201", "ORR", Decimal("40.0"), Decimal("27.6"), Decimal("53.5"))
    assert (e.patient_count, e.denominator, e.data_cutoff) == (24, 60, dt.date(2023, 6, 30))


@pytest.mark.parametrize(("term", "grade", "n", "pct"), [
    ("好中球減少症", "all", 30, "48.4"),
    ("好中球減少症", ">=3", 22, "35.5"),
    ("悪心", ">=3", 0, "0"),
    ("発疹", ">=3", 3, "4.8"),
])
def test_ja_adverse_events(ja, term, grade, n, pct):
    _, r = ja
    (a,) = [a for a in _of(r, AdverseEventIncidence) if a.concept.text == term and a.grade_scope == grade]
    assert (a.study.text, a.patient_count, a.percent, a.denominator) == ("YK-4471-201", n, Decimal(pct), 62)
    assert not [a for a in _of(r, AdverseEventIncidence) if a.concept.text == "全有害事象"]


@pytest.mark.parametrize(("param", "action", "cmp", "value"), [
    ("好中球数", "interrupt", "<", 1000),
    ("好中球数", "resume", ">=", 1000),
    ("血小板数", "interrupt", "<", 50000),
    ("血小板数", "resume", ">=", 75000),
])
def test_ja_dose_rules(ja, param, action, cmp, value):
    _, r = ja
    (d,) = [d for d in _of(r, DoseModificationRule) if d.parameter.text == param and d.action == action]
    assert (d.comparator, d.threshold_value, d.threshold_unit) == (cmp, Decimal(value), "/uL")
    assert d.indication == "再発又は難治性の末梢性T細胞リンパ腫"


def test_ja_rmp(ja):
    _, r = ja
    cats = {c.label: c.category for c in _of(r, SafetyConcern)}
    assert cats == {"骨髄抑制": "identified", "感染症": "identified", "腫瘍崩壊症候群": "identified",
                    "皮膚障害": "identified", "間質性肺疾患": "potential",
                    "肝機能障害患者における安全性": "missing"}  # 心障害: column unknown, skipped
    acts = _of(r, Activity)
    assert [a.kind for a in acts if a.target_sample_size is None] == ["pv", "pv", "rm", "rm"]
    (pms,) = [a for a in acts if a.target_sample_size is not None]
    assert (pms.target_sample_size, pms.period) == (150, "52週間")
    assert any(i.code == "redacted" for i in r.issues)


@pytest.mark.parametrize(("param", "dose", "value", "sd", "n"), [
    ("Cmax", 10, "210", "55.1", 6),
    ("AUC24h", 20, "3720", "910", 9),
    ("t1/2", 10, "6.2", "1.4", 6),
])
def test_ja_pk(ja, param, dose, value, sd, n):
    _, r = ja
    (p,) = [p for p in _of(r, PkParameter) if p.parameter == param and p.dose_value == Decimal(dose)]
    assert (p.value, p.dispersion, p.denominator, p.day, p.study.text) == (
        Decimal(value), Decimal(sd), n, 1, "YK-4471-101")
    assert not [p for p in _of(r, PkParameter) if p.parameter == "t1/2" and p.dose_value == 20]


def test_ja_spans_exact(ja):
    _spans_exact(*ja)


# --------------------------------------------------------------------------- English sample (partial)


def test_en_sample_partial_document(en_sample):
    doc, r = en_sample
    assert [i.code for i in r.issues if i.code == "part-missing"] == ["part-missing"]  # (2) only
    (ind,) = _of(r, Indication)
    (reg,) = _of(r, DosageRegimen)
    assert reg.indication == ind.text and (reg.dose_value, reg.cycle_length_days) == (Decimal(20), 28)
    assert read_header(doc).report_date == dt.date(2024, 11, 1)
    _spans_exact(doc, r)


def test_en_sample_footnote_markers_are_not_numbers(en_sample):
    """``refractory1)`` and ``20 mg2)`` are footnote markers: no value 1, 2, 12 or 202 appears."""
    _, r = en_sample
    numbers = {f.dose_value for f in _of(r, DosageRegimen)} | {
        f.value for f in _of(r, EfficacyResult) if f.endpoint == "ORR"}
    assert numbers == {Decimal(20), Decimal("40.0")}
    (s,) = [s for s in r.studies if s.identifiers == ("YK-4471-201",)]
    assert (s.phase, s.enrollment) == ("II", 62)


def test_en_sample_wrapped_term(en_sample):
    _, r = en_sample
    (a,) = [a for a in _of(r, AdverseEventIncidence)
            if a.concept.text == "Blood creatine phosphokinase increased" and a.grade_scope == ">=3"]
    assert (a.patient_count, a.percent) == (2, Decimal("3.2"))


def test_same_product_in_two_languages_not_mixed(ja, en_sample):
    """The Japanese report and its English rendition: each result keeps its own product
    mention (language-tagged), and no fact of one carries the other's mention."""
    (pj,), (pe,) = ja[1].products, en_sample[1].products
    assert pj.product != pe.product and (pj.product.lang, pe.product.lang) == ("ja", "en")
    for res, own in ((ja[1], pj.product), (en_sample[1], pe.product)):
        assert {f.product for f in res.facts if getattr(f, "product", None)} == {own}


def test_seed_result_status_ok(seed):
    """Warnings only (skipped cells, redaction): the seed is read as a complete report."""
    _, r = seed
    assert r.status == "ok"


# --------------------------------------------------------------------------- PDF renditions


def _fact_keys(result: ExtractionResult) -> set[tuple]:
    return {(type(f).__name__,) + tuple(getattr(f, n) for n in f.__slots__ if n != "ref")
            for f in result.facts}


@pytest.mark.parametrize("name", [SEED.name, "review_report_ja.txt", "review_report_en.txt"])
def test_pdf_rendition_gives_the_same_facts(pdf_renditions, name):
    if name not in pdf_renditions:
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    src = SEED if name == SEED.name else SAMPLES / name
    from_text = extract(load_document(src))
    from_pdf = extract(load_document(pdf_renditions[name]))
    assert _fact_keys(from_pdf) == _fact_keys(from_text)
    assert [s.identifiers for s in from_pdf.studies] == [s.identifiers for s in from_text.studies]
    assert from_pdf.products[0].names == from_text.products[0].names
    assert all(f.ref.page is not None and f.ref.page >= 1 for f in from_pdf.facts)


def test_seed_links_to_shared_entities(seed):
    """The review report's product, substance and studies link to the keys other documents
    about lenalidomide use, so a query over all graphs joins them."""
    from extract.normalize.linker import link

    doc, r = seed
    keys = {(m.kind, m.text): lk.key for m, lk in link(r, doc).items()}
    assert keys[("product", "Revlimid Capsules 2.5 mg")] == "revlimid"
    assert keys[("substance", "Lenalidomide Hydrate")] == "lenalidomide"
    assert keys[("substance", "lenalidomide")] == "lenalidomide"
    assert keys[("study", "CC-5013-ATLL-002")] == "study/CC-5013-ATLL-002"


# --------------------------------------------------------------------------- bad input


def _write(tmp_path: Path, name: str, text: str) -> Document:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_document(path)


def test_deliberation_results_only(tmp_path):
    """Only the first part of a report: product and conditions, issues for the rest."""
    full = (SAMPLES / "review_report_en.txt").read_text(encoding="utf-8")
    doc = _write(tmp_path, "deliberation.txt", full[:full.index(" Review Report")])
    r = extract(doc)
    assert r.products[0].names == ("Yakujin Tablets 10 mg", "Yakujin Tablets 20 mg")
    assert len(_of(r, ApprovalCondition)) == 2 and not _of(r, Indication)
    codes = [i.code for i in r.issues]
    assert codes.count("part-missing") == 2 and "section-missing" in codes  # (1), (2); final Indications
    assert read_header(doc).deliberation_date == dt.date(2024, 11, 28)


def test_ja_review_report_1_without_2(tmp_path):
    """審査報告(2) missing: the final lists come from the 審査報告書 header instead."""
    full = (SAMPLES / "review_report_ja.txt").read_text(encoding="utf-8")
    doc = _write(tmp_path, "rr1.txt", full[:full.index("審査報告（２）")])
    r = extract(doc)
    assert [i.code for i in r.issues if i.code == "part-missing"] == ["part-missing"]
    assert len(_of(r, Indication)) == 2 and len(_of(r, DosageRegimen)) >= 2
    assert not _of(r, SafetyConcern)  # the RMP (draft) is in (2)


def test_ja_inline_label_value(tmp_path):
    """A label with its value on the same line, and a bracketed annotation after a heading."""
    doc = _write(tmp_path, "inline.txt", "\n".join([
        "審査報告書", "", "令和7年2月3日", "",
        "【販売名】カクウ錠5 mg", "【一般名】カクウニブ", "【申請者】架空製薬株式会社",
        "【効能又は効果】 架空性疾患", "",
        "［用法及び用量］（下線部追加）",
        "通常、成人にはカクウニブとして1日2回5 mgを経口投与する。", ""]))
    r = extract(doc)
    (ind,) = _of(r, Indication)
    (reg,) = _of(r, DosageRegimen)
    assert ind.text == "架空性疾患" and reg.indication == "架空性疾患"
    assert (reg.dose_value, reg.frequency, reg.route) == (Decimal(5), "twice daily", "oral")
    assert r.info.issued == dt.date(2025, 2, 3)


def test_table_across_page_break_and_glued_marker(tmp_path):
    """A page number inside a table is not part of a wrapped term; ``Rash1)`` is ``Rash``."""
    doc = _write(tmp_path, "ae.txt", "\n".join([
        "Brand Name Fictamab Injection 100 mg", "",
        "7.2.1 Foreign phase III study (Study FX-1-301)",
        "Table 9. Adverse events with an incidence of >=10%", "",
        "Number of patients (%)", "N = 40", "All Grades Grade ≥3",
        "Rash1) 12 (30.0) 2 (5.0)", "\f12", "Injection site", "reaction", "",
        "8 (20.0) 0", "", "1) Including rash maculo-papular", ""]))
    r = extract(doc)
    got = {(a.concept.text, a.grade_scope): (a.patient_count, a.percent)
           for a in _of(r, AdverseEventIncidence)}
    assert got == {("Rash", "all"): (12, Decimal("30.0")), ("Rash", ">=3"): (2, Decimal("5.0")),
                   ("Injection site reaction", "all"): (8, Decimal("20.0")),
                   ("Injection site reaction", ">=3"): (0, Decimal(0))}
    assert {a.study.text for a in _of(r, AdverseEventIncidence)} == {"FX-1-301"}
    assert [(s.identifiers, s.phase) for s in r.studies] == [(("FX-1-301",), "III")]


def test_not_a_review_report(tmp_path):
    doc = _write(tmp_path, "other.txt", "Some unrelated text\nwith two lines\n")
    r = extract(doc)
    assert r.status == "partial" and not r.facts and not r.products


@pytest.mark.parametrize("name", ["review_report_ja.txt", "review_report_en.txt"])
def test_sample_graph_conforms_to_shapes(name):
    """The extracted facts build into a graph that passes the project's SHACL shapes."""
    from extract.classify import classify
    from extract.normalize.linker import link
    from extract.rdf.build import build_graph
    from extract.rdf.validate import validate

    doc = load_document(SAMPLES / name)
    result = extract(doc)
    graph = build_graph(doc, classify(doc), result, link(result, doc))
    assert validate(graph) == []


def test_ja_cell_product_conditions_and_annotated_labels(tmp_path):
    """A cell product: one indication with ・ conditions, a single intravenous dose in cells
    with a (範囲: …) range, and a 禁忌 label carrying its own parenthetical."""
    doc = _write(tmp_path, "cells.txt", "\n".join([
        "審査報告書", "", "令和7年4月1日", "",
        "［販 売 名］ カクウセル点滴静注", "［一 般 名］ カクウゲン オートルユーセル",
        "［申 請 者］ 架空バイオ株式会社", "",
        "［効能、効果又は性能］（下線部追加）",
        "再発又は難治性の架空性骨髄腫。ただし、以下のいずれも満たす場合に限る。",
        "・2つ以上の前治療歴を有する",
        "・直近の前治療に対して病勢進行が認められた", "",
        "［用法及び用量又は使用方法］",
        "通常、成人には、CAR発現T細胞として300×10^6個(範囲:150~450×10^6個)を目安に、",
        "単回静脈内投与する。", "",
        "［禁 忌（次の患者には投与しないこと）］",
        "1．本品の成分に対し過敏症の既往歴のある患者", ""]))
    r = extract(doc)
    (ind,) = _of(r, Indication)
    assert ind.disease.text == "再発又は難治性の架空性骨髄腫" and "前治療歴" in ind.text
    (reg,) = _of(r, DosageRegimen)
    assert (reg.dose_value, reg.dose_unit, reg.dose_min, reg.dose_max) == (
        Decimal(300_000_000), "cells", Decimal(150_000_000), Decimal(450_000_000))
    assert (reg.route, reg.frequency, reg.substance) == ("intravenous", "single dose", None)
    assert [u.text for u in _of(r, UseRequirement)] == ["本品の成分に対し過敏症の既往歴のある患者"]


@pytest.mark.parametrize(("sentence", "dose", "unit", "route", "freq", "subst"), [
    ("The usual adult dosage is 8 mg/kg of fictumab administered as an intravenous infusion "
     "once every 2 weeks.", Decimal(8), "mg/kg", "intravenous", "every 2 weeks", "fictumab"),
    ("The usual adult dosage is 300 × 10^6 CAR-positive T cells administered intravenously as a "
     "single dose.", Decimal(300_000_000), "cells", "intravenous", "single dose", None),
    ("The usual adult dosage is 1.5 mg/m2 of fictabine administered subcutaneously once weekly.",
     Decimal("1.5"), "mg/m2", "subcutaneous", "once weekly", "fictabine"),
])
def test_en_regimen_shapes(tmp_path, sentence, dose, unit, route, freq, subst):
    doc = _write(tmp_path, "dose.txt", "\n".join([
        "Brand Name Fictum Injection 100 mg", "", "Indications", "Fictional lymphoma", "",
        "Dosage and Administration", sentence, "The dose may be reduced as needed.", ""]))
    (reg,) = _of(extract(doc), DosageRegimen)
    assert (reg.dose_value, reg.dose_unit, reg.route, reg.frequency) == (dose, unit, route, freq)
    assert (reg.substance.text if reg.substance else None) == subst
    assert reg.indication == "Fictional lymphoma"


@pytest.mark.parametrize(("fixture", "arm", "value", "unit", "lo", "hi"), [
    ("en_sample", "yakujinib", "8.4", "months", "6.0", "10.9"),
    ("en_sample", "investigator's choice", "4.1", "months", "2.9", "5.5"),
    ("en_sample", None, "0.48", "hazard ratio", "0.31", "0.74"),
    ("ja", "本薬", "8.4", "months", "6.0", "10.9"),
    ("ja", "対照", "4.1", "months", "2.9", "5.5"),
    ("ja", None, "0.48", "hazard ratio", "0.31", "0.74"),
])
def test_pfs_medians_and_hazard_ratio(request, fixture, arm, value, unit, lo, hi):
    _, r = request.getfixturevalue(fixture)
    (e,) = [e for e in _of(r, EfficacyResult) if e.endpoint == "PFS" and e.arm == arm and e.unit == unit]
    assert (e.value, e.ci_lower, e.ci_upper, e.study.text) == (
        Decimal(value), Decimal(lo), Decimal(hi), "YK-4471-201")
    assert e.data_cutoff == dt.date(2023, 6, 30)


def test_en_sample_not_estimable_bound(en_sample):
    _, r = en_sample
    (e,) = [e for e in _of(r, EfficacyResult) if e.endpoint == "DOR"]
    assert (e.value, e.unit, e.ci_lower, e.ci_upper) == (Decimal("9.2"), "months", Decimal("6.1"), None)


@pytest.mark.parametrize(("efficacy_cell", "pv_labels"), [
    ("該当なし", ["一般使用成績調査"]),  # the efficacy column is empty: the survey is PV
    ("・特定使用成績調査（有効性）", []),  # a survey could be in either column: skipped
])
def test_ja_activities_with_efficacy_column(tmp_path, efficacy_cell, pv_labels):
    doc = _write(tmp_path, "acts.txt", "\n".join([
        "［販 売 名］ カクウ錠5 mg", "",
        "表９ 医薬品リスク管理計画（案）における追加の医薬品安全性監視活動、有効性に関する調査・試験及び"
        "追加のリスク最小化活動の概要",
        "追加の医薬品安全性監視活動 有効性に関する調査・試験 追加のリスク最小化活動",
        "・一般使用成績調査 " + efficacy_cell + " ・医療従事者向け資材の作成及び提供", ""]))
    r = extract(doc)
    acts = _of(r, Activity)
    assert [a.label for a in acts if a.kind == "pv"] == pv_labels
    assert [a.label for a in acts if a.kind == "rm"] == ["医療従事者向け資材の作成及び提供"]


def test_overview_tables_are_not_incidence_lists(tmp_path):
    """Overview tables (全有害事象, 重篤な有害事象 …) are not lists of adverse-event terms."""
    doc = _write(tmp_path, "overview.txt", "\n".join([
        "［販 売 名］ カクウ錠5 mg", "",
        "７．２．１ 国内第ＩＩ相試験（２０１試験）",
        "表４ 有害事象の発現状況", "例数（％）", "Ｎ＝４０",
        "全有害事象 ４０（１００）", "重篤な有害事象 ９（２２．５）", "",
        "表５ 発現率が１０％以上の有害事象", "例数（％）", "Ｎ＝４０",
        "全有害事象 ４０（１００）", "重篤な有害事象 ９（２２．５）", "悪心 ８（２０．０）", ""]))
    r = extract(doc)
    assert [(a.concept.text, a.patient_count) for a in _of(r, AdverseEventIncidence)] == [("悪心", 8)]
    # no abbreviation list: the study is known by its alias as written, in facts and StudyFact
    assert _of(r, AdverseEventIncidence)[0].study.text == "201試験"
    assert [(s.identifiers, s.aliases, s.phase) for s in r.studies] == [((), ("201試験",), "II")]


@pytest.mark.parametrize(("labels", "population", "merged"), [
    (["Post-marketing surveillance in patients with XYZ"], "Patients with relapsed XYZ", True),
    (["Post-marketing surveillance in patients with XYZ"], "Patients with ABC", False),
    (["Surveillance in patients with XYZ", "Study in patients with XYZ"], "Patients with XYZ", False),
    (["Post-marketing surveillance in patients with XYZ"], None, False),
])
def test_pms_outline_joins_its_surveillance(labels, population, merged):
    """The plan outline names one listed surveillance by its patients, else stays separate."""
    from extract.extractors.review_report import _with_pms
    from extract.model import Mention, SourceRef

    p, ref = Mention("Fictiva", "en", "product"), SourceRef("fictiva", None, None, 0, 1)
    acts = [Activity("pv", p, t, "additional", ref) for t in labels]
    plan = Activity("pv", p, "Post-marketing surveillance plan (draft)", "additional", ref,
                    target_sample_size=80, period="6 months")
    out = _with_pms(list(acts), [plan], population)
    assert len(out) == (len(acts) if merged else len(acts) + 1)
    assert (out[0].target_sample_size == 80) is merged


@pytest.mark.parametrize(("ident", "phase"), [
    ("CC-5013-MM-009", None),   # footnote list of supporting studies
    ("CC-5013-MDS-004", None),
    ("CC-5013-MCL-001", "II"),  # "foreign phase II study (Study CC-5013-MCL-001)"
])
def test_seed_studies_named_in_passing(seed, ident, phase):
    doc, r = seed
    (s,) = [s for s in r.studies if s.identifiers == (ident,)]
    assert s.phase == phase and doc.text[s.ref.start:].startswith(ident)


@pytest.mark.parametrize(("text", "known", "found"), [
    ("see Studies FX-12-AB-001 and FX-12-AB-002.", ["FX-12-AB-001"], ["FX-12-AB-002"]),
    ("the foreign study (FX-12-\nCD-003) showed", ["FX-12-AB-001"], ["FX-12-CD-003"]),
    ("lot QA-77-B-9 was used", ["FX-12-AB-001"], []),        # another family: not a study
    ("Study FX-12-AB-002 only", [], []),                      # no defined study: nothing to follow
])
def test_family_codes(text, known, found):
    from extract.extractors.review_report import family_codes

    assert [c for c, _ in family_codes(text, known)] == found


_ADJUSTED = "criteria adjusted as closely as possible to Criteria of International Conference on Human Retrovirology"
_MODIFIED = "criteria partially modified from Criteria of International Conference on Human Retrovirology"


@pytest.mark.parametrize(("arm", "criteria", "value", "lo", "hi", "n", "total"), [
    (None, _ADJUSTED, "26.9", "11.57", "47.79", 7, 26),
    ("acute-type ATLL", _MODIFIED, "33.3", None, None, 5, 15),
    ("lymphoma-type ATLL", _MODIFIED, "57.1", None, None, 4, 7),
    ("chronic type ATLL with a poor prognostic factor", _MODIFIED, "50.0", None, None, 2, 4),
])
def test_seed_rates_under_other_criteria(seed, arm, criteria, value, lo, hi, n, total):
    """A rate "calculated according to <criteria>" keeps the criteria (without the footnote
    marker of ``criteria8)``) and no cut-off the sentence does not give, so it cannot be read as
    a second primary result; "by disease type … was x% (n of N patients) for A, …" gives one per type."""
    doc, r = seed
    (e,) = [e for e in _of(r, EfficacyResult) if e.criteria == criteria and e.arm == arm]
    assert (e.study.text, e.endpoint, e.unit, e.data_cutoff) == ("CC-5013-ATLL-002", "ORR", "%", None)
    assert (e.value, e.ci_lower, e.ci_upper) == (Decimal(value), lo and Decimal(lo), hi and Decimal(hi))
    assert (e.patient_count, e.denominator) == (n, total)
    assert f"{value}%" in doc.text[e.ref.start:e.ref.end]


@pytest.mark.parametrize(("arm", "value", "lo", "hi", "n", "total"), [
    ("patients previously treated with mogamulizumab", "18.2", "2.28", "51.78", 2, 11),
    ("patients not previously treated with mogamulizumab", "60.0", "32.29", "83.66", 9, 15),
])
def test_seed_respective_rates(seed, arm, value, lo, hi, n, total):
    """"… in A and in B was x% […] (n of N patients) and y% […], respectively": one per arm."""
    _, r = seed
    (e,) = [e for e in _of(r, EfficacyResult) if e.arm == arm]
    assert (e.study.text, e.endpoint, e.unit) == ("CC-5013-ATLL-002", "ORR", "%")
    assert (e.value, e.ci_lower, e.ci_upper) == (Decimal(value), Decimal(lo), Decimal(hi))
    assert (e.patient_count, e.denominator) == (n, total)
