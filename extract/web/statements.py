"""Facts as the pages show them: one row per statement, every source under it.

Two documents that say the same thing (the same cells) make one row with two sources, which
is how the page shows that documents agree; where the consistency report
(``extract.consistency``) finds that they differ, the row says so and links to the difference.
Each source shows the document, its date, the page and section, the evidence text as written,
a link to the page image where the document is a PDF, and a warning where the text came from
OCR or a recovered font map.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterable
from urllib.parse import urlencode

from extract.consistency import Difference
from extract.web.graph import DocRef, Node, Source, key_of, label, source_of
from extract.web.html import Child, Lang, Markup, render, tag, text_in, word

PAGE_KINDS = {"MedicinalProduct": "product", "MedicalConcept": "concept", "ClinicalStudy": "study",
              "Substance": "substance"}


@dataclass(slots=True)
class View:
    """What a page read: its nodes (facts, entities, documents) and the language it shows."""

    lang: Lang
    nodes: dict[str, Node]
    differences: list[Difference] = field(default_factory=list)
    _refs: dict[str, DocRef | None] = field(default_factory=dict)

    def node(self, iri: str | None) -> Node | None:
        return self.nodes.get(iri) if iri else None

    def name(self, iri: str | None) -> Child:
        """An entity as a link to its page (or its label where it has no page)."""
        if not iri:
            return None
        node = self.nodes.get(iri)
        value = label(node, self.lang)
        kind = next((PAGE_KINDS[t] for t in (node.types if node else ()) if t in PAGE_KINDS), None)
        if kind is None:
            return text_in(value.text, value.lang, self.lang)
        return text_in(value.text, value.lang, self.lang, "a", href=f"/{kind}/{key_of(iri)}")

    def names(self, iris: Iterable[str]) -> Child:
        items = [self.name(i) for i in sorted(set(iris), key=lambda i: label(self.nodes.get(i), self.lang).text)]
        return [[Markup(", ") if n else None, item] for n, item in enumerate(items)]

    def source(self, fact: Node) -> Source | None:
        return source_of(fact, self.nodes, self._refs)


def literal(node: Node, pred: str, lang: Lang) -> Child:
    """A text property in the page's language where the node has one in it."""
    values = node.all(pred)
    if not values:
        return None
    chosen = next((v for v in values if v.lang == lang), values[0])
    return text_in(chosen.text, chosen.lang, lang)


def number(text: str | None) -> str:
    """A decimal as people write it: ``450000000`` stays, ``0.50`` is ``0.5``."""
    if text is None:
        return ""
    try:
        return format(Decimal(text).normalize(), "f")
    except InvalidOperation:
        return text


def compact_text(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class Row:
    """One statement as shown, and every fact (from any document) that states it."""

    cells: list[Child]
    facts: list[Node] = field(default_factory=list)


def _plain(child: Child) -> str:
    """The text of a cell, for comparing rows (markup stripped)."""
    if child is None:
        return ""
    if isinstance(child, str):
        return compact_text(re.sub(r"<[^>]+>", "", child) if isinstance(child, Markup) else child)
    return "".join(_plain(c) for c in child)


def merge(facts: Iterable[Node], cells: Callable[[Node], list[Child]]) -> list[Row]:
    """One row per distinct statement (the same cells), in first-seen order, each with every
    fact that states it."""
    rows: dict[tuple[str, ...], Row] = {}
    for fact in facts:
        shown = cells(fact)
        key = tuple(_plain(c) for c in shown)
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(shown)
        row.facts.append(fact)
    return list(rows.values())


def ordered(facts: Iterable[Node]) -> list[Node]:
    """Facts in page order (IRI order within a page, so the page is the same on every load)."""
    return sorted(facts, key=lambda n: (n.number("yk:page") or 0, n.iri))


# --------------------------------------------------------------------------- sources


_KIND_WORDS = {"ReviewReport": ("review report", "審査報告書"), "RiskManagementPlan": ("RMP", "RMP"),
               "OptimalUseGuideline": ("optimal-use guideline", "最適使用推進ガイドライン"),
               "ClinicalTrialRecord": ("trial record", "治験登録情報"),
               "ProductInformation": ("product information", "添付文書等"),
               "InterviewForm": ("interview form", "インタビューフォーム"),
               "PatientGuide": ("patient guide", "患者向医薬品ガイド"),
               "RiskMinimisationMaterial": ("risk-minimisation material", "リスク最小化資材")}


def kind_name(kind: str, lang: Lang) -> str:
    en, ja = _KIND_WORDS.get(kind, (kind, kind))
    return ja if lang == "ja" else en


def doc_link(doc: DocRef, lang: Lang) -> Markup:
    return text_in(doc.title.text, doc.title.lang, lang, "a", href=f"/document/{doc.key}", class_="doc")


def page_link(src: Source, lang: Lang) -> Child:
    """``p. 3``: a link that opens the page image (with the evidence box) where the document is
    a PDF and the page is known; plain text otherwise."""
    if src.page is None:
        return None
    text = f"{word('page', lang)} {src.page}"
    if src.doc.source_format != "pdf":
        return tag("span", text, class_="page")
    query = {"box": src.bbox} if src.bbox else {}
    href = f"/page-image/{src.doc.sha256}/{src.page}.png" + ("?" + urlencode(query) if query else "")
    return tag("a", text, href=href, class_="page-link", data_page=str(src.page), data_box=src.bbox or None,
               data_method=src.method or None, title=word("show_page", lang))


def method_badge(method: str | None, lang: Lang) -> Child:
    """A warning on facts read from OCR'd or font-recovered pages."""
    if method in (None, "text", "pdf-text"):
        return None
    if method == "ocr":
        return tag("span", "OCR", class_="badge warn", title=word("method_ocr", lang))
    return tag("span", method or "", class_="badge warn", title=word("method_recovered", lang))


def source_item(src: Source, lang: Lang) -> Markup:
    where = [page_link(src, lang), tag("span", f"§ {src.section}", class_="section") if src.section else None]
    head = [doc_link(src.doc, lang), " ", tag("span", kind_name(src.doc.kind, lang), class_="kind"),
            " ", tag("time", src.doc.issued, datetime=src.doc.issued) if src.doc.issued else None,
            [[" · ", w] for w in where if w is not None], " ", method_badge(src.method, lang)]
    evidence = (text_in(src.evidence.text, src.evidence.lang, lang, "blockquote", class_="evidence")
                if src.evidence and src.evidence.text else None)
    return tag("li", [tag("div", head, class_="where"), evidence], class_="source")


def sources_cell(row: Row, view: View, differs: Child) -> Markup:
    sources = [s for s in (view.source(f) for f in row.facts) if s is not None]
    docs = {s.doc.iri for s in sources}
    note = tag("span", word("stated_by", view.lang, n=len(docs)), class_="agree") if len(docs) > 1 else None
    return tag("div", [note, tag("ul", [source_item(s, view.lang) for s in sources], class_="sources"), differs])


def differences_note(row: Row, view: View) -> Child:
    """Where the consistency report says another document states this point otherwise. A dose
    difference compares the sets of doses two documents state, so a regimen is marked only when
    its own dose is not among the other document's."""
    mine = {f.iri for f in row.facts}
    doses = {dose_text(f) for f in row.facts}
    notes = []
    for n, d in enumerate(view.differences):
        for this, other in ((d.a, d.b), (d.b, d.a)):
            if not mine & set(this.nodes):
                continue
            if d.aspect == "dose" and doses & set(other.value.split("; ")):
                break
            key = "other_version" if d.kind == "later-version" else "disagrees"
            when = other.doc.issued or "?"
            notes.append(tag("li", [
                tag("a", word(key, view.lang, title=other.doc.title, date=when), href=f"#difference-{n + 1}"),
                ": ", tag("span", other.value, class_="other-value")]))
            break
    return tag("ul", notes, class_="differs") if notes else None


def statement_table(head: list[str], rows: list[Row], view: View) -> Child:
    if not rows:
        return None
    body = []
    for r in rows:
        differs = differences_note(r, view) if view.differences else None
        body.append(tag("tr", [*[tag("td", c) for c in r.cells], tag("td", sources_cell(r, view, differs), class_="src")],
                        class_="differs-row" if differs else None))
    return tag("div", tag("table", [
        tag("thead", tag("tr", [tag("th", h, scope="col") for h in [*head, word("sources", view.lang)]])),
        tag("tbody", body),
    ], class_="statements"), class_="table-wrap")


def section(anchor: str, title: str, content: Child, lang: Lang, count: int | None = None) -> Markup:
    heading = tag("h2", [title, tag("span", f" ({count})", class_="count") if count else None], id=anchor)
    shown = render(content)
    return tag("section", [heading, shown if shown else tag("p", word("none_found", lang), class_="muted")],
               aria_labelledby=anchor)


# --------------------------------------------------------------------------- cells by fact kind


def dose_text(n: Node) -> str:
    unit = n.text("yk:doseUnit") or ""
    if n.text("yk:doseValue"):
        return f"{number(n.text('yk:doseValue'))} {unit}".strip()
    if n.text("yk:doseMin") and n.text("yk:doseMax"):
        return f"{number(n.text('yk:doseMin'))}-{number(n.text('yk:doseMax'))} {unit}".strip()
    return ""


def cycle_text(n: Node, lang: Lang) -> str:
    parts = []
    if n.text("yk:cycleLengthDays"):
        parts.append(f"{n.text('yk:cycleLengthDays')}日サイクル" if lang == "ja" else f"{n.text('yk:cycleLengthDays')}-day cycle")
    if n.text("yk:cycleDays"):
        parts.append(f"Day {n.text('yk:cycleDays')}")
    if n.text("yk:cycleNumber"):
        parts.append(f"cycle {n.text('yk:cycleNumber')}")
    return ", ".join(parts)


def threshold_text(n: Node) -> str:
    comparator = {"<=": "≤", ">=": "≥"}.get(n.text("yk:comparator") or "", n.text("yk:comparator") or "")
    value = number(n.text("yk:thresholdValue")) if n.text("yk:thresholdValue") else ""
    return f"{comparator} {value} {n.text('yk:thresholdUnit') or ''}".strip()


def grade_scope(n: Node, lang: Lang) -> str:
    scope = n.text("yk:gradeScope") or ""
    names = {"all": ("all grades", "全グレード"), ">=3": ("grade ≥3", "グレード3以上"), "serious": ("serious", "重篤")}
    en, ja = names.get(scope, (scope, scope))
    return ja if lang == "ja" else en


def regimen_cells(n: Node, view: View) -> list[Child]:
    return [dose_text(n), n.text("yk:route") or "", n.text("yk:frequency") or "", cycle_text(n, view.lang),
            view.names(n.iris("yk:combinationWith")), literal(n, "yk:text", view.lang)]


REGIMEN_HEAD = ("dose", "route", "frequency", "cycle", "combination", "text")


def modification_cells(n: Node, view: View) -> list[Child]:
    return [view.name(next(iter(n.iris("yk:parameter")), None)), threshold_text(n), n.text("yk:action") or "",
            literal(n, "yk:text", view.lang)]


MODIFICATION_HEAD = ("parameter", "threshold", "action", "text")


def result_cells(n: Node, view: View) -> list[Child]:
    ci = (f"{number(n.text('yk:ciLower'))}-{number(n.text('yk:ciUpper'))}"
          if n.text("yk:ciLower") and n.text("yk:ciUpper") else "")
    return [n.text("yk:endpoint") or "", f"{number(n.text('yk:value'))} {n.text('yk:unit') or ''}".strip(), ci,
            literal(n, "yk:arm", view.lang), n.text("yk:dataCutoff") or ""]


RESULT_HEAD = ("endpoint", "value", "ci", "arm", "cutoff")


def incidence_cells(n: Node, view: View) -> list[Child]:
    return [view.name(next(iter(n.iris("yk:concept")), None)), literal(n, "yk:arm", view.lang), grade_scope(n, view.lang),
            n.text("yk:patientCount") or "", number(n.text("yk:percent")) if n.text("yk:percent") else "",
            n.text("yk:denominator") or ""]


INCIDENCE_HEAD = ("event", "arm", "grade", "patients", "percent", "denominator")


def rule_cells(n: Node, view: View) -> list[Child]:
    return [view.name(next(iter(n.iris("yk:forConcept")), None)), n.text("yk:grade") or "",
            view.names(n.iris("yk:recommends")), literal(n, "yk:text", view.lang)]


RULE_HEAD = ("concept", "grade", "recommends", "text")


def activity_kind(n: Node, lang: Lang) -> str:
    types = n.types
    key = "pv" if "PharmacovigilanceActivity" in types else "rm" if "RiskMinimisationActivity" in types \
        else "efficacy_activity"
    scope = n.text("yk:activityScope") or ""
    scope_word = word("scope_routine" if scope.endswith("RoutineActivity") else "scope_additional", lang)
    return f"{word(key, lang)} ({scope_word})"


def activity_cells(n: Node, view: View) -> list[Child]:
    concerns = [view.node(c) for c in n.iris("yk:addresses")]
    addressed = sorted({c.text("rdfs:label") or "" for c in concerns if c})
    return [activity_kind(n, view.lang), literal(n, "rdfs:label", view.lang), n.text("yk:status") or "",
            n.text("yk:targetSampleSize") or "", n.text("yk:studyCode") or "", "; ".join(addressed)]


ACTIVITY_HEAD = ("kind", "statement", "status", "target", "study", "addressed_by")


def requirement_cells(n: Node, view: View) -> list[Child]:
    return [n.text("yk:requirementKind") or "", literal(n, "yk:text", view.lang)]


def summary(n: Node, view: View) -> Child:
    """One line for any fact (the document page): the cells its kind shows, or its text."""
    types = n.types
    for kind, cells in (("DosageRegimen", regimen_cells), ("DoseModificationRule", modification_cells),
                        ("EfficacyResult", result_cells), ("AdverseEventIncidence", incidence_cells),
                        ("ManagementRule", rule_cells), ("UseRequirement", requirement_cells)):
        if kind in types:
            parts = [c for c in cells(n, view) if _plain(c)]
            if kind in ("EfficacyResult", "AdverseEventIncidence"):
                parts.insert(0, view.name(next(iter(n.iris("yk:study")), None)))
            return [[Markup(" · ") if i else None, p] for i, p in enumerate(parts)]
    if "SafetyConcern" in types:
        category = view.name(next(iter(n.iris("yk:concernCategory")), None))
        return [category, Markup(" · "), literal(n, "rdfs:label", view.lang)]
    if types & {"PharmacovigilanceActivity", "RiskMinimisationActivity", "EfficacyStudyActivity"}:
        return [c for c in (activity_kind(n, view.lang), " · ", literal(n, "rdfs:label", view.lang),
                            f" ({n.text('yk:status')})" if n.text("yk:status") else None)]
    for pred in ("yk:text", "rdfs:label"):
        if n.all(pred):
            return literal(n, pred, view.lang)
    shown = [f"{p.split(':', 1)[1]}: {v[0].text}" for p, v in sorted(n.props.items())
             if p.startswith("yk:") and p not in _PROVENANCE and not v[0].iri]
    return "; ".join(shown)


_PROVENANCE = {"yk:page", "yk:section", "yk:evidenceText", "yk:extractionMethod", "yk:bbox"}


def difference_section(view: View) -> Markup:
    """The consistency report for the page's product, each difference with both sides."""
    lang = view.lang
    if not view.differences:
        return section("differences", word("differences", lang), tag("p", word("no_differences", lang)), lang)
    items = []
    for n, d in enumerate(view.differences, 1):
        kind = word("later_version" if d.kind == "later-version" else "disagreement", lang)
        sides = []
        for tag_name, st in (("a", d.a), ("b", d.b)):
            mark = tag("span", word("newer", lang), class_="badge") if d.newer == tag_name else None
            where = ", ".join(x for x in (f"p. {st.page}" if st.page else "", f"§ {st.section}" if st.section else "") if x)
            sides.append(tag("div", [
                tag("div", [tag("a", st.doc.title, href=f"/document/{key_of(st.doc.iri)}"), " ",
                            tag("span", kind_name(st.doc.kind, lang), class_="kind"), " ",
                            st.doc.issued or "", f" ({where})" if where else "", " ", mark], class_="where"),
                tag("p", st.value, class_="value"),
                tag("blockquote", st.evidence, class_="evidence") if st.evidence else None,
            ], class_="side"))
        items.append(tag("li", [tag("h3", [f"{d.aspect} · ", d.subject, " · ", tag("span", kind, class_="badge")]),
                                tag("div", sides, class_="sides")], id=f"difference-{n}", class_="difference"))
    return section("differences", word("differences", lang), tag("ol", items, class_="differences"), lang,
                   len(view.differences))


__all__ = ["View", "Row", "merge", "statement_table", "section", "summary", "difference_section"]
