"""The pages of ``yakuji serve``: search, products, concepts, studies, substances, documents,
the RMP diff and page images. Each is a function of the store (read with SPARQL,
``extract.web.graph``) and the request; ``render`` picks one by path and runs in a query worker,
so a page is bound by the same time limit as any query and never touches the store's files.

Pages that list the whole store (search, the product and document lists, the RMP diff's choice
of versions) read the worker's ``StoreIndex`` instead of querying every document each time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlencode

from extract.serve import Reply
from extract.web import html as h
from extract.web.graph import (CITED, ID, YK, DocRef, Node, doc_ref, entity_iri, iri_term, iris_of, key_of, label,
                               nodes, pointed_at, select, values_block)
from extract.web.html import Child, Context, Markup, tag, text_in, word
from extract.web.index import DocumentEntry, StoreIndex
from extract.web.statements import (ACTIVITY_HEAD, INCIDENCE_HEAD, MODIFICATION_HEAD, REGIMEN_HEAD, RESULT_HEAD,
                                    RULE_HEAD, View, activity_cells, compact_text, difference_section,
                                    doc_link, incidence_cells, kind_name, literal, merge, modification_cells,
                                    ordered, regimen_cells, result_cells, rule_cells, section, statement_table,
                                    summary)

PAGE_SIZE = 100
INDEX_PATHS = ("/search", "/api/search", "/products", "/documents", "/diff")
_KEY = re.compile(r"^[\w.~-]+$")  # the last segment of a document IRI (its SHA-256 for every ingested file)


class NotFound(Exception):
    pass


HTML = "text/html; charset=utf-8"


def route(path: str) -> str | None:
    """Which worker answers ``path``: "index" (pages over the whole store), "page", or None
    (not a page)."""
    if path in INDEX_PATHS:
        return "index"
    if (re.match(r"^/(product|concept|study|substance|document)/[^/]+$", path) or path.startswith("/page-image/")
            or path == "/diff/report"):
        return "page"
    return None


def render(store: Any, job: dict[str, Any], index: StoreIndex | None) -> Reply:
    """One page for a job ``{"path", "params", "lang", "pdf_dirs"}``."""
    params = tuple((k, v) for k, v in job.get("params", {}).items() if k != "lang")
    ctx = Context(job.get("lang", "en"), job["path"], params)
    args = dict(params)
    path = ctx.path
    try:
        if path.startswith("/page-image/"):
            from extract.web.pdfpage import page_image

            return page_image(store, path, args, tuple(job.get("pdf_dirs", ())))
        if path == "/api/search":
            return search_json(_index(index), args, ctx.lang)
        if path == "/diff/report":
            return diff_report(store, args)
        pages: dict[str, Callable[..., bytes]] = {
            "/search": lambda: search_page(_index(index), ctx, args.get("q", "")),
            "/products": lambda: products_page(_index(index), ctx, args),
            "/documents": lambda: documents_page(_index(index), ctx, args),
            "/diff": lambda: diff_page(store, _index(index), ctx, args),
        }
        if path in pages:
            return Reply(200, HTML, pages[path]())
        kind, key = path.strip("/").split("/", 1)
        entity_pages = {"product": product_page, "concept": concept_page, "study": study_page,
                        "substance": substance_page, "document": document_page}
        return Reply(200, HTML, entity_pages[kind](store, ctx, key))
    except NotFound as exc:
        return Reply(404, HTML, h.page(ctx, word("not_found", ctx.lang),
                                          [tag("h1", word("not_found", ctx.lang)), tag("p", str(exc))]))
    except ValueError as exc:
        return Reply(400, HTML, h.page(ctx, "400", [tag("h1", "400"), tag("p", str(exc))]))


def _index(index: StoreIndex | None) -> StoreIndex:
    if index is None:
        raise RuntimeError("this page needs the store index (an index worker)")
    return index


def _progress(index: StoreIndex, lang: str) -> Markup | None:
    """A note while the index is still reading a large store for the first time."""
    p = index.progress
    if p.complete:
        return None
    total = "?" if p.graphs_total is None else f"{p.graphs_total:,}"
    text = (f"索引を作成中：{p.graphs_read:,} / {total} グラフ（一覧と検索は読み込み済みの文書のみ）" if lang == "ja"
            else f"Reading the store: {p.graphs_read:,} of {total} graphs so far (lists and search "
                 "show the documents read so far)")
    return tag("p", text, class_="notice", role="status")


# --------------------------------------------------------------------------- search


def search_json(index: StoreIndex, args: dict[str, str], lang: str) -> Reply:
    try:
        limit = max(1, min(int(args.get("limit", "10")), 50))
    except ValueError:
        limit = 10
    hits = index.search(args.get("q", ""), lang, limit)
    data = {"query": args.get("q", ""), "complete": index.progress.complete,
            "results": [{"kind": hit.kind, "iri": hit.iri, "href": f"/{hit.kind}/{key_of(hit.iri)}",
                         "label": hit.label.text, "lang": hit.label.lang,
                         "matched": hit.matched.text if hit.matched.text != hit.label.text else None,
                         "matchedLang": hit.matched.lang, "rank": ("exact", "prefix", "contains")[hit.rank]}
                        for hit in hits]}
    return Reply(200, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode())


def search_page(index: StoreIndex, ctx: Context, query: str) -> bytes:
    lang = ctx.lang
    hits = index.search(query, lang, 200)
    items = [tag("li", [tag("span", word(hit.kind, lang), class_="kind"), " ",
                        text_in(hit.label.text, hit.label.lang, lang, "a", href=f"/{hit.kind}/{key_of(hit.iri)}"),
                        [" ", tag("span", [f"{word('matched', lang)}: ",
                                           text_in(hit.matched.text, hit.matched.lang, lang)], class_="muted")]
                        if hit.matched.text != hit.label.text else None]) for hit in hits]
    body = [tag("h1", [word("results_for", lang), " ", tag("q", query)]), _progress(index, lang),
            tag("ol", items, class_="results") if items else tag("p", word("no_results", lang))]
    return h.page(ctx, f"{word('search', lang)}: {query}", body, query=query)


def products_page(index: StoreIndex, ctx: Context, args: dict[str, str]) -> bytes:
    lang = ctx.lang
    products = index.derived(("products", lang), lambda: sorted(
        (e for e in index.entities.values() if e.kind == "product" and e.in_documents),
        key=lambda e: e.label(lang).text))
    start, shown, pager = _paginate(products, args, ctx)
    items = []
    for e in shown:
        name = e.label(lang)
        others = sorted({n.text for n in e.names if n.preferred and n.text != name.text})
        items.append(tag("li", [text_in(name.text, name.lang, lang, "a", href=f"/product/{key_of(e.iri)}"),
                                tag("span", " · " + " · ".join(others), class_="muted") if others else None]))
    body = [tag("h1", word("products", lang)), tag("p", word("home_intro", lang), class_="muted"),
            _progress(index, lang), tag("ul", items, class_="columns"), pager]
    return h.page(ctx, word("products", lang), body)


def _paginate(items: list[Any], args: dict[str, str], ctx: Context) -> tuple[int, list[Any], Markup | None]:
    try:
        number = max(1, int(args.get("page", "1")))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    shown = items[start:start + PAGE_SIZE]
    if len(items) <= PAGE_SIZE:
        return start, shown, None
    lang = ctx.lang
    links = [tag("span", word("showing", lang, a=start + 1, b=start + len(shown), n=len(items)))]
    if number > 1:
        links.insert(0, tag("a", word("previous", lang), href=ctx.url_with(page=str(number - 1)), rel="prev"))
    if start + PAGE_SIZE < len(items):
        links.append(tag("a", word("next", lang), href=ctx.url_with(page=str(number + 1)), rel="next"))
    return start, shown, tag("nav", links, class_="pager", aria_label="pages")


# --------------------------------------------------------------------------- reading a page's nodes


def _view(store: Any, lang: str, iris: list[str], *, extra: tuple[str, ...] = (),
          read: dict[str, Node] | None = None) -> View:
    """The nodes of ``iris`` (all their properties; ``read``: those already read) and what is
    needed to name and cite everything they point at (entities, documents, categories)."""
    found = dict(read or {})
    found.update(nodes(store, [i for i in [*iris, *extra] if i not in found]))
    found.update(nodes(store, pointed_at(found.values()) - set(found), CITED))
    return View(lang, found)


def _facts(view: View, iris: list[str], kind: str | set[str]) -> list[Node]:
    kinds = {kind} if isinstance(kind, str) else kind
    return ordered(n for i in iris if (n := view.nodes.get(i)) is not None and n.types & kinds)


def _entity(store: Any, kind: str, key: str, cls: str) -> tuple[str, Node]:
    iri = entity_iri(kind, key)
    found = nodes(store, [iri]).get(iri)
    if found is None or cls not in found.types:
        raise NotFound(f"no {kind} {key!r} in the store")
    return iri, found


def _names_block(node: Node, lang: str) -> Markup:
    """Every name of an entity, by language."""
    names = []
    for pred in ("skos:prefLabel", "rdfs:label", "skos:altLabel", "yk:tradeName", "yk:studyIdentifier"):
        for v in node.all(pred):
            if (v.text, v.lang) not in names:
                names.append((v.text, v.lang))
    return tag("ul", [tag("li", text_in(t, lg, lang)) for t, lg in names], class_="names")


# --------------------------------------------------------------------------- product


_PRODUCT_FACTS = "SELECT DISTINCT ?x WHERE { ?x yk:product ?p }"
_PRODUCT_STUDIES = """SELECT DISTINCT ?s WHERE {
  { ?s yk:studiesProduct ?p } UNION { ?d yk:aboutProduct ?p . GRAPH ?d { ?r yk:study ?s } } }"""
_ABOUT = "SELECT DISTINCT ?d WHERE { ?d yk:aboutProduct ?p }"
# A product's studies can carry thousands of results and incidences (a review tabulates every
# event of every arm): the product page shows each study's first results and how many of each
# kind it has, and the study page shows them all.
_STUDY_COUNTS = "SELECT ?s ?t (COUNT(DISTINCT ?x) AS ?n) WHERE { {values} ?x yk:study ?s ; a ?t } GROUP BY ?s ?t"
_STUDY_RESULTS = "SELECT DISTINCT ?s ?x ?e WHERE { {values} ?x yk:study ?s ; a yk:EfficacyResult ; yk:endpoint ?e }"
STUDY_RESULTS = 8  # efficacy results per study on a product page
_ACTIVITY_KINDS = {"PharmacovigilanceActivity", "RiskMinimisationActivity", "EfficacyStudyActivity"}
_CATEGORIES = (("ImportantIdentifiedRisk", "category_identified"), ("ImportantPotentialRisk", "category_potential"),
               ("MissingInformation", "category_missing"))


def _bind(sparql: str, **iris: str) -> str:
    for var, iri in iris.items():
        sparql = re.sub(rf"\?{var}\b", lambda _m: iri_term(iri), sparql)
    return sparql


def product_page(store: Any, ctx: Context, key: str) -> bytes:
    from extract.consistency import product_differences

    lang = ctx.lang
    iri, product = _entity(store, "product", key, "MedicinalProduct")
    facts = iris_of(store, _bind(_PRODUCT_FACTS, p=iri))
    studies = iris_of(store, _bind(_PRODUCT_STUDIES, p=iri))
    counts: dict[str, dict[str, int]] = {}
    results: list[str] = []
    if studies:
        block = values_block("s", studies)
        for row in select(store, _STUDY_COUNTS.replace("{values}", block)):
            counts.setdefault(row["s"].text, {})[row["t"].text.removeprefix(YK)] = int(row["n"].text)
        by_study: dict[str, list[tuple[str, str]]] = {}
        for row in select(store, _STUDY_RESULTS.replace("{values}", block)):
            by_study.setdefault(row["s"].text, []).append((row["e"].text, row["x"].text))
        results = [x for found in by_study.values() for _, x in sorted(set(found))[:STUDY_RESULTS]]
    about = iris_of(store, _bind(_ABOUT, p=iri))
    kinds = {YK + t for has in counts.values() for t in has}
    view = _view(store, lang, [*facts, *results, *studies, *about], extra=(iri, *kinds))
    name = label(product, lang)
    english = label(product, "en").text
    view.differences = product_differences(store, iri, english)
    all_facts = [*facts, *results]
    shown: set[str] = set()

    def take(kind: str | set[str], keep: Callable[[Node], bool] = lambda n: True) -> list[Node]:
        found = [n for n in _facts(view, all_facts, kind) if keep(n)]
        shown.update(n.iri for n in found)
        return found

    parts = [
        tag("h1", [tag("span", word("product", lang), class_="kind"), " ", text_in(name.text, name.lang, lang)]),
        _product_header(product, view, about),
        _nav(lang, ["indications", "regimens", "dose_modifications", "warnings", "safety_concerns", "activities",
                    "studies", "adverse_reactions", "conditions", "management_rules", "differences"]),
        _indications(take("Indication"), view),
        _regimens(take("DosageRegimen"), view),
        _table_section("dose_modifications", MODIFICATION_HEAD, take("DoseModificationRule"), modification_cells, view),
        _requirements("warnings", take("UseRequirement", lambda n: n.text("yk:requirementKind") in
                                       ("warning", "contraindication")), view),
        _concerns(take("SafetyConcern"), view),
        _table_section("activities", ACTIVITY_HEAD, take(_ACTIVITY_KINDS), activity_cells, view),
        _studies(studies, take("EfficacyResult"), counts, view),
        _incidences(take("AdverseEventIncidence"), view),
        _conditions(take("ApprovalCondition"), take("UseRequirement"), view),
        _table_section("management_rules", RULE_HEAD, take("ManagementRule"), rule_cells, view),
        _others([i for i in all_facts if i not in shown], view),
        difference_section(view),
    ]
    return h.page(ctx, name.text, parts)


def _head(keys: tuple[str, ...], lang: str) -> list[str]:
    return [word(k, lang) for k in keys]


def _table_section(anchor: str, head: tuple[str, ...], found: list[Node], cells: Callable[[Node, View], list[Any]],
                   view: View) -> Markup:
    rows = merge(found, lambda n: cells(n, view))
    return section(anchor, word(anchor, view.lang), statement_table(_head(head, view.lang), rows, view), view.lang,
                   len(rows))


def _nav(lang: str, anchors: list[str]) -> Markup:
    return tag("nav", tag("ul", [tag("li", tag("a", word(a, lang), href=f"#{a}")) for a in anchors]),
               class_="toc", aria_label="sections")


def _product_header(product: Node, view: View, about: list[str]) -> Markup:
    lang = view.lang
    substances = product.iris("yk:hasActiveSubstance")
    holders = product.iris("yk:marketingAuthorisationHolder")
    brands = sorted({v.text for v in product.all("yk:tradeName")})
    ids = [(word("approval_number", lang), ", ".join(sorted(v.text for v in product.all("yk:approvalNumber")))),
           (word("approval_date", lang), ", ".join(sorted(v.text for v in product.all("yk:approvalDate")))),
           (word("therapeutic_category", lang), ", ".join(sorted(v.text for v in product.all("yk:therapeuticCategory")))),
           (word("reexamination", lang), ", ".join(sorted(v.text for v in product.all("yk:reexaminationYears"))))]
    docs = sorted((doc_ref(view.nodes[d]) for d in about if d in view.nodes), key=lambda d: (d.issued or "", d.file_name))
    rmps = [d for d in docs if d.kind == "RiskManagementPlan"]
    doc_items = [tag("li", [doc_link(d, lang), " ", tag("span", kind_name(d.kind, lang), class_="kind"), " ",
                            d.issued or ""]) for d in docs]
    diff_link = (tag("p", tag("a", word("compare_rmp", lang), href="/diff?" + urlencode({"product": key_of(product.iri)})))
                 if len(rmps) >= 2 else None)
    items = [(word("labels", lang), _names_block(product, lang)),
             (word("holder", lang), view.names(holders) if holders else None),
             (word("substances", lang), view.names(substances) if substances else None),
             (word("brands", lang), tag("ul", [tag("li", b) for b in brands]) if brands else None),
             *[(k, v) for k, v in ids if v],
             (word("about_documents", lang), [tag("ul", doc_items), diff_link] if docs else None)]
    return h.definition_list(items)


def _indications(found: list[Node], view: View) -> Markup:
    lang = view.lang
    rows = merge(found, lambda n: [literal(n, "yk:text", lang), view.name(next(iter(n.iris("yk:disease")), None))])
    return section("indications", word("indications", lang),
                   statement_table([word("statement", lang), word("concept", lang)], rows, view), lang, len(rows))


def _regimens(found: list[Node], view: View) -> Markup:
    """Regimens grouped by the indication they are for (by its disease, else its text)."""
    lang = view.lang
    groups: dict[str, tuple[Markup | str, list[Node]]] = {}
    for n in found:
        ind = view.node(next(iter(n.iris("yk:indication")), None))
        if ind is None:
            written = n.text("yk:indication")
            key, title = ("text:" + compact_text(written), written) if written else ("", word("all_indications", lang))
        else:
            disease = next(iter(ind.iris("yk:disease")), None)
            key = disease or "text:" + compact_text(ind.text("yk:text") or "")
            title = view.name(disease) if disease else literal(ind, "yk:text", lang)
        groups.setdefault(key, (title, []))[1].append(n)
    tables = [statement_table(_head(REGIMEN_HEAD, lang), merge(items, lambda n: regimen_cells(n, view)), view)
              for _, items in groups.values()]
    content = [[tag("h3", [word("regimens_for", lang), ": ", title]), table]
               for (title, _), table in zip(groups.values(), tables)]
    return section("regimens", word("regimens", lang), content, lang, len(found))


def _requirements(anchor: str, found: list[Node], view: View) -> Markup:
    lang = view.lang
    rows = merge(found, lambda n: [n.text("yk:requirementKind") or "", literal(n, "yk:text", lang)])
    return section(anchor, word(anchor, lang),
                   statement_table([word("kind", lang), word("statement", lang)], rows, view), lang, len(rows))


def _concerns(found: list[Node], view: View) -> Markup:
    """By category; each concern with the activities that address it."""
    lang = view.lang
    addressing: dict[str, list[Node]] = {}
    for n in view.nodes.values():
        if n.types & _ACTIVITY_KINDS:
            for c in n.iris("yk:addresses"):
                addressing.setdefault(c, []).append(n)
    content = []
    for category, key in _CATEGORIES:
        items = [n for n in found if YK + category in n.iris("yk:concernCategory")]
        if not items:
            continue

        def cells(n: Node) -> list[Any]:
            concept = next(iter(n.iris("yk:concept")), None)
            node = view.node(concept)
            same = node is not None and n.text("rdfs:label") in {v.text for v in node.all("rdfs:label")}
            return [view.name(concept) if concept else literal(n, "rdfs:label", lang),
                    None if same else literal(n, "rdfs:label", lang)]

        rows = merge(items, cells)
        for row in rows:
            acts = {(a.text("rdfs:label") or "", a.text("yk:status") or "") for f in row.facts
                    for a in addressing.get(f.iri, [])}
            row.cells.append(tag("ul", [tag("li", [label_, f" ({status})" if status else None])
                                        for label_, status in sorted(acts)]) if acts
                             else tag("span", word("no_activity", lang), class_="muted"))
        content.append([tag("h3", word(key, lang)),
                        statement_table([word("concept", lang), word("text", lang), word("addressed_by", lang)],
                                        rows, view)])
    return section("safety_concerns", word("safety_concerns", lang), content, lang, len(found))


def _studies(studies: list[str], results: list[Node], counts: dict[str, dict[str, int]], view: View) -> Markup:
    """Each study with its first efficacy results, and what else the study page has."""
    lang = view.lang
    content = []
    by_study: dict[str, list[Node]] = {}
    for r in results:
        by_study.setdefault(next(iter(r.iris("yk:study")), ""), []).append(r)
    for s in sorted(studies, key=lambda s: label(view.node(s), lang).text):
        node = view.node(s)
        if node is None:
            continue
        facts = [(word("phase", lang), node.text("yk:phase")), (word("enrollment", lang), node.text("yk:enrollment"))]
        aliases = sorted({v.text for v in node.all("skos:altLabel")} | {v.text for v in node.all("yk:studyIdentifier")})
        has = counts.get(s, {})
        more = [f"{n} {_kind_label(t, view)}" for t, n in sorted(has.items())]
        content.append(tag("article", [
            tag("h3", [view.name(s), tag("span", f" ({', '.join(aliases)})", class_="muted") if aliases else None]),
            tag("p", " · ".join(f"{k}: {v}" for k, v in facts if v)) if any(v for _, v in facts) else None,
            statement_table(_head(RESULT_HEAD, lang), merge(by_study.get(s, []), lambda n: result_cells(n, view)), view),
            tag("p", [tag("a", word("on_study_page", lang), href=f"/study/{key_of(s)}"), ": ", ", ".join(more)],
                class_="muted") if more else None,
        ], class_="study"))
    return section("studies", word("studies", lang), content, lang, len(studies))


def _incidences(found: list[Node], view: View) -> Markup:
    """By study (a package insert's table is its own "study"); long tables start folded."""
    lang = view.lang
    by_study: dict[str, list[Node]] = {}
    for n in found:
        by_study.setdefault(next(iter(n.iris("yk:study")), ""), []).append(n)
    content = []
    for s, items in sorted(by_study.items(), key=lambda kv: label(view.node(kv[0]), lang).text):
        rows = merge(items, lambda n: incidence_cells(n, view))
        content.append(tag("details", [tag("summary", [view.name(s) or "-", f" ({len(rows)})"]),
                                       statement_table(_head(INCIDENCE_HEAD, lang), rows, view)],
                           open=len(rows) <= 12))
    return section("adverse_reactions", word("adverse_reactions", lang), content, lang, len(found))


def _conditions(conditions: list[Node], requirements: list[Node], view: View) -> Markup:
    lang = view.lang
    rows = merge(conditions, lambda n: [word("approval_condition", lang), literal(n, "yk:text", lang)])
    rows += merge(requirements, lambda n: [n.text("yk:requirementKind") or "", literal(n, "yk:text", lang)])
    return section("conditions", word("conditions", lang),
                   statement_table([word("kind", lang), word("statement", lang)], rows, view), lang, len(rows))


def _others(iris: list[str], view: View) -> Child:
    found = [view.nodes[i] for i in iris if i in view.nodes and "rdf:type" in view.nodes[i].props]
    if not found:
        return None
    lang = view.lang
    rows = merge(ordered(found), lambda n: [_class_name(n, view), summary(n, view)])
    return section("other_facts", word("other_facts", lang),
                   statement_table([word("kind", lang), word("statement", lang)], rows, view), lang, len(rows))


def _class_name(n: Node, view: View) -> str:
    kinds = sorted(n.types - {"Fact"})
    return _kind_label(kinds[0], view) if kinds else ""


def _kind_label(kind: str, view: View) -> str:
    """A yk: class by its ontology label in the page's language (``adverse event incidence``)."""
    return label(view.node(YK + kind), view.lang, kind).text


# --------------------------------------------------------------------------- concept, study, substance


_CONCEPT_FACTS = """SELECT DISTINCT ?x ?t ?by WHERE { { ?x yk:concept ?c } UNION { ?x yk:forConcept ?c }
  UNION { ?x yk:disease ?c } UNION { ?x yk:parameter ?c }
  ?x a ?t OPTIONAL { ?x yk:product ?p } OPTIONAL { ?x yk:study ?s } BIND(COALESCE(?p, ?s, ?x) AS ?by) }"""
# A concept many products share (an infection in every package insert) would list thousands of
# statements: each table shows the first ones by product and study, and the rest on asking.
CONCEPT_ROWS = 60
_ADDRESSING = "SELECT DISTINCT ?a WHERE { {values} ?a yk:addresses ?c }"


def concept_page(store: Any, ctx: Context, key: str) -> bytes:
    """Competency questions 1 (products carrying it, by category, with activities), 6 (its
    incidences across studies) and 9 (its management rules), and where it is an indication's
    disease or a dose-modification parameter."""
    lang = ctx.lang
    iri, concept = _entity(store, "concept", key, "MedicalConcept")
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for row in select(store, _bind(_CONCEPT_FACTS, c=iri)):
        by_kind.setdefault(row["t"].text.removeprefix(YK), []).append((row["by"].text, row["x"].text))
    everything = dict(ctx.params).get("all") == "1"
    totals = {k: len(v) for k, v in by_kind.items()}
    facts = [x for found in by_kind.values() for _, x in sorted(found)[:None if everything else CONCEPT_ROWS]]
    first = nodes(store, facts)
    concerns = [i for i, n in first.items() if "SafetyConcern" in n.types]
    activities = iris_of(store, _ADDRESSING.replace("{values}", values_block("c", concerns))) if concerns else []
    view = _view(store, lang, [*facts, *activities], extra=(iri,), read=first)
    studies = {s for n in _facts(view, facts, "AdverseEventIncidence") for s in n.iris("yk:study")}
    products = {p for s in studies if (sn := view.node(s)) for p in sn.iris("yk:studiesProduct")}
    view.nodes.update(nodes(store, products - set(view.nodes), CITED))
    name = label(concept, lang)
    addressing: dict[str, list[Node]] = {}
    for a in activities:
        node = view.node(a)
        for c in node.iris("yk:addresses") if node else ():
            addressing.setdefault(c, []).append(node)  # type: ignore[arg-type]

    def carried(n: Node) -> list[Any]:
        category = view.name(next(iter(n.iris("yk:concernCategory")), None))
        acts = sorted({(a.text("rdfs:label") or "", a.text("yk:status") or "") for a in addressing.get(n.iri, [])})
        return [view.name(next(iter(n.iris("yk:product")), None)), category, literal(n, "rdfs:label", lang),
                tag("ul", [tag("li", [t, f" ({s})" if s else None]) for t, s in acts]) if acts else ""]

    def incidence(n: Node) -> list[Any]:
        study = view.node(next(iter(n.iris("yk:study")), None))
        products = n.iris("yk:product") or (study.iris("yk:studiesProduct") if study else [])
        return [view.name(study.iri if study else None), view.names(products), *incidence_cells(n, view)[1:]]

    def rule(n: Node) -> list[Any]:
        return [view.name(next(iter(n.iris("yk:product")), None)), *rule_cells(n, view)[1:]]

    def indicated(n: Node) -> list[Any]:
        return [view.name(next(iter(n.iris("yk:product")), None)), literal(n, "yk:text", lang)]

    def modification(n: Node) -> list[Any]:
        return [view.name(next(iter(n.iris("yk:product")), None)), *modification_cells(n, view)[1:]]

    def more(kind: str) -> Any:
        """A note where a table shows only the first statements, with the way to the rest."""
        total = totals.get(kind, 0)
        if everything or total <= CONCEPT_ROWS:
            return None
        text = (f"{total}件中、製品・試験順に最初の{CONCEPT_ROWS}件を表示。" if lang == "ja"
                else f"The first {CONCEPT_ROWS} of {total} statements, by product and study. ")
        return tag("p", [text, tag("a", word("show_all", lang), href=ctx.url_with(all="1"))], class_="notice")

    concern_rows = merge(_facts(view, facts, "SafetyConcern"), carried)
    incidence_rows = merge(_facts(view, facts, "AdverseEventIncidence"), incidence)
    rule_rows = merge(_facts(view, facts, "ManagementRule"), rule)
    indication_rows = merge(_facts(view, facts, "Indication"), indicated)
    modification_rows = merge(_facts(view, facts, "DoseModificationRule"), modification)
    codes = sorted({v.text for v in concept.all("yk:code")})
    head = [(word("labels", lang), _names_block(concept, lang)), (word("codes", lang), ", ".join(codes)),
            ("", tag("span", word("unlinked", lang), class_="badge warn") if concept.text("yk:unlinked") == "true" else None)]
    parts = [
        tag("h1", [tag("span", word("concept", lang), class_="kind"), " ", text_in(name.text, name.lang, lang)]),
        h.definition_list(head),
        section("carried_by", word("carried_by", lang), [more("SafetyConcern"), statement_table(
            [word("product", lang), word("kind", lang), word("text", lang), word("addressed_by", lang)],
            concern_rows, view)], lang, totals.get("SafetyConcern")),
        section("incidences", word("incidences", lang), [more("AdverseEventIncidence"), statement_table(
            [word("study", lang), word("product", lang), *_head(INCIDENCE_HEAD[1:], lang)], incidence_rows, view)],
            lang, totals.get("AdverseEventIncidence")),
        section("rules_for", word("rules_for", lang), [more("ManagementRule"), statement_table(
            [word("product", lang), *_head(RULE_HEAD[1:], lang)], rule_rows, view)], lang, totals.get("ManagementRule")),
        section("indicated_for", word("indicated_for", lang), [more("Indication"), statement_table(
            [word("product", lang), word("statement", lang)], indication_rows, view)], lang, totals.get("Indication")),
        section("dose_rules_for", word("dose_rules_for", lang), [more("DoseModificationRule"), statement_table(
            [word("product", lang), *_head(MODIFICATION_HEAD[1:], lang)], modification_rows, view)], lang,
            totals.get("DoseModificationRule")),
    ]
    return h.page(ctx, name.text, parts)


def study_page(store: Any, ctx: Context, key: str) -> bytes:
    lang = ctx.lang
    iri, study = _entity(store, "study", key, "ClinicalStudy")
    facts = iris_of(store, _bind("SELECT DISTINCT ?x WHERE { ?x yk:study ?s }", s=iri))
    view = _view(store, lang, facts, extra=(iri,))
    view.nodes.update(nodes(store, pointed_at([study]) - set(view.nodes), CITED))
    name = label(study, lang)
    fields = [(word("labels", lang), _names_block(study, lang)),
              (word("title", lang), literal(study, "yk:studyTitle", lang)),
              (word("phase", lang), study.text("yk:phase")), (word("enrollment", lang), study.text("yk:enrollment")),
              (word("products", lang), view.names(study.iris("yk:studiesProduct")) if study.iris("yk:studiesProduct") else None),
              (word("concept", lang), view.names(study.iris("yk:condition")) if study.iris("yk:condition") else None)]
    results = merge(_facts(view, facts, "EfficacyResult"), lambda n: result_cells(n, view))
    incidences = merge(_facts(view, facts, "AdverseEventIncidence"), lambda n: incidence_cells(n, view))
    criteria = merge(_facts(view, facts, "EligibilityCriterion"),
                     lambda n: [n.text("yk:criterionKind") or "", literal(n, "yk:text", lang)])
    shown = {f.iri for rows in (results, incidences, criteria) for r in rows for f in r.facts}
    parts = [
        tag("h1", [tag("span", word("study", lang), class_="kind"), " ", text_in(name.text, name.lang, lang)]),
        h.definition_list(fields),
        section("results", word("results_of", lang), statement_table(_head(RESULT_HEAD, lang), results, view), lang,
                len(results)),
        section("incidences", word("adverse_reactions", lang),
                statement_table(_head(INCIDENCE_HEAD, lang), incidences, view), lang, len(incidences)),
        section("criteria", word("criteria", lang),
                statement_table([word("kind", lang), word("statement", lang)], criteria, view), lang, len(criteria)),
        _others([i for i in facts if i not in shown], view),
    ]
    return h.page(ctx, name.text, parts)


def substance_page(store: Any, ctx: Context, key: str) -> bytes:
    lang = ctx.lang
    iri, substance = _entity(store, "substance", key, "Substance")
    products = iris_of(store, _bind("SELECT DISTINCT ?p WHERE { ?p yk:hasActiveSubstance ?s }", s=iri))
    uses = iris_of(store, _bind("SELECT DISTINCT ?x WHERE { { ?x yk:combinationWith ?s } UNION "
                                "{ ?x yk:regimenSubstance ?s } UNION { ?x yk:recommends ?s } }", s=iri))
    view = _view(store, lang, [*products, *uses], extra=(iri,))
    name = label(substance, lang)
    rows = merge(ordered(view.nodes[u] for u in uses if u in view.nodes),
                 lambda n: [view.name(next(iter(n.iris("yk:product")), None)), _class_name(n, view), summary(n, view)])
    parts = [
        tag("h1", [tag("span", word("substance", lang), class_="kind"), " ", text_in(name.text, name.lang, lang)]),
        h.definition_list([(word("labels", lang), _names_block(substance, lang)),
                           (word("products_with", lang), view.names(products) if products else None)]),
        section("uses", word("other_facts", lang), statement_table(
            [word("product", lang), word("kind", lang), word("statement", lang)], rows, view), lang, len(rows)),
    ]
    return h.page(ctx, name.text, parts)


# --------------------------------------------------------------------------- documents


def _doc_status(entry: DocumentEntry) -> str:
    """As ``yakuji ingest`` reports it: partial when the extractor said so or a page was unreadable."""
    status = entry.node.text("yk:extractionStatus") or "ok"
    if any(p.text("yk:pageStatus") == "unreadable" for p in entry.pages):
        return "partial"
    return status


def _page_statuses(entry: DocumentEntry, lang: str) -> str:
    total = entry.node.number("yk:pageCount")
    if total is None:
        return ""
    counts: dict[str, int] = {}
    for p in entry.pages:
        status = p.text("yk:pageStatus") or "?"
        counts[status] = counts.get(status, 0) + 1
    parts = [f"{total - sum(counts.values())} ok", *[f"{n} {s}" for s, n in sorted(counts.items())]]
    return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class _Listed:
    entry: DocumentEntry
    ref: DocRef
    status: str


def _listed(index: StoreIndex, kind: str, status: str, order: str) -> list[_Listed]:
    """The documents of the list, filtered and sorted once per version of the index."""
    every = index.derived("documents", lambda: [_Listed(e, doc_ref(e.node), _doc_status(e))
                                               for e in index.documents.values()])

    def chosen() -> list[_Listed]:
        found = [d for d in every if (not kind or d.ref.kind == kind) and (not status or d.status == status)]
        found.sort(key=lambda d: d.ref.file_name)
        if order != "file":
            found.sort(key=lambda d: d.ref.issued or "", reverse=True)  # newest first, by file within a day
        return found

    return index.derived(("documents", kind, status, order), chosen)


def documents_page(index: StoreIndex, ctx: Context, args: dict[str, str]) -> bytes:
    lang = ctx.lang
    every = _listed(index, "", "", "file")
    kinds = index.derived("kinds", lambda: sorted({d.ref.kind for d in every}))
    counts = index.derived("status-counts", lambda: {s: sum(1 for d in every if d.status == s)
                                                     for s in ("ok", "partial")})
    kind, status, order = args.get("kind", ""), args.get("status", ""), args.get("sort", "date")
    _, shown, pager = _paginate(_listed(index, kind, status, order), args, ctx)
    rows = []
    for listed in shown:
        e, ref = listed.entry, listed.ref
        products = [(p, index.label(p, lang)) for p in e.node.iris("yk:aboutProduct")]
        reasons = [v.text for v in e.node.all("yk:issueText")]
        reasons += [f"p. {p.text('yk:pageNumber')} {p.text('yk:pageStatus')}: {p.text('yk:statusReason') or ''}"
                    for p in sorted(e.pages, key=lambda p: p.number("yk:pageNumber") or 0)
                    if p.text("yk:pageStatus") != "unreadable"]
        rows.append([
            doc_link(ref, lang), kind_name(ref.kind, lang),
            [[Markup(", ") if n else None, text_in(name.text, name.lang, lang, "a", href=f"/product/{key_of(p)}")]
             for n, (p, name) in enumerate(products)],
            ref.issued or "", e.node.text("yk:pageCount") or "", _page_statuses(e, lang),
            e.node.text("yk:factCount") or "", tag("span", listed.status, class_=f"status {listed.status}"),
            _reasons(reasons, lang),
        ])
    form = tag("form", [
        tag("label", [word("kind", lang), " ", tag("select", [tag("option", word("any", lang), value="")] + [
            tag("option", kind_name(k, lang), value=k, selected=k == kind) for k in kinds], name="kind")]),
        tag("label", [word("status", lang), " ", tag("select", [tag("option", word("any", lang), value="")] + [
            tag("option", s, value=s, selected=s == status) for s in ("ok", "partial")], name="status")]),
        tag("label", [word("date", lang) + " / " + word("file", lang), " ", tag("select", [
            tag("option", word("date", lang), value="date", selected=order == "date"),
            tag("option", word("file", lang), value="file", selected=order == "file")], name="sort")]),
        tag("button", word("filter", lang), type="submit"),
    ], method="get", action="/documents", class_="filters")
    body = [tag("h1", word("documents", lang)), _progress(index, lang),
            tag("p", [word("all_documents", lang, n=f"{len(every):,}"), " · ",
                      " · ".join(f"{n:,} {s}" for s, n in counts.items())]),
            form,
            h.table([word(k, lang) for k in ("title", "kind", "product", "date", "pages", "page_statuses", "facts",
                                              "status", "reasons")], rows, class_="documents"),
            pager]
    return h.page(ctx, word("documents", lang), body)


def _reasons(reasons: list[str], lang: str) -> Any:
    if not reasons:
        return ""
    if len(reasons) <= 2:
        return tag("ul", [tag("li", r) for r in reasons], class_="reasons")
    return tag("details", [tag("summary", f"{reasons[0][:80]}… (+{len(reasons) - 1})"),
                           tag("ul", [tag("li", r) for r in reasons], class_="reasons")])


# Fact nodes only: shared entities (products, concepts) also point at every document naming them
_DOCUMENT_FACTS = f'SELECT DISTINCT ?x WHERE {{ ?x prov:wasDerivedFrom ?d FILTER(STRSTARTS(STR(?x), "{ID}fact/")) }}'


def document_page(store: Any, ctx: Context, key: str) -> bytes:
    """A document's metadata and every fact read from it, by section."""
    lang = ctx.lang
    if not _KEY.match(key):
        raise NotFound(f"no document {key!r}: a document is named by the SHA-256 of its bytes")
    iri = f"{ID}doc/{key}"
    facts = iris_of(store, _bind(_DOCUMENT_FACTS, d=iri))
    view = _view(store, lang, facts, extra=(iri,))
    doc = view.node(iri)
    if doc is None or "SourceDocument" not in doc.types:
        raise NotFound(f"no document {key} in the store")
    pages = nodes(store, doc.iris("yk:documentPage"))
    view.nodes.update(nodes(store, [p for p in doc.iris("yk:aboutProduct") if p not in view.nodes], CITED))
    ref = doc_ref(doc)
    fact_nodes = [n for i in facts if (n := view.nodes.get(i)) is not None]
    by_section: dict[str, list[Node]] = {}
    for n in ordered(fact_nodes):
        by_section.setdefault(n.text("yk:section") or "", []).append(n)
    blocks = []
    for sec, items in by_section.items():
        rows = merge(items, lambda n: [_class_name(n, view), summary(n, view)])
        blocks.append(tag("details", [
            tag("summary", [tag("span", f"§ {sec}" if sec else word("no_section", lang), class_="section-name"),
                            f" ({len(rows)})"]),
            statement_table([word("kind", lang), word("statement", lang)], rows, view)], open=len(by_section) <= 12))
    page_rows = [[p.text("yk:pageNumber") or "", p.text("yk:pageStatus") or "", p.text("yk:statusReason") or ""]
                 for p in sorted(pages.values(), key=lambda p: p.number("yk:pageNumber") or 0)]
    fields = [(word("kind", lang), kind_name(ref.kind, lang)),
              (word("product", lang), view.names(doc.iris("yk:aboutProduct")) if doc.iris("yk:aboutProduct") else None),
              (word("date", lang), ref.issued), (word("previous_version", lang), doc.text("yk:previousVersionDate")),
              (word("file", lang), ref.file_name), (word("format", lang), ref.source_format),
              (word("language_of", lang), doc.text("dct:language")), (word("pages", lang), doc.text("yk:pageCount")),
              (word("page_statuses", lang), _page_statuses(DocumentEntry(doc, list(pages.values())), lang) or None),
              (word("facts", lang), doc.text("yk:factCount")),
              (word("status", lang), _doc_status(DocumentEntry(doc, list(pages.values())))),
              (word("issues", lang), tag("ul", [tag("li", v.text) for v in doc.all("yk:issueText")])
               if doc.all("yk:issueText") else None),
              ("SHA-256", tag("code", ref.sha256))]
    parts = [tag("h1", [tag("span", kind_name(ref.kind, lang), class_="kind"), " ",
                        text_in(ref.title.text, ref.title.lang, lang)]),
             h.definition_list(fields),
             h.table([word("page", lang), word("status", lang), word("reasons", lang)], page_rows) if page_rows else None,
             section("facts", word("facts_by_section", lang), blocks, lang, len(fact_nodes))]
    return h.page(ctx, ref.title.text, parts)


# --------------------------------------------------------------------------- RMP diff


def _rmp_versions(index: StoreIndex) -> dict[str, list[DocRef]]:
    """Product IRI → its RMP documents, oldest first (from the index: every RMP of the store)."""
    return index.derived("rmp-versions", lambda: _read_rmp_versions(index))


def _read_rmp_versions(index: StoreIndex) -> dict[str, list[DocRef]]:
    out: dict[str, list[DocRef]] = {}
    for e in index.documents.values():
        if "RiskManagementPlan" in e.node.types:
            for p in e.node.iris("yk:aboutProduct"):
                out.setdefault(p, []).append(doc_ref(e.node))
    for docs in out.values():
        docs.sort(key=lambda d: (d.issued or "", d.file_name))
    return out


def diff_page(store: Any, index: StoreIndex, ctx: Context, args: dict[str, str]) -> bytes:
    lang = ctx.lang
    versions = _rmp_versions(index)
    pairs = {p: docs for p, docs in versions.items() if len(docs) >= 2}
    product_key = args.get("product", "")
    product = entity_iri("product", product_key) if product_key else (next(iter(sorted(pairs)), "") if pairs else "")
    docs = versions.get(product, [])

    def option(d: DocRef, chosen: str) -> Markup:
        return tag("option", f"{d.issued or '?'} · {d.file_name}", value=d.key, selected=d.key == chosen)

    keys = [d.key for d in docs]
    asked = args.get("old", "") in keys and args.get("new", "") in keys  # versions of this product
    old = args["old"] if asked else (keys[-2] if len(keys) >= 2 else "")
    new = args["new"] if asked else (keys[-1] if keys else "")
    products = sorted(pairs, key=lambda p: index.label(p, lang).text)
    form = tag("form", [
        tag("label", [word("choose_product", lang), " ", tag("select", [
            tag("option", index.label(p, lang).text, value=key_of(p), selected=p == product) for p in products],
            name="product", id="diff-product")]),
        tag("label", [word("old_version", lang), " ", tag("select", [option(d, old) for d in docs], name="old",
                                                          id="diff-old")]),
        tag("label", [word("new_version", lang), " ", tag("select", [option(d, new) for d in docs], name="new",
                                                          id="diff-new")]),
        tag("button", word("compare", lang), type="submit"),
    ], method="get", action="/diff", class_="filters", id="diff-form")
    body: list[Any] = [tag("h1", word("rmp_diff", lang)), _progress(index, lang)]
    if not pairs and not docs:
        body.append(tag("p", word("no_rmp_pairs", lang)))
        return h.page(ctx, word("rmp_diff", lang), body)
    body.append(form)
    if asked:
        body.append(_diff_report(_diff(store, old, new), ctx, old, new))
    return h.page(ctx, word("rmp_diff", lang), body)


def _diff(store: Any, old: str, new: str) -> Any:
    """The two stored RMPs compared exactly as ``yakuji diff-rmp --store`` compares them."""
    from extract.diff import diff_rmp, rmp_from_store

    for key in (old, new):
        if not _KEY.match(key):
            raise ValueError(f"not a document key (its SHA-256): {key!r}")
    (a, a_links), (b, b_links) = (rmp_from_store(store, f"{ID}doc/{key}") for key in (old, new))
    return diff_rmp(a, b, old_links=a_links, new_links=b_links)


def diff_report(store: Any, args: dict[str, str]) -> Reply:
    """The report in the command line's formats (text, markdown, json), to download."""
    from extract.diff import RENDERERS

    fmt = args.get("format", "text")
    if fmt not in RENDERERS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(RENDERERS)}")
    body = RENDERERS[fmt](_diff(store, args.get("old", ""), args.get("new", "")))
    media = {"json": "application/json", "markdown": "text/markdown"}.get(fmt, "text/plain")
    suffix = {"json": "json", "markdown": "md"}.get(fmt, "txt")
    return Reply(200, f"{media}; charset=utf-8", body.encode("utf-8"),
                    (("Content-Disposition", f'attachment; filename="rmp-diff.{suffix}"'),))


def _diff_report(diff: Any, ctx: Context, old: str, new: str) -> Markup:
    """The report as ``yakuji diff-rmp`` prints it: the same headings and lines, with the text,
    Markdown and JSON forms to download."""
    from extract.diff import RENDERERS, describe, grouped

    d = diff.dates
    lines = [tag("p", f"Old version: issued {d.old_issued or '?'} (previous {d.old_previous or '?'})"),
             tag("p", f"New version: issued {d.new_issued or '?'} (previous {d.new_previous or '?'})")]
    groups = [tag("section", [tag("h3", heading),
                              tag("ul", [tag("li", tag("pre", describe(c), class_="change")) for c in items])],
                  class_="changes") for heading, items in grouped(diff)]
    downloads = [tag("a", fmt, href=f"/diff/report?{urlencode({'old': old, 'new': new, 'format': fmt})}", download=True)
                 for fmt in RENDERERS]
    return tag("article", [tag("h2", f"RMP diff: {diff.product}"), lines,
                           tag("p", "No differences.") if diff.identical else groups,
                           tag("p", [word("download", ctx.lang), ": ", [[" ", a] for a in downloads]])],
               id="diff-report", lang="en")
