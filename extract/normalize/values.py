"""Numbers, quantities, ranges, counts, confidence intervals and dates as the documents write them.

Every extractor parses values through this module so that one rule decides what a string means.
Inputs may be raw (full-width digits, ``10⁶``, ``～``, ``（45.6%）``, LaTeX leftovers such as
``$300\\text{mg}/\\text{m}^2$``, HTML ``10<sup>6</sup>``) or already passed through
``clean_text``; both read the same, and spans returned by ``find_*`` index the string as given.

Rules worth knowing:

* **Footnote markers are never numbers.** ``25 mg1)`` is 25 mg; a trailing ``1)``, ``*1``, ``注1)``,
  ``†`` after a value is ignored.
* **Flattened powers of ten.** PDF text often loses superscripts: ``450×106個`` means 450×10⁶
  cells. A ``×10`` followed by one or two digits *without* ``^`` is read as a power only when
  (a) a cell/count unit follows (``個``, ``細胞``, ``cells``, ``/μL``, ``/L``, ``/mm3``), directly or
  through a range whose right end has such a unit, and (b) the exponent is plausible for such
  counts (3 to 12) with a mantissa below 10000 (``5×101個`` is not 5×10¹ cells).
  Otherwise the text is left alone, and ``parse_number("3×106")`` is ``None``:
  a product of two numbers is not one number, and guessing would be a wrong fact.
* **Units** come out canonical: ``mg``, ``mg/m2``, ``mg/kg``, ``cells``, ``cells/kg``, ``/uL``
  (``/mm3`` is the same volume), ``/L``, ``%``, ``months``, ``days``, ``hours``, ``weeks``,
  ``minutes``, ``years``, ``mL/min`` …
* **Dates** that do not exist (2月30日, 令和元年4月1日 which is still 平成) give ``None``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = [
    "Quantity",
    "parse_number",
    "parse_quantity",
    "find_quantities",
    "parse_range",
    "parse_count_percent",
    "parse_ci",
    "parse_date",
    "parse_year_month",
    "find_dates",
    "unflatten_power",
]


@dataclass(frozen=True)
class Quantity:
    """A number with its canonical unit (``None`` for a bare number)."""

    value: Decimal
    unit: str | None


# ---------------------------------------------------------------------------------------------
# Normalisation with an offset map, so that spans found in the normalised text point back into
# the caller's string exactly.

_SUPERSCRIPT_DIGITS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-"))
_SUBSCRIPT_DIGITS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
_AFTER_NFKC = {
    "\u301c": "~", "\uff5e": "~", "\u2053": "~", "\u223c": "~",
    "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-",
    "\u00a0": " ", "\u3000": " ", "\u00b5": "μ", "\u00d7": "×",
    "\u00ad": "", "\ufeff": "", "\x00": "",
}
_LATEX_TOKEN = re.compile(
    r"\\(?:text|mathrm|rm|mathit|operatorname|mbox)\s*\{"
    r"|\\(?:times|cdot|sim|mu|pm|leq|geq|le|ge|%|,|;|:|!|\s)"
    r"|[{}$]"
)
_HTML_TOKEN = re.compile(r"<(/?)(sup|sub)\s*>", re.IGNORECASE)
_LATEX_REPLACEMENT = {
    "\\times": "×", "\\cdot": "×", "\\sim": "~", "\\mu": "μ", "\\pm": "±",
    "\\leq": "≤", "\\le": "≤", "\\geq": "≥", "\\ge": "≥", "\\%": "%",
}


@dataclass(frozen=True)
class _Norm:
    """Normalised text plus, for each of its characters, the source span it came from."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to the original string."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def _char_norm(ch: str) -> str:
    """NFKC one character, then fold the range/minus/space look-alikes."""
    if ch in _AFTER_NFKC:
        return _AFTER_NFKC[ch]
    out = unicodedata.normalize("NFKC", ch)
    return "".join(_AFTER_NFKC.get(c, c) for c in out)


_ONE_TO_ONE = str.maketrans({k: v for k, v in _AFTER_NFKC.items() if len(v) == 1})
_SLOW_CHARS = re.compile(
    "[" + "".join(_SUPERSCRIPT_DIGITS) + "".join(_SUBSCRIPT_DIGITS)
    + "".join(k for k, v in _AFTER_NFKC.items() if len(v) != 1) + "\\\\$<]"
)


def _markup_at(s: str, i: int, latex: bool, html: bool) -> tuple[str, int] | None:
    """A LaTeX or HTML token at ``s[i]``: what it stands for and where it ends."""
    if html:
        m = _HTML_TOKEN.match(s, i)
        if m:  # 10<sup>6</sup> is 10^6; the other tags are dropped
            opening_sup = not m.group(1) and m.group(2).lower() == "sup"
            return ("^" if opening_sup else ""), m.end()
    if latex:
        m = _LATEX_TOKEN.match(s, i)
        if m:
            tok = m.group()
            if tok.startswith("\\") and tok[1:].strip() in {",", ";", ":", "!", ""}:
                return " ", m.end()  # LaTeX spacing commands
            return _LATEX_REPLACEMENT.get(tok.rstrip(), ""), m.end()
    return None


class _Builder:
    """Accumulates normalised characters with the source span of each."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def emit(self, piece: str, a: int, b: int) -> None:
        for c in piece:
            self.chars.append(c)
            self.starts.append(a)
            self.ends.append(b)

    def drop_space_after_digit(self) -> None:
        """``10 ⁶`` (a space before the superscript) is still a power: drop that space."""
        if len(self.chars) >= 2 and self.chars[-1] == " " and self.chars[-2].isdigit():
            del self.chars[-1], self.starts[-1], self.ends[-1]

    def build(self) -> _Norm:
        return _Norm("".join(self.chars), tuple(self.starts), tuple(self.ends))


def _normalize(s: str) -> _Norm:
    """Normalise ``s`` (NFKC, powers as ``^6``, LaTeX/HTML markup stripped) keeping an offset map.

    Text that went through ``clean_text`` is already NFKC: then only look-alikes are folded,
    one character for one, and the offsets are the identity (the common, fast case).
    """
    if not _SLOW_CHARS.search(s) and unicodedata.is_normalized("NFKC", s):
        return _Norm(s.translate(_ONE_TO_ONE), tuple(range(len(s))), tuple(range(1, len(s) + 1)))
    out = _Builder()
    latex, html = "\\" in s or "$" in s, "<" in s
    i = 0
    prev_super = False
    while i < len(s):
        markup = _markup_at(s, i, latex, html) if latex or html else None
        if markup is not None:
            out.emit(markup[0], i, markup[1])
            i, prev_super = markup[1], False
            continue
        ch = s[i]
        if ch in _SUPERSCRIPT_DIGITS:
            if not prev_super:
                out.drop_space_after_digit()
            out.emit(("" if prev_super else "^") + _SUPERSCRIPT_DIGITS[ch], i, i + 1)
        else:
            out.emit(_SUBSCRIPT_DIGITS.get(ch) or _char_norm(ch), i, i + 1)
        prev_super = ch in _SUPERSCRIPT_DIGITS
        i += 1
    return out.build()


def _norm_text(s: str) -> str:
    """Just the normalised text, whitespace-trimmed."""
    return _normalize(s).text.strip()


# ---------------------------------------------------------------------------------------------
# Numbers

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SIGNED = rf"-?{_NUM}"
# A number with an optional power of ten: "450×10^6", "1.5 x 10^-3", "10^6", and the flattened
# "450×106" (group ``flat``; accepted only by the caller's context rule).
_VALUE = (
    rf"(?P<man>{_SIGNED})"
    rf"(?:\s*[×xX]\s*10\s*(?:\^\s*\(?\s*(?P<exp>[-+]?\d{{1,2}})\s*\)?|(?P<flat>\d{{1,2}})(?![\d.,])))?"
)
_VALUE_RE = re.compile(rf"(?<![A-Za-z0-9.,_^\-])(?:{_VALUE})")
_POW_ONLY_RE = re.compile(r"10\s*\^\s*\(?\s*(?P<exp>[-+]?\d{1,2})\s*\)?")

_FOOTNOTE = r"(?:\^?\d{1,2}\)|\*+\d*\)?|注\s*\d+\)?|[†‡§¶#]+\d*)"
_TRAILER_RE = re.compile(rf"\s*(?:{_FOOTNOTE}\s*)*[.,;:、。)\]]*\s*$")


def _decimal(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def _tidy(d: Decimal) -> Decimal:
    """Drop the ``.0`` a power of ten leaves behind (1.5×10^9 is 1500000000)."""
    if d == d.to_integral_value():
        return Decimal(int(d))
    return d.normalize()


def _power(mantissa: str, exponent: str) -> Decimal | None:
    man = _decimal(mantissa)
    if man is None:
        return None
    return _tidy(man * (Decimal(10) ** int(exponent)))


def parse_number(s: str) -> Decimal | None:
    """The one number ``s`` writes: ``"25,000"`` → 25000, ``"450×10^6"`` → 450000000.

    A trailing footnote marker is ignored (``"12.5 1)"``); anything else around the number, or a
    flattened power without a cell unit (``"3×106"``), gives ``None``. A number followed by a unit
    gives the quantity's value (``"25 mg"`` → 25).
    """
    t = _norm_text(s)
    if not t:
        return None
    m = _POW_ONLY_RE.match(t)
    if m and _TRAILER_RE.fullmatch(t, m.end()):
        return _power("1", m.group("exp"))
    m = _VALUE_RE.match(t)
    if m and _TRAILER_RE.fullmatch(t, m.end()):
        if m.group("flat"):
            return None
        if m.group("exp"):
            return _power(m.group("man"), m.group("exp"))
        return _decimal(m.group("man"))
    q = parse_quantity(s)
    return q.value if q is not None else None


# ---------------------------------------------------------------------------------------------
# Units. Order matters: longer spellings first. Each entry: (regex, canonical unit).

_CELL = (
    r"(?:(?:CAR\s*陽性\s*(?:生\s*)?T\s*)?(?:細胞|個)"
    r"|(?:CAR[-+\s]*(?:positive\s+)?(?:viable\s+)?T[-\s]*)?cells?)"
)
_COUNT_UNIT = rf"(?:{_CELL}|/\s*(?:μL|uL|mm\^?3|L)(?![A-Za-z]))"

_UNITS: list[tuple[str, str]] = [
    (r"(?:個|cells?)\s*/\s*(?:μL|uL|mm\^?3)(?![A-Za-z])", "/uL"),   # 1,000 個/μL is a count
    (r"(?:個|cells?)\s*/\s*L(?![A-Za-z])", "/L"),
    (rf"{_CELL}\s*/\s*kg(?![A-Za-z])", "cells/kg"),
    (_CELL, "cells"),
    (r"mL\s*/\s*(?:分|min)\s*/\s*1\.73\s*m\^?2", "mL/min/1.73m2"),
    (r"mL\s*/\s*(?:分|min)(?![A-Za-z])", "mL/min"),
    (r"mg\s*/\s*m\s*\^?2", "mg/m2"),
    (r"(?:μg|ug|mcg)\s*/\s*m\^?2", "ug/m2"),
    (r"mg\s*/\s*kg(?![A-Za-z])", "mg/kg"),
    (r"(?:μg|ug|mcg)\s*/\s*kg(?![A-Za-z])", "ug/kg"),
    (r"mg\s*/\s*(?:body|ボディ)", "mg/body"),
    (r"mg\s*/\s*(?:日|day)(?![A-Za-z])", "mg/day"),
    (r"mg\s*/\s*dL(?![A-Za-z])", "mg/dL"),
    (r"g\s*/\s*dL(?![A-Za-z])", "g/dL"),
    (r"g\s*/\s*m\s*\^?2", "g/m2"),
    (r"kg\s*/\s*m\s*\^?2", "kg/m2"),
    (r"/\s*(?:μL|uL|mm\^?3)(?![A-Za-z])", "/uL"),
    (r"/\s*L(?![A-Za-z])", "/L"),
    (r"mg(?![A-Za-z])", "mg"),
    (r"(?:μg|ug|mcg)(?![A-Za-z])", "ug"),
    (r"mL(?![A-Za-z])", "mL"),
    (r"kg(?![A-Za-z])", "kg"),
    (r"g(?![A-Za-z])", "g"),
    (r"%", "%"),
    (r"\s*[×xX]\s*ULN(?![A-Za-z])", "xULN"),
    (r"(?:[カヵケヶか箇]\s*月間?|months?(?![A-Za-z]))", "months"),
    (r"(?:週間|週|weeks?(?![A-Za-z])|wks?(?![A-Za-z]))", "weeks"),
    (r"(?:日間|日|days?(?![A-Za-z]))", "days"),
    (r"(?:時間|hours?(?![A-Za-z])|hrs?(?![A-Za-z])|h(?![A-Za-z]))", "hours"),
    # 分 alone is also the first character of many words (分布, 分析, 3分の1 ...).
    (r"(?:分間|分(?![のけ割類布析子画泌離娩野担量解岐散])|minutes?(?![A-Za-z])|min(?![A-Za-z]))",
     "minutes"),
    (r"(?:年間|歳|years?(?![A-Za-z]))", "years"),
    (r"(?:サイクル|cycles?(?![A-Za-z]))", "cycles"),
]
_UNIT_RES = [(re.compile(rf"\s*(?:{pat})"), unit) for pat, unit in _UNITS]


def _match_unit(t: str, pos: int) -> tuple[str, int] | None:
    """The canonical unit written at ``t[pos:]`` (after optional spaces) and where it ends."""
    for rx, unit in _UNIT_RES:
        m = rx.match(t, pos)
        if m:
            return unit, m.end()
    return None


def _flat_is_power(t: str, m: re.Match[str]) -> bool:
    """Apply the flattened-power rule to a ``×10d`` match: plausible exponent + count unit after."""
    exp = int(m.group("flat"))
    if not 3 <= exp <= 12:
        return False
    mantissa = _decimal(m.group("man"))
    if mantissa is None or abs(mantissa) >= 10000:
        return False
    return bool(_COUNT_AFTER_RE.match(t, m.end()))


_COUNT_AFTER_RE = re.compile(
    rf"\s*(?:{_COUNT_UNIT}"
    rf"|(?:~|-|to|から)\s*{_NUM}\s*[×xX]\s*10\s*\^?\s*\d{{1,2}}\s*{_COUNT_UNIT})"
)


def _value_of(t: str, m: re.Match[str]) -> Decimal | None:
    """The number a ``_VALUE_RE`` match stands for, or ``None`` when a flattened power is ambiguous."""
    if m.group("exp"):
        return _power(m.group("man"), m.group("exp"))
    if m.group("flat"):
        return _power(m.group("man"), m.group("flat")) if _flat_is_power(t, m) else None
    return _decimal(m.group("man"))


@dataclass(frozen=True)
class _Hit:
    """A quantity read at ``t[start:end]``; ``exponent`` is its power of ten, if written."""

    quantity: Quantity
    start: int
    end: int
    exponent: int | None = None


_COMPOUND_TAIL_RE = re.compile(r"\s*/\s*[^\s\d]|/\s*\d")
_BARE_PIECE_RE = re.compile(r"\s*個")
_SLASH_NUMBER_RE = re.compile(rf"\s*/\s*{_NUM}")


def _hit(t: str, value: Decimal, start: int, end: int, exponent: int | None) -> _Hit | None:
    """The quantity ``value`` written at ``t[start:end]`` plus the unit after it.

    ``None`` when the unit is ambiguous: ``個`` without a power of ten counts anything (``5 個``
    variables), and a known unit followed by ``/…`` is a compound this module does not know
    (``200 mg/24 h``), so reading just ``mg`` would be wrong.
    """
    unit = _match_unit(t, end)
    if unit is None:
        return _Hit(Quantity(value, None), start, end, exponent)
    name, unit_end = unit
    if name.startswith("cells") and _BARE_PIECE_RE.match(t, end) and exponent is None:
        return None
    if _COMPOUND_TAIL_RE.match(t, unit_end) and not _same_unit_follows(t, unit_end, name):
        return None
    return _Hit(Quantity(value, name), start, unit_end, exponent)


def _same_unit_follows(t: str, pos: int, unit: str) -> bool:
    """``2.5 mg/5 mg``: a slash between two strengths in the same unit is a list, not a unit."""
    m = _SLASH_NUMBER_RE.match(t, pos)
    if not m:
        return False
    after = _match_unit(t, m.end())
    return after is not None and after[0] == unit


def _quantity_at(t: str, m: re.Match[str]) -> _Hit | None:
    """Read the number at ``m`` and the unit right after it (if any)."""
    value = _value_of(t, m)
    if value is None:
        return None
    exponent = m.group("exp") or m.group("flat")
    return _hit(t, value, m.start(), m.end(), int(exponent) if exponent else None)


def _leading_quantity(t: str) -> _Hit | None:
    """The quantity at the very start of ``t`` (``10^6 個`` included)."""
    m = _POW_ONLY_RE.match(t)
    if m:
        value = _power("1", m.group("exp"))
        return None if value is None else _hit(t, value, 0, m.end(), int(m.group("exp")))
    m = _VALUE_RE.match(t)
    return _quantity_at(t, m) if m else None


def parse_quantity(s: str) -> Quantity | None:
    """One number with its unit: ``"25,000/μL"`` → (25000, "/uL"); ``"450×106個"`` → cells.

    The whole string must be the quantity (a trailing footnote marker aside); a bare number gives
    a Quantity with ``unit=None``.
    """
    t = _norm_text(s)
    hit = _leading_quantity(t)
    if hit is None or not _TRAILER_RE.fullmatch(t, hit.end):
        return None
    return hit.quantity


def find_quantities(text: str) -> list[tuple[Quantity, int, int]]:
    """Every number-with-unit in ``text``, with its span in ``text`` as given.

    Bare numbers are left out (they are counts, footnotes, table cells: the caller knows better),
    and so are numbers whose unit word is not a measure there: ordinals (``第 7 サイクル``,
    ``1 日目``), dates (``3月23日``), frequencies (``1 日 1 回``), labels (``95% CI``).
    """
    norm = _normalize(text)
    t = norm.text
    out: list[tuple[Quantity, int, int]] = []
    pos = 0
    while pos < len(t):
        m = _VALUE_RE.search(t, pos)
        if not m:
            break
        hit = _quantity_at(t, m)
        if hit is None or hit.quantity.unit is None or _not_a_measure(t, hit):
            pos = m.end()
            continue
        start, end = norm.span(hit.start, hit.end)
        out.append((hit.quantity, start, end))
        pos = hit.end
    return out


_CI_LABEL_AFTER_RE = re.compile(r"\s*(?:CI|C\.I\.|信頼区間|confidence)")
_ORDINAL_BEFORE_RE = re.compile(r"第\s*(?:\d+\s*[~-]\s*)?$")
_MONTH_BEFORE_RE = re.compile(r"月\s*$")
_ORDINAL_AFTER_RE = re.compile(r"\s*目")
_DAY_NOT_DURATION_RE = re.compile(r"\s*(?:量|あたり|当たり|\d+\s*回)")


def _not_a_measure(t: str, hit: _Hit) -> bool:
    """Numbers with a unit word that are not measures in running text.

    ``第 7 サイクル`` / ``1 日目`` / ``2 サイクル目`` are ordinals, ``3月23日`` is a date,
    ``1 日 1 回`` a frequency ("once a day") and ``1 日量`` a daily amount, not durations;
    the ``95%`` of ``95% CI`` is a label.
    """
    before = t[max(0, hit.start - 12):hit.start]
    if _ORDINAL_BEFORE_RE.search(before) or _ORDINAL_AFTER_RE.match(t, hit.end):
        return True
    if hit.quantity.unit == "%" and _CI_LABEL_AFTER_RE.match(t, hit.end):
        return True
    if hit.quantity.unit != "days":
        return False
    return bool(_MONTH_BEFORE_RE.search(before) or _DAY_NOT_DURATION_RE.match(t, hit.end))


def unflatten_power(s: str) -> str:
    """Restore a power of ten that lost its superscript: ``"450×106個"`` → ``"450×10^6個"``.

    Only where the flattened-power rule (module docstring) says so; ``"3×106"`` stays as is.
    The rest of ``s`` is returned unchanged (no other normalisation).
    """
    out: list[str] = []
    last = 0
    for m in _FLAT_RAW_RE.finditer(s):
        # The rule only looks a short way ahead (a unit, or the far end of a range).
        t = _normalize(s[m.start():m.end() + _FLAT_LOOKAHEAD]).text
        mm = _VALUE_RE.match(t)
        if not mm or not mm.group("flat") or not _flat_is_power(t, mm):
            continue
        out.append(s[last:m.start("flat")])
        out.append("^" + unicodedata.normalize("NFKC", m.group("flat")))
        last = m.end("flat")
    out.append(s[last:])
    return "".join(out)


_FLAT_LOOKAHEAD = 60
_FLAT_RAW_RE = re.compile(
    r"(?<![A-Za-z0-9.,_^\-０-９])[0-9０-９][0-9０-９,，.．]*\s*[×xX]\s*[1１][0０]"
    r"(?P<flat>[0-9０-９]{1,2})(?![0-9０-９.,])"
)


# ---------------------------------------------------------------------------------------------
# Ranges, counts, confidence intervals

_RANGE_SEP_RE = re.compile(r"\s*(?:~|から|to|-|–)\s*")


def parse_range(s: str) -> tuple[Quantity, Quantity] | None:
    """``"280×10^6~540×10^6個"``, ``"12~24時間"``, ``"0.1 to 0.5"`` → (low, high).

    A unit written only on the right end applies to both ends, and so does a power of ten:
    ``150~450×10^6個`` is 150×10^6 to 450×10^6 cells (how these documents abbreviate). ``None``
    when the string is not exactly two quantities around a range separator, the units differ,
    or low > high.
    """
    t = _norm_text(s)
    left = _leading_quantity(t)
    if left is None:
        return None
    sep = _RANGE_SEP_RE.match(t, left.end)
    if not sep:
        return None
    rest = t[sep.end():]
    right = _leading_quantity(rest)
    if right is None or not _TRAILER_RE.fullmatch(rest, right.end):
        return None
    low, high = left.quantity, right.quantity
    if left.exponent is None and right.exponent is not None and low.unit is None:
        low = Quantity(_tidy(low.value * Decimal(10) ** right.exponent), None)
    if low.unit is None and high.unit is not None:
        low = Quantity(low.value, high.unit)
    if high.unit is None and low.unit is not None:
        high = Quantity(high.value, low.unit)
    if low.unit != high.unit or low.value > high.value:
        return None
    return low, high


_COUNT_PERCENT_RE = re.compile(
    rf"(?P<n>{_NUM})(?:\s*/\s*{_NUM})?\s*(?:例|名|件|人|patients?|subjects?)?"
    rf"\s*(?:\(\s*(?P<p>{_NUM})\s*%?\s*\)|\[\s*(?P<q>{_NUM})\s*%?\s*\])"
)


def parse_count_percent(s: str) -> tuple[int, Decimal] | None:
    """``"41(45.6%)"``, ``"116 (84.7)"``, ``"41（45.6%）"`` → (41, Decimal("45.6")).

    Also ``"41 例 (45.6%)"``, ``"41/90 (45.6%)"`` (the count, not the denominator) and
    ``"4 [15.4%]"``. The count must be a whole number and the percentage at most 100.
    """
    t = _norm_text(s)
    m = _COUNT_PERCENT_RE.fullmatch(t)
    if not m:
        m = _COUNT_PERCENT_RE.match(t)
        if not m or not _TRAILER_RE.fullmatch(t, m.end()):
            return None
    n = _decimal(m.group("n"))
    p = _decimal(m.group("p") or m.group("q"))
    if n is None or p is None or n != n.to_integral_value() or p > 100:
        return None
    return int(n), p


# "95% CI", "95%CI*1:", "95%信頼区間" (a footnote star may follow the label).
_CI_LABEL = (
    r"(?:\d{1,2}(?:\.\d+)?\s*%\s*(?:CI|C\.I\.|confidence\s+interval|信頼区間)"
    r"(?:\s*\*+\s*\^?\d?)?\s*:?)"
)
_CI_NUM = rf"(?P<NAME>{_SIGNED})\s*%?"
_CI_RE = re.compile(
    rf"(?:{_CI_LABEL}\s*)?[\[(]?\s*(?:{_CI_LABEL}\s*)?"
    + _CI_NUM.replace("NAME", "lo")
    + r"\s*(?:,|;|、|~|to|-|–)\s*"
    + _CI_NUM.replace("NAME", "hi")
    + r"\s*[\])]?"
)


def parse_ci(s: str) -> tuple[Decimal, Decimal] | None:
    """``"[23.35, 63.08]"``, ``"[95%CI 65.8, 81.1]"``, ``"(95% CI: 0.1-0.5)"`` → (low, high).

    ``None`` for anything else, including an open end (``NE``) and low > high.
    """
    t = _norm_text(s)
    m = _CI_RE.fullmatch(t)
    if not m:
        return None
    lo, hi = _decimal(m.group("lo")), _decimal(m.group("hi"))
    if lo is None or hi is None or lo > hi:
        return None
    return lo, hi


# ---------------------------------------------------------------------------------------------
# Dates

# (first day, last day) of each era; year 1 of an era starts on its first day.
_ERAS: dict[str, tuple[datetime.date, datetime.date]] = {
    "令和": (datetime.date(2019, 5, 1), datetime.date(9999, 12, 31)),
    "平成": (datetime.date(1989, 1, 8), datetime.date(2019, 4, 30)),
    "昭和": (datetime.date(1926, 12, 25), datetime.date(1989, 1, 7)),
    "大正": (datetime.date(1912, 7, 30), datetime.date(1926, 12, 25)),
}
_ERA = r"(?P<era>令和|平成|昭和|大正)"
_EYEAR = r"(?P<ey>元|\d{1,2})"

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAME = (
    r"(?P<mname>(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?)"
)

_DATE_PATTERNS = [
    rf"{_ERA}\s*{_EYEAR}\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日",
    r"(?<![\d.])(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日",
    r"(?<![\d./-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d])",
    rf"(?<![A-Za-z]){_MONTH_NAME}\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<y>\d{{4}})(?!\d)",
    rf"(?<![\d])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s-]*{_MONTH_NAME}[\s,-]*(?P<y>\d{{4}})(?!\d)",
]
# Python forbids repeated group names across alternatives, so each pattern is compiled alone.
_DATE_RES = [re.compile(p) for p in _DATE_PATTERNS]

_YM_PATTERNS = [
    rf"{_ERA}\s*{_EYEAR}\s*年\s*(?P<m>\d{{1,2}})\s*月",
    r"(?<![\d.])(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月",
    rf"(?<![A-Za-z]){_MONTH_NAME}\s*,?\s*(?P<y>\d{{4}})(?!\d)",
    r"(?<![\d./-])(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?:(?P=sep)\d{1,2})?(?![\d./-])",
]
_YM_RES = [re.compile(p) for p in _YM_PATTERNS]


def _year_of(groups: dict[str, str | None]) -> int | None:
    """Western year from a match's groups (``y``, or ``era`` + ``ey``; NFKC already turned
    the one-character era signs ㋿ ㍻ ㍼ into 令和 平成 昭和)."""
    if groups.get("y"):
        return int(groups["y"])  # type: ignore[arg-type]
    era = groups.get("era")
    if not era or not groups.get("ey"):
        return None
    ey = 1 if groups["ey"] == "元" else int(groups["ey"])  # type: ignore[arg-type]
    if ey < 1:
        return None
    return _ERAS[era][0].year + ey - 1


def _month_of(groups: dict[str, str | None]) -> int | None:
    if groups.get("mname"):
        return _MONTHS.get(groups["mname"].rstrip(".").lower())  # type: ignore[union-attr]
    return int(groups["m"]) if groups.get("m") else None


def _date_from(groups: dict[str, str | None]) -> datetime.date | None:
    """Build and validate a date; ``None`` for 2月30日 or a day outside its era."""
    year, month = _year_of(groups), _month_of(groups)
    if year is None or month is None or not groups.get("d"):
        return None
    try:
        date = datetime.date(year, month, int(groups["d"]))  # type: ignore[arg-type]
    except ValueError:
        return None
    era = groups.get("era")
    if era and not _ERAS[era][0] <= date <= _ERAS[era][1]:
        return None
    return date


def find_dates(text: str) -> list[tuple[datetime.date, int, int]]:
    """Every full date in ``text`` (era, Japanese western, ISO-like, English) with its span.

    Written dates that do not exist are skipped. Spans point into ``text`` as given.
    """
    norm = _normalize(text)
    t = norm.text
    found: list[tuple[int, int, datetime.date]] = []
    for rx in _DATE_RES:
        for m in rx.finditer(t):
            if any(a < m.end() and m.start() < b for a, b, _ in found):
                continue
            date = _date_from(m.groupdict())
            if date is not None:
                found.append((m.start(), m.end(), date))
    found.sort()
    out = []
    for a, b, date in found:
        start, end = norm.span(a, b)
        out.append((date, start, end))
    return out


def parse_date(s: str) -> datetime.date | None:
    """The one date ``s`` writes (``令和 8 年 3 月 23 日``, ``Nov. 28, 2016``, ``2026/02/25``).

    Surrounding words are tolerated (``"2016年11月28日承認"``); no date, an invalid one, or two
    different dates give ``None``.
    """
    t = _norm_text(s)
    candidates = []
    for rx in _DATE_RES:
        for m in rx.finditer(t):
            candidates.append(_date_from(m.groupdict()))
    dates = {d for d in candidates if d is not None}
    if len(dates) != 1 or None in candidates:
        return None
    return dates.pop()


def parse_year_month(s: str) -> tuple[int, int] | None:
    """``"2022年1月"``, ``"令和5年12月"``, ``"December 2023"`` → (year, month); else ``None``.

    A full date gives its year and month; two different months, or an impossible one, ``None``.
    """
    t = _norm_text(s)
    found: set[tuple[int, int]] = set()
    for rx in _YM_RES:
        for m in rx.finditer(t):
            groups = m.groupdict()
            year, month = _year_of(groups), _month_of(groups)
            if year is None or month is None or not 1 <= month <= 12:
                return None
            era = groups.get("era")
            if era:
                first, last = _ERAS[era]
                if (year, month) < (first.year, first.month) or (year, month) > (last.year, last.month):
                    return None
            found.add((year, month))
    for rx in _DATE_RES:
        for m in rx.finditer(t):
            date = _date_from(m.groupdict())
            if date is None:
                return None
            found.add((date.year, date.month))
    if len(found) != 1:
        return None
    return found.pop()
