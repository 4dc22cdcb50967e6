"""The web pages on a real document: the patient guide of Imbruvica (../shared/real, skipped with
the reason when absent), ingested as published. Names and values read by hand from its pages."""

from __future__ import annotations

import io
import json
import re
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from extract.serve import ServeConfig, Server

GUIDE = Path(__file__).resolve().parents[2] / "shared" / "real" / "product" / "imbruvica-patient-guide-2026-03.pdf"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not GUIDE.is_file():
        pytest.skip(f"real document not available: {GUIDE} is absent")
    from extract.pipeline import ingest_paths
    from extract.store import Store

    path = tmp_path_factory.mktemp("real_web") / "store"
    with Store(path) as st:
        assert [o.status for o in ingest_paths([GUIDE], st)] == ["ok"]
    srv = Server(ServeConfig(path, timeout=60, workers=1), "127.0.0.1", 0).start()
    deadline = time.monotonic() + 60
    while not json.loads(_get(srv, "/api/search?q=x"))["complete"] and time.monotonic() < deadline:
        time.sleep(0.2)
    yield srv
    srv.close()


def _get(srv: Server, path: str) -> bytes:
    parts = urllib.parse.urlsplit(path)
    query = urllib.parse.urlencode(urllib.parse.parse_qsl(parts.query))
    with urllib.request.urlopen(f"{srv.url}{parts.path}?{query}", timeout=60) as r:
        return r.read()


@pytest.mark.parametrize("query, href", [("イムブルビカ", "/product/imbruvica"), ("Imbruvica", "/product/imbruvica"),
                                         ("ibrutinib", "/substance/ibrutinib"), ("イブルチニブ", "/substance/ibrutinib")])
def test_search_names_the_real_product_and_substance(server: Server, query: str, href: str) -> None:
    first = json.loads(_get(server, "/api/search?" + urllib.parse.urlencode({"q": query})))["results"][0]
    assert (first["href"], first["rank"]) == (href, "exact")


def test_a_real_statement_links_to_its_box_on_the_page(server: Server) -> None:
    """「腎臓に重度の障害のある人」 is printed on page 2 of the guide: the product page cites it with a
    box that holds exactly that printed line, and the page image draws it."""
    import pdfplumber
    from PIL import Image

    html = _get(server, "/product/imbruvica").decode()
    row = html[html.index("腎臓に重度の障害のある人"):]
    link = re.search(r'<a href="(/page-image/[0-9a-f]{64}/2\.png\?box=([^"]+))" class="page-link"', row)
    assert link is not None
    x0, top, x1, bottom = (float(v) for v in urllib.parse.unquote_plus(link.group(2)).split())
    with pdfplumber.open(GUIDE) as pdf:
        inside = pdf.pages[1].crop((x0 - 1, top - 1, x1 + 1, bottom + 1)).extract_text()
    assert "".join(inside.split()) == "・腎臓に重度の障害のある人"  # the box is its printed line's, bullet and all
    image = Image.open(io.BytesIO(_get(server, link.group(1).replace("&amp;", "&"))))
    assert image.size == (894, 1264)  # A4 (595.3 x 841.9 pt) at 1.5 px per point, pdfium rounding up
