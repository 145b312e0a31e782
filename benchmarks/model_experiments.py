"""Alternatives to the shipped model that were measured and not shipped, re-runnable.

    python benchmarks/model_experiments.py            # needs ../shared/data; ~11 min on 2 cores
    python benchmarks/model_experiments.py --only synthetic_hybrids self_training

Writes ``models/EXPERIMENTS.md``. Every experiment is scored like the shipped model
(``officeclass.train``): leave-one-source-out over the six hand-labelled boards
(train on five boards plus all O*NET rows, score the sixth on its hand labels,
pool the predictions) and, for reference only, the validation file. Anything an
experiment adds to a fold's training rows comes only from the boards in that
fold, so the held-out board stays unseen.

Experiments (the shipped configuration, ``DEFAULT_PARAMS``, unless said):

- ``shipped``: the baseline, as trained by ``python -m officeclass.train``.
- ``truncate_350``: training postings cut to their first 350 words, the part the
  training-label annotator read (``../shared/data/README.md``).
- ``duties_only``: every description (training and scored) cut at its first
  requirements, benefits or company heading: the label is about duties, and those
  sections carry board-specific boilerplate.
- ``board_balanced``: each board's postings weighted so every board counts as much
  as the average board (boards have 149 to 494 labelled postings).
- ``board_vocabulary``: the description block keeps only words found in at least
  two boards (O*NET counted as one), dropping board-specific words.
- ``lexicon_terms``: one more feature per role-lexicon term, so phrases such as
  "customer service" or "general ledger" count as phrases (the description block
  reads single words).
- ``board_copies``: feature augmentation for domain adaptation (Daume III, 2007):
  every feature also gets a copy per board (O*NET rows count as a board) that is
  non-zero only on that board's rows, plus a per-board intercept; scoring uses only
  the shared features, as it must on an unseen board.
- ``synthetic_hybrids``: 300 extra hybrid rows per fold, each the first half of a
  clear (confidence 3) front-office posting's sentences joined to the first half
  of a clear back-office posting's, without a title. LABELLING.md defines hybrid as
  both sides among the main duties; this tests whether mixing teaches that.
- ``self_training``: postings in ``../shared/data/raw`` that are neither labelled
  nor in validation (nor near-duplicates of it), labelled by the fold's own model
  where its top probability is >= 0.9, added at weight 0.5.
- ``learning_curve``: 25%, 50% and 75% of the hand-labelled postings of each fold
  (two random draws each): how much the score still depends on the amount of
  hand-labelled data.
- ``two_binary_heads``: "has front duties" (front or hybrid) and "has back duties"
  (back or hybrid) as two logistic regressions on the shipped features; hybrid is
  their product. ``ordinal_heads``: front < hybrid < back as two cumulative logistic
  regressions.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from officeclass.evaluate import scores
from officeclass.labels import LABELS
from officeclass.model import DEFAULT_PARAMS, Classifier, as_array, make_pipeline, softmax
from officeclass.train import (
    DEFAULT_CORPUS,
    DEFAULT_VALIDATION,
    _validation,
    hand_postings,
    read_corpus,
    training_arrays,
)

OUT = REPO / "models" / "EXPERIMENTS.md"
FRONT, BACK, HYBRID = (LABELS.index(label) for label in ("front_office", "back_office", "hybrid"))
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")

#: What an experiment may change: the fold's training rows (``prepare`` returns the
#: corpus to train on and extra (title, text, label, weight) rows) and the output layer.
Prepare = Callable[[pd.DataFrame, np.random.Generator], tuple[pd.DataFrame, pd.DataFrame | None]]


def unchanged(train: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, None]:
    return train, None


def truncate(words: int) -> Prepare:
    def prepare(train, rng):
        train = train.copy()
        posting = train["kind"] == "posting"
        train.loc[posting, "text"] = train.loc[posting, "text"].map(lambda t: " ".join(t.split(" ")[:words]))
        return train, None

    return prepare


def _first_half(text: str) -> str:
    sentences = _SENTENCE_END.split(text)
    if len(sentences) < 2:
        words = text.split(" ")
        return " ".join(words[: max(1, len(words) // 2)])
    return " ".join(sentences[: len(sentences) // 2])


def synthetic_hybrids(n: int) -> Prepare:
    def prepare(train, rng):
        clear = train[hand_postings(train) & (train["confidence"] == 3)]
        front = clear[clear["label"] == "front_office"]["text"].to_numpy()
        back = clear[clear["label"] == "back_office"]["text"].to_numpy()
        rows = []
        for a, b in zip(rng.integers(0, len(front), n), rng.integers(0, len(back), n)):
            halves = [_first_half(front[a]), _first_half(back[b])]
            if rng.random() < 0.5:
                halves.reverse()
            rows.append({"title": "", "text": " ".join(halves), "label": "hybrid", "weight": 1.0})
        return train, pd.DataFrame(rows)

    return prepare


def _unlabelled_postings(corpus: pd.DataFrame) -> pd.DataFrame:
    """``datasets/build.py``'s unlabelled postings, less any whose (title, text) is already in the corpus."""
    spec = importlib.util.spec_from_file_location("datasets_build", REPO / "datasets" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    out = build.unlabelled_rows(build.DEFAULT_DATA)
    known = set(zip(corpus["title"], corpus["text"]))
    return out[[(t, x) not in known for t, x in zip(out["title"], out["text"])]].reset_index(drop=True)


def self_training(unlabelled: pd.DataFrame, threshold: float, weight: float) -> Prepare:
    def prepare(train, rng):
        model = _classifier(train, None)
        pool = unlabelled[unlabelled["source"].isin(set(train.loc[train["kind"] == "posting", "source"]))]
        proba = softmax(model.decision(model.features(pool["text"].tolist(), pool["title"].tolist())))
        sure = proba.max(axis=1) >= threshold
        extra = pool[sure][["title", "text"]].assign(label=np.array(LABELS)[proba.argmax(axis=1)][sure], weight=weight)
        return train, extra

    return prepare


def subsample(fraction: float) -> Prepare:
    def prepare(train, rng):
        hand = np.flatnonzero(hand_postings(train).to_numpy())
        drop = rng.choice(hand, round(len(hand) * (1 - fraction)), replace=False)
        keep = np.ones(len(train), dtype=bool)
        keep[drop] = False
        return train[keep], None

    return prepare


def board_balanced(train: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, None]:
    """Weight each board's postings so every board counts as much as the average board."""
    posting = train["kind"] == "posting"
    n = train.loc[posting, "source"].value_counts()
    factor = np.where(posting, train["source"].map(n.mean() / n), 1.0)
    return train.assign(weight_factor=factor), None


_REQUIREMENTS = re.compile(
    r"(?i)\b(minimum qualifications|preferred qualifications|job requirements|requirements|qualifications|"
    r"required skills|required qualifications|skills and experience|the ideal candidate|about you|"
    r"what we are looking for|what we're looking for|who you are|experience required|you will have|"
    r"you should have|person specification|required experience|remuneration|benefits|about us|"
    r"about the company|company description|application procedures)\b"
)


def duties_only(text: str) -> str:
    """The text before its first requirements / benefits / company heading (past the first 20% of the text)."""
    for m in _REQUIREMENTS.finditer(text):
        if m.start() >= 0.2 * len(text):
            return text[: m.start()]
    return text


def _per_training_row(train: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """One value per corpus row, repeated for the text-only copies ``training_arrays`` appends."""
    copied = train["kind"].isin(["posting", "occupation"]).to_numpy()
    return np.concatenate([values, values[copied]])


def _arrays(train: pd.DataFrame, extra: pd.DataFrame | None):
    texts, titles, labels, weights = training_arrays(train, {})
    assert len(_per_training_row(train, np.empty(len(train)))) == len(weights), "training_arrays dropped or added rows"
    if "weight_factor" in train:
        weights = weights * _per_training_row(train, train["weight_factor"].to_numpy(dtype=np.float64))
    if extra is not None and len(extra):
        texts += extra["text"].tolist()
        titles += extra["title"].tolist()
        labels = np.concatenate([labels, extra["label"].to_numpy(dtype=object)])
        weights = np.concatenate([weights, extra["weight"].to_numpy(dtype=np.float64)])
    return texts, titles, labels, weights


def _classifier(train: pd.DataFrame, extra: pd.DataFrame | None) -> Classifier:
    texts, titles, labels, weights = _arrays(train, extra)
    return Classifier.fit(texts, labels, titles=titles, sample_weight=weights, normalised=True)


class LexiconTerms:
    """Feature block: log(1 + count) of each role-lexicon term in the text (phrases the word block splits)."""

    def fit(self, X, y=None):
        from officeclass.lexicon import load_lexicon

        self.index_ = {entry.term: i for i, entry in enumerate(load_lexicon())}
        return self

    def transform(self, X):
        import scipy.sparse as sp

        from officeclass.lexicon import find_roles

        pairs = [(i, self.index_[m.term]) for i, text in enumerate(X) for m in find_roles(text)]
        rows, cols = zip(*pairs) if pairs else ((), ())
        counts = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(X), len(self.index_)))
        counts.sum_duplicates()
        counts.data = np.log1p(counts.data)
        return counts

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self


def _features(train: pd.DataFrame, change: str):
    """The shipped feature blocks, changed as ``change`` says."""
    from sklearn.feature_extraction.text import CountVectorizer

    features = make_pipeline().named_steps["features"]
    if change == "board_vocabulary":  # description words found in >= 2 boards (O*NET counts as one)
        rows = train[train["kind"].isin(["posting", "occupation"])]
        text = features.transformers[1][1]
        seen = CountVectorizer(stop_words=text.stop_words, min_df=text.min_df, binary=True).fit(rows["text"])
        X = seen.transform(rows["text"]).tocsc()
        boards = sum(
            (X[(rows["source"] == s).to_numpy()].sum(axis=0).A1 > 0).astype(int) for s in rows["source"].unique()
        )
        text.set_params(vocabulary=sorted(seen.get_feature_names_out()[boards >= 2]))
    elif change == "lexicon_terms":
        features.transformers.append(("lexicon_terms", LexiconTerms(), 1))
    return features


def _board_copies(X, train: pd.DataFrame):
    """X with a copy of every feature and an intercept per board (O*NET rows are one more board).

    Daume's "frustratingly easy" domain adaptation: what a board says in its own way
    goes to its copies, what boards share goes to the general features; an unseen
    board is scored with the general features alone.
    """
    import scipy.sparse as sp

    board = _per_training_row(train, np.where(train["kind"] == "posting", train["source"], "onet"))
    names = sorted(set(board))
    copies = [sp.diags((board == b).astype(np.float64)) @ X for b in names]
    intercepts = sp.csr_matrix(np.stack([(board == b).astype(np.float64) for b in names], axis=1))
    return sp.hstack([X, *copies, intercepts]).tocsr()


def _multinomial(train: pd.DataFrame, extra: pd.DataFrame | None, change: str):
    """The shipped logistic regression on changed features; return a scorer."""
    from sklearn.linear_model import LogisticRegression

    texts, titles, labels, weights = _arrays(train, extra)
    features = _features(train, change)
    X = features.fit_transform(as_array(texts, titles))
    lr = LogisticRegression(C=DEFAULT_PARAMS["C"], class_weight=DEFAULT_PARAMS["class_weight"], max_iter=5000, tol=1e-5)
    lr.fit(_board_copies(X, train) if change == "board_copies" else X, labels, sample_weight=weights)
    order = [list(lr.classes_).index(label) for label in LABELS]
    coef, intercept = lr.coef_[order, : X.shape[1]], lr.intercept_[order]  # the general features only
    return lambda texts, titles: features.transform(as_array(texts, titles)) @ coef.T + intercept


def _binary_heads(train: pd.DataFrame, extra: pd.DataFrame | None, kind: str):
    """Fit two binary logistic regressions on the shipped features; return a scorer giving 3-class scores."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.class_weight import compute_sample_weight

    texts, titles, labels, weights = _arrays(train, extra)
    features = make_pipeline().named_steps["features"]
    X = features.fit_transform(as_array(texts, titles))
    if kind == "two_binary_heads":
        targets = [np.isin(labels, ["front_office", "hybrid"]), np.isin(labels, ["back_office", "hybrid"])]
    else:
        targets = [labels != "front_office", labels == "back_office"]
    heads = []
    for y in targets:
        lr = LogisticRegression(C=DEFAULT_PARAMS["C"], max_iter=5000, tol=1e-5)
        heads.append(lr.fit(X, y, sample_weight=weights * compute_sample_weight("balanced", y)))

    def score(texts: list[str], titles: list[str]) -> np.ndarray:
        Z = features.transform(as_array(texts, titles))
        a, b = (h.predict_proba(Z)[:, 1] for h in heads)
        out = np.zeros((len(a), 3))
        if kind == "two_binary_heads":
            out[:, FRONT], out[:, BACK], out[:, HYBRID] = a * (1 - b), (1 - a) * b, a * b
        else:
            out[:, FRONT], out[:, BACK], out[:, HYBRID] = 1 - a, b, np.clip(a - b, 0, None)
        return out

    return score


@dataclass(frozen=True)
class Run:
    description: str
    prepare: Prepare = unchanged
    #: "shipped" (officeclass.Classifier), "board_vocabulary" / "lexicon_terms" / "board_copies" (changed features),
    #: "two_binary_heads" / "ordinal_heads" (changed output layer)
    model: str = "shipped"
    seed: int = 0
    #: applied to every description, training and scored
    text: Callable[[str], str] | None = None


def _scorer(train: pd.DataFrame, extra: pd.DataFrame | None, run: Run):
    if run.model == "shipped":
        model = _classifier(train, extra)
        return lambda texts, titles: model.decision(model.features(texts, titles))
    if run.model in ("board_vocabulary", "lexicon_terms", "board_copies"):
        return _multinomial(train, extra, run.model)
    return _binary_heads(train, extra, run.model)


def _texts(frame: pd.DataFrame, run: Run) -> pd.DataFrame:
    return frame if run.text is None else frame.assign(text=frame["text"].map(run.text))


def _fold(corpus: pd.DataFrame, source: str, run: Run):
    held = (corpus["kind"] == "posting") & (corpus["source"] == source)
    train, extra = run.prepare(_texts(corpus[~held], run), np.random.default_rng(run.seed))
    score = _scorer(train, extra, run)
    held &= hand_postings(corpus)
    test = _texts(corpus[held], run)
    return np.flatnonzero(held.to_numpy()), score(test["text"].tolist(), test["title"].tolist())


def evaluate(corpus: pd.DataFrame, valid: pd.DataFrame, run: Run) -> dict[str, float]:
    """Leave-one-source-out and validation scores of one run."""
    hand = hand_postings(corpus)
    sources = sorted(corpus.loc[hand, "source"].unique())
    folds = Parallel(n_jobs=2)(delayed(_fold)(corpus, s, run) for s in sources)
    decision = np.full((len(corpus), 3), np.nan)
    for idx, d in folds:
        decision[idx] = d
    names = np.array(LABELS)
    loso = scores(corpus.loc[hand, "label"], names[decision[hand.to_numpy()].argmax(axis=1)])
    train, extra = run.prepare(_texts(corpus, run), np.random.default_rng(run.seed))
    valid = _texts(valid, run)
    val = scores(
        valid["label"],
        names[_scorer(train, extra, run)(valid["text"].tolist(), valid["title"].tolist()).argmax(axis=1)],
    )
    return {
        "LOSO macro-F1": loso["macro_f1"],
        "LOSO hybrid F1": loso["per_class"]["hybrid"]["f1"],
        "LOSO hybrid precision": loso["per_class"]["hybrid"]["precision"],
        "LOSO hybrid recall": loso["per_class"]["hybrid"]["recall"],
        "validation macro-F1": val["macro_f1"],
        "validation hybrid F1": val["per_class"]["hybrid"]["f1"],
    }


def experiments(corpus: pd.DataFrame) -> dict[str, Callable[[], list[Run]]]:
    """Each experiment's runs, built only when it is run (self-training reads ``../shared/data/raw``)."""
    return {
        "shipped": lambda: [Run("shipped model configuration")],
        "truncate_350": lambda: [Run("training postings cut to their first 350 words", truncate(350))],
        "duties_only": lambda: [
            Run("descriptions cut at their first requirements / benefits / company heading", text=duties_only)
        ],
        "board_balanced": lambda: [Run("each board's postings weighted to count as the average board", board_balanced)],
        "board_vocabulary": lambda: [Run("description words found in >= 2 boards only", model="board_vocabulary")],
        "lexicon_terms": lambda: [Run("+ one feature per role-lexicon term", model="lexicon_terms")],
        "board_copies": lambda: [
            Run("+ a copy of every feature per board, scored with the shared features only", model="board_copies")
        ],
        "synthetic_hybrids": lambda: [Run("+ 300 front + back half-postings labelled hybrid", synthetic_hybrids(300))],
        "self_training": lambda: [
            Run(
                "+ unlabelled postings the fold's model labels with p >= 0.9, weight 0.5",
                self_training(_unlabelled_postings(corpus), 0.9, 0.5),
            )
        ],
        "learning_curve": lambda: [
            Run(f"{int(f * 100)}% of the hand-labelled postings (draw {seed + 1})", subsample(f), seed=seed)
            for f in (0.25, 0.5, 0.75)
            for seed in (0, 1)
        ],
        "two_binary_heads": lambda: [Run("has-front x has-back binary heads, hybrid = both", model="two_binary_heads")],
        "ordinal_heads": lambda: [Run("front < hybrid < back, cumulative binary heads", model="ordinal_heads")],
    }


def main(argv: list[str] | None = None) -> int:
    corpus = read_corpus(DEFAULT_CORPUS)
    table = experiments(corpus)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(table), help="run only these experiments (default: all)")
    args = parser.parse_args(argv)
    valid = _validation(DEFAULT_VALIDATION)
    rows = []
    for name in args.only or list(table):
        for run in table[name]():
            start = time.perf_counter()
            row = {"experiment": name, "run": run.description, **evaluate(corpus, valid, run)}
            print(f"{row} ({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
            rows.append(row)
    frame = pd.DataFrame(rows)
    lines = [
        "# Experiments measured and not shipped",
        "",
        "Written by `python benchmarks/model_experiments.py` (its docstring describes each experiment). Scored like the",
        "shipped model: leave-one-source-out (LOSO) over the six hand-labelled boards, pooled; validation for reference",
        "only. A change ships only if it raises LOSO macro-F1, the measure of transfer to an unseen board.",
        "Hyper-parameter searches are in `selection.csv`.",
        "",
        "| " + " | ".join(frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
        *("| " + " | ".join(str(v) for v in r) + " |" for r in frame.itertuples(index=False)),
        "",
    ]
    if args.only is None:
        OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
