"""What changed between two versions of one product's RMP.

``diff_rmp(old, new)`` compares two ``ExtractionResult``s of the RMP extractor and returns an
``RmpDiff`` of typed, frozen change records. Things are matched by what they are, not by
where they are printed, so renumbered sections and tables split differently across pages
make no difference:

* safety concerns by their linked concept (the linker's key when links are given, else a
  normalised label: NFKC, no spaces, no parenthetical, no trailing ``症``/``等``), then by
  one label containing the other, so ``血球減少`` → ``血球減少症`` is a rename, not a removal
  plus an addition (but ``肝機能障害…`` → ``腎機能障害…`` is one);
* activities by kind and normalised name, or by study code, then (one-to-one only) by a
  slightly changed label of the same kind and scope.

Changes of long texts (reasons for a concern) are ``WordingChanged`` records, which a
caller can hide (``ignore_wording``). Renderers give text (English headings, values as
written), JSON and Markdown.

Two versions come either from files (``diff_files``: extract and link each) or from the
store (``diff_stored``: document IRIs or dates; ``rmp_from_store`` reads a document graph
back into the same typed facts), and both go through the one ``diff_rmp``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, Mapping, Union

from extract.errors import InputError
from extract.model import (Activity, ApprovalCondition, DosageRegimen, ExtractionResult, Indication,
                           Link, Mention, ProductFact, SafetyConcern, SourceRef)

if TYPE_CHECKING:  # heavy or store-side types, for annotations only
    from rdflib import Graph, URIRef

    from extract.store import Store

Links = Mapping[Mention, Link]


class ProductMismatchError(InputError):
    """The two RMPs are about different products (bad input for a diff)."""

    def __init__(self, reason: str) -> None:
        super().__init__("diff-rmp", reason)


# --------------------------------------------------------------------------- change records


@dataclass(frozen=True, slots=True)
class ConcernAdded:
    label: str
    category: str
    kind: Literal["concern_added"] = "concern_added"


@dataclass(frozen=True, slots=True)
class ConcernRemoved:
    label: str
    category: str
    kind: Literal["concern_removed"] = "concern_removed"


@dataclass(frozen=True, slots=True)
class ConcernRecategorised:
    label: str
    old_category: str
    new_category: str
    kind: Literal["concern_recategorised"] = "concern_recategorised"


@dataclass(frozen=True, slots=True)
class ConcernRenamed:
    old_label: str
    new_label: str
    kind: Literal["concern_renamed"] = "concern_renamed"


@dataclass(frozen=True, slots=True)
class ActivityAdded:
    activity_kind: str  # pv | rm | efficacy
    label: str
    status: str | None
    kind: Literal["activity_added"] = "activity_added"


@dataclass(frozen=True, slots=True)
class ActivityRemoved:
    activity_kind: str
    label: str
    status: str | None
    kind: Literal["activity_removed"] = "activity_removed"


@dataclass(frozen=True, slots=True)
class ActivityChanged:
    activity_kind: str
    label: str
    field: str  # status | target_sample_size | milestones | period | report_due | addresses | label
    old: str | None
    new: str | None
    kind: Literal["activity_changed"] = "activity_changed"


@dataclass(frozen=True, slots=True)
class ProductChanged:
    field: str  # names | substances | holder | approval_number | approval_date | reexamination_years
    old: str | None
    new: str | None
    kind: Literal["product_changed"] = "product_changed"


@dataclass(frozen=True, slots=True)
class IndicationChanged:
    change: Literal["added", "removed"]
    text: str
    kind: Literal["indication_changed"] = "indication_changed"


@dataclass(frozen=True, slots=True)
class DosageChanged:
    change: Literal["added", "removed"]
    text: str  # a one-line description of the regimen step
    kind: Literal["dosage_changed"] = "dosage_changed"


@dataclass(frozen=True, slots=True)
class ConditionChanged:
    change: Literal["added", "removed"]
    text: str
    kind: Literal["condition_changed"] = "condition_changed"


@dataclass(frozen=True, slots=True)
class WordingChanged:
    subject: str  # the concern label the text belongs to
    field: str    # reason
    old: str | None
    new: str | None
    kind: Literal["wording_changed"] = "wording_changed"


@dataclass(frozen=True, slots=True)
class DatesOfVersions:
    old_issued: dt.date | None
    new_issued: dt.date | None
    old_previous: dt.date | None
    new_previous: dt.date | None


Change = Union[ConcernAdded, ConcernRemoved, ConcernRecategorised, ConcernRenamed, ActivityAdded,
               ActivityRemoved, ActivityChanged, ProductChanged, IndicationChanged, DosageChanged,
               ConditionChanged, WordingChanged]


@dataclass(frozen=True, slots=True)
class RmpDiff:
    product: str
    lang: str
    dates: DatesOfVersions
    changes: tuple[Change, ...] = field(default=())

    def without_wording(self) -> "RmpDiff":
        return RmpDiff(self.product, self.lang, self.dates,
                       tuple(c for c in self.changes if not isinstance(c, WordingChanged)))

    @property
    def identical(self) -> bool:
        return not self.changes

    def of_kind(self, kind: type) -> list[Change]:
        return [c for c in self.changes if isinstance(c, kind)]


# --------------------------------------------------------------------------- keys


def normalise_label(label: str) -> str:
    """A matching key for a concern label written slightly differently across versions."""
    s = unicodedata.normalize("NFKC", label)
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"\([^()]*\)", "", s)
    s = re.sub(r"[症等]+$", "", s)
    return s.lower()


def normalise_name(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def _concept_key(concern: SafetyConcern, links: Links | None) -> str:
    if links and concern.concept is not None and concern.concept in links:
        link = links[concern.concept]
        if not link.unlinked:
            return "link:" + link.key
    return "label:" + normalise_label(concern.label)


def _product_key(result: ExtractionResult, links: Links | None) -> str | None:
    if not result.info.products:
        return None
    mention = result.info.products[0]
    if links and mention in links and not links[mention].unlinked:
        return links[mention].key
    return normalise_name(mention.text).lower()


# --------------------------------------------------------------------------- diff


def diff_rmp(old: ExtractionResult, new: ExtractionResult, *, old_links: Links | None = None,
             new_links: Links | None = None) -> RmpDiff:
    """Typed changes from ``old`` to ``new`` (both RMP extraction results of one product).
    Raises ``ProductMismatchError`` when they are about different products."""
    _check_same_product(old, new, old_links, new_links)
    product = new.info.products[0].text if new.info.products else "?"
    lang = new.info.products[0].lang if new.info.products else "ja"
    dates = DatesOfVersions(old.info.issued, new.info.issued, old.info.previous_version_date,
                            new.info.previous_version_date)
    changes: list[Change] = []
    changes += _product_changes(old.products, new.products)
    changes += _set_changes(_texts(old, Indication), _texts(new, Indication), IndicationChanged)
    changes += _set_changes(_dosages(old), _dosages(new), DosageChanged)
    changes += _set_changes(_texts(old, ApprovalCondition), _texts(new, ApprovalCondition), ConditionChanged)
    pairs, concern_changes = _match_concerns(_facts(old, SafetyConcern), _facts(new, SafetyConcern),
                                             old_links, new_links)
    changes += concern_changes
    changes += _activity_changes(_facts(old, Activity), _facts(new, Activity), pairs)
    return RmpDiff(product, lang, dates, tuple(changes))


def _check_same_product(old: ExtractionResult, new: ExtractionResult, old_links: Links | None,
                        new_links: Links | None) -> None:
    a, b = _product_key(old, old_links), _product_key(new, new_links)
    if a is None or b is None:
        raise ProductMismatchError("an RMP without a product name cannot be compared")
    if a == b:
        return
    subs_a = {normalise_label(s.text) for p in old.products for s in p.substances}
    subs_b = {normalise_label(s.text) for p in new.products for s in p.substances}
    if subs_a and subs_a == subs_b and _names_overlap(old, new):
        return
    raise ProductMismatchError(f"the two RMPs are about different products: "
                               f"{old.info.products[0].text} and {new.info.products[0].text}")


def _names_overlap(old: ExtractionResult, new: ExtractionResult) -> bool:
    a = {normalise_name(n) for p in old.products for n in p.names}
    b = {normalise_name(n) for p in new.products for n in p.names}
    return bool(a & b)


def _facts(result: ExtractionResult, cls: type) -> list:  # type: ignore[type-arg]
    return [f for f in result.facts if isinstance(f, cls)]


def _texts(result: ExtractionResult, cls: type) -> dict[str, str]:
    return {normalise_name(f.text): f.text for f in _facts(result, cls)}


def _dosages(result: ExtractionResult) -> dict[str, str]:
    out: dict[str, str] = {}
    for d in _facts(result, DosageRegimen):
        out[_dosage_line(d)] = _dosage_line(d)
    return out


def _dosage_line(d: DosageRegimen) -> str:
    """One line per regimen step, built from its structured fields (so a rewording of the
    surrounding sentence is not a dosage change)."""
    dose = (f"{_num(d.dose_value)} {d.dose_unit}" if d.dose_value is not None
            else f"{_num(d.dose_min)}-{_num(d.dose_max)} {d.dose_unit}")
    parts = [f"[{d.indication}]" if d.indication else "", d.route or "",
             f"cycle {d.cycle_number}" if d.cycle_number else "",
             f"day {d.cycle_days}" if d.cycle_days else "", dose,
             f"every {d.cycle_length_days} days" if d.cycle_length_days else "",
             "with " + ", ".join(m.text for m in d.combination_with) if d.combination_with else ""]
    return " ".join(p for p in parts if p)


def _num(v: Decimal | None) -> str:
    return "?" if v is None else format(v.normalize(), "f")


def _set_changes(old: dict[str, str], new: dict[str, str], cls: type) -> list[Change]:
    out: list[Change] = [cls("removed", old[k]) for k in old if k not in new]
    out += [cls("added", new[k]) for k in new if k not in old]
    return out


def _product_changes(old: tuple[ProductFact, ...], new: tuple[ProductFact, ...]) -> list[Change]:
    def values(products: tuple[ProductFact, ...], name: str) -> list[str]:
        found: list[str] = []
        for p in products:
            v = getattr(p, name)
            items = v if isinstance(v, tuple) else (v,)
            for item in items:
                if item is None:
                    continue
                text = item.text if isinstance(item, Mention) else str(item)
                if text not in found:
                    found.append(text)
        return found

    out: list[Change] = []
    for name in ("names", "substances", "holder", "approval_number", "approval_date",
                 "reexamination_years", "therapeutic_category"):
        a, b = values(old, name), values(new, name)
        if {normalise_name(x) for x in a} != {normalise_name(x) for x in b}:
            out.append(ProductChanged(name, ", ".join(a) or None, ", ".join(b) or None))
    return out


def _match_concerns(old: list[SafetyConcern], new: list[SafetyConcern], old_links: Links | None,
                    new_links: Links | None) -> tuple[dict[str, str], list[Change]]:
    """Pair concerns across versions; returns old label → new label and the changes."""
    changes: list[Change] = []
    pairs: dict[str, str] = {}
    old_keys, new_keys = _keys(old, old_links), _keys(new, new_links)
    new_by_key = {new_keys[i]: c for i, c in enumerate(new)}
    left: list[SafetyConcern] = []
    for i, c in enumerate(old):
        match = new_by_key.pop(old_keys[i], None)
        if match is None:
            left.append(c)
        else:
            pairs[c.label] = match.label
            changes += _concern_pair(c, match)
    right = list(new_by_key.values())
    for c in left:
        best = max((n for n in right if _close(c.label, n.label)),
                   key=lambda n: _similar(c.label, n.label), default=None)
        if best is not None:
            right.remove(best)
            pairs[c.label] = best.label
            changes += _concern_pair(c, best)
        else:
            changes.append(ConcernRemoved(c.label, c.category))
    changes += [ConcernAdded(c.label, c.category) for c in right]
    return pairs, changes


def _keys(concerns: list[SafetyConcern], links: Links | None) -> list[str]:
    """Matching keys; where the linker gives two concerns of one version the same concept,
    their labels are used instead, so neither is lost."""
    keys = [_concept_key(c, links) for c in concerns]
    return [k if keys.count(k) == 1 else "label:" + normalise_label(c.label) for k, c in zip(keys, concerns)]


def _close(a: str, b: str) -> bool:
    """A slight rename: one label contains the other and they are of similar length
    (``間質性肺疾患`` → ``間質性肺疾患の増悪``); a near spelling of a different thing
    (``肝機能障害患者`` / ``腎機能障害患者``) is not."""
    na, nb = normalise_label(a), normalise_label(b)
    short, long_ = sorted((na, nb), key=len)
    return bool(short) and short in long_ and len(short) / len(long_) >= 0.6


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, normalise_label(a), normalise_label(b)).ratio()


def _concern_pair(old: SafetyConcern, new: SafetyConcern) -> list[Change]:
    out: list[Change] = []
    if normalise_name(old.label) != normalise_name(new.label):
        out.append(ConcernRenamed(old.label, new.label))
    if old.category != new.category:
        out.append(ConcernRecategorised(new.label, old.category, new.category))
    if normalise_name(old.reason or "") != normalise_name(new.reason or ""):
        out.append(WordingChanged(new.label, "reason", old.reason, new.reason))
    return out


def _activity_key(a: Activity) -> str:
    return f"{a.kind}/{a.scope}/{normalise_name(a.label)}"


def _activity_changes(old: list[Activity], new: list[Activity], pairs: dict[str, str]) -> list[Change]:
    out: list[Change] = []
    new_left = list(new)
    old_left: list[Activity] = []
    for a in old:
        match = next((b for b in new_left if _activity_key(b) == _activity_key(a)), None)
        if match is None and a.study_code:
            match = next((b for b in new_left if b.kind == a.kind and b.study_code == a.study_code), None)
        if match is None:
            old_left.append(a)
            continue
        new_left.remove(match)
        out += _activity_pair(a, match, pairs)
    for a, b in _renamed_activities(old_left, new_left, pairs):
        old_left.remove(a)
        new_left.remove(b)
        out += _activity_pair(a, b, pairs)
    out += [ActivityRemoved(a.kind, a.label, a.status) for a in old_left]
    out += [ActivityAdded(b.kind, b.label, b.status) for b in new_left]
    return out


def _renamed_activities(old: list[Activity], new: list[Activity],
                        pairs: dict[str, str]) -> list[tuple[Activity, Activity]]:
    """Activities left unmatched whose label changed slightly (``患者向け資材の作成及び配布`` →
    ``患者向け資材(治療日誌)の作成及び配布``). Conservative, because a wrong pairing hides a
    removal: same kind and scope, no two different study codes, no parenthetical replaced
    by another (only added or dropped), and either the same label apart from those or a
    nearly equal label that differs only in its second half (Japanese puts the words that
    tell activities apart first: ``患者向け`` vs ``薬剤師向け`` is another material), a
    little less near when both address the same concerns; and the pairing must be
    one-to-one (an activity with two candidates stays removed / added)."""
    def candidate(a: Activity, b: Activity) -> bool:
        if (a.kind, a.scope) != (b.kind, b.scope):
            return False
        if a.study_code and b.study_code and a.study_code != b.study_code:
            return False
        notes_a, notes_b = set(_parentheticals(a.label)), set(_parentheticals(b.label))
        nested = notes_a <= notes_b or notes_b <= notes_a  # a parenthetical added or dropped
        if not nested:
            return False  # 市販直後調査(…,皮下注製剤) and (…,点滴静注製剤) are two surveys
        if normalise_label(a.label) == normalise_label(b.label):
            return True
        fa, fb = _full_label(a.label), _full_label(b.label)
        if len(os.path.commonprefix([fa, fb])) * 2 < min(len(fa), len(fb)):
            return False  # the words that tell activities apart come first (患者向け…, 特定使用成績調査…)
        likeness = difflib.SequenceMatcher(None, fa, fb).ratio()
        same_concerns = bool(a.addresses) and sorted(pairs.get(x, x) for x in a.addresses) == sorted(b.addresses)
        return likeness >= 0.9 or (same_concerns and likeness >= 0.8)

    found = [(a, b) for a in old for b in new if candidate(a, b)]
    return [(a, b) for a, b in found
            if sum(1 for x, _ in found if x is a) == 1 and sum(1 for _, y in found if y is b) == 1]


def _parentheticals(label: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\(([^()]*)\)", normalise_name(label)))


def _full_label(label: str) -> str:
    return normalise_name(label).lower()


def _activity_pair(a: Activity, b: Activity, pairs: dict[str, str]) -> list[Change]:
    out: list[Change] = []

    def changed(name: str, old: object, new: object) -> None:
        if old != new:
            out.append(ActivityChanged(b.kind, b.label, name, _show(old), _show(new)))

    if normalise_name(a.label) != normalise_name(b.label):
        changed("label", a.label, b.label)
    changed("status", a.status, b.status)
    changed("target_sample_size", a.target_sample_size, b.target_sample_size)
    changed("milestones", tuple(map(normalise_name, a.milestones)), tuple(map(normalise_name, b.milestones)))
    changed("period", _norm_opt(a.period), _norm_opt(b.period))
    changed("report_due", _norm_opt(a.report_due), _norm_opt(b.report_due))
    old_addr = sorted(pairs.get(x, x) for x in a.addresses)
    changed("addresses", tuple(old_addr), tuple(sorted(b.addresses)))
    return out


def _norm_opt(s: str | None) -> str | None:
    return normalise_name(s) if s else None


def _show(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, tuple):
        return ", ".join(map(str, v)) if v else None
    return str(v)


# --------------------------------------------------------------------------- renderers

_HEADINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Product", ("product_changed",)),
    ("Indications", ("indication_changed",)),
    ("Dosage", ("dosage_changed",)),
    ("Approval conditions", ("condition_changed",)),
    ("Safety concerns", ("concern_added", "concern_removed", "concern_recategorised", "concern_renamed")),
    ("Activities", ("activity_added", "activity_removed", "activity_changed")),
    ("Wording", ("wording_changed",)),
)


def grouped(diff: RmpDiff) -> list[tuple[str, list[Change]]]:
    """The changes under the report's headings, in the report's order (empty headings left out)."""
    out = []
    for heading, kinds in _HEADINGS:
        items = [c for c in diff.changes if c.kind in kinds]
        if items:
            out.append((heading, items))
    return out


def describe(c: Change) -> str:
    """One line for a change: English frame, values as written in the document."""
    if isinstance(c, ConcernAdded):
        return f"added ({c.category}): {c.label}"
    if isinstance(c, ConcernRemoved):
        return f"removed ({c.category}): {c.label}"
    if isinstance(c, ConcernRecategorised):
        return f"moved {c.old_category} -> {c.new_category}: {c.label}"
    if isinstance(c, ConcernRenamed):
        return f"renamed: {c.old_label} -> {c.new_label}"
    if isinstance(c, ActivityAdded):
        return f"added {c.activity_kind.upper()} ({c.status or 'no status'}): {c.label}"
    if isinstance(c, ActivityRemoved):
        return f"removed {c.activity_kind.upper()} ({c.status or 'no status'}): {c.label}"
    if isinstance(c, ActivityChanged):
        return f"{c.activity_kind.upper()} {c.label}: {c.field} {c.old} -> {c.new}"
    if isinstance(c, ProductChanged):
        return f"{c.field}: {c.old} -> {c.new}"
    if isinstance(c, (IndicationChanged, DosageChanged, ConditionChanged)):
        return f"{c.change}: {c.text}"
    return f"{c.subject}: {c.field} changed\n    old: {c.old}\n    new: {c.new}"


def _date(d: dt.date | None) -> str:
    return d.isoformat() if d else "?"


def render_text(diff: RmpDiff) -> str:
    d = diff.dates
    lines = [f"RMP diff: {diff.product}",
             f"Old version: issued {_date(d.old_issued)} (previous {_date(d.old_previous)})",
             f"New version: issued {_date(d.new_issued)} (previous {_date(d.new_previous)})"]
    if diff.identical:
        lines.append("No differences.")
    for heading, items in grouped(diff):
        lines.append("")
        lines.append(f"{heading}:")
        lines += [f"  - {describe(c)}" for c in items]
    return "\n".join(lines) + "\n"


def render_markdown(diff: RmpDiff) -> str:
    d = diff.dates
    lines = [f"# RMP diff: {diff.product}", "",
             "| version | issued | previous version |", "|---|---|---|",
             f"| old | {_date(d.old_issued)} | {_date(d.old_previous)} |",
             f"| new | {_date(d.new_issued)} | {_date(d.new_previous)} |"]
    if diff.identical:
        lines += ["", "No differences."]
    for heading, items in grouped(diff):
        lines += ["", f"## {heading}", ""]
        lines += ["- " + describe(c).replace("\n    ", "<br>").replace("|", "\\|") for c in items]
    return "\n".join(lines) + "\n"


def to_json(diff: RmpDiff) -> str:
    def default(o: object) -> str:
        if isinstance(o, (dt.date, Decimal)):
            return str(o)
        raise TypeError(type(o).__name__)

    payload = {"product": diff.product, "identical": diff.identical, "dates": asdict(diff.dates),
               "changes": [asdict(c) for c in diff.changes]}
    return json.dumps(payload, ensure_ascii=False, indent=2, default=default) + "\n"


RENDERERS = {"text": render_text, "json": to_json, "markdown": render_markdown}


# --------------------------------------------------------------------------- files


def load_rmp(path: str) -> tuple[ExtractionResult, Links]:
    """Load, extract and link one RMP file; ``InputError`` when it is not an RMP at all."""
    from extract.extractors.rmp import extract, find_parts
    from extract.load import load_document
    from extract.normalize.linker import link

    doc = load_document(path)
    parts = find_parts(doc.text)
    if parts.summary is None and parts.plan is None or "リスク管理計画" not in doc.text:
        raise InputError(path, "not a Risk Management Plan (no RMP summary or plan form found)")
    result = extract(doc)
    if not result.info.products:
        raise InputError(path, "RMP without a readable product name (販売名)")
    return result, link(result, doc)


def diff_files(old_path: str, new_path: str, *, fmt: str = "text",
               ignore_wording: bool = False) -> tuple[str, int]:
    """The ``yakuji diff-rmp`` behaviour: rendered output and exit code (0 identical,
    1 different). Raises ``InputError`` (also for two different products) for exit code 2."""
    if fmt not in RENDERERS:
        raise InputError("--format", f"unknown format {fmt!r}; one of: {', '.join(RENDERERS)}")
    (old, old_links), (new, new_links) = load_rmp(old_path), load_rmp(new_path)
    diff = diff_rmp(old, new, old_links=old_links, new_links=new_links)
    if ignore_wording:
        diff = diff.without_wording()
    return RENDERERS[fmt](diff), 0 if diff.identical else 1


# --------------------------------------------------------------------------- the store
#
# The store keeps graphs, not source bytes, so a stored RMP is compared by reading its facts
# back from its document graph into the extractor's own types; ``diff_rmp`` then compares
# them exactly as it compares two files. Mentions read back carry the entity's label in the
# document's language (names as written are kept where the graph keeps them: trade names,
# concern and activity labels, texts); links carry the entity IRI as key, so concerns still
# match by concept.


def _store_graph(store: Store, doc_iri: str) -> Graph:
    """One document graph as an rdflib Graph, read with SPARQL only (so the web page's worker,
    which holds a read-only view, reads it the same way)."""
    import io

    import pyoxigraph
    from rdflib import Graph

    try:
        graph = pyoxigraph.NamedNode(doc_iri)
    except ValueError:
        raise InputError(doc_iri, "not a document IRI") from None
    if not store.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"):
        raise InputError(doc_iri, "no such document graph in the store")
    buf = io.BytesIO()
    store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}").serialize(
        buf, pyoxigraph.RdfFormat.N_TRIPLES)
    g = Graph()
    g.parse(data=buf.getvalue().decode("utf-8"), format="nt")
    return g


class _GraphReader:
    """Reads one RMP document graph back into an ``ExtractionResult`` and its links."""

    def __init__(self, g: Graph, doc_iri: str) -> None:
        from rdflib import URIRef

        self.g, self.doc = g, URIRef(doc_iri)
        self.lang = str(g.value(self.doc, _yk("language"), default="") or "") or "ja"
        self.links: dict[Mention, Link] = {}

    # helpers ---------------------------------------------------------------

    def one(self, node: object, pred: str) -> object | None:
        value = self.g.value(node, _pred(pred))  # type: ignore[arg-type]
        return None if value is None else value.toPython()

    def all(self, node: object, pred: str) -> list[object]:
        return [v.toPython() for v in self.g.objects(node, _pred(pred))]  # type: ignore[arg-type]

    def label(self, node: object) -> str:
        """The entity's label in the document's language (else any label, else the IRI)."""
        labels = list(self.g.objects(node, _pred("rdfs:label")))  # type: ignore[arg-type]
        same = [str(v) for v in labels if getattr(v, "language", None) == self.lang]
        return sorted(same or [str(v) for v in labels] or [str(node)])[0]

    def as_written(self, node: object) -> str:
        """A substance or holder as the document wrote it: the one alternative label in the
        document's language the builder adds when the text differs from the linker's label."""
        alts = [str(v) for v in self.g.objects(node, _pred("skos:altLabel"))  # type: ignore[arg-type]
                if getattr(v, "language", None) == self.lang]
        return alts[0] if len(alts) == 1 else self.label(node)

    def mention(self, node: object, kind: str, text: str | None = None) -> Mention:
        m = Mention(text or self.label(node), self.lang, kind)  # type: ignore[arg-type]
        unlinked = bool(self.one(node, "yk:unlinked"))
        self.links[m] = Link(key=str(node), kind=kind, labels=((self.lang, m.text),),  # type: ignore[arg-type]
                             method="store", unlinked=unlinked)
        return m

    def nodes(self, cls: str) -> list[object]:
        """Fact nodes of one class, in page then label order (the graph keeps no order)."""
        found = list(self.g.subjects(_pred("rdf:type"), _pred(cls)))
        return sorted(found, key=lambda n: (self.one(n, "yk:page") or 0, str(self.one(n, "rdfs:label") or ""),
                                            str(self.one(n, "yk:text") or ""), str(n)))

    def in_evidence_order(self, node: object, values: list[str]) -> tuple[str, ...]:
        """Values in the order they appear in the node's evidence text (the order the
        document gives them), the rest sorted after them."""
        evidence = normalise_name(str(self.one(node, "yk:evidenceText") or ""))

        def pos(v: str) -> tuple[int, str]:
            i = evidence.find(normalise_name(v))
            return (i if i >= 0 else len(evidence) + 1, v)

        return tuple(sorted(dict.fromkeys(values), key=pos))

    # parts -----------------------------------------------------------------

    def read(self) -> ExtractionResult:
        from extract.model import DocumentInfo

        g = self.g
        if (self.doc, _pred("rdf:type"), _pred("yk:RiskManagementPlan")) not in g:
            raise InputError(str(self.doc), "not a Risk Management Plan document graph")
        product_nodes = sorted(set(g.objects(self.doc, _pred("yk:aboutProduct"))), key=str)
        if not product_nodes:
            raise InputError(str(self.doc), "RMP graph without a product")
        node = product_nodes[0]
        product = self.mention(node, "product")
        info = DocumentInfo(title=_opt_str(self.one(self.doc, "dct:title")),
                            issued=self.one(self.doc, "dct:issued"),  # type: ignore[arg-type]
                            previous_version_date=self.one(self.doc, "yk:previousVersionDate"),  # type: ignore[arg-type]
                            products=(product,),
                            change_summary=_opt_str(self.one(self.doc, "yk:changeSummary")),
                            change_reason=_opt_str(self.one(self.doc, "yk:changeReason")))
        facts: list = []  # type: ignore[type-arg]
        facts += [Indication(product, str(self.one(n, "yk:text")), _NO_REF) for n in self.nodes("yk:Indication")]
        facts += [self.dosage(product, n) for n in self.nodes("yk:DosageRegimen")]
        facts += [ApprovalCondition(product, str(self.one(n, "yk:text")), _NO_REF)
                  for n in self.nodes("yk:ApprovalCondition")]
        facts += [self.concern(product, n) for n in self.nodes("yk:SafetyConcern")]
        for kind, cls in (("pv", "yk:PharmacovigilanceActivity"), ("rm", "yk:RiskMinimisationActivity"),
                          ("efficacy", "yk:EfficacyStudyActivity")):
            facts += [self.activity(product, kind, n) for n in self.nodes(cls)]
        return ExtractionResult(info, products=(self.product(product, node),), facts=tuple(facts))

    def product(self, product: Mention, node: object) -> ProductFact:
        names = [str(v) for v in self.all(node, "yk:tradeName")]
        # the builder also files the product mention itself as a trade name when the linker
        # labels it otherwise; that bare brand is a prefix of the names with strength
        names = [n for n in names if not any(o != n and o.startswith(n) for o in names)]
        holder = self.g.value(node, _pred("yk:marketingAuthorisationHolder"))  # type: ignore[arg-type]
        substances = sorted(self.g.objects(node, _pred("yk:hasActiveSubstance")), key=str)  # type: ignore[arg-type]
        years = self.one(node, "yk:reexaminationYears")
        return ProductFact(
            product=product, ref=_NO_REF,
            names=self.in_evidence_order(node, names),
            substances=tuple(Mention(self.as_written(s), self.lang, "substance") for s in substances),
            holder=Mention(self.as_written(holder), self.lang, "organization") if holder is not None else None,
            approval_number=tuple(sorted(str(v) for v in self.all(node, "yk:approvalNumber"))),
            approval_date=tuple(sorted(self.all(node, "yk:approvalDate"))),  # type: ignore[type-var]
            reexamination_years=int(years) if years is not None else None,  # type: ignore[call-overload]
            therapeutic_category=_opt_str(self.one(node, "yk:therapeuticCategory")))

    def dosage(self, product: Mention, n: object) -> DosageRegimen:
        indication = self.g.value(n, _pred("yk:indication"))  # type: ignore[arg-type]
        ind_text = None
        if indication is not None:
            ind_text = str(self.one(indication, "yk:text") or indication)
        combos = sorted(self.g.objects(n, _pred("yk:combinationWith")), key=str)  # type: ignore[arg-type]
        cycle_len = self.one(n, "yk:cycleLengthDays")
        return DosageRegimen(
            product, str(self.one(n, "yk:text") or ""), _NO_REF, indication=ind_text,
            dose_value=_dec(self.one(n, "yk:doseValue")), dose_min=_dec(self.one(n, "yk:doseMin")),
            dose_max=_dec(self.one(n, "yk:doseMax")), dose_unit=_opt_str(self.one(n, "yk:doseUnit")),
            route=_opt_str(self.one(n, "yk:route")), frequency=_opt_str(self.one(n, "yk:frequency")),
            cycle_length_days=int(cycle_len) if cycle_len is not None else None,  # type: ignore[call-overload]
            cycle_days=_opt_str(self.one(n, "yk:cycleDays")), cycle_number=_opt_str(self.one(n, "yk:cycleNumber")),
            combination_with=tuple(Mention(self.label(c), self.lang, "substance") for c in combos),
            dose_level=_opt_str(self.one(n, "yk:doseLevel")))

    def concern(self, product: Mention, n: object) -> SafetyConcern:
        category = self.g.value(n, _pred("yk:concernCategory"))  # type: ignore[arg-type]
        name = _CATEGORY_OF.get(str(category))
        if name is None:
            raise InputError(str(n), "safety concern without a known category")
        concept = self.g.value(n, _pred("yk:concept"))  # type: ignore[arg-type]
        label = str(self.one(n, "rdfs:label") or "")
        return SafetyConcern(product, name, label, _NO_REF,  # type: ignore[arg-type]
                             concept=self.mention(concept, "concept", label) if concept is not None else None,
                             reason=_opt_str(self.one(n, "yk:reasonText")))

    def activity(self, product: Mention, kind: str, n: object) -> Activity:
        scope = str(self.g.value(n, _pred("yk:activityScope")))  # type: ignore[arg-type]
        addressed = self.g.objects(n, _pred("yk:addresses"))  # type: ignore[arg-type]
        target = self.one(n, "yk:targetSampleSize")
        milestones = [str(v) for v in self.all(n, "yk:milestone")]
        return Activity(kind, product, str(self.one(n, "rdfs:label") or ""),  # type: ignore[arg-type]
                        "routine" if scope.endswith("RoutineActivity") else "additional", _NO_REF,
                        status=_opt_str(self.one(n, "yk:status")),
                        target_sample_size=int(target) if target is not None else None,  # type: ignore[call-overload]
                        study_code=_opt_str(self.one(n, "yk:studyCode")),
                        addresses=tuple(sorted(str(self.one(c, "rdfs:label") or c) for c in addressed)),
                        milestones=self.in_evidence_order(n, milestones),
                        period=_opt_str(self.one(n, "yk:period")), report_due=_opt_str(self.one(n, "yk:reportDue")))


_NO_REF = SourceRef("store", None, None, 0, 0)  # facts read back from a graph have no text span
_CATEGORY_OF = {"https://w3id.org/yakuji/ontology#ImportantIdentifiedRisk": "identified",
                "https://w3id.org/yakuji/ontology#ImportantPotentialRisk": "potential",
                "https://w3id.org/yakuji/ontology#MissingInformation": "missing"}


def _pred(curie: str) -> URIRef:
    from rdflib import URIRef

    from extract.rdf.namespaces import PREFIXES

    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def _yk(local: str) -> URIRef:
    return _pred("dct:" + local) if local == "language" else _pred("yk:" + local)


def _opt_str(v: object | None) -> str | None:
    return None if v is None else str(v)


def _dec(v: object | None) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def rmp_from_store(store: Store, doc_iri: str) -> tuple[ExtractionResult, Links]:
    """One stored RMP document graph read back into the types ``diff_rmp`` compares."""
    reader = _GraphReader(_store_graph(store, doc_iri), doc_iri)
    result = reader.read()
    return result, reader.links


def find_rmp_document(store: Store, ref: str, product: str | None = None) -> str:
    """The document IRI for ``ref``: an IRI as given, or a date (``2025-11-20``, ``令和7年11月20日``)
    picking the RMP issued that day, narrowed by ``product`` (a brand or trade name) when
    several products have an RMP of that date. ``InputError`` when none or several match."""
    from extract.normalize.values import parse_date

    if ref.startswith(("http://", "https://")):
        return ref
    day = parse_date(ref)
    if day is None:
        raise InputError(ref, "neither a document IRI nor a date")
    rows = store.select(
        "SELECT DISTINCT ?d ?name WHERE { ?d a yk:RiskManagementPlan ; dct:issued ?day ; yk:aboutProduct ?p . "
        "{ ?p rdfs:label ?name } UNION { ?p yk:tradeName ?name } "
        f'FILTER(?day = "{day.isoformat()}"^^xsd:date) }}')
    docs: dict[str, set[str]] = {}
    for r in rows:
        docs.setdefault(r["d"].value, set()).add(normalise_name(r["name"].value).lower())
    if product:
        key = normalise_name(product).lower()
        docs = {d: names for d, names in docs.items() if any(key in n for n in names)}
    if not docs:
        raise InputError(ref, "no RMP issued on that date in the store" + (f" for {product}" if product else ""))
    if len(docs) > 1:
        raise InputError(ref, f"{len(docs)} RMPs issued on that date; name the product with --product")
    return next(iter(docs))


def diff_stored(store_path: str, old_ref: str, new_ref: str, *, product: str | None = None,
                fmt: str = "text", ignore_wording: bool = False) -> tuple[str, int]:
    """``yakuji diff-rmp --store DIR OLD NEW`` with document IRIs or dates: the same
    comparison and output as ``diff_files``."""
    from extract.store import Store

    if fmt not in RENDERERS:
        raise InputError("--format", f"unknown format {fmt!r}; one of: {', '.join(RENDERERS)}")
    try:
        store = Store(store_path, read_only=True)
    except FileNotFoundError as exc:
        raise InputError(store_path, str(exc)) from exc
    with store:
        old, old_links = rmp_from_store(store, find_rmp_document(store, old_ref, product))
        new, new_links = rmp_from_store(store, find_rmp_document(store, new_ref, product))
    diff = diff_rmp(old, new, old_links=old_links, new_links=new_links)
    if ignore_wording:
        diff = diff.without_wording()
    return RENDERERS[fmt](diff), 0 if diff.identical else 1
