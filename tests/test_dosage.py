"""The one dosage parser (``extract.normalize.dosage``), table-driven over the phrasings of the
seeds, the samples and the real reviews and package inserts in ``../shared/real``.

Each case is a dosage sentence in the shape a document of that kind prints it, with a fictional
product or substance where the real one would make the case a copy, and the values read by hand.
The text is given as ``clean_text`` leaves it (ASCII brackets, ``~`` for ranges), with the spaces
and line breaks PDF text puts inside Japanese sentences where the source has them.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from extract.model import Mention, SourceRef
from extract.normalize.dosage import Dose, parse_dosage, regimen_fact
from extract.normalize.text import clean_text

M = 10 ** 6


def _one(text: str):  # type: ignore[no-untyped-def]
    d = parse_dosage(clean_text(text))
    assert len(d.regimens) == 1, d
    return d, d.regimens[0]


# --------------------------------------------------------------------------- one regimen per sentence

@pytest.mark.parametrize(("text", "substance", "dose", "route", "freq"), [
    # review 用法及び用量 (imbruvica-2023-01): fixed oral dose, spaces from the PDF
    ("通常、成人にはテストニブとして 420 mg を 1 日 1 回経口投与する。", "テストニブ",
     Dose("mg", D(420)), "oral", "once daily"),
    # per dose and twice daily (eliquis-2015)
    ("通常、成人にはテストバンとして1回5 mgを1日2回経口投与する。", "テストバン",
     Dose("mg", D(5), basis="per dose"), "oral", "twice daily"),
    # per body weight every 3 weeks, (遺伝子組換え) kept in the name
    ("通常、成人にはテストマブ(遺伝子組換え)として1回8 mg/kgを3週間間隔で点滴静注する。",
     "テストマブ(遺伝子組換え)", Dose("mg/kg", D(8), basis="per dose"), "intravenous", "every 3 weeks"),
    # per body surface, a 換算 qualifier dropped from the name (seed 002's lymphodepletion)
    ("テストファミド(無水物換算)として 300mg/m^2 を 1 日 1 回点滴静注する。", "テストファミド",
     Dose("mg/m2", D(300)), "intravenous", "once daily"),
    # a daily dose range divided over the day (old-format insert, tegretol-style)
    ("テストピンとして通常、成人には1日量200~400mgを1~2回に分割経口投与する。", "テストピン",
     Dose("mg", low=D(200), high=D(400), basis="per day"), "oral", "1-2 times daily"),
    # tablets, with the substance amount in brackets (salazosulfapyridine inserts)
    ("通常1日4~8錠(テストピリジンとして2~4g)を4~6回に分服する。", "テストピリジン",
     Dose("g", low=D(2), high=D(4)), "oral", "4-6 times daily"),
    # a vaccine: volume per dose, two routes
    ("通常、1回0.5mLずつを2回、3~8週間の間隔で皮下又は筋肉内に注射する。", None,
     Dose("mL", D("0.5"), basis="per dose"), "subcutaneous or intramuscular", None),
    # cells: a target dose and its range in brackets, flattened power of ten
    ("通常、成人にはテストセルとして目標投与数200×106個(150×106~250×106個の範囲で)を単回静脈内投与する。",
     "テストセル", Dose("cells", D(200 * M), D(150 * M), D(250 * M)), "intravenous", "single dose"),
    # cells: a dose "to aim at" with its range (範囲: …) and the power written once
    ("通常、成人には、CAR発現T細胞として300×10^6個(範囲:150~450×10^6個)を目安に、単回静脈内投与する。",
     "CAR発現T細胞", Dose("cells", D(300 * M), D(150 * M), D(450 * M)), "intravenous", "single dose"),
    # the infusion rate is no dose
    ("通常、成人にはテストセルとして目標投与数450×10^6個を、10mL/分を超えない速度で単回静脈内投与する。",
     "テストセル", Dose("cells", D(450 * M)), "intravenous", "single dose"),
])
def test_one_regimen(text: str, substance: str | None, dose: Dose, route: str, freq: str | None) -> None:
    _d, reg = _one(text)
    assert (reg.substance, reg.dose, reg.route, reg.frequency) == (substance, dose, route, freq)


def test_target_dose_and_the_range_in_the_next_sentence_are_one_regimen() -> None:
    text = ("通常、成人にはテストセルとして、目標投与数450×10^6個を単回静脈内投与する。"
            "なお、テストセルとして280×10^6~540×10^6個の範囲で投与できる。")
    d, reg = _one(text)
    assert reg.dose == Dose("cells", D(450 * M), D(280 * M), D(540 * M))
    assert (reg.start, reg.end) == (0, len(text))  # both sentences are its evidence


def test_range_that_does_not_hold_the_target_stays_apart() -> None:
    d = parse_dosage("通常、成人にはテストセルとして目標投与数200×10^6個を単回静脈内投与する。"
                     "なお、テストセルとして300×10^6~400×10^6個の範囲で投与できる。")
    assert d.regimens[0].dose == Dose("cells", D(200 * M))
    assert [p[0] for p in d.problems] == ["values-inconsistent"]


# --------------------------------------------------------------------------- schedules

def test_days_on_and_off_make_a_cycle() -> None:
    _d, reg = _one("通常、成人にはテストミドとして1日1回20 mgを21日間経口投与した後、7日間休薬する。")
    assert (reg.dose.value, reg.days, reg.cycle_length_days, reg.frequency) == (D(20), "1-21", 28, "once daily")


@pytest.mark.parametrize(("text", "days"), [
    ("テストファミドとして300mg/m^2を1日1回3日間点滴静注する。", "1-3"),
    ("前処置薬はテストムスチンとして90mg/m^2を2日連続、1日1回点滴静注する。", "1-2"),
])
def test_a_run_of_days(text: str, days: str) -> None:
    _d, reg = _one(text)
    assert (reg.days, reg.cycle_length_days) == (days, None)


def test_step_up_cycles_give_one_regimen_per_cycle_and_day() -> None:
    # seed 003 / RMP shape: full-width commas (NFKC ","), spaces and line breaks inside the sentence
    text = ("通常，成人にはテストツズマブ（遺伝子組換え）として，21 日間を 1 サイ\nクルとし，1 サイクル目は 1 日目に"
            " 1 mg，8 日目に 2mg，15 日目に 60 mg，2 サイクル目は 1 日目に 60 mg，3 サイクル目以降は 1 日目に 30 mg"
            " を点滴静注する。")
    d = parse_dosage(clean_text(text))
    steps = [(r.cycle_number, r.days, r.dose.value) for r in d.regimens]
    assert steps == [("1", "1", D(1)), ("1", "8", D(2)), ("1", "15", D(60)), ("2", "1", D(60)),
                     (">=3", "1", D(30))]
    assert {(r.cycle_length_days, r.route, r.substance) for r in d.regimens} == {
        (21, "intravenous", "テストツズマブ(遺伝子組換え)")}


def test_two_days_sharing_one_dose() -> None:
    d = parse_dosage("通常、成人にはテストマブとして、21日間を1サイクルとし、1サイクル目は1日目に5mg、"
                     "8日目及び15日目に45mg、2サイクル目以降は1日目に45mgを皮下投与する。")
    assert [(r.cycle_number, r.days, r.dose.value) for r in d.regimens] == [
        ("1", "1", D(5)), ("1", "8", D(45)), ("1", "15", D(45)), (">=2", "1", D(45))]
    assert {r.route for r in d.regimens} == {"subcutaneous"}


def test_an_initial_run_then_the_dose_after_it() -> None:
    # eliquis-2015 shape: a higher dose for 7 days, then the maintenance dose
    d = parse_dosage("通常、成人にはテストバンとして1回10 mgを1日2回、7日間経口投与した後、1回5 mgを1日2回経口投与する。")
    assert [(r.dose.value, r.level, r.days, r.frequency) for r in d.regimens] == [
        (D(10), "initial", "1-7", "twice daily"), (D(5), "maintenance", None, "twice daily")]


def test_loading_dose_then_the_doses_after_it() -> None:
    # herceptin shape: 初回投与時には … を、2回目以降は … を
    d = parse_dosage("A法:通常、成人に対して1日1回、テストズマブ(遺伝子組換え)として初回投与時には4mg/kg(体重)を、"
                     "2回目以降は2mg/kgを90分以上かけて1週間間隔で点滴静注する。")
    assert [(r.dose, r.level, r.frequency) for r in d.regimens] == [
        (Dose("mg/kg", D(4)), "loading", None), (Dose("mg/kg", D(2)), "maintenance", "once weekly")]


def test_starting_usual_and_maximum_daily_doses() -> None:
    d = parse_dosage("テストピンとして通常、成人には最初1日量200~400mgを1~2回に分割経口投与し、至適効果が得られるまで"
                     "(通常1日600mg)徐々に増量する。症状により1日1,200mgまで増量することができる。")
    assert [(r.dose, r.level) for r in d.regimens] == [
        (Dose("mg", low=D(200), high=D(400), basis="per day"), "starting"),
        (Dose("mg", D(600), basis="per day"), "usual"),
        (Dose("mg", D(1200), basis="per day"), "maximum")]


# --------------------------------------------------------------------------- partners and conditions

@pytest.mark.parametrize(("text", "partners", "klass"), [
    ("テストムスチン塩酸塩及びテストキシマブ(遺伝子組換え)との併用において、通常、成人には"
     "テストニブとして 560 mg を 1 日 1 回経口投与する。", ("テストムスチン塩酸塩", "テストキシマブ(遺伝子組換え)"), None),
    ("デキサメタゾンとの併用において、通常、成人にはテストミドとして1日1回10 mgを経口投与する。",
     ("デキサメタゾン",), None),
    ("テストツズマブ ベドチン(遺伝子組換え)との併用において、通常、成人にはテストマブとして1回1 mgを点滴静注する。",
     ("テストツズマブ ベドチン(遺伝子組換え)",), None),
    # a drug class is no substance
    ("他の抗悪性腫瘍剤との併用において、通常、成人にはテストマブとして1回100mgを2週間間隔で点滴静注する。",
     (), "他の抗悪性腫瘍剤"),
])
def test_combination_partners(text: str, partners: tuple[str, ...], klass: str | None) -> None:
    d, _reg = _one(text)
    assert (d.combination, d.combination_class) == (partners, klass)


def test_body_weight_bands_give_one_regimen_each() -> None:
    d = parse_dosage("通常、テストリズマブ(遺伝子組換え)として体重 30kg 以上は 1 回 8mg/kg 、体重 30kg 未満は 1 回 12mg/kg "
                     "を点滴静注する。")
    assert [(r.dose.value, [c.text for c in r.conditions]) for r in d.regimens] == [
        (D(8), ["体重30kg以上"]), (D(12), ["体重30kg未満"])]
    assert {(r.route, r.conditions[0].kind) for r in d.regimens} == {("intravenous", "body-weight")}


def test_body_weight_band_without_repeating_the_word() -> None:
    d = parse_dosage("テストリズマブ(遺伝子組換え)として、体重が 30kg 以上の患者では 1 回 8mg/kg を、30kg 未満の患者では"
                     " 1 回 12mg/kg を点滴静注する。")
    assert [(r.dose.value, r.conditions[0].text) for r in d.regimens] == [
        (D(8), "体重30kg以上"), (D(12), "体重30kg未満")]


def test_reduced_dose_with_its_conditions() -> None:
    # eliquis-2015 shape: the reduction is a regimen of its own, route and frequency as before
    d = parse_dosage("通常、成人にはテストバンとして1回5 mgを1日2回経口投与する。なお、年齢、体重、腎機能に応じて、"
                     "テストバンとして1回2.5 mg 1日2回投与へ減量する。")
    usual, reduced = d.regimens
    assert (usual.dose.value, usual.level) == (D(5), None)
    assert (reduced.dose.value, reduced.level, reduced.route, reduced.frequency) == (
        D("2.5"), "reduced", "oral", "twice daily")
    assert [c.kind for c in reduced.conditions] == ["situation"] and "腎機能" in reduced.conditions[0].text


def test_renal_function_condition() -> None:
    d = parse_dosage("クレアチニンクリアランス30 mL/min以上50 mL/min未満の患者には、テストバンとして1回2.5 mgを"
                     "1日2回経口投与する。")
    (reg,) = d.regimens
    assert [(c.kind, c.text) for c in reg.conditions] == [("renal-function", "クレアチニンクリアランス30mL/min以上50mL/min未満")]
    assert reg.dose.value == D("2.5")


def test_interacting_drug_condition_is_not_a_partner() -> None:
    d = parse_dosage("テストコナゾールと併用する場合には、テストニブとして140 mgを1日1回経口投与に減量すること。")
    (reg,) = d.regimens
    assert d.combination == ()
    assert reg.level == "reduced" and reg.dose.value == D(140)


def test_situation_heading_scopes_the_sentence_after_it() -> None:
    d = parse_dosage("治療の場合:通常、成人にはテストバンとして1回10 mgを1日2回経口投与する。")
    (reg,) = d.regimens
    assert [c.text for c in reg.conditions] == ["治療の場合"]


def test_population_other_than_adults() -> None:
    d = parse_dosage("通常、成人及び12歳以上の小児にはテストニブとして420 mgを1日1回経口投与する。")
    (reg,) = d.regimens
    assert [(c.kind, c.text) for c in reg.conditions] == [("population", "成人及び12歳以上の小児")]


# --------------------------------------------------------------------------- adjustments and problems

@pytest.mark.parametrize(("text", "actions"), [
    ("通常、成人にはテストニブとして420 mgを1日1回経口投与する。なお、患者の状態により適宜減量する。", ["reduce"]),
    ("通常、成人にはテストニブとして420 mgを1日1回経口投与する。なお、年齢、症状により適宜増減する。", ["adjust"]),
    # the rest days of a cycle are no interruption
    ("通常、成人にはテストミドとして1日1回20 mgを21日間経口投与した後、7日間休薬する。", []),
])
def test_adjustments(text: str, actions: list[str]) -> None:
    d = parse_dosage(text)
    assert [a.action for a in d.adjustments] == actions


def test_two_doses_that_cannot_be_told_apart_give_no_regimen() -> None:
    d = parse_dosage("通常、成人にはテストニブとして420 mg又は560 mgを1日1回経口投与する。")
    assert d.regimens == () and [p[0] for p in d.problems] == ["dosage-unparsed"]


def test_offsets_point_into_the_text_as_given() -> None:
    text = "前文。\n通常、成人には テストニブとして 420 mg を\n1 日 1 回経口投与する。"
    (reg,) = parse_dosage(text).regimens
    assert text[reg.start:reg.end].startswith("通常") and text[reg.start:reg.end].endswith("投与する。")


# --------------------------------------------------------------------------- English

@pytest.mark.parametrize(("text", "dose", "route", "freq", "days", "cycle", "subst"), [
    ("The usual adult dosage is 25 mg of testamide administered orally once daily for 21 days, followed\n"
     "by a 7-day withdrawal period.", D(25), "oral", "once daily", "1-21", 28, "testamide"),
    ("The usual adult dosage is 1.5 mg/m2 of testabine administered subcutaneously once weekly.",
     D("1.5"), "subcutaneous", "once weekly", None, None, "testabine"),
    ("Oral dose of 5 mg every other day", D(5), "oral", "every 2 days", None, None, None),
    ("Testamide 10 mg is administered orally once daily on Days 1 to 21 of each 28-day cycle.",
     D(10), "oral", "once daily", "1-21", 28, None),
])
def test_english(text: str, dose: D, route: str, freq: str, days: str | None, cycle: int | None,
                 subst: str | None) -> None:
    (reg,) = parse_dosage(text, "en").regimens
    assert (reg.dose.value, reg.route, reg.frequency, reg.days, reg.cycle_length_days, reg.substance) == (
        dose, route, freq, days, cycle, subst)


def test_english_partners() -> None:
    d = parse_dosage("In combination with dexamethasone, the usual adult dosage is 25 mg of testamide "
                     "administered orally once daily.", "en")
    assert d.combination == ("dexamethasone",)


# --------------------------------------------------------------------------- to a fact

def test_regimen_fact_keeps_another_drugs_substance_and_drops_the_products_own() -> None:
    ref = SourceRef("0" * 64, None, None, 0, 10)
    product = Mention("テスト錠", "ja", "product")
    d = parse_dosage("デキサメタゾンとの併用において、通常、成人にはテストミドとして1日1回10 mgを経口投与する。")
    own = regimen_fact(d.regimens[0], d, product, "ja", ref, "t", own=("テストミド",))
    other = regimen_fact(d.regimens[0], d, product, "ja", ref, "t")
    assert own.substance is None and other.substance == Mention("テストミド", "ja", "substance")
    assert [m.text for m in own.combination_with] == ["デキサメタゾン"]
    bands = parse_dosage("テストリズマブとして体重30kg以上は1回8mg/kg、体重30kg未満は1回12mg/kgを点滴静注する。")
    facts = [regimen_fact(r, bands, product, "ja", ref, "t") for r in bands.regimens]
    assert [f.condition for f in facts] == ["体重30kg以上", "体重30kg未満"]
