"""The store: transactional writes, re-ingest no-ops, one writer at a time."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from extract.errors import StoreLockedError
from extract.store import Store

G1 = "https://w3id.org/yakuji/id/doc/" + "a" * 64
NT = (b'<https://w3id.org/yakuji/id/product/x> <http://www.w3.org/2000/01/rdf-schema#label> "X"@en .\n'
      b'<https://w3id.org/yakuji/id/product/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
      b'<https://w3id.org/yakuji/ontology#MedicinalProduct> .\n')


def test_graph_is_written_and_found(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as st:
        assert not st.has_graph(G1)
        st.add_graph(G1, NT)
        assert st.has_graph(G1)
        rows = st.select("SELECT ?l WHERE { ?p a yk:MedicinalProduct ; rdfs:label ?l }")
        assert [r["l"].value for r in rows] == ["X"]
        assert st.document_graphs() == [G1]


def test_store_persists_across_opens(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as st:
        st.add_graph(G1, NT)
    with Store(tmp_path / "s", read_only=True) as st:
        assert st.has_graph(G1)


def test_bad_data_leaves_store_unchanged(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as st:
        st.add_graph(G1, NT)
        broken = NT + b'<https://w3id.org/yakuji/id/p> <https://w3id.org/yakuji/ontology#q> "unterminated .\n'
        with pytest.raises(SyntaxError):
            st.add_graph("https://w3id.org/yakuji/id/doc/" + "b" * 64, broken)
        assert st.document_graphs() == [G1]
        assert len(list(st.quads())) == 2


def _try_open(path: str, queue: "mp.Queue[str]") -> None:
    try:
        Store(path).close()
        queue.put("opened")
    except StoreLockedError as exc:
        queue.put(str(exc))


def test_second_writer_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = str(tmp_path / "s")
    with Store(path):
        queue: "mp.Queue[str]" = mp.get_context("spawn").Queue()
        proc = mp.get_context("spawn").Process(target=_try_open, args=(path, queue))
        proc.start()
        proc.join(60)
        message = queue.get(timeout=5)
    assert "being written by another yakuji process" in message
    assert path in message


def test_read_only_open_of_missing_store_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="run `yakuji ingest` first"):
        Store(tmp_path / "nothing", read_only=True)


def test_each_commit_gives_a_new_generation_and_a_failed_one_none(tmp_path: Path) -> None:
    from extract.store import read_generation

    path = tmp_path / "s"
    assert read_generation(path) == ""
    with Store(path) as st:
        tokens = [read_generation(path)]
        st.add_graph(G1, NT)
        tokens.append(read_generation(path))
        st.add_graph("https://w3id.org/yakuji/id/doc/" + "c" * 64, NT)
        tokens.append(read_generation(path))
        with pytest.raises(SyntaxError):
            st.add_graph("https://w3id.org/yakuji/id/doc/" + "d" * 64, b"<broken")
        tokens.append(read_generation(path))
    assert tokens[0] == "" and len(set(tokens[1:3])) == 2 and "" not in tokens[1:]
    assert tokens[3] == tokens[2]  # nothing was committed
    assert sorted(p.name for p in path.iterdir()) == ["db", "generation", "write.lock"]  # no temporary file left


def test_a_read_only_view_reopens_only_after_a_commit(tmp_path: Path) -> None:
    from extract.serve import ReadOnlyView

    path = tmp_path / "s"
    with Store(path) as st:
        st.add_graph(G1, NT)
        view = ReadOnlyView(path)
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        assert not view.refresh() and int(next(iter(view.query(count)))["n"].value) == 2
        st.add_graph("https://w3id.org/yakuji/id/doc/" + "c" * 64,
                     NT.replace(b'"X"@en', b'"Y"@en'))
        assert int(next(iter(view.query(count)))["n"].value) == 2  # a snapshot until refreshed
        assert view.refresh() and not view.refresh()
        assert int(next(iter(view.query(count)))["n"].value) == 4
