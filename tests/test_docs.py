"""Every Examples section in the package's docstrings runs and gives the output it shows."""

import doctest
import importlib
import pkgutil

import pytest

import officeclass

MODULES = sorted(m.name for m in pkgutil.iter_modules(officeclass.__path__, "officeclass.") if m.name not in {"officeclass.__main__"})


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    if name == "officeclass.spark":
        pytest.importorskip("pyspark")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples in {name} failed (run pytest -s to see them)"
