"""Graph views: nodes and edges read by hand from the seeds, every export format round-trips,
pictures have the expected size, show Japanese glyphs (not boxes) and say what they left out.

The store is built once for the module from the fictional samples and, when present, the
seeds; tests that need seed facts skip with a clear reason when ../shared/seeds is absent.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import warnings
from pathlib import Path
from typing import Any, Iterator

import networkx as nx
import pytest

from extract.pipeline import ingest_paths
from extract.store import Store
from extract.views import (FORMATS, build_view, choose_label, csv_paths, draw, export_view, find_cjk_font,
                           load_views, most_connected, picture_size)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus" / "samples"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
RMP_SEED = "003_033988a1d9a37a3d.txt"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available: ../shared/seeds is absent")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    path = tmp_path_factory.mktemp("views") / "store"
    sources = [SAMPLES] + ([SEEDS] if SEEDS.is_dir() else [])
    with Store(path) as st:
        outcomes = ingest_paths(sources, st)
        assert all(o.status != "failed" for o in outcomes), [o.reason for o in outcomes if o.status == "failed"]
    with Store(path, read_only=True) as st:
        yield st


@pytest.fixture(scope="module")
def risk_view(store: Store) -> Any:
    return build_view(store, "product-risk", {}, lang="ja")


def _node(graph: Any, label: str, type_: str | None = None) -> str:
    """The one node whose English or Japanese label is ``label`` (case-insensitive)."""
    found = [n for n, d in graph.nodes(data=True)
             if label.lower() in (d.get("label_en", "").lower(), d.get("label_ja", "").lower())
             and (type_ is None or d.get("type") == type_)]
    assert len(found) == 1, f"{label!r}: {found}"
    return found[0]


def _out_edges(graph: Any, source: str, relation: str) -> list[tuple[str, dict[str, Any]]]:
    return [(t, d) for _, t, d in graph.out_edges(source, data=True) if d["relation"] == relation]


def _doc_iri(store: Store, file_name: str) -> str:
    rows = store.select(f'SELECT DISTINCT ?d WHERE {{ ?d yk:fileName "{file_name}" }}')
    assert len(rows) == 1
    return rows[0]["d"].value


# ---------------------------------------------------------------------------- the views

def test_the_four_views_are_listed_with_titles_in_both_languages() -> None:
    views = load_views()
    assert {"product", "product-risk", "study", "document"} <= set(views)
    for view in views.values():
        assert view.title_en and view.title_ja
        assert {"source", "target", "relation"} <= set(view.columns)


# The six important identified risks of the Lunsumio RMP summary (seed 003, section 1.1).
LUNSUMIO_IDENTIFIED = ("cytokine release syndrome", "neurologic event", "infection", "tumour flare",
                       "tumour lysis syndrome", "cytopenia")


@needs_seeds
def test_product_risk_links_lunsumio_to_its_six_identified_risks(store: Store, risk_view: Any) -> None:
    lunsumio = _node(risk_view, "ルンスミオ", "MedicinalProduct")
    edges = _out_edges(risk_view, lunsumio, "safetyConcern")
    got = {risk_view.nodes[t]["label_en"]: d["category"] for t, d in edges}
    assert got == {label: "ImportantIdentifiedRisk" for label in LUNSUMIO_IDENTIFIED}
    rmp = _doc_iri(store, RMP_SEED)
    assert all(d["documents"] == rmp for _, d in edges)


@needs_seeds
@pytest.mark.parametrize("concept, category", [
    ("Teratogenicity", "ImportantIdentifiedRisk"),
    ("Tumour lysis syndrome", "ImportantIdentifiedRisk"),
    ("Cataract", "ImportantPotentialRisk"),
    ("Safety in long-term treatment", "MissingInformation"),
])
def test_product_risk_links_revlimid_by_category(risk_view: Any, concept: str, category: str) -> None:
    revlimid = _node(risk_view, "Revlimid", "MedicinalProduct")
    target = _node(risk_view, concept, "MedicalConcept")
    categories = {d["category"] for _, t, d in risk_view.out_edges(revlimid, data=True) if t == target}
    assert categories == {category}


@needs_seeds
@pytest.mark.parametrize("concept", ["tumour lysis syndrome", "腫瘍崩壊症候群", "infection"])
def test_a_concept_two_products_name_is_one_node(risk_view: Any, concept: str) -> None:
    node = _node(risk_view, concept, "MedicalConcept")
    products = {risk_view.nodes[s]["label_en"] for s, _ in risk_view.in_edges(node)}
    assert {"Lunsumio", "Revlimid"} <= products
    assert len(risk_view.nodes[node]["documents"].split(";")) >= 2


def test_product_risk_category_parameter_restricts_edges(store: Store) -> None:
    graph = build_view(store, "product-risk", {"category": "missing"})
    assert graph.number_of_edges() > 0
    assert {d["category"] for _, _, d in graph.edges(data=True)} == {"MissingInformation"}


@needs_seeds
@pytest.mark.parametrize("relation, label, type_", [
    ("hasActiveSubstance", "モスネツズマブ", "Substance"),
    ("marketingAuthorisationHolder", "中外製薬株式会社", "Organization"),
    ("safetyConcern", "サイトカイン放出症候群", "MedicalConcept"),
    ("indication", "再発又は難治性の濾胞性リンパ腫", "Indication"),
    ("approvalCondition", "医薬品リスク管理計画", "ApprovalCondition"),
])
def test_product_view_of_lunsumio(store: Store, relation: str, label: str, type_: str) -> None:
    graph = build_view(store, "product", {"product": "ルンスミオ"}, lang="ja")
    lunsumio = _node(graph, "Lunsumio", "MedicinalProduct")
    targets = {graph.nodes[t]["label_ja"]: graph.nodes[t]["type"] for t, _ in _out_edges(graph, lunsumio, relation)}
    assert [t for text, t in targets.items() if text.startswith(label)] == [type_]


@needs_seeds
def test_product_view_activities_and_what_they_address(store: Store) -> None:
    graph = build_view(store, "product", {"product": "Lunsumio"})
    lunsumio = _node(graph, "Lunsumio", "MedicinalProduct")
    activities = {graph.nodes[t]["label_ja"]: d["category"]
                  for t, d in _out_edges(graph, lunsumio, "PharmacovigilanceActivity")}
    [survey] = [label for label in activities if "LUN2501" in label]
    assert survey.startswith("特定使用成績調査")
    assert activities[survey] == "AdditionalActivity"
    assert activities["通常の医薬品安全性監視活動"] == "RoutineActivity"
    addressed = {graph.nodes[t]["label_en"] for s, t, d in graph.edges(data=True) if d["relation"] == "addresses"}
    assert "cytokine release syndrome" in addressed
    # the label follows --lang, falling back to the other language
    assert graph.nodes[lunsumio]["label"] == "Lunsumio"
    dosage = [t for t, _ in _out_edges(graph, lunsumio, "dosage")]
    assert dosage and all(graph.nodes[t]["label"] == graph.nodes[t]["label_ja"] for t in dosage)


@needs_seeds
def test_product_view_of_abecma_has_its_studies_and_results(store: Store) -> None:
    graph = build_view(store, "product", {"product": "アベクマ"})
    abecma = _node(graph, "Abecma", "MedicinalProduct")
    studies = {graph.nodes[s]["label_en"] for s, _, d in graph.in_edges(abecma, data=True)
               if d["relation"] == "studiesProduct"}
    assert "BB2121-MM-001" in studies
    karmma = _node(graph, "BB2121-MM-001", "ClinicalStudy")
    endpoints = {d["category"] for _, d in _out_edges(graph, karmma, "result")}
    assert "ORR" in endpoints


@needs_seeds
@pytest.mark.parametrize("study, relation, target, target_type", [
    ("CC-5013-ATLL-002", "primaryEndpoint", "response rate", "Endpoint"),
    ("CC-5013-ATLL-002", "studiesProduct", "Revlimid", "MedicinalProduct"),
    ("BB2121-MM-001", "primaryEndpoint", "全奏効割合(ORR)", "Endpoint"),
    ("BB2121-MM-001", "secondaryEndpoint", "無増悪生存期間(PFS)", "Endpoint"),
    ("BB2121-MM-001", "studiesProduct", "アベクマ", "MedicinalProduct"),
])
def test_study_view(store: Store, study: str, relation: str, target: str, target_type: str) -> None:
    graph = build_view(store, "study", {})
    source = _node(graph, study, "ClinicalStudy")
    targets = {t for t, _ in _out_edges(graph, source, relation)}
    assert _node(graph, target, target_type) in targets


@needs_seeds
def test_study_view_restricted_to_a_study_named_by_its_alias(store: Store) -> None:
    graph = build_view(store, "study", {"study": "KarMMa"})
    studies = {d["label_en"] for _, d in graph.nodes(data=True) if d["type"] == "ClinicalStudy"}
    assert studies == {"BB2121-MM-001"}


def test_study_view_of_a_sample_trial_record_has_its_condition(store: Store) -> None:
    graph = build_view(store, "study", {})
    conditions = {graph.nodes[t]["label_en"] for _, t, d in graph.edges(data=True) if d["relation"] == "condition"}
    assert "multiple myeloma" in conditions


@needs_seeds
def test_document_view_by_file_name_and_by_iri(store: Store) -> None:
    graph = build_view(store, "document", {"document": RMP_SEED})
    doc = _doc_iri(store, RMP_SEED)
    assert graph.nodes[doc]["type"] == "RiskManagementPlan"
    about = {graph.nodes[t]["label_en"] for t, _ in _out_edges(graph, doc, "aboutProduct")}
    assert about == {"Lunsumio"}
    derived = [s for s, _, d in graph.in_edges(doc, data=True) if d["relation"] == "wasDerivedFrom"]
    concerns = [s for s in derived if graph.nodes[s]["type"] == "SafetyConcern"]
    assert len(concerns) == 6
    assert all(graph.nodes[s]["evidence"] for s in concerns)
    by_iri = build_view(store, "document", {"document": doc})
    assert set(by_iri.nodes) == set(graph.nodes) and by_iri.number_of_edges() == graph.number_of_edges()


@pytest.mark.parametrize("name, params, message", [
    ("nope", {}, "no view"),
    ("product", {}, "missing required"),
    ("product", {"product": "x", "colour": "red"}, "unknown parameter"),
])
def test_bad_view_requests_raise_value_error(store: Store, name: str, params: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_view(store, name, params)


@pytest.mark.parametrize("data, lang, expected", [
    ({"label_en": "Lunsumio", "label_ja": "ルンスミオ"}, "ja", "ルンスミオ"),
    ({"label_en": "Lunsumio", "label_ja": "ルンスミオ"}, "en", "Lunsumio"),
    ({"label_en": "", "label_ja": "ルンスミオ"}, "en", "ルンスミオ"),
    ({"label_en": "", "label_ja": ""}, "en", "lunsumio"),
])
def test_label_falls_back_to_the_other_language(data: dict[str, str], lang: str, expected: str) -> None:
    assert choose_label(data, lang, "https://w3id.org/yakuji/id/product/lunsumio") == expected


# ---------------------------------------------------------------------------- formats

def _edge_set(graph: Any) -> set[tuple[str, str, str, str]]:
    return {(s, t, d["relation"], d["category"]) for s, t, d in graph.edges(data=True)}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_round_trip(risk_view: Any, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"view.{fmt}"
    export_view(risk_view, fmt, path)
    back = (nx.read_graphml(path, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(path))
    assert set(back.nodes) == set(risk_view.nodes)
    assert _edge_set(back) == _edge_set(risk_view)
    for node, data in risk_view.nodes(data=True):
        assert {k: back.nodes[node].get(k) for k in data} == data
    originals = {(s, t, d["relation"], d["category"]): d for s, t, d in risk_view.edges(data=True)}
    for s, t, d in back.edges(data=True):
        original = originals[(s, t, d["relation"], d["category"])]
        assert {k: d.get(k) for k in original} == original


def _fictional_graph() -> Any:
    """Awkward values on purpose: markup characters, quotes, line breaks, Japanese, pages."""
    graph = nx.MultiDiGraph(name="fictional", title="Fictional <view> & \"quotes\"", lang="ja")
    common = {"category": "", "documents": "https://example.org/doc/1;https://example.org/doc/2"}
    graph.add_node("https://example.org/p", type="MedicinalProduct", label_en="Fictamab", label_ja="フィクタマブ",
                   label="フィクタマブ", evidence="", **common)
    graph.add_node("https://example.org/c", type="SafetyConcern", label_en="", label_ja="架空の症候群 <重篤> & \"注意\"",
                   label="架空の症候群 <重篤> & \"注意\"", evidence="一行目\n二行目 \\ 終わり", page=12, **common)
    graph.add_edge("https://example.org/p", "https://example.org/c", key="safetyConcern|ImportantIdentifiedRisk",
                   relation="safetyConcern", category="ImportantIdentifiedRisk", label="safetyConcern",
                   documents="https://example.org/doc/1", evidence="根拠 <b>&amp;</b>", page=3)
    graph.add_edge("https://example.org/p", "https://example.org/c", key="safetyConcern|ImportantPotentialRisk",
                   relation="safetyConcern", category="ImportantPotentialRisk", label="safetyConcern",
                   documents="https://example.org/doc/2", evidence="")
    return graph


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_awkward_values_and_parallel_edges_round_trip(tmp_path: Path, fmt: str) -> None:
    graph = _fictional_graph()
    path = tmp_path / f"fictional.{fmt}"
    export_view(graph, fmt, path)
    back = nx.read_graphml(path, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(path)
    for node, data in graph.nodes(data=True):
        assert {k: back.nodes[node].get(k) for k in data} == data
    assert back.nodes["https://example.org/c"]["page"] == 12
    assert _edge_set(back) == _edge_set(graph)
    assert sorted(d.get("page", 0) for _, _, d in back.edges(data=True)) == [0, 3]


def test_dot_escapes_quotes_backslashes_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "fictional.dot"
    export_view(_fictional_graph(), "dot", path)
    text = path.read_text(encoding="utf-8")
    assert 'label="架空の症候群 <重篤> & \\"注意\\""' in text
    assert 'evidence="一行目\\n二行目 \\\\ 終わり"' in text
    assert len(re.findall(r"^  \"https://example.org/p\" -> ", text, re.M)) == 2


def test_html_escapes_labels_and_embedded_data(tmp_path: Path) -> None:
    path = tmp_path / "fictional.html"
    export_view(_fictional_graph(), "html", path)
    text = path.read_text(encoding="utf-8")
    assert "<重篤>" not in text.split('<script type="application/json"')[0]
    assert "&lt;重篤&gt;" in text
    payload = re.search(r'id="view-data">(.*?)</script>', text, re.S)
    assert payload is not None
    nodes = json.loads(payload.group(1))["nodes"]
    assert {n["id"]: n.get("page") for n in nodes}["https://example.org/c"] == 12


def test_cytoscape_json_has_the_element_structure(risk_view: Any, tmp_path: Path) -> None:
    path = tmp_path / "view.cyjs"
    export_view(risk_view, "cyjs", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    nodes, edges = data["elements"]["nodes"], data["elements"]["edges"]
    ids = {n["data"]["id"] for n in nodes}
    assert ids == set(risk_view.nodes)
    assert all({"type", "label", "label_en", "label_ja"} <= set(n["data"]) for n in nodes)
    assert len(edges) == risk_view.number_of_edges()
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids and e["data"]["id"] for e in edges)
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    assert _edge_set(nx.cytoscape_graph(data)) == _edge_set(risk_view)


@pytest.mark.parametrize("output, nodes_name, edges_name", [
    ("out", "nodes.csv", "edges.csv"),
    ("risk.csv", "risk_nodes.csv", "risk_edges.csv"),
])
def test_csv_gives_nodes_and_edges_files_that_parse(risk_view: Any, tmp_path: Path, output: str,
                                                    nodes_name: str, edges_name: str) -> None:
    written = export_view(risk_view, "csv", tmp_path / output)
    assert [p.name for p in written] == [nodes_name, edges_name]
    with written[0].open(encoding="utf-8-sig", newline="") as fh:
        nodes = list(csv.DictReader(fh))
    with written[1].open(encoding="utf-8-sig", newline="") as fh:
        edges = list(csv.DictReader(fh))
    assert {r["id"] for r in nodes} == set(risk_view.nodes)
    assert {(r["source"], r["target"], r["relation"], r["category"]) for r in edges} == _edge_set(risk_view)
    first = nodes[0]
    assert first["label_ja"] == risk_view.nodes[first["id"]]["label_ja"]


def test_csv_paths_for_an_existing_folder(tmp_path: Path) -> None:
    folder = tmp_path / "views.d"
    folder.mkdir()
    assert csv_paths(folder) == (folder / "nodes.csv", folder / "edges.csv")


def test_dot_lists_every_node_and_edge(risk_view: Any, tmp_path: Path) -> None:
    path = tmp_path / "view.dot"
    export_view(risk_view, "dot", path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith('digraph "product-risk" {') and text.rstrip().endswith("}")
    assert len(re.findall(r'^  "[^"]+" -> "', text, re.M)) == risk_view.number_of_edges()
    assert len(re.findall(r"^  \"(?:[^\"\\]|\\.)*\" \[", text, re.M)) == risk_view.number_of_nodes()
    if shutil.which("dot"):
        import subprocess

        subprocess.run(["dot", "-Tsvg", str(path), "-o", str(tmp_path / "dot.svg")], check=True)


# ---------------------------------------------------------------------------- pictures

def _pixels(path: Path) -> Any:
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def test_png_has_the_expected_size_and_is_not_blank(risk_view: Any, tmp_path: Path) -> None:
    path = tmp_path / "view.png"
    export_view(risk_view, "png", path)
    pixels = _pixels(path)
    width, height = picture_size(risk_view.number_of_nodes())
    assert pixels.shape == (height, width, 3)
    non_white = (pixels.sum(axis=2) < 740).mean()
    assert non_white > 0.005
    assert len({tuple(p) for p in pixels.reshape(-1, 3)[::97]}) > 10


def test_svg_is_written(risk_view: Any, tmp_path: Path) -> None:
    path = tmp_path / "view.svg"
    export_view(risk_view, "svg", path)
    assert "<svg" in path.read_text(encoding="utf-8")[:2000]


def _one_label_graph(label: str) -> Any:
    graph = nx.MultiDiGraph(name="t", title="t", lang="ja")
    graph.add_node("a", type="MedicalConcept", label=label, label_ja=label, label_en="")
    return graph


def _render(tmp_path: Path, name: str, font: str | None) -> tuple[Any, list[str]]:
    path = tmp_path / name
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw(_one_label_graph("サイトカイン放出症候群"), path, fmt="png", font_path=font)
    return _pixels(path), [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_japanese_labels_render_with_a_cjk_font_not_as_boxes(tmp_path: Path) -> None:
    import matplotlib

    cjk = find_cjk_font()
    if cjk is None:
        pytest.skip("no CJK font installed (fonts-ipaexfont-gothic or fonts-noto-cjk)")
    dejavu = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    good, good_missing = _render(tmp_path, "cjk.png", cjk)
    boxes, boxes_missing = _render(tmp_path, "dejavu.png", dejavu)
    assert good_missing == []
    assert boxes_missing, "DejaVu Sans should lack the Japanese glyphs"
    height, width, _ = good.shape
    # the plot area: below the title, left of the legend; only the node and its label are there
    region = (slice(int(height * 0.08), height), slice(0, width - 300))
    assert (good[region] != boxes[region]).any()
    assert (good[region].sum(axis=2) < 600).sum() > (boxes[region].sum(axis=2) < 600).sum() * 0.5


def test_pictures_of_large_views_show_the_most_connected_nodes_and_say_so(risk_view: Any, tmp_path: Path) -> None:
    sub, info = most_connected(risk_view, 5)
    assert sub.number_of_nodes() == 5 and info.left_out == risk_view.number_of_nodes() - 5
    degrees = sorted((d for _, d in risk_view.degree()), reverse=True)
    assert sorted((risk_view.degree(n) for n in sub.nodes), reverse=True) == degrees[:5]
    assert f"{info.left_out} left out" in info.caption()
    html_path = tmp_path / "view.html"
    export_view(risk_view, "html", html_path, max_nodes=5)
    text = html_path.read_text(encoding="utf-8")
    assert f"({info.left_out} left out)" in text
    assert len(re.findall(r'<g data-node="', text)) == 5
    assert draw(risk_view, tmp_path / "small.png", max_nodes=5).shown == 5
    export_view(risk_view, "graphml", tmp_path / "all.graphml", max_nodes=5)
    assert nx.read_graphml(tmp_path / "all.graphml").number_of_nodes() == risk_view.number_of_nodes()


def test_html_view_is_self_contained_and_carries_the_attributes(risk_view: Any, tmp_path: Path) -> None:
    path = tmp_path / "view.html"
    export_view(risk_view, "html", path)
    text = path.read_text(encoding="utf-8")
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)=', text)
    payload = re.search(r'<script type="application/json" id="view-data">(.*?)</script>', text, re.S)
    assert payload is not None
    data = json.loads(payload.group(1))
    assert {n["id"] for n in data["nodes"]} == set(risk_view.nodes)
    assert len(data["edges"]) == risk_view.number_of_edges()
    assert "addEventListener('click'" in text and "addEventListener('wheel'" in text


class _DevTools:
    """Chrome DevTools Protocol over ``--remote-debugging-pipe`` (fd 3 in, fd 4 out): enough
    to open a page, run JavaScript, click with real mouse events and take a screenshot,
    without a driver package."""

    def __init__(self, exe: str, profile: Path) -> None:
        import os
        import subprocess

        cmd_r, cmd_w = os.pipe()
        res_r, res_w = os.pipe()

        def wire() -> None:
            os.dup2(cmd_r, 3)
            os.dup2(res_w, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             f"--user-data-dir={profile}", "--window-size=1200,900", "about:blank"],
            preexec_fn=wire, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(res_w)
        self.out, self.inp, self.count, self.buffer = cmd_w, res_r, 0, b""
        self.session: str | None = None

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True) -> Any:
        import os
        import select

        self.count += 1
        message: dict[str, Any] = {"id": self.count, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                ready, _, _ = select.select([self.inp], [], [], 30)
                assert ready, f"Chromium did not answer {method}"
                chunk = os.read(self.inp, 1 << 16)
                assert chunk, "Chromium closed the pipe"
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.count:
                assert "error" not in reply, reply["error"]
                return reply["result"]

    def evaluate(self, expression: str) -> Any:
        return self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})["result"].get("value")

    def open(self, url: str) -> None:
        import time

        target = self.send("Target.createTarget", {"url": url}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for _ in range(100):
            if self.evaluate("document.readyState + ' ' + location.protocol") == "complete file:":
                return
            time.sleep(0.1)
        raise AssertionError(f"{url} did not load")

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def close(self) -> None:
        import os

        try:
            self.send("Browser.close", session=False)
        finally:
            os.close(self.out)
            os.close(self.inp)
            self.proc.wait(timeout=20)


# the first node of a type whose circle is on top at its centre, as [index, x, y]
_PICK_NODE = """(() => {
  const data = JSON.parse(document.getElementById('view-data').textContent);
  for (const g of document.querySelectorAll('[data-node]')) {
    if (data.nodes[+g.dataset.node].type !== TYPE) continue;
    const r = g.querySelector('circle').getBoundingClientRect();
    const x = r.x + r.width / 2, y = r.y + r.height / 2;
    const hit = document.elementFromPoint(x, y);
    if (hit && hit.closest('[data-node]') === g) return [+g.dataset.node, x, y];
  }
  return null;
})()"""


def test_html_click_in_headless_chromium_shows_attributes_and_evidence(store: Store, tmp_path: Path) -> None:
    import base64

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("headless Chromium is not installed: the HTML click test needs it")
    graph = build_view(store, "document", {"document": "rmp_solarista_v1.txt"}, lang="ja")
    page = tmp_path / "document.html"
    export_view(graph, "html", page)
    browser = _DevTools(exe, tmp_path / "profile")
    try:
        browser.open(page.as_uri())
        picked = browser.evaluate(_PICK_NODE.replace("TYPE", "'SafetyConcern'"))
        assert picked is not None, "no clickable safety-concern node"
        index, x, y = picked
        node_id = browser.evaluate(f"JSON.parse(document.getElementById('view-data').textContent).nodes[{index}].id")
        browser.click(x, y)
        panel = browser.evaluate("document.getElementById('attributes').textContent")
        shot = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"})["data"])
    finally:
        browser.close()
    (tmp_path / "html-view-clicked.png").write_bytes(shot)  # the screenshot, kept as a test artifact
    data = graph.nodes[node_id]
    assert data["type"] == "SafetyConcern" and data["evidence"]
    for value in (node_id, data["label_ja"], data["evidence"], data["documents"]):
        assert value in panel
    assert _pixels(tmp_path / "html-view-clicked.png").std() > 5


# ---------------------------------------------------------------------------- CLI

def test_cli_lists_views_and_exports(store: Store, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from extract.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["views"])
    assert listed.exit_code == 0 and "product-risk" in listed.output
    out = tmp_path / "risk.graphml"
    done = runner.invoke(app, ["export-view", "product-risk", "--format", "graphml", "-o", str(out),
                               "--lang", "ja", "--store", str(store.path)])
    assert done.exit_code == 0, done.output
    assert nx.read_graphml(out).number_of_nodes() > 0


@pytest.mark.parametrize("args", [
    ["export-view", "product-risk", "--format", "pdf", "-o", "x.pdf"],
    ["export-view", "nope", "--format", "png", "-o", "x.png"],
    ["export-view", "product", "--format", "png", "-o", "x.png"],
    ["export-view", "product-risk", "--format", "png", "-o", "x.png", "--lang", "fr"],
    ["export-view", "product-risk", "--format", "png", "-o", "x.png", "--param", "novalue"],
])
def test_cli_usage_errors_exit_2(store: Store, tmp_path: Path, args: list[str]) -> None:
    from typer.testing import CliRunner

    from extract.cli import app

    result = CliRunner().invoke(app, args + ["--store", str(store.path)])
    assert result.exit_code == 2


def test_every_format_is_known() -> None:
    assert FORMATS == ("graphml", "gexf", "cyjs", "csv", "dot", "png", "svg", "html")
