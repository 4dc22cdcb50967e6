"""End to end: files in, one named graph per document, bad input recorded per file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.pipeline import ingest_paths
from extract.store import Store

SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples"


def _write(tmp: Path, name: str, data: bytes) -> Path:
    p = tmp / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty file"),
    ("empty.pdf", b"", "empty file"),
    ("fake.pdf", "これはPDFではない".encode(), "not a PDF"),
    ("truncated.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "PDF"),
    ("binary.txt", bytes(range(256)) * 4, "binary"),
    ("unknown.txt", "今日は良い天気です。散歩に行きました。".encode(), "unknown document type"),
], ids=["empty-txt", "empty-pdf", "fake-pdf", "truncated-pdf", "binary", "unknown-type"])
def test_bad_input_is_one_failed_outcome_naming_the_reason(tmp_path: Path, name: str, data: bytes,
                                                           reason: str) -> None:
    bad = _write(tmp_path, name, data)
    with Store(tmp_path / "store") as st:
        [outcome] = [o for o in ingest_paths([bad], st) if o.path == str(bad)]
        assert outcome.status == "failed"
        assert reason.lower() in outcome.reason.lower()
        assert str(bad) in outcome.path
        assert st.document_graphs() == []
        assert _document_quads(st) == 0


def _document_quads(st: Store) -> int:
    """Quads outside the ontology graph (which every ingest loads first)."""
    return len(st.select("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/yakuji/id/graph/ontology>) }"))


def test_folder_without_documents_is_reported(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    with Store(tmp_path / "store") as st:
        [outcome] = ingest_paths([tmp_path / "docs"], st)
    assert outcome.status == "failed" and "no documents" in outcome.reason


def test_samples_ingest_then_reingest_is_a_no_op(tmp_path: Path) -> None:
    with Store(tmp_path / "store") as st:
        first = ingest_paths([SAMPLES], st)
        assert first and all(o.status in ("ok", "partial") for o in first), first
        graphs = st.document_graphs()
        triples = _document_quads(st)
        again = ingest_paths([SAMPLES], st)
        assert {o.status for o in again} == {"unchanged"}
        assert st.document_graphs() == graphs and _document_quads(st) == triples
    assert len(graphs) == len(first)


def test_new_version_adds_a_graph_beside_the_old(tmp_path: Path) -> None:
    src = sorted(SAMPLES.glob("*.txt"))[0]
    v1 = _write(tmp_path, "v1.txt", src.read_bytes())
    v2 = _write(tmp_path, "v2.txt", src.read_bytes() + "\n\n".encode())
    with Store(tmp_path / "store") as st:
        ingest_paths([v1], st)
        old = st.document_graphs()
        ingest_paths([v2], st)
        assert set(old) < set(st.document_graphs())
        assert len(st.document_graphs()) == 2


def test_batch_goes_on_after_a_bad_file_and_cli_exit_codes(tmp_path: Path) -> None:
    bad = _write(tmp_path, "broken.pdf", b"%PDF-1.4 garbage")
    good = sorted(SAMPLES.glob("*.txt"))[0]
    runner = CliRunner()
    store = str(tmp_path / "store")
    res = runner.invoke(app, ["ingest", "--store", store, "-q", str(bad), str(good)])
    assert res.exit_code == 1, res.output
    assert "broken.pdf" in res.output and "failed" in res.output
    res = runner.invoke(app, ["ingest", "--store", store, "-q", str(good)])
    assert res.exit_code == 0 and "unchanged" in res.output
    res = runner.invoke(app, ["ingest", "--store", store, "--type", "nonsense", str(good)])
    assert res.exit_code == 2
    res = runner.invoke(app, ["stats", "--store", store])
    assert res.exit_code == 0 and "documents: 1" in res.output


def test_ontology_graph_is_loaded_once_and_kept_while_unchanged(tmp_path: Path) -> None:
    """The ontology and lexicon graph is written on the first ingest and left alone by the next
    ones (its content hash is compared as a plain string), so a re-ingest does not rebuild it."""
    from extract import pipeline
    from extract.rdf.namespaces import ONTOLOGY_GRAPH

    with Store(tmp_path / "store") as st:
        pipeline.ensure_ontology(st)
        version = st.ontology_version()
        assert version is not None and len(version) == 64 and version.isalnum()
        calls: list[str] = []
        real = st.replace_graph
        st.replace_graph = lambda *a, **k: (calls.append(a[0]), real(*a, **k))  # type: ignore[method-assign]
        pipeline.ensure_ontology(st)
        assert calls == [] and st.ontology_version() == version
        assert st.has_graph(str(ONTOLOGY_GRAPH))
