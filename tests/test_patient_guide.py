"""Patient guides: the notice's fixed headings, contraindications and what to tell the doctor,
serious side effects with their initial symptoms; on a fictional guide and on the real
Imbruvica guide (values read by hand from its pages)."""

from __future__ import annotations

from typing import Callable

import pytest

from extract.extractors.patient_guide import extract, split_symptoms, strip_reading
from extract.load.text import load_text
from extract.model import Document, ExtractionResult, InitialSymptoms, UseRequirement, YearMonth

PG_PDF = "product/imbruvica-patient-guide-2026-03.pdf"

GUIDE = """患者向医薬品ガイド
2025年4月更新
エグザンプル錠10mg
【この薬は？】
販売名\tエグザンプル錠10mg EXAMPLE Tablets
一般名\tエグザンプリンExamplin
含有量\t10mg
【この薬の効果は？】
・次の病気の人に処方されます。
架空病(架空の型を
含む)
・効果が確認されています。
【この薬を使う前に、確認すべきことは？】
○ 患者さんまたは家族の方は、説明を受けてください。
○ 次の人は、この薬を使用することはできません。
・過去にエグザンプル錠に含まれる成分で過敏症のあった人
・次の薬を使用している人
架空薬A(アー錠)、架空薬B
○ 次の人は、特に注意が必要です。使い始める前に医師または薬剤師に告げてください。
・腎臓に障害のある人
【この薬の使い方は？】
通常、成人の飲む量は10mgです。
【この薬の使用中に気をつけなければならないことは？】
重大な副作用\t主な自覚症状
架空出血症かくうしゅっけつしょう\t出血【脳出血】頭痛、めまい(ふらつき、立ちくらみ)
アナフィラキシー\t発疹、息苦しい
【この薬の形は？】
"""


def test_fictional_guide() -> None:
    result = extract(load_text(GUIDE.encode("utf-8"), "guide.txt"))
    assert result.products[0].names == ("エグザンプル錠10mg", "EXAMPLE Tablets")
    assert result.products[0].substances[0].text == "エグザンプリン"
    assert result.info.issued_month == YearMonth(2025, 4)
    from extract.model import Indication
    assert [f.text for f in result.facts if isinstance(f, Indication)] == ["架空病(架空の型を含む)"]
    reqs = [(f.kind, f.text) for f in result.facts if isinstance(f, UseRequirement)]
    assert reqs == [("contraindication", "過去にエグザンプル錠に含まれる成分で過敏症のあった人"),
                    ("contraindication", "次の薬を使用している人架空薬A(アー錠)、架空薬B"),
                    ("tell-doctor", "腎臓に障害のある人")]
    symptoms = [(f.label, f.group, f.symptoms) for f in result.facts if isinstance(f, InitialSymptoms)]
    assert symptoms == [("架空出血症", None, ("出血",)),
                        ("架空出血症", "脳出血", ("頭痛", "めまい(ふらつき、立ちくらみ)")),
                        ("アナフィラキシー", None, ("発疹", "息苦しい"))]
    assert result.status == "ok"


@pytest.mark.parametrize("cell, name", [
    ("出血しゅっけつ", "出血"),
    ("ぶどう膜炎ぶどうまくえん", "ぶどう膜炎"),                       # a name opening with kana
    ("皮膚のかゆみひふのかゆみ", "皮膚のかゆみ"),                     # and one with kana inside
    ("進行性多巣性白質脳症(PML)しんこうせいたそうせいはくしつのうしょう(ピーエムエル)", "進行性多巣性白質脳症(PML)"),
    ("アナフィラキシー", "アナフィラキシー"),                        # no kanji, no reading
    ("むくみ", "むくみ"),
    ("間質性肺疾患", "間質性肺疾患"),                                  # no reading printed
])
def test_the_reading_under_a_reaction_name_is_removed(cell: str, name: str | None) -> None:
    assert strip_reading(cell) == name


def test_symptoms_split_at_commas_outside_brackets() -> None:
    assert split_symptoms("突然の嘔吐(おうと)、吐いた物に血が混じる(赤色、茶褐色)、腹痛") == [
        "突然の嘔吐(おうと)", "吐いた物に血が混じる(赤色、茶褐色)", "腹痛"]


# --------------------------------------------------------------------------- the real guide


@pytest.fixture(scope="module")
def imbruvica_guide(real_document: Callable[[str], Document]) -> ExtractionResult:
    return extract(real_document(PG_PDF))


def test_real_guide_product_and_date(imbruvica_guide: ExtractionResult) -> None:
    pf = imbruvica_guide.products[0]
    assert pf.names == ("イムブルビカカプセル 140mg", "IMBRUVICA Capsules")
    assert pf.substances[0].text == "イブルチニブ"
    assert imbruvica_guide.info.issued_month == YearMonth(2026, 3)
    assert imbruvica_guide.status == "ok"


def test_real_guide_contraindications_and_tell_doctor(imbruvica_guide: ExtractionResult) -> None:
    """【この薬を使う前に、確認すべきことは？】 (p. 2)."""
    reqs = [(f.kind, f.text, f.ref.page) for f in imbruvica_guide.facts if isinstance(f, UseRequirement)]
    assert [(k, t) for k, t, _ in reqs if k == "tell-doctor"] == [
        ("tell-doctor", "感染症にかかっている人"),
        ("tell-doctor", "重篤な骨髄機能低下(貧血、好中球減少症、血小板減少症など)のある人"),
        ("tell-doctor", "不整脈のある人または過去に不整脈のあった人"),
        ("tell-doctor", "腎臓に重度の障害のある人"),
        ("tell-doctor", "肝臓に軽度の障害のある人"),
        ("tell-doctor", "授乳中の人")]
    contra = [t for k, t, _ in reqs if k == "contraindication"]
    assert len(contra) == 4
    assert contra[0] == "過去にイムブルビカカプセルに含まれる成分で過敏症のあった人"
    assert contra[2].startswith("次の薬を使用している人ケトコナゾール(経口剤:国内未発売)")
    assert contra[3] == "妊婦または妊娠している可能性のある人"
    assert {p for _, _, p in reqs} == {2}


def test_real_guide_serious_side_effects(imbruvica_guide: ExtractionResult) -> None:
    """The 重大な副作用 / 主な自覚症状 table (pp. 6-7): 15 reactions, their readings removed."""
    facts = [f for f in imbruvica_guide.facts if isinstance(f, InitialSymptoms)]
    names = list(dict.fromkeys(f.label for f in facts))
    assert names == ["出血", "白血球症", "感染症", "進行性多巣性白質脳症(PML)", "骨髄抑制", "不整脈",
                     "腫瘍崩壊症候群", "過敏症", "皮膚粘膜眼症候群(Stevens-Johnson症候群)", "肝機能障害",
                     "肝不全", "間質性肺疾患", "ぶどう膜炎"]
    by = {(f.label, f.group): f.symptoms for f in facts}
    assert by[("感染症", "肺炎")] == ("発熱", "咳", "痰", "息切れ", "息苦しい")
    assert by[("出血", "消化管出血")][-1] == "黒い便が出る"
    assert by[("間質性肺疾患", None)] == ("咳", "息切れ", "息苦しい", "発熱")
    assert {g for (label, g) in by if label == "感染症"} == {None, "肺炎", "敗血症", "B型肝炎", "結核", "帯状疱疹"}
    assert {f.ref.page for f in facts} == {6, 7}


def test_real_guide_indications_and_doses(imbruvica_guide: ExtractionResult) -> None:
    """【この薬の効果は？】 (p. 1) and the 一回量 / 飲む回数 tables of 【この薬の使い方は？】 (p. 3)."""
    from decimal import Decimal

    from extract.model import DosageRegimen, Indication

    assert [f.text for f in imbruvica_guide.facts if isinstance(f, Indication)] == [
        "慢性リンパ性白血病(小リンパ球性リンパ腫を含む)", "原発性マクログロブリン血症及びリンパ形質細胞リンパ腫",
        "マントル細胞リンパ腫", "造血幹細胞移植後の慢性移植片対宿主病(ステロイド剤の投与で効果不十分な場合)"]
    doses = [(f.indication, f.dose_value, f.dose_unit, f.route, f.frequency)
             for f in imbruvica_guide.facts if isinstance(f, DosageRegimen)]
    assert doses == [
        ("慢性リンパ性白血病(小リンパ球性リンパ腫を含む)", Decimal("420"), "mg", "oral", "once daily"),
        ("原発性マクログロブリン血症及びリンパ形質細胞リンパ腫", Decimal("420"), "mg", "oral", "once daily"),
        ("マントル細胞リンパ腫", Decimal("560"), "mg", "oral", "once daily"),
        ("造血幹細胞移植後の慢性移植片対宿主病(ステロイド剤の投与で効果不十分な場合)", Decimal("420"), "mg", "oral",
         "once daily")]
