"""The document-type classifier on the seeds and on small fictional texts of every kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest

from extract.classify import THRESHOLD, classify, score_all
from extract.errors import InputError
from extract.load import load_document
from extract.load.text import load_text
from extract.model import DocType, Document

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.parametrize("prefix, doc_type, lang, cue", [
    ("000", DocType.REVIEW_REPORT, "en", "head: Reviewing Office"),
    ("001", DocType.TRIAL_RECORD, "en", "head: DRUG:"),
    ("002", DocType.GUIDELINE, "ja", "head: title: 最適使用推進ガイドライン"),
    ("003", DocType.RMP, "ja", "head: 医薬品リスク管理計画書"),
    ("004", DocType.PRODUCT_INFO, "ja", "head: 【警告】"),
])
def test_seeds_are_classified(prefix: str, doc_type: DocType, lang: str, cue: str) -> None:
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    result = classify(load_document(next(SEEDS.glob(f"{prefix}_*.txt"))))
    assert (result.doc_type, result.lang) == (doc_type, lang)
    assert THRESHOLD <= result.score <= 1
    assert cue in result.evidence


SAMPLES = {
    "review_en": ("Report on the Deliberation Results\n\nBrand Name Examplix Tablets 10 mg\n"
                  "Reviewing Office: Office of Examples\n\nReview Report\nResults of Review\n"),
    "review_ja": "審議結果報告書\n\n販売名 エグザンプル錠10mg\n\n審査報告書\n審査担当部 新薬審査第一部\n審査結果\n",
    "rmp_ja": ("(別紙様式2)\nエグザンプルに係る\n医薬品リスク管理計画書\n\n1.1 安全性検討事項\n"
               "【重要な特定されたリスク】\n架空の副作用\n2. 医薬品安全性監視計画の概要\n"),
    "rmp_en": ("Risk Management Plan for Examplix\n\nPart II: Safety Specification\n"
               "Part III: Pharmacovigilance Plan\nRisk minimisation measures\n"),
    "guideline_ja": "\n最適使用推進ガイドライン\nエグザンプルマブ\n~架空疾患~\n令和7年1月\n厚生労働省\n",
    "guideline_en": "Optimal Use Promotion Guidelines\nExamplimab (Brand name: Examplio)\nMinistry of Health\n",
    "pi_ja": ("2025年1月改訂(第2版)\n電子添文\n【警告】\n1. 架空の警告。\n【禁忌(次の患者には投与しないこと)】\n"
              "効能又は効果\n用法及び用量\n使用上の注意\n重大な副作用\n"),
    "pi_ja_2019": ("日本標準商品分類番号 873999\n貯法:室温保存\nエグザンプル錠10mg\n1. 警告\n架空の警告。\n"
                   "8. 重要な基本的注意\n9. 特定の背景を有する患者に関する注意\n"),
    "pi_en": ("PACKAGE INSERT\nExamplix Tablets\nWARNINGS\n1. A fictional warning.\n"
              "CONTRAINDICATIONS\n1. Hypersensitivity.\n"),
    # an interview form's cover block (letter-spaced item names) and 記載要領 line; it cites the
    # package insert it is based on, as every IF does
    "if_ja": ("2025年4月改訂(第3版)\t日本標準商品分類番号 873999\n\n医薬品インタビューフォーム\n\n"
              "日本病院薬剤師会のIF記載要領2018(2019年更新版)に準拠して作成\n\n架空薬剤\n"
              "剤 形\tフィルムコーティング錠\n製 剤 の 規 制 区 分\t処方箋医薬品\n規 格 ・ 含 量\t1錠中エグザンプル10mg\n"
              "医薬情報担当者の連絡先\t\n本IFは2025年4月改訂の電子添文の記載に基づき改訂した。\n"
              "I. 概要に関する項目\n1. 開発の経緯\n"),
    # an older IF (記載要領2013) without the cover table's spacing
    "if_ja_2013": ("医薬品インタビューフォーム\n日本病院薬剤師会のIF記載要領2013に準拠して作成\n"
                   "製剤の規制区分 劇薬\nⅠ．概要に関する項目\nⅩ．管理的事項に関する項目\n"),
    # a patient guide: the title and the notice's fixed headings
    "guide_ja": ("患者向医薬品ガイド\n2025年4月更新\nエグザンプル錠10mg\n【この薬は？】\n販売名\tエグザンプル錠10mg\n"
                 "【この薬の効果は？】\n・架空の病気の人に処方されます。\n【この薬を使う前に、確認すべきことは？】\n"
                 "【この薬の使い方は？】\n"),
    # an additional risk-minimisation material: its title, the RMP mark as text, 作成年月 / 版番号;
    # it quotes the insert's 警告 and 禁忌 and names the RMP's risks, as such materials do
    "rmm_ja": ("医薬品リスク管理計画(RMP)\t日本標準商品分類番号 873999\nエグザンプル®適正使用ガイド\n"
               "1. 警告\n架空の警告。\n2. 禁忌(次の患者には投与しないこと)\n2.1 過敏症の既往歴のある患者\n"
               "作成年月:2025年4月\n版 番 号:第2版\n医薬品リスク管理計画書の重要な特定されたリスクを選び記載した。\n"
               "効能又は効果\n用法及び用量\n"),
    "registry": ("A Phase 2 Study of Examplix in Examplitis\nTo assess the response rate\n"
                 "Chronic Examplitis|Acute Examplitis\nDRUG: Examplix\nPHASE2\n"),
    "xml": ('<?xml version="1.0" encoding="UTF-8"?>\n<clinical_study>\n <id_info><nct_id>NCT00000001</nct_id>'
            "</id_info>\n <brief_title>Examplix study</brief_title>\n</clinical_study>\n"),
    "json": json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT00000001",
                                                                     "briefTitle": "Examplix study"}}}),
}


@pytest.mark.parametrize("name, doc_type, lang", [
    ("review_en", DocType.REVIEW_REPORT, "en"),
    ("review_ja", DocType.REVIEW_REPORT, "ja"),
    ("rmp_ja", DocType.RMP, "ja"),
    ("rmp_en", DocType.RMP, "en"),
    ("guideline_ja", DocType.GUIDELINE, "ja"),
    ("guideline_en", DocType.GUIDELINE, "en"),
    ("pi_ja", DocType.PRODUCT_INFO, "ja"),
    ("pi_ja_2019", DocType.PRODUCT_INFO, "ja"),
    ("pi_en", DocType.PRODUCT_INFO, "en"),
    ("if_ja", DocType.INTERVIEW_FORM, "ja"),
    ("if_ja_2013", DocType.INTERVIEW_FORM, "ja"),
    ("guide_ja", DocType.PATIENT_GUIDE, "ja"),
    ("rmm_ja", DocType.RISK_MATERIAL, "ja"),
    ("registry", DocType.TRIAL_RECORD, "en"),
    ("xml", DocType.TRIAL_RECORD, "en"),
    ("json", DocType.TRIAL_RECORD, "en"),
])
def test_fictional_samples_of_every_kind(name: str, doc_type: DocType, lang: str) -> None:
    result = classify(load_text(SAMPLES[name].encode("utf-8"), f"{name}.txt"))
    assert (result.doc_type, result.lang) == (doc_type, lang)
    assert result.evidence


def test_a_citation_deep_in_the_body_does_not_outweigh_the_title() -> None:
    """A brochure that mentions the guideline and the RMP near its end is still product info."""
    filler = "本剤の臨床成績を示す。\n" * 300
    text = "製品情報\n【警告】\n1. 架空の警告。\n使用上の注意\n" + filler + "最適使用推進ガイドライン対象品目\n医薬品リスク管理計画\n"
    assert classify(load_text(text.encode("utf-8"), "b.txt")).doc_type is DocType.PRODUCT_INFO


@pytest.mark.parametrize("text", [
    "今日は良い天気です。散歩に行きました。\n",
    "Minutes of the garden club meeting.\nWe discussed roses.\n",
])
def test_unknown_documents_are_refused_with_the_best_guess(text: str) -> None:
    with pytest.raises(InputError) as err:
        classify(load_text(text.encode("utf-8"), "u.txt"))
    assert err.value.path == "u.txt"
    assert "unknown document type (best guess:" in err.value.reason
    assert "score 0.00" in err.value.reason


def test_scores_are_between_zero_and_one_for_every_kind() -> None:
    scores = score_all(load_text(SAMPLES["pi_ja"].encode("utf-8"), "p.txt"))
    assert set(scores) == set(DocType)
    assert all(0 <= score <= 1 for score, _ in scores.values())


@pytest.mark.parametrize("text", [
    # an RMP names its materials and the patient guide in its activities
    ("医薬品リスク管理計画書\n別紙様式2\n1.1 安全性検討事項\n2. 医薬品安全性監視計画の概要\n"
     "(1) 医療従事者向け資材の作成及び提供(適正使用ガイド)\n電子添文及び患者向医薬品ガイドによる情報提供\n"),
    # a package insert cites its interview form and patient guide (文献請求先, 患者向け資材)
    ("2025年1月改訂(第2版)\n日本標準商品分類番号 873999\n電子添文\n【警告】\n効能又は効果\n用法及び用量\n"
     "使用上の注意\n重大な副作用\n患者向医薬品ガイド:有り\n医薬品インタビューフォーム参照\n"),
])
def test_documents_citing_the_new_kinds_keep_their_own(text: str) -> None:
    result = classify(load_text(text.encode("utf-8"), "c.txt"))
    assert result.doc_type in (DocType.RMP, DocType.PRODUCT_INFO)
    assert result.doc_type not in (DocType.INTERVIEW_FORM, DocType.PATIENT_GUIDE, DocType.RISK_MATERIAL)


@pytest.mark.parametrize("name, doc_type, cue", [
    ("product/imbruvica-interview-form-2025-11.pdf", DocType.INTERVIEW_FORM, "head: IF記載要領"),
    ("product/imbruvica-interview-form-2025-11.pdf", DocType.INTERVIEW_FORM, "head: title: 医薬品インタビューフォーム"),
    ("product/imbruvica-patient-guide-2026-03.pdf", DocType.PATIENT_GUIDE, "head: title: 患者向医薬品ガイド"),
    ("product/imbruvica-patient-guide-2026-03.pdf", DocType.PATIENT_GUIDE, "head: 【この薬は？】"),
    ("product/imbruvica-proper-use-guide-2026-03.pdf", DocType.RISK_MATERIAL, "head: title: 適正使用ガイド"),
    ("product/herceptin-package-insert-2022-12.pdf", DocType.PRODUCT_INFO, "head: 効能又は効果"),
    ("product/tegretol-package-insert-2021-10.pdf", DocType.PRODUCT_INFO, "head: 使用上の注意"),
    ("product/simvastatin-ohara-package-insert-2023-07.pdf", DocType.PRODUCT_INFO, "head: 日本標準商品分類番号"),
    ("product/pi-400042_6219001F1101_0_04.pdf", DocType.PRODUCT_INFO, "head: 【禁忌】"),
    ("review/eliquis-2015-review.pdf", DocType.REVIEW_REPORT, "head: 審議結果報告書"),
])
def test_real_documents_are_classified(real_document: Callable[[str], Document], name: str,
                                       doc_type: DocType, cue: str) -> None:
    """The three kinds of issue 17 and, beside them, real inserts and a review that cite or embed
    the same headings."""
    doc = real_document(name)
    result = classify(doc)
    assert result.doc_type is doc_type
    assert cue in result.evidence
    runner_up = max(score for kind, (score, _) in score_all(doc).items() if kind is not doc_type)
    assert result.score - runner_up > 0.04, score_all(doc)
