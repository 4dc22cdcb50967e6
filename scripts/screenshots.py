#!/usr/bin/env python3
"""Screenshots of each web page, for the README, on the project's own fictional samples.

The samples (``corpus/samples``) are rendered to PDF (``scripts/make_pdfs.py``) and ingested
into a fresh store, with the two trial records as they are; ``yakuji serve`` runs over it and
Debian's Chromium (headless, a fresh profile, no network) loads each page. PNGs are written
with a 256-colour palette to stay small. Never point this at a store of real documents: the
pictures are committed.

    python scripts/screenshots.py [OUT_DIR]     # default docs/screenshots/
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

# (file, path, viewport width, what to do before the picture, how much of the page to keep in px)
SHOTS = [
    ("search.png", "/products", 1280, "search", 520),
    ("product.png", "/product/yakujin", 1280, "", 1400),
    ("product-evidence.png", "/product/x-930f9c2c1995#safety_concerns", 1280, "evidence", 900),
    ("product-differences.png", "/product/x-930f9c2c1995", 1280, "differences", 900),
    ("concept.png", "/concept/cytokine-release-syndrome?lang=ja", 1280, "", 1200),
    ("documents.png", "/documents?lang=en", 1280, "", 900),
    ("rmp-diff.png", "/diff", 1280, "diff", 1300),
    ("product-phone.png", "/product/yakujin?lang=ja", 390, "", 1600),
]


def _make_pdfs():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_pdfs", ROOT / "scripts" / "make_pdfs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_pdfs"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def sample_store(work: Path) -> Path:
    from extract.pipeline import ingest_paths
    from extract.store import Store

    samples = ROOT / "corpus" / "samples"
    make_pdfs = _make_pdfs()
    pdfs = [make_pdfs.render_document(p, work / "pdf") for p in sorted(samples.glob("*.txt"))]
    records = sorted(p for p in samples.iterdir() if p.suffix in (".json", ".xml"))
    store = work / "store"
    with Store(store) as st:
        outcomes = ingest_paths([*pdfs, *records], st)
    failed = [o for o in outcomes if o.status != "ok"]
    if failed:
        raise SystemExit(f"ingest failed: {failed}")
    return store


def prepare(tab, action: str) -> None:  # type: ignore[no-untyped-def]
    if action == "search":
        tab.type("#q", "ヤク", delay=30)
        tab.wait_for_selector("#suggestions li", state="visible")
        tab.press("#q", "ArrowDown")
    elif action == "evidence":
        tab.locator("section[aria-labelledby=safety_concerns] a.page-link").first.click()
        tab.wait_for_function("document.getElementById('viewer-img').naturalWidth > 0")
        tab.wait_for_timeout(300)
    elif action == "diff":
        with tab.expect_navigation():
            tab.click("#diff-form button[type=submit]")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from extract.serve import ServeConfig, Server

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = Server(ServeConfig(sample_store(work), timeout=60, workers=2), "127.0.0.1", 0).start()
        try:
            while not json.loads(urllib.request.urlopen(server.url + "/api/search?q=x", timeout=60).read())["complete"]:
                time.sleep(0.2)
            with sync_playwright() as pw:
                context = pw.chromium.launch_persistent_context(
                    str(work / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS, locale="en-US",
                    viewport={"width": 1280, "height": 900}, device_scale_factor=1)
                for name, path, width, action, keep in SHOTS:
                    tab = context.new_page()
                    tab.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
                    tab.goto(server.url + path)
                    prepare(tab, action)
                    if action == "differences":  # the consistency report at the end of the page
                        png = tab.locator("section[aria-labelledby=differences]").screenshot()
                    else:
                        png = tab.screenshot(full_page=action not in ("evidence", "search"))
                    image = Image.open(io.BytesIO(png))
                    image = image.crop((0, 0, image.width, min(image.height, keep)))
                    image.convert("RGB").quantize(256).save(args.out / name, optimize=True)
                    print(f"{args.out / name}: {image.width}x{image.height}, {(args.out / name).stat().st_size // 1024} kB")
                    tab.close()
                context.close()
        finally:
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
