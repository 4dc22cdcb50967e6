"""The bilingual lexicon: records curated by people in ``ontology/lexicon/*.tsv``.

Each record is one entity the project knows by name in English and Japanese: a medical
concept (disease, adverse event / risk, laboratory parameter, route, regulatory term), a
substance (INN), a product (brand) or an organisation. The linker matches mentions against
these records; ``Lexicon.to_graph()`` publishes them as a SKOS concept scheme so that every
known concept carries both ``@en`` and ``@ja`` labels whichever document named it.

File format (tab-separated, header row, ``|`` between repeated values)::

    id  type  pref_en  pref_ja  synonyms  abbreviations  codes
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from extract.model import Lang, MentionKind

if TYPE_CHECKING:
    from rdflib import Graph

COLUMNS = ("id", "type", "pref_en", "pref_ja", "synonyms", "abbreviations", "codes")

CONCEPT_TYPES = frozenset({"disease", "adverse-event", "lab-parameter", "route", "unit",
                           "regulatory-term"})
ENTITY_TYPES = frozenset({"substance", "product", "organization"})
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_JA_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def label_lang(text: str) -> Lang:
    """``ja`` when the label holds any kana or kanji, else ``en``."""
    return "ja" if _JA_SCRIPT.search(text) else "en"


# ------------------------------------------------------------------------- normalisation

_EN_SPELLING = ((re.compile(r"tumour"), "tumor"), (re.compile(r"ae"), "e"),
                (re.compile(r"oe"), "e"), (re.compile(r"isation"), "ization"))
_JA_VARIANTS = (("タンパク", "蛋白"), ("たん白", "蛋白"), ("瘙痒", "そう痒"), ("掻痒", "そう痒"),
                ("せん妄", "譫妄"), ("ガンマ", "γ"), ("及び", "および"), ("ならびに", "および"))
_DROP = re.compile(r"[\s\-‐‑–—・･/,、.'’]+")


def normalize_label(text: str, lang: Lang | None = None) -> str:
    """A matching key tolerant of the spellings documents really use.

    NFKC, case, whitespace and hyphens; British/American spelling (haemorrhage/hemorrhage,
    tumour/tumor); for Japanese, the 症 / 数 suffix variants (血小板減少 / 血小板減少症 /
    血小板数減少) and common kana/kanji variants (タンパク/蛋白)."""
    s = unicodedata.normalize("NFKC", text).lower().replace("®", "").replace("™", "")
    lang = lang or label_lang(s)
    if lang == "en":
        for pattern, repl in _EN_SPELLING:
            s = pattern.sub(repl, s)
    else:
        for old, new in _JA_VARIANTS:
            s = s.replace(old, new)
        s = s.replace("数減少", "減少").replace("数増加", "増加")
        if s.endswith("症") and len(s) > 2:
            s = s[:-1]
    return _DROP.sub("", s) if lang == "ja" else _DROP.sub(" ", s).strip()


# ------------------------------------------------------------------------- records


def _split(cell: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in cell.split("|") if v.strip())


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon record: stable slug id, type, preferred labels, variants, codes."""

    id: str
    type: str
    pref_en: str
    pref_ja: str
    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _SLUG.match(self.id):
            raise ValueError(f"lexicon id {self.id!r} is not a lower-case ASCII slug")
        if self.type not in CONCEPT_TYPES | ENTITY_TYPES:
            raise ValueError(f"lexicon {self.id}: unknown type {self.type!r}")
        if not self.pref_en or not self.pref_ja:
            raise ValueError(f"lexicon {self.id}: both pref_en and pref_ja are required")

    @property
    def kind(self) -> MentionKind:
        """The mention kind this record links: concept, substance, product or organization."""
        if self.type in CONCEPT_TYPES:
            return "concept"
        return self.type  # type: ignore[return-value]

    @property
    def labels(self) -> tuple[tuple[Lang, str], ...]:
        return (("en", self.pref_en), ("ja", self.pref_ja))

    @property
    def alt_labels(self) -> tuple[tuple[Lang, str], ...]:
        return tuple((label_lang(s), s) for s in (*self.synonyms, *self.abbreviations))

    def names(self) -> tuple[str, ...]:
        """Every full name (preferred labels and synonyms; not abbreviations)."""
        return (self.pref_en, self.pref_ja, *self.synonyms)


def read_tsv(path: Path) -> list[Entry]:
    """Read one lexicon file; a malformed row raises ValueError naming file and line."""
    entries: list[Entry] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != COLUMNS:
        raise ValueError(f"{path}: header must be {' '.join(COLUMNS)}")
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            raise ValueError(f"{path}:{n}: expected {len(COLUMNS)} columns, got {len(cells)}")
        try:
            entries.append(Entry(cells[0], cells[1], cells[2], cells[3], _split(cells[4]),
                                 _split(cells[5]), _split(cells[6])))
        except ValueError as err:
            raise ValueError(f"{path}:{n}: {err}") from err
    return entries


# ------------------------------------------------------------------------- lexicon


@dataclass(frozen=True, eq=False)
class Lexicon:
    """All records, indexed by exact name, normalised name and abbreviation (per kind).
    Compared and hashed by identity, so matchers built from it can be cached."""

    entries: tuple[Entry, ...]
    _by_id: dict[str, Entry] = field(default_factory=dict, repr=False, compare=False)
    _exact: dict[tuple[str, str], list[Entry]] = field(default_factory=dict, repr=False,
                                                      compare=False)
    _normal: dict[tuple[str, str], list[Entry]] = field(default_factory=dict, repr=False,
                                                       compare=False)
    _abbrev: dict[tuple[str, str], list[Entry]] = field(default_factory=dict, repr=False,
                                                       compare=False)

    def __post_init__(self) -> None:
        for e in self.entries:
            if e.id in self._by_id:
                raise ValueError(f"duplicate lexicon id {e.id!r}")
            self._by_id[e.id] = e
            for name in e.names():
                _add(self._exact, (e.kind, name), e)
                _add(self._normal, (e.kind, normalize_label(name)), e)
            for abbr in e.abbreviations:
                _add(self._abbrev, (e.kind, unicodedata.normalize("NFKC", abbr)), e)

    @classmethod
    def load(cls, directory: Path | None = None) -> "Lexicon":
        """Every ``*.tsv`` under ``ontology/lexicon`` (or ``directory``), in name order."""
        if directory is None:
            from extract.resources import ontology_dir
            directory = ontology_dir() / "lexicon"
        entries: list[Entry] = []
        for path in sorted(directory.glob("*.tsv")):
            entries.extend(read_tsv(path))
        return cls(tuple(entries))

    @classmethod
    def from_entries(cls, entries: Iterable[Entry]) -> "Lexicon":
        return cls(tuple(entries))

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    def exact(self, kind: str, text: str) -> list[Entry]:
        """Records whose preferred label or synonym is ``text`` exactly."""
        return list(self._exact.get((kind, text.strip()), []))

    def abbreviation(self, kind: str, text: str) -> list[Entry]:
        """Records with the abbreviation ``text`` (case-sensitive: ``MM`` is not ``mm``)."""
        return list(self._abbrev.get((kind, unicodedata.normalize("NFKC", text.strip())), []))

    def normalized(self, kind: str, text: str) -> list[Entry]:
        """Records whose normalised name equals the normalised ``text``."""
        return list(self._normal.get((kind, normalize_label(text)), []))

    def to_graph(self) -> "Graph":
        """The lexicon as RDF: a ``skos:ConceptScheme`` of ``yk:MedicalConcept``s, plus the
        known substances, products and organisations, each with ``@en`` and ``@ja`` labels."""
        from rdflib import Graph, Literal
        from rdflib.namespace import RDF, RDFS, SKOS

        from extract.rdf.iri import entity_iri
        from extract.rdf.namespaces import PREFIXES, YK, YKID

        g = Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        scheme = YKID["scheme/lexicon"]
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, RDFS.label, Literal("yakuji-kg lexicon", lang="en")))
        g.add((scheme, RDFS.label, Literal("yakuji-kg 用語集", lang="ja")))
        classes = {"concept": YK.MedicalConcept, "substance": YK.Substance,
                   "product": YK.MedicinalProduct, "organization": YK.Organization}
        for e in self.entries:
            node = entity_iri(e.kind, e.id)
            g.add((node, RDF.type, classes[e.kind]))
            for lang, text in e.labels:
                g.add((node, RDFS.label, Literal(text, lang=lang)))
                g.add((node, SKOS.prefLabel, Literal(text, lang=lang)))
            for lang, text in e.alt_labels:
                g.add((node, SKOS.altLabel, Literal(text, lang=lang)))
            if e.kind == "concept":
                g.add((node, RDF.type, SKOS.Concept))
                g.add((node, SKOS.inScheme, scheme))
                g.add((node, YK.conceptType, Literal(e.type)))
            for code in e.codes:
                g.add((node, YK.code, Literal(code)))
                g.add((node, SKOS.notation, Literal(code)))
            g.add((node, YK.lexiconId, Literal(e.id)))
        return g


def _add(index: dict[tuple[str, str], list[Entry]], key: tuple[str, str], e: Entry) -> None:
    bucket = index.setdefault(key, [])
    if e not in bucket:
        bucket.append(e)
