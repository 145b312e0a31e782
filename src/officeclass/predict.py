"""classify / classify_many: label postings with a lazily loaded default model."""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import numpy as np

from .errors import EmptyTextError, InputTypeError, InputValueError, ModelLoadError
from .explain import Explanation, explain_rows
from .labels import LABELS
from .model import Classifier
from .text import normalise, split_lines

__all__ = [
    "Prediction",
    "Scores",
    "classify",
    "classify_many",
    "score",
    "score_columns",
    "default_model",
    "default_model_path",
    "STATUSES",
    "OUTPUT_COLUMNS",
    "EXPLAIN_COLUMNS",
]

MODEL_FILE = "officeclass-default.skops"
#: Per-row outcomes: ``ok``; ``empty_text`` (no text and no title: no label, no
#: probabilities, abstained); ``no_known_terms`` (text present but no word the
#: model knows: the prior-based label, abstained).
STATUSES = ("ok", "empty_text", "no_known_terms")
#: Columns the batch labellers add to every row, and with explanations.
OUTPUT_COLUMNS = (
    "officeclass_label",
    *(f"officeclass_p_{lab}" for lab in LABELS),
    "officeclass_abstained",
    "officeclass_status",
    "officeclass_model_version",
)
EXPLAIN_COLUMNS = ("officeclass_top_terms", "officeclass_roles", "officeclass_duties")


@dataclass(frozen=True)
class Prediction:
    """The label of one posting.

    Attributes
    ----------
    label : str or None
        ``"front_office"``, ``"back_office"`` or ``"hybrid"``: the best guess.
        ``None`` when there was nothing to read (``status == "empty_text"``: an
        empty or missing text and no title, which :func:`classify_many` accepts
        and :func:`classify` refuses), so that no count or filter by label can
        take an empty row for a real one.
    probabilities : Mapping[str, float]
        Calibrated probability of each label (read-only; sums to 1); NaN for
        every label when ``label`` is None.
    abstained : bool
        True when the model is not confident enough to be trusted without review.
    explanation : Explanation or None
        The lines as tagged, the terms that pushed the decision and matched
        role-lexicon entries (``None`` with ``explain=False`` or no label).
    model_version : str
        The model that made the prediction.
    status : str
        ``"ok"``, ``"empty_text"`` or ``"no_known_terms"`` (see :data:`STATUSES`).
    """

    label: str | None
    probabilities: Mapping[str, float]
    abstained: bool
    explanation: Explanation | None
    model_version: str
    status: str = "ok"

    @property
    def confidence(self) -> float:
        """The probability of :attr:`label` (NaN when there is no label)."""
        return float("nan") if self.label is None else self.probabilities[self.label]


def default_model_path() -> Path:
    """Where the shipped model lives: inside the installed package, else ``models/`` of a source checkout."""
    packaged = resources.files("officeclass").joinpath("data").joinpath("model").joinpath(MODEL_FILE)
    if packaged.is_file():
        return Path(str(packaged))
    source_tree = Path(__file__).resolve().parents[2] / "models" / MODEL_FILE
    if source_tree.is_file():
        return source_tree
    raise ModelLoadError(
        f"The shipped model {MODEL_FILE} is missing from the officeclass package ({packaged}). "
        "Re-install officeclass from a wheel, or pass model=Classifier.load(path)."
    )


_lock = threading.Lock()


@functools.cache
def _load_default() -> Classifier:
    return Classifier.load(default_model_path())


def default_model_version() -> str:
    """The shipped model's version, read from its metadata without loading the model."""
    import json

    meta = json.loads(default_model_path().with_suffix(".json").read_text(encoding="utf-8"))
    return str(meta["model_version"])


def default_model() -> Classifier:
    """The shipped model, loaded on first use and then kept (thread-safe)."""
    with _lock:
        return _load_default()


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _check_texts(texts: object, name: str) -> list:
    if isinstance(texts, (str, bytes)):
        raise InputTypeError(f"{name} must be an iterable of str, got a single {type(texts).__name__}. Use classify(text) for one posting.")
    try:
        items = list(texts)  # type: ignore[arg-type]
    except TypeError:
        raise InputTypeError(f"{name} must be an iterable of str, got {type(texts).__name__}.") from None
    for i, t in enumerate(items):
        if not isinstance(t, str) and not _is_missing(t):
            raise InputTypeError(
                f"{name}[{i}] is a {type(t).__name__}, expected str (None or NaN for a missing text). "
                f"Convert the column first, e.g. texts = [str(t) for t in texts]."
            )
    return items


@dataclass(frozen=True)
class Scores:
    """Vectorised results for a batch: what :func:`classify_many` and the batch labeller share."""

    proba: np.ndarray  # (n, 3), LABELS order
    best: np.ndarray  # (n,) index into LABELS
    abstained: np.ndarray  # (n,) bool
    status: np.ndarray  # (n,) str, one of STATUSES
    explanations: list[Explanation | None]
    model_version: str

    @property
    def labels(self) -> np.ndarray:
        """The label of each row; None for ``empty_text`` rows."""
        out = np.asarray(LABELS, dtype=object)[self.best]
        out[self.status == "empty_text"] = None
        return out


#: Postings scored at once. A batch's line words, context tokens and sparse
#: matrices are held together while it is scored (~140 MB for 2,000 postings,
#: ~48 MB for 500, measured with tracemalloc), and scoring 500 at a time is as
#: fast, so larger inputs are scored in slices of this size to keep memory flat.
SLICE = 500


def score(
    texts: list,
    titles: list | None,
    *,
    explain: bool,
    model: Classifier,
) -> Scores:
    """Score already type-checked texts (str, None or NaN) and optional titles."""
    if len(texts) > SLICE:
        parts = [
            score(texts[i : i + SLICE], None if titles is None else titles[i : i + SLICE], explain=explain, model=model)
            for i in range(0, len(texts), SLICE)
        ]
        return Scores(
            np.vstack([p.proba for p in parts]),
            np.concatenate([p.best for p in parts]),
            np.concatenate([p.abstained for p in parts]),
            np.concatenate([p.status for p in parts]),
            [e for p in parts for e in p.explanations],
            model.version,
        )
    split = [() if _is_missing(t) else split_lines(t) for t in texts]
    norm_texts = ["\n".join(line.text for line in lines) for lines in split]
    norm_titles = [""] * len(norm_texts) if titles is None else ["" if _is_missing(t) else normalise(t) for t in titles]
    if not norm_texts:
        empty = np.zeros(0)
        return Scores(np.zeros((0, 3)), empty.astype(int), empty.astype(bool), empty.astype(str), [], model.version)
    X, line_proba = model.features_and_line_proba(norm_texts, norm_titles)
    decision = model.decision(X)
    proba = model.proba_from_decision(decision)
    best = proba.argmax(axis=1)
    abstain = model.abstains(proba)
    nnz = model.known_terms(X)
    empty = np.fromiter((not t and not ti for t, ti in zip(norm_texts, norm_titles)), dtype=bool, count=len(norm_texts))
    status = np.where(empty, "empty_text", np.where(nnz == 0, "no_known_terms", "ok"))
    abstain |= status != "ok"
    proba[empty] = np.nan  # nothing was read: no probabilities to report
    explanations: list[Explanation | None] = (
        explain_rows(
            model, X, best, decision, norm_texts, norm_titles, line_proba=line_proba, line_spans=[[(line.start, line.end) for line in lines] for lines in split]
        )
        if explain
        else [None] * len(norm_texts)
    )
    for i in np.flatnonzero(empty):
        explanations[i] = None  # nothing was read, so nothing to explain
    return Scores(proba, best, abstain, status, explanations, model.version)


def classify_many(
    texts: Iterable[str | None],
    *,
    titles: Iterable[str | None] | None = None,
    explain: bool = True,
    model: Classifier | None = None,
) -> list[Prediction]:
    """Label many postings at once, in the same order.

    Parameters
    ----------
    texts : iterable of str
        Posting descriptions. ``None``/NaN/empty entries give a Prediction with
        ``status="empty_text"`` (abstained) instead of an error.
    titles : iterable of str, optional
        Job titles, one per text (same length).
    explain : bool, default=True
        Build an :class:`~officeclass.explain.Explanation` for each row;
        ``False`` is faster and leaves ``explanation=None``.
    model : Classifier, optional
        A custom model; default the shipped one.

    Returns
    -------
    list of Prediction

    Examples
    --------
    >>> preds = classify_many(["Cold-call prospects and close new sales deals.",
    ...                        "Reconcile supplier invoices and run payroll."], explain=False)
    >>> [p.label for p in preds]
    ['front_office', 'back_office']
    """
    raw_texts = _check_texts(texts, "texts")
    raw_titles = None if titles is None else _check_texts(titles, "titles")
    if raw_titles is not None and len(raw_titles) != len(raw_texts):
        raise InputValueError(f"titles has {len(raw_titles)} items but texts has {len(raw_texts)}; pass one title per text (use '' where there is none).")
    s = score(raw_texts, raw_titles, explain=explain, model=model or default_model())
    labels = s.labels
    return [
        Prediction(
            label=labels[i],
            probabilities=MappingProxyType(dict(zip(LABELS, s.proba[i].tolist()))),
            abstained=bool(s.abstained[i]),
            explanation=s.explanations[i],
            model_version=s.model_version,
            status=str(s.status[i]),
        )
        for i in range(len(raw_texts))
    ]


def classify(text: str, *, title: str | None = None, explain: bool = True, model: Classifier | None = None) -> Prediction:
    """Label one job posting as front office, back office or hybrid.

    Parameters
    ----------
    text : str
        The posting's description (any length; HTML and mojibake are cleaned).
    title : str, optional
        The job title, which the model reads as its own field.
    explain : bool, default=True
        Attach an :class:`~officeclass.explain.Explanation`.
    model : Classifier, optional
        A custom model; default the shipped one, loaded on first use.

    Returns
    -------
    Prediction

    Raises
    ------
    InputTypeError
        ``text`` is not a str (a list: use :func:`classify_many`).
    EmptyTextError
        ``text`` has nothing to read (empty or only markup) and no ``title`` is
        given (an :class:`InputValueError`, so a ``ValueError``).

    Examples
    --------
    >>> p = classify("You will manage client accounts, pitch to new customers and hit sales targets.",
    ...              title="Account Manager")
    >>> p.label
    'front_office'
    >>> round(sum(p.probabilities.values()), 6)
    1.0
    """
    if not isinstance(text, str):
        hint = " Use classify_many() for several postings." if isinstance(text, (list, tuple)) or hasattr(text, "__iter__") else ""
        raise InputTypeError(f"classify() expects text as a str, got {type(text).__name__}.{hint}")
    if title is not None and not isinstance(title, str):
        raise InputTypeError(f"classify() expects title as a str or None, got {type(title).__name__}.")
    p = classify_many([text], titles=None if title is None else [title], explain=explain, model=model)[0]
    if p.status == "empty_text":
        raise EmptyTextError(
            "classify() got no text to read (empty, blank or only markup) and no title: there is nothing to classify. "
            "Pass the posting's description (or its title=); classify_many() accepts empty rows and marks them status='empty_text' with label None."
        )
    return p


def score_columns(texts: list, titles: list | None, explain: bool, model: Classifier | None) -> dict[str, list]:
    """The ``officeclass_*`` columns for a chunk of rows, as lists (what label_file, label_frame and label_spark add).

    Batch workers run this; it lives here, away from pandas, so a worker
    process imports only NumPy, SciPy and officeclass's scoring code.
    """
    s: Scores = score(texts, titles, explain=explain, model=model or default_model())
    cols: dict[str, list] = {"officeclass_label": s.labels.tolist()}
    empty = s.status == "empty_text"
    for j, lab in enumerate(LABELS):
        column: list = np.round(s.proba[:, j], 6).tolist()
        for i in np.flatnonzero(empty):
            column[i] = None  # an empty cell, not a probability
        cols[f"officeclass_p_{lab}"] = column
    cols["officeclass_abstained"] = s.abstained.tolist()
    cols["officeclass_status"] = s.status.tolist()
    cols["officeclass_model_version"] = [s.model_version] * len(texts)
    if explain:
        cols["officeclass_top_terms"] = [e.summary(5) if e is not None else "" for e in s.explanations]
        cols["officeclass_roles"] = [
            "; ".join(f"{t} ({lab})" for lab, terms in e.roles_by_label().items() for t in terms) if e is not None else "" for e in s.explanations
        ]
        cols["officeclass_duties"] = [e.duty_summary() if e is not None and e.lines else "" for e in s.explanations]
    return cols
