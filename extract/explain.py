"""Why mentions were merged into one entity, and the curator's way to undo or force a merge.

Every document graph records, for each shared entity it names, the labels as written
(``rdfs:label``, ``skos:altLabel``, ``yk:tradeName``, ``yk:studyIdentifier``) and the
linker's decision (``yk:linkMethod``, ``yk:linkScore``). ``explain_entity`` reads those per
document, so ``yakuji explain IRI`` shows which document contributed which name and why the
linker put it there.

Curator overrides (``ontology/curation/overrides.tsv``) are read by the linker
(``extract.normalize.linker.link``): one row per decision, tab-separated,

    mention<TAB>kind<TAB>key

``mention`` is the name as written (compared after NFKC and trimming) or the key the linker
gave it (``x-…`` for an unknown name, so long titles need not be copied); ``kind`` one of
product, substance, organization, concept, study; ``key`` the entity key to force
(``study/CC-5013-ATLL-001``, ``abecma``) or ``split`` to keep that mention apart under a
key of its own. Lines starting with ``#`` and the header are ignored. Overrides apply at
ingest: re-ingest into a fresh store after editing the file.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from extract.model import Link, Mention

if TYPE_CHECKING:
    from extract.store import Store

KINDS = ("product", "substance", "organization", "concept", "study")

WHY = {
    "exact": "the name as written is a preferred label or synonym of the lexicon entry",
    "normalized": "the name matches a lexicon label after Unicode, case and spelling normalisation",
    "sudachi": "the Japanese name has the same Sudachi normalised form as a lexicon label",
    "stem": "the name without strength, dosage form, salt or corporate suffix is a lexicon label",
    "phrase": "a lexicon concept covers most of the name",
    "abbreviation": "an abbreviation the document defines, or the lexicon knows, for this entity",
    "identifier": "the study is named by the same identifier (code or NCT number) in both documents",
    "unlinked": "no lexicon entry: the same normalised name gives the same key in every document",
    "override": "forced by a curator override (ontology/curation/overrides.tsv)",
    "override-split": "kept apart by a curator override (ontology/curation/overrides.tsv)",
}


# ------------------------------------------------------------------------- overrides


@dataclass(frozen=True, slots=True)
class Override:
    mention: str  # NFKC-normalised name as written, or a linker key
    kind: str
    key: str  # the key to force, or "split"


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_overrides(text: str) -> tuple[Override, ...]:
    """Rows of the override file; a malformed row raises ValueError with its line number
    (a curator's typo must not silently change the graph)."""
    out: list[Override] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if cells[:3] == ["mention", "kind", "key"]:
            continue
        if len(cells) != 3 or not all(cells):
            raise ValueError(f"overrides line {n}: expected mention<TAB>kind<TAB>key")
        if cells[1] not in KINDS:
            raise ValueError(f"overrides line {n}: unknown kind {cells[1]!r}")
        out.append(Override(_norm(cells[0]), cells[1], cells[2]))
    return tuple(out)


def overrides_path() -> Path:
    from extract.resources import ontology_dir

    return ontology_dir() / "curation" / "overrides.tsv"


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[Override, ...]:
    return parse_overrides(Path(path).read_text(encoding="utf-8"))


def load_overrides(path: Path | None = None) -> tuple[Override, ...]:
    """The override file (none when it does not exist), cached until it changes."""
    p = path or overrides_path()
    if not p.is_file():
        return ()
    return _load(str(p), p.stat().st_mtime)


def apply_overrides(links: dict[Mention, Link],
                    overrides: tuple[Override, ...] | None = None) -> dict[Mention, Link]:
    """The linker's links with the curator's decisions applied (matched by name as written,
    then by the key the linker gave)."""
    rules = load_overrides() if overrides is None else overrides
    if not rules:
        return links
    by_name = {(o.kind, o.mention): o for o in rules}
    return {m: _override_one(m, lk, by_name) for m, lk in links.items()}


def _override_one(mention: Mention, lk: Link, by_name: dict[tuple[str, str], Override]) -> Link:
    bare_key = lk.key.removeprefix(lk.kind + "/")
    rule = (by_name.get((mention.kind, _norm(mention.text))) or by_name.get((lk.kind, lk.key))
            or by_name.get((lk.kind, bare_key)))
    if rule is None:
        return lk
    written = ((mention.lang, mention.text.strip()),)
    if rule.key == "split":
        digest = hashlib.sha1(_norm(mention.text).encode("utf-8")).hexdigest()[:12]
        prefix = "study/" if mention.kind == "study" else ""
        return Link(key=f"{prefix}split-{digest}", kind=mention.kind, labels=written,
                    method="override-split", score=1.0, unlinked=True)
    key = rule.key
    if mention.kind == "study" and not key.startswith("study/"):
        key = "study/" + key
    if lk.key == key:
        labels, alt = lk.labels, lk.alt_labels
    elif mention.kind == "study":  # a study is labelled by its code; the name stays an alt label
        labels, alt = ((mention.lang, key.removeprefix("study/")),), written
    elif lk.unlinked:  # the name the linker read from the mention itself (a brand without its strength)
        labels, alt = lk.labels, ()
    else:  # the linker's labels are another entity's: the name as written
        labels, alt = written, ()
    return replace(lk, key=key, labels=labels, alt_labels=alt, method="override", score=1.0,
                   unlinked=False)


# ------------------------------------------------------------------------- explaining


@dataclass(frozen=True, slots=True)
class MergedMention:
    """What one document contributed to an entity."""

    document: str  # file name
    doc_iri: str
    kind: str  # document kind
    names: tuple[str, ...]  # labels as written in that document's graph
    method: str
    score: str

    @property
    def why(self) -> str:
        return WHY.get(self.method, self.method)


@dataclass(frozen=True, slots=True)
class Explanation:
    iri: str
    lexicon_labels: tuple[str, ...]
    mentions: tuple[MergedMention, ...]


_PER_DOC = """
SELECT ?g ?file ?kind ?p ?o WHERE {
  GRAPH ?g { ?e ?p ?o } ?g yk:fileName ?file ; a ?kind .
  FILTER(?kind != yk:SourceDocument)
  FILTER(?p IN (rdfs:label, skos:prefLabel, skos:altLabel, yk:tradeName, yk:studyIdentifier,
                yk:linkMethod, yk:linkScore))
}"""

_LEXICON = "SELECT ?l WHERE { GRAPH ?g { ?e rdfs:label|skos:prefLabel|skos:altLabel ?l } }"


def expand_iri(text: str) -> str:
    """``ykid:product/abecma`` or ``product/abecma`` -> the full IRI."""
    from extract.rdf.namespaces import YKID

    s = text.strip().strip("<>")
    if s.startswith("ykid:"):
        s = s[len("ykid:"):]
    if not s.startswith(("http://", "https://")):
        s = str(YKID) + s
    if any(c in s for c in ' <>"{}'):
        raise ValueError(f"not an IRI: {text!r}")
    return s


def explain_entity(store: "Store", iri: str) -> Explanation:
    from extract.rdf.namespaces import ONTOLOGY_GRAPH, YK

    full = expand_iri(iri)
    rows = store.select(_PER_DOC.replace("?e", f"<{full}>"))
    per_doc: dict[str, dict[str, object]] = {}
    for r in rows:
        d = per_doc.setdefault(r["g"].value, {"file": r["file"].value, "kind": r["kind"].value,
                                              "names": [], "method": "", "score": ""})
        pred = r["p"].value
        if pred == str(YK.linkMethod):
            d["method"] = r["o"].value
        elif pred == str(YK.linkScore):
            d["score"] = r["o"].value
        elif r["o"].value not in d["names"]:  # type: ignore[operator]
            d["names"].append(r["o"].value)  # type: ignore[union-attr]
    lexicon = store.select(_LEXICON.replace("?g", f"<{ONTOLOGY_GRAPH}>").replace("?e", f"<{full}>"))
    mentions = tuple(
        MergedMention(str(d["file"]), g, str(d["kind"]).rsplit("#", 1)[-1],
                      tuple(d["names"]), str(d["method"]), str(d["score"]))  # type: ignore[arg-type]
        for g, d in sorted(per_doc.items(), key=lambda kv: str(kv[1]["file"])))
    return Explanation(full, tuple(sorted({r["l"].value for r in lexicon})), mentions)


def render_explanation(ex: Explanation) -> str:
    lines = [ex.iri]
    if ex.lexicon_labels:
        lines.append("  lexicon entry: " + " | ".join(ex.lexicon_labels))
    else:
        lines.append("  no lexicon entry")
    lines.append(f"  merged from {len(ex.mentions)} document(s):")
    for m in ex.mentions:
        lines.append(f"  - {m.document} [{m.kind}] method={m.method or '?'} score={m.score or '?'}")
        lines.append("      as written: " + " | ".join(m.names))
        lines.append(f"      why: {m.why}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ merge candidates


@dataclass(frozen=True, slots=True)
class StudyCandidate:
    """A study known only by its title (a registry record without an NCT number or sponsor
    code) and a coded study of another document that may be the same: never merged by the
    tool, listed for a curator with the evidence and the override line that would merge them."""

    titled: str  # IRI of the title-keyed study
    title: str
    coded: str  # IRI of the study named by an identifier
    identifiers: tuple[str, ...]
    phase: str
    substances: tuple[str, ...]  # substance IRIs both studies give
    conditions: tuple[str, ...]  # condition IRIs both give (the coded side: its product's indications)
    countries: tuple[str, ...]

    @property
    def override_line(self) -> str:
        """The overrides.tsv row that merges the two (the title-keyed study's key as mention)."""
        key = self.titled.rsplit("/", 1)[-1]
        return f"{key}\tstudy\tstudy/{self.coded.rsplit('/', 1)[-1]}"


# A title-keyed study and a coded study of another graph with the same phase and an active
# substance in common (its intervention, or the substance of the product it studies); conditions
# and countries in common are reported as further evidence. Identifiers always win: two coded
# studies are never candidates, and a pair already merged is one IRI, so it does not appear.
_CANDIDATES = """
SELECT ?a ?title ?b ?phase
       (GROUP_CONCAT(DISTINCT STR(?id); separator="\u001f") AS ?ids)
       (GROUP_CONCAT(DISTINCT STR(?sub); separator="\u001f") AS ?subs)
       (GROUP_CONCAT(DISTINCT STR(?cond); separator="\u001f") AS ?conds)
       (GROUP_CONCAT(DISTINCT STR(?country); separator="\u001f") AS ?countries)
WHERE {
  GRAPH ?ga { ?a a yk:ClinicalStudy ; yk:linkMethod "unlinked" ; yk:phase ?phase ;
                 yk:intervention ?sub . OPTIONAL { ?a yk:studyTitle ?title } }
  GRAPH ?gb { ?b a yk:ClinicalStudy ; yk:studyIdentifier ?id ; yk:phase ?phase . }
  FILTER(?ga != ?gb && ?a != ?b)
  { GRAPH ?gs { ?b yk:intervention ?sub } }
  UNION
  { GRAPH ?gs { ?b yk:studiesProduct ?prod } GRAPH ?gp { ?prod yk:hasActiveSubstance ?sub } }
  OPTIONAL {
    GRAPH ?ga { ?a yk:condition ?cond }
    { GRAPH ?gc { ?b yk:condition ?cond } }
    UNION
    { GRAPH ?gb { ?b yk:studiesProduct ?p2 } GRAPH ?gc { ?ind a yk:Indication ; yk:product ?p2 ; yk:disease ?cond } }
  }
  OPTIONAL { GRAPH ?ga { ?a yk:country ?country } GRAPH ?gd { ?b yk:country ?country } }
}
GROUP BY ?a ?title ?b ?phase
ORDER BY ?a ?b"""


def study_candidates(store: "Store") -> list[StudyCandidate]:
    """Pairs a curator may want to merge (see ``StudyCandidate``), most evidence first."""
    def split(r: dict, name: str) -> tuple[str, ...]:
        v = r.get(name)
        return tuple(sorted(x for x in v.value.split("\u001f") if x)) if v is not None else ()

    out = [StudyCandidate(r["a"].value, r["title"].value if r.get("title") is not None else "",
                          r["b"].value, split(r, "ids"), r["phase"].value, split(r, "subs"),
                          split(r, "conds"), split(r, "countries"))
           for r in store.select(_CANDIDATES)]
    return sorted(out, key=lambda c: (c.titled, -len(c.conditions) - len(c.countries), c.coded))


def render_candidates(found: list[StudyCandidate]) -> str:
    if not found:
        return "no candidate merges: every title-keyed study lacks a coded study with its phase and substance\n"
    lines = []
    for c in found:
        lines += [f"{c.titled}", f"  title: {c.title}", f"  may be {c.coded} ({', '.join(c.identifiers)})",
                  f"  same phase: {c.phase}; same substance: {', '.join(_local(x) for x in c.substances)}",
                  "  same conditions: " + (", ".join(_local(x) for x in c.conditions) or "none stated on both"),
                  "  same countries: " + (", ".join(c.countries) or "none stated on both"),
                  "  to merge, add to ontology/curation/overrides.tsv and re-ingest:",
                  "    " + c.override_line.replace("\t", "<TAB>")]
    return "\n".join(lines) + "\n"


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


__all__ = ["apply_overrides", "parse_overrides", "load_overrides", "Override", "explain_entity",
           "render_explanation", "Explanation", "MergedMention", "expand_iri", "WHY",
           "StudyCandidate", "study_candidates", "render_candidates"]
