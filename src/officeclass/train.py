"""Rebuild officeclass's shipped model from ``datasets/corpus.csv.gz``.

Run ``python -m officeclass.train`` from the repository root (or
``officeclass train``). The run is deterministic: the same corpus and library
versions give the same model file. It

1. fits the line tagger (:mod:`officeclass.lines`) on ``datasets/duty_lines.csv.gz``
   and gives every corpus posting cross-fitted line features: a posting's lines are
   tagged by a tagger that never saw a line of its board;
2. scores the parameters by leave-one-source-out cross-validation (train on six
   hand-labelled boards plus all O*NET rows, test on the seventh);
3. fits the temperature and the abstain rule on those out-of-fold predictions;
4. fits the final model on the whole corpus;
5. when ``--validation`` is given (default ``../shared/data/validation.csv`` if
   present), scores it there; validation rows are never trained on;
6. writes ``models/officeclass-default.skops`` + ``.json``, ``models/metrics.json``
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
from .evaluate import (
    abstain_curve,
    choose_abstain,
    confusion_frame,
    expected_calibration_error,
    fit_temperature,
    reliability_table,
    scores,
)
from .labels import LABELS
from .lines import TAG_CODES, TAGS, LineInputs, LineTagger, posting_lines
from .model import DEFAULT_PARAMS, Classifier
from .text import normalise, normalise_lines

__all__ = ["training_arrays", "hand_postings", "leave_one_source_out", "read_extra", "train", "main"]

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO / "datasets" / "corpus.csv.gz"
DEFAULT_DUTY_LINES = REPO / "datasets" / "duty_lines.csv.gz"
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
#: The line tagger's settings; O*NET task statements (no requirement or other
#: lines) count this much each against a posting's line.
TAGGER_PARAMS: dict[str, Any] = {"C": 3.0, "min_df": 2, "class_weight": "balanced", "onet_weight": 0.5}
#: The configuration shipped before the line tagger, scored beside the new one by ``train``.
PREVIOUS_CONFIGURATION: dict[str, Any] = {"line_features": False, "C": 3.0}
#: Columns of the corpus frame holding what each row's tagged lines give the model
#: (:class:`~officeclass.lines.LineInputs`: features, client-facing text, internal text),
#: with the title in the tagger's context, and without (for the text-only copies).
LF_TITLE = ("line_features", "client_lines", "internal_lines")
LF_NO_TITLE = ("line_features_no_title", "client_lines_no_title", "internal_lines_no_title")


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
            "text": df["text"].map(normalise_lines),
        }
    ).reset_index(drop=True)


def read_duty_lines(path: str | Path = DEFAULT_DUTY_LINES) -> pd.DataFrame:
    """The tagged lines the line tagger learns from (``datasets/duty_lines.csv.gz``)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["line"] = df["line"].astype(int)
    return df.sort_values(["kind", "id", "line"], kind="stable").reset_index(drop=True)


def fit_tagger(lines: pd.DataFrame, params: dict[str, Any] | None = None) -> LineTagger:
    """A :class:`~officeclass.lines.LineTagger` fitted on tagged lines (as :func:`read_duty_lines` gives them)."""
    p = {**TAGGER_PARAMS, **(params or {})}
    groups = list(lines.groupby("id", sort=True))
    return LineTagger.fit(
        [g["text"].tolist() for _, g in groups],
        [g["tag"].tolist() for _, g in groups],
        titles=[g["title"].iloc[0] for _, g in groups],
        weights=[p["onet_weight"] if g["kind"].iloc[0] == "onet_task" else 1.0 for _, g in groups],
        params={k: v for k, v in p.items() if k != "onet_weight"},
    )


def _tag_lines(tagger: LineTagger, lines: pd.DataFrame) -> pd.DataFrame:
    """Tag probabilities of tagged lines (as :func:`read_duty_lines` gives them), each posting read as a whole, indexed like ``lines``."""
    groups = list(lines.groupby("id", sort=True))
    proba = tagger.proba_many([g["text"].tolist() for _, g in groups], [g["title"].iloc[0] for _, g in groups])
    return pd.DataFrame(np.vstack(proba) if proba else np.zeros((0, len(TAGS))), columns=list(TAGS), index=[i for _, g in groups for i in g.index])


def _tag_group(lines: pd.DataFrame, group: str | None, corpus: pd.DataFrame, params: dict[str, Any]):
    """Fit a tagger without ``group``'s lines; line features of the corpus rows of ``group`` and tag probabilities of its own tagged lines."""
    train = lines if group is None else lines[lines["source"] != group]
    tagger = fit_tagger(train, params)
    rows = corpus if group is None else corpus[corpus["source"] == group]
    texts = [posting_lines(t) for t in rows["text"]]
    with_title = LineInputs.from_proba(texts, tagger.proba_many(texts, rows["title"].tolist()))
    no_title = LineInputs.from_proba(texts, tagger.proba_many(texts))
    held = lines.iloc[0:0] if group is None else lines[(lines["source"] == group) & (lines["kind"] == "posting_line")]
    return rows.index, with_title, no_title, _tag_lines(tagger, held)


def cross_fitted_line_features(
    corpus: pd.DataFrame, lines: pd.DataFrame, *, params: dict[str, Any] | None = None, n_jobs: int = 2
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The corpus with line-feature columns, each row's computed by a tagger that saw no line of its source; and the out-of-board tag probabilities of the tagged posting lines.

    A source without tagged lines (e.g. an ``--extra`` board) is tagged by the tagger fitted on every line.
    """
    from joblib import Parallel, delayed

    tagged = set(lines["source"])
    groups = [g for g in sorted(corpus["source"].unique()) if g in tagged]
    rest = corpus[~corpus["source"].isin(groups)]
    jobs = [delayed(_tag_group)(lines, g, corpus, params or {}) for g in groups]
    if len(rest):
        jobs.append(delayed(_tag_group)(lines, None, rest, params or {}))
    results = Parallel(n_jobs=n_jobs)(jobs)
    out = corpus.copy()
    for names, k in ((LF_TITLE, 1), (LF_NO_TITLE, 2)):
        features = pd.Series([None] * len(out), index=out.index, dtype=object)
        client = pd.Series("", index=out.index, dtype=object)
        internal = pd.Series("", index=out.index, dtype=object)
        for r in results:
            index, inputs = r[0], r[k]
            features[index] = list(inputs.features)
            client[index], internal[index] = inputs.client, inputs.internal
        out[names[0]], out[names[1]], out[names[2]] = features, client, internal
    held = pd.concat([r[3] for r in results]).sort_index()
    return out, held


def tagger_scores(lines: pd.DataFrame, proba: pd.DataFrame) -> dict[str, Any]:
    """How well out-of-fold tag probabilities match the readers' tags on posting lines.

    Per-tag precision, recall and F1, accuracy, macro-F1, and how well each
    posting's client-facing share of duty lines (client-facing + half of both,
    over client-facing + internal + both) matches the readers' (Pearson r, mean
    absolute error, over postings with at least one duty line).
    """
    from sklearn.metrics import precision_recall_fscore_support

    rows = lines.loc[proba.index]
    truth = rows["tag"].map(TAG_CODES).to_numpy()
    pred = np.array(TAGS)[proba.to_numpy().argmax(axis=1)]
    prec, rec, f1, support = precision_recall_fscore_support(truth, pred, labels=list(TAGS), zero_division=0)
    per_tag = {t: {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4), "support": int(n)} for t, p, r, f, n in zip(TAGS, prec, rec, f1, support)}
    c, i, b = (rows["tag"] == "C").astype(float), (rows["tag"] == "I").astype(float), (rows["tag"] == "B").astype(float)
    g = pd.DataFrame({"id": rows["id"], "rc": c + 0.5 * b, "rd": c + i + b, "pc": proba["client_facing"] + 0.5 * proba["both"], "pd": proba[["client_facing", "internal", "both"]].sum(axis=1)}).groupby("id").sum()
    g = g[g["rd"] > 0]
    reader, model = g["rc"] / g["rd"], g["pc"] / g["pd"].clip(lower=1e-9)
    return {
        "lines": int(len(rows)),
        "postings": int(rows["id"].nunique()),
        "accuracy": round(float((truth == pred).mean()), 4),
        "macro_f1": round(float(np.mean(f1)), 4),
        "per_tag": per_tag,
        "client_share_pearson_r": round(float(np.corrcoef(reader, model)[0, 1]), 4),
        "client_share_mae": round(float((reader - model).abs().mean()), 4),
        "client_share_postings": int(len(g)),
    }


def tagger_cv_by_posting(lines: pd.DataFrame, *, folds: int = 5, params: dict[str, Any] | None = None, n_jobs: int = 2) -> pd.DataFrame:
    """Out-of-fold tag probabilities of the posting lines, folds grouped by posting (O*NET tasks always in training)."""
    from joblib import Parallel, delayed

    postings = lines[lines["kind"] == "posting_line"]
    ids = np.array(sorted(postings["id"].unique()))
    fold_of = dict(zip(ids, np.arange(len(ids)) % folds))

    def one(k: int) -> pd.DataFrame:
        held = postings["id"].map(fold_of) == k
        return _tag_lines(fit_tagger(lines.drop(postings.index[held]), params), postings[held])

    return pd.concat(Parallel(n_jobs=n_jobs)(delayed(one)(k) for k in range(folds))).sort_index()


def corpus_line_inputs(rows: pd.DataFrame, *, titles: bool = True) -> LineInputs:
    """The cross-fitted :class:`~officeclass.lines.LineInputs` stored in corpus rows (see :func:`cross_fitted_line_features`)."""
    names = LF_TITLE if titles else LF_NO_TITLE
    if not len(rows):
        return LineInputs.empty(0)
    return LineInputs(np.vstack(rows[names[0]].to_numpy()), rows[names[1]].tolist(), rows[names[2]].tolist())


def training_line_inputs(corpus: pd.DataFrame, params: dict[str, Any]) -> LineInputs:
    """The line inputs matching :func:`training_arrays`' rows (the text-only copies get the no-title ones)."""
    p = {**DEFAULT_PARAMS, **TRAIN_PARAMS, **params}
    kind_weight = {"posting": 1.0, "occupation": p["occupation_weight"], "title": p["title_weight"]}
    weights = corpus["kind"].map(kind_weight).to_numpy(dtype=np.float64)
    inputs = corpus_line_inputs(corpus)
    if p["no_title_copy_weight"] > 0:
        copy = corpus["kind"].isin(["posting", "occupation"]).to_numpy()
        inputs = LineInputs.concat([inputs, corpus_line_inputs(corpus[copy], titles=False)])
        weights = np.concatenate([weights, weights[copy] * p["no_title_copy_weight"]])
    return inputs.take(np.flatnonzero(weights > 0))


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


def _fit(corpus: pd.DataFrame, params: dict[str, Any], tagger: LineTagger | None = None) -> Classifier:
    """Fit on corpus rows; line features from the corpus's cross-fitted columns (:func:`cross_fitted_line_features`) when it has them."""
    texts, titles, labels, weights = training_arrays(corpus, params)
    model_params = {k: v for k, v in params.items() if k in DEFAULT_PARAMS}
    reads_lines = {**DEFAULT_PARAMS, **model_params}["line_features"]
    lf = training_line_inputs(corpus, params) if reads_lines and LF_TITLE[0] in corpus.columns else None
    clf = Classifier.fit(texts, labels, titles=titles, sample_weight=weights, params=model_params, normalised=True, tagger=tagger, line_inputs=lf)
    clf.metadata["params"] = {**DEFAULT_PARAMS, **TRAIN_PARAMS, **params}
    return clf


def _fold(corpus: pd.DataFrame, source: str, params: dict[str, Any], tagger: LineTagger | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    held = (corpus["kind"] == "posting") & (corpus["source"] == source)
    clf = _fit(corpus[~held], params, tagger)
    held &= hand_postings(corpus)  # scored on hand labels only
    test = corpus[held]
    cross_fitted = clf.reads_lines and LF_TITLE[0] in corpus.columns  # the held-out board's lines tagged without its own lines
    lf = (corpus_line_inputs(test), corpus_line_inputs(test, titles=False)) if cross_fitted else (None, None)
    with_title = clf.decision(clf.features(test["text"].tolist(), test["title"].tolist(), line_inputs=lf[0]))
    no_title = clf.decision(clf.features(test["text"].tolist(), line_inputs=lf[1]))
    return np.flatnonzero(held.to_numpy()), with_title, no_title


def leave_one_source_out(corpus: pd.DataFrame, params: dict[str, Any], *, n_jobs: int = 2, tagger: LineTagger | None = None) -> pd.DataFrame:
    """Out-of-fold decision functions for every hand-labelled posting.

    Returns a frame indexed like the postings with ``source``, ``label`` and the
    decision columns ``d_<label>`` (with title) and ``dn_<label>`` (text only).
    """
    from joblib import Parallel, delayed

    hand = hand_postings(corpus)
    sources = sorted(corpus.loc[hand, "source"].unique())
    results = Parallel(n_jobs=n_jobs)(delayed(_fold)(corpus, s, params, tagger) for s in sources)
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


def per_board_scores(oof: pd.DataFrame) -> dict[str, Any]:
    """Pooled and per-board macro-F1 and hybrid F1 of out-of-fold decisions (with titles)."""
    pred = np.array(LABELS)[_decisions(oof, "d").argmax(axis=1)]
    out: dict[str, Any] = {}
    for board in [None, *sorted(oof["source"].unique())]:
        m = np.ones(len(oof), dtype=bool) if board is None else (oof["source"] == board).to_numpy()
        s = scores(oof["label"][m], pred[m])
        out["pooled" if board is None else board] = {"macro_f1": s["macro_f1"], "hybrid_f1": s["per_class"]["hybrid"]["f1"], "n": s["n"]}
    return out


def _validation(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["title"] = df["title"].map(normalise)
    df["text"] = df["text"].map(normalise_lines)
    return df


def _progress(message: str, started: float) -> None:
    import time

    print(f"[{(time.monotonic() - started) / 60:4.1f} min] {message}", file=sys.stderr, flush=True)


def prepare(corpus: pd.DataFrame, lines: pd.DataFrame, *, n_jobs: int = 2) -> tuple[pd.DataFrame, LineTagger, pd.DataFrame]:
    """(corpus with cross-fitted line features, the tagger fitted on every line, out-of-board tag probabilities of the tagged posting lines)."""
    with_lines, held = cross_fitted_line_features(corpus, lines, n_jobs=n_jobs)
    return with_lines, fit_tagger(lines), held


def select(
    corpus: pd.DataFrame, grid: dict[str, list[Any]], validation: pd.DataFrame | None, out: Path, *, tagger: LineTagger | None = None
) -> pd.DataFrame:
    """Score every combination in ``grid`` by leave-one-source-out (and validation, for reference)."""
    rows = []
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        params = dict(zip(keys, values))
        oof = leave_one_source_out(corpus, params, tagger=tagger)
        s = loso_scores(oof)
        hand = corpus[hand_postings(corpus)]
        row = {
            **params,
            "corpus": f"{hand['source'].nunique()} boards, {len(hand)} postings",
            "loso_macro_f1": s["with_title"]["pooled"]["macro_f1"],
            "loso_hybrid_f1": s["with_title"]["pooled"]["per_class"]["hybrid"]["f1"],
            "loso_mean_source_f1": s["with_title"]["mean_source_macro_f1"],
            "loso_text_only_f1": s["text_only"]["pooled"]["macro_f1"],
        }
        if validation is not None:
            clf = _fit(corpus, params, tagger)
            row["validation_macro_f1"] = scores(validation["label"], clf.predict(validation["text"].tolist(), validation["title"].tolist()))["macro_f1"]
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
        _record_selection(out / "selection.csv", row)
    return pd.DataFrame(rows)


def _record_selection(path: Path, row: dict[str, Any]) -> None:
    """Add a scored configuration to ``selection.csv``, replacing an earlier score of the same one.

    Every row spells out all parameters and the corpus it was scored on, so searches run at
    different times stay comparable; a row is replaced only by the same configuration on the same corpus.
    """
    params = {**DEFAULT_PARAMS, **TRAIN_PARAMS}
    full = {**params, **row}
    table = pd.read_csv(path, keep_default_na=False) if path.exists() else pd.DataFrame(columns=list(full))
    for key, default in params.items():
        if key not in table.columns:
            table[key] = default  # a parameter added after those rows were scored: they used its default
    same = np.ones(len(table), dtype=bool)
    for key in [*params, "corpus"]:
        if key in table.columns:
            same &= table[key].astype(str).to_numpy() == str(full.get(key))
    table = pd.concat([table[~same], pd.DataFrame([full])], ignore_index=True)
    cols = list(params) + [c for c in table.columns if c not in params]
    table[cols].sort_values("loso_macro_f1", ascending=False).to_csv(path, index=False)


def _training_corpus(corpus_path: Path, extra: Path | None) -> pd.DataFrame:
    """The corpus plus ``extra`` postings; the extra file is read (and checked) first, so a bad one fails at once."""
    extra_rows = None if extra is None else read_extra(extra)
    corpus = read_corpus(corpus_path)
    return corpus if extra_rows is None else pd.concat([corpus, extra_rows], ignore_index=True)


def train(
    corpus_path: Path,
    out: Path,
    validation_path: Path | None,
    *,
    n_jobs: int = 2,
    extra: Path | None = None,
    duty_lines: Path = DEFAULT_DUTY_LINES,
) -> dict[str, Any]:
    """Fit, calibrate, evaluate and save the default model (plus ``extra`` postings, see :func:`read_extra`); return its metrics.

    Progress (steps done, minutes) goes to stderr.
    """
    import time

    started = time.monotonic()
    corpus = _training_corpus(corpus_path, extra)
    lines = read_duty_lines(duty_lines)
    _progress(f"read {len(corpus):,} corpus rows and {len(lines):,} tagged lines; fitting the line tagger per board", started)
    corpus, tagger, held_proba = prepare(corpus, lines, n_jobs=n_jobs)
    _progress("line features cross-fitted; scoring the line tagger by posting (5 folds)", started)
    tagger_metrics = {
        "by_board": tagger_scores(lines, held_proba),
        "by_posting": tagger_scores(lines, tagger_cv_by_posting(lines, n_jobs=n_jobs)),
    }
    per_board = {}
    for board in sorted(lines.loc[held_proba.index, "source"].unique()):
        index = held_proba.index[lines.loc[held_proba.index, "source"].to_numpy() == board]
        s = tagger_scores(lines, held_proba.loc[index])
        per_board[board] = {k: v for k, v in s.items() if k in ("macro_f1", "accuracy", "client_share_pearson_r")}
        per_board[board]["client_facing_f1"] = s["per_tag"]["client_facing"]["f1"]
    tagger_metrics["by_board_per_board"] = per_board
    _progress("line tagger scored; leave-one-source-out over the posting boards", started)
    params = dict(TRAIN_PARAMS)
    oof = leave_one_source_out(corpus, params, n_jobs=n_jobs, tagger=tagger)
    _progress("leave-one-source-out done; scoring the previous configuration (no line features) the same way", started)
    previous = {**params, **PREVIOUS_CONFIGURATION}
    previous_oof = leave_one_source_out(corpus, previous, n_jobs=n_jobs, tagger=tagger)
    _progress("fitting the final model", started)
    loso = loso_scores(oof)
    loso["per_board"] = per_board_scores(oof)
    d_oof = np.vstack([_decisions(oof, "d"), _decisions(oof, "dn")])
    y_oof = np.concatenate([oof["label"].to_numpy(), oof["label"].to_numpy()])
    temperature = fit_temperature(d_oof, y_oof)
    from .model import softmax

    p_oof = softmax(d_oof / temperature)
    tau, delta = choose_abstain(y_oof, p_oof, target_accuracy=TARGET_ACCURACY)

    clf = _fit(corpus, params, tagger)
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
        "line_tagger": tagger_metrics,
        "previous_configuration": {"params": PREVIOUS_CONFIGURATION, "leave_one_source_out": per_board_scores(previous_oof)},
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
        before = _fit(corpus, previous, tagger)
        pred = np.array(before.predict(val["text"].tolist(), val["title"].tolist()), dtype=object)
        metrics["previous_configuration"]["validation"] = scores(val["label"], pred)
    clf.metadata.update(
        {
            "version_prefix": ("officeclass-custom-" if extra else "officeclass-") + pd.Timestamp.now(tz="UTC").strftime("%Y.%m"),
            "training_data": {
                "file": Path(corpus_path).name,
                "sha256": corpus_sha,
                "rows": len(corpus),
                "duty_lines_file": Path(duty_lines).name,
                "duty_lines_sha256": hashlib.sha256(Path(duty_lines).read_bytes()).hexdigest(),
                "duty_lines": len(lines),
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


def _in_clone(relative: str) -> Path:
    """A repository path: next to this source file in a clone, else under the current directory (an installed package)."""
    here = REPO / relative
    if here.exists() or (REPO / "datasets").is_dir():
        return here
    return Path.cwd() / relative


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m officeclass.train", description="Rebuild the shipped officeclass model.")
    parser.add_argument("--corpus", type=Path, default=None, help="training corpus (default: datasets/corpus.csv.gz of the clone)")
    parser.add_argument("--validation", type=Path, default=None, help="hand-labelled validation CSV, scored only")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: models/ of the clone)")
    parser.add_argument("--select", action="store_true", help="run the parameter search instead (writes selection.csv)")
    parser.add_argument("--grid", type=json.loads, default=None, help='with --select: JSON {"param": [values]}')
    parser.add_argument("--extra", type=Path, default=None, help="your own labelled postings: CSV with text, label (and title) columns")
    parser.add_argument("--duty-lines", type=Path, default=None, help="tagged lines for the line tagger (default: datasets/duty_lines.csv.gz of the clone)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    default_out = _in_clone("models")
    args.out = args.out or default_out
    args.validation = args.validation or (_in_clone("datasets").parent.parent / "shared" / "data" / "validation.csv")
    for name, option, relative in (("corpus", "--corpus", "datasets/corpus.csv.gz"), ("duty_lines", "--duty-lines", "datasets/duty_lines.csv.gz")):
        given = getattr(args, name)
        path = given or _in_clone(relative)
        if not path.exists():
            where = f"at {path}" if given else f"at {relative} under the current directory ({Path.cwd()}) or next to the officeclass source"
            print(
                f"error: no {name.replace('_', ' ')} {where}. Run `officeclass train` from a clone of the officeclass repository "
                f"(`python datasets/build.py` writes {relative} there), or pass {option} PATH.",
                file=sys.stderr,
            )
            return 1
        setattr(args, name, path)
    if args.extra is not None:
        if args.out == default_out:
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
            corpus, tagger, _ = prepare(_training_corpus(args.corpus, args.extra), read_duty_lines(args.duty_lines), n_jobs=args.jobs)
            select(corpus, grid, _validation(validation) if validation else None, args.out, tagger=tagger)
        else:
            train(args.corpus, args.out, validation, n_jobs=args.jobs, extra=args.extra, duty_lines=args.duty_lines)
    except OfficeclassError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
