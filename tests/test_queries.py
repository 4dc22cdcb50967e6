"""Every named query on the seed-corpus store returns the facts read by hand from the seeds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from extract.queries import bind_params, load_queries, run_named
from extract.store import Store

QUERIES = load_queries()
YK = "https://w3id.org/yakuji/ontology#"
ID = "https://w3id.org/yakuji/id/"


def run(store_path: Path, name: str, **params: str) -> list[dict[str, Any]]:
    with Store(store_path, read_only=True) as st:
        _, rows = run_named(st, QUERIES[name], params)
    return [{k: v.value for k, v in r.items()} for r in rows]


def test_every_competency_question_has_a_named_query() -> None:
    assert set(QUERIES) >= {"risk-by-concept", "product-profile", "dose-modification", "product-studies",
                            "study-efficacy", "ae-incidence", "product-activities", "product-conditions",
                            "management-rules", "fact-provenance", "product-disagreements"}
    for q in QUERIES.values():
        assert q.title_en and q.title_ja and q.description and q.columns, q.name


@pytest.mark.parametrize("concept", ["cytokine release syndrome", "サイトカイン放出症候群", "CRS",
                                     f"{ID}concept/cytokine-release-syndrome"])
def test_risk_by_concept_in_either_language(seed_store: Path, concept: str) -> None:
    rows = run(seed_store, "risk-by-concept", concept=concept)
    assert {(r["product"], r["category"]) for r in rows} == {
        (f"{ID}product/lunsumio", f"{YK}ImportantIdentifiedRisk")}
    assert rows[0]["product_ja"] == "ルンスミオ"
    assert "使用条件の設定" in rows[0]["activities"]


def test_risk_by_concept_category_filter(seed_store: Path) -> None:
    assert run(seed_store, "risk-by-concept", concept="CRS", category="potential") == []


def test_product_profile_revlimid(seed_store: Path) -> None:
    rows = run(seed_store, "product-profile", product="Revlimid")
    assert {r["substance"] for r in rows} == {"lenalidomide / レナリドミド"}
    assert all("Celgene K.K." in r["holder"] for r in rows)
    indications = {r.get("indication") for r in rows}
    assert {"Multiple myeloma", "Myelodysplastic syndromes associated with a deletion 5q abnormality"} <= indications
    mm = [r for r in rows if r.get("indication") == "Multiple myeloma" and r.get("dose")]
    assert {(Decimal(r["dose"]), r["unit"], r["route"], r["frequency"], r["cycleLengthDays"], r["cycleDays"])
            for r in mm} == {(Decimal(25), "mg", "oral", "once daily", "28", "1-21")}


def test_product_profile_lunsumio_cycle_one_steps(seed_store: Path) -> None:
    rows = run(seed_store, "product-profile", product="ルンスミオ")
    iv = {(Decimal(r["dose"]), r["cycleDays"]) for r in rows
          if r.get("route") == "intravenous" and r.get("dose") and r["regimen"].startswith("1サイクル目")}
    assert {(Decimal(1), "1"), (Decimal(2), "8"), (Decimal(60), "15")} <= iv


def test_dose_modification_for_platelet_count(seed_store: Path) -> None:
    rows = run(seed_store, "dose-modification", parameter="血小板数")
    revlimid = {(r["comparator"], Decimal(r["threshold"]), r["unit"], r["action"]) for r in rows
                if r["product"] == f"{ID}product/revlimid"}
    assert ("<", Decimal(25000), "/uL", "interrupt") in revlimid
    assert (">=", Decimal(50000), "/uL", "resume") in revlimid


def test_product_studies_revlimid(seed_store: Path) -> None:
    rows = {r["study"]: r for r in run(seed_store, "product-studies", product="Revlimid")}
    atll2 = rows[f"{ID}study/CC-5013-ATLL-002"]
    assert "CC-5013-ATLL-002" in atll2["identifiers"] and "Study ATLL-002" in atll2["aliases"]
    assert atll2["phase"] == "II" and atll2["enrollment"] == "26"
    assert rows[f"{ID}study/CC-5013-ATLL-001"]["phase"] == "I"


@pytest.mark.parametrize("study", ["ATLL-002", "Study ATLL-002", "CC-5013-ATLL-002"])
def test_study_efficacy_by_any_identifier(seed_store: Path, study: str) -> None:
    rows = run(seed_store, "study-efficacy", study=study)
    orr = [r for r in rows if r["endpoint"] == "ORR" and Decimal(r["value"]) == Decimal("42.3")]
    assert orr and Decimal(orr[0]["ciLower"]) == Decimal("23.35") and Decimal(orr[0]["ciUpper"]) == Decimal("63.08")


def test_ae_incidence_of_crs_in_mm001(seed_store: Path) -> None:
    rows = run(seed_store, "ae-incidence", concept="サイトカイン放出症候群")
    found = {(r.get("gradeScope"), r.get("patientCount"), r.get("denominator"), r.get("percent")) for r in rows}
    assert ("all", "116", "137", "84.7") in found


def test_product_activities_lunsumio(seed_store: Path) -> None:
    rows = run(seed_store, "product-activities", product="Lunsumio")
    lun2501 = [r for r in rows if r.get("studyCode") == "LUN2501"]
    assert len(lun2501) == 1
    assert lun2501[0]["status"] == "ongoing" and lun2501[0]["targetSampleSize"] == "120"
    assert lun2501[0]["kind"] == f"{YK}PharmacovigilanceActivity"


def test_product_conditions_abecma(seed_store: Path) -> None:
    kinds = {r["kind"] for r in run(seed_store, "product-conditions", product="アベクマ")}
    assert {"approval-condition", "facility", "physician", "contraindication"} <= kinds


def test_management_rule_crs_grade_2_tocilizumab(seed_store: Path) -> None:
    rows = run(seed_store, "management-rules", concept="cytokine release syndrome")
    grade2 = [r for r in rows if r.get("grade") == "2" and "tocilizumab" in r.get("recommends", "")]
    assert grade2 and "8 mg/kg" in grade2[0]["text"]


def test_fact_provenance(seed_store: Path) -> None:
    [concern] = [r for r in run(seed_store, "risk-by-concept", concept="CRS")]
    with Store(seed_store, read_only=True) as st:
        fact = st.select("SELECT ?c WHERE { ?c a yk:SafetyConcern ; rdfs:label \"サイトカイン放出症候群\"@ja }")[0]["c"].value
    [row] = run(seed_store, "fact-provenance", fact=fact)
    assert row["kind"] == f"{YK}RiskManagementPlan" and row["document"] == concern["document"]
    assert "サイトカイン放出症候群" in row["evidence"] and row["method"] == "text"
    assert row["issued"] == "2026-03-23"


def test_disagreement_on_prior_therapies_for_abecma(seed_store: Path) -> None:
    rows = [r for r in run(seed_store, "product-disagreements", product="Abecma") if r["aspect"] == "indication"]
    texts = {(r["valueA"], r["valueB"]) for r in rows}
    assert any(("3つ以上" in a.replace(" ", "") and "2つ以上" in b.replace(" ", ""))
               or ("2つ以上" in a.replace(" ", "") and "3つ以上" in b.replace(" ", "")) for a, b in texts)


@pytest.mark.parametrize("evil", ['"} ; DROP ALL', "x\" } UNION { ?s ?p ?o", "<http://x> } #"])
def test_parameters_cannot_change_the_query(seed_store: Path, evil: str) -> None:
    assert run(seed_store, "risk-by-concept", concept=evil) == []
    with Store(seed_store, read_only=True) as st:
        assert st.document_graphs()  # nothing was dropped


def test_unknown_and_missing_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown parameter"):
        bind_params(QUERIES["risk-by-concept"], {"concept": "CRS", "colour": "red"})
    with pytest.raises(ValueError, match="missing required"):
        bind_params(QUERIES["risk-by-concept"], {})


def test_a_name_that_labels_nothing_gives_no_rows_and_the_declared_columns(seed_store: Path) -> None:
    with Store(seed_store, read_only=True) as st:
        columns, rows = run_named(st, QUERIES["risk-by-concept"], {"concept": "存在しない概念"})
    assert rows == [] and columns == list(QUERIES["risk-by-concept"].columns)


# A fictional product in three documents (2021, 2023, and one without a date), one shape of
# (dis)agreement per fact: the query must report exactly the rows listed below.
DISAGREE = f"""
@prefix yk: <{YK}> . @prefix prov: <http://www.w3.org/ns/prov#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{ID}product/velmora> a yk:MedicinalProduct ; <http://www.w3.org/2000/01/rdf-schema#label> "Velmora"@en .
<{ID}doc/old> dct:issued "2021-04-01"^^xsd:date . <{ID}doc/new> dct:issued "2023-04-01"^^xsd:date .
<{ID}fact/i-old> a yk:Indication ; yk:product <{ID}product/velmora> ; yk:disease <{ID}concept/fictional-itch> ;
    yk:text "fictional itch after two prior therapies"@en ; prov:wasDerivedFrom <{ID}doc/old> ; yk:evidenceText "ev i-old" .
<{ID}fact/i-new> a yk:Indication ; yk:product <{ID}product/velmora> ; yk:disease <{ID}concept/fictional-itch> ;
    yk:text "fictional itch after one prior therapy"@en ; prov:wasDerivedFrom <{ID}doc/new> ; yk:evidenceText "ev i-new" .
<{ID}fact/i-other> a yk:Indication ; yk:product <{ID}product/velmora> ; yk:disease <{ID}concept/fictional-cough> ;
    yk:text "fictional cough"@en ; prov:wasDerivedFrom <{ID}doc/new> .
<{ID}fact/d-old> a yk:DosageRegimen ; yk:product <{ID}product/velmora> ; yk:doseUnit "mg" ; yk:route "oral" ;
    yk:doseValue 25.0 ; prov:wasDerivedFrom <{ID}doc/old> ; yk:evidenceText "ev d-old" .
<{ID}fact/d-new> a yk:DosageRegimen ; yk:product <{ID}product/velmora> ; yk:doseUnit "mg" ; yk:route "oral" ;
    yk:doseValue 10.0 ; prov:wasDerivedFrom <{ID}doc/new> ; yk:evidenceText "ev d-new" .
<{ID}fact/m2-old> a yk:DosageRegimen ; yk:product <{ID}product/velmora> ; yk:doseUnit "mg/m2" ; yk:route "intravenous" ;
    yk:doseValue 100 ; prov:wasDerivedFrom <{ID}doc/old> .
<{ID}fact/m2-new> a yk:DosageRegimen ; yk:product <{ID}product/velmora> ; yk:doseUnit "mg/m2" ; yk:route "intravenous" ;
    yk:doseValue 150 ; prov:wasDerivedFrom <{ID}doc/new> .
<{ID}fact/kg-new> a yk:DosageRegimen ; yk:product <{ID}product/velmora> ; yk:doseUnit "mg/kg" ; yk:route "intravenous" ;
    yk:doseValue 100 ; prov:wasDerivedFrom <{ID}doc/new> .
<{ID}fact/d-undated> a yk:DosageRegimen ; yk:product <{ID}product/velmora> ; yk:doseUnit "mg" ; yk:route "intravenous" ;
    yk:doseValue 5.0 ; prov:wasDerivedFrom <{ID}doc/undated> .
<{ID}fact/d-combination> a yk:DosageRegimen ; yk:product <{ID}product/velmora> ; yk:doseUnit "mg" ; yk:route "oral" ;
    yk:doseValue 40.0 ; yk:regimenSubstance <{ID}substance/fictional-partner> ; prov:wasDerivedFrom <{ID}doc/undated> .
"""


@pytest.fixture(scope="module")
def disagree_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import pyoxigraph

    path = tmp_path_factory.mktemp("disagree") / "store"
    data = pyoxigraph.serialize(pyoxigraph.parse(DISAGREE, format=pyoxigraph.RdfFormat.TURTLE),
                                format=pyoxigraph.RdfFormat.N_TRIPLES)
    with Store(path) as st:
        st.add_graph(f"{ID}graph/disagree", data)
    return path


def test_product_disagreements_on_every_shape(disagree_store: Path) -> None:
    """Same disease worded differently: one row, older document first. Same unit and route with
    another dose: one row (old 25 mg oral vs new 10 mg oral). Old 100 mg/m2 against new 150 mg/m2
    is no row: the new document states a dose of 100 too (in mg/kg). The undated 5 mg intravenous
    has no other mg intravenous dose to differ from; a combination regimen is never compared."""
    rows = run(disagree_store, "product-disagreements", product="Velmora")
    got = {(r["aspect"], r["documentA"].rsplit("/", 1)[1], r["valueA"], r["documentB"].rsplit("/", 1)[1],
            r["valueB"], r.get("evidenceA"), r.get("evidenceB")) for r in rows}
    assert got == {
        ("indication", "old", "fictional itch after two prior therapies", "new",
         "fictional itch after one prior therapy", "ev i-old", "ev i-new"),
        ("dose", "old", "25", "new", "10", "ev d-old", "ev d-new"),
    }
    assert [r["aspect"] for r in rows] == ["dose", "indication"]
    assert rows[0]["issuedA"] == "2021-04-01" and rows[0]["issuedB"] == "2023-04-01"


@pytest.mark.parametrize("study", ["MM-003 試験", "MM-003試験", "MM-003", "Study MM-003", "BB2121-MM-003"])
def test_study_criteria_by_the_names_users_type(seed_store: Path, study: str) -> None:
    """A study is found however its short name is typed (spacing, 試験/Study, the code's tail);
    its criteria come inclusion first, each as printed in the guideline's table."""
    rows = run(seed_store, "study-criteria", study=study)
    assert {r["study"] for r in rows} == {f"{ID}study/BB2121-MM-003"}
    assert [r["kind"] for r in rows] == ["inclusion"] * 3 + ["exclusion"] * 3
    assert "ECOG PS が 0 又は 1 の患者。" in {r["criterion"] for r in rows if r["kind"] == "inclusion"}
    assert "中枢神経系(CNS)に骨髄腫病変を有する患者。" in {r["criterion"] for r in rows if r["kind"] == "exclusion"}


@pytest.mark.parametrize("study, found", [("003", set()), ("KarMMa-9", set()),
                                           ("mm-001", {f"{ID}study/BB2121-MM-001"})])
def test_short_study_names_match_whole_code_parts_only(seed_store: Path, study: str, found: set[str]) -> None:
    assert {r["study"] for r in run(seed_store, "study-efficacy", study=study)} == found
