"""HTML for the pages: escaped markup, the words of the page in both languages, the layout.

Why hand-written markup and no template engine: the pages are a dozen small tables and lists,
and one function that escapes every text it is given (``tag``) is all a template engine would
add here. Text from documents only ever reaches the page as an escaped child of ``tag``; the
``Markup`` type marks what is already HTML, so nothing is escaped twice or not at all.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Iterable, Union
from urllib.parse import urlencode

Lang = str  # "en" | "ja"


class Markup(str):
    """A string that is already HTML (made by ``tag``), never escaped again."""


Child = Union[str, Markup, None, Iterable["Child"]]


def render(child: Child) -> Markup:
    """Children as HTML: text escaped, markup as is, None skipped, lists flattened."""
    if child is None:
        return Markup("")
    if isinstance(child, Markup):
        return child
    if isinstance(child, str):
        return Markup(html.escape(child, quote=False))
    return Markup("".join(render(c) for c in child))


_VOID = frozenset({"br", "img", "input", "meta", "link", "hr"})


def tag(name: str, /, *children: Child, **attrs: object) -> Markup:
    """``<name attrs>children</name>``. Attribute names: a trailing ``_`` is dropped
    (``class_``), other ``_`` become ``-`` (``aria_label``); True gives a bare attribute, None
    and False leave it out."""
    parts = [name]
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        attr = key.rstrip("_").replace("_", "-")
        parts.append(attr if value is True else f'{attr}="{html.escape(str(value), quote=True)}"')
    opening = f"<{' '.join(parts)}>"
    if name in _VOID:
        return Markup(opening)
    return Markup(f"{opening}{render(list(children))}</{name}>")


def text_in(value: str, lang: str | None, page_lang: Lang, name: str = "span", **attrs: object) -> Markup:
    """Text with its own ``lang`` attribute when it differs from the page's (a Japanese label on
    an English page), so screen readers and fonts treat it right."""
    return tag(name, value, lang=lang if lang and lang != page_lang else None, **attrs)


# --------------------------------------------------------------------------- words

WORDS: dict[str, tuple[str, str]] = {
    "search": ("Search", "検索"),
    "search_hint": ("Product, substance, concept or study (English or Japanese)",
                    "製品・成分・概念・試験（日本語または英語）"),
    "documents": ("Documents", "文書"),
    "rmp_diff": ("RMP diff", "RMP比較"),
    "queries": ("Queries", "クエリ"),
    "skip": ("Skip to content", "本文へ移動"),
    "language": ("日本語", "English"),
    "product": ("Product", "製品"),
    "substance": ("Substance", "有効成分"),
    "concept": ("Concept", "概念"),
    "study": ("Study", "試験"),
    "holder": ("Marketing authorisation holder", "製造販売業者"),
    "substances": ("Active substances", "有効成分"),
    "brands": ("Brands and strengths", "販売名"),
    "identifiers": ("Identifiers", "承認情報"),
    "approval_number": ("Approval number", "承認番号"),
    "approval_date": ("Approval date", "承認年月日"),
    "therapeutic_category": ("Therapeutic category", "薬効分類"),
    "reexamination": ("Re-examination period (years)", "再審査期間（年）"),
    "indications": ("Indications", "効能・効果"),
    "regimens": ("Dosage regimens", "用法・用量"),
    "regimens_for": ("For", "対象"),
    "all_indications": ("Not tied to one indication", "効能・効果の指定なし"),
    "dose_modifications": ("Dose modifications", "用量調節"),
    "warnings": ("Warnings and contraindications", "警告・禁忌"),
    "safety_concerns": ("Safety concerns", "安全性検討事項"),
    "activities": ("Pharmacovigilance and risk-minimisation activities", "医薬品安全性監視活動・リスク最小化活動"),
    "studies": ("Studies and results", "試験と結果"),
    "adverse_reactions": ("Adverse reactions and adverse events", "副作用・有害事象"),
    "conditions": ("Approval conditions and use requirements", "承認条件・使用要件"),
    "approval_condition": ("Approval condition", "承認条件"),
    "management_rules": ("Management rules", "管理規則"),
    "other_facts": ("Other statements", "その他の記載"),
    "differences": ("Where documents differ", "文書間の相違"),
    "no_differences": ("The documents about this product do not differ on the points compared "
                       "(indications, doses, safety concerns, enrolment, efficacy).",
                       "比較した項目（効能・効果、用量、安全性検討事項、登録例数、有効性）で文書間の相違はありません。"),
    "about_documents": ("Documents about this product", "この製品に関する文書"),
    "sources": ("Sources", "出典"),
    "source": ("Source", "出典"),
    "page": ("p.", "p."),
    "show_page": ("Show on the page", "ページで表示"),
    "evidence": ("Evidence", "根拠"),
    "stated_by": ("stated by {n} documents", "{n}文書に記載"),
    "differs": ("differs", "相違あり"),
    "other_version": ("The {date} version says otherwise", "{date}版の記載は異なる"),
    "disagrees": ("{title} ({date}) says otherwise", "{title}（{date}）の記載は異なる"),
    "later_version": ("later version", "新しい版"),
    "disagreement": ("disagreement", "不一致"),
    "newer": ("newer", "新しい方"),
    "method_ocr": ("read by OCR: check the values against the page", "OCRで読み取り：値はページで確認してください"),
    "method_recovered": ("text from a recovered font map: check against the page",
                         "復元したフォント対応表から読み取り：ページで確認してください"),
    "category_identified": ("Important identified risks", "重要な特定されたリスク"),
    "category_potential": ("Important potential risks", "重要な潜在的リスク"),
    "category_missing": ("Missing information", "重要な不足情報"),
    "addressed_by": ("Activities", "活動"),
    "no_activity": ("no activity recorded for it", "対応する活動の記載なし"),
    "status": ("Status", "状況"),
    "target": ("Target", "目標例数"),
    "scope_routine": ("routine", "通常"),
    "scope_additional": ("additional", "追加"),
    "pv": ("Pharmacovigilance", "医薬品安全性監視"),
    "rm": ("Risk minimisation", "リスク最小化"),
    "efficacy_activity": ("Efficacy study", "有効性に関する調査・試験"),
    "phase": ("Phase", "相"),
    "enrollment": ("Enrolled", "登録例数"),
    "results": ("Efficacy results", "有効性の結果"),
    "endpoint": ("Endpoint", "評価項目"),
    "value": ("Value", "値"),
    "ci": ("95% CI", "95%信頼区間"),
    "arm": ("Arm", "群"),
    "cutoff": ("Data cut-off", "データカットオフ"),
    "event": ("Event", "事象"),
    "grade": ("Grade", "グレード"),
    "patients": ("Patients", "例数"),
    "percent": ("%", "%"),
    "denominator": ("N", "N"),
    "text": ("As written", "記載"),
    "kind": ("Kind", "種類"),
    "parameter": ("Parameter", "指標"),
    "threshold": ("Threshold", "基準値"),
    "action": ("Action", "対応"),
    "recommends": ("Recommends", "推奨薬"),
    "dose": ("Dose", "用量"),
    "route": ("Route", "投与経路"),
    "frequency": ("Frequency", "投与頻度"),
    "cycle": ("Cycle", "サイクル"),
    "combination": ("With", "併用"),
    "none_found": ("None in the documents read.", "読み込んだ文書に記載はありません。"),
    "not_found": ("Not found", "見つかりません"),
    "labels": ("Names", "名称"),
    "codes": ("Codes", "コード"),
    "unlinked": ("not in the project's lexicon (named as written in one document)",
                 "辞書にない名称（文書の記載のまま）"),
    "carried_by": ("Products that carry it as a safety concern", "安全性検討事項とする製品"),
    "incidences": ("Adverse-event incidences across studies", "試験横断の有害事象発現率"),
    "rules_for": ("Management rules for it", "管理規則"),
    "indicated_for": ("Indications naming it", "この疾患を対象とする効能・効果"),
    "dose_rules_for": ("Dose modifications on it", "この指標による用量調節"),
    "products_with": ("Products with this substance", "この成分を含む製品"),
    "studies_of": ("Studies", "試験"),
    "results_of": ("Efficacy results", "有効性の結果"),
    "criteria": ("Eligibility criteria", "選択・除外基準"),
    "title": ("Title", "表題"),
    "date": ("Date", "日付"),
    "pages": ("Pages", "ページ"),
    "page_statuses": ("Pages read", "ページの読み取り"),
    "facts": ("Facts", "事実"),
    "reasons": ("Reasons", "理由"),
    "file": ("File", "ファイル"),
    "format": ("Format", "形式"),
    "language_of": ("Language", "言語"),
    "previous_version": ("Previous version", "前回提出日"),
    "issues": ("Issues", "問題"),
    "facts_by_section": ("Facts by section", "節ごとの事実"),
    "no_section": ("(no section)", "（節なし）"),
    "statement": ("Statement", "記載"),
    "all_documents": ("{n} documents", "{n}文書"),
    "showing": ("showing {a}-{b} of {n}", "{n}件中 {a}-{b}件"),
    "previous": ("Previous", "前へ"),
    "next": ("Next", "次へ"),
    "filter": ("Filter", "絞り込み"),
    "any": ("any", "すべて"),
    "compare": ("Compare", "比較"),
    "old_version": ("Old version", "旧版"),
    "new_version": ("New version", "新版"),
    "choose_product": ("Product with two or more RMP versions", "RMPが2版以上ある製品"),
    "no_rmp_pairs": ("No product in the store has two RMP versions yet.",
                     "2版以上のRMPがある製品はまだありません。"),
    "download": ("Download", "ダウンロード"),
    "compare_rmp": ("Compare RMP versions", "RMPの版を比較"),
    "results_for": ("Results for", "検索結果"),
    "no_results": ("Nothing matches.", "一致するものはありません。"),
    "matched": ("matched", "一致"),
    "page_image": ("Page image", "ページ画像"),
    "close": ("Close", "閉じる"),
    "evidence_box": ("The box marks the evidence.", "枠が根拠の位置です。"),
    "home_intro": ("Search the documents read into the graph, or browse them.",
                   "グラフに読み込んだ文書を検索または一覧できます。"),
    "products": ("Products", "製品"),
    "show_all": ("Show all", "すべて表示"),
    "on_study_page": ("All on the study page", "試験のページにすべて"),
}


def word(key: str, lang: Lang, **values: object) -> str:
    en, ja = WORDS[key]
    text = ja if lang == "ja" else en
    return text.format(**values) if values else text


# --------------------------------------------------------------------------- the page frame


@dataclass(frozen=True, slots=True)
class Context:
    """What every page knows about the request: the language and where it is."""

    lang: Lang
    path: str
    params: tuple[tuple[str, str], ...] = ()

    def url_with(self, **changes: str | None) -> str:
        """This page's URL with some query parameters changed (None removes one)."""
        params = dict(self.params)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return self.path + ("?" + urlencode(params) if params else "")


def page(ctx: Context, title: str, body: Child, *, query: str = "") -> bytes:
    """The whole HTML document: the header with the search box on every page, the body, the
    page-image dialog."""
    lang = ctx.lang
    other = "ja" if lang == "en" else "en"
    header = tag(
        "header", [
            tag("a", word("skip", lang), href="#main", class_="skip"),
            tag("a", "yakuji-kg", href="/products", class_="brand"),
            tag("form", [
                tag("label", word("search", lang), for_="q", class_="visually-hidden"),
                tag("input", type="search", id="q", name="q", value=query, autocomplete="off",
                    placeholder=word("search_hint", lang), role="combobox", aria_autocomplete="list",
                    aria_expanded="false", aria_controls="suggestions"),
                tag("ul", id="suggestions", role="listbox", hidden=True,
                    aria_label=word("search", lang)),
                tag("button", word("search", lang), type="submit"),
            ], role="search", action="/search", method="get", class_="search"),
            tag("nav", [tag("a", word("products", lang), href="/products"),
                        tag("a", word("documents", lang), href="/documents"),
                        tag("a", word("rmp_diff", lang), href="/diff"),
                        tag("a", word("queries", lang), href="/")], aria_label="main"),
            tag("a", word("language", lang), href=ctx.url_with(lang=other), lang=other,
                hreflang=other, class_="lang-switch"),
        ], class_="top")
    viewer = tag("dialog", [
        tag("div", [tag("h2", word("page_image", lang), id="viewer-title"),
                    tag("button", word("close", lang), type="button", class_="close", value="close")],
            class_="viewer-head"),
        tag("p", "", id="viewer-note", class_="muted"),
        tag("div", tag("img", alt="", id="viewer-img"), class_="viewer-body", tabindex="0"),
    ], id="viewer", aria_labelledby="viewer-title")
    doc = (Markup("<!doctype html>\n") + tag(
        "html", [
            tag("head", [tag("meta", charset="utf-8"),
                         tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
                         tag("title", f"{title} — yakuji-kg"),
                         tag("link", rel="stylesheet", href="/static/site.css")]),
            tag("body", [header, tag("main", body, id="main", tabindex="-1"), viewer,
                         tag("script", src="/static/site.js", defer=True)],
                data_lang=lang),
        ], lang=lang))
    return doc.encode("utf-8")


def table(head: Iterable[str], rows: Iterable[Iterable[Child]], *, class_: str = "") -> Markup:
    return tag("div", tag("table", [
        tag("thead", tag("tr", [tag("th", h, scope="col") for h in head])),
        tag("tbody", [tag("tr", [tag("td", c) for c in row]) for row in rows]),
    ], class_=class_ or None), class_="table-wrap")


def definition_list(items: Iterable[tuple[str, Child]]) -> Markup:
    return tag("dl", [[tag("dt", k), tag("dd", v)] for k, v in items if v], class_="facts")
