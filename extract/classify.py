"""Which kind of document this is: ``classify(doc) -> Classification``.

Each kind has cues that every document of that kind prints (title words, fixed headings,
format tokens), each with a weight. A cue found in the *head* of the document (where titles
sit) counts fully; found only further down it counts a fifth, because documents cite one
another (an RMP names the 電子添文, a brochure says 最適使用推進ガイドライン対象品目).
ClinicalTrials.gov records are recognised by their shape (XML ``clinical_study``, JSON
``protocolSection``, or the one-field-per-line export with ``|`` and ``DRUG:``/``PHASE``).

The score is ``1 - exp(-weight)``, in 0..1; below ``THRESHOLD`` the document is refused with an
``InputError`` that names the best guess, rather than sent to the wrong extractor.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from extract.errors import InputError
from extract.load.text import detect_shape
from extract.model import Classification, DocType, Document

THRESHOLD = 0.5
HEAD_CHARS = 2500
ELSEWHERE = 0.2


@dataclass(frozen=True, slots=True)
class Cue:
    """A pattern that marks a document kind; ``label`` is what the evidence reports."""

    label: str
    pattern: re.Pattern[str]
    weight: float


def _cue(label: str, weight: float, pattern: str | None = None, flags: int = 0) -> Cue:
    return Cue(label, re.compile(pattern if pattern is not None else re.escape(label), flags), weight)


def _spaced(word: str) -> str:
    """``word`` with any spacing between its characters: covers and forms print item names
    letter-spaced to a fixed width (``製 剤 の 規 制 区 分``)."""
    return r"\s*".join(re.escape(ch) for ch in word)


def _title(word: str) -> str:
    """``word`` alone on its line (a title), letter-spacing allowed."""
    return r"^\s*" + _spaced(word) + r"\s*$"


def _guide_heading(question: str) -> str:
    """A fixed heading of the patient guide template, ``【この薬は？】`` (NFKC makes ``？`` ``?``)."""
    return "【\\s*" + _spaced(question) + r"\s*\?\s*】"


CUES: dict[DocType, tuple[Cue, ...]] = {
    DocType.REVIEW_REPORT: (
        _cue("Report on the Deliberation Results", 1.2),
        _cue("Review Report", 0.8, r"\bReview Report\b"),
        _cue("Reviewing Office", 1.0),
        _cue("Items Warranting Special Mention", 0.6),
        _cue("Results of Review", 0.4),
        _cue("審議結果報告書", 1.2, r"審\s?議\s?結\s?果\s?報\s?告\s?書"),
        _cue("審査報告書", 1.0, r"審\s?査\s?報\s?告\s?書"),
        _cue("審査担当部", 1.0),
        _cue("審査結果", 0.4),
    ),
    DocType.RMP: (
        _cue("医薬品リスク管理計画書", 1.5),
        _cue("医薬品リスク管理計画", 0.5),
        _cue("別紙様式", 0.4),
        _cue("安全性検討事項", 0.6),
        _cue("医薬品安全性監視計画", 0.5),
        _cue("リスク最小化計画", 0.4),
        _cue("Risk Management Plan", 1.2, r"\bRisk Management Plan\b"),
        _cue("Safety Specification", 0.5, r"\bSafety Specifications?\b"),
        _cue("Pharmacovigilance Plan", 0.5, r"\bPharmacovigilance Plan\b"),
    ),
    DocType.GUIDELINE: (
        _cue("title: 最適使用推進ガイドライン", 2.0, r"^\s*最適使用推進ガイドライン\s*$", re.M),
        _cue("最適使用推進ガイドライン", 0.6),
        _cue("Optimal Use Promotion Guideline", 1.5, r"Optimal Use (?:Promotion )?Guidelines?", re.I),
        _cue("厚生労働省", 0.2),
    ),
    DocType.TRIAL_RECORD: (
        _cue("ClinicalTrials.gov", 0.6, r"ClinicalTrials\.gov", re.I),
        _cue("NCT number", 0.4, r"\bNCT\d{8}\b"),
        _cue("DRUG:", 0.6, r"^(?:DRUG|BIOLOGICAL|DEVICE|PROCEDURE|OTHER)\s?:\s?\S", re.M),
        _cue("PHASE", 0.4, r"\b(?:EARLY_)?PHASE\d\b"),
    ),
    DocType.PRODUCT_INFO: (
        _cue("電子添文", 0.8),
        _cue("添付文書", 0.6),
        _cue("【警告】", 0.8, r"【\s?警\s?告\s?】"),
        _cue("【禁忌】", 0.8, r"【\s?禁\s?忌[^】]{0,6}】"),
        _cue("効能又は効果", 0.4, r"効能又は効果|効能・効果|効能、効果又は性能"),
        _cue("用法及び用量", 0.3, r"用法及び用量|用法・用量"),
        _cue("使用上の注意", 0.4),
        _cue("重大な副作用", 0.3),
        _cue("日本標準商品分類番号", 0.8),
        _cue("特定の背景を有する患者に関する注意", 0.6),
        _cue("重要な基本的注意", 0.3),
        _cue("貯法", 0.3, r"貯\s?法"),
        _cue("製品情報", 0.5),
        _cue("Package Insert", 1.0, r"\bPackage Insert\b", re.I),
        _cue("Prescribing Information", 1.0, r"\bPrescribing Information\b", re.I),
        _cue("CONTRAINDICATIONS", 0.4, r"^\s*(?:\d+\.\s*)?CONTRAINDICATIONS\b", re.M),
        _cue("WARNINGS", 0.4, r"^\s*(?:\d+\.\s*)?WARNINGS\b", re.M),
    ),
    # 医薬品インタビューフォーム: the cover block of the 日本病院薬剤師会 template (IF記載要領2008/2013/2018) and
    # its numbered chapters (I 概要に関する項目 … X 管理的事項に関する項目). It embeds the package insert's
    # text, so the title and the 記載要領 line must outweigh the insert's own headings.
    DocType.INTERVIEW_FORM: (
        _cue("title: 医薬品インタビューフォーム", 2.5, _title("医薬品インタビューフォーム"), re.M),
        _cue("医薬品インタビューフォーム", 0.6, _spaced("医薬品インタビューフォーム")),
        _cue("IF記載要領", 1.5, _spaced("IF記載要領") + r"\s*(?:19|20)\d\d"),
        _cue("日本病院薬剤師会", 0.4),
        _cue("医薬情報担当者の連絡先", 0.6, _spaced("医薬情報担当者の連絡先")),
        _cue("製剤の規制区分", 0.5, _spaced("製剤の規制区分")),
        _cue("概要に関する項目", 0.5, _spaced("概要に関する項目")),
        _cue("管理的事項に関する項目", 0.5, _spaced("管理的事項に関する項目")),
    ),
    # 患者向医薬品ガイド: the title and the fixed headings the MHLW notice on the patient guide sets.
    # Other documents cite the guide by name (an RMP's routine risk minimisation, an IF's 患者向け資材),
    # never with its headings.
    DocType.PATIENT_GUIDE: (
        _cue("title: 患者向医薬品ガイド", 2.5, _title("患者向医薬品ガイド"), re.M),
        _cue("患者向医薬品ガイド", 0.3),
        _cue("【この薬は？】", 1.0, _guide_heading("この薬は")),
        _cue("【この薬の効果は？】", 0.8, _guide_heading("この薬の効果は")),
        _cue("【この薬を使う前に、確認すべきことは？】", 0.8, _guide_heading("この薬を使う前に、確認すべきことは")),
        _cue("【この薬の使い方は？】", 0.6, _guide_heading("この薬の使い方は")),
        _cue("【この薬の使用中に気をつけなければならないことは？】", 0.6,
             _guide_heading("この薬の使用中に気をつけなければならないことは")),
        _cue("【この薬の形は？】", 0.4, _guide_heading("この薬の形は")),
        _cue("【この薬に含まれているのは？】", 0.4, _guide_heading("この薬に含まれているのは")),
        _cue("【この薬についてのお問い合わせ先は？】", 0.4, _guide_heading("この薬についてのお問い合わせ先は")),
    ),
    # Materials of an RMP's additional risk minimisation: a title naming the material (適正使用ガイド …,
    # on a line of its own, often after the brand), the RMP mark (医薬品リスク管理計画 (RMP), when it is
    # text and not a drawing) or the sentence placing the material in the RMP, and the 作成年月 / 版番号
    # lines such materials end their cover with.
    DocType.RISK_MATERIAL: (
        _cue("title: 適正使用ガイド", 3.0,
             r"^\s*\S{0,30}?" + r"(?:" + "|".join(_spaced(t) for t in (
                 "適正使用ガイド", "適正使用ハンドブック", "適正使用のためのガイド", "適正使用のお願い")) + r")\s*$", re.M),
        _cue("RMP mark", 1.5, _spaced("医薬品リスク管理計画") + r"\s*\(\s*RMP\s*\)"),
        _cue("RMP material statement", 1.5, r"(?:本|この)資材は.{0,40}(?:医薬品リスク管理計画|RMP)"),
        _cue("版番号", 0.3, _spaced("版番号") + r"\s*[:：]"),
        _cue("医薬品リスク管理計画", 0.5),
    ),
}

# Shapes that only a trial registry produces.
SHAPE_WEIGHTS: dict[str, tuple[DocType, float, str]] = {
    "xml": (DocType.TRIAL_RECORD, 3.0, "shape: XML clinical_study"),
    "json": (DocType.TRIAL_RECORD, 3.0, "shape: JSON protocolSection"),
    "registry": (DocType.TRIAL_RECORD, 0.8, "shape: one field per line with | separators"),
}


def score_all(doc: Document) -> dict[DocType, tuple[float, tuple[str, ...]]]:
    """Every kind's score and the cues that produced it (for ``classify`` and for users who
    want to see why)."""
    head, rest = doc.text[:HEAD_CHARS], doc.text[HEAD_CHARS:]
    # A PDF's loader shape says nothing of its content: a registry record printed to PDF still
    # has one field per line, so judge the shape from the text itself.
    shape = detect_shape(doc.text.replace("\f", "\n")) if doc.shape == "pdf" else doc.shape
    out: dict[DocType, tuple[float, tuple[str, ...]]] = {}
    for doc_type, cues in CUES.items():
        weight, evidence = 0.0, []
        for cue in cues:
            if cue.pattern.search(head):
                weight += cue.weight
                evidence.append(f"head: {cue.label}")
            elif cue.pattern.search(rest):
                weight += cue.weight * ELSEWHERE
                evidence.append(f"body: {cue.label}")
        shaped = SHAPE_WEIGHTS.get(shape)
        if shaped and shaped[0] == doc_type:
            weight += shaped[1]
            evidence.insert(0, shaped[2])
        out[doc_type] = (1.0 - math.exp(-weight), tuple(evidence))
    return out


def classify(doc: Document) -> Classification:
    """The most likely kind, or ``InputError`` when no kind reaches ``THRESHOLD``."""
    scores = score_all(doc)
    best = max(scores, key=lambda t: scores[t][0])
    score, evidence = scores[best]
    if score < THRESHOLD:
        raise InputError(doc.path, f"unknown document type (best guess: {best.name.lower().replace('_', '-')}, "
                                   f"score {score:.2f})")
    return Classification(best, doc.lang, round(score, 3), evidence)
