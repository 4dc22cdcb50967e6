"""Build the broken-font and scanned review-report fixtures, with known text.

Why: the real broken-font reviews (Acrobat Distiller from MS-Mincho) embed their font as a
CID-keyed CFF program (``FontFile3``/``CIDFontType0C``) under ``Identity-H`` with no ToUnicode
map, the codes being the font's own glyph ids. These fixtures are made the same way, from
fonts the recovery does NOT use as references (Noto Serif CJK JP for a Mincho design, Noto
Sans CJK JP for a Gothic one; the references are IPAex), so a test of the recovery is a test
of telling one design's glyphs by another's, as on a real document:

- ``broken_font_mincho.pdf`` and ``broken_font_gothic.pdf``: a fictional review report (header
  fields, numbered sections, a ruled table, confusable characters such as ー/一, ロ/口, カ/力,
  ニ/二, エ/工, へ/ヘ, ば/ぱ), every glyph from the subset program with glyph ids kept
  (fontTools ``retain_gids``), no ToUnicode, so pdfminer alone reads ``(cid:N)``;
- ``scanned_review.pdf``: the same document as a 200 dpi scan (one image per page, no text);
- ``scanned_review_30.pdf``: a 30-page scanned review (the document's pages repeated), for
  "a long scan completes with the default settings".

``REVIEW_PAGES`` is the known text, page by page, line by line. Usage:
``python scripts/make_font_pdfs.py [OUT_DIR]`` (default ``corpus/pdf/fonts``).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_pdfs import A4, _pdf, _stream  # noqa: E402  (scripts/ is not a package)

DEFAULT_OUT = HERE.parent / "corpus" / "pdf" / "fonts"
NOTO = {  # design -> (collection, index of the JP face), Debian's fonts-noto-cjk
    "mincho": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 0),
    "gothic": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
}
NOTO_INSTALL = "apt-get install fonts-noto-cjk"
SIZE = 10.5  # type size (pt)
LEADING = 18.0
LEFT, TOP = 60.0, 70.0
SCAN_DPI = 200

# A table row is a tuple of cells; every other line is a str.
Line = str | tuple[str, ...]
REVIEW_PAGES: tuple[tuple[Line, ...], ...] = (
    (
        "審査報告書",
        "令和７年３月１４日",
        "独立行政法人医薬品医療機器総合機構",
        "承認申請のあった下記の医薬品にかかる審査結果は、以下のとおりである。",
        "［販 売 名］ フィクタロン錠２５mg、同錠５０mg",
        "［一 般 名］ フィクタロリマブ",
        "［申 請 者］ ヤクジ架空製薬株式会社",
        "［申請年月日］ 令和６年５月２０日",
        "［剤形・含量］ １錠中にフィクタロリマブ２５mg又は５０mgを含有する錠剤",
        "［申請区分］ 医療用医薬品（１）新有効成分含有医薬品",
        "［審査担当部］ 新薬審査第三部",
        "［効能又は効果］",
        "再発又は難治性の慢性リンパ性白血病（小リンパ球性リンパ腫を含む）",
        "［用法及び用量］",
        "通常、成人にはフィクタロリマブとして５０mgを１日１回経口投与する。",
        "なお、患者の状態により適宜減量する。",
    ),
    (
        "１．起原又は発見の経緯及び外国における使用状況等に関する資料",
        "本薬は、ヤクジ架空製薬株式会社が創製したキナーゼ阻害剤である。",
        "２．品質に関する資料及び機構における審査の概略",
        "２．１ 原薬",
        "原薬の性状、確認試験、純度試験及び定量法が設定されている。",
        "３．臨床的有効性及び臨床的安全性に関する資料",
        "表１ 主な有害事象（いずれかの群で５％以上）",
        ("事象名", "本薬群（N＝１２０）", "対照群（N＝１１８）"),
        ("下痢", "３６（３０．０）", "１４（１１．９）"),
        ("好中球減少症", "２８（２３．３）", "２５（２１．２）"),
        ("頭痛", "１２（１０．０）", "９（７．６）"),
        ("口内炎", "８（６．７）", "３（２．５）"),
        ("発疹", "７（５．８）", "２（１．７）"),
        "例数（％）",
        "ロット間のバラつきはカラム温度の管理で小さくなった。",
        "二次性のエラーはへその緒のヘパリン処理で生じない。",
        "工程管理ではパラメータ一覧とコード番号を照合した。",
        "以上より、本薬の有効性は示され、安全性は許容可能と判断した。",
    ),
)


def review_text() -> list[list[str]]:
    """The known text, page by page, as the loader lays it out (table cells tab-separated)."""
    return [["\t".join(line) if isinstance(line, tuple) else line for line in page] for page in REVIEW_PAGES]


def _noto(design: str) -> object:
    from fontTools.ttLib import TTCollection

    path, index = NOTO[design]
    if not Path(path).exists():
        raise RuntimeError(f"the broken-font fixture needs {path} ({NOTO_INSTALL})")
    return TTCollection(path).fonts[index]


def _subset_cff(design: str, text: str) -> tuple[bytes, dict[str, int], dict[int, int]]:
    """The CID-keyed CFF program holding ``text``'s glyphs, glyph ids (= CIDs) kept; the CID
    of each character and the advance (1/1000 em) of each CID."""
    from fontTools import subset

    font = _noto(design)
    cmap = font.getBestCmap()  # type: ignore[attr-defined]
    chars = sorted(set(text) - {"\n", "\t"})
    missing = [ch for ch in chars if ord(ch) not in cmap]
    if missing:
        raise RuntimeError(f"{NOTO[design][0]} lacks {''.join(missing)!r}")
    cid = {ch: font.getGlyphID(cmap[ord(ch)]) for ch in chars}  # type: ignore[attr-defined]
    hmtx = font["hmtx"]  # type: ignore[index]
    upem = font["head"].unitsPerEm  # type: ignore[index]
    widths = {cid[ch]: round(hmtx[cmap[ord(ch)]][0] * 1000 / upem) for ch in chars}
    options = subset.Options()
    options.retain_gids = True
    options.layout_features = []
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    subsetter.subset(font)
    cff = font["CFF "].cff  # type: ignore[index]
    buf = io.BytesIO()
    cff.compile(buf, font)
    return buf.getvalue(), cid, widths


def _hex(text: str, cid: dict[str, int]) -> bytes:
    return b"<" + "".join(f"{cid[ch]:04X}" for ch in text).encode() + b">"


def _width(text: str, cid: dict[str, int], widths: dict[int, int]) -> float:
    return sum(widths[cid[ch]] for ch in text) * SIZE / 1000


def _page_content(lines: Sequence[Line], cid: dict[str, int], widths: dict[int, int]) -> bytes:
    """Text in /F1 (codes = glyph ids), tables ruled: one row per table line."""
    out: list[bytes] = []
    y = A4[1] - TOP
    k = 0
    while k < len(lines):
        line = lines[k]
        if isinstance(line, str):
            out.append(b"BT /F1 %.1f Tf %.2f %.2f Td %s Tj ET" % (SIZE, LEFT, y, _hex(line, cid)))
            y -= LEADING
            k += 1
            continue
        rows = []
        while k < len(lines) and isinstance(lines[k], tuple):
            rows.append(lines[k])
            k += 1
        cols = [max(_width(row[c], cid, widths) for row in rows) + 16 for c in range(len(rows[0]))]
        top = y + SIZE + 3
        height = LEADING + 2
        for r, row in enumerate(rows):
            x = LEFT
            base = top - (r + 1) * height + 6
            for c, cell in enumerate(row):
                out.append(b"BT /F1 %.1f Tf %.2f %.2f Td %s Tj ET" % (SIZE, x + 6, base, _hex(cell, cid)))
                x += cols[c]
        right, bottom = LEFT + sum(cols), top - len(rows) * height
        for r in range(len(rows) + 1):
            out.append(b"%.2f %.2f m %.2f %.2f l S" % (LEFT, top - r * height, right, top - r * height))
        x = LEFT
        for c in range(len(cols) + 1):
            out.append(b"%.2f %.2f m %.2f %.2f l S" % (x, top, x, bottom))
            x += cols[c] if c < len(cols) else 0
        y = bottom - LEADING
    return b"0.6 w\n" + b"\n".join(out)


def make_broken_font_review(out: Path, design: str) -> Path:
    """The review set in Noto (``design``) as a CID-keyed CFF font, Identity-H, no ToUnicode."""
    text = "".join(line if isinstance(line, str) else "".join(line) for page in REVIEW_PAGES for line in page)
    program, cid, widths = _subset_cff(design, text)
    name = b"ABCDEF+Fixture-" + design.title().encode()
    w_array = b" ".join(b"%d [%d]" % (c, w) for c, w in sorted(widths.items()))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, written last
        b"<< /Type /Font /Subtype /Type0 /BaseFont /" + name + b" /Encoding /Identity-H /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /" + name + b" /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /W [" + w_array + b"] >>",
        b"<< /Type /FontDescriptor /FontName /" + name + b" /Flags 4 /FontBBox [-1000 -300 3000 1300] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 733 /StemV 80 /FontFile3 6 0 R >>",
        b"<< /Subtype /CIDFontType0C /Length %d >>\nstream\n" % len(program) + program + b"\nendstream",
    ]
    kids = []
    for page in REVIEW_PAGES:
        objects.append(_stream(_page_content(page, cid, widths)))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 3 0 R >> >> "
                       b"/Contents %d 0 R >>" % (A4[0], A4[1], len(objects)))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    out.write_bytes(_pdf(objects))
    return out


def make_scan(source: Path, out: Path, *, pages: int | None = None, dpi: int = SCAN_DPI) -> Path:
    """``source`` rendered at ``dpi`` (greyscale), one image per page and no text objects;
    with ``pages``, its pages repeated until there are that many."""
    import pypdfium2
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    document = pypdfium2.PdfDocument(str(source))
    images = []
    for page in document:
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        images.append(buf.getvalue())
        page.close()
    document.close()
    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    for k in range(pages or len(images)):
        canvas.drawImage(ImageReader(io.BytesIO(images[k % len(images)])), 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    return out


def make_font_fixtures(out_dir: Path) -> dict[str, Path]:
    """Every fixture of this module, by file name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    made = {f"broken_font_{design}.pdf": make_broken_font_review(out_dir / f"broken_font_{design}.pdf", design)
            for design in NOTO}
    made["scanned_review.pdf"] = make_scan(made["broken_font_mincho.pdf"], out_dir / "scanned_review.pdf")
    made["scanned_review_30.pdf"] = make_scan(made["broken_font_mincho.pdf"], out_dir / "scanned_review_30.pdf",
                                              pages=30)
    return made


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    for path in make_font_fixtures(args.out).values():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
