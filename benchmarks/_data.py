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
    reps = -(-n // len(df))
    return pd.concat([df] * reps, ignore_index=True).iloc[:n]
