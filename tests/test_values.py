"""Table-driven tests for extract.normalize.values.

The strings are written by hand in the forms the seed documents use (full-width digits, flattened
superscripts, LaTeX leftovers, era dates); none is copied from a seed. The last tests read the
seeds themselves and check values read from them by hand.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from pathlib import Path

import pytest

from extract.normalize.values import (
    Quantity,
    find_dates,
    find_quantities,
    parse_ci,
    parse_count_percent,
    parse_date,
    parse_number,
    parse_quantity,
    parse_range,
    parse_year_month,
    unflatten_power,
)

D = Decimal
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def Q(value: str | int, unit: str | None) -> Quantity:
    return Quantity(D(value), unit)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25,000", D("25000")),
        ("1.5", D("1.5")),
        ("0", D("0")),
        ("１２．５", D("12.5")),          # full-width digits and point
        ("２５，０００", D("25000")),
        ("−0.5", D("-0.5")),              # U+2212 minus sign
        ("450×10^6", D("450000000")),
        ("450×10⁶", D("450000000")),      # raw superscript
        ("450 × 10 ⁶", D("450000000")),   # spaces around, as layout text writes it
        ("1.5×10^9", D("1500000000")),
        ("5.21 × 10 ⁷", D("52100000")),
        ("2.5 x 10^-3", D("0.0025")),
        ("10⁶", D("1000000")),
        ("10^6", D("1000000")),
        ("12.5 1)", D("12.5")),           # footnote marker after a space
        ("25 ¹⁾", D("25")),               # superscript footnote marker
        ("41*", D("41")),
        ("25 mg1)", D("25")),             # value of a quantity; the 1) is a footnote
        ("3×106", None),                  # flattened power with no cell unit: ambiguous
        ("NE", None),
        ("-", None),
        ("", None),
        ("about 25", None),
        ("41 例", None),
    ],
)
def test_parse_number(text: str, expected: Decimal | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # counts per volume: /mm3 is the same volume as /μL
        ("25,000/μL", Q(25000, "/uL")),
        ("25,000/µL", Q(25000, "/uL")),    # micro sign instead of Greek mu
        ("500/uL", Q(500, "/uL")),
        ("1,000/mm3", Q(1000, "/uL")),
        ("1000/mm^3", Q(1000, "/uL")),
        ("1000/mm³", Q(1000, "/uL")),
        ("1.5×10^9/L", Q(1500000000, "/L")),
        ("1.5×109/L", Q(1500000000, "/L")),  # flattened power before a count unit
        ("1,000 個/μL", Q(1000, "/uL")),
        ("2.0×10^9 cells/L", Q(2000000000, "/L")),
        # doses
        ("25 mg", Q(25, "mg")),
        ("2.5mg", Q("2.5", "mg")),
        ("25 mg1)", Q(25, "mg")),
        ("25 mg¹⁾", Q(25, "mg")),
        ("300 mg/m^2", Q(300, "mg/m2")),
        ("300 mg/m2", Q(300, "mg/m2")),
        ("300 mg/m²", Q(300, "mg/m2")),
        ("３０ｍｇ／ｍ２", Q(30, "mg/m2")),
        ("$300\\text{mg}/\\text{m}^2$", Q(300, "mg/m2")),
        ("$8\\text{mg}/\\text{kg}$", Q(8, "mg/kg")),
        ("16 mg/kg", Q(16, "mg/kg")),
        ("1.5 g/m^2", Q("1.5", "g/m2")),
        ("50 μg/kg", Q(50, "ug/kg")),
        ("25 mg/日", Q(25, "mg/day")),
        ("18.5 kg/m²", Q("18.5", "kg/m2")),
        # infusion rate
        ("10 mL/分", Q(10, "mL/min")),
        ("$10\\text{mL}/\\text{分}$", Q(10, "mL/min")),
        ("30 mL/min", Q(30, "mL/min")),
        # cells
        ("450×10^6個", Q(450000000, "cells")),
        ("450×10⁶ 個", Q(450000000, "cells")),
        ("450×106個", Q(450000000, "cells")),  # flattened superscript
        ("150×10 ⁶ 個", Q(150000000, "cells")),
        ("$450 \\times 10^6$ 個", Q(450000000, "cells")),
        ("450×10<sup>6</sup>個", Q(450000000, "cells")),    # HTML superscript
        ("300 mg/m<sup>2</sup>", Q(300, "mg/m2")),
        ("300×10^6 細胞", Q(300000000, "cells")),
        ("2.0×10^6 CAR+ T cells/kg", Q(2000000, "cells/kg")),
        ("1.0×10⁶個/kg", Q(1000000, "cells/kg")),
        # percentages, ratios to ULN
        ("45.6%", Q("45.6", "%")),
        ("45.6 ％", Q("45.6", "%")),
        ("3×ULN", Q(3, "xULN")),
        # durations
        ("6 カ月", Q(6, "months")),
        ("6ヵ月", Q(6, "months")),
        ("6ヶ月", Q(6, "months")),
        ("12 months", Q(12, "months")),
        ("21 日間", Q(21, "days")),
        ("28 days", Q(28, "days")),
        ("72 時間", Q(72, "hours")),
        ("24 h", Q(24, "hours")),
        ("30分", Q(30, "minutes")),
        ("60 minutes", Q(60, "minutes")),
        ("8 週間", Q(8, "weeks")),
        ("4 weeks", Q(4, "weeks")),
        ("2.5 years", Q("2.5", "years")),
        ("75 歳", Q(75, "years")),
        ("8 サイクル", Q(8, "cycles")),
        # bare numbers are quantities without a unit
        ("41", Q(41, None)),
        # refused: ambiguous or not one quantity
        ("5 個", None),              # 個 without a power of ten counts anything
        ("5×101個", None),           # implausible exponent: not a flattened power
        ("3×106", None),
        ("25 mg/24 h", None),        # compound unit not known: never read as plain mg
        ("10 IU", None),
        ("25 mg and 5 mg", None),
        ("2.5 mg/5 mg", None),
    ],
)
def test_parse_quantity(text: str, expected: Quantity | None) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("450×106個", "450×10^6個"),
        ("150×106~450×106個", "150×10^6~450×10^6個"),
        ("1.5×109/L", "1.5×10^9/L"),
        ("300×106 CAR+ T cells", "300×10^6 CAR+ T cells"),
        ("3×106", "3×106"),               # no cell unit: left alone
        ("3×106例", "3×106例"),
        ("5×101個", "5×101個"),           # exponent 1 is not a plausible cell count
        ("450×10^6個", "450×10^6個"),     # already a power
    ],
)
def test_unflatten_power(text: str, expected: str) -> None:
    assert unflatten_power(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("280×10^6~540×10^6個", (Q(280000000, "cells"), Q(540000000, "cells"))),
        ("280×10⁶～540×10⁶個", (Q(280000000, "cells"), Q(540000000, "cells"))),
        ("$280 \\times 10^6 \\sim 540 \\times 10^6$ 個", (Q(280000000, "cells"), Q(540000000, "cells"))),
        ("150×106~450×106個", (Q(150000000, "cells"), Q(450000000, "cells"))),
        ("150~450×10^6個", (Q(150000000, "cells"), Q(450000000, "cells"))),  # power shared
        ("12～24時間", (Q(12, "hours"), Q(24, "hours"))),
        ("12〜24 時間", (Q(12, "hours"), Q(24, "hours"))),
        ("30~60分", (Q(30, "minutes"), Q(60, "minutes"))),
        ("0.1 to 0.5", (Q("0.1", None), Q("0.5", None))),
        ("0.5-1.0ヵ月", (Q("0.5", "months"), Q("1.0", "months"))),
        ("10~20 mg", (Q(10, "mg"), Q(20, "mg"))),
        ("10 mg~20 mg", (Q(10, "mg"), Q(20, "mg"))),
        ("25,000/μL to 50,000/μL", (Q(25000, "/uL"), Q(50000, "/uL"))),
        ("24~12時間", None),             # low > high
        ("10 mg~2 g", None),             # units differ
        ("10 mg", None),
        ("~20 mg", None),
    ],
)
def test_parse_range(text: str, expected: tuple[Quantity, Quantity] | None) -> None:
    assert parse_range(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("41(45.6%)", (41, D("45.6"))),
        ("41（45.6%）", (41, D("45.6"))),
        ("４１（４５．６％）", (41, D("45.6"))),
        ("116 (84.7)", (116, D("84.7"))),
        ("0 (0.0)", (0, D("0.0"))),
        ("128 (100.0)", (128, D("100.0"))),
        ("12 例 (9.4%)", (12, D("9.4"))),
        ("12/128 (9.4%)", (12, D("9.4"))),
        ("4 [15.4%]", (4, D("15.4"))),
        ("41 (45.6%)1)", (41, D("45.6"))),   # trailing footnote
        ("41 (145.6%)", None),                # over 100 percent
        ("4.5 (12.0)", None),                 # a count is whole
        ("41", None),
        ("(45.6%)", None),
    ],
)
def test_parse_count_percent(text: str, expected: tuple[int, Decimal] | None) -> None:
    assert parse_count_percent(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[23.35, 63.08]", (D("23.35"), D("63.08"))),
        ("[23.35%, 63.08%]", (D("23.35"), D("63.08"))),
        ("[95%CI 65.8, 81.1]", (D("65.8"), D("81.1"))),
        ("[95% CI: 65.8, 81.1]", (D("65.8"), D("81.1"))),
        ("95% CI: 0.1, 0.5", (D("0.1"), D("0.5"))),
        ("(95% CI: 0.1-0.5)", (D("0.1"), D("0.5"))),
        ("95%CI:14.8-36.0", (D("14.8"), D("36.0"))),
        ("(0.338, 0.719)", (D("0.338"), D("0.719"))),
        ("[97.2%CI 0.365, 0.666]", (D("0.365"), D("0.666"))),
        ("(95%信頼区間: 0.338~0.719)", (D("0.338"), D("0.719"))),
        ("［５１．８，９９．７］", (D("51.8"), D("99.7"))),
        ("[-1.2, 0.4]", (D("-1.2"), D("0.4"))),
        ("[30.9, NE]", None),     # open upper bound: not a closed interval
        ("[0.9, 0.3]", None),     # low > high
        ("41.4", None),
    ],
)
def test_parse_ci(text: str, expected: tuple[Decimal, Decimal] | None) -> None:
    assert parse_ci(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和8年3月23日", datetime.date(2026, 3, 23)),
        ("令和 8 年 3 月 23 日", datetime.date(2026, 3, 23)),
        ("令和８年３月２３日", datetime.date(2026, 3, 23)),
        ("令和元年5月1日", datetime.date(2019, 5, 1)),
        ("平成28年6月2日", datetime.date(2016, 6, 2)),
        ("平成 28 年 6 月 2 日", datetime.date(2016, 6, 2)),
        ("平成元年1月8日", datetime.date(1989, 1, 8)),
        ("平成31年4月30日", datetime.date(2019, 4, 30)),
        ("昭和64年1月7日", datetime.date(1989, 1, 7)),
        ("昭和元年12月25日", datetime.date(1926, 12, 25)),
        ("㍻28年6月2日", datetime.date(2016, 6, 2)),     # one-character era sign
        ("2026 年 2 月 25 日", datetime.date(2026, 2, 25)),
        ("2016年11月28日", datetime.date(2016, 11, 28)),
        ("2016年11月28日承認", datetime.date(2016, 11, 28)),
        ("2026/02/25", datetime.date(2026, 2, 25)),
        ("2016-11-28", datetime.date(2016, 11, 28)),
        ("2026.02.25", datetime.date(2026, 2, 25)),
        ("November 28, 2016", datetime.date(2016, 11, 28)),
        ("Nov. 28, 2016", datetime.date(2016, 11, 28)),
        ("Sept. 5, 2019", datetime.date(2019, 9, 5)),
        ("28 November 2016", datetime.date(2016, 11, 28)),
        ("dated June 24, 2016", datetime.date(2016, 6, 24)),
        ("2020年2月29日", datetime.date(2020, 2, 29)),
        # invalid or ambiguous: None, never an exception
        ("2026年2月30日", None),
        ("2019年2月29日", None),
        ("February 30, 2016", None),
        ("令和元年4月1日", None),     # still Heisei on that day
        ("平成元年1月7日", None),     # still Showa on that day
        ("平成32年1月1日", None),     # Heisei ended in its year 31
        ("令和0年1月1日", None),
        ("3月23日", None),            # no year
        ("June 24, 2016 and January 13, 2017", None),
        ("2015.", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: datetime.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年1月", (2022, 1)),
        ("2023 年 12 月", (2023, 12)),
        ("令和5年12月", (2023, 12)),
        ("令和元年5月", (2019, 5)),
        ("平成31年4月", (2019, 4)),
        ("December 2023", (2023, 12)),
        ("Dec. 2023", (2023, 12)),
        ("2023-12", (2023, 12)),
        ("2010/05", (2010, 5)),
        ("2022年1月15日", (2022, 1)),
        ("November 28, 2016", (2016, 11)),
        ("2023年13月", None),
        ("令和元年4月", None),
        ("June 2016 to December 2023", None),
        ("2023.5", None),             # a decimal number, not a month
        ("12月", None),
    ],
)
def test_parse_year_month(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_year_month(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # spans index the string as given, even when NFKC or superscripts changed it
        ("目標用量４５０×10⁶個を投与", [(Q(450000000, "cells"), "４５０×10⁶個")]),
        ("falls below 25,000/μL, interrupt", [(Q(25000, "/uL"), "25,000/μL")]),
        ("dose 25 mg1) daily for 21 days", [(Q(25, "mg"), "25 mg"), (Q(21, "days"), "21 days")]),
        ("$300\\text{mg}/\\text{m}^2$ を投与", [(Q(300, "mg/m2"), "300\\text{mg}/\\text{m}^2")]),
        ("本品の投与 3 日前", [(Q(3, "days"), "3 日")]),
        # not measures: a date, an ordinal cycle, a day number, a daily frequency, a footnote
        ("2026年3月23日に提出", []),
        ("第 7 サイクル以降", []),
        ("第 1~3 サイクル", []),
        ("1 日目から", []),
        ("1 日 1 回投与", []),
        ("2 サイクル目以降", []),
        ("8 週目の評価", []),
        ("1 日量として", []),
        ("Study MM-001 enrolled", []),
        ("説明変数が 5 個", []),
        ("200 mg/24 h 以上", [(Q(24, "hours"), "24 h")]),   # "mg/24 h" is no unit of ours: no 200 mg
        ("capsules 2.5 mg/5 mg", [(Q("2.5", "mg"), "2.5 mg"), (Q(5, "mg"), "5 mg")]),  # strengths
        ("ORR [95% CI] 45%", [(Q(45, "%"), "45%")]),        # 95% of "95% CI" is a label
        ("6 カ月間観察", [(Q(6, "months"), "6 カ月間")]),
    ],
)
def test_find_quantities(text: str, expected: list[tuple[Quantity, str]]) -> None:
    assert [(q, text[a:b]) for q, a, b in find_quantities(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("提出日 令和８年３月２３日 版", [(datetime.date(2026, 3, 23), "令和８年３月２３日")]),
        (
            "approved November 28, 2016; filed June 24, 2016",
            [(datetime.date(2016, 11, 28), "November 28, 2016"), (datetime.date(2016, 6, 24), "June 24, 2016")],
        ),
        ("改訂 2026 年 2 月 25 日", [(datetime.date(2026, 2, 25), "2026 年 2 月 25 日")]),
        ("Version 2015. \n1.2 Background", []),   # a year and a section number are not a date
        ("2月30日 2026年2月30日", []),
    ],
)
def test_find_dates(text: str, expected: list[tuple[datetime.date, str]]) -> None:
    assert [(d, text[a:b]) for d, a, b in find_dates(text)] == expected


# --- the seed documents -------------------------------------------------------------------------


def _seed_text(prefix: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    return _load_seed(prefix)


@functools.lru_cache(maxsize=None)
def _load_seed(prefix: str) -> str:
    from extract.load import load_document

    (path,) = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    return load_document(path).text


@pytest.mark.parametrize(
    ("prefix", "date"),
    [
        ("000", datetime.date(2016, 11, 28)),   # date of Review Report (1)
        ("002", datetime.date(2016, 6, 2)),     # 平成 28 年 date in the guideline's introduction
        ("003", datetime.date(2026, 3, 23)),    # RMP submission date, 令和8年
        ("003", datetime.date(2026, 2, 25)),    # RMP previous version
        ("004", datetime.date(2020, 12, 21)),   # data cut-off date
    ],
)
def test_seed_dates_found(prefix: str, date: datetime.date) -> None:
    assert date in {d for d, _, _ in find_dates(_seed_text(prefix))}


@pytest.mark.parametrize(
    ("prefix", "quantity"),
    [
        ("000", Q(25000, "/uL")),      # platelet threshold
        ("000", Q(25, "mg")),
        ("002", Q(300, "mg/m2")),      # fludarabine, written in LaTeX
        ("002", Q(10, "mL/min")),      # infusion rate, written in LaTeX
        ("002", Q(540000000, "cells")),
        ("004", Q(450000000, "cells")),  # written with a flattened superscript
        ("004", Q(150000000, "cells")),
        ("003", Q(45, "mg")),
    ],
)
def test_seed_quantities_found(prefix: str, quantity: Quantity) -> None:
    assert quantity in {q for q, _, _ in find_quantities(_seed_text(prefix))}


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_spans_reparse(prefix: str) -> None:
    """Every span find_quantities / find_dates reports reads back to the same value."""
    text = _seed_text(prefix)
    for quantity, start, end in find_quantities(text):
        assert parse_quantity(text[start:end]) == quantity, text[start:end]
    for date, start, end in find_dates(text):
        assert parse_date(text[start:end]) == date, text[start:end]


@pytest.mark.parametrize("prefix", ["002", "004"])
def test_seed_no_small_cell_counts(prefix: str) -> None:
    """Doses in cells are in the millions: a flattened power must never leave 450 cells."""
    cells = [q.value for q, _, _ in find_quantities(_seed_text(prefix)) if q.unit == "cells"]
    assert cells and min(cells) >= 10**6
