"""Trial records in the three ClinicalTrials.gov shapes: values read by hand from seed 001
(one field per line) and from the project's own fictional XML and JSON records."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.extractors.trial_record import extract, normalize_phase
from extract.load import load_document
from extract.model import StudyFact

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SAMPLES = ROOT / "corpus" / "samples"


def _study(path: Path) -> tuple[StudyFact, list[str]]:
    result = extract(load_document(path))
    assert len(result.studies) == 1
    return result.studies[0], [i.code for i in result.issues]


@pytest.fixture(scope="module")
def seed001() -> tuple[StudyFact, list[str]]:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    return _study(SEEDS / "001_4f0dc416f3bfac53.txt")


@pytest.mark.parametrize(("name", "check"), [
    ("title starts", lambda s: s.title.startswith("A Phase I, Multicenter")),
    ("title ends", lambda s: s.title.endswith("Lymphoma") and "Dose-escalation" in s.title),
    ("phase from title", lambda s: s.phase == "I"),
    ("condition ATL", lambda s: s.conditions[0].text == "Adult T-cell Leukemia-Lymphoma"),
    ("condition PTCL", lambda s: s.conditions[1].text == "Peripheral T-cell Lymphoma"),
    ("two conditions", lambda s: len(s.conditions) == 2 and s.conditions[0].kind == "concept"),
    ("intervention", lambda s: [(m.text, m.kind) for m in s.interventions] == [("Lenalidomide", "substance")]),
    ("one primary", lambda s: len(s.primary_endpoints) == 1),
    ("primary time frame", lambda s: s.primary_endpoints[0].endswith("[Up to 2.5 years]")),
    ("primary measure", lambda s: s.primary_endpoints[0].startswith("The safety of")
     and s.primary_endpoints[0].count("causality") == 1),
    ("secondary response", lambda s: s.secondary_endpoints[0] == "Response [Up to 2.5 years]"),
    ("secondary Tmax", lambda s: s.secondary_endpoints[1].startswith("PK-Time to")
     and s.secondary_endpoints[1].endswith("(Tmax) [Day 8 of Cycle 1]")),
    ("secondary Cmax last", lambda s: s.secondary_endpoints[-1].startswith("PK-Maximum")
     and s.secondary_endpoints[-1].endswith("(Cmax) [Day 8 of cycle 1]")),
    ("nine secondary", lambda s: len(s.secondary_endpoints) == 9),
    ("no invented enrolment", lambda s: s.enrollment is None and s.sponsor is None and s.countries == ()),
    ("no invented identifier", lambda s: s.identifiers == ()),
])
def test_seed_001_fields(seed001: tuple[StudyFact, list[str]], name: str, check) -> None:  # type: ignore[no-untyped-def]
    assert check(seed001[0]), name


def test_seed_001_reports_missing_fields(seed001: tuple[StudyFact, list[str]]) -> None:
    study, codes = seed001
    assert (study.enrollment, study.sponsor, study.identifiers, study.countries) == (None, None, (), ())
    # phase field (read from the title), NCT number, any identifier, enrollment, sponsor, countries
    assert codes == ["field-missing"] * 6


@pytest.mark.parametrize(("field", "xml_value", "json_value"), [
    ("identifiers", ("NCT99990001", "ZX-4410-MM-002", "2019-000123-45"),
     ("NCT99990002", "ZX-4410-LY-003", "jRCT2031999999")),
    ("aliases", ("ZENITH-2",), ("ZENITH-3",)),
    ("phase", "I/II", "0"),
    ("enrollment", 84, 12),
    ("countries", ("Japan", "Korea, Republic of"), ("Japan",)),
    ("primary_endpoints", ("Overall response rate [Up to 24 months]",),
     ("Dose-limiting toxicities [Day 1 to Day 28]",)),
    ("secondary_endpoints", ("Progression-free survival [Up to 36 months]",
                             "Number of participants with adverse events [Up to 30 days after last dose]"),
     ("Complete response rate [Up to 12 months]",)),
])
def test_xml_and_json_fixtures(field: str, xml_value: object, json_value: object) -> None:
    xml_study, _ = _study(SAMPLES / "trial_record.xml")
    json_study, _ = _study(SAMPLES / "trial_record.json")
    assert getattr(xml_study, field) == xml_value
    assert getattr(json_study, field) == json_value


@pytest.mark.parametrize(("sample", "conditions", "interventions", "sponsor"), [
    ("trial_record.xml", ["Multiple Myeloma", "Plasma Cell Neoplasm"], ["Zentoramib", "Dexamethasone"],
     "Fictional Pharma K.K."),
    ("trial_record.json", ["Follicular Lymphoma"], ["Zentoramib"], "Fictional Pharma K.K."),
])
def test_fixture_mentions(sample: str, conditions: list[str], interventions: list[str], sponsor: str) -> None:
    study, _ = _study(SAMPLES / sample)
    assert [m.text for m in study.conditions] == conditions
    assert [m.text for m in study.interventions] == interventions  # procedures/behaviours are not substances
    assert study.sponsor is not None and study.sponsor.text == sponsor


def test_fixture_title_span_is_exact() -> None:
    doc = load_document(SAMPLES / "trial_record.xml")
    study = extract(doc).studies[0]
    assert doc.text[study.ref.start:study.ref.end] == study.title


@pytest.mark.parametrize(("raw", "phase", "problem"), [
    ("PHASE1|PHASE2", "I/II", False),
    (["PHASE2"], "II", False),
    ("Phase 1", "I", False),
    ("Phase 3", "III", False),
    ("Phase 1/Phase 2", "I/II", False),
    ("Early Phase 1", "0", False),
    (["EARLY_PHASE1"], "0", False),
    ("N/A", None, True),
    ("Not Applicable", None, True),
    (["NA"], None, True),
    ("Phase 2b", None, True),
])
def test_normalize_phase(raw: str | list[str], phase: str | None, problem: bool) -> None:
    got, why = normalize_phase(raw)
    assert got == phase
    assert (why is not None) == problem
    if raw in ("N/A", ["NA"], "Not Applicable"):
        assert why is not None and "not applicable" in why


@pytest.mark.parametrize("text", [
    "<clinical_study><brief_title>x</brief_title>",  # not well-formed XML
    "<other_root/>",  # not a ClinicalTrials.gov record
    '{"foo": 1}',  # no protocolSection
    '{"protocolSection": ',  # not valid JSON
])
def test_bad_records_become_issues(tmp_path: Path, text: str) -> None:
    path = tmp_path / "record.txt"
    path.write_text(text, encoding="utf-8")
    result = extract(load_document(path))
    assert result.status == "partial"
    assert [(i.level, i.code) for i in result.issues] == [("error", "record-invalid")]
    assert result.studies == ()


def test_json_missing_fields_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text('{"protocolSection": {"identificationModule": {"nctId": "NCT99990003",'
                    ' "briefTitle": "Fictional"}, "designModule": {"phases": ["NA"]}}}', encoding="utf-8")
    result = extract(load_document(path))
    study = result.studies[0]
    assert study.identifiers == ("NCT99990003",) and study.phase is None and study.enrollment is None
    codes = [i.code for i in result.issues]
    assert codes.count("value-unparsed") == 1  # phase NA: not applicable
    # phase, enrollment, sponsor, conditions, interventions, primary outcomes, countries
    assert codes.count("field-missing") == 7


FIELD_EXPORT = """NCT99990004
A Phase 2 Study of Fictionalumab in Fictional Disease
Fictionalumab is tested in adults with fictional disease.
Fictional Disease|Imaginary Syndrome
DRUG: Fictionalumab|PROCEDURE: Biopsy
Overall response rate, Proportion of responders, Up to 12 months
Overall survival, Time to death, Up to 36 months
PHASE1|PHASE2
48
"""


def test_field_export_with_later_columns(tmp_path: Path) -> None:
    path = tmp_path / "record.txt"
    path.write_text(FIELD_EXPORT, encoding="utf-8")
    result = extract(load_document(path))
    study = result.studies[0]
    assert study.identifiers == ("NCT99990004",)
    assert study.title == "A Phase 2 Study of Fictionalumab in Fictional Disease"
    assert [c.text for c in study.conditions] == ["Fictional Disease", "Imaginary Syndrome"]
    assert [i.text for i in study.interventions] == ["Fictionalumab"]
    assert study.primary_endpoints == ("Overall response rate [Up to 12 months]",)
    assert study.secondary_endpoints == ("Overall survival [Up to 36 months]",)
    assert (study.phase, study.enrollment) == ("I/II", 48)  # the phase column wins over the title
    assert [i.code for i in result.issues] == ["field-missing"] * 2  # sponsor, countries: no phase issue
