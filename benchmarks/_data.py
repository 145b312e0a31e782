"""Real postings for the benchmarks: the shared hand-labelled data when present, else the bundled sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def postings() -> pd.DataFrame:
    """title, text columns of real postings (training rows: speed does not depend on labels)."""
    if (SHARED / "train_labels.csv").exists():
        df = pd.read_csv(SHARED / "train_labels.csv", dtype=str, keep_default_na=False)
        return df[["title", "text"]]
    df = pd.read_csv(REPO / "examples" / "postings.csv", dtype=str, keep_default_na=False)
    return df.rename(columns={"description": "text"})[["title", "text"]]


def repeat(df: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` rows cycling through ``df``, each text made unique with a reference number.

    Real files rarely repeat a posting word for word; without the reference,
    officeclass's per-text caches (lexicon matches) would serve repeats and
    flatter the figures.
    """
    reps = -(-n // len(df))
    out = pd.concat([df] * reps, ignore_index=True).iloc[:n].copy()
    out["text"] = out["text"] + [f" Ref {i:07d}." for i in range(n)]
    return out
