"""Copies ``ontology/`` into the package at build time so a wheel carries it."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        src = Path(__file__).parent / "ontology"
        dest = Path(self.build_lib) / "extract" / "_data" / "ontology"
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithData})
