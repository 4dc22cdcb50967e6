"""Find a fixed template's numbered headings in a document's lines, by their names.

Some kinds follow one published template to the letter: an interview form prints the chapters
of IF記載要領 (``I. 概要に関する項目`` … ``XIII. 備考``) and, in each, its items in order
(``1. 開発の経緯``), with sub-items ``(1) 和名``. Their headings are often set in boxes and
frames, so a PDF line holds the number and the name apart (``\\t 13.\\t各種コード``) and the
loader's section tree, which reads headings from line shapes, does not see them. The template
says exactly which names to expect, chapter by chapter, so they are found here by name: a line
is a heading when, without its spacing, it is the number followed by one of the names the
template gives that item (its aliases cover the names earlier editions used). A table of
contents line ends with its page number, so it never equals a heading.

The template is data (``ontology/schemas/<kind>.yaml``):

    chapters:
      - {number: "X", title: 管理的事項に関する項目, items: [{title: 各種コード, aliases: [...]}, …]}
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import yaml

from extract.model import Document
from extract.readers.lines import iter_lines
from extract.resources import ontology_dir

_ROMAN = r"(?:XIII|XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
_CHAPTER = re.compile(rf"^(?P<n>{_ROMAN})[.]?(?P<title>\D.*)$")
_ITEM = re.compile(r"^(?P<n>\d{1,2})[.](?P<title>\D.*)$")
_SUB = re.compile(r"^\((?P<n>\d{1,2})\)(?P<title>\D.*)$")


@dataclass(frozen=True, slots=True)
class Heading:
    """A template heading found in the text: ``path`` (``"X"``, ``"X.13"``, ``"II.1.(1)"``: the
    chapter, then the numbers as printed), its title as the template names it, and the span of
    the section it opens (heading line included) in ``Document.text``."""

    path: str
    title: str
    printed: str
    start: int
    end: int
    body_start: int  # where the text under the heading starts (after its line)


def compact(text: str) -> str:
    """A heading's text without spacing, with ``,``/``，`` as ``、`` (templates differ)."""
    return re.sub(r"\s+", "", text).replace(",", "、")


@functools.lru_cache(maxsize=None)
def load_template(kind: str) -> dict[str, Any]:
    """``ontology/schemas/<kind>.yaml`` as data."""
    data = yaml.safe_load((ontology_dir() / "schemas" / f"{kind}.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("kind") is None:
        raise ValueError(f"schema {kind}: not a schema (no kind)")
    return data


def _names(node: dict[str, Any]) -> set[str]:
    return {compact(str(n)) for n in (node["title"], *node.get("aliases", ()))}


def find_headings(doc: Document, template: dict[str, Any]) -> dict[str, Heading]:
    """Every template heading the document prints, by path (``"X.13"``: the chapter and the
    item number as printed, since editions number the same item differently).

    Chapters come in template order and items in increasing number; an item heading repeating
    the open item's name is the document quoting another (an IF quotes the package insert's
    ``4. 効能又は効果`` under its own ``1. 効能又は効果``), not a new item."""
    chapters = template.get("chapters") or []
    chapter_names = [_names(ch) for ch in chapters]
    found: list[tuple[str, str, str, int, int, int]] = []  # path, title, printed, level, start, body
    chapter: int | None = None
    item: tuple[int, int] | None = None  # (template index, printed number) of the open item
    for line in iter_lines(doc.text):
        text = compact(line.text)
        if not text or len(text) > 80:
            continue
        hit = _chapter_at(text, chapter_names)
        if hit is not None and (chapter is None or hit > chapter):
            chapter, item = hit, None
            found.append((chapters[hit]["number"], chapters[hit]["title"], text, 1, line.start, line.end))
            continue
        if chapter is None:
            continue
        number = chapters[chapter]["number"]
        items = chapters[chapter].get("items") or []
        m = _ITEM.match(text)
        k = next((i for i, it in enumerate(items) if m and compact(m.group("title")) in _names(it)), None)
        if m and k is not None:
            printed = int(m.group("n"))
            if item is None or (printed > item[1] and k != item[0]):
                item = (k, printed)
                found.append((f"{number}.{printed}", items[k]["title"], f"{printed}.", 2, line.start, line.end))
            continue
        s = _SUB.match(text)
        if s and item is not None:
            subs = [compact(x) for x in items[item[0]].get("sub", ())]
            if compact(s.group("title")) in subs:
                path = f"{number}.{item[1]}.({s.group('n')})"
                found.append((path, s.group("title"), f"({s.group('n')})", 3, line.start, line.end))
    return _spans(found, len(doc.text))


# A chapter name alone on a line (its number set apart) counts only when the name is long
# enough not to be a table header (備考, 文献 are also column titles).
_BARE_CHAPTER_MIN = 6


def _chapter_at(text: str, names: list[set[str]]) -> int | None:
    """The chapter a line opens: ``X.管理的事項に関する項目``, or a long chapter name alone."""
    m = _CHAPTER.match(text)
    if m and any(compact(m.group("title")) in ns for ns in names):
        title = compact(m.group("title"))
    elif len(text) >= _BARE_CHAPTER_MIN:
        title = text
    else:
        return None
    return next((i for i, ns in enumerate(names) if title in ns), None)


def _spans(found: list[tuple[str, str, str, int, int, int]], text_len: int) -> dict[str, Heading]:
    """A section runs to the next heading of its level or above."""
    out: dict[str, Heading] = {}
    for i, (path, title, printed, level, start, body) in enumerate(found):
        end = next((f[4] for f in found[i + 1:] if f[3] <= level), text_len)
        if path not in out:
            out[path] = Heading(path, title, printed, start, end, min(body + 1, end))
    return out


def section_titled(headings: dict[str, Heading], chapter: str, *titles: str) -> Heading | None:
    """The item of ``chapter`` the template names by one of ``titles`` (whatever its number)."""
    wanted = {compact(t) for t in titles}
    return next((h for p, h in headings.items()
                 if p.startswith(chapter + ".") and p.count(".") == 1 and compact(h.title) in wanted), None)
