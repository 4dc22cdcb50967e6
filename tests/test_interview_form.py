"""Interview forms: the template's headings found by name, the identifiers and dates per trade
name, re-examination periods, the RMP summary; on fictional IFs of both template editions and
on the real Imbruvica IF (values read by hand from its pages)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable

import pytest

from extract.extractors.interview_form import extract, molecular_formula
from extract.load.text import load_text
from extract.model import (Activity, BrandRecord, Document, ExtractionResult, ReexaminationPeriod, SafetyConcern,
                           SubstanceRecord, YearMonth)
from extract.readers.template import find_headings, load_template

IF_PDF = "product/imbruvica-interview-form-2025-11.pdf"

# A fictional IF in the 2013 edition's numbering, two strengths: the table of contents, an
# insert quote under V.1 that repeats the item's name, tab tables for X.10 and X.16.
IF_2013 = """2024年4月改訂(第5版)\t日本標準商品分類番号 871149
医薬品インタビューフォーム
日本病院薬剤師会のIF記載要領2013に準拠して作成
目次
Ⅰ．概要に関する項目\t1
Ⅹ．管理的事項に関する項目\t40
Ⅰ．概要に関する項目
1．開発の経緯
架空の経緯。
Ⅱ．名称に関する項目
1．販売名
（1）和名
エグザンプル錠5mg
エグザンプル錠10mg
（2）洋名
EXAMPLE Tablets
2．一般名
（1）和名（命名法）
エグザンプリン（JAN）
（2）洋名（命名法）
Examplin（JAN）
examplin（INN）
4．分子式及び分子量
分子式：C17H19NO3
分子量：285.34
Ⅴ．治療に関する項目
1．効能又は効果
4. 効能又は効果
架空疾患
2．用法及び用量
通常、成人には1日1回5mgを経口投与する。
Ⅹ．管理的事項に関する項目
1．規制区分
製剤：エグザンプル錠5mg 劇薬、処方箋医薬品＊
　　　エグザンプル錠10mg 劇薬、処方箋医薬品＊
有効成分：エグザンプリン 劇薬
2．有効期間又は使用期限
使用期限：3年
10．製造販売承認年月日及び承認番号
販売名\t製造販売承認年月日\t承認番号
エグザンプル錠5mg\t2014年3月24日\t22600AMX00111000
エグザンプル錠10mg\t2014年3月24日\t22600AMX00112000
11．薬価基準収載年月日
2014年5月23日
14．再審査期間
8年：2014年3月24日～2022年3月23日
16．各種コード
販売名\tHOT（9桁）番号\t厚生労働省薬価基準収載医薬品コード\t個別医薬品コード(YJコード)\tレセプト電算コード
エグザンプル錠5mg\t123456701\t1149001F1020\t1149001F1020\t622345601
エグザンプル錠10mg\t123456801\t1149001F2027\t1149001F2027\t622345701
17．保険給付上の注意
該当しない
"""


def _records(result: ExtractionResult) -> list[BrandRecord]:
    return [f for f in result.facts if isinstance(f, BrandRecord)]


def _fields(result: ExtractionResult) -> set[tuple[str, str, str]]:
    """(trade name, field, value) of every brand record value."""
    out = set()
    for r in _records(result):
        for name in BrandRecord.__slots__:
            value = getattr(r, name)
            if name not in ("product", "trade_name", "ref") and value is not None:
                out.add((r.trade_name, name, str(value)))
    return out


def test_headings_of_the_2013_edition_are_found_by_name_and_quotes_are_not_items() -> None:
    doc = load_text(IF_2013.encode("utf-8"), "if2013.txt")
    headings = find_headings(doc, load_template("interview_form"))
    assert {"I", "II", "V", "X", "X.10", "X.16", "II.1.(1)", "V.1", "V.2"} <= set(headings)
    assert "V.4" not in headings  # the insert's "4. 効能又は効果" quoted under V.1
    assert headings["X"].start > doc.text.index("目次")  # the table of contents line is no heading
    assert headings["X.16"].title == "各種コード"


def test_identifiers_per_trade_name_from_tables_of_the_2013_edition() -> None:
    result = extract(load_text(IF_2013.encode("utf-8"), "if2013.txt"))
    fields = _fields(result)
    assert {("エグザンプル錠5mg", "approval_number", "22600AMX00111000"),
            ("エグザンプル錠10mg", "approval_number", "22600AMX00112000"),
            ("エグザンプル錠5mg", "approval_date", "2014-03-24"),
            ("エグザンプル錠5mg", "yj_code", "1149001F1020"),
            ("エグザンプル錠10mg", "nhi_price_code", "1149001F2027"),
            ("エグザンプル錠10mg", "hot_number", "123456801"),
            ("エグザンプル錠10mg", "receipt_code", "622345701"),
            ("エグザンプル錠5mg", "regulatory_class", "劇薬、処方箋医薬品")} <= fields
    # 薬価基準収載年月日 printed once for two strengths is not paired with either: an Issue
    assert not any(f == "nhi_listing_date" for _, f, _ in fields)
    assert "reference-ambiguous" in {i.code for i in result.issues}
    sub = next(f for f in result.facts if isinstance(f, SubstanceRecord))
    assert (sub.jan, sub.inn, sub.molecular_formula, sub.molecular_weight) == (
        "エグザンプリン", "examplin", "C17H19NO3", Decimal("285.34"))
    assert result.products[0].names == ("エグザンプル錠5mg", "エグザンプル錠10mg", "EXAMPLE Tablets")
    assert result.info.issued_month == YearMonth(2024, 4) and result.info.edition == "第5版"
    assert result.products[0].therapeutic_category == "871149"
    assert [(f.indication, f.years, str(f.end_month)) for f in result.facts
            if isinstance(f, ReexaminationPeriod)] == [(None, 8, "2022-03")]


def test_a_code_not_in_its_form_is_an_issue_not_a_value() -> None:
    text = IF_2013.replace("1149001F2027\t1149001F2027", "1149001F202\t1149001F2027")
    result = extract(load_text(text.encode("utf-8"), "if.txt"))
    assert ("エグザンプル錠10mg", "nhi_price_code", "1149001F202") not in _fields(result)
    assert ("エグザンプル錠10mg", "yj_code", "1149001F2027") in _fields(result)
    assert any(i.code == "value-unparsed" and "1149001F202" in i.message for i in result.issues)


@pytest.mark.parametrize("printed, below, weight, expected", [
    ("C25H24N6O2", "", "440.50", "C25H24N6O2"),
    ("C H N O", "25 24 6 2", "440.50", "C25H24N6O2"),        # subscripts on the next line
    ("C H ClN O", "", "270.76", None),                       # unknown pairing, no counts: not guessed
    ("C H Cl N O", "13 16 2", "251.73", "C13H16ClN2O"),      # Cl and O without a count
    ("C H N O", "25 24 6 2", "300.00", None),                # the mass does not match: not kept
])
def test_molecular_formula_is_kept_only_when_its_mass_matches(printed: str, below: str, weight: str,
                                                              expected: str | None) -> None:
    assert molecular_formula(printed, below, Decimal(weight)) == expected


# --------------------------------------------------------------------------- the real IF


@pytest.fixture(scope="module")
def imbruvica_if(real_document: Callable[[str], Document]) -> ExtractionResult:
    return extract(real_document(IF_PDF))


def test_real_if_template_headings(real_document: Callable[[str], Document]) -> None:
    doc = real_document(IF_PDF)
    headings = find_headings(doc, load_template("interview_form"))
    chapters = [p for p in headings if "." not in p]
    assert chapters == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"]
    assert {p for p in headings if p.startswith("X.")} >= {f"X.{n}" for n in range(1, 15)}
    assert doc.page_at(headings["X.13"].start) == 192
    assert doc.page_at(headings["VIII.8.(1)"].start) == 132


def test_real_if_identifiers_and_dates(imbruvica_if: ExtractionResult) -> None:
    """Read by hand: cover (p. 1), X.1-X.3 (p. 190), X.8 (p. 191), X.13 (p. 192), IV.10 (p. 18)."""
    name = "イムブルビカ®カプセル140mg"
    assert _fields(imbruvica_if) == {
        (name, "approval_date", "2016-03-28"), (name, "approval_number", "22800AMX00387000"),
        (name, "nhi_listing_date", "2016-05-25"), (name, "launch_date", "2016-05-25"),
        (name, "hot_number", "124879101"), (name, "nhi_price_code", "4291043M1027"),
        (name, "receipt_code", "622487901"), (name, "regulatory_class", "劇薬、処方箋医薬品"),
        (name, "shelf_life", "24ヵ月"), (name, "shelf_life_months", "24"), (name, "storage", "室温保存"),
        (name, "packaging", "14カプセル[14カプセル(PTP)×1]")}
    pages = {r.ref.page for r in _records(imbruvica_if)}
    assert pages == {1, 18, 190, 191, 192}
    pf = imbruvica_if.products[0]
    assert pf.names == (name, "IMBRUVICA® Capsules")
    assert pf.approval_number == ("22800AMX00387000",) and pf.approval_date == (dt.date(2016, 3, 28),)
    assert pf.therapeutic_category == "874291"
    assert pf.holder is not None and pf.holder.text == "ヤンセンファーマ株式会社"
    assert imbruvica_if.info.issued_month == YearMonth(2025, 11) and imbruvica_if.info.edition == "第17版"
    sub = next(f for f in imbruvica_if.facts if isinstance(f, SubstanceRecord))
    assert (sub.jan, sub.inn, sub.molecular_formula, sub.molecular_weight) == (
        "イブルチニブ", "ibrutinib", "C25H24N6O2", Decimal("440.50"))


def test_real_if_reexamination_periods(imbruvica_if: ExtractionResult) -> None:
    """X.11 (p. 192): six entries; two are the remainder of another period."""
    periods = [(f.indication, f.years, str(f.end_month), f.orphan) for f in imbruvica_if.facts
               if isinstance(f, ReexaminationPeriod)]
    assert periods == [
        ("再発又は難治性の慢性リンパ性白血病(小リンパ球性リンパ腫を含む)", 10, "2026-03", True),
        ("未治療の慢性リンパ性白血病(小リンパ球性リンパ腫を含む)", None, "2026-03", True),
        ("再発又は難治性のマントル細胞リンパ腫", 10, "2026-12", True),
        ("未治療のマントル細胞リンパ種", None, "2026-12", True),
        ("造血幹細胞移植後の慢性移植片対宿主病(ステロイド剤の投与で効果不十分な場合)", 10, "2031-09", True),
        ("原発性マクログロブリン血症及びリンパ形質細胞リンパ腫", 10, "2032-12", True)]


def test_real_if_rmp_summary(imbruvica_if: ExtractionResult) -> None:
    """I.6 RMPの概要 (p. 14)."""
    concerns = {(f.category, f.label) for f in imbruvica_if.facts if isinstance(f, SafetyConcern)}
    identified = {label for cat, label in concerns if cat == "identified"}
    assert identified == {"出血", "骨髄抑制", "感染症", "不整脈", "過敏症", "腫瘍崩壊症候群", "眼障害",
                          "肝不全、肝機能障害", "間質性肺疾患", "二次性悪性腫瘍", "CYP3A阻害剤との薬物相互作用",
                          "肝機能障害患者への使用"}
    assert {label for cat, label in concerns if cat == "potential"} == {
        "白血球症", "皮膚粘膜眼症候群(Stevens-Johnson症候群)", "心不全"}
    assert not any(cat == "missing" for cat, _ in concerns)
    activities = {(f.kind, f.label) for f in imbruvica_if.facts if isinstance(f, Activity)}
    assert activities == {("pv", "レジストリデータを用いた製造販売後データベース調査(cGVHD)"),
                          ("pv", "WM及びLPL患者を対象とした特定使用成績調査"),
                          ("rm", "医療従事者向け資材(適正使用ガイド)による情報提供")}
    assert all(f.ref.page == 14 for f in imbruvica_if.facts if isinstance(f, (SafetyConcern, Activity)))


def test_real_if_quoted_insert_text(imbruvica_if: ExtractionResult) -> None:
    """The insert text the IF quotes: V.1 (p. 19), V.3 (p. 21), VIII.1-2 (p. 122), VIII.8 (1)
    (pp. 132-149), read by hand."""
    from extract.model import DosageRegimen, Indication, SeriousAdverseReaction, UseRequirement

    facts = imbruvica_if.facts
    assert [f.text for f in facts if isinstance(f, Indication)] == [
        "慢性リンパ性白血病(小リンパ球性リンパ腫を含む)", "原発性マクログロブリン血症及びリンパ形質細胞リンパ腫",
        "マントル細胞リンパ腫", "造血幹細胞移植後の慢性移植片対宿主病(ステロイド剤の投与で効果不十分な場合)"]
    regimens = [(f.dose_value, f.dose_unit, f.route, f.frequency, f.indication, f.condition,
                 tuple(m.text for m in f.combination_with)) for f in facts if isinstance(f, DosageRegimen)]
    assert regimens == [
        (Decimal("420"), "mg", "oral", "once daily",
         "慢性リンパ性白血病(小リンパ球性リンパ腫を含む)、原発性マクログロブリン血症及びリンパ形質細胞リンパ腫", None, ()),
        (Decimal("560"), "mg", "oral", "once daily", "マントル細胞リンパ腫", "未治療の場合",
         ("ベンダムスチン塩酸塩", "リツキシマブ(遺伝子組換え)")),
        (Decimal("560"), "mg", "oral", "once daily", "マントル細胞リンパ腫", "再発又は難治性の場合", ()),
        (Decimal("420"), "mg", "oral", "once daily",
         "造血幹細胞移植後の慢性移植片対宿主病(ステロイド剤の投与で効果不十分な場合)", "成人及び12歳以上の小児", ())]
    reqs = [(f.kind, f.text) for f in facts if isinstance(f, UseRequirement)]
    assert [k for k, _ in reqs] == ["warning"] + ["contraindication"] * 4
    assert reqs[3] == ("contraindication", "ケトコナゾール、イトラコナゾール、クラリスロマイシン、エンシトレルビル フマル酸を投与中の患者")
    serious = [(f.label, f.percent) for f in facts if isinstance(f, SeriousAdverseReaction)]
    assert serious == [("出血", None), ("白血球症", None), ("感染症", None), ("進行性多巣性白質脳症(PML)", None),
                       ("骨髄抑制", None), ("不整脈", None), ("腫瘍崩壊症候群", Decimal("0.4")),
                       ("過敏症", Decimal("0.9")), ("皮膚粘膜眼症候群(Stevens-Johnson症候群)", None),
                       ("肝不全、肝機能障害", None), ("間質性肺疾患", Decimal("1.6"))]
    from extract.model import AdverseEventIncidence
    freqs = {(f.concept.text, f.percent) for f in facts if isinstance(f, AdverseEventIncidence)}
    assert {("脳出血", Decimal("0.1")), ("肺炎", Decimal("14.5")), ("好中球減少症", Decimal("22.1")),
            ("心室性不整脈", Decimal("0.3"))} <= freqs
    assert not any("等の" in c for c, _ in freqs)  # "帯状疱疹等の再活性化(0.1%)" names no one reaction


def test_real_if_clinical_data_package(imbruvica_if: ExtractionResult) -> None:
    """V.5 (1) 臨床データパッケージ (pp. 32-34): 23 studies; a count with a footnote mark or a study
    in two parts has no size."""
    studies = {s.identifiers[0]: (s.phase, s.enrollment) for s in imbruvica_if.studies}
    assert len(studies) == 23
    assert studies["PCYC-1112-CA"] == ("III", 391)
    assert studies["PCYC-1102-CA"] == ("Ib/II", 132)
    assert studies["PCI-32765MCL3002"] == ("III", 523)  # 523例(日本人11例): the bracket is a subset
    assert studies["M20-353"] == ("II", None) and studies["PCYC-1146-IM"] == ("I/II", None)
    assert studies["PCYC-1127-CA"] == ("III", None)
    assert {s.ref.page for s in imbruvica_if.studies} == {32, 33, 34}


def test_x8_as_label_and_value_cells_of_one_trade_name() -> None:
    """X.8 printed as two cells a line (no colon), one trade name."""
    text = ("医薬品インタビューフォーム\nII. 名称に関する項目\n1. 販売名\n(1) 和名\nエグザ錠5mg\n"
            "X. 管理的事項に関する項目\n8. 製造販売承認年月日及び承認番号、薬価基準収載年月日、販売開始年月日\n"
            "製造販売承認年月日\t2020年9月25日\n承認番号\t30200AMX00900000\n"
            "薬価基準収載年月日\t2020年11月25日\n販売開始年月日\t2020年12月1日\n9. 効能又は効果追加、用法及び用量変更追加等の年月日及びその内容\n")
    fields = _fields(extract(load_text(text.encode("utf-8"), "if.txt")))
    assert fields == {("エグザ錠5mg", "approval_date", "2020-09-25"), ("エグザ錠5mg", "approval_number", "30200AMX00900000"),
                      ("エグザ錠5mg", "nhi_listing_date", "2020-11-25"), ("エグザ錠5mg", "launch_date", "2020-12-01")}


def test_real_if_key_results_of_i2(imbruvica_if: ExtractionResult) -> None:
    """I.2 製品の治療学的特性 (pp. 12-13): one result per bullet naming one study, read by hand; a
    value qualified between the endpoint and the number (CR/CRi率は、…集団では55.9%) and an
    endpoint with a qualifier glued before it (臨床的奏効率) are not read."""
    from extract.model import EfficacyResult

    results = {(f.study.text, f.endpoint, f.value, f.unit, f.ci_lower, f.ci_upper, f.arm)
               for f in imbruvica_if.facts if isinstance(f, EfficacyResult)}
    D = Decimal
    assert results == {
        ("PCI-32765MCL3001", "PFS", D("14.6"), "months", D("10.4"), None, None),
        ("PCI-32765MCL2002", "ORR", D("87.5"), "%", None, None, None),
        ("PCYC-1104-CA", "ORR", D("67"), "%", None, None, None),
        ("PCYC-1143-CA", "PFS", D("31.9"), "months", D("22.8"), D("47.0"), None),
        ("M20-075", "CRR", D("83.3"), "%", None, None, None),
        ("PCI-32765MCL3002", "PFS", D("80.6"), "months", D("61.9"), None, None),
        ("54179060WAL2002", "ORR", D("87.5"), "%", None, None, None),
        ("PCYC-1127-CA", "PFS", D("38.7"), "months", None, None, "非盲検サブスタディ"),
        ("PCYC-1129-CA", "ORR", D("66.7"), "%", D("50.5"), D("80.4"), None),
        ("54179060GVH3001", "ORR", D("73.7"), "%", D("48.8"), D("90.9"), None)}
