"""The one dosage-sentence parser: a 用法及び用量 paragraph (or an English "Dosage and
Administration" one) into regimens, combination partners, conditions and dose adjustments.

Every extractor reads dosage text through ``parse_dosage``; what the parser cannot read it says
in ``Dosage.problems`` (the extractor turns them into Issues) and it writes no regimen from it:
a wrong dose is worse than a missing one.

What it reads (Japanese; English alike where the sentence has the same parts):

* substance: ``<名>として`` (``イブルチニブとして``, ``トラスツズマブ(遺伝子組換え)として``; a
  ``(無水物換算)``-style qualifier is dropped), one segment per substance when a sentence names
  several (``Xとして…及びYとして…``);
* dose and unit through ``extract.normalize.values`` (``mg``, ``mg/kg``, ``mg/m2``, ``ug``, ``g``,
  ``mL``, ``cells`` …), a range (``200~400mg``), a target dose with its range (``目標投与数450×10^6個``
  and ``…の範囲で投与できる``), per dose (``1回``) or per day (``1日量``, ``1日100~600mg``);
* route and frequency from ``ontology/dosage/terms.tsv`` (vocabulary as data);
* duration and cycles: ``N日間投与した後、M日間休薬`` (days 1-N of an N+M-day cycle),
  ``1日1回3日間`` (days 1-3), ``21日間を1サイクルとし、1サイクル目は1日目に1mg、8日目に2mg …、
  3サイクル目以降は…`` (one regimen per cycle and day), ``…7日間経口投与した後、1回5mgを…`` (an
  initial phase and the dose after it), ``初回…は4mg/kgを、2回目以降は2mgを`` (loading and
  maintenance);
* combination partners: ``Xとの併用において``, ``Xと併用して``, ``Xとの併用でB法``; a drug class
  (``他の抗悪性腫瘍剤``) is kept apart as a class, never as a substance;
* conditions: body-weight bands (``体重30kg以上は…、30kg未満は…``), renal function
  (``クレアチニンクリアランス30mL/min未満``), age, interacting drugs (``CYP3A阻害剤との併用時``),
  a named situation (``未治療の場合``, ``治療の場合:``);
* dose adjustments: ``適宜減量`` / ``適宜増減`` (no dose), a reduction to a dose (``…1回2.5mg 1日2回
  投与へ減量する``: a regimen of level ``reduced`` with its conditions), a maximum (``1日1,200mgまで
  増量することができる``: level ``maximum``), ``休薬`` / ``中止``.

Offsets in the result index the string given to ``parse_dosage``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from extract.model import DosageRegimen, Lang, Mention, SourceRef
from extract.normalize import values

DOSE_UNITS = frozenset({"mg", "mg/kg", "mg/m2", "mg/body", "mg/day", "ug", "ug/kg", "ug/m2", "g", "g/m2",
                        "mL", "cells", "cells/kg"})

ConditionKind = Literal["body-weight", "renal-function", "hepatic-function", "age", "interacting-drug",
                        "population", "situation"]
AdjustmentAction = Literal["adjust", "reduce", "increase", "interrupt", "discontinue"]
DoseLevel = Literal["loading", "initial", "maintenance", "starting", "usual", "maximum", "reduced"]


@dataclass(frozen=True, slots=True)
class Dose:
    """One dose as written: a value, a range, or a target value within a range."""

    unit: str
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    basis: Literal["per dose", "per day"] | None = None

    def __post_init__(self) -> None:
        if self.value is None and (self.low is None or self.high is None):
            raise ValueError("a dose needs a value or both ends of a range")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"dose range {self.low}~{self.high} runs backwards")


@dataclass(frozen=True, slots=True)
class Condition:
    """What a regimen is for: ``kind`` and the words as written (``体重30kg以上``)."""

    kind: ConditionKind
    text: str


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A dose adjustment the text allows without a dose of its own (``適宜減量``, ``休薬``)."""

    action: AdjustmentAction
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Regimen:
    """One dose of one substance on one schedule. ``start``/``end`` span the sentence (or the
    sentences, when a following ``なお`` sentence gives its range) it was read from; a step of a
    cycle schedule spans its cycle's mark to its dose (``2サイクル目は1日目に60mg``)."""

    dose: Dose
    start: int
    end: int
    substance: str | None = None
    route: str | None = None
    frequency: str | None = None
    days: str | None = None  # "1-21", "8": the days of the cycle (or of the run) it is given on
    cycle_length_days: int | None = None
    cycle_number: str | None = None  # "1", "2", ">=3", "1-2"
    level: DoseLevel | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True, slots=True)
class Dosage:
    regimens: tuple[Regimen, ...] = ()
    combination: tuple[str, ...] = ()  # partner substances as written
    combination_class: str | None = None  # a drug class named as partner (他の抗悪性腫瘍剤)
    adjustments: tuple[Adjustment, ...] = ()
    # what could not be read: (Issue code, message, start, end)
    problems: tuple[tuple[str, str, int, int], ...] = ()


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True, slots=True)
class _Term:
    kind: str
    lang: str
    pattern: re.Pattern[str]
    value: str

    def value_of(self, m: re.Match[str]) -> str:
        groups = [g for g in m.groups() if g]
        return self.value.format(*groups) if groups else self.value


@functools.cache
def _terms() -> tuple[_Term, ...]:
    from extract.resources import ontology_dir

    out = []
    for line in (ontology_dir() / "dosage" / "terms.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, lang, pattern, value = line.split("\t")
        out.append(_Term(kind, lang, re.compile(pattern, re.I if lang == "en" else 0), value))
    return tuple(out)


def find_term(kind: str, text: str, lang: Lang = "ja") -> str | None:
    """The first route or frequency of the vocabulary that ``text`` names (vocabulary order)."""
    for t in _terms():
        if t.kind == kind and t.lang == lang and (m := t.pattern.search(text)):
            return t.value_of(m)
    return None


def route_of(text: str, lang: Lang = "ja") -> str | None:
    return find_term("route", _compact(text).text if lang == "ja" else text, lang)


def frequency_of(text: str, lang: Lang = "ja") -> str | None:
    return find_term("frequency", _compact(text).text if lang == "ja" else text, lang)


# --------------------------------------------------------------------------- compact text


@dataclass(frozen=True, slots=True)
class _Compact:
    """Japanese text without the spaces and line breaks PDF and layout text put between
    characters (``1 日 1 回``, a sentence broken over lines), with a map back to the original;
    a space between two ASCII letters or digits stays (``420 mg``, ``CAR T``), and so does one
    between two katakana words of a name (``ポラツズマブ ベドチン``). Full-width-derived
    commas between Japanese words read as ``、`` (``21 日間を 1 サイクルとし，``)."""

    text: str
    pos: tuple[int, ...]  # original offset of each character, plus the end

    def span(self, a: int, b: int) -> tuple[int, int]:
        if b <= a:
            return self.pos[a], self.pos[a]
        return self.pos[a], self.pos[b - 1] + 1


_KATAKANA = re.compile(r"[ァ-ヶー]")


def _ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@functools.lru_cache(maxsize=256)
def _compact(text: str) -> _Compact:
    out: list[str] = []
    pos: list[int] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch.isspace():
            prev = out[-1] if out else ""
            nxt = next((c for c in text[i + 1:] if not c.isspace()), "")
            kana = _KATAKANA.match(prev) and _KATAKANA.match(nxt) and "\n" not in text[i:i + 2]
            if prev and nxt and prev != " " and ((_ascii_alnum(prev) and _ascii_alnum(nxt)) or kana):
                if not (out and out[-1] == " "):
                    out.append(" ")
                    pos.append(i)
            continue
        if ch == "," and not (out and out[-1].isdigit() and i + 1 < n and text[i + 1].isdigit()):
            ch = "、"
        out.append(ch)
        pos.append(i)
    pos.append(n)
    return _Compact("".join(out), tuple(pos))


# --------------------------------------------------------------------------- Japanese patterns

_SENTENCE = re.compile(r"[^。]+。?")
# the words before として: a name of katakana, kanji, Latin letters (遺伝子組換え kept; 換算 dropped)
_AS = re.compile(r"(?P<name>[^\s、。:()「」]+?)(?P<paren>\([^()]*\))?として")
_NAME_LEAD = re.compile(r"^.*(?:には|に対して|に対し|では|は|を|、|及び|並びに|又は|:)")
_PARTNER_LEAD = re.compile(r"^.*(?:には|に対して|に対し|では|は|を|:)")
_NUM = r"\d[\d.,]*(?:\s*×\s*10\^?\d{1,2})?"
_UNIT = (r"(?:mg/m\^?2|mg/kg|mg/body|(?:μg|ug|mcg)/(?:kg|m\^?2)|μg|ug|mcg|mg|g/m\^?2|g|mL"
         r"|(?:CAR[^\d~、。]{0,10}?)?(?:個|細胞)|cells?)(?![A-Za-z])")
_RANGE = re.compile(rf"{_NUM}\s*(?:{_UNIT})?\s*~\s*{_NUM}\s*{_UNIT}")
_RANGE_ONLY = re.compile(r"範囲")
_COMBINATION = re.compile(
    r"(?P<p>[^、。:()]+?(?:\([^()]*\))?(?:(?:、|及び|並びに|又は|とも)[^、。:()]+?(?:\([^()]*\))?)*)"
    r"(?:との併用(?:において|により|の場合|時|で|下)|と併用(?:して|し、|する))")
_PARTNER_SPLIT = re.compile(r"、|及び|並びに|又は")
_DRUG_CLASS = re.compile(r"(?:剤|薬|療法|化学療法|製剤類)$|^他の|^その他")
_CYCLE_LENGTH = re.compile(r"(\d+)日(?:間)?を1サイクル")
_CYCLE_MARK = re.compile(r"(?:第)?(\d+)(?:~(\d+))?サイクル(?:目)?(以降)?(?:は|では|に|には)")
_DAY_LIST = re.compile(r"(?:第)?((?:\d+(?:~\d+)?日目?(?:、|及び|,|と)?)+)(?:に|は)")
_ON_OFF = re.compile(r"(\d+)日間(?:連日)?[^、。]{0,8}?投与(?:し|した後)、(\d+)日間休薬")
_DAILY_RUN = re.compile(r"1日1回、?(\d{1,2})日間(?!連日|を1サイクル)")
_RUN_DAYS = re.compile(r"(\d{1,2})日連続")
_THEN = re.compile(r"(\d+)日間[^、。]{0,10}?投与した後、")
_LOADING = re.compile(r"初回(?:投与時)?(?:のみ)?(?:には|は)")
_MAINTENANCE = re.compile(r"(?:2回目以降|維持(?:投与|量)?)(?:は|には)?")
_BODY_WEIGHT = re.compile(r"体重(?:が)?(?:\d+(?:\.\d+)?kg(?:以上|未満|以下|超|を超える)(?:\d+(?:\.\d+)?kg(?:以上|未満|以下))?)"
                          r"|(?<=、)\d+(?:\.\d+)?kg(?:以上|未満|以下)")
_RENAL = re.compile(r"(?:クレアチニンクリアランス|CLcr|Ccr|eGFR)(?:\([^()]*\))?(?:が|値が)?"
                    r"\d+ ?(?:mL/(?:min|分))?(?:以上|未満|以下|超)(?:\d+ ?mL/(?:min|分)(?:以上|未満|以下))?")
_AGE = re.compile(r"\d+歳(?:以上|未満|以下)(?:の(?:小児|患者|高齢者))?")
_POPULATION = re.compile(r"(?:成人及び\d+歳以上の小児|成人|小児|高齢者|新生児|乳児|幼児)(?=には|に対して|に対し|では|は)")
_SITUATION = re.compile(r"(?:^|(?<=[。\n]))(?P<s>[^、。:]{2,30}?の場合)(?:[:、]|(?=通常))")
_INTERACTION_HINT = re.compile(r"併用(?:する場合|時|の場合)[^。]*?(?:減量|減ずる|変更|調節)")
_REDUCE_TO = re.compile(r"(?:へ|に|まで)減量")
_INCREASE_TO = re.compile(r"まで(?:漸?増量|增量)")
_ADJUST = re.compile(r"適宜増減")
_REDUCE = re.compile(r"適宜減量")
_INTERRUPT = re.compile(r"休薬")
_DISCONTINUE = re.compile(r"(?:投与|治療)を?中止")
_USUAL = re.compile(r"\(通常1日(?:量)?[^()]*\)")


def parse_dosage(text: str, lang: Lang = "ja") -> Dosage:
    """Parse one dosage paragraph (several sentences may make one regimen; see the module
    docstring for what is read)."""
    if lang == "en":
        return _parse_en(text)
    c = _compact(text)
    parser = _JaParser(c)
    for m in _SENTENCE.finditer(c.text):
        parser.sentence(m.start(), m.end())
    return parser.result()


@dataclass
class _JaParser:
    c: _Compact
    regimens: list[Regimen] = field(default_factory=list)
    combination: list[str] = field(default_factory=list)
    combination_class: str | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    problems: list[tuple[str, str, int, int]] = field(default_factory=list)
    situation: Condition | None = None
    last: list[int] = field(default_factory=list)  # indexes of the previous sentence's regimens

    def result(self) -> Dosage:
        return Dosage(tuple(self.regimens), tuple(dict.fromkeys(self.combination)), self.combination_class,
                      tuple(self.adjustments), tuple(self.problems))

    # -- helpers
    def span(self, a: int, b: int) -> tuple[int, int]:
        return self.c.span(a, b)

    def problem(self, what: str, a: int, b: int, code: str = "dosage-unparsed") -> None:
        self.problems.append((code, what, *self.span(a, b)))

    def sentence(self, s: int, e: int) -> None:
        sent = self.c.text[s:e]
        situation = _SITUATION.search(sent)
        if situation and not _doses(sent[:situation.start("s")]):
            self.situation = Condition("situation", situation.group("s"))
        doses = _doses(sent)
        self._adjustments(sent, s)
        if not doses:
            self._combination(sent, s, e)
            self.last = []
            return
        if sent.startswith("なお") and _RANGE_ONLY.search(sent) and self._widen(sent, s, e):
            return
        if _REDUCE_TO.search(sent) or _INCREASE_TO.search(sent):
            self._level_sentence(sent, s, e, "reduced" if _REDUCE_TO.search(sent) else "maximum")
            return
        interaction = bool(_INTERACTION_HINT.search(sent))
        if not interaction:
            self._combination(sent, s, e)
        before = len(self.regimens)
        for seg_s, seg_e, name in _segments(sent):
            self._segment(s, e, s + seg_s, s + seg_e, name, interaction)
        self.last = list(range(before, len(self.regimens)))

    def _adjustments(self, sent: str, s: int) -> None:
        for rx, action in ((_ADJUST, "adjust"), (_REDUCE, "reduce"), (_INTERRUPT, "interrupt"),
                           (_DISCONTINUE, "discontinue")):
            for m in rx.finditer(sent):
                if action == "interrupt" and _ON_OFF.search(sent):
                    continue  # the rest days of a cycle, not an interruption
                a, b = self.span(s + m.start(), s + m.end())
                self.adjustments.append(Adjustment(action, m.group(), a, b))  # type: ignore[arg-type]

    def _combination(self, sent: str, s: int, e: int) -> None:
        for m in _COMBINATION.finditer(sent):
            raw = _PARTNER_LEAD.sub("", m.group("p"))
            raw = re.sub(r"^(?:通常|本剤|本品)、?", "", raw)
            names = [n for n in _PARTNER_SPLIT.split(raw) if n]
            if not names:
                continue
            if any(_DRUG_CLASS.search(re.sub(r"製剤$", "", n)) for n in names) or raw.startswith("他の"):
                self.combination_class = raw
                continue
            self.combination.extend(re.sub(r"製剤$", "", n) for n in names)

    def _widen(self, sent: str, s: int, e: int) -> bool:
        """``なお、…A~Bの範囲で投与できる``: the range of the previous sentence's target dose."""
        rng = _range_in(sent)
        if rng is None or not self.last or route_in(sent) or find_term("frequency", sent):
            return False
        low, high, unit = rng
        done = False
        for i in self.last:
            reg = self.regimens[i]
            d = reg.dose
            if d.unit != unit or d.value is None or d.low is not None or not low <= d.value <= high:
                self.problem("dose range after a dosage: unit or bounds do not fit its dose", s, e,
                             "values-inconsistent")
                continue
            a, b = self.span(s, e)
            self.regimens[i] = replace(reg, dose=replace(d, low=low, high=high), end=b)
            done = True
        return done

    def _level_sentence(self, sent: str, s: int, e: int, level: DoseLevel) -> None:
        """A reduction to (``…へ減量``) or an increase up to (``…まで増量``) one dose: a regimen of
        that level, the route and frequency of the regimen before it where the sentence has none."""
        doses = _doses(sent)
        if len(doses) != 1:
            self.problem(f"{level} dose not read: {len(doses)} doses", s, e)
            return
        prev = self.regimens[-1] if self.regimens else None
        conds = _conditions(sent)
        route = route_in(sent) or (prev.route if prev else None)
        freq = find_term("frequency", sent) or (prev.frequency if prev and level == "reduced" else None)
        subst = _segments(sent)[0][2] or (prev.substance if prev else None)
        a, b = self.span(s, e)
        self.regimens.append(Regimen(doses[0][0], a, b, subst, route, freq, level=level,
                                     conditions=conds + ((self.situation,) if self.situation else ())))
        self.last = [len(self.regimens) - 1]

    def _segment(self, s: int, e: int, a: int, b: int, name: str | None, interaction: bool) -> None:
        seg = self.c.text[a:b]
        sent = self.c.text[s:e]
        conds = _conditions(sent, bands=len(_BODY_WEIGHT.findall(seg)) >= 2)
        if interaction:
            conds += (Condition("interacting-drug", _interacting(sent)),)
        if self.situation:
            conds += (self.situation,)
        common = dict(substance=name, route=route_in(seg) or route_in(sent),
                      frequency=find_term("frequency", seg) or find_term("frequency", sent))
        start, end = self.span(s, e)
        cycle = _CYCLE_LENGTH.search(sent)
        if cycle and _CYCLE_MARK.search(seg):
            self._cycles(seg, a, int(cycle.group(1)), common, conds)
            return
        for part_s, part_e, extra in _parts(seg):
            part = seg[part_s:part_e]
            doses = _doses(part)
            if not doses:
                continue
            if len(doses) > 1:
                self.problem("dosage with several doses not told apart", a + part_s, a + part_e)
                continue
            dose = doses[0][0]
            kw = dict(common)
            kw["route"] = route_in(part) or kw["route"]
            own_freq = find_term("frequency", part)
            kw["frequency"] = own_freq if own_freq or extra.get("level") == "loading" else kw["frequency"]
            days, length = _schedule(part if extra.get("level") else seg)
            reg = Regimen(dose, start, end, days=extra.get("days", days),  # type: ignore[arg-type]
                          cycle_length_days=length, level=extra.get("level"),  # type: ignore[arg-type]
                          conditions=conds + tuple(extra.get("conditions", ())), **kw)  # type: ignore[arg-type]
            self.regimens.append(reg)

    def _cycles(self, seg: str, a: int, length: int, common: dict[str, object],
                conds: tuple[Condition, ...]) -> None:
        marks = list(_CYCLE_MARK.finditer(seg))
        for k, mk in enumerate(marks):
            stop = marks[k + 1].start() if k + 1 < len(marks) else len(seg)
            first, last, onward = mk.group(1), mk.group(2), mk.group(3)
            number = f">={first}" if onward else (f"{first}-{last}" if last else first)
            body = seg[mk.end():stop]
            found = False
            for dm in _DAY_LIST.finditer(body):
                rest = body[dm.end():]
                nxt = _DAY_LIST.search(rest)
                doses = _doses(rest[:nxt.start()] if nxt else rest)
                if not doses:
                    continue
                # the evidence runs from the cycle's mark to this day's dose
                step = self.span(a + mk.start(), a + mk.end() + dm.end() + doses[0][2])
                for day in re.findall(r"(\d+(?:~\d+)?)日", dm.group(1)):
                    self.regimens.append(Regimen(doses[0][0], *step, days=day.replace("~", "-"),
                                                 cycle_length_days=length, cycle_number=number,
                                                 conditions=conds, **common))  # type: ignore[arg-type]
                    found = True
            if not found:
                self.problem(f"cycle {number}: no day and dose read", a + mk.start(), a + stop)


def route_in(text: str) -> str | None:
    return find_term("route", text)


def _segments(sent: str) -> list[tuple[int, int, str | None]]:
    """``Xとして…及びYとして…`` → one (start, end, substance) per substance; a sentence without
    ``として`` is one segment without one."""
    starts: list[tuple[int, str]] = []
    for m in _AS.finditer(sent):
        name = _NAME_LEAD.sub("", m.group("name"))
        paren = m.group("paren") or ""
        if not name or re.search(r"\d", name) or name in ("原則", "目安", "前処置", "併用薬"):
            continue
        if paren and "換算" not in paren:
            name += paren
        starts.append((m.end("name") - len(_NAME_LEAD.sub("", m.group("name"))), name))
    if not starts:
        return [(0, len(sent), None)]
    out: list[tuple[int, int, str | None]] = []
    for k, (start, name) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(sent)
        out.append((0 if k == 0 else start, end, name))
    return out


def _parts(seg: str) -> list[tuple[int, int, dict[str, object]]]:
    """The parts of one substance's segment that each give one dose: body-weight bands, a
    loading dose and the doses after it, an initial run and the dose after it, or the whole."""
    bands = list(_BODY_WEIGHT.finditer(seg))
    if len(bands) >= 2:
        out = []
        for k, m in enumerate(bands):
            stop = bands[k + 1].start() if k + 1 < len(bands) else len(seg)
            text = _tidy_condition(m.group())
            if not text.startswith("体重"):
                text = "体重" + text
            out.append((m.start(), stop, {"conditions": (Condition("body-weight", text),)}))
        return out
    load = _LOADING.search(seg)
    maint = _MAINTENANCE.search(seg, load.end()) if load else None
    if load and maint:
        return [(load.start(), maint.start(), {"level": "loading"}),
                (maint.start(), len(seg), {"level": "maintenance"})]
    then = _THEN.search(seg)
    if then and _doses(seg[:then.start()]) and _doses(seg[then.end():]):
        return [(0, then.end(), {"level": "initial", "days": f"1-{then.group(1)}"}),
                (then.end(), len(seg), {"level": "maintenance", "days": None})]
    usual = _USUAL.search(seg)
    if usual and _doses(seg[:usual.start()]):
        return [(0, usual.start(), {"level": "starting"}), (usual.start(), usual.end(), {"level": "usual"}),
                (usual.end(), len(seg), {})]
    return [(0, len(seg), {})]


def _schedule(text: str) -> tuple[str | None, int | None]:
    """Days and cycle length: ``21日間投与した後、7日間休薬`` → ("1-21", 28); ``1日1回3日間`` →
    ("1-3", None); ``2日連続`` → ("1-2", None)."""
    if m := _ON_OFF.search(text):
        on, off = int(m.group(1)), int(m.group(2))
        return f"1-{on}", on + off
    if m := (_DAILY_RUN.search(text) or _RUN_DAYS.search(text)):
        return f"1-{m.group(1)}", None
    return None, None


def _doses(text: str) -> list[tuple[Dose, int, int]]:
    """Every dose in ``text`` (value, range or target in range), in order, with its span.
    Quantities in parentheses that restate the dose in another unit (``4錠(サラゾスルファピリジン
    として2g)``) are the dose when the outside has none in a dose unit."""
    t = values.unflatten_power(text) if "×10" in text else text
    if len(t) != len(text):
        return [(d, 0, len(text)) for d, _, _ in _doses_of(t)]
    return _doses_of(t)


def _doses_of(t: str) -> list[tuple[Dose, int, int]]:
    out: list[tuple[Dose, int, int]] = []
    taken: list[tuple[int, int]] = []
    for m in _RANGE.finditer(t):
        rng = values.parse_range(m.group())
        if rng is None or rng[0].unit not in DOSE_UNITS:
            continue
        low, high = rng
        out.append((Dose(low.unit, low=low.value, high=high.value, basis=_basis(t, m.start())),  # type: ignore[arg-type]
                    m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for q, a, b in values.find_quantities(t):
        if q.unit not in DOSE_UNITS or any(x <= a < y for x, y in taken) or _not_a_dose(t, a, b):
            continue
        out.append((Dose(q.unit, value=q.value, basis=_basis(t, a)), a, b))  # type: ignore[arg-type]
    out.sort(key=lambda d: d[1])
    return _with_targets(t, out)


def _not_a_dose(t: str, a: int, b: int) -> bool:
    """Rates and limits that carry a dose unit but are no dose (``10mL/分を超えない速度``,
    ``800mgを超えない``)."""
    after = t[b:b + 8]
    return bool(re.match(r"\s*(?:/|を超えない|を超えて|以下の速度|中)", after))


def _with_targets(t: str, doses: list[tuple[Dose, int, int]]) -> list[tuple[Dose, int, int]]:
    """A target dose and the range it may take in the same sentence (``目標投与数450×10^6個
    (300~540×10^6個の範囲で)``, ``300×10^6個(範囲:150~450×10^6個)を目安に``) are one dose."""
    if len(doses) != 2 or "範囲" not in t:
        return doses
    (d1, a1, b1), (d2, a2, b2) = doses
    point, rng = (d1, d2) if d1.value is not None else (d2, d1)
    if rng.low is None or point.value is None or point.unit != rng.unit:
        return doses
    if not rng.low <= point.value <= rng.high:  # type: ignore[operator]
        return doses
    return [(replace(point, low=rng.low, high=rng.high), min(a1, a2), max(b1, b2))]


def _range_in(sent: str) -> tuple[Decimal, Decimal, str] | None:
    ds = [d for d, _, _ in _doses(sent)]
    if len(ds) != 1 or ds[0].low is None or ds[0].high is None:
        return None
    return ds[0].low, ds[0].high, ds[0].unit


def _basis(t: str, a: int) -> Literal["per dose", "per day"] | None:
    before = t[max(0, a - 4):a]
    if re.search(r"1回(?:量)?$", before):
        return "per dose"
    if re.search(r"1日(?:量)?$", before):
        return "per day"
    return None


def _conditions(sent: str, *, bands: bool = False) -> tuple[Condition, ...]:
    """The conditions a sentence names for all its doses (body-weight bands, when each dose has
    its own, are read per part instead)."""
    out: list[Condition] = []
    for rx, kind in ((_BODY_WEIGHT, "body-weight"), (_RENAL, "renal-function"), (_AGE, "age")):
        if kind == "body-weight" and bands:
            continue
        out += [Condition(kind, _tidy_condition(m.group())) for m in rx.finditer(sent)]  # type: ignore[arg-type]
    pop = _POPULATION.search(sent)
    if pop and pop.group() != "成人":
        out = [c for c in out if c.text not in pop.group()] + [Condition("population", pop.group())]
    if re.search(r"(?:年齢|体重|腎機能|肝機能)(?:、|及び|又は)?.*?に応じて", sent):
        m = re.search(r"[^、。]*?(?:年齢|体重|腎機能|肝機能)[^。]*?に応じて", sent)
        if m:
            out.append(Condition("situation", re.sub(r"^なお、?", "", m.group())))
    return tuple(out)


def _tidy_condition(text: str) -> str:
    """``体重が 30kg`` → ``体重30kg``, ``30 mL/min`` → ``30mL/min``: one spelling per band."""
    return re.sub(r"(?<=\d) (?=mL)", "", re.sub(r"^体重が", "体重", text))


def _interacting(sent: str) -> str:
    m = re.search(r"(?P<d>[^、。]+?)(?:との|と)併用", sent)
    return m.group("d") if m else sent


# --------------------------------------------------------------------------- English

_EN_SENTENCE = re.compile(r"(?:[^.]|\.(?=\d))+(?:\.|$)")
_EN_OF = re.compile(r"\s+of\s+(?P<s>[a-z][\w-]*)")
_EN_CYCLE = re.compile(r"for (?P<on>\d+) days,? followed by an? (?P<off>\d+)-day (?:withdrawal|rest) period")
_EN_DAYS = re.compile(r"on [Dd]ays? (?P<a>\d+)\s*(?:-|to|through)\s*(?P<b>\d+) of (?:each|a|every) (?P<len>\d+)-day cycle")
_EN_COMBO = re.compile(r"[Ii]n combination with ((?:[a-z][\w-]*)(?:(?:,\s+|,?\s+and\s+)(?!the\b|a\b|an\b|other\b)"
                       r"[a-z][\w-]*)*)")
_EN_CLASS = re.compile(r"[Ii]n combination with (other [a-z -]+?(?:agents|drugs))")
_EN_ADJUST = ((re.compile(r"\bmay be (?:reduced|decreased)\b"), "reduce"),
              (re.compile(r"\bmay be adjusted\b|\bincreased or decreased\b"), "adjust"),
              (re.compile(r"\b(?:interrupt(?:ed)?|withh[eo]ld)\b"), "interrupt"),
              (re.compile(r"\bdiscontinu(?:e|ed|ation)\b"), "discontinue"))


@functools.lru_cache(maxsize=64)
def _spaced(text: str) -> _Compact:
    """English text with each run of spaces and line breaks as one space, mapped back."""
    out: list[str] = []
    pos: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
        pos.append(i)
    pos.append(len(text))
    return _Compact("".join(out), tuple(pos))


def _parse_en(raw: str) -> Dosage:
    """English dosage text: the first dose of each sentence that gives a route and a frequency
    (``25 mg of lenalidomide administered orally once daily for 21 days, followed by a 7-day
    withdrawal period``)."""
    c = _spaced(raw)
    text = c.text
    regimens: list[Regimen] = []
    adjustments: list[Adjustment] = []
    for m in _EN_SENTENCE.finditer(text):
        sent, s = m.group(), m.start()
        for rx, action in _EN_ADJUST:
            for a in rx.finditer(sent):
                adjustments.append(Adjustment(action, a.group(), *c.span(s + a.start(), s + a.end())))  # type: ignore[arg-type]
        route, freq = find_term("route", sent, "en"), find_term("frequency", sent, "en")
        hits = [(q, a, b) for q, a, b in values.find_quantities(sent) if q.unit in DOSE_UNITS]
        if not (route and freq and hits):
            continue
        q, _a, b = hits[0]
        subst = _EN_OF.match(sent[b:])
        days, length = None, None
        if cyc := _EN_CYCLE.search(sent):
            on, off = int(cyc.group("on")), int(cyc.group("off"))
            days, length = f"1-{on}", on + off
        elif dm := _EN_DAYS.search(sent):
            days, length = f"{dm.group('a')}-{dm.group('b')}", int(dm.group("len"))
        regimens.append(Regimen(Dose(q.unit, value=q.value), *c.span(s, s + len(sent.rstrip())),  # type: ignore[arg-type]
                                subst.group("s") if subst else None, route, freq, days, length))
    combo = _EN_COMBO.search(text)
    partners = tuple(p for p in re.split(r",?\s+and\s+|,\s+", combo.group(1))) if combo else ()
    klass = _EN_CLASS.search(text)
    return Dosage(tuple(regimens), partners, klass.group(1) if klass else None, tuple(adjustments))


# --------------------------------------------------------------------------- facts


def _bare(name: str) -> str:
    return re.sub(r"\s|\(遺伝子組換え\)", "", name)


def regimen_fact(reg: Regimen, dosage: Dosage, product: Mention, lang: Lang, ref: SourceRef, text: str, *,
                 indication: str | None = None, own: tuple[str, ...] = ()) -> DosageRegimen:
    """The ``DosageRegimen`` of one parsed regimen. ``own`` are the product's own substance names:
    a regimen of the product's own substance (or of cells, a cell product) has no
    ``regimenSubstance``; another drug's (pre-treatment, supportive) keeps its name."""
    subst = reg.substance
    if subst and (reg.dose.unit in ("cells", "cells/kg") or _bare(subst) in {_bare(o) for o in own}):
        subst = None
    d = reg.dose
    partners = tuple(Mention(p, lang, "substance") for p in dosage.combination)
    return DosageRegimen(
        product, text, ref, indication=indication, dose_value=d.value, dose_min=d.low, dose_max=d.high,
        dose_unit=d.unit, route=reg.route, frequency=reg.frequency, cycle_length_days=reg.cycle_length_days,
        cycle_days=reg.days, cycle_number=reg.cycle_number, combination_with=partners,
        substance=Mention(subst, lang, "substance") if subst else None, dose_level=reg.level,
        condition="; ".join(dict.fromkeys(c.text for c in reg.conditions)) or None)


__all__ = ["Dose", "Condition", "Adjustment", "Regimen", "Dosage", "DOSE_UNITS", "parse_dosage",
           "regimen_fact", "route_of", "frequency_of", "find_term"]
