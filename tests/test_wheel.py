"""``yakuji eval`` from an installed wheel, outside any checkout (issue 18): the wheel carries the
ontology and the gold, and ``--gold DIR`` names any other gold folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "samples" / "package_insert_ja.txt"

# read by hand from the sample insert: 販売名 and 承認番号 of both strengths, and 用法・用量
# (成人には1回20mgを1日2回経口投与); the holder is an organisation IRI, out of scope here
GOLD = """document: "package_insert_ja"
scope:
  product: field
facts:
  product:
    - {field: trade_name, value: ゾルテニブカプセル10mg}
    - {field: trade_name, value: ゾルテニブカプセル20mg}
    - {field: approval_number, value: 30600AMX00901000}
    - {field: approval_number, value: 30600AMX00902000}
  dosage_regimen:
    - {dose_value: 20, unit: mg, route: oral, frequency: twice daily}
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (system site-packages for the dependencies, so nothing is downloaded but
    the build backend) with the wheel built from this checkout installed, without deps."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy, so the build leaves no build/ or egg-info in the checkout
    src.mkdir()
    for name in ("extract", "ontology", "corpus", "setup.py", "pyproject.toml", "README.md"):
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "samples"))
        else:
            shutil.copy2(path, src / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"),
                            str(src)], capture_output=True, text=True, timeout=600)
    if built.returncode != 0:
        pytest.fail(f"pip wheel failed: {built.stderr[-2000:]}")
    [wheel] = (tmp / "dist").glob("yakuji_kg-*.whl")
    env = tmp / "venv"
    venv.create(env, system_site_packages=True, with_pip=True)
    done = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return env


def test_the_wheel_ships_ontology_and_gold_and_runs_from_elsewhere(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import extract, extract.resources as r; print(extract.__file__); "
                            "print(r.ontology_dir()); print(r.gold_dir())"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert where.returncode == 0, where.stderr
    module, ontology, gold = map(Path, where.stdout.split())
    assert installed in module.parents, "the venv must run the wheel, not the checkout"
    assert ontology == module.parent / "_data" / "ontology" and (ontology / "yakuji.ttl").is_file()
    assert gold == module.parent / "_data" / "gold" and (gold / "floors.json").is_file()
    assert {p.name for p in gold.glob("*.yaml")} == {p.name for p in (ROOT / "corpus" / "gold").glob("*.yaml")}


def test_yakuji_eval_with_gold_from_an_installed_wheel(installed: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "pi.yaml").write_text(GOLD, encoding="utf-8")
    shutil.copy2(SAMPLE, tmp_path / SAMPLE.name)
    res = subprocess.run([str(installed / "bin" / "yakuji"), "eval", "--gold", str(gold), "--seeds", SAMPLE.name],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "| product | 1.000 | 1.000 | 1.000 | 4 | 0 | 0 |" in res.stdout
    assert "| dosage_regimen | 1.000 | 1.000 | 1.000 | 1 | 0 | 0 |" in res.stdout
    missing = subprocess.run([str(installed / "bin" / "yakuji"), "eval", "--gold", str(tmp_path / "nowhere")],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert missing.returncode == 2 and "no such folder" in missing.stderr
