"""Table-driven tests for extract.normalize.values (strings written in the seed documents' forms)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from extract.normalize.values import (
    Quantity,
    parse_ci,
    parse_count_percent,
    parse_date,
    parse_number,
    parse_quantity,
    parse_range,
    parse_year_month,
    unflatten_power,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25,000", Decimal("25000")),
        ("450×10^6", Decimal("450000000")),
        ("1.5", Decimal("1.5")),
        ("3×106", None),
    ],
)
def test_parse_number(text: str, expected: Decimal | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25,000/μL", Quantity(Decimal("25000"), "/uL")),
        ("450×106個", Quantity(Decimal("450000000"), "cells")),
        ("$300\\text{mg}/\\text{m}^2$", Quantity(Decimal("300"), "mg/m2")),
        ("25 mg1)", Quantity(Decimal("25"), "mg")),
    ],
)
def test_parse_quantity(text: str, expected: Quantity | None) -> None:
    assert parse_quantity(text) == expected


def test_other_parsers_smoke() -> None:
    assert parse_range("12～24時間") == (Quantity(Decimal(12), "hours"), Quantity(Decimal(24), "hours"))
    assert parse_count_percent("41（45.6%）") == (41, Decimal("45.6"))
    assert parse_ci("[95%CI 65.8, 81.1]") == (Decimal("65.8"), Decimal("81.1"))
    assert parse_date("令和8年3月23日") == datetime.date(2026, 3, 23)
    assert parse_year_month("2022年1月") == (2022, 1)
    assert unflatten_power("450×106個") == "450×10^6個"
