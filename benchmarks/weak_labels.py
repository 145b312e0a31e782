"""Do weak labels from board categories help? Measured, then written into the datasheet.

    python benchmarks/weak_labels.py      # needs ../shared/data; writes datasets/weak_labels_experiment.md

Trains the shipped configuration twice, on the curated corpus and on the corpus
plus postings labelled from their board category (datasets/build.py:
WEAK_CATEGORY_LABELS), and compares leave-one-source-out macro-F1 (scored on hand
labels only; the held-out board's weak rows are left out of its training fold)
and validation macro-F1. Re-run ``python datasets/build.py`` afterwards so the
datasheet picks up the result.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from officeclass.evaluate import scores  # noqa: E402
from officeclass.train import DEFAULT_CORPUS, DEFAULT_VALIDATION, _fit, _validation, leave_one_source_out, loso_scores, read_corpus  # noqa: E402


def main() -> None:
    spec = importlib.util.spec_from_file_location("datasets_build", REPO / "datasets" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    data = build.DEFAULT_DATA
    corpus = read_corpus(DEFAULT_CORPUS)
    weak = build.weak_rows(data)
    weak = weak[~weak.set_index(["source", "source_id"]).index.isin(corpus.set_index(["source", "source_id"]).index)]
    val = _validation(DEFAULT_VALIDATION)
    rows = []
    for name, frame in [("curated corpus (shipped)", corpus), (f"+ {len(weak):,} weak-labelled postings", pd.concat([corpus, weak], ignore_index=True))]:
        s = loso_scores(leave_one_source_out(frame, {}))
        clf = _fit(frame, {})
        v = scores(val["label"], clf.predict(val["text"].tolist(), val["title"].tolist()))
        rows.append(
            {
                "training data": name,
                "LOSO macro-F1": s["with_title"]["pooled"]["macro_f1"],
                "LOSO hybrid F1": s["with_title"]["pooled"]["per_class"]["hybrid"]["f1"],
                "validation macro-F1": v["macro_f1"],
                "validation hybrid F1": v["per_class"]["hybrid"]["f1"],
            }
        )
        print(rows[-1], file=sys.stderr)
    counts = weak.groupby(["source", "label"]).size().unstack(fill_value=0)
    lines = [
        "Measured by `python benchmarks/weak_labels.py` with the shipped model configuration: the corpus alone against the",
        "corpus plus postings (not hand-labelled, not validation rows or their near-duplicates) labelled from their board",
        "category through the mapping `WEAK_CATEGORY_LABELS` in `build.py` (Google `Category`, Adzuna `Category`, the",
        "Adzuna folder names, Wuzzuf `job_category`; a posting whose categories disagree is left out).",
        "",
        "| " + " | ".join(rows[0]) + " |",
        "|" + "---|" * len(rows[0]),
        *("| " + " | ".join(str(v) for v in r.values()) + " |" for r in rows),
        "",
        "Weak-labelled postings by source and label:",
        "",
        "| source | " + " | ".join(counts.columns) + " |",
        "|" + "---|" * (len(counts.columns) + 1),
        *(f"| {src} | " + " | ".join(str(v) for v in row) + " |" for src, row in counts.iterrows()),
        "",
    ]
    better = rows[1]["LOSO macro-F1"] > rows[0]["LOSO macro-F1"]
    lines.append(
        "Decision: weak labels are **included**, because they raised leave-one-source-out macro-F1."
        if better
        else "Decision: weak labels are **left out** of the corpus (`label_origin` has no `weak` rows): they did not raise "
        "leave-one-source-out macro-F1, the measure of transfer to an unseen board."
    )
    (REPO / "datasets" / "weak_labels_experiment.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
