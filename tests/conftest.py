"""Shared pytest fixtures: PDF renditions of the text documents, and the bad-input PDFs.

Both are generated once per test session into a temporary folder by ``scripts/make_pdfs.py``
(never committed), so any test module can ingest the PDF form of a sample or seed document.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Callable

import pytest

if TYPE_CHECKING:
    from extract.model import Document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _load_make_pdfs() -> ModuleType:
    """``scripts/`` is not a package: import ``make_pdfs.py`` by path."""
    name = "yakuji_make_pdfs"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "make_pdfs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def make_pdfs() -> ModuleType:
    """The fixture-builder module (render_text, make_sample, make_bad_inputs, …)."""
    pytest.importorskip("reportlab")
    return _load_make_pdfs()


@pytest.fixture(scope="session")
def pdf_renditions(make_pdfs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """PDF rendition of every sample text document and (when present) every seed, by the
    source file's name: ``{"000_….txt": Path(".../000_….pdf"), …}``."""
    out = tmp_path_factory.mktemp("pdf_renditions")
    sources = make_pdfs.sources(SEEDS if SEEDS.is_dir() else None)
    return {src.name: make_pdfs.render_document(src, out) for src in sources}


@pytest.fixture(scope="session")
def bad_pdfs(make_pdfs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every bad-input PDF by name (see ``make_pdfs.BAD_INPUTS``)."""
    return make_pdfs.make_bad_inputs(tmp_path_factory.mktemp("bad_pdfs"))


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding all seed documents (skips when ../shared/seeds is absent); returns its path.
    Tests open it read-only."""
    if not SEEDS.is_dir():
        pytest.skip("seed documents not available: ../shared/seeds is absent")
    from extract.pipeline import ingest_paths
    from extract.store import Store

    path = tmp_path_factory.mktemp("seed_store") / "store"
    with Store(path) as st:
        outcomes = ingest_paths([SEEDS], st)
    failed = [o for o in outcomes if o.status == "failed"]
    assert not failed, failed
    return path


REAL = Path(__file__).resolve().parents[2] / "shared" / "real"


@pytest.fixture(scope="session")
def real_document() -> Callable[[str], "Document"]:
    """``real_document("product/x.pdf")``: the real document ``../shared/real/product/x.pdf``
    loaded once per test session (the 204-page interview form takes half a minute), or a skip
    naming the file when it is absent."""
    from extract.load import load_document

    cache: dict[str, "Document"] = {}

    def load(name: str) -> "Document":
        path = REAL / name
        if not path.is_file():
            pytest.skip(f"real document not available: ../shared/real/{name} is absent")
        if name not in cache:
            cache[name] = load_document(path, ocr="never")
        return cache[name]

    return load


@pytest.fixture(scope="session")
def sample_pdf_store(pdf_renditions: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the project's own samples as a user would ingest them: each text sample's PDF
    rendition (so facts carry pages and boxes, and page images can be drawn) and the two trial
    records as they are. Tests open it read-only."""
    from extract.pipeline import ingest_paths
    from extract.store import Store

    samples = ROOT / "corpus" / "samples"
    pdfs = [pdf_renditions[p.name] for p in sorted(samples.glob("*.txt"))]
    records = sorted(p for p in samples.iterdir() if p.suffix in (".json", ".xml"))
    path = tmp_path_factory.mktemp("sample_pdf_store") / "store"
    with Store(path) as st:
        outcomes = ingest_paths([*pdfs, *records], st)
    assert [o.status for o in outcomes] == ["ok"] * len(outcomes), outcomes
    return path
