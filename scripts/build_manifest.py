"""Write corpus/manifest.tsv: one row per seed document (no text, only what identifies it) and
per bundled sample, read by the pipeline itself (kind, language, product, date, sha256).

    python3 scripts/build_manifest.py            # rewrite the manifest
    python3 scripts/build_manifest.py --check    # exit 1 when the manifest is stale
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from pathlib import Path

from extract.classify import classify
from extract.extractors import get_extractor
from extract.load import load_document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
SAMPLES = ROOT / "corpus" / "samples"
MANIFEST = ROOT / "corpus" / "manifest.tsv"
COLUMNS = ("id", "location", "kind", "language", "product", "date", "sha256", "source")


def describe(path: Path, location: str, source: str) -> dict[str, str]:
    doc = load_document(path)
    cls = classify(doc)
    result = get_extractor(cls.doc_type)(doc)
    products = sorted({p.product.text for p in result.products} | {m.text for m in result.info.products})
    return {
        "id": path.name, "location": location, "kind": cls.doc_type.value, "language": cls.lang,
        "product": " | ".join(products), "date": result.info.issued.isoformat() if result.info.issued else "",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "source": source,
    }


def rows() -> list[dict[str, str]]:
    out = []
    if SEEDS.is_dir():
        for p in sorted(SEEDS.glob("*.txt")):
            out.append(describe(p, f"../shared/seeds/{p.name}", "seed (public document; text not in the repo)"))
    for p in sorted(SAMPLES.iterdir()):
        if p.is_file():
            out.append(describe(p, f"corpus/samples/{p.name}", "sample written by the project (fictional)"))
    return out


def render(table: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, COLUMNS, delimiter="\t", lineterminator="\n")
    w.writeheader()
    w.writerows(table)
    return buf.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = render(rows())
    if args.check:
        current = MANIFEST.read_text(encoding="utf-8") if MANIFEST.exists() else ""
        if current != text:
            print("corpus/manifest.tsv is stale: run python3 scripts/build_manifest.py", file=sys.stderr)
            return 1
        return 0
    MANIFEST.write_text(text, encoding="utf-8")
    print(f"wrote {MANIFEST} ({text.count(chr(10)) - 1} documents)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
