"""Where the non-Python data (``ontology/``) lives, in a checkout or an installed wheel.

In a checkout it is ``<repo>/ontology``; ``pip install .`` copies it into the package as
``extract/_data/ontology`` (see ``setup.py``), so the installed tool finds it too.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def ontology_dir() -> Path:
    for candidate in (_PKG / "_data" / "ontology", _PKG.parent / "ontology"):
        if (candidate / "yakuji.ttl").is_file():
            return candidate
    raise FileNotFoundError("ontology/ not found: reinstall yakuji-kg (pip install .)")
