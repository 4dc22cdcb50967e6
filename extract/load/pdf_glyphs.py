"""Glyphs without a Unicode map, judged per font: identified, dropped, or the page is broken.

Why per font: a page of real text often carries a few glyphs its font program does not map
to Unicode (a thin space, a bullet, a digit set in a proportional variant, a decorative
underline from a gaiji font). Counting them per page and discarding the page threw away the
indications and dosage of real package inserts. A font whose mapped characters are real
text keeps its text; only its unmapped glyphs are handled, one by one:

1. identified where the PDF says what they are, and replaced:
   - a list mark of a symbol font (Wingdings, Symbol), by its code in the font's own
     encoding (``SYMBOL_FONTS``: the bullets word processors print);
   - a CID font of a registered Adobe collection (``Adobe-Japan1``…) whose ToUnicode map
     gives a control or private-use character for a CID: the collection's own character for
     that CID (``RyuminPro-Light`` maps CID 1, the collection's space, to U+0007);
   - in a CID font of a registered collection, pypdfium2's character for the same glyph (the
     one at the same place on the page, when the occurrences agree): pdfium's tables of the
     collections know the proportional and half-width CIDs (``(cid:9873)`` is ``1``) that
     pdfminer's do not. Only there: for a simple font without a map pdfium guesses from an
     encoding (a ※ whose ToUnicode entry was removed came back as †). pdfium is opened only
     for pages that have such glyphs;
2. otherwise dropped and counted in the page's reason
   (``3 glyphs without a Unicode map dropped (font RyuminPro-Light)``). The page stays
   ``ok``, or is ``partial`` when a dropped glyph touches printed characters on both sides:
   it sat inside a word or a value (``G?6?PD``, ``最初?日量``), which now reads wrong.

A font with no usable map (its glyphs are mostly unmapped, or its mapped letters are of
scripts these documents never use) is judged so in one place (``Glyphs._judge``). The CID
fonts without ToUnicode that ``pdf_fonts`` can recover (issue 16) have their map installed
before any page is read, so their glyphs reach this module as characters (or U+FFFD, which
``pdf_fonts`` reports); the rest of such a font's glyphs are dropped when they are a few (a
logo, a gaiji symbol), and the page is broken (``broken``: not text; the loader tries
pypdfium2 and OCR) when they are more than ``MAX_UNMAPPED_SHARE`` of the page's glyphs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

# What a glyph's text is when its font does not map it: pdfminer's (cid:N), private-use
# characters, control characters (pdfium's and some ToUnicode maps' choice).
UNMAPPED = re.compile(r"\(cid:\d+\)|[\ue000-\uf8ff\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_UNMAPPED_SHARE = 0.10  # of a page's glyphs: fonts without a usable map holding more are no text
USABLE_RATIO = 4           # a usable font maps at least this many glyphs per unmapped one …
MIN_MAPPED = 10            # … and at least this many glyphs on the page
MAX_FOREIGN_SHARE = 0.05   # letters from scripts these documents never use, as a share of letters
# First word of the Unicode name of letters that belong in Japanese/English documents.
USUAL_SCRIPTS = frozenset({
    "LATIN", "CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "GREEK", "FULLWIDTH", "HALFWIDTH", "IDEOGRAPHIC",
    "MICRO", "KANGXI", "CIRCLED", "PARENTHESIZED", "SQUARED", "MODIFIER", "FEMININE",
    "MASCULINE", "SCRIPT", "DOUBLE-STRUCK", "BLACK-LETTER", "PLANCK", "ANGSTROM", "KELVIN",
    "OHM", "NUMERO", "MATHEMATICAL", "SMALL", "ROMAN",
})
_COLLECTIONS = ("Adobe-Japan1", "Adobe-GB1", "Adobe-CNS1", "Adobe-Korea1")
# The list marks of the two symbol fonts word processors use for bullets, by their code in the
# fonts' own encoding (pdfminer gives U+F000 + code): identified by the font's name.
SYMBOL_FONTS = {
    "Wingdings": {0x6C: "●", 0x6E: "■", 0x71: "❑", 0x75: "◆", 0x76: "❖", 0x9F: "•", 0xA7: "▪", 0xD8: "➢",
                  0xFC: "✓"},
    "Symbol": {0xB7: "•"},
}
_PDFIUM_HYPHENS = {"\x02": "-", "\ufffe": "-"}  # pdfium's marks for a hyphen ending a line

PdfiumChars = Callable[[], "list[tuple[str, float, float, float, float]] | None"]


def script(ch: str) -> str:
    """The first word of a character's Unicode name (its script, roughly)."""
    return unicodedata.name(ch, "UNKNOWN").split(" ")[0]


def foreign_letters(text: str) -> tuple[list[str], int]:
    """The letters of ``text`` in scripts these documents never use, and the number of letters."""
    letters = [ch for ch in text if ch.isalpha()]
    return [ch for ch in letters if script(ch) not in USUAL_SCRIPTS], len(letters)


@dataclass
class GlyphOutcome:
    """What was done to one page's unmapped glyphs."""

    identified: Counter[str] = field(default_factory=Counter)  # base font name → glyphs replaced
    dropped: Counter[str] = field(default_factory=Counter)  # base font name → glyphs dropped
    in_values: int = 0                                        # dropped glyphs inside a word/value
    broken: str | None = None                                 # the page's text is not text: why

    @property
    def status(self) -> str:
        return "partial" if self.in_values else "ok"

    def note(self) -> str:
        """The page's reason: what was identified and dropped, from which fonts."""
        notes = []
        if self.identified:
            notes.append(f"{_glyphs(self.identified)} without a Unicode map identified (font {_fonts(self.identified)})")
        if self.dropped:
            notes.append(f"{_glyphs(self.dropped)} without a Unicode map dropped (font {_fonts(self.dropped)})"
                         + (f", {self.in_values} inside a word or value" if self.in_values else ""))
        return "; ".join(notes)


def _glyphs(counts: Counter[str]) -> str:
    total = sum(counts.values())
    return f"{total} glyph{'s' if total != 1 else ''}"


def _fonts(counts: Counter[str]) -> str:
    names = sorted(counts)
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def base_name(fontname: Any) -> str:
    """A font's name without its subset tag (``XTDIJO+RyuminPro-Light`` → ``RyuminPro-Light``)."""
    name = fontname.decode("latin1") if isinstance(fontname, bytes) else str(fontname)
    return re.sub(r"^[A-Z]{6}\+", "", name)


class Glyphs:
    """One document's unmapped glyphs: what is known of each font carries over to later pages
    (a font once seen usable stays usable; an identified glyph is replaced everywhere)."""

    def __init__(self) -> None:
        self.usable: set[Any] = set()
        self.known: dict[tuple[Any, str], str] = {}

    def fix(self, page: Any, pdfium_chars: PdfiumChars) -> GlyphOutcome | None:
        """Replace or drop the unmapped glyphs in ``page``'s characters (pdfplumber's cached
        objects, so every later reading of the page sees the result); None when it has none.
        When the outcome is ``broken`` the page's characters are left as they were."""
        chars: list[dict[str, Any]] = page.objects.get("char", [])
        strays = [i for i, c in enumerate(chars) if UNMAPPED.fullmatch(c["text"])]
        if not strays:
            return None
        outcome = GlyphOutcome()
        fonts = self._judge(page, chars, strays)
        texts: dict[int, str] = {}
        unresolved: list[int] = []
        for i in strays:
            char = chars[i]
            key = (char["fontname"], char["text"])
            found = self.known.get(key) or _symbol_char(key[0], key[1])
            if found is None and key[0] in fonts:
                found = _collection_char(_pdfminer_font(page, key[0]), key[1])
                if found is not None:
                    self.known[key] = found
            if found is None:
                unresolved.append(i)
            else:
                texts[i] = found
        if unresolved:
            texts.update(self._ask_pdfium(page, chars, unresolved, fonts, pdfium_chars))
            unresolved = [i for i in unresolved if i not in texts]
        lost = [i for i in unresolved if chars[i]["fontname"] not in fonts]
        visible = sum(1 for c in chars if not c["text"].isspace())
        if len(lost) > MAX_UNMAPPED_SHARE * visible:
            names = sorted({base_name(chars[i]["fontname"]) for i in lost})
            outcome.broken = (f"{len(lost)} of {visible} glyphs in fonts without a usable Unicode map "
                              f"({', '.join(names[:3])}{'…' if len(names) > 3 else ''})")
            return outcome
        drop = set(unresolved)
        outcome.identified.update(base_name(chars[i]["fontname"]) for i in texts)
        outcome.dropped.update(base_name(chars[i]["fontname"]) for i in unresolved)
        outcome.in_values = sum(1 for i in unresolved if _inside_value(chars, i, drop))
        page.objects["char"] = [c if i not in texts else {**c, "text": texts[i]}
                                for i, c in enumerate(chars) if i not in drop]
        return outcome

    def _judge(self, page: Any, chars: list[dict[str, Any]], strays: list[int]) -> set[Any]:
        """The fonts of the page's unmapped glyphs that have a usable map: a CID font mapped
        by its registered collection (no ToUnicode of its own: pdfminer's table of the
        collection maps it), or one most of whose glyphs on the page are mapped, to letters
        of the scripts these documents use."""
        unmapped = Counter(chars[i]["fontname"] for i in strays)
        self.usable.update(name for name in unmapped if _by_collection(_pdfminer_font(page, name)))
        mapped: dict[Any, list[str]] = {name: [] for name in unmapped if name not in self.usable}
        if mapped:
            for c in chars:
                found = mapped.get(c["fontname"])
                if found is not None and not UNMAPPED.fullmatch(c["text"]):
                    found.append(c["text"])
        for name, texts in mapped.items():
            foreign, letters = foreign_letters("".join(texts))
            if len(texts) >= max(MIN_MAPPED, USABLE_RATIO * unmapped[name]) \
                    and len(foreign) <= MAX_FOREIGN_SHARE * letters:
                self.usable.add(name)
        return {name for name in unmapped if name in self.usable}

    def _ask_pdfium(self, page: Any, chars: list[dict[str, Any]], unresolved: list[int], fonts: set[Any],
                    pdfium_chars: PdfiumChars) -> dict[int, str]:
        """pdfium's character for each glyph of a usable font, where every occurrence on the
        page that pdfium reads agrees; learnt for the rest of the document."""
        asked = [i for i in unresolved if chars[i]["fontname"] in fonts
                 and getattr(_pdfminer_font(page, chars[i]["fontname"]), "cidcoding", "") in _COLLECTIONS]
        if not asked:
            return {}
        theirs = pdfium_chars()
        if not theirs:
            return {}
        votes: dict[tuple[Any, str], Counter[str]] = {}
        for i in asked:
            seen = _pdfium_char_at(chars, i, theirs)
            if seen is not None:
                key = (chars[i]["fontname"], chars[i]["text"])
                votes.setdefault(key, Counter())[seen] += 1
        for key, counted in votes.items():
            best, n = counted.most_common(1)[0]
            if 3 * n >= 2 * sum(counted.values()):
                self.known[key] = best
        return {i: self.known[key] for i in asked
                if (key := (chars[i]["fontname"], chars[i]["text"])) in self.known}


def _pdfminer_font(page: Any, fontname: Any) -> Any:
    """pdfminer's font object of that name, as the page's interpreter loaded it (the resource
    manager's cache; pdfminer is pinned), or None."""
    cache = getattr(page.pdf.rsrcmgr, "_cached_fonts", {})
    return next((font for font in cache.values() if getattr(font, "fontname", None) == fontname), None)


def _symbol_char(fontname: Any, text: str) -> str | None:
    """A list mark of a symbol font (``SYMBOL_FONTS``), or None."""
    if len(text) != 1 or not 0xF020 <= ord(text) <= 0xF0FF:
        return None
    family = re.split(r"[-,]", base_name(fontname))[0]
    return SYMBOL_FONTS.get(family, {}).get(ord(text) - 0xF000)


def _by_collection(font: Any) -> bool:
    """A CID font of a registered collection read through the collection's own Unicode table."""
    from pdfminer.cmapdb import PyUnicodeMap

    return getattr(font, "cidcoding", "") in _COLLECTIONS and isinstance(getattr(font, "unicode_map", None), PyUnicodeMap)


def _collection_char(font: Any, text: str) -> str | None:
    """The registered collection's character for the one CID that the font's ToUnicode map
    sends to ``text`` (a control or private-use character), or None."""
    if font is None or text.startswith("(cid:") or getattr(font, "cidcoding", "") not in _COLLECTIONS:
        return None
    unicode_map = getattr(font, "unicode_map", None)
    cids = [cid for cid, ch in getattr(unicode_map, "cid2unichr", {}).items() if ch == text]
    if len(cids) != 1:
        return None
    from pdfminer.cmapdb import CMapDB

    try:
        collection = CMapDB.get_unicode_map(font.cidcoding, font.is_vertical())
    except CMapDB.CMapNotFound:
        return None
    found = collection.cid2unichr.get(cids[0])
    return found if isinstance(found, str) and found and not UNMAPPED.search(found) else None


def _pdfium_char_at(chars: list[dict[str, Any]], i: int,
                    theirs: list[tuple[str, float, float, float, float]]) -> str | None:
    """pdfium's character for ``chars[i]``: one whose centre lies in the glyph's box and has no
    other of our characters nearer (pdfium may skip a thin space; its neighbour must not be
    taken for it)."""
    c = chars[i]
    cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
    size = max(float(c["size"]), 1.0)
    near = [o for o in chars if abs((o["top"] + o["bottom"]) / 2 - cy) < size
            and abs((o["x0"] + o["x1"]) / 2 - cx) < 2 * size]
    for text, x0, top, x1, bottom in theirs:
        px, py = (x0 + x1) / 2, (top + bottom) / 2
        if not (c["x0"] - 0.5 <= px <= c["x1"] + 0.5 and c["top"] - 0.5 <= py <= c["bottom"] + 0.5):
            continue
        mine = (px - cx) ** 2 + (py - cy) ** 2
        if any(o is not c and ((o["x0"] + o["x1"]) / 2 - px) ** 2 + ((o["top"] + o["bottom"]) / 2 - py) ** 2 < mine
               for o in near):
            continue
        text = _PDFIUM_HYPHENS.get(text, text)
        if len(text) == 1 and not text.isspace() and not UNMAPPED.fullmatch(text):
            return text
    return None


def _inside_value(chars: list[dict[str, Any]], i: int, dropped: set[int]) -> bool:
    """Whether a dropped glyph touched printed characters on both sides on its line (inside
    a word, a number, a name), not beside white or the line's ends (a bullet, a symbol)."""
    c = chars[i]
    size = max(float(c["size"]), 1.0)
    cy = (c["top"] + c["bottom"]) / 2
    left = right = False
    for k, o in enumerate(chars):
        if k in dropped or o["text"].isspace() or abs((o["top"] + o["bottom"]) / 2 - cy) > size / 2:
            continue
        if -0.25 * size <= c["x0"] - o["x1"] <= 0.25 * size and o["x0"] < c["x0"]:
            left = True
        if -0.25 * size <= o["x0"] - c["x1"] <= 0.25 * size and o["x1"] > c["x1"]:
            right = True
    return left and right
