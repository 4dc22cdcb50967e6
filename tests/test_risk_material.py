"""Risk-minimisation materials: the material name (the link to the RMP's activity), the brand,
the cover's date and edition, the risks the material addresses; on a fictional material and on
the real Imbruvica proper-use guide (values read by hand from its pages)."""

from __future__ import annotations

from typing import Callable

import pytest

from extract.extractors.risk_material import extract
from extract.load.text import load_text
from extract.model import Document, ExtractionResult, MaterialTopic, YearMonth

RMM_PDF = "product/imbruvica-proper-use-guide-2026-03.pdf"

MATERIAL = """日本標準商品分類番号 873999
エグザンプル®適正使用ガイド
1. 警告
架空の警告。
作成年月:2025年6月
版 番 号:第3版
CONTENTS
1. 適正使用に関する注意事項のまとめ 4
2. 副作用とその対策 10
・架空出血症 10
・肝機能障害患者への使用(P.12~13) 12
3. その他 20
・ここは対策の一覧ではない 20
"""


def test_fictional_material() -> None:
    result = extract(load_text(MATERIAL.encode("utf-8"), "m.txt"))
    assert (result.info.material_name, result.info.title) == ("適正使用ガイド", "エグザンプル®適正使用ガイド")
    assert result.info.products[0].text == "エグザンプル"
    assert (result.info.issued_month, result.info.edition) == (YearMonth(2025, 6), "第3版")
    assert [f.label for f in result.facts if isinstance(f, MaterialTopic)] == ["架空出血症", "肝機能障害患者への使用"]


def test_a_document_without_a_material_title_is_partial_and_empty() -> None:
    result = extract(load_text("医薬品リスク管理計画\n架空の文書\n".encode("utf-8"), "x.txt"))
    assert result.facts == () and result.status == "partial"
    assert [i.code for i in result.issues] == ["not-this-kind"]


@pytest.fixture(scope="module")
def imbruvica_material(real_document: Callable[[str], Document]) -> ExtractionResult:
    return extract(real_document(RMM_PDF))


def test_real_material(imbruvica_material: ExtractionResult) -> None:
    """Cover (p. 1) and the table of contents' 3. 注意を要する副作用とその対策 (p. 3)."""
    info = imbruvica_material.info
    assert (info.material_name, info.products[0].text) == ("適正使用ガイド", "イムブルビカ")
    assert (info.issued_month, info.edition) == (YearMonth(2026, 3), "第12版")
    topics = [f for f in imbruvica_material.facts if isinstance(f, MaterialTopic)]
    assert [f.label for f in topics] == [
        "出血", "骨髄抑制", "感染症", "不整脈", "過敏症", "腫瘍崩壊症候群(tumor lysis syndrome)", "眼障害",
        "肝不全、肝機能障害", "間質性肺疾患", "二次性悪性腫瘍", "CYP3A阻害剤との薬物相互作用", "肝機能障害患者への使用",
        "白血球症(白血球停滞、leukostasis)", "皮膚粘膜眼症候群(Stevens-Johnson症候群)", "心不全"]
    assert {f.ref.page for f in topics} == {3}
