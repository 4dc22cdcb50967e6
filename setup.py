"""Copies ``ontology/`` and ``corpus/gold/`` into the package at build time so a wheel carries
them (``extract/resources.py`` finds them there)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).parent
        for src, name in ((root / "ontology", "ontology"), (root / "corpus" / "gold", "gold")):
            if src.is_dir():
                shutil.copytree(src, Path(self.build_lib) / "extract" / "_data" / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithData})
