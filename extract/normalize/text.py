"""Character-level clean-up applied to every document's text before anything reads it.

NFKC folds full-width digits, letters and punctuation and compatibility ideographs
(例 U+F9B5 → 例), but it would also destroy two things the documents rely on:
circled numbers (① … ⑳ are list numbering) and super/subscripts (``10⁶`` would become
``106``, indistinguishable from the number 106). So those are protected: circled numbers are
kept as written, and super/subscript runs become ``^6`` / ``_2`` before NFKC runs.
"""

from __future__ import annotations

import re
import unicodedata

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_SUP_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]+")
_SUB_RUN = re.compile(r"[₀₁₂₃₄₅₆₇₈₉]+")
_CIRCLED = re.compile(r"[\u2460-\u2473\u24EA\u3251-\u325F\u32B1-\u32BF\u2776-\u277F]")

# After NFKC: wave dash and its look-alikes mean "to" (a range) in these documents.
_AFTER = str.maketrans({
    "\u301c": "~",  # 〜 WAVE DASH (pdfminer's rendering of ～), NFKC leaves it
    "\u2053": "~",  # ⁓ SWUNG DASH
    "\u00a0": " ",
    "\u3000": " ",  # ideographic space (NFKC already maps it; kept for clarity)
    "\u2212": "-",  # − MINUS SIGN
    "\u2010": "-", "\u2011": "-",
    "\x00": "",     # missing glyphs come out as NUL
    "\u00ad": "",   # soft hyphen
    "\ufeff": "",
    "\u200b": "", "\u200c": "", "\u200d": "",  # zero-width space / (non-)joiner: layout marks, no text
})
# Some producers set a zero-width space or non-joiner where Latin words have their space
# (tumor\u200clysis\u200csyndrome); elsewhere it is a layout mark and goes.
_ZERO_WIDTH_GAP = re.compile(r"(?<=[A-Za-z0-9])[\u200b\u200c]+(?=[A-Za-z0-9])")
# NFKC turns "m²" into "m2" (handled above as ^2), and "μ" (micro sign) into "μ" (Greek mu).


# Before NFKC: the circled R some producers set after a brand (イムブルビカⓇ) would become a
# letter R glued to the name (イムブルビカRカプセル); it is the registered sign.
_BEFORE = str.maketrans({"\u24c7": "®"})


def clean_text(text: str) -> str:
    """Normalise one document's text: NFKC with circled numbers and powers protected.

    >>> clean_text("４５０×10⁶個、２５，０００/μL、①")
    '450×10^6個、25,000/μL、①'
    """
    text = _ZERO_WIDTH_GAP.sub(" ", text.translate(_BEFORE))
    text = _SUP_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), text)
    text = _SUB_RUN.sub(lambda m: "_" + m.group().translate(_SUBSCRIPTS), text)
    protected: list[str] = []

    def _keep(m: re.Match[str]) -> str:
        protected.append(m.group())
        return f"\ue000{len(protected) - 1}\ue001"

    text = _CIRCLED.sub(_keep, text)
    text = unicodedata.normalize("NFKC", text).translate(_AFTER)
    if protected:
        text = re.sub("\ue000(\\d+)\ue001", lambda m: protected[int(m.group(1))], text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(text: str) -> str:
    """``"ja"`` when the text has a meaningful share of kana/kanji, else ``"en"``."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk == 0 and latin == 0:
        return "ja" if "\u3000" in text else "en"
    return "ja" if cjk * 3 >= latin * 1 or cjk >= 20 else "en"


def join_lines(lines: list[str]) -> str:
    """Join visual lines of one paragraph: no space between two CJK characters (PDF and
    layout text break Japanese sentences at every line end), one space otherwise."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
        elif _CJK.match(line[0]) or _CJK.match(out[-1]) or out[-1] in "（(「『【〈《" or line[0] in "）)」』】〉》、。，．":
            out += line
        else:
            out += " " + line
    return out
