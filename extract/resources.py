"""Where the non-Python data (``ontology/``, the evaluation gold) lives, in a checkout or an
installed wheel.

In a checkout they are ``<repo>/ontology`` and ``<repo>/corpus/gold``; ``pip install .`` copies
them into the package as ``extract/_data/ontology`` and ``extract/_data/gold`` (see
``setup.py``), so the installed tool finds them too. A checkout's gold comes first: it is the
one being edited.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def ontology_dir() -> Path:
    for candidate in (_PKG / "_data" / "ontology", _PKG.parent / "ontology"):
        if (candidate / "yakuji.ttl").is_file():
            return candidate
    raise FileNotFoundError("ontology/ not found: reinstall yakuji-kg (pip install .)")


def gold_dir() -> Path:
    """The default gold folder of ``yakuji eval``: a checkout's ``corpus/gold``, else the copy
    shipped in the wheel."""
    for candidate in (_PKG.parent / "corpus" / "gold", _PKG / "_data" / "gold"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no gold folder: give one with --gold DIR (a checkout has corpus/gold)")
