"""officeclass: is a job posting front office, back office or hybrid?

One call labels one posting; the shipped model loads on first use, not at import.

>>> from officeclass import classify
>>> classify("Payroll officer: run the monthly payroll and reconcile the general ledger.").label
'back_office'

The public surface is listed in ``__all__``; everything else is internal.
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

# Submodules load on first use, so `import officeclass` stays cheap and no
# heavy dependency (pandas, scikit-learn) loads before it is needed.
_LAZY = {
    "label_file": "batch",
    "label_frame": "batch",
    "LabelSummary": "batch",
    "Explanation": "explain",
    "TermContribution": "explain",
    "top_terms": "explain",
    "LABELS": "labels",
    "RoleMatch": "lexicon",
    "Classifier": "model",
    "Prediction": "predict",
    "classify": "predict",
    "classify_many": "predict",
}
from .errors import __all__ as _ERRORS  # noqa: E402  (a light module: exceptions only)

_LAZY.update({name: "errors" for name in _ERRORS})

if TYPE_CHECKING:  # pragma: no cover
    from .batch import LabelSummary, label_file, label_frame
    from .errors import *  # noqa: F403
    from .explain import Explanation, TermContribution, top_terms
    from .labels import LABELS
    from .lexicon import RoleMatch
    from .model import Classifier
    from .predict import Prediction, classify, classify_many


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'officeclass' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "__version__",
    "LABELS",
    "classify",
    "classify_many",
    "label_frame",
    "label_file",
    "Classifier",
    "Prediction",
    "Explanation",
    "TermContribution",
    "RoleMatch",
    "LabelSummary",
    "top_terms",
    *_ERRORS,
]
