"""Graph views for analysts: ``ontology/views/*.rq`` turned into networkx graphs and exported.

A view is a named SELECT query (same header format and safe parameter binding as
``ontology/queries``) whose rows are edges: ``source``, ``target``, ``relation`` and optionally
``category``, ``document``, ``page``, ``evidence`` and ``targetType`` (for a literal target
such as an endpoint written as text). Rows naming the same edge in several documents are merged
into one edge whose ``documents`` attribute lists them all, so a concept two products name is
one node and a fact stated twice is one edge.

Node and edge attributes are scalar and named the same in every format (GraphML, GEXF, Cytoscape
JSON, CSV, DOT): ``type``, ``label_en``, ``label_ja``, ``label`` (the chosen language, falling
back to the other), ``category``, ``documents`` (``;``-joined document IRIs), ``page`` (integer,
only where known) and ``evidence``; edges also carry ``relation``.

Pictures (PNG, SVG, HTML) show at most ``max_nodes`` nodes, the most connected ones, and say
in their title how many they left out; the file formats always hold the whole view.
"""

from __future__ import annotations

import csv
import functools
import html
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from extract.queries import NamedQuery, bind_params, inline_bindings, load_queries
from extract.resources import ontology_dir

FORMATS = ("graphml", "gexf", "cyjs", "csv", "dot", "png", "svg", "html")
PICTURE_FORMATS = ("png", "svg", "html")  # the formats --max-nodes limits
DEFAULT_MAX_NODES = 150
# Fonts that carry Japanese glyphs, best first (file names as Debian installs them).
CJK_FONT_HINTS = ("ipaexg", "ipaexm", "ipag", "notosanscjk", "notoserifcjk", "notosansjp", "takao", "vl-gothic")
_NODE_KEYS = ("type", "label_en", "label_ja", "label", "category", "documents", "evidence")
_EDGE_KEYS = ("relation", "category", "documents", "evidence")
_LABEL_PROPS = ("skos:prefLabel", "rdfs:label", "yk:text", "dct:title", "yk:studyIdentifier")
_CHUNK = 200


@dataclass(frozen=True, slots=True)
class PictureInfo:
    """What a picture shows: ``shown`` of ``total`` nodes (the rest left out)."""

    shown: int
    total: int

    @property
    def left_out(self) -> int:
        return self.total - self.shown

    def caption(self) -> str:
        if not self.left_out:
            return f"{self.total} nodes"
        return f"showing the {self.shown} most connected of {self.total} nodes ({self.left_out} left out)"


def load_views(folder: Path | None = None) -> dict[str, NamedQuery]:
    """The views by name, parsed with the named-query header parser."""
    return load_queries(folder or ontology_dir() / "views")


# ---------------------------------------------------------------------------- building

def local_name(iri: str) -> str:
    """``…/ontology#ImportantIdentifiedRisk`` -> ``ImportantIdentifiedRisk``."""
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def _text(term: Any) -> str:
    return "" if term is None else str(term.value)


def _is_iri(term: Any) -> bool:
    return type(term).__name__ == "NamedNode"


def _literal_node_id(kind: str, text: str) -> str:
    """A stable id for a node that is text in the graph (an endpoint as written)."""
    return f"{kind.lower()}:{text}"


def build_view(store: Any, name: str, params: dict[str, str] | None = None, *, lang: str = "en",
               views: dict[str, NamedQuery] | None = None) -> Any:
    """Run view ``name`` on the store and return a ``networkx.MultiDiGraph``.

    Raises ValueError for an unknown view or bad parameters (the CLI turns it into a usage error).
    """
    import networkx as nx

    views = views if views is not None else load_views()
    if name not in views:
        raise ValueError(f"no view {name!r}; one of {', '.join(sorted(views))}")
    view = views[name]
    rows = store.select(inline_bindings(view.text, bind_params(view, params or {})))
    graph = nx.MultiDiGraph(name=name, title=view.title_en, title_ja=view.title_ja, lang=lang)
    literal_nodes: dict[str, dict[str, str]] = {}
    edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for row in rows:
        if "source" not in row or "target" not in row or "relation" not in row:
            continue
        source = _text(row["source"])
        target_term = row["target"]
        if _is_iri(target_term):
            target = _text(target_term)
        else:
            kind = _text(row.get("targetType")) or "Literal"
            target = _literal_node_id(kind, _text(target_term))
            literal_nodes[target] = _literal_attrs(kind, target_term)
        relation = _attr_value(row["relation"])
        category = _attr_value(row.get("category")) or relation
        edge = edges.setdefault((source, target, relation, category),
                                {"documents": set(), "pages": set(), "evidence": []})
        if row.get("document") is not None:
            edge["documents"].add(_text(row["document"]))
        page = _int_or_none(row.get("page"))
        if page is not None:
            edge["pages"].add(page)
        evidence = _text(row.get("evidence"))
        if evidence and evidence not in edge["evidence"]:
            edge["evidence"].append(evidence)
    iri_nodes = sorted({n for key in edges for n in key[:2]} - set(literal_nodes))
    attrs = node_attributes(store, iri_nodes)
    attrs.update(literal_nodes)
    _documents_from_edges(attrs, edges)
    for node_id in sorted(attrs):
        data = attrs[node_id]
        data["label"] = choose_label(data, lang, node_id)
        graph.add_node(node_id, **data)
    for (source, target, relation, category), edge in sorted(edges.items()):
        data = {"relation": relation, "category": category, "label": relation,
                "documents": ";".join(sorted(edge["documents"])),
                "evidence": " | ".join(edge["evidence"])}
        if edge["pages"]:
            data["page"] = min(edge["pages"])
        graph.add_edge(source, target, key=f"{relation}|{category}", **data)
    return graph


def _documents_from_edges(attrs: dict[str, dict[str, Any]],
                          edges: dict[tuple[str, str, str, str], dict[str, Any]]) -> None:
    """A shared node (a concept, an endpoint) has no document of its own: list the documents
    of the edges that reach it, so every node says where it was seen."""
    seen: dict[str, set[str]] = {}
    for (source, target, _, _), edge in edges.items():
        for node in (source, target):
            seen.setdefault(node, set()).update(edge["documents"])
    for node, data in attrs.items():
        if not data.get("documents") and seen.get(node):
            data["documents"] = ";".join(sorted(seen[node]))


def _attr_value(term: Any) -> str:
    """An attribute value: IRIs by their local name (``ImportantIdentifiedRisk``), text as is."""
    if term is None:
        return ""
    return local_name(term.value) if _is_iri(term) else str(term.value)


def _int_or_none(term: Any) -> int | None:
    """``yk:page`` is an ``xsd:integer``; anything else is not a page number."""
    if term is None or not re.fullmatch(r"\d+", str(term.value)):
        return None
    return int(term.value)


def _literal_attrs(kind: str, term: Any) -> dict[str, str]:
    text = _text(term)
    language = getattr(term, "language", None)
    return {"type": kind, "label_en": text if language != "ja" else "",
            "label_ja": text if language in ("ja", None) else "", "category": "",
            "documents": "", "evidence": ""}


def choose_label(data: dict[str, Any], lang: str, node_id: str) -> str:
    """The label in ``lang``, else the other language, else the IRI's local name."""
    other = "ja" if lang == "en" else "en"
    return str(data.get(f"label_{lang}") or data.get(f"label_{other}") or local_name(node_id))


def node_attributes(store: Any, iris: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Type, labels, category, documents, page and evidence of each node, read in chunks."""
    iris = list(iris)
    out: dict[str, dict[str, Any]] = {iri: {"type": "", "label_en": "", "label_ja": "", "category": "",
                                            "documents": "", "evidence": ""} for iri in iris}
    for start in range(0, len(iris), _CHUNK):
        chunk = iris[start:start + _CHUNK]
        values = " ".join(f"<{iri}>" for iri in chunk if ">" not in iri and " " not in iri)
        _fill_types(store, values, out)
        _fill_labels(store, values, out)
        _fill_provenance(store, values, out)
    return out


def _fill_types(store: Any, values: str, out: dict[str, dict[str, Any]]) -> None:
    """The most specific yk: class (a review report is ``ReviewReport``, not ``SourceDocument``)."""
    rows = store.select(f"SELECT DISTINCT ?n ?t WHERE {{ VALUES ?n {{ {values} }} ?n a ?t "
                        f"FILTER(STRSTARTS(STR(?t), STR(yk:))) }}")
    found: dict[str, set[str]] = {}
    for r in rows:
        found.setdefault(r["n"].value, set()).add(local_name(r["t"].value))
    for iri, types in found.items():
        specific = sorted(types - {"SourceDocument"}) or sorted(types)
        out[iri]["type"] = specific[0]


def _fill_labels(store: Any, values: str, out: dict[str, dict[str, Any]]) -> None:
    """English and Japanese labels by property preference; untagged text serves both."""
    props = " ".join(f"({p} {i})" for i, p in enumerate(_LABEL_PROPS))
    rows = store.select(f"SELECT DISTINCT ?n ?rank ?l WHERE {{ VALUES ?n {{ {values} }} "
                        f"VALUES (?p ?rank) {{ {props} }} ?n ?p ?l FILTER(isLiteral(?l)) }}")
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for r in rows:
        language = r["l"].language or ""
        for lang in (("en", "ja") if language == "" else (language,)):
            rank = (int(r["rank"].value) * 2 + (1 if language == "" else 0), r["l"].value)
            key = (r["n"].value, lang)
            if key not in best or rank < best[key]:
                best[key] = rank
    for (iri, lang), (_, label) in best.items():
        if lang in ("en", "ja"):
            out[iri][f"label_{lang}"] = label
    _fill_result_labels(store, values, out)


def _fill_result_labels(store: Any, values: str, out: dict[str, dict[str, Any]]) -> None:
    """Results have no label of their own: ``ORR 73.4 %`` (arm) from their values."""
    rows = store.select(f"SELECT ?n (SAMPLE(?e) AS ?ep) (SAMPLE(?v) AS ?val) (SAMPLE(?u) AS ?unit) "
                        f"(SAMPLE(?a) AS ?arm) WHERE {{ VALUES ?n {{ {values} }} ?n yk:endpoint ?e "
                        f"OPTIONAL {{ ?n yk:value ?v }} OPTIONAL {{ ?n yk:unit ?u }} OPTIONAL {{ ?n yk:arm ?a }} }} "
                        f"GROUP BY ?n")
    for r in rows:
        parts = [_text(r.get("ep")), _text(r.get("val")), _text(r.get("unit"))]
        label = " ".join(p for p in parts if p)
        if r.get("arm") is not None:
            label += f" ({_text(r['arm'])})"
        data = out[r["n"].value]
        data["label_en"] = data["label_en"] or label
        data["label_ja"] = data["label_ja"] or label


def _fill_provenance(store: Any, values: str, out: dict[str, dict[str, Any]]) -> None:
    rows = store.select(f"SELECT ?n (GROUP_CONCAT(DISTINCT STR(?d); separator=';') AS ?docs) "
                        f"(MIN(?pg) AS ?page) (SAMPLE(?ev) AS ?evidence) (SAMPLE(?c) AS ?category) "
                        f"WHERE {{ VALUES ?n {{ {values} }} "
                        f"OPTIONAL {{ ?n prov:wasDerivedFrom ?d }} OPTIONAL {{ ?n yk:page ?pg }} "
                        f"OPTIONAL {{ ?n yk:evidenceText ?ev }} "
                        f"OPTIONAL {{ ?n yk:concernCategory|yk:requirementKind|yk:activityScope|yk:conceptType ?c }} }} "
                        f"GROUP BY ?n")
    for r in rows:
        data = out[r["n"].value]
        data["documents"] = ";".join(sorted(d for d in _text(r.get("docs")).split(";") if d))
        data["evidence"] = _text(r.get("evidence"))
        data["category"] = _attr_value(r.get("category"))
        page = _int_or_none(r.get("page"))
        if page is not None:
            data["page"] = page


# ---------------------------------------------------------------------------- exporting

def export_view(graph: Any, fmt: str, output: Path, *, max_nodes: int = DEFAULT_MAX_NODES,
                font_path: str | None = None) -> list[Path]:
    """Write ``graph`` as ``fmt``; returns the files written (CSV writes two)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    output = Path(output)
    if fmt == "csv":
        return write_csv(graph, output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        import networkx as nx

        nx.write_graphml(_scalar_copy(graph), output)
    elif fmt == "gexf":
        import networkx as nx

        nx.write_gexf(_scalar_copy(graph), output)
    elif fmt == "cyjs":
        output.write_text(json.dumps(cytoscape_json(graph), ensure_ascii=False, indent=1), encoding="utf-8")
    elif fmt == "dot":
        output.write_text(to_dot(graph), encoding="utf-8")
    elif fmt == "html":
        output.write_text(to_html(graph, max_nodes=max_nodes), encoding="utf-8")
    else:
        draw(graph, output, fmt=fmt, max_nodes=max_nodes, font_path=font_path)
    return [output]


def _scalar_copy(graph: Any) -> Any:
    """Graph-level attributes of a writer must be scalars; node/edge ones already are."""
    copy = graph.copy()
    copy.graph = {k: v for k, v in graph.graph.items() if isinstance(v, (str, int, float, bool))}
    return copy


def cytoscape_json(graph: Any) -> dict[str, Any]:
    """``{"data": …, "elements": {"nodes": [{"data": {"id": …}}], "edges": [...]}}``."""
    import networkx as nx

    data = nx.cytoscape_data(graph)
    for i, edge in enumerate(data["elements"]["edges"]):
        edge["data"].setdefault("id", f"e{i}")
    return data


def csv_paths(output: Path) -> tuple[Path, Path]:
    """A directory (existing, or named without a suffix) gets ``nodes.csv``/``edges.csv``;
    a file path gives ``<stem>_nodes.csv``/``<stem>_edges.csv`` beside it."""
    if output.is_dir() or not output.suffix:
        return output / "nodes.csv", output / "edges.csv"
    return output.with_name(f"{output.stem}_nodes.csv"), output.with_name(f"{output.stem}_edges.csv")


def write_csv(graph: Any, output: Path) -> list[Path]:
    """UTF-8 with a byte-order mark, so spreadsheets read the Japanese labels right."""
    nodes_path, edges_path = csv_paths(output)
    nodes_path.parent.mkdir(parents=True, exist_ok=True)
    with nodes_path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("id", *_NODE_KEYS, "page"))
        for node, data in graph.nodes(data=True):
            w.writerow((node, *(data.get(k, "") for k in _NODE_KEYS), data.get("page", "")))
    with edges_path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("source", "target", *_EDGE_KEYS, "page"))
        for source, target, data in graph.edges(data=True):
            w.writerow((source, target, *(data.get(k, "") for k in _EDGE_KEYS), data.get("page", "")))
    return [nodes_path, edges_path]


def _dot_quote(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{text}"'


def _dot_attrs(data: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_dot_quote(v)}" for k, v in sorted(data.items()) if v != "")


def to_dot(graph: Any) -> str:
    """Graphviz DOT text, written directly (no pydot needed); labels in the chosen language."""
    lines = [f"digraph {_dot_quote(graph.graph.get('name', 'view'))} {{",
             f"  graph [label={_dot_quote(graph.graph.get('title', ''))}, fontname=\"IPAexGothic\"];",
             '  node [shape=box, style=rounded, fontname="IPAexGothic"];',
             '  edge [fontname="IPAexGothic", fontsize=9];']
    for node, data in graph.nodes(data=True):
        lines.append(f"  {_dot_quote(node)} [{_dot_attrs(data)}];")
    for source, target, data in graph.edges(data=True):
        lines.append(f"  {_dot_quote(source)} -> {_dot_quote(target)} [{_dot_attrs(data)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- pictures

def most_connected(graph: Any, max_nodes: int) -> tuple[Any, PictureInfo]:
    """The subgraph of the ``max_nodes`` nodes of highest degree (ties by id)."""
    total = graph.number_of_nodes()
    if total <= max_nodes:
        return graph, PictureInfo(total, total)
    ranked = sorted(graph.nodes, key=lambda n: (-graph.degree(n), n))[:max_nodes]
    return graph.subgraph(ranked).copy(), PictureInfo(max_nodes, total)


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """A font file with Japanese glyphs (IPAex, Noto CJK, …) among the system fonts."""
    from matplotlib import font_manager

    fonts = sorted(font_manager.findSystemFonts())
    for hint in CJK_FONT_HINTS:
        for path in fonts:
            if hint in Path(path).name.lower().replace("-", "").replace("_", ""):
                return path
    return None


def _layout(graph: Any) -> dict[str, tuple[float, float]]:
    """A spring layout, seeded so the same view gives the same picture."""
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return {}
    k = 2.0 / math.sqrt(max(graph.number_of_nodes(), 1))
    pos = nx.spring_layout(nx.Graph(graph), seed=7, k=k, iterations=100)
    return {n: (float(x), float(y)) for n, (x, y) in pos.items()}


def _palette(keys: Iterable[str], cmap: str) -> dict[str, Any]:
    """A colour per key; a qualitative map with more colours when the first runs out."""
    from matplotlib import colormaps

    keys = sorted(set(keys))
    colours = colormaps[cmap]
    if len(keys) > colours.N:
        colours = colormaps["tab20"]
    return {key: colours(i % colours.N) for i, key in enumerate(keys)}


def picture_size(n_nodes: int) -> tuple[int, int]:
    """Pixels (width, height) of a picture of ``n_nodes`` nodes, at 100 dpi."""
    side = int(min(24, max(10, 2.2 * math.sqrt(max(n_nodes, 1)))) * 100)
    return side + 300, side


def view_title(graph: Any) -> str:
    """The view's title in the graph's language, falling back to English."""
    if graph.graph.get("lang") == "ja" and graph.graph.get("title_ja"):
        return str(graph.graph["title_ja"])
    return str(graph.graph.get("title") or graph.graph.get("name", "view"))


def _short(text: str, limit: int = 28) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def draw(graph: Any, output: Path, *, fmt: str = "png", max_nodes: int = DEFAULT_MAX_NODES,
         font_path: str | None = None) -> PictureInfo:
    """PNG or SVG with matplotlib: nodes coloured by type, edges by category, a legend, and
    a title that says how many nodes were left out. ``font_path`` overrides the CJK font."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    sub, info = most_connected(graph, max_nodes)
    font_path = font_path or find_cjk_font()
    family = "sans-serif"
    if font_path:
        font_manager.fontManager.addfont(font_path)
        family = font_manager.FontProperties(fname=font_path).get_name()
    width, height = picture_size(sub.number_of_nodes())
    fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
    ax = fig.add_axes((0.0, 0.0, (width - 300) / width, 0.94))
    ax.set_axis_off()
    ax.margins(0.12)
    pos = _layout(sub)
    node_colours = _palette((d.get("type", "") for _, d in sub.nodes(data=True)), "tab10")
    edge_colours = _palette((d.get("category", "") for _, _, d in sub.edges(data=True)), "Dark2")
    if sub.number_of_edges():
        segments = [(pos[u], pos[v]) for u, v, _ in sub.edges(data=True)]
        colours = [edge_colours[d.get("category", "")] for _, _, d in sub.edges(data=True)]
        ax.add_collection(LineCollection(segments, colors=colours, linewidths=1.0, alpha=0.7, zorder=1))
    for kind, colour in node_colours.items():
        members = [n for n, d in sub.nodes(data=True) if d.get("type", "") == kind]
        ax.scatter([pos[n][0] for n in members], [pos[n][1] for n in members],
                   s=[120 + 30 * min(sub.degree(n), 20) for n in members], color=colour,
                   edgecolors="white", zorder=2)
    for node, data in sub.nodes(data=True):
        x, y = pos[node]
        ax.text(x, y - 0.035, _short(str(data.get("label", ""))), fontsize=8, family=family,
                ha="center", va="top", zorder=3)
    title = f"{view_title(graph)} — {info.caption()}"
    fig.suptitle(title, fontsize=11, family=family)
    handles = [Patch(color=c, label=t or "(untyped)") for t, c in node_colours.items()]
    handles += [Line2D([0], [0], color=c, label=k or "(none)") for k, c in edge_colours.items()]
    if handles:
        fig.legend(handles=handles, loc="upper right", fontsize=8, frameon=False,
                   prop={"family": family, "size": 8}, title="node type / edge category")
    fig.savefig(output, format=fmt, dpi=100)
    plt.close(fig)
    return info


# ---------------------------------------------------------------------------- HTML

_HTML_SCRIPT = """
const data = JSON.parse(document.getElementById('view-data').textContent);
const svg = document.getElementById('view');
const panel = document.getElementById('attributes');
let box = svg.viewBox.baseVal; let drag = null;
svg.addEventListener('wheel', ev => {
  ev.preventDefault();
  const f = ev.deltaY < 0 ? 0.85 : 1 / 0.85;
  const r = svg.getBoundingClientRect();
  const mx = box.x + (ev.clientX - r.left) / r.width * box.width;
  const my = box.y + (ev.clientY - r.top) / r.height * box.height;
  box.x = mx - (mx - box.x) * f; box.y = my - (my - box.y) * f;
  box.width *= f; box.height *= f;
}, {passive: false});
svg.addEventListener('mousedown', ev => { drag = {x: ev.clientX, y: ev.clientY}; });
window.addEventListener('mouseup', () => { drag = null; });
window.addEventListener('mousemove', ev => {
  if (!drag) return;
  const r = svg.getBoundingClientRect();
  box.x -= (ev.clientX - drag.x) / r.width * box.width;
  box.y -= (ev.clientY - drag.y) / r.height * box.height;
  drag = {x: ev.clientX, y: ev.clientY};
});
function show(title, attrs) {
  panel.replaceChildren();
  const h = document.createElement('h2'); h.textContent = title; panel.appendChild(h);
  const table = document.createElement('table');
  for (const [k, v] of Object.entries(attrs)) {
    if (v === '' || v === null || v === undefined) continue;
    const tr = document.createElement('tr');
    const th = document.createElement('th'); th.textContent = k;
    const td = document.createElement('td'); td.textContent = String(v);
    tr.append(th, td); table.appendChild(tr);
  }
  panel.appendChild(table);
}
svg.addEventListener('click', ev => {
  const el = ev.target.closest('[data-node],[data-edge]');
  if (!el) return;
  if (el.dataset.node !== undefined) {
    const n = data.nodes[+el.dataset.node]; show(n.label || n.id, n);
  } else {
    const e = data.edges[+el.dataset.edge]; show(e.relation, e);
  }
});
"""

_HTML_STYLE = """
body { margin: 0; font-family: 'IPAexGothic', 'Noto Sans CJK JP', sans-serif; display: flex; height: 100vh; }
#pane { flex: 1; display: flex; flex-direction: column; }
#view { flex: 1; cursor: grab; background: #fff; }
#attributes { width: 26em; overflow: auto; padding: 0 1em; border-left: 1px solid #ccc; font-size: 13px; }
#attributes th { text-align: left; vertical-align: top; padding-right: .5em; }
#attributes td { word-break: break-all; }
.legend span { margin-right: 1em; white-space: nowrap; }
[data-node], [data-edge] { cursor: pointer; }
"""


def _hex(colour: Any) -> str:
    r, g, b = (int(round(c * 255)) for c in colour[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def to_html(graph: Any, *, max_nodes: int = DEFAULT_MAX_NODES) -> str:
    """One offline HTML file: inline SVG drawn from the layout, a legend, pan (drag), zoom
    (wheel) and a panel that shows a clicked node's or edge's attributes and evidence."""
    sub, info = most_connected(graph, max_nodes)
    pos = _layout(sub)
    scale = 300 + 60 * math.sqrt(max(sub.number_of_nodes(), 1))
    font, radius = 12, 6
    node_colours = {k: _hex(c) for k, c in _palette((d.get("type", "") for _, d in sub.nodes(data=True)), "tab10").items()}
    edge_colours = {k: _hex(c) for k, c in _palette((d.get("category", "") for _, _, d in sub.edges(data=True)), "Dark2").items()}
    index = {n: i for i, n in enumerate(sub.nodes)}
    nodes = [{"id": n, **d} for n, d in sub.nodes(data=True)]
    edges = [{"source": s, "target": t, **d} for s, t, d in sub.edges(data=True)]
    xy = {n: (x * scale, -y * scale) for n, (x, y) in pos.items()}
    parts = []
    for i, (s, t, d) in enumerate(sub.edges(data=True)):
        (x1, y1), (x2, y2) = xy[s], xy[t]
        parts.append(f'<line data-edge="{i}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'stroke="{edge_colours[d.get("category", "")]}" stroke-width="1.5">'
                     f'<title>{html.escape(str(d.get("relation", "")))}</title></line>')
    for n, d in sub.nodes(data=True):
        x, y = xy[n]
        label = html.escape(_short(str(d.get("label", ""))))
        parts.append(f'<g data-node="{index[n]}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" '
                     f'fill="{node_colours[d.get("type", "")]}" stroke="#fff"/>'
                     f'<text x="{x:.1f}" y="{y + radius + font:.1f}" font-size="{font}" '
                     f'text-anchor="middle">{label}</text></g>')
    xs = [x for x, _ in xy.values()] or [0.0]
    ys = [y for _, y in xy.values()] or [0.0]
    pad = 8 * font
    view_box = f"{min(xs) - pad:.1f} {min(ys) - pad:.1f} {max(xs) - min(xs) + 2 * pad:.1f} {max(ys) - min(ys) + 2 * pad:.1f}"
    legend = "".join(f'<span style="color:{c}">● {html.escape(k or "(untyped)")}</span>' for k, c in node_colours.items())
    legend += "".join(f'<span style="color:{c}">— {html.escape(k or "(none)")}</span>' for k, c in edge_colours.items())
    payload = json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False).replace("</", "<\\/")
    title = html.escape(f"{view_title(graph)} — {info.caption()}")
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(str(graph.graph.get("lang", "en")))}"><head>'
            f'<meta charset="utf-8"><title>{title}</title><style>{_HTML_STYLE}</style></head><body>'
            f'<div id="pane"><h1 style="font-size:16px;margin:.5em">{title}</h1>'
            f'<div class="legend" style="margin:0 .5em;font-size:12px">{legend}</div>'
            f'<svg id="view" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="{view_box}">{"".join(parts)}</svg></div>'
            f'<div id="attributes"><p>Click a node or an edge to see its attributes and evidence. '
            f'Drag to pan, scroll to zoom.</p></div>'
            f'<script type="application/json" id="view-data">{payload}</script>'
            f'<script>{_HTML_SCRIPT}</script></body></html>\n')
