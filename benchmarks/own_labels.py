"""How much do a few labelled postings from your own board help? (`train --extra`)

    python benchmarks/own_labels.py          # reads datasets/corpus.csv.gz only; ~3 min on 2 cores

Simulates a user whose job board is not among the training boards: for each of
the six hand-labelled boards, train on the other five plus O*NET and k postings of
that board (k = 0, 25, 50, 100; at most half the board), and score the board's
postings that are never among the first 100 drawn, so every k is scored on the same
rows. Two random draws. Prints pooled macro-F1, hybrid F1 and accuracy per k.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from officeclass.evaluate import scores
from officeclass.labels import LABELS
from officeclass.train import DEFAULT_CORPUS, _fit, hand_postings, read_corpus

KS = (0, 25, 50, 100)


def _board(corpus: pd.DataFrame, source: str, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Decisions on the board's evaluation rows for every k."""
    held = ((corpus["kind"] == "posting") & (corpus["source"] == source)).to_numpy()
    labelled = np.flatnonzero(held & hand_postings(corpus).to_numpy())
    order = np.random.default_rng(seed).permutation(labelled)
    drawn = order[: min(max(KS), len(labelled) // 2)]
    scored = corpus.iloc[np.setdiff1d(labelled, drawn)]
    out = []
    for k in KS:
        train = ~held
        train[drawn[:k]] = True
        model = _fit(corpus[train], {})
        out.append(
            (scored.index.to_numpy(), model.decision(model.features(scored["text"].tolist(), scored["title"].tolist())))
        )
    return out


def main() -> int:
    corpus = read_corpus(DEFAULT_CORPUS)
    sources = sorted(corpus.loc[hand_postings(corpus), "source"].unique())
    names = np.array(LABELS)
    rows = []
    for seed in (0, 1):
        boards = Parallel(n_jobs=2)(delayed(_board)(corpus, s, seed) for s in sources)
        for j, k in enumerate(KS):
            idx = np.concatenate([b[j][0] for b in boards])
            decision = np.vstack([b[j][1] for b in boards])
            s = scores(corpus.loc[idx, "label"], names[decision.argmax(axis=1)])
            rows.append([seed + 1, k, s["n"], s["macro_f1"], s["per_class"]["hybrid"]["f1"], s["accuracy"]])
            print(rows[-1], file=sys.stderr, flush=True)
    print("| draw | own labels per board | postings scored | macro-F1 | hybrid F1 | accuracy |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(v) for v in row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
