"""Curator overrides and ``yakuji explain``: why mentions were merged, and one IRI per entity."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.explain import (
    Override,
    apply_overrides,
    expand_iri,
    explain_entity,
    load_overrides,
    parse_overrides,
    render_explanation,
)
from extract.model import Link, Mention

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SAMPLES = ROOT / "corpus" / "samples"


@pytest.mark.parametrize("text, expected", [
    ("mention\tkind\tkey\n", ()),
    ("# a comment\n\nＫａｋｕｕ\tproduct\tkakuu\n", (Override("Kakuu", "product", "kakuu"),)),
    ("x-0123456789ab\tstudy\tstudy/ABC-001\n", (Override("x-0123456789ab", "study", "study/ABC-001"),)),
    ("架空製薬\torganization\tsplit\n", (Override("架空製薬", "organization", "split"),)),
])
def test_parse_overrides(text: str, expected: tuple[Override, ...]) -> None:
    assert parse_overrides(text) == expected


@pytest.mark.parametrize("text, message", [
    ("only\ttwo\n", "line 1"),
    ("name\tdrug\tkey\n", "unknown kind 'drug'"),
    ("# ok\nname\tproduct\t\n", "line 2"),
])
def test_bad_override_rows_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_overrides(text)


def test_shipped_override_file_parses() -> None:
    assert all(o.kind in ("product", "substance", "organization", "concept", "study")
               for o in load_overrides())


_SOLA = Mention("ソラリスタ点滴静注", "ja", "product")
_STUDY = Mention("A fictional record title", "en", "study")
_LINKS = {
    _SOLA: Link("x-930f9c2c1995", "product", (("ja", "ソラリスタ"),), method="unlinked", score=0.0,
                unlinked=True),
    _STUDY: Link("study/x-0123456789ab", "study", (("en", "A fictional record title"),),
                 method="unlinked", score=0.0, unlinked=True),
}


@pytest.mark.parametrize("rule, mention, key, method, label", [
    # forced by the name as written: the key changes; an unlinked mention keeps the name the
    # linker read from it (the brand without its form: the builder files the rest as a trade name)
    (Override("ソラリスタ点滴静注", "product", "solarista"), _SOLA, "solarista", "override", "ソラリスタ"),
    # forced by the key the linker gave: a study is labelled by its code
    (Override("x-0123456789ab", "study", "study/ABC-001"), _STUDY, "study/ABC-001", "override", "ABC-001"),
    # split: a key of its own, never shared with the entity it would have joined
    (Override("ソラリスタ点滴静注", "product", "split"), _SOLA, None, "override-split", "ソラリスタ点滴静注"),
])
def test_apply_overrides(rule: Override, mention: Mention, key: str | None, method: str, label: str) -> None:
    out = apply_overrides(_LINKS, (rule,))[mention]
    assert out.method == method and out.score == 1.0
    assert out.labels[0][1] == label
    if key is None:
        assert out.key != _LINKS[mention].key and out.key.startswith("split-")
    else:
        assert out.key == key
    other = next(m for m in _LINKS if m != mention)
    assert apply_overrides(_LINKS, (rule,))[other] == _LINKS[other]  # the other mention is untouched


@pytest.mark.parametrize("text, iri", [
    ("ykid:product/abecma", "https://w3id.org/yakuji/id/product/abecma"),
    ("study/CC-5013-ATLL-001", "https://w3id.org/yakuji/id/study/CC-5013-ATLL-001"),
    ("<https://w3id.org/yakuji/id/organization/chugai>", "https://w3id.org/yakuji/id/organization/chugai"),
])
def test_expand_iri(text: str, iri: str) -> None:
    assert expand_iri(text) == iri


def test_expand_iri_refuses_sparql_delimiters() -> None:
    with pytest.raises(ValueError):
        expand_iri("product/a> } DROP ALL {")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    from extract.pipeline import ingest_paths
    from extract.store import Store

    st = Store(tmp_path_factory.mktemp("explain") / "store")
    ingest_paths([SEEDS, SAMPLES / "rmp_solarista_v1.txt", SAMPLES / "rmp_solarista_v2.txt"], st)
    yield st
    st.close()


@pytest.mark.parametrize("iri, files, methods, written", [
    # one product across the guideline (アベクマ点滴静注, by its stem) and the brochure
    ("product/abecma", {"002", "004"}, {"stem", "exact"}, {"アベクマ点滴静注", "アベクマ"}),
    # one study: the review report's code and the registry record joined by the curator
    ("study/CC-5013-ATLL-001", {"000", "001"}, {"identifier", "override"}, {"CC-5013-ATLL-001"}),
    # the same study by its full code in the guideline and by its nickname in the brochure
    ("study/BB2121-MM-001", {"002", "004"}, {"identifier"}, {"MM-001 試験", "KarMMa"}),
    ("organization/chugai", {"003"}, {"exact"}, {"中外製薬株式会社"}),
    ("product/revlimid", {"000"}, {"stem"}, {"レブラミド", "Revlimid"}),
])
def test_one_iri_per_entity_across_documents(store, iri: str, files: set[str], methods: set[str],  # type: ignore[no-untyped-def]
                                             written: set[str]) -> None:
    ex = explain_entity(store, iri)
    assert {m.document[:3] for m in ex.mentions} == files
    assert {m.method for m in ex.mentions} == methods
    assert written <= {n for m in ex.mentions for n in m.names}
    text = render_explanation(ex)
    assert all(m.why in text for m in ex.mentions)


def test_unknown_product_of_two_plan_versions_joins_by_normalised_name(store) -> None:  # type: ignore[no-untyped-def]
    rows = store.select("SELECT DISTINCT ?p WHERE { ?p a yk:MedicinalProduct ; rdfs:label 'ソラリスタ'@ja }")
    (row,) = rows
    ex = explain_entity(store, row["p"].value)
    assert [m.document for m in ex.mentions] == ["rmp_solarista_v1.txt", "rmp_solarista_v2.txt"]
    assert {m.method for m in ex.mentions} == {"unlinked"}
    assert not ex.lexicon_labels


def test_unknown_iri_has_no_mentions(store) -> None:  # type: ignore[no-untyped-def]
    assert explain_entity(store, "product/no-such-product").mentions == ()


# --------------------------------------------------------------------------- merge candidates


@pytest.fixture(scope="module")
def no_override_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds 000 (review report) and 001 (registry record) ingested as if no curator had matched
    them: the registry record, which names no NCT number or sponsor code, stays keyed by its title."""
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    import extract.explain as ex
    from extract.pipeline import ingest_paths
    from extract.store import Store

    path = tmp_path_factory.mktemp("no_override") / "store"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ex, "overrides_path", lambda: path.parent / "absent.tsv")
        with Store(path) as st:
            ingest_paths(sorted(SEEDS.glob("00[01]_*.txt")), st)
    return path


def test_study_candidates_without_override(no_override_store: Path) -> None:
    """The registry record of the Japanese phase I study is offered, with its evidence, as the
    review report's CC-5013-ATLL-001 (same phase, substance and condition), and only that:
    the phase II study of the same product and disease is not a candidate."""
    from extract.explain import render_candidates, study_candidates
    from extract.store import Store

    with Store(no_override_store, read_only=True) as st:
        (c,) = study_candidates(st)
    assert c.titled.rsplit("/", 1)[-1].startswith("x-") and c.title.startswith("A Phase I,")
    assert c.coded.endswith("/study/CC-5013-ATLL-001") and c.identifiers == ("CC-5013-ATLL-001",)
    assert c.phase == "I" and [s.rsplit("/", 1)[-1] for s in c.substances] == ["lenalidomide"]
    assert [x.rsplit("/", 1)[-1] for x in c.conditions] == ["adult-t-cell-leukaemia-lymphoma"]
    key = c.titled.rsplit("/", 1)[-1]
    assert c.override_line == f"{key}\tstudy\tstudy/CC-5013-ATLL-001"
    assert parse_overrides(c.override_line + "\n") == (Override(key, "study", "study/CC-5013-ATLL-001"),)
    assert f"{key}<TAB>study<TAB>study/CC-5013-ATLL-001" in render_candidates([c])


def test_no_candidates_once_merged(seed_store: Path) -> None:
    """With the shipped override the two are one study: nothing is left to propose."""
    from extract.explain import render_candidates, study_candidates
    from extract.store import Store

    with Store(seed_store, read_only=True) as st:
        assert study_candidates(st) == []
    assert render_candidates([]).startswith("no candidate merges")


def test_candidates_command(no_override_store: Path) -> None:
    import json

    from typer.testing import CliRunner

    from extract.cli import app

    res = CliRunner().invoke(app, ["candidates", "--store", str(no_override_store), "-f", "json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.output)
    assert row["override_line"].endswith("\tstudy\tstudy/CC-5013-ATLL-001")
    bad = CliRunner().invoke(app, ["candidates", "--store", str(no_override_store), "-f", "xml"])
    assert bad.exit_code == 2 and "--format" in bad.output
