"""Map every mention of an extraction result to a stable, shared entity key.

Mentions are names as written (``サイトカイン放出症候群``, ``Cytokine release syndrome``,
``ルンスミオ®点滴静注1mg``); the linker turns them into keys the graph builder makes IRIs
from (``ykid:<kind>/<key>``), so that facts from different documents and languages join.

Concepts go through a cascade, first hit wins, each step recorded as ``Link.method``:

1. ``exact``: a preferred label or synonym of the lexicon, as written;
2. ``normalized``: NFKC, case, spelling (haemorrhage/hemorrhage) and suffix (症/数) variants;
3. ``sudachi``: SudachiPy normalised forms (mode C), for Japanese orthographic variants;
4. ``phrase``: a spaCy PhraseMatcher finds a known concept inside a longer mention
   (``神経学的事象(…症候群含む)``); concepts named in parentheses go to ``Link.includes``;
5. ``abbreviation``: an abbreviation the document defines (``…症候群(以下、「CRS」)``,
   ``cytokine release syndrome (CRS)``), then one the lexicon knows.

A concept nobody knows is kept: ``unlinked=True`` with a key derived from its normalised
label, so the same unknown term still joins across documents and ``gaps()`` lists it.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from extract.model import Document, ExtractionResult, Lang, Link, Mention, StudyFact
from extract.normalize.lexicon import Entry, Lexicon, label_lang, normalize_label

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher
    from spacy.language import Language

SCORES = {"exact": 1.0, "normalized": 0.95, "sudachi": 0.9, "abbreviation": 0.85,
          "phrase": 0.8, "identifier": 1.0, "stem": 0.9, "unlinked": 0.0}


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped in ``ontology/lexicon`` (loaded once per process)."""
    return Lexicon.load()


def warm_up(lexicon: Lexicon | None = None) -> None:
    """Build the cached matchers now (Sudachi, spaCy for both languages: seconds, once per
    process), so that a batch or a benchmark does not charge them to its first document."""
    lx = lexicon if lexicon is not None else default_lexicon()
    _sudachi_index(lx, "concept")
    for lang in ("ja", "en"):
        _phrase_matcher(lx, lang)  # type: ignore[arg-type]


def link(result: ExtractionResult, doc: Document | None = None,
         lexicon: Lexicon | None = None) -> dict[Mention, Link]:
    """A Link for every mention of ``result`` (``doc`` lets it learn the document's own
    abbreviations)."""
    lx = lexicon if lexicon is not None else default_lexicon()
    abbreviations = learn_abbreviations(doc.text, lx) if doc is not None else {}
    studies = StudyIndex.from_facts(result.studies)
    from extract.explain import apply_overrides  # curator overrides (ontology/curation/overrides.tsv)

    mentions = result.mentions() | _untitled_studies(result, doc)
    return apply_overrides({m: link_mention(m, lx, abbreviations, studies) for m in mentions})


def _untitled_studies(result: ExtractionResult, doc: Document | None) -> set[Mention]:
    """A study named by no code or alias (a registry record without an NCT number) is known
    by its title: an unlinked key a curator can map to the study in overrides.tsv."""
    return {Mention(sf.title, doc.lang if doc is not None else label_lang(sf.title), "study")
            for sf in result.studies if not sf.identifiers and not sf.aliases and sf.title}


def link_mention(mention: Mention, lexicon: Lexicon,
                 abbreviations: dict[str, str] | None = None,
                 studies: "StudyIndex | None" = None) -> Link:
    """The decision for one mention (see the module docstring for the order of steps)."""
    if mention.kind == "concept":
        return link_concept(mention, lexicon, abbreviations or {})
    if mention.kind == "study":
        return (studies or StudyIndex({}, {})).link(mention)
    return link_entity(mention, lexicon)


# ------------------------------------------------------------------------- concepts


def _from_entry(entry: Entry, mention: Mention, method: str, *,
                includes: tuple[str, ...] = (), score: float | None = None) -> Link:
    """A lexicon-backed link: both preferred labels, the variants, and the mention as
    written when it is a plain variant of the name (not for phrase or abbreviation hits)."""
    alt = list(entry.alt_labels)
    written = (mention.lang, mention.text.strip())
    if method in ("normalized", "sudachi", "stem") and written not in entry.labels \
            and written not in alt:
        alt.append(written)
    return Link(key=entry.id, kind=entry.kind, labels=entry.labels, alt_labels=tuple(alt),
                method=method, score=SCORES[method] if score is None else score,
                codes=entry.codes, includes=includes)


def _single(entries: list[Entry]) -> Entry | None:
    """A match only when it is unambiguous."""
    return entries[0] if len(entries) == 1 else None


def match_name(kind: str, text: str, lang: Lang, lexicon: Lexicon) -> tuple[Entry, str] | None:
    """Steps 1–3 (exact, normalised, Sudachi) for one name; None when nothing or several match."""
    if hit := _single(lexicon.exact(kind, text)):
        return hit, "exact"
    if hit := _single(lexicon.normalized(kind, text)):
        return hit, "normalized"
    if lang == "ja" or label_lang(text) == "ja":
        key = sudachi_key(text)
        if key and (hit := _single(_sudachi_index(lexicon, kind).get(key, []))):
            return hit, "sudachi"
    return None


def link_concept(mention: Mention, lexicon: Lexicon, abbreviations: dict[str, str]) -> Link:
    text = mention.text.strip()
    found = match_name("concept", text, mention.lang, lexicon)
    if found:
        return _from_entry(found[0], mention, found[1])
    phrase = phrase_match(text, label_lang(text), lexicon)  # by script: 「Infusion reaction」 in a ja text
    if phrase:
        entry, included, coverage = phrase
        return _from_entry(entry, mention, "phrase", includes=included,
                           score=round(SCORES["phrase"] * coverage, 3))
    if text in abbreviations:
        return _link_defined_abbreviation(mention, abbreviations[text], lexicon)
    if hit := _single(lexicon.abbreviation("concept", text)):
        return _from_entry(hit, mention, "abbreviation")
    return unlinked(mention)


def _link_defined_abbreviation(mention: Mention, expansion: str, lexicon: Lexicon) -> Link:
    """An abbreviation the document defined: link its expansion; keep the abbreviation as
    an alternative label. An unknown expansion still gives one shared unlinked key."""
    lang = label_lang(expansion)
    found = match_name("concept", expansion, lang, lexicon)
    if found:
        return _from_entry(found[0], mention, "abbreviation")
    base = unlinked(Mention(expansion, lang, "concept"))
    return Link(key=base.key, kind="concept", labels=base.labels,
                alt_labels=((label_lang(mention.text), mention.text),), method="abbreviation",
                score=0.5, unlinked=True)


def unlinked(mention: Mention) -> Link:
    """A concept (or other entity) the lexicon does not know, keyed by its normalised label."""
    return Link(key=unlinked_key(mention.text, mention.lang), kind=mention.kind,
                labels=((mention.lang, mention.text.strip()),), method="unlinked",
                score=SCORES["unlinked"], unlinked=True)


def unlinked_key(text: str, lang: Lang) -> str:
    digest = hashlib.sha1(normalize_label(text, lang).encode("utf-8")).hexdigest()
    return "x-" + digest[:12]


# ------------------------------------------------------------------------- Sudachi


@functools.lru_cache(maxsize=1)
def _sudachi_tokenizer():  # type: ignore[no-untyped-def]
    from sudachipy import Dictionary, SplitMode
    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def sudachi_key(text: str) -> str:
    """The normalised form of a Japanese name: Sudachi mode C normalized_form of each token,
    then ``normalize_label``. Input is one name (far below Sudachi's ~49 KB limit)."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return ""
    tokens = _sudachi_tokenizer().tokenize(s[:4000])
    return normalize_label("".join(t.normalized_form() for t in tokens), "ja")


def kana_reading(text: str) -> str:
    """How a Japanese name is read, in hiragana (Sudachi's reading of each token): checks a
    reading printed beside the name (a patient guide's ふりがな)."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return ""
    katakana = "".join(t.reading_form() for t in _sudachi_tokenizer().tokenize(s[:4000]))
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in katakana)


@functools.lru_cache(maxsize=8)
def _sudachi_index(lexicon: Lexicon, kind: str) -> dict[str, list[Entry]]:
    index: dict[str, list[Entry]] = {}
    for e in lexicon.of_kind(kind):
        for name in e.names():
            if label_lang(name) == "ja":
                bucket = index.setdefault(sudachi_key(name), [])
                if e not in bucket:
                    bucket.append(e)
    return index


# ------------------------------------------------------------------------- spaCy


@dataclass(frozen=True)
class _Matcher:
    nlp: "Language"
    matcher: "PhraseMatcher"
    entries: tuple[Entry, ...]


def _phrase_text(text: str, lang: Lang) -> str:
    """What the matcher sees: NFKC; English lower-cased with spelling normalised; Japanese
    without spaces (PDF text breaks Japanese words with stray spaces)."""
    if lang == "en":
        return normalize_label(text, "en")
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _pattern_texts(lexicon: Lexicon, lang: Lang) -> dict[int, set[str]]:
    """The phrase patterns as strings, per entry index (what the matcher is built from)."""
    out: dict[int, set[str]] = {}
    for i, e in enumerate(lexicon.of_kind("concept")):
        names = {_phrase_text(n, lang) for n in e.names() if label_lang(n) == lang}
        if lang == "ja":
            names |= {normalize_label(n, "ja") for n in e.names() if label_lang(n) == "ja"}
        out[i] = {n for n in names if n}
    return out


@functools.lru_cache(maxsize=4)
def _pattern_strings(lexicon: Lexicon, lang: Lang) -> tuple[str, ...]:
    return tuple(sorted({n for names in _pattern_texts(lexicon, lang).values() for n in names}))


def _may_contain_concept(text: str, lang: Lang, lexicon: Lexicon) -> bool:
    """A cheap substring test that a token match needs, so spaCy (seconds to import) is
    loaded only when a phrase match is possible."""
    seen = _phrase_text(text, lang)
    return any(p in seen for p in _pattern_strings(lexicon, lang))


@functools.lru_cache(maxsize=4)
def _phrase_matcher(lexicon: Lexicon, lang: Lang) -> _Matcher:
    """One PhraseMatcher per language over every concept name, built once."""
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank(lang)
    matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    entries = tuple(lexicon.of_kind("concept"))
    for i, names in _pattern_texts(lexicon, lang).items():
        if names:
            matcher.add(str(i), [nlp.make_doc(n) for n in sorted(names)])
    return _Matcher(nlp, matcher, entries)


_PAREN = re.compile(r"\([^()]*\)")
# Disease-course qualifiers that do not change the concept (再発又は難治性の多発性骨髄腫 is
# multiple myeloma): left out when measuring how much of a mention the concept covers.
_QUALIFIERS = re.compile(r"再発(?:又は|または)難治性の?|難治性の?|再発の?|"
                         r"relapsed(?: or |/)refractory|relapsed|refractory")


def phrase_match(text: str, lang: Lang, lexicon: Lexicon,
                 min_coverage: float = 0.5) -> tuple[Entry, tuple[str, ...], float] | None:
    """A known concept inside a longer mention: the longest match outside parentheses is
    the concept, matches inside parentheses are included sub-concepts. None unless the
    concept covers at least ``min_coverage`` of the text outside parentheses, so a long
    sentence that merely names a concept is not mistaken for it."""
    if not _may_contain_concept(text, lang, lexicon):
        return None
    from spacy.tokens import Span
    from spacy.util import filter_spans

    m = _phrase_matcher(lexicon, lang)
    doc = m.nlp.make_doc(_phrase_text(text, lang))
    hits = filter_spans([Span(doc, s, e, label=mid) for mid, s, e in m.matcher(doc)])
    if not hits:
        return None
    inside = [(a.start(), a.end()) for a in _PAREN.finditer(doc.text)]

    def in_parens(sp: object) -> bool:
        return any(a <= sp.start_char and sp.end_char <= b for a, b in inside)  # type: ignore[attr-defined]

    outer = [sp for sp in hits if not in_parens(sp)]
    if not outer:
        return None
    main = max(outer, key=lambda sp: len(sp.text))
    outside = len(_QUALIFIERS.sub("", _PAREN.sub("", doc.text)).replace(" ", ""))
    coverage = len(main.text.replace(" ", "")) / max(outside, 1)
    if coverage < min_coverage:
        return None
    entry = m.entries[int(main.label_)]
    included = tuple(dict.fromkeys(m.entries[int(sp.label_)].id for sp in hits
                                   if in_parens(sp) and m.entries[int(sp.label_)].id != entry.id))
    return entry, included, min(coverage, 1.0)


# ------------------------------------------------------------------------- abbreviations

_JA_DEF = re.compile(r"[(（]\s*以下[、,]?\s*[「『]\s*([^」』()（）]{1,20}?)\s*[」』]"
                     r"\s*(?:という|と略す|と記載する)?\s*[)）]")
_EN_DEF = re.compile(r"\(\s*([A-Z][A-Za-z0-9\-]{1,11})\s*\)")
_JA_BEFORE = re.compile(r"[^\s()（）「」『』、。,:;]{2,60}$")
_EN_BEFORE = re.compile(r"[A-Za-z0-9'\- ]{2,150}$")
_JA_TAIL = re.compile(r"[\u30a0-\u30ff\u3400-\u9fffA-Za-z0-9\-γ]+$")


def learn_abbreviations(text: str, lexicon: Lexicon) -> dict[str, str]:
    """Abbreviations a document defines, abbreviation -> expansion as written.

    Finds each definition (``(以下、「CRS」という)``, ``(CRS)``) and looks at the text just
    before it (line breaks removed: PDF text breaks lines inside words). The expansion is
    the longest tail of that text that is a lexicon name starting with the abbreviation's
    first letter (English) ; failing that, for Japanese, the noun compound ending there
    (the run of kanji/katakana after the last hiragana), for English, the words whose
    initials spell the abbreviation. Undecidable definitions are skipped."""
    found: dict[str, str] = {}
    for m in _JA_DEF.finditer(text):
        abbr = m.group(1).strip()
        before = _JA_BEFORE.search(_unbreak(text[max(0, m.start() - 120):m.start()], "ja"))
        if not before:
            continue
        expansion = _known_tail(before.group(0), lexicon) or _ja_compound(before.group(0))
        if expansion and abbr != expansion:
            found.setdefault(abbr, expansion)
    for m in _EN_DEF.finditer(text):
        abbr = m.group(1)
        before = _EN_BEFORE.search(_unbreak(text[max(0, m.start() - 200):m.start()], "en"))
        if not before:
            continue
        expansion = _known_tail(before.group(0), lexicon, abbr=abbr) or _initials(before.group(0), abbr)
        if expansion:
            found.setdefault(abbr, expansion)
    return found


def _unbreak(s: str, lang: Lang) -> str:
    """Rejoin text broken across lines: ``leukemia-\nlymphoma`` -> ``leukemia-lymphoma``."""
    s = re.sub(r"-[ \t]*\n\s*", "-", s.rstrip())
    return re.sub(r"\s*\n\s*", "" if lang == "ja" else " ", s)


def _known_tail(before: str, lexicon: Lexicon, abbr: str | None = None) -> str | None:
    """The longest tail of ``before`` that is one lexicon concept; for an English
    abbreviation the tail must start with its first letter and have at least as many words
    as it has letters less one (``lymphoma`` is not ``ATLL``)."""
    if abbr is not None:
        parts = before.split()
        tails = [" ".join(parts[i:]) for i in range(len(parts))]
        letters = [c for c in abbr if c.isalpha()]
        tails = [t for t in tails if t[:1].lower() == letters[0].lower()
                 and len(re.split(r"[\s\-]+", t)) >= len(letters) - 1]
    else:
        tails = [before[i:] for i in range(len(before) - 1)]
    for tail in tails:  # longest first
        if _single(lexicon.normalized("concept", tail)):
            return tail.strip()
    return None


def _ja_compound(before: str) -> str | None:
    m = _JA_TAIL.search(before)
    return m.group(0) if m and len(m.group(0)) >= 2 else None


def _initials(before: str, abbr: str) -> str | None:
    letters = [c.lower() for c in abbr if c.isalpha()]
    words = before.split()
    for n in range(len(letters), max(len(letters) - 3, 0), -1):
        if n > len(words):
            continue
        tail = words[-n:]
        initials = [p[0].lower() for w in tail for p in re.split(r"-", w) if p]
        if initials == letters or [w[0].lower() for w in tail] == letters:
            return " ".join(tail)
    return None


# ------------------------------------------------------------------------- entities

_STRIP_SUBSTANCE = re.compile(
    r"\s*[(（]\s*(?:遺伝子組換え|無水物換算|JAN\*?|INN|genetical recombination)\s*[)）]"
    r"|\s*(?:水和物|一水和物|塩酸塩|リン酸エステル|ナトリウム塩|メシル酸塩)$"
    r"|\s+(?:hydrate|monohydrate|hydrochloride|phosphate|sodium|mesylate|\(genetical recombination\))$",
    re.IGNORECASE)
_STRENGTH = re.compile(r"[\s,]*\d[\d.,]*\s*(?:mg|μg|µg|g|mL|ml|単位|units?|%|万|億).*$", re.IGNORECASE)
_FORMS = ("点滴静注用", "点滴静注液", "点滴静注", "静注用", "皮下注用", "皮下注", "注射液", "注射用",
          "注", "カプセル", "錠", "細粒", "顆粒", "散", "内用液", "for intravenous infusion",
          "intravenous infusion", "for injection", "injection", "subcutaneous", "capsules",
          "capsule", "tablets", "tablet", "for infusion", "infusion")
_CORPORATE = re.compile(r"(?:株式会社|\(株\)|co\.,?\s*ltd\.?|k\.\s*k\.|inc\.?|corporation|ltd\.?|company)",
                        re.IGNORECASE)


def substance_stem(text: str) -> str:
    """A substance name without salt, hydrate and ``(遺伝子組換え)`` qualifiers."""
    s = unicodedata.normalize("NFKC", text).strip()
    prev = None
    while prev != s:
        prev, s = s, _STRIP_SUBSTANCE.sub("", s).strip()
    return s


def brand_stem(text: str) -> str:
    """A brand without ®, strength and dosage-form words (``ルンスミオ®点滴静注1mg`` ->
    ``ルンスミオ``; ``Revlimid Capsules 2.5 mg`` -> ``Revlimid``)."""
    s = unicodedata.normalize("NFKC", text).replace("®", "").replace("™", "").strip()
    s = _STRENGTH.sub("", s).strip()
    bare = re.sub(r"\s*\d[\d.,]*$", "", s)  # サレドカプセル100: a strength without its unit
    if bare != s and bare.lower().endswith(_FORMS):
        s = bare
    changed = True
    while changed:
        changed = False
        for form in _FORMS:
            if s.lower().endswith(form) and len(s) > len(form):
                s, changed = s[: -len(form)].strip(" ,"), True
    return s


def organization_stem(text: str) -> str:
    return re.sub(r"\s{2,}", " ", _CORPORATE.sub("", unicodedata.normalize("NFKC", text))).strip(" ,.")


def _slug(text: str) -> str | None:
    """An ASCII slug for an English name, or None when the name is not plain ASCII."""
    s = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKC", text).lower()).strip("-")
    return s if s and text.isascii() else None


_STEMS = {"substance": substance_stem, "product": brand_stem, "organization": organization_stem}


def link_entity(mention: Mention, lexicon: Lexicon) -> Link:
    """Products, substances and organisations: the name, then its stem, via the lexicon;
    an unknown one keeps a deterministic key (an ASCII slug of its stem, else a hash)."""
    kind = mention.kind
    found = match_name(kind, mention.text.strip(), mention.lang, lexicon)
    stem = _STEMS[kind](mention.text)
    if not found and stem:
        hit = match_name(kind, stem, mention.lang, lexicon)
        found = (hit[0], "stem") if hit else None
    if found:
        return _from_entry(found[0], mention, found[1])
    if hit := _single(lexicon.abbreviation(kind, mention.text)):
        return _from_entry(hit, mention, "abbreviation")
    key = _slug(stem or mention.text) or unlinked_key(stem or mention.text, mention.lang)
    return Link(key=key, kind=kind, labels=((mention.lang, (stem or mention.text).strip()),),
                alt_labels=((mention.lang, mention.text.strip()),) if stem != mention.text.strip() else (),
                method="unlinked", score=SCORES["unlinked"], unlinked=True)


# ------------------------------------------------------------------------- studies


def study_norm(text: str) -> str:
    """``Study ATLL-002`` / ``ATLL-002試験`` / ``atll-002`` -> ``ATLL-002``."""
    s = unicodedata.normalize("NFKC", text).strip()
    s = re.sub(r"^(?:the\s+)?(?:study|trial)\s+", "", s, flags=re.IGNORECASE)
    s = re.sub(r"\s*(?:試験|study|trial)$", "", s, flags=re.IGNORECASE)
    return re.sub(r"\s+", "", s).upper()


_CODE = re.compile(r"^(?:NCT\d{8}|[A-Z0-9]+(?:[-/][A-Z0-9]+)+)$")


@dataclass(frozen=True)
class StudyIndex:
    """Normalised identifiers and aliases of the result's StudyFacts -> canonical key."""

    keys: dict[str, str]
    names: dict[str, tuple[str, ...]]

    @classmethod
    def from_facts(cls, studies: Iterable[StudyFact]) -> "StudyIndex":
        keys: dict[str, str] = {}
        names: dict[str, tuple[str, ...]] = {}
        for sf in studies:
            ids = [study_norm(i) for i in sf.identifiers if i.strip()]
            pool = ids or [study_norm(a) for a in sf.aliases if a.strip()]
            if not pool:
                continue
            key = "study/" + max(pool, key=lambda s: (len(s), s))
            names[key] = tuple(dict.fromkeys((*sf.identifiers, *sf.aliases)))
            for n in (*sf.identifiers, *sf.aliases):
                keys.setdefault(study_norm(n), key)
        return cls(keys, names)

    def link(self, mention: Mention) -> Link:
        norm = study_norm(mention.text)
        key = self.keys.get(norm)
        method, score = "identifier", 1.0
        if key is None:  # a short form of exactly one code: MM-001 for BB2121-MM-001
            tails = {k for n, k in self.keys.items() if n.endswith("-" + norm)}
            key, score = (tails.pop(), 0.8) if len(tails) == 1 else (None, 0.0)
        if key is not None:
            code = key.split("/", 1)[1]
            alts = tuple((label_lang(n), n) for n in self.names.get(key, ()) if n != code)
            return Link(key=key, kind="study", labels=((mention.lang, code),), alt_labels=alts,
                        method=method, score=score)
        if _CODE.match(norm):
            return Link(key="study/" + norm, kind="study", labels=((mention.lang, norm),),
                        method="identifier", score=0.7)
        return Link(key="study/" + unlinked_key(mention.text, mention.lang), kind="study",
                    labels=((mention.lang, mention.text.strip()),), method="unlinked",
                    score=0.0, unlinked=True)


# ------------------------------------------------------------------------- gaps


@dataclass(frozen=True, slots=True)
class Gap:
    """An unlinked entity for a curator: kind, key, and the label(s) as written."""

    kind: str
    key: str
    labels: tuple[tuple[Lang, str], ...]


def gaps(links: dict[Mention, Link] | Iterable[Link]) -> list[Gap]:
    """Unlinked concepts, substances, products and organisations, one per key, sorted."""
    values = links.values() if isinstance(links, dict) else links
    seen: dict[tuple[str, str], Gap] = {}
    for lk in values:
        if lk.unlinked and lk.kind != "study":
            seen.setdefault((lk.kind, lk.key), Gap(lk.kind, lk.key, lk.labels))
    return sorted(seen.values(), key=lambda g: (g.kind, g.labels, g.key))


__all__ = ["link", "link_mention", "link_concept", "link_entity", "learn_abbreviations",
           "brand_stem", "substance_stem", "study_norm", "gaps", "Gap", "StudyIndex",
           "default_lexicon", "unlinked_key", "warm_up"]
