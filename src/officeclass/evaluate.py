"""Metrics used by training, the CLI and the notebooks.

All functions take labels as strings and probability matrices whose columns
follow :data:`officeclass.labels.LABELS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from .labels import LABELS

__all__ = [
    "scores",
    "confusion_frame",
    "expected_calibration_error",
    "reliability_table",
    "fit_temperature",
    "abstain_curve",
    "choose_abstain",
]


def scores(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-class precision/recall/F1/support.

    Examples
    --------
    >>> s = scores(["hybrid", "back_office"], ["hybrid", "front_office"])
    >>> s["accuracy"], s["per_class"]["hybrid"]["f1"]
    (0.5, 1.0)
    """
    y_true, y_pred = list(y_true), list(y_pred)
    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=list(LABELS), zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": round(float(np.mean(np.array(y_true) == np.array(y_pred))), 4) if y_true else float("nan"),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=list(LABELS), average="macro", zero_division=0)), 4),
        "per_class": {
            lab: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4), "support": int(n[i])}
            for i, lab in enumerate(LABELS)
        },
    }


def confusion_frame(y_true: Sequence[str], y_pred: Sequence[str]) -> pd.DataFrame:
    """Confusion matrix as a DataFrame: rows are true labels, columns predicted."""
    m = confusion_matrix(list(y_true), list(y_pred), labels=list(LABELS))
    return pd.DataFrame(m, index=pd.Index(LABELS, name="true"), columns=pd.Index(LABELS, name="predicted"))


def _y_index(y_true: Sequence[str]) -> np.ndarray:
    lookup = {lab: i for i, lab in enumerate(LABELS)}
    return np.array([lookup[y] for y in y_true])


def reliability_table(y_true: Sequence[str], proba: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Top-label reliability: per confidence bin, mean confidence, accuracy and count."""
    y = _y_index(y_true)
    conf = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y
    edges = np.linspace(0, 1, n_bins + 1)
    bins = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        m = bins == b
        if m.any():
            rows.append({"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "confidence": conf[m].mean(), "accuracy": correct[m].mean(), "n": int(m.sum())})
    return pd.DataFrame(rows)


def expected_calibration_error(y_true: Sequence[str], proba: np.ndarray, n_bins: int = 10) -> float:
    """Top-label expected calibration error with equal-width bins.

    Examples
    --------
    >>> round(expected_calibration_error(["hybrid"], np.array([[0.1, 0.1, 0.8]])), 3)
    0.2
    """
    t = reliability_table(y_true, proba, n_bins)
    return float((t["n"] * (t["confidence"] - t["accuracy"]).abs()).sum() / t["n"].sum())


def fit_temperature(decision: np.ndarray, y_true: Sequence[str]) -> float:
    """The temperature T minimising the log-loss of ``softmax(decision / T)``."""
    from scipy.optimize import minimize_scalar

    y = _y_index(y_true)

    def nll(log_t: float) -> float:
        z = decision / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    res = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(res.x))


def abstain_curve(y_true: Sequence[str], proba: np.ndarray, taus: Sequence[float] | None = None, deltas: Sequence[float] | None = None) -> pd.DataFrame:
    """Coverage and accuracy on covered rows for each (tau, delta) pair."""
    y = _y_index(y_true)
    taus = np.round(np.arange(0.34, 0.91, 0.02), 2) if taus is None else taus
    deltas = np.round(np.arange(0.0, 0.51, 0.05), 2) if deltas is None else deltas
    srt = np.sort(proba, axis=1)
    top, lead = srt[:, -1], srt[:, -1] - srt[:, -2]
    correct = proba.argmax(axis=1) == y
    rows = []
    for tau in taus:
        for delta in deltas:
            keep = (top >= tau) & (lead >= delta)
            rows.append(
                {
                    "tau": float(tau),
                    "delta": float(delta),
                    "coverage": float(keep.mean()),
                    "accuracy": float(correct[keep].mean()) if keep.any() else float("nan"),
                    "macro_f1": float(f1_score(y[keep], proba[keep].argmax(axis=1), labels=[0, 1, 2], average="macro", zero_division=0)) if keep.any() else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def choose_abstain(y_true: Sequence[str], proba: np.ndarray, *, target_accuracy: float) -> tuple[float, float]:
    """The (tau, delta) with the highest coverage whose covered accuracy reaches the target.

    Falls back to the pair with the best covered accuracy when no pair reaches it.
    """
    curve = abstain_curve(y_true, proba).dropna()
    ok = curve[curve["accuracy"] >= target_accuracy]
    if ok.empty:
        best = curve.sort_values(["accuracy", "coverage"], ascending=False).iloc[0]
    else:
        best = ok.sort_values(["coverage", "tau", "delta"], ascending=[False, True, True]).iloc[0]
    return float(best["tau"]), float(best["delta"])
