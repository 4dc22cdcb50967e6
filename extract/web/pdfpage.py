"""A page of a source PDF as an image, with the evidence boxes drawn on it.

The graph never holds the PDF: it holds the document's SHA-256 and the path it was read from
(``yk:sourcePath``). The server opens the file there, or a file of the same name under a
folder given with ``yakuji serve --pdf-dir``, and uses it only when its bytes still have that
SHA-256 (a file changed since the ingest would show other pages than the facts came from).
When no such file is found the answer says where it looked and what to do.

Boxes (``yk:bbox``, ``"x0 top x1 bottom"`` in PDF points) are in the loader's coordinates:
from the left and the top of the page's MediaBox, as pdfplumber measures them. pypdfium2
renders the CropBox, so a box is shifted by the CropBox's offset; on a rotated page no box
is drawn (the note says so) rather than one in the wrong place.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

from extract.web.graph import ID, select
from extract.serve import Reply
from extract.web.pages import NotFound

SCALE = 1.5  # 108 dpi: small type stays legible, a page is 100-300 kB
_PATH = re.compile(r"^/page-image/([0-9a-f]{64})/(\d{1,5})\.png$")
_BOX = re.compile(r"^\s*(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*$")
_HASHES: dict[tuple[str, int, int], str] = {}  # (path, mtime_ns, size) -> sha256, per worker


class PdfMissing(Exception):
    """The document's PDF is not where the graph says, nor under a --pdf-dir."""


def page_image(store: Any, path: str, args: dict[str, str], pdf_dirs: tuple[str, ...]) -> Reply:
    match = _PATH.match(path)
    if match is None:
        raise NotFound(f"no page image at {path}: /page-image/<sha256>/<page>.png")
    sha, number = match.group(1), int(match.group(2))
    doc = f"<{ID}doc/{sha}>"
    rows = select(store, f"SELECT ?path ?file ?format WHERE {{ {doc} yk:sha256 ?sha "
                         f"OPTIONAL {{ {doc} yk:sourcePath ?path }} OPTIONAL {{ {doc} yk:fileName ?file }} "
                         f"OPTIONAL {{ {doc} yk:sourceFormat ?format }} }}")
    if not rows:
        raise NotFound(f"no document {sha} in the store")
    row = rows[0]
    if "format" in row and row["format"].text != "pdf":
        raise ValueError("the document was read from text, not from a PDF: it has no page images")
    try:
        pdf = find_pdf(sha, row["path"].text if "path" in row else None,
                       row["file"].text if "file" in row else None, pdf_dirs)
    except PdfMissing as exc:
        return Reply(404, "text/plain; charset=utf-8", str(exc).encode("utf-8"))
    boxes = [b for b in (parse_box(part) for part in args.get("box", "").split(";")) if b is not None]
    png, note = render_page(pdf, number, boxes)
    headers = (("Cache-Control", "private, max-age=3600"),) + ((("X-Yakuji-Note", note),) if note else ())
    return Reply(200, "image/png", png, headers)


def parse_box(text: str) -> tuple[float, float, float, float] | None:
    match = _BOX.match(text)
    if match is None:
        return None
    x0, top, x1, bottom = (float(v) for v in match.groups())
    return (x0, top, x1, bottom) if x1 > x0 and bottom > top else None


def _sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _HASHES:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        _HASHES[key] = digest.hexdigest()
    return _HASHES[key]


def find_pdf(sha: str, recorded: str | None, file_name: str | None, pdf_dirs: tuple[str, ...]) -> Path:
    """The file with the document's bytes: at the recorded path, else ``DIR/name`` or a file of
    that name anywhere under each ``--pdf-dir``."""
    candidates: list[Path] = [Path(recorded)] if recorded else []
    for folder in pdf_dirs:
        if file_name:
            candidates.append(Path(folder) / file_name)
            candidates.extend(sorted(Path(folder).rglob(file_name)))
    changed = []
    for candidate in dict.fromkeys(candidates):
        try:
            if candidate.is_file() and _sha256(candidate) == sha:
                return candidate
            if candidate.is_file():
                changed.append(str(candidate))
        except OSError:
            continue
    where = recorded or "(no path recorded: the document was ingested before yk:sourcePath)"
    message = f"The PDF of this document ({file_name or sha}) is not at {where}"
    if changed:
        message += f"; {', '.join(changed)} holds other bytes than the ingested document (SHA-256 {sha[:12]}…)"
    message += (". It was moved, changed or deleted after the ingest: start `yakuji serve --pdf-dir FOLDER` "
                "with the folder that holds the ingested file.")
    raise PdfMissing(message)


def render_page(path: Path, number: int, boxes: list[tuple[float, float, float, float]]) -> tuple[bytes, str]:
    """The page as PNG with the boxes drawn (a translucent fill and an outline), and a note
    ("" or why no box could be drawn)."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = pdfium.PdfDocument(str(path))
    try:
        if not 1 <= number <= len(pdf):
            raise NotFound(f"the PDF has {len(pdf)} page(s); there is no page {number}")
        page = pdf[number - 1]
        image = page.render(scale=SCALE).to_pil().convert("RGBA")
        note = ""
        if boxes and page.get_rotation() % 360:
            note = "the page is rotated: the evidence box is not drawn"
        elif boxes:
            media_left, _, _, media_top = page.get_mediabox()
            crop_left, _, _, crop_top = page.get_cropbox()
            layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
            draw = ImageDraw.Draw(layer)
            for x0, top, x1, bottom in boxes:
                left = (media_left + x0 - crop_left - 2) * SCALE
                right = (media_left + x1 - crop_left + 2) * SCALE
                upper = (crop_top - media_top + top - 2) * SCALE
                lower = (crop_top - media_top + bottom + 2) * SCALE
                draw.rectangle((left, upper, right, lower), fill=(255, 196, 0, 70), outline=(214, 40, 0, 255), width=3)
            image = Image.alpha_composite(image, layer)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
        return out.getvalue(), note
    finally:
        pdf.close()
