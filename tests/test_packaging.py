"""Guards for what a user gets from `pip install`: package data, entry points, version."""

import importlib.metadata
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import officeclass
from conftest import REPO
from officeclass.predict import default_model_path

# CI sets OFFICECLASS_EXPECT_INSTALLED=1; otherwise these tests run whenever officeclass was imported
# from an installation rather than from this checkout's src/.
INSTALLED = os.environ.get("OFFICECLASS_EXPECT_INSTALLED") == "1" or (REPO / "src") not in Path(officeclass.__file__).resolve().parents
WHEEL = os.environ.get("OFFICECLASS_WHEEL")

PACKAGE_DATA = [
    "officeclass/data/lexicon.csv",
    "officeclass/data/model/officeclass-default.skops",
    "officeclass/data/model/officeclass-default.npz",
    "officeclass/data/model/officeclass-default.json",
    "officeclass/data/model/MODEL_CARD.md",
    "officeclass/py.typed",
]


def test_public_surface_is_listed():
    assert {"classify", "classify_many", "label_frame", "label_file", "Classifier", "Prediction", "Explanation", "LABELS"} <= set(officeclass.__all__)
    for name in officeclass.__all__:
        assert getattr(officeclass, name) is not None


def test_version_is_single_sourced():
    text = (REPO / "src" / "officeclass" / "__init__.py").read_text()
    assert f'__version__ = "{officeclass.__version__}"' in text
    assert 'dynamic = ["version"]' in (REPO / "pyproject.toml").read_text()


@pytest.mark.skipif(not WHEEL, reason="set OFFICECLASS_WHEEL to the built wheel (CI does)")
def test_wheel_contains_model_lexicon_and_card():
    with zipfile.ZipFile(WHEEL) as zf:
        names = set(zf.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "officeclass = officeclass.cli:main" in zf.read(entry_points).decode()
    missing = [p for p in PACKAGE_DATA if p not in names]
    assert not missing, f"missing from the wheel: {missing}"
    assert not any(n.startswith(("datasets/", "tests/", "notebooks/")) for n in names)


@pytest.mark.skipif(not INSTALLED, reason="only meaningful against an installed package, not src/")
def test_installed_package_is_used_and_carries_its_model():
    pkg_dir = Path(officeclass.__file__).resolve().parent
    assert REPO / "src" not in pkg_dir.parents, f"tests imported the source tree ({pkg_dir}), not the installed package"
    assert default_model_path().resolve().parent == pkg_dir / "data" / "model"


@pytest.mark.skipif(not INSTALLED, reason="needs the installed console script")
def test_console_script_is_registered_and_runs():
    eps = importlib.metadata.entry_points(group="console_scripts")
    assert any(ep.name == "officeclass" and ep.value == "officeclass.cli:main" for ep in eps)
    exe = shutil.which("officeclass")
    assert exe, "officeclass is not on PATH"
    r = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == f"officeclass {officeclass.__version__}"


def test_python_m_officeclass_help():
    r = subprocess.run([sys.executable, "-m", "officeclass", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "usage: officeclass" in r.stdout
