"""How much of the seeds' safety vocabulary the lexicon knows, in both languages.

Counts the concept mentions of (a) RMP safety specifications (安全性検討事項: the concepts
of the RMP extractor's SafetyConcern facts, or a scan of the section when that extractor
cannot be imported) and (b) serious-adverse-reaction lists (重大な副作用 / "serious adverse
reactions": the numbered item heads of the section), links each one, and prints the share
that reaches a lexicon concept carrying both an English and a Japanese label, then the gaps.

    python scripts/lexicon_coverage.py [SEED_DIR]
"""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from extract.model import DocType, Document, Mention, SafetyConcern
from extract.normalize.linker import default_lexicon, link_mention

_SERIOUS_HEAD = re.compile(r"^\s*(?:\d+(?:\.\d+)*\s*[).．]?\s*|\d+\)\s*)?"
                           r"(?:重大な副作用|serious adverse reactions|clinically significant adverse reactions)",
                           re.IGNORECASE)
_SERIOUS_END = re.compile(r"その他の副作用|other adverse reactions", re.IGNORECASE)
_ITEM = re.compile(r"^\s*[(（]\s*\d+\s*[)）]\s*(.+)$")
_FREQ = re.compile(r"[(（][^()（）]*(?:%|％|頻度不明)[^()（）]*[)）]")


@dataclass(frozen=True)
class Report:
    total: int
    linked: int
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)  # file, source, text, key
    gaps: list[tuple[str, str]] = field(default_factory=list)  # file, text

    @property
    def percent(self) -> float:
        return 100.0 * self.linked / self.total if self.total else 100.0


def serious_reaction_mentions(doc: Document) -> list[Mention]:
    """Item heads of each 重大な副作用 list: ``(3) 感染症(18.6%):…`` gives 感染症; an item
    naming several reactions separated by 、 gives each."""
    found: list[Mention] = []
    inside = False
    for line in doc.text.replace("\f", "\n").split("\n"):
        if _SERIOUS_HEAD.match(line) and "参照" not in line:
            inside = True
            continue
        if inside and _SERIOUS_END.search(line):
            inside = False
            continue
        m = _ITEM.match(line) if inside else None
        if not m:
            continue
        head = re.split(r"[:：]", m.group(1), maxsplit=1)[0]
        head = re.sub(r"[(（][^()（）]*$", "", _FREQ.sub("", head))  # a frequency cut by a line break
        for name in head.split("、"):
            name = name.strip(" 　.")
            if name:
                found.append(Mention(name, doc.lang, "concept"))
    return found


def safety_spec_mentions(doc: Document, doc_type: DocType) -> list[Mention]:
    """Concepts of a safety specification (an RMP's, or the draft RMP a review report
    quotes), from the document kind's extractor when importable, else a scan (RMPs only)."""
    from extract.extractors import EXTRACTORS

    try:
        extractor = importlib.import_module(EXTRACTORS[doc_type])
    except ImportError:
        return _scan_safety_spec(doc) if doc_type == DocType.RMP else []
    result = extractor.extract(doc)
    return [f.concept or Mention(f.label, doc.lang, "concept")
            for f in result.facts if isinstance(f, SafetyConcern)]


def _scan_safety_spec(doc: Document) -> list[Mention]:
    """Fallback: the cells between the safety-specification heading and the next section."""
    text = doc.text.replace("\f", "\n")
    start = text.find("安全性検討事項")
    end = text.find("有効性に関する検討事項", start)
    if start < 0 or end < 0:
        return []
    cells = re.split(r"\s{2,}|\n", text[start:end])
    names = [c.strip() for c in cells[1:] if c.strip() and "【" not in c and c.strip() != "なし"]
    return [Mention(n, doc.lang, "concept") for n in names]


def coverage(seed_dir: Path) -> Report:
    from extract.classify import classify
    from extract.load import load_document
    lexicon = default_lexicon()
    rows: list[tuple[str, str, str, str]] = []
    gaps: list[tuple[str, str]] = []
    linked = 0
    for path in sorted(seed_dir.glob("*.txt")):
        doc = load_document(path)
        mentions = [("serious", m) for m in serious_reaction_mentions(doc)]
        mentions += [("safety-spec", m) for m in safety_spec_mentions(doc, classify(doc).doc_type)]
        for source, mention in mentions:
            lk = link_mention(mention, lexicon)
            both = {lang for lang, _ in lk.labels} == {"en", "ja"}
            ok = both and not lk.unlinked
            linked += ok
            rows.append((path.name, source, mention.text, lk.key if ok else "-"))
            if not ok:
                gaps.append((path.name, mention.text))
    return Report(total=len(rows), linked=linked, rows=rows, gaps=gaps)


def main(argv: list[str]) -> int:
    seed_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not seed_dir.is_dir():
        print(f"no seed directory at {seed_dir}", file=sys.stderr)
        return 2
    report = coverage(seed_dir)
    for file, source, text, key in report.rows:
        print(f"{file}\t{source}\t{text}\t{key}")
    print(f"\n{report.linked}/{report.total} concept mentions link to a lexicon concept with "
          f"@en and @ja labels: {report.percent:.1f}%")
    for file, text in report.gaps:
        print(f"GAP\t{file}\t{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
