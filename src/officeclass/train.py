"""Rebuild officeclass's shipped model from ``datasets/corpus.csv.gz``.

Run ``python -m officeclass.train`` from the repository root (or
``officeclass train``). The run is deterministic: the same corpus and library
versions give the same model file. It

1. scores the parameters by leave-one-source-out cross-validation (train on five
   hand-labelled boards plus all O*NET rows, test on the sixth);
2. fits the temperature and the abstain rule on those out-of-fold predictions;
3. fits the final model on the whole corpus;
4. when ``--validation`` is given (default ``../shared/data/validation.csv`` if
   present), scores it there; validation rows are never trained on;
5. writes ``models/officeclass-default.skops`` + ``.json``, ``models/metrics.json``
   and ``models/MODEL_CARD.md``.

``--select`` instead runs the parameter search and writes ``models/selection.csv``.

``--extra FILE`` adds your own hand-labelled postings (a CSV with ``text``,
``label`` and optionally ``title`` columns) to the corpus as one more board:
leave-one-source-out then also reports how the model does on your board without
your labels, and the final model learns from them.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ColumnNotFoundError, InputValueError, OfficeclassError
from .evaluate import abstain_curve, choose_abstain, confusion_frame, expected_calibration_error, fit_temperature, reliability_table, scores
from .labels import LABELS
from .model import DEFAULT_PARAMS, Classifier
from .text import normalise

__all__ = ["training_arrays", "hand_postings", "leave_one_source_out", "read_extra", "train", "main"]

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO / "datasets" / "corpus.csv.gz"
DEFAULT_VALIDATION = REPO.parent / "shared" / "data" / "validation.csv"
DEFAULT_OUT = REPO / "models"
MODEL_NAME = "officeclass-default"
#: The abstain rule keeps the rows whose out-of-fold accuracy reaches this.
TARGET_ACCURACY = 0.90

TRAIN_PARAMS: dict[str, Any] = {
    # text-only copies of postings and occupation documents, so the text block
    # works alone when a user gives no title
    "no_title_copy_weight": 0.5,
}


def read_corpus(path: str | Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["confidence"] = df["confidence"].astype(int)
    return df


def read_extra(path: str | Path) -> pd.DataFrame:
    """Your own hand-labelled postings as corpus rows: one more board, named ``extra:<file stem>``.

    The CSV needs ``text`` and ``label`` columns (labels as in LABELS.md) and may
    have a ``title`` column. Texts are normalised like the corpus.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.csv"
    >>> _ = path.write_text("text,label\\nRun the monthly payroll.,back_office\\n", encoding="utf-8")
    >>> read_extra(path)[["source", "label", "text"]].values.tolist()
    [['extra:mine', 'back_office', 'Run the monthly payroll.']]
    """
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in ("text", "label"):
        if column not in df.columns:
            raise ColumnNotFoundError(column, list(df.columns), source=path.name)
    labels = df["label"].str.strip()
    line = pd.Series(range(2, len(df) + 2), index=df.index)  # the header is line 1
    problems = [
        (labels != "") & ~labels.isin(LABELS),
        labels == "",
        df["text"].str.strip() == "",
    ]
    for mask, what, fix in zip(
        problems,
        ["unknown labels", "no label", "no text"],
        [f"use one of {', '.join(LABELS)}", "label every row or drop it", "drop those rows or fill in the posting text"],
    ):
        n = int(mask.sum())
        if n:
            shown = ", ".join(f"line {i}" + (f" ({v!r})" if what == "unknown labels" else "") for i, v in zip(line[mask][:5], labels[mask][:5]))
            more = f" and {n - 5} more" if n > 5 else ""
            raise InputValueError(f"{path.name}: {n} row{'s' if n != 1 else ''} with {what}: {shown}{more}; {fix}.")
    titles = df["title"] if "title" in df.columns else pd.Series("", index=df.index)
    return pd.DataFrame(
        {
            "source": f"extra:{path.stem}",
            "source_id": line.astype(str),
            "kind": "posting",
            "label": labels,
            "label_origin": "hand",
            "confidence": 3,
            "title": titles.map(normalise),
            "text": df["text"].map(normalise),
        }
    ).reset_index(drop=True)


def training_arrays(corpus: pd.DataFrame, params: dict[str, Any]) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """(texts, titles, labels, sample weights) for a corpus, with the weighting in ``params``."""
    p = {**DEFAULT_PARAMS, **TRAIN_PARAMS, **params}
    kind_weight = {"posting": 1.0, "occupation": p["occupation_weight"], "title": p["title_weight"]}
    weights = corpus["kind"].map(kind_weight).to_numpy(dtype=np.float64)
    texts, titles, labels = corpus["text"].tolist(), corpus["title"].tolist(), corpus["label"].to_numpy(dtype=object)
    if p["no_title_copy_weight"] > 0:
        copy = corpus["kind"].isin(["posting", "occupation"]).to_numpy()
        texts += corpus["text"][copy].tolist()
        titles += [""] * int(copy.sum())
        labels = np.concatenate([labels, labels[copy]])
        weights = np.concatenate([weights, weights[copy] * p["no_title_copy_weight"]])
    keep = weights > 0
    idx = np.flatnonzero(keep)
    return [texts[i] for i in idx], [titles[i] for i in idx], labels[keep], weights[keep]


def hand_postings(corpus: pd.DataFrame) -> pd.Series:
    """Mask of the hand-labelled postings: the rows leave-one-source-out scores on."""
    return (corpus["kind"] == "posting") & (corpus["label_origin"] == "hand")


def _fit(corpus: pd.DataFrame, params: dict[str, Any]) -> Classifier:
    texts, titles, labels, weights = training_arrays(corpus, params)
    model_params = {k: v for k, v in params.items() if k in DEFAULT_PARAMS}
    clf = Classifier.fit(texts, labels, titles=titles, sample_weight=weights, params=model_params, normalised=True)
    clf.metadata["params"] = {**DEFAULT_PARAMS, **TRAIN_PARAMS, **params}
    return clf


def _fold(corpus: pd.DataFrame, source: str, params: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    held = (corpus["kind"] == "posting") & (corpus["source"] == source)
    clf = _fit(corpus[~held], params)
    held &= hand_postings(corpus)  # scored on hand labels only
    test = corpus[held]
    with_title = clf.decision(clf.features(test["text"].tolist(), test["title"].tolist()))
    no_title = clf.decision(clf.features(test["text"].tolist()))
    return np.flatnonzero(held.to_numpy()), with_title, no_title


def leave_one_source_out(corpus: pd.DataFrame, params: dict[str, Any], *, n_jobs: int = 2) -> pd.DataFrame:
    """Out-of-fold decision functions for every hand-labelled posting.

    Returns a frame indexed like the postings with ``source``, ``label`` and the
    decision columns ``d_<label>`` (with title) and ``dn_<label>`` (text only).
    """
    from joblib import Parallel, delayed

    hand = hand_postings(corpus)
    sources = sorted(corpus.loc[hand, "source"].unique())
    results = Parallel(n_jobs=n_jobs)(delayed(_fold)(corpus, s, params) for s in sources)
    n = len(corpus)
    d = np.full((n, 3), np.nan)
    dn = np.full((n, 3), np.nan)
    for idx, a, b in results:
        d[idx], dn[idx] = a, b
    posting = hand.to_numpy()
    out = corpus.loc[posting, ["source", "source_id", "label"]].copy()
    for j, lab in enumerate(LABELS):
        out[f"d_{lab}"] = d[posting, j]
        out[f"dn_{lab}"] = dn[posting, j]
    return out


def _decisions(oof: pd.DataFrame, prefix: str) -> np.ndarray:
    return oof[[f"{prefix}_{lab}" for lab in LABELS]].to_numpy()


def loso_scores(oof: pd.DataFrame) -> dict[str, Any]:
    """Pooled and per-source macro-F1 from out-of-fold decisions."""
    out: dict[str, Any] = {}
    for name, prefix in [("with_title", "d"), ("text_only", "dn")]:
        pred = np.array(LABELS)[_decisions(oof, prefix).argmax(axis=1)]
        s = scores(oof["label"], pred)
        per_source = {src: scores(oof["label"][m], pred[m.to_numpy()])["macro_f1"] for src, m in ((src, oof["source"] == src) for src in sorted(oof["source"].unique()))}
        out[name] = {"pooled": s, "per_source_macro_f1": per_source, "mean_source_macro_f1": round(float(np.mean(list(per_source.values()))), 4)}
    return out


def _validation(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["title"] = df["title"].map(normalise)
    df["text"] = df["text"].map(normalise)
    return df


def select(corpus: pd.DataFrame, grid: dict[str, list[Any]], validation: pd.DataFrame | None, out: Path) -> pd.DataFrame:
    """Score every combination in ``grid`` by leave-one-source-out (and validation, for reference)."""
    rows = []
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        params = dict(zip(keys, values))
        oof = leave_one_source_out(corpus, params)
        s = loso_scores(oof)
        row = {
            **params,
            "loso_macro_f1": s["with_title"]["pooled"]["macro_f1"],
            "loso_hybrid_f1": s["with_title"]["pooled"]["per_class"]["hybrid"]["f1"],
            "loso_mean_source_f1": s["with_title"]["mean_source_macro_f1"],
            "loso_text_only_f1": s["text_only"]["pooled"]["macro_f1"],
        }
        if validation is not None:
            clf = _fit(corpus, params)
            row["validation_macro_f1"] = scores(validation["label"], clf.predict(validation["text"].tolist(), validation["title"].tolist()))["macro_f1"]
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        _record_selection(out / "selection.csv", row)
    return pd.DataFrame(rows)


def _record_selection(path: Path, row: dict[str, Any]) -> None:
    """Add a scored configuration to ``selection.csv``, replacing an earlier score of the same one.

    Every row spells out all parameters, so searches run at different times stay comparable.
    """
    params = {**DEFAULT_PARAMS, **TRAIN_PARAMS}
    full = {**params, **row}
    table = pd.read_csv(path, keep_default_na=False) if path.exists() else pd.DataFrame(columns=list(full))
    for key, default in params.items():
        if key not in table.columns:
            table[key] = default  # a parameter added after those rows were scored: they used its default
    same = np.ones(len(table), dtype=bool)
    for key in params:
        same &= table[key].astype(str).to_numpy() == str(full[key])
    table = pd.concat([table[~same], pd.DataFrame([full])], ignore_index=True)
    cols = list(params) + [c for c in table.columns if c not in params]
    table[cols].sort_values("loso_macro_f1", ascending=False).to_csv(path, index=False)


def _training_corpus(corpus_path: Path, extra: Path | None) -> pd.DataFrame:
    """The corpus plus ``extra`` postings; the extra file is read (and checked) first, so a bad one fails at once."""
    extra_rows = None if extra is None else read_extra(extra)
    corpus = read_corpus(corpus_path)
    return corpus if extra_rows is None else pd.concat([corpus, extra_rows], ignore_index=True)


def train(corpus_path: Path, out: Path, validation_path: Path | None, *, n_jobs: int = 2, extra: Path | None = None) -> dict[str, Any]:
    """Fit, calibrate, evaluate and save the default model (plus ``extra`` postings, see :func:`read_extra`); return its metrics."""
    corpus = _training_corpus(corpus_path, extra)
    params = dict(TRAIN_PARAMS)
    oof = leave_one_source_out(corpus, params, n_jobs=n_jobs)
    loso = loso_scores(oof)
    d_oof = np.vstack([_decisions(oof, "d"), _decisions(oof, "dn")])
    y_oof = np.concatenate([oof["label"].to_numpy(), oof["label"].to_numpy()])
    temperature = fit_temperature(d_oof, y_oof)
    from .model import softmax

    p_oof = softmax(d_oof / temperature)
    tau, delta = choose_abstain(y_oof, p_oof, target_accuracy=TARGET_ACCURACY)

    clf = _fit(corpus, params)
    clf.temperature, clf.tau, clf.delta = temperature, tau, delta
    corpus_sha = hashlib.sha256(Path(corpus_path).read_bytes()).hexdigest()
    metrics: dict[str, Any] = {
        "leave_one_source_out": loso,
        "calibration": {
            "temperature": round(temperature, 4),
            "oof_ece_before": round(expected_calibration_error(y_oof, softmax(d_oof)), 4),
            "oof_ece_after": round(expected_calibration_error(y_oof, p_oof), 4),
        },
        "abstain": {"tau": tau, "delta": delta, "target_accuracy": TARGET_ACCURACY},
        "training_rows": corpus.groupby(["kind", "label"]).size().unstack(fill_value=0).to_dict(orient="index"),
    }
    kept = ~clf.abstains(p_oof)
    metrics["abstain"]["oof_coverage"] = round(float(kept.mean()), 4)
    metrics["abstain"]["oof_accuracy_covered"] = round(float((p_oof.argmax(1) == pd.Series(y_oof).map({l: i for i, l in enumerate(LABELS)}).to_numpy())[kept].mean()), 4)
    false_hybrid = (p_oof.argmax(1) == LABELS.index("hybrid")) & (y_oof != "hybrid")
    metrics["abstain"]["oof_false_hybrids_abstained"] = round(float((~kept)[false_hybrid].mean()), 4)

    if validation_path is not None and Path(validation_path).exists():
        val = _validation(Path(validation_path))
        res = {}
        for name, titles in [("with_title", val["title"].tolist()), ("text_only", None)]:
            decision = clf.decision(clf.features(val["text"].tolist(), titles))
            proba = clf.proba_from_decision(decision)
            pred = np.array(LABELS)[proba.argmax(axis=1)]
            keep = ~clf.abstains(proba)
            res[name] = {
                **scores(val["label"], pred),
                "confusion": confusion_frame(val["label"], pred).to_numpy().tolist(),
                "ece": round(expected_calibration_error(val["label"], proba), 4),
                "ece_uncalibrated": round(expected_calibration_error(val["label"], softmax(decision)), 4),
                "coverage": round(float(keep.mean()), 4),
                "accuracy_covered": round(float((pred == val["label"].to_numpy())[keep].mean()), 4),
                "macro_f1_covered": scores(val["label"][keep], pred[keep])["macro_f1"],
            }
            if name == "with_title":
                res["reliability"] = reliability_table(val["label"], proba).round(4).to_dict(orient="records")
                res["abstain_curve"] = (
                    abstain_curve(val["label"], proba, taus=[0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], deltas=[0.0, 0.1, 0.2, 0.3]).round(4).to_dict(orient="records")
                )
        metrics["validation"] = res
    clf.metadata.update(
        {
            "version_prefix": ("officeclass-custom-" if extra else "officeclass-") + pd.Timestamp.now(tz="UTC").strftime("%Y.%m"),
            "training_data": {
                "file": Path(corpus_path).name,
                "sha256": corpus_sha,
                "rows": len(corpus),
                **({"extra_file": Path(extra).name, "extra_sha256": hashlib.sha256(Path(extra).read_bytes()).hexdigest()} if extra else {}),
            },
            "metrics": metrics,
        }
    )
    out.mkdir(parents=True, exist_ok=True)
    model_file = clf.save(out / f"{MODEL_NAME}.skops")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    oof.round(6).to_csv(out / "oof_predictions.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})
    from .model_card import write_model_card

    write_model_card(out, clf, metrics)
    print(f"wrote {model_file} ({clf.version})", file=sys.stderr)
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m officeclass.train", description="Rebuild the shipped officeclass model.")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="training corpus (default: datasets/corpus.csv.gz)")
    parser.add_argument("--validation", type=Path, default=DEFAULT_VALIDATION, help="hand-labelled validation CSV, scored only")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: models/)")
    parser.add_argument("--select", action="store_true", help="run the parameter search instead (writes selection.csv)")
    parser.add_argument("--grid", type=json.loads, default=None, help='with --select: JSON {"param": [values]}')
    parser.add_argument("--extra", type=Path, default=None, help="your own labelled postings: CSV with text, label (and title) columns")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"error: no corpus at {args.corpus}; run `python datasets/build.py` first or pass --corpus", file=sys.stderr)
        return 1
    if args.extra is not None:
        if args.out == DEFAULT_OUT:
            print("error: --extra needs --out: a folder for your model, so the shipped one in models/ stays as it is", file=sys.stderr)
            return 2
        if not args.extra.exists():
            print(f"error: no file at {args.extra}; pass the CSV of your labelled postings to --extra", file=sys.stderr)
            return 1
    validation = args.validation if args.validation.exists() else None
    try:  # a bad --extra file fails here, when it is read: before the long run
        if args.select:
            grid = args.grid or {
                "C": [3.0, 10.0, 30.0],
                "title_weight": [0.0, 0.1, 0.3],
                "no_title_copy_weight": [0.0, 0.5],
                "class_weight": ["balanced"],
            }
            select(_training_corpus(args.corpus, args.extra), grid, _validation(validation) if validation else None, args.out)
        else:
            train(args.corpus, args.out, validation, n_jobs=args.jobs, extra=args.extra)
    except OfficeclassError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
