"""The foundation's done-when: all five seeds classified and linked to their product,
substance and holder, in the document's language, with provenance; PDF renditions agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.pipeline import ingest_paths
from extract.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# Read by hand from each seed: kind, language, product label in the document's language,
# substance label in that language, holder/applicant as written (None: the document names none).
EXPECTED = {
    "000": ("ReviewReport", "en", "Revlimid", "lenalidomide", "Celgene K.K."),
    "001": ("ClinicalTrialRecord", "en", None, None, None),
    "002": ("OptimalUseGuideline", "ja", "アベクマ", "イデカブタゲン ビクルユーセル", None),
    "003": ("RiskManagementPlan", "ja", "ルンスミオ", "モスネツズマブ", "中外製薬株式会社"),
    "004": ("ProductInformation", "ja", "アベクマ", None, None),
}

PRODUCTS = """
SELECT ?file ?kind ?lang ?product ?substance ?holder ?evidence ?section WHERE {
  GRAPH ?g {
    ?d yk:fileName ?file ; a ?kind ; dct:language ?lang .
    FILTER(?kind != yk:SourceDocument)
    OPTIONAL {
      ?d yk:aboutProduct ?p . ?p rdfs:label ?product .
      OPTIONAL { ?p yk:evidenceText ?evidence } OPTIONAL { ?p yk:section ?section }
      OPTIONAL { ?p yk:hasActiveSubstance ?s . ?s rdfs:label ?substance }
      OPTIONAL { ?p yk:marketingAuthorisationHolder ?h . ?h rdfs:label|skos:altLabel ?holder }
    }
  }
}"""


def _rows(store_path: Path) -> dict[str, list[dict[str, str]]]:
    with Store(store_path, read_only=True) as st:
        rows = st.select(PRODUCTS)
    out: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        out.setdefault(r["file"].value[:3], []).append({k: v.value for k, v in r.items()})
    return out


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_seed_product_substance_holder(seed_store: Path, seed: str) -> None:
    kind, lang, product, substance, holder = EXPECTED[seed]
    rows = _rows(seed_store)[seed]
    assert {r["kind"].rsplit("#", 1)[1] for r in rows} == {kind}
    assert {r["lang"] for r in rows} == {lang}
    if product is None:
        assert not any("product" in r for r in rows)
        return
    # labels in the document's language are there (labels in the other language may be too)
    assert product in {r.get("product") for r in rows}
    assert all(r.get("evidence") for r in rows if "product" in r), "product without evidence text"
    if substance:
        assert substance in {r.get("substance") for r in rows}
    if holder:
        assert holder in {r.get("holder") for r in rows}


def test_one_abecma_iri_from_guideline_and_brochure(seed_store: Path) -> None:
    with Store(seed_store, read_only=True) as st:
        rows = st.select("""SELECT DISTINCT ?p WHERE { GRAPH ?g { ?d yk:aboutProduct ?p .
                            ?p rdfs:label "アベクマ"@ja } }""")
    assert [r["p"].value for r in rows] == ["https://w3id.org/yakuji/id/product/abecma"]


def _product_facts(store_path: Path) -> set[tuple[str, str, str]]:
    with Store(store_path, read_only=True) as st:
        rows = st.select("""SELECT DISTINCT ?p ?s ?h WHERE { GRAPH ?g { ?d yk:aboutProduct ?p .
            OPTIONAL { ?p yk:hasActiveSubstance ?s } OPTIONAL { ?p yk:marketingAuthorisationHolder ?h } } }""")
    return {(r["p"].value, r["s"].value if "s" in r else "", r["h"].value if "h" in r else "") for r in rows}


def test_pdf_renditions_give_the_same_product_facts(seed_store: Path, pdf_renditions: dict[str, Path],
                                                    tmp_path: Path) -> None:
    pdfs = [p for name, p in pdf_renditions.items() if name[:3] in EXPECTED and name[3] == "_"]
    assert len(pdfs) == 5
    with Store(tmp_path / "pdf_store") as st:
        outcomes = ingest_paths(pdfs, st)
    assert all(o.status in ("ok", "partial") for o in outcomes), outcomes
    assert all(o.pages >= 1 for o in outcomes)
    assert _product_facts(tmp_path / "pdf_store") == _product_facts(seed_store)


def test_review_report_header_fields_reach_the_graph(seed_store: Path) -> None:
    with Store(seed_store, read_only=True) as st:
        [row] = st.select("""SELECT ?issued ?applied ?deliberated ?orphan ?office WHERE {
            ?d a yk:ReviewReport ; dct:issued ?issued ; yk:applicationDate ?applied ;
               yk:deliberationDate ?deliberated ; yk:orphanDesignation ?orphan ; yk:reviewingOffice ?office }""")
    assert {k: v.value for k, v in row.items()} == {
        "issued": "2017-01-16", "applied": "2016-06-24", "deliberated": "2017-02-03",
        "orphan": "true", "office": "Office of New Drug V"}
