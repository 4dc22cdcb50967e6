"""The code -> character map of an embedded CID font that has none, recovered from its glyphs.

Why: PDFs made by Acrobat Distiller from MS-Mincho (more than half of PMDA's Japanese review
reports) embed the font as a CID font with ``Identity-H`` and no ToUnicode map, so every text
engine reads glyph codes, not characters. The PDF still holds every glyph's exact position;
only the map is missing, and it is the same on every page (and for every document with that
font). So the map is worked out once per font and handed to pdfminer's font object
(``unicode_map``) before any page is read: geometry, columns, tables and footnotes then come
out exactly as for a clean PDF.

How a code is identified (``recover``):

1. every glyph of the embedded program is rendered with FreeType (``freetype-py``) at 64 px to
   the em, placed in its em box (so a small kana, a comma and a full stop keep their size and
   place), and described twice: the em box at 32x32, and the ink's own box scaled to 32x32
   (the shape whatever its size). Both are blurred and normalised, so that comparing two
   glyphs is a correlation.
2. the same is done once for every candidate character in Debian's IPAex Mincho and IPAex
   Gothic (cached in the user cache dir, ``$XDG_CACHE_HOME/yakuji``): the characters of the
   Japanese repertoire (cp932: JIS X 0208 and the Windows extensions, plus Latin-1), each with
   its printed width class (a glyph whose advance is a full em is never a half-width letter,
   and the other way round, in a font whose glyphs are one or the other).
3. every glyph is scored against every candidate (the better of the two reference designs);
4. the code order: in fonts whose glyph ids follow Unicode order (MS-Mincho's do, and so do
   Noto CJK's, mostly), codes sorted by id must read characters in increasing code points.
   A dynamic programme over (glyph, candidate) finds the increasing assignment of highest
   total score, where a glyph may stand outside the order at a penalty (then it keeps its own
   best match). That decides what shape alone cannot: ー (U+30FC) against 一 (U+4E00), ロ
   against 口, カ against 力, へ against ヘ, a voiced kana against its plain form. When too few
   glyphs fit one order, the font has another order and each glyph keeps its own best match.
5. a code is taken only when its match is good (``MIN_SCORE``) and, among the characters its
   neighbours in the order allow, clearly better than the next (``MIN_MARGIN``); otherwise it
   stays unknown (U+FFFD in the text, never a guessed character), and the page says how many.

A recovered map is cached by the sha256 of the font program, so the next document embedding
the same program (or the same document again) skips the work. Nothing here is learnt in
advance: the map of every font is computed from its own glyphs and the reference fonts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from extract.errors import missing_dependency

METHOD = "font-recovered"  # the page status and yk:extractionMethod of text read through a map
VERSION = 7  # of the method: cached maps and reference features of another version are ignored
MIN_SCORE = 0.55   # correlation a glyph must reach with the character it is taken for …
MIN_MARGIN = 0.015  # … and its lead over the next character its place in the order allows
OUT_OF_ORDER = 0.25  # the score a glyph gives up to stand outside the code order
MIN_ORDERED = 0.6  # share of glyphs that must fit one order for the order to be used
EMPTY_CHARSTRING = 8  # bytes: a CFF charstring longer than this draws something
MAX_GLYPHS = 6000  # a larger (unsubset) program is not identified glyph by glyph
EM = 64  # pixels to the em when rendering
GRID = 32  # the side of a glyph's feature image
BLUR = 1.6  # Gaussian sigma on the feature image: strokes of two designs a pixel or two apart still meet
STRETCH = 2.5  # ink this much longer than wide is not stretched to a square
MARK_BONUS = 0.06
COMMON_BONUS = 0.01  # for a common character over a rare look-alike (又 over 叉); below MIN_MARGIN,
# so it settles near ties and never makes a rare character's clear lead a confident misreading
ANCHOR_SCORE = 0.7  # a glyph this sure (and with twice the margin) anchors the codes' spacing
NEAR_CODES = 3  # within this many codes of an anchor, the place is counted from it, one by one
SPACING_BONUS = 0.06  # for the candidate at the place its code predicts  # for the kana whose voicing marks (゛ ゜) the glyph's shape shows
BASELINE = 0.88  # the ideographic em box: 88 % of the em above the baseline, 12 % below
FREETYPE_INSTALL = "pip install freetype-py"
REFERENCE_FONTS = (  # (design, path): Debian's fonts-ipaexfont-mincho / -gothic
    ("mincho", "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"),
    ("gothic", "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
)
REFERENCE_INSTALL = "apt-get install fonts-ipaexfont-mincho fonts-ipaexfont-gothic"

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class FontMap:
    """The recovered map of one font program: ``chars`` for the codes identified, ``unknown``
    for the codes that stay unreadable; ``ordered`` says whether the code order was used."""

    font: str
    digest: str
    chars: dict[int, str]
    unknown: frozenset[int]
    ordered: bool

    @property
    def confidence(self) -> float:
        """The share of the font's glyphs identified."""
        total = len(self.chars) + len(self.unknown)
        return len(self.chars) / total if total else 1.0


class RecoveredUnicodeMap:
    """pdfminer's ``UnicodeMap`` interface over a ``FontMap``: an unknown code reads as U+FFFD
    (a character no extractor takes for text), never as a guess."""

    def __init__(self, fontmap: FontMap) -> None:
        self.fontmap = fontmap
        self.cid2unichr = dict(fontmap.chars)
        self.attrs: dict[str, Any] = {}

    def get_unichr(self, cid: int) -> str:
        return self.cid2unichr.get(cid, "\ufffd")

    def __repr__(self) -> str:
        return f"<RecoveredUnicodeMap {self.fontmap.font}: {len(self.cid2unichr)} codes>"


@dataclass(frozen=True)
class _Program:
    """An embedded font program and how codes reach its glyphs."""

    font: str
    data: bytes
    codes: tuple[int, ...]  # the codes (CIDs) whose glyphs draw something
    gids: tuple[int, ...]  # FreeType glyph index of each code
    blank: tuple[int, ...] = ()  # the codes whose glyphs draw nothing (a space, wherever printed)


# --------------------------------------------------------------------------- in the PDF


def install_maps(pdf: Any) -> dict[str, FontMap]:
    """Recover and install a map for every CID font of the PDF (pdfplumber ``PDF``) that has
    none; return them by the font name pdfplumber gives its characters. Fonts are pdfminer's
    cached objects, so every page read afterwards uses the map."""
    found: dict[str, FontMap] = {}
    for objid, spec in _font_specs(pdf.doc):
        try:
            font = pdf.rsrcmgr.get_font(objid, spec)
        except Exception:  # noqa: BLE001 - a font pdfminer cannot build is pdfminer's to report
            continue
        if not _needs_map(font):
            continue
        program = _program(font, spec)
        if program is None:
            continue
        fontmap = recover(program)
        if fontmap is None:
            continue
        font.unicode_map = RecoveredUnicodeMap(fontmap)
        found[font.fontname if isinstance(font.fontname, str) else str(font.fontname)] = fontmap
    return found


def _font_specs(doc: Any) -> Iterable[tuple[int, dict[str, Any]]]:
    """(objid, font dict) of every font referenced by a page or by a form XObject on it."""
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1

    seen: set[int] = set()
    stack: list[Any] = []
    try:
        stack = [page.resources for page in PDFPage.create_pages(doc)]
    except Exception:  # noqa: BLE001 - a broken page tree: the page pass reports it
        return
    visited: set[int] = set()
    while stack:
        resources = resolve1(stack.pop())
        if not isinstance(resources, dict):
            continue
        fonts = resolve1(resources.get("Font"))
        if isinstance(fonts, dict):
            for ref in fonts.values():
                if isinstance(ref, PDFObjRef) and ref.objid not in seen:
                    seen.add(ref.objid)
                    spec = resolve1(ref)
                    if isinstance(spec, dict):
                        yield ref.objid, spec
        xobjects = resolve1(resources.get("XObject"))
        if isinstance(xobjects, dict):
            for ref in xobjects.values():
                if isinstance(ref, PDFObjRef) and ref.objid in visited:
                    continue
                if isinstance(ref, PDFObjRef):
                    visited.add(ref.objid)
                xobj = resolve1(ref)
                if isinstance(xobj, PDFStream) and "Resources" in xobj.attrs:
                    stack.append(xobj.attrs["Resources"])


def _needs_map(font: Any) -> bool:
    from pdfminer.pdffont import PDFCIDFont

    return isinstance(font, PDFCIDFont) and font.unicode_map is None and not font.is_vertical()


def _program(font: Any, spec: dict[str, Any]) -> _Program | None:
    """The embedded program of a Type0 font with an Identity encoding, or None."""
    from pdfminer.pdftypes import PDFStream, resolve1

    encoding = resolve1(spec.get("Encoding"))
    if getattr(encoding, "name", None) not in ("Identity-H", "Identity-V"):
        return None
    descendants = resolve1(spec.get("DescendantFonts"))
    if not isinstance(descendants, list) or not descendants:
        return None
    cidfont = resolve1(descendants[0])
    descriptor = resolve1(cidfont.get("FontDescriptor")) if isinstance(cidfont, dict) else None
    if not isinstance(descriptor, dict):
        return None
    name = font.fontname if isinstance(font.fontname, str) else str(font.fontname)
    for key in ("FontFile3", "FontFile2"):
        stream = resolve1(descriptor.get(key))
        if not isinstance(stream, PDFStream):
            continue
        try:
            data = stream.get_data()
        except Exception:  # noqa: BLE001 - a damaged stream: no map, the page says why
            return None
        if key == "FontFile3":
            return _cff_program(name, data)
        return _truetype_program(name, data, resolve1(cidfont.get("CIDToGIDMap")))
    return None


def _cff_program(name: str, data: bytes) -> _Program | None:
    """A CFF program: for a CID-keyed one FreeType's glyph index is the CID."""
    from fontTools.cffLib import CFFFontSet

    try:
        cff = CFFFontSet()
        cff.decompile(BytesIO(data), None)
        top = cff[cff.fontNames[0]]
        charset = list(top.charset)
    except Exception:  # noqa: BLE001 - fontTools cannot read it: no map
        return None
    if not hasattr(top, "ROS"):
        return None  # a name-keyed CFF under a CID font: codes are glyph indices, rare; not handled
    index = top.CharStrings.charStringsIndex
    drawn, blank = [], []
    for gid, glyph in enumerate(charset):
        if gid and glyph.startswith("cid") and glyph[3:].isdigit():
            # an empty outline is a few bytes (width, endchar); subsetters that keep glyph ids pad with them
            (drawn if _draws(index[gid]) else blank).append(int(glyph[3:]))
    return _Program(name, data, tuple(drawn), tuple(drawn), tuple(blank))


def _draws(charstring: Any) -> bool:
    """Whether a CFF charstring draws anything. Subsetters that keep glyph ids pad with empty
    ones (a width and ``endchar``); only short ones are decompiled to tell."""
    if charstring.bytecode is not None and len(charstring.bytecode) > EMPTY_CHARSTRING:
        return True
    try:
        charstring.decompile()
    except Exception:  # noqa: BLE001 - a damaged charstring: FreeType will say
        return True
    return any(isinstance(op, str) and op not in ("endchar", "hintmask", "cntrmask", "hstem", "vstem",
                                                   "hstemhm", "vstemhm") for op in charstring.program)


def _truetype_program(name: str, data: bytes, cid_to_gid: Any) -> _Program | None:
    """A TrueType program: the code reaches the glyph through ``CIDToGIDMap``."""
    from pdfminer.pdftypes import PDFStream

    try:
        from fontTools.ttLib import TTFont
        tt = TTFont(BytesIO(data), lazy=True)
        count = tt["maxp"].numGlyphs
        loca = list(tt["loca"]) if "loca" in tt else None
    except Exception:  # noqa: BLE001
        return None
    if isinstance(cid_to_gid, PDFStream):
        table = cid_to_gid.get_data()
        pairs = [(cid, table[2 * cid] << 8 | table[2 * cid + 1]) for cid in range(len(table) // 2)]
        pairs = [(cid, gid) for cid, gid in pairs if 0 < gid < count]
    else:
        pairs = [(gid, gid) for gid in range(1, count)]
    if loca is None:  # no glyf table (a CFF flavoured program): every glyph rendered
        return _Program(name, data, tuple(c for c, _ in pairs), tuple(g for _, g in pairs))
    drawn = [(cid, gid) for cid, gid in pairs if gid + 1 < len(loca) and loca[gid + 1] > loca[gid]]
    blank = tuple(cid for cid, gid in pairs if not (gid + 1 < len(loca) and loca[gid + 1] > loca[gid]))
    return _Program(name, data, tuple(c for c, _ in drawn), tuple(g for _, g in drawn), blank)


# --------------------------------------------------------------------------- identifying


def recover(program: _Program) -> FontMap | None:
    """The map of one program, from the cache when it was learnt before."""
    digest = hashlib.sha256(program.data).hexdigest()
    cached = _load_cached(digest)
    if cached is not None:
        return FontMap(program.font, digest, cached[0], cached[1], cached[2])
    glyphs = _render_program(program)
    if glyphs is None:
        return None
    codes, images, em_feats, shape_feats, advances, blank = glyphs
    chars: dict[int, str] = {code: " " for code in (*blank, *program.blank)}
    unknown: set[int] = set()
    ordered = False
    if codes:
        refs = _references()
        scores = _scores(em_feats, shape_feats, advances, refs)
        _favour_marks(scores, images, refs)
        picks, ordered = _assign(scores, codes)
        for i, code in enumerate(codes):
            j = picks[i]
            if j is None:
                unknown.add(code)
            else:
                chars[code] = chr(int(refs.chars[j]))
    fontmap = FontMap(program.font, digest, chars, frozenset(unknown), ordered)
    _store_cached(fontmap)
    return fontmap


def _render_program(program: _Program) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                list[int]] | None:
    """The codes of the glyphs with ink, their images, features and advances; and the codes
    of the blank ones (spaces)."""
    face = _face(program.data)
    if face is None or len(program.codes) > MAX_GLYPHS:
        return None
    codes: list[int] = []
    images: list[np.ndarray] = []
    advances: list[float] = []
    blank: list[int] = []
    for code, gid in zip(program.codes, program.gids):
        rendered = _render(face, gid)
        if rendered is None:
            continue
        image, advance = rendered
        if not image.any():
            if 0.2 <= advance <= 1.05:
                blank.append(code)
            continue
        codes.append(code)
        images.append(image)
        advances.append(advance)
    if not images:
        empty = np.zeros((0, GRID * GRID), np.float32)
        return codes, np.zeros((0, EM, EM), np.float32), empty, empty, np.zeros(0, np.float32), blank
    stack = np.stack(images)
    em, shape = _features(stack)
    return codes, stack, em, shape, np.array(advances, np.float32), blank


def _face(data: bytes) -> Any:
    try:
        import freetype
    except ImportError as exc:
        raise missing_dependency("freetype-py (recovering fonts without a Unicode map)", FREETYPE_INSTALL) from exc
    try:
        face = freetype.Face(BytesIO(data))
        face.set_pixel_sizes(0, EM)
    except freetype.FT_Exception:
        return None
    return face


def _render(face: Any, gid: int) -> tuple[np.ndarray, float] | None:
    """The glyph in its em box (EM x EM, ink 0..1) and its advance in ems."""
    import freetype

    try:
        face.load_glyph(gid, freetype.FT_LOAD_RENDER | freetype.FT_LOAD_NO_HINTING)
    except freetype.FT_Exception:
        return None
    glyph = face.glyph
    bitmap = glyph.bitmap
    canvas = np.zeros((EM, EM), np.float32)
    if bitmap.rows and bitmap.width:
        ink = np.array(bitmap.buffer, np.uint8).reshape(bitmap.rows, bitmap.pitch)[:, :bitmap.width]
        top, left = int(round(EM * BASELINE)) - glyph.bitmap_top, glyph.bitmap_left
        y0, x0 = max(0, top), max(0, left)
        y1, x1 = min(EM, top + bitmap.rows), min(EM, left + bitmap.width)
        if y1 > y0 and x1 > x0:
            canvas[y0:y1, x0:x1] = ink[y0 - top:y1 - top, x0 - left:x1 - left] / 255.0
    return canvas, glyph.advance.x / 64 / EM


def _features(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two normalised descriptions of each EM x EM glyph image: the em box at GRID x GRID,
    and the ink's box stretched to GRID x GRID (two designs of 日 differ in proportions
    more than 日 and 旦 do), unless the ink is a bar or a dot, which keeps its aspect."""
    from PIL import Image
    from scipy.ndimage import gaussian_filter

    n = len(images)
    em = images.reshape(n, GRID, EM // GRID, GRID, EM // GRID).mean(axis=(2, 4))
    shape = np.zeros((n, GRID, GRID), np.float32)
    for k, image in enumerate(images):
        rows, cols = np.nonzero(image > 0.1)
        if not len(rows):
            continue
        crop = image[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        h, w = crop.shape
        if max(h, w) <= STRETCH * min(h, w):  # a kanji's frame, whatever its proportions
            nh = nw = GRID - 2
        else:  # a bar, a dot or a stroke keeps its shape
            scale = (GRID - 2) / max(h, w)
            nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
        small = np.asarray(Image.fromarray((crop * 255).astype(np.uint8)).resize((nw, nh), Image.BILINEAR),
                           np.float32) / 255.0
        y, x = (GRID - nh) // 2, (GRID - nw) // 2
        shape[k, y:y + nh, x:x + nw] = small
    return _normalise(gaussian_filter(em, (0, BLUR, BLUR))), _normalise(gaussian_filter(shape, (0, BLUR, BLUR)))


def _normalise(stack: np.ndarray) -> np.ndarray:
    flat = stack.reshape(len(stack), -1).astype(np.float32)
    flat -= flat.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return flat / np.where(norms > 0, norms, 1.0)


@dataclass(frozen=True)
class _References:
    """Candidate characters (code points, ascending) and their features in each design."""

    chars: np.ndarray  # int32 code points
    common: np.ndarray  # bool: not a JIS level-2 or extension kanji (``_is_common``)
    full: np.ndarray  # bool: printed a full em wide (East Asian Width F, W or A)
    half: np.ndarray  # bool: may be printed narrow (Na, H, N or A)
    em: tuple[np.ndarray, ...] = field(default=())
    shape: tuple[np.ndarray, ...] = field(default=())


def _candidates() -> list[int]:
    """The Japanese repertoire: characters cp932 encodes, and Latin-1's letters and signs,
    without spaces, controls and the duplicates Unicode keeps for compatibility."""
    out = set()
    for cp in range(0x21, 0x10000):
        ch = chr(cp)
        if unicodedata.category(ch)[0] in "CZ":
            continue
        if 0xF900 <= cp <= 0xFAFF or 0x2E80 <= cp <= 0x2FDF:  # compatibility ideographs, radicals
            continue
        if 0x0400 <= cp <= 0x04FF:  # Cyrillic: in cp932, never in these documents (ш looks like m)
            continue
        if cp < 0x100:
            out.add(cp)
            continue
        try:
            ch.encode("cp932")
        except UnicodeEncodeError:
            continue
        if unicodedata.normalize("NFKC", ch) != ch and unicodedata.east_asian_width(ch) in "FH":
            continue  # fullwidth ASCII and halfwidth kana are kept below, as their own forms
        out.add(cp)
    out.update(range(0xFF01, 0xFF5F))  # fullwidth ASCII
    out.update(range(0xFF61, 0xFFA0))  # halfwidth katakana
    out.update((0xFFE0, 0xFFE1, 0xFFE2, 0xFFE3, 0xFFE4, 0xFFE5))
    return sorted(out)


@lru_cache(maxsize=1)
def _references() -> _References:
    """Reference features, from the cache or rendered (a few seconds, once per machine)."""
    paths = [path for _, path in REFERENCE_FONTS]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise missing_dependency(f"reference fonts {', '.join(missing)}", REFERENCE_INSTALL)
    key = hashlib.sha256(json.dumps([VERSION, EM, GRID, BASELINE] + [Path(p).stat().st_size for p in paths]
                                    + [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths]).encode())
    cache = _cache_dir() / f"references-{key.hexdigest()[:16]}.npz"
    if cache.exists():
        try:
            stored = np.load(cache)
            n = len(REFERENCE_FONTS)
            return _References(stored["chars"], stored["common"], stored["full"], stored["half"],
                               tuple(stored[f"em{k}"] for k in range(n)), tuple(stored[f"shape{k}"] for k in range(n)))
        except (OSError, ValueError, KeyError):
            pass
    chars, ems, shapes = _render_references(paths)
    width = [unicodedata.east_asian_width(chr(cp)) for cp in chars]
    refs = _References(np.array(chars, np.int32), np.array([_is_common(cp) for cp in chars]),
                       np.array([w in "FWA" for w in width]),
                       np.array([w in "NaHA" or w == "N" for w in width]), tuple(ems), tuple(shapes))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez(tmp, chars=refs.chars, common=refs.common, full=refs.full, half=refs.half,
                 **{f"em{k}": e for k, e in enumerate(refs.em)}, **{f"shape{k}": s for k, s in enumerate(refs.shape)})
        os.replace(tmp, cache)
    except OSError as exc:
        _LOG.info("reference glyph cache not written: %s", exc)
    return refs


def _is_common(cp: int) -> bool:
    """Every character but the rarer kanji: JIS X 0208 level 2 and the Windows extensions
    (cp932 lead bytes from 0x98 on; level 1 ends at 0x9872)."""
    if not 0x3400 <= cp <= 0x9FFF:
        return True
    code = chr(cp).encode("cp932")
    return code < b"\x98\x73"


def _render_references(paths: list[str]) -> tuple[list[int], list[np.ndarray], list[np.ndarray]]:
    """The candidates every reference font has, and their features in each."""
    from fontTools.ttLib import TTFont

    cmaps = [TTFont(p, lazy=True).getBestCmap() for p in paths]
    orders = [{name: i for i, name in enumerate(TTFont(p, lazy=True).getGlyphOrder())} for p in paths]
    chars = [cp for cp in _candidates() if all(cp in cmap for cmap in cmaps)]
    ems, shapes = [], []
    for path, cmap, order in zip(paths, cmaps, orders):
        face = _face(Path(path).read_bytes())
        images = []
        for cp in chars:
            rendered = _render(face, order[cmap[cp]])
            images.append(rendered[0] if rendered is not None else np.zeros((EM, EM), np.float32))
        em, shape = _features(np.stack(images))
        ems.append(em)
        shapes.append(shape)
    return chars, ems, shapes


def _scores(em: np.ndarray, shape: np.ndarray, advances: np.ndarray, refs: _References) -> np.ndarray:
    """Glyph x candidate similarity: the mean of the two descriptions' correlations, the
    better of the reference designs, less a penalty where the width class cannot be."""
    best = None
    for ref_em, ref_shape in zip(refs.em, refs.shape):
        score = (em @ ref_em.T + shape @ ref_shape.T) * 0.5
        best = score if best is None else np.maximum(best, score)
    assert best is not None
    best += np.where(refs.common, COMMON_BONUS, 0.0).astype(np.float32)
    monospaced = float(np.mean((np.abs(advances - 1.0) < 0.02) | (np.abs(advances - 0.5) < 0.02))) > 0.9
    if monospaced:  # every glyph a full or a half em: the width tells the class
        wide = advances > 0.75
        best[np.ix_(wide, ~refs.full)] -= 0.3
        best[np.ix_(~wide, ~refs.half)] -= 0.3
    return best


def _favour_marks(scores: np.ndarray, images: np.ndarray, refs: _References) -> None:
    """A kana and its voiced forms (は ば ぱ) differ only by a small mark, which a blurred
    comparison barely sees: where the glyph's marks (``_marks``) are those of exactly one
    member of the family of its best candidate, that member is favoured over the others."""
    members = _kana_families()
    index = {int(cp): j for j, cp in enumerate(refs.chars)}
    classes = _reference_marks(refs)
    for i in range(len(scores)):
        best = int(refs.chars[int(np.argmax(scores[i]))])
        family = [cp for cp in members.get(best, ()) if cp in index]
        if not family:
            continue
        mark = _marks(images[i])
        fits = [cp for cp in family if classes.get(cp) == mark]
        if len(fits) != 1:
            continue
        for cp in family:
            scores[i, index[cp]] += MARK_BONUS if cp == fits[0] else -MARK_BONUS


@lru_cache(maxsize=1)
def _kana_families() -> dict[int, tuple[int, ...]]:
    """Each kana with a voiced or semi-voiced form -> the family (は: は ば ぱ)."""
    families: dict[int, set[int]] = {}
    for cp in range(0x3041, 0x30FF):
        parts = unicodedata.normalize("NFD", chr(cp))
        if len(parts) == 2 and parts[1] in "\u3099\u309a":
            families.setdefault(ord(parts[0]), {ord(parts[0])}).add(cp)
    return {cp: tuple(sorted(family)) for family in families.values() for cp in family}


_REFERENCE_MARKS: dict[int, dict[int, str]] = {}


def _reference_marks(refs: _References) -> dict[int, str]:
    """The mark class of each kana family member in the first reference design."""
    key = id(refs)
    if key not in _REFERENCE_MARKS:
        from fontTools.ttLib import TTFont

        path = REFERENCE_FONTS[0][1]
        tt = TTFont(path, lazy=True)
        cmap, order = tt.getBestCmap(), {name: i for i, name in enumerate(tt.getGlyphOrder())}
        face = _face(Path(path).read_bytes())
        found = {}
        for cp in _kana_families():
            rendered = _render(face, order[cmap[cp]]) if cp in cmap else None
            if rendered is not None:
                found[cp] = _marks(rendered[0])
        _REFERENCE_MARKS[key] = found
    return _REFERENCE_MARKS[key]


def _marks(image: np.ndarray) -> str:
    """The voicing mark a kana image shows at its top right: "semi" (a ring, ゜), "voiced"
    (ticks, ゛) or "plain". Read from the ink's connected parts, which every design draws
    the same way however its strokes differ."""
    from scipy.ndimage import binary_fill_holes, find_objects, label

    ink = image > 0.5
    parts, count = label(ink, structure=np.ones((3, 3)))
    ticks = rings = 0
    for k, box in enumerate(find_objects(parts), start=1):
        if box is None:
            continue
        rows, cols = box
        if rows.stop - rows.start > 0.3 * EM or cols.stop - cols.start > 0.3 * EM:
            continue
        if (cols.start + cols.stop) / 2 < 0.55 * EM or (rows.start + rows.stop) / 2 > 0.5 * EM:
            continue
        part = parts[box] == k
        if binary_fill_holes(part).sum() > part.sum() + 2:
            rings += 1
        else:
            ticks += 1
    return "semi" if rings else "voiced" if ticks else "plain"


def _assign(scores: np.ndarray, codes: list[int]) -> tuple[list[int | None], bool]:
    """The candidate each glyph (rows, in code order) is taken for, None when unsure; and
    whether the code order was used. Where it is, a second pass adds what the codes' spacing
    says (``_spacing``) and orders again."""
    chain, in_order = _ordered(scores)
    ordered = in_order.mean() >= MIN_ORDERED if len(in_order) >= 8 else False
    if ordered:
        scores = scores + _spacing(scores, chain, in_order, np.array(codes))
        chain, in_order = _ordered(scores)
    n, m = scores.shape
    lower, upper = _neighbours(chain, in_order, m)
    picks: list[int | None] = []
    for i in range(n):
        row = scores[i]
        inside = bool(ordered and in_order[i])
        j = int(chain[i]) if inside else int(np.argmax(row))
        window = row[lower[i] + 1:upper[i]] if inside else row
        rival = np.partition(window, -2)[-2] if len(window) > 1 else -1.0
        good = row[j] >= MIN_SCORE and row[j] - rival >= (MIN_MARGIN if inside else 4 * MIN_MARGIN)
        picks.append(j if good else None)
    return picks, bool(ordered)


def _spacing(scores: np.ndarray, chain: np.ndarray, in_order: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """A bonus for the candidates where the glyph's code says it should be. Between two
    glyphs surely identified (anchors), codes and candidates advance together (a font in
    Unicode order holds a similar repertoire): measured on MS-Mincho, the candidate a glyph's
    code predicts by linear interpolation between the anchors around it is within 2.5 places
    of the right one for 95 % of glyphs. That separates what shape alone hardly does (専 and
    專, 資 and 賣, 早 and 旱 are a few to a few dozen places apart). Each glyph's prediction
    leaves the glyph itself out."""
    n, m = scores.shape
    rows = np.arange(n)
    picked = scores[rows, np.clip(chain, 0, m - 1)]
    rival = np.partition(scores, -2, axis=1)[:, -2]
    anchors = [i for i in range(n) if in_order[i] and picked[i] >= ANCHOR_SCORE and picked[i] - rival[i] >= 2 * MIN_MARGIN]
    bonus = np.zeros_like(scores)
    if len(anchors) < 2:
        return bonus
    anchor_codes = codes[anchors]
    columns = np.arange(m)
    for i in range(n):
        k = int(np.searchsorted(anchor_codes, codes[i]))
        before = anchors[k - 1] if k > 0 else None
        after_k = k + 1 if k < len(anchors) and anchors[k] == i else k
        after = anchors[after_k] if after_k < len(anchors) else None
        if before is None or after is None:
            continue
        ca, cb, ja, jb = codes[before], codes[after], chain[before], chain[after]
        if jb - ja > 3 * (cb - ca) + 8:  # a jump between blocks: the spacing says nothing
            continue
        near = min(codes[i] - ca, cb - codes[i])
        if near <= NEAR_CODES:  # next to an anchor: a code or two away is a character or two away
            where = ja + (codes[i] - ca) if codes[i] - ca <= cb - codes[i] else jb - (cb - codes[i])
            sigma = 0.7 + 0.3 * near
        else:  # between anchors: codes and candidates advance in proportion
            where = ja + (codes[i] - ca) * (jb - ja) / (cb - ca)
            sigma = 1.0 + 0.15 * near
        bonus[i] = SPACING_BONUS * np.exp(-0.5 * ((columns - where) / sigma) ** 2)
    return bonus


def _neighbours(chain: np.ndarray, in_order: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """For each glyph, the candidates of the nearest ordered glyphs before and after it
    (-1 and ``m`` at the ends): what its own place in the order allows lies between."""
    n = len(chain)
    lower, upper = np.full(n, -1, np.int64), np.full(n, m, np.int64)
    last = -1
    for i in range(n):
        lower[i] = last
        if in_order[i]:
            last = chain[i]
    last = m
    for i in range(n - 1, -1, -1):
        upper[i] = last
        if in_order[i]:
            last = chain[i]
    return lower, upper


def _ordered(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The best assignment of increasing candidates to the glyphs in code order, where a glyph
    may stand outside the order at ``OUT_OF_ORDER``: (candidate per glyph, in the order?)."""
    n, m = scores.shape
    total = np.zeros(m, np.float32)  # best sum with the last ordered candidate <= j
    pointer = np.empty((n, m), np.int32)
    columns = np.arange(m, dtype=np.int32)
    alone = scores.max(axis=1) - OUT_OF_ORDER
    for i in range(n):
        joined = np.concatenate(([0.0], total[:-1])).astype(np.float32) + scores[i]
        best = np.maximum.accumulate(joined)
        where = np.maximum.accumulate(np.where(joined >= best, columns, 0))
        skipped = total + alone[i]
        take = best >= skipped
        total = np.where(take, best, skipped).astype(np.float32)
        pointer[i] = np.where(take, where, -1)
    chain = np.full(n, -1, np.int64)
    j = m - 1
    for i in range(n - 1, -1, -1):
        k = pointer[i, j]
        if k >= 0:
            chain[i] = k
            j = k - 1
    return chain, chain >= 0


# --------------------------------------------------------------------------- cache


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "yakuji"


def _map_path(digest: str) -> Path:
    return _cache_dir() / "fontmaps" / f"{digest}.json"


def _load_cached(digest: str) -> tuple[dict[int, str], frozenset[int], bool] | None:
    try:
        stored = json.loads(_map_path(digest).read_text(encoding="utf-8"))
        if stored.get("version") != VERSION:
            return None
        return ({int(k): v for k, v in stored["chars"].items()}, frozenset(stored["unknown"]), bool(stored["ordered"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _store_cached(fontmap: FontMap) -> None:
    path = _map_path(fontmap.digest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"version": VERSION, "font": fontmap.font, "ordered": fontmap.ordered,
                                   "chars": {str(k): v for k, v in sorted(fontmap.chars.items())},
                                   "unknown": sorted(fontmap.unknown)}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        _LOG.info("font map cache not written: %s", exc)
