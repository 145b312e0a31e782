"""The classifier: a TF-IDF + logistic-regression pipeline, built in one place.

A :class:`Classifier` wraps a scikit-learn :class:`~sklearn.pipeline.Pipeline`
whose first step turns a two-column array (title, text) into tf-idf features,
one block per field, and whose second step is a multinomial logistic
regression. On top of the pipeline it holds

- a *temperature* that calibrates the probabilities (``softmax(decision / T)``,
  fitted on out-of-fold predictions), which keeps per-term contributions exact;
- an *abstain rule*: abstain when the top probability is below ``tau`` or its
  lead over the runner-up is below ``delta``;
- metadata (versions, training-data hash, parameters, metrics).

Models are saved with skops, which never executes code on load, and only the
types listed in :data:`TRUSTED_TYPES` are accepted. Beside it go the scoring
arrays (``.npz``, :mod:`officeclass.features`): predicting reads only those, so
``classify()`` never imports scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import platform
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from . import __version__
from .errors import ModelIntegrityError, ModelLoadError, ModelVersionWarning
from .features import TfidfBlock, pack_text, terms_in_index_order, unpack_text
from .labels import LABELS
from .text import normalise, normalise_lines, stem_tokens

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from .lines import LineInputs, LineTagger

__all__ = ["Classifier", "DEFAULT_PARAMS", "TRUSTED_TYPES", "make_pipeline", "softmax"]

FORMAT = "officeclass-model/1"
#: The scoring arrays saved beside the pipeline (see :mod:`officeclass.features`).
SCORING_FORMAT = "officeclass-scoring/1"
TITLE, TEXT, LINES, CLIENT, INTERNAL = 0, 1, 2, 3, 4
_COLUMN_NAMES = {TITLE: "title", TEXT: "text", LINES: "lines", CLIENT: "client_lines", INTERNAL: "internal_lines"}
_LINE_COLUMNS = (LINES, CLIENT, INTERNAL)

#: Hyper-parameters of the shipped model (chosen by leave-one-source-out CV, see train.py).
DEFAULT_PARAMS: dict[str, Any] = {
    "C": 1.0,
    "class_weight": "balanced",
    "text_ngram_max": 1,
    "text_min_df": 10,
    "text_max_features": 200_000,
    "title_ngram_max": 2,
    "title_min_df": 1,
    "occupation_weight": 1.0,
    "title_weight": 0.1,
    "stop_words": "english",
    "text_max_df": 1.0,
    "role_features": True,
    "stem": False,
    "line_features": True,
    "line_weight": 1.0,
    "duty_text": True,
    "title_scale": 1.0,
}

#: The only non-default types a model file may contain. skops refuses anything else.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "builtins.dict",  # placeholder entries keep the list explicit even when skops trusts them already
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.pipeline.Pipeline",
        "officeclass.lexicon.RoleCounts",
        "officeclass.lines.LineShares",
    }
)


def make_pipeline(params: dict[str, Any] | None = None, *, titles: bool = True) -> Pipeline:
    """Return an unfitted pipeline for the (n, 5) object array :func:`as_array` builds.

    Its columns are title, text, each posting's :func:`~officeclass.lines.line_features`
    and its client-facing and internal duty lines; the last three are read
    only when ``params["line_features"]`` (the duty lines with ``params["duty_text"]``).

    With ``titles=False`` the pipeline has no title block (for training data without titles).

    Examples
    --------
    >>> make_pipeline().named_steps["clf"].C
    1.0
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    p = {**DEFAULT_PARAMS, **(params or {})}
    stemming = {"tokenizer": stem_tokens, "token_pattern": None} if p["stem"] else {}
    text = TfidfVectorizer(
        **stemming,
        ngram_range=(1, p["text_ngram_max"]),
        min_df=p["text_min_df"],
        max_features=p["text_max_features"],
        max_df=p["text_max_df"],
        stop_words=(sorted({w for s in ENGLISH_STOP_WORDS for w in stem_tokens(s)}) if p["stem"] and p["stop_words"] else p["stop_words"]),
        sublinear_tf=True,
        dtype=np.float64,
    )
    title = TfidfVectorizer(ngram_range=(1, p["title_ngram_max"]), min_df=p["title_min_df"], sublinear_tf=True, dtype=np.float64)
    blocks = [("title", title, TITLE), ("text", text, TEXT)] if titles else [("text", text, TEXT)]
    if p["role_features"]:
        from .lexicon import RoleCounts

        blocks.append(("roles", RoleCounts(), TEXT))
    if p["line_features"]:
        from .lines import LineShares

        blocks.append(("lines", LineShares(p["line_weight"]), LINES))
    if p["line_features"] and p["duty_text"]:
        for name, column in (("client_lines", CLIENT), ("internal_lines", INTERNAL)):
            duty = TfidfVectorizer(min_df=p["text_min_df"], stop_words=p["stop_words"], sublinear_tf=True, dtype=np.float64)
            blocks.append((name, duty, column))
    weights = {"title": float(p["title_scale"])} if titles and float(p["title_scale"]) != 1.0 else None
    features = ColumnTransformer(blocks, sparse_threshold=1.0, transformer_weights=weights)
    clf = LogisticRegression(C=p["C"], class_weight=p["class_weight"], max_iter=5000, tol=1e-5)
    return Pipeline([("features", features), ("clf", clf)])


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large values."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    import scipy
    import sklearn
    import skops

    return {
        "officeclass": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
        "python": platform.python_version(),
    }


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def as_array(texts: Sequence[str], titles: Sequence[str] | None, line_inputs: LineInputs | None = None) -> np.ndarray:
    """Stack titles, texts (already normalised) and what the tagged lines give into the (n, 5) object array the pipeline takes.

    Columns: title, text, line features (one float array per row), client-facing
    duty lines, internal duty lines (:class:`~officeclass.lines.LineInputs`; zeros
    and empty texts when ``None``).
    """
    from .lines import LineInputs

    inputs = LineInputs.empty(len(texts)) if line_inputs is None else line_inputs
    X = np.empty((len(texts), 5), dtype=object)
    X[:, TEXT] = list(texts)
    X[:, TITLE] = [""] * len(texts) if titles is None else list(titles)
    column = np.empty(len(texts), dtype=object)
    for i in range(len(texts)):
        column[i] = inputs.features[i]
    X[:, LINES] = column
    X[:, CLIENT] = list(inputs.client)
    X[:, INTERNAL] = list(inputs.internal)
    return X


def _line_inputs(tagger: LineTagger, texts: Sequence[str], titles: Sequence[str] | None) -> LineInputs:
    """What the tagged lines of normalised postings (one line per line) give the model, through ``tagger``."""
    from .lines import LineInputs, posting_lines

    postings = [posting_lines(t) for t in texts]
    return LineInputs.from_proba(postings, tagger.proba_many(postings, titles))


def _duty_words(words: list[list[list[str]]], probas: list[np.ndarray]) -> tuple[list[list[str]], list[list[str]]]:
    """Each posting's client-facing and internal duty lines' words, the lines :class:`~officeclass.lines.LineInputs` picks."""
    from .lines import duty_sides

    client, internal = [], []
    for doc, proba in zip(words, probas):
        sides = duty_sides(doc, proba)
        client.append([w for line_words in sides[0] for w in line_words])
        internal.append([w for line_words in sides[1] for w in line_words])
    return client, internal


def _canonical_zip(path: Path) -> None:
    """Rewrite a skops zip so the same model always gives the same bytes (and hash).

    skops names each array file, and tags each object, with its id() in memory,
    and stamps entries with the current time; all change from run to run. They
    are renumbered in the order the schema first mentions them, and timestamps fixed.
    """
    import re
    import zipfile

    with zipfile.ZipFile(path) as src:
        entries = {info.filename: (info, src.read(info.filename)) for info in src.infolist()}
    schema = entries["schema.json"][1].decode("utf-8")
    mapping: dict[str, str] = {}
    for name in re.findall(r'"([^"/]+\.npy)"', schema):
        if name in entries and name not in mapping:
            mapping[name] = f"array{len(mapping):05d}.npy"
    schema = re.sub(r'"([^"/]+\.npy)"', lambda m: f'"{mapping.get(m.group(1), m.group(1))}"', schema)
    ids: dict[str, str] = {}  # "__id__" values are id()s too: renumber, keeping equal ids equal
    schema = re.sub(r'"__id__": (\d+)', lambda m: f'"__id__": {ids.setdefault(m.group(1), str(len(ids) + 1))}', schema)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as dst:
        for old_name, new_name in [("schema.json", "schema.json"), *sorted(mapping.items(), key=lambda kv: kv[1])]:
            info, data = entries[old_name]
            fixed = zipfile.ZipInfo(new_name, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, schema.encode("utf-8") if old_name == "schema.json" else data)
        unmapped = sorted(set(entries) - set(mapping) - {"schema.json"})
        if unmapped:
            raise ModelLoadError(f"Unexpected files in the skops archive: {unmapped}.")
    tmp.replace(path)


def _vectorisers(pipeline: Pipeline) -> list[tuple[str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return [(name, v) for name, v, _ in pipeline.named_steps["features"].transformers_ if isinstance(v, TfidfVectorizer)]


def _scoring_blocks(pipeline: Pipeline) -> list[tuple[str, Any, int]]:
    """(name, block, column) for each fitted feature block, with tf-idf blocks as :class:`TfidfBlock`."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    weights = pipeline.named_steps["features"].transformer_weights or {}
    return [
        (name, TfidfBlock.from_vectoriser(t, weight=weights.get(name, 1.0)) if isinstance(t, TfidfVectorizer) else t, col)
        for name, t, col in pipeline.named_steps["features"].transformers_
        if name != "remainder" and t != "drop"
    ]


def _zip_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write arrays as an ``.npz`` whose bytes depend only on the arrays (fixed timestamps, sorted names)."""
    import io
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, buf.getvalue())
    tmp.replace(path)


def _to_state(pipeline: Pipeline) -> dict[str, Any]:
    """What goes into the skops file: the pipeline with each vocabulary stored as one string.

    A vocabulary is a dict of ~10^5 terms; skops stores a dict entry by entry,
    which makes saving and loading take seconds. One newline-joined string of
    the terms in index order (terms never contain a newline) loads in milliseconds.
    """
    import copy

    pipeline = copy.deepcopy(pipeline)
    vocabularies = {}
    for name, vectoriser in _vectorisers(pipeline):
        vocabularies[name] = "\n".join(terms_in_index_order(vectoriser.vocabulary_))
        vectoriser.vocabulary_ = {}
        if hasattr(vectoriser, "_stop_words_id"):  # id() of the stop-word list: a per-process cache key
            del vectoriser._stop_words_id
    return {"format": FORMAT, "pipeline": pipeline, "vocabularies": vocabularies}


def _from_state(state: dict[str, Any]) -> Pipeline:
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"expected a dict with format {FORMAT!r}")
    pipeline = state["pipeline"]
    for name, vectoriser in _vectorisers(pipeline):
        terms = state["vocabularies"][name].split("\n") if state["vocabularies"][name] else []
        vectoriser.vocabulary_ = dict(zip(terms, range(len(terms))))
    return pipeline


class Classifier:
    """A fitted officeclass model: pipeline, calibration, abstain rule and metadata.

    Most users never build one: :func:`officeclass.classify` uses the shipped
    model. Build your own with :meth:`fit` and keep it with :meth:`save`.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        A fitted pipeline from :func:`make_pipeline`.
    temperature : float, default=1.0
        Probabilities are ``softmax(decision_function / temperature)``.
    tau, delta : float, default=0.0
        Abstain when the top probability < ``tau`` or its lead over the runner-up < ``delta``.
    metadata : dict, optional
        Free-form facts saved beside the model (metrics, data hash...).
    tagger : LineTagger, optional
        The line tagger whose outputs feed the pipeline's ``lines`` block
        (required when the pipeline has one).

    Examples
    --------
    >>> texts = ["sell to clients and close deals", "payroll and general ledger",
    ...          "cold calling new clients, sales targets", "maintain servers and databases",
    ...          "serve customers at the counter and process their transactions"]
    >>> clf = Classifier.fit(texts, ["front_office", "back_office", "front_office", "back_office", "hybrid"],
    ...                      params={"text_min_df": 1, "class_weight": None})
    >>> clf.predict(["quarterly sales to clients"])[0]
    'front_office'
    """

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        temperature: float = 1.0,
        tau: float = 0.0,
        delta: float = 0.0,
        metadata: dict[str, Any] | None = None,
        tagger: LineTagger | None = None,
    ) -> None:
        clf = pipeline.named_steps["clf"]
        order = [list(clf.classes_).index(label) for label in LABELS]
        self._init(_scoring_blocks(pipeline), clf.coef_[order], clf.intercept_[order], temperature, tau, delta, metadata, tagger)
        self._pipeline: Pipeline | None = pipeline
        self._pipeline_path: Path | None = None

    def _init(self, blocks, coef, intercept, temperature, tau, delta, metadata, tagger=None) -> None:
        self.temperature = float(temperature)
        self.tau = float(tau)
        self.delta = float(delta)
        self.metadata = dict(metadata or {})
        # Coefficients in LABELS order, kept dense and contiguous for fast scoring.
        self.coef_ = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        self._feature_names: np.ndarray | None = None
        self._blocks: list[tuple[str, Any, int]] = blocks
        self.tagger: LineTagger | None = tagger
        if self.reads_lines and tagger is None:
            raise ModelLoadError("This model reads line features but has no line tagger; pass tagger=.")

    @property
    def reads_lines(self) -> bool:
        """Whether the model has a ``lines`` block (features from its :attr:`tagger`)."""
        return any(column in _LINE_COLUMNS for _, _, column in self._blocks)

    @property
    def pipeline(self) -> Pipeline:
        """The scikit-learn pipeline the model was trained as (read from the ``.skops`` file on first use).

        Scoring does not need it: :meth:`features` uses the blocks of
        :mod:`officeclass.features`, which give the same matrix without importing scikit-learn.
        """
        if self._pipeline is None:
            if self._pipeline_path is None:
                raise ModelLoadError("This model has no scikit-learn pipeline attached.")
            self._pipeline = _load_pipeline(self._pipeline_path, self.metadata)
        return self._pipeline

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(
        cls,
        texts: Iterable[str],
        labels: Iterable[str],
        *,
        titles: Iterable[str] | None = None,
        sample_weight: Iterable[float] | None = None,
        params: dict[str, Any] | None = None,
        normalised: bool = False,
        tagger: LineTagger | None = None,
        line_inputs: LineInputs | None = None,
    ) -> Classifier:
        """Fit a model on raw postings (normalised here unless ``normalised=True``).

        Normalised texts hold one line per line (:func:`~officeclass.text.normalise_lines`).
        The ``lines`` block reads each posting's lines through ``tagger`` (default:
        the shipped model's line tagger); ``line_inputs`` gives precomputed
        ones instead (e.g. cross-fitted, see :mod:`officeclass.train`).
        """
        texts = list(texts)
        labels = np.asarray(list(labels), dtype=object)
        unknown = sorted(set(labels) - set(LABELS))
        if unknown:
            raise ValueError(f"Unknown labels {unknown}; expected only {', '.join(LABELS)}.")
        missing = sorted(set(LABELS) - set(labels))
        if missing:
            raise ValueError(f"Training labels must include all of {', '.join(LABELS)}; missing {', '.join(missing)}.")
        titles = None if titles is None else list(titles)
        if not normalised:
            texts = [normalise_lines(t) for t in texts]
            titles = None if titles is None else [normalise(t) for t in titles]
        if titles is not None and len(titles) != len(texts):
            raise ValueError(f"titles has {len(titles)} items but texts has {len(texts)}; pass one title per text ('' where there is none).")
        p = {**DEFAULT_PARAMS, **(params or {})}
        if p["line_features"] and tagger is None:
            from .predict import default_model

            tagger = default_model().tagger
        if p["line_features"] and line_inputs is None:
            line_inputs = _line_inputs(tagger, texts, titles)  # type: ignore[arg-type]
        pipeline = make_pipeline(params, titles=titles is not None and any(titles))
        weights = None if sample_weight is None else np.asarray(list(sample_weight), dtype=np.float64)
        try:
            pipeline.fit(as_array(texts, titles, line_inputs), labels, clf__sample_weight=weights)
        except ValueError as exc:
            if "empty vocabulary" not in str(exc) and "documents than min_df" not in str(exc):  # scikit-learn's words
                raise
            min_df = {**DEFAULT_PARAMS, **(params or {})}["text_min_df"]
            raise ValueError(
                f"No word of the {len(texts)} training texts is left to learn from: words must occur in at least "
                f"text_min_df={min_df} texts and not be English stop words. Add texts, or pass params={{'text_min_df': 1}}."
            ) from None
        for _, vectoriser in _vectorisers(pipeline):
            if hasattr(vectoriser, "stop_words_"):  # terms cut by min_df: only for introspection, large on disk
                del vectoriser.stop_words_
            # min_df pruning leaves numpy ints as indices; keep plain ints
            vectoriser.vocabulary_ = {term: int(i) for term, i in vectoriser.vocabulary_.items()}
        return cls(pipeline, metadata={"params": p}, tagger=tagger if p["line_features"] else None)

    # ------------------------------------------------------------------ scoring
    def line_inputs(self, texts: Sequence[str], titles: Sequence[str] | None = None) -> LineInputs:
        """What the tagged lines of normalised postings give the model (the pipeline's line columns, see :func:`as_array`)."""
        if self.tagger is None:
            raise ModelLoadError("This model has no line tagger.")
        return _line_inputs(self.tagger, texts, titles)

    def known_terms(self, X: sp.csr_matrix) -> np.ndarray:
        """How many of each row's features come from words (every block but the line shares, which every text has)."""
        from .lines import LineShares

        X = X.tocsr()
        counts = np.diff(X.indptr)
        start = 0
        for _, block, _ in self._blocks:
            width = len(block.get_feature_names_out())
            if isinstance(block, LineShares):
                counts = counts - np.diff(X[:, start : start + width].tocsr().indptr)
            start += width
        return counts

    def features(
        self,
        texts: Sequence[str],
        titles: Sequence[str] | None = None,
        *,
        line_inputs: LineInputs | None = None,
        line_proba: list[np.ndarray] | None = None,
    ) -> sp.csr_matrix:
        """Features of normalised texts as a CSR matrix: the same as the pipeline's first step.

        Each block (title tf-idf, text tf-idf, role counts, line features,
        client-facing and internal line tf-idf) is called directly and the
        results stacked, without scikit-learn; a test checks the result equals
        the pipeline's on real postings. What the lines give comes from
        ``line_inputs``, else from ``line_proba`` (each posting's line-tag
        probabilities, as :meth:`features_and_line_proba` returns them), else
        from the model's tagger.
        """
        return self.features_and_line_proba(texts, titles, line_inputs=line_inputs, line_proba=line_proba)[0]

    def features_and_line_proba(
        self,
        texts: Sequence[str],
        titles: Sequence[str] | None = None,
        *,
        line_inputs: LineInputs | None = None,
        line_proba: list[np.ndarray] | None = None,
    ) -> tuple[sp.csr_matrix, list[np.ndarray] | None]:
        """:meth:`features`, and each posting's line-tag probabilities (None when given ``line_inputs`` or the model reads no lines).

        Each line is tokenised once: its words feed the tagger, the description
        block, the role counts and the duty-line blocks.
        """
        from .lexicon import RoleCounts, find_roles_in_words
        from .lines import LineInputs, line_words, posting_lines

        texts = list(texts)
        columns: dict[int, Any] = {TEXT: texts, TITLE: [""] * len(texts) if titles is None else list(titles)}
        sharer = next((i for i, (_, b, c) in enumerate(self._blocks) if c == TEXT and isinstance(b, TfidfBlock) and b.reads_plain_words), None)
        roles = next((i for i, (_, b, c) in enumerate(self._blocks) if c == TEXT and isinstance(b, RoleCounts)), None)
        out: dict[int, sp.csr_matrix] = {}
        if self.reads_lines and line_inputs is None:
            # one pass over each line's words for every block that reads them (a tagger that
            # reads other tokens tokenises its lines itself)
            lines = [posting_lines(t) for t in texts]
            words = [[line_words(line) for line in doc] for doc in lines]
            if line_proba is None:
                line_proba = self.tagger.proba_many(lines, columns[TITLE], words=words)  # type: ignore[union-attr]
            line_inputs = LineInputs.from_proba(lines, line_proba)
            client_words, internal_words = _duty_words(words, line_proba)
            for i, (_, block, column) in enumerate(self._blocks):
                if column in (CLIENT, INTERNAL) and isinstance(block, TfidfBlock) and block.reads_plain_words:
                    out[i] = block.transform_words(client_words if column == CLIENT else internal_words)
            if sharer is not None:
                text_words = [[w for line_words in doc for w in line_words] for doc in words]
                out[sharer] = self._blocks[sharer][1].transform_words(text_words)
                if roles is not None:
                    out[roles] = self._blocks[roles][1].from_matches([find_roles_in_words(t, w) for t, w in zip(texts, text_words)])
        if self.reads_lines:
            columns[LINES], columns[CLIENT], columns[INTERNAL] = line_inputs  # type: ignore[misc]
        if sharer is not None and roles is not None and sharer not in out:
            # A posting's words are found once, for the text's tf-idf block and its role counts,
            # one posting at a time (holding a whole batch's words costs ~20 KB per posting).
            tfidf = self._blocks[sharer][1]
            matches = []

            def posting_words():
                for text in texts:
                    w = tfidf.words(text)
                    matches.append(find_roles_in_words(text, w))
                    yield w

            out[sharer] = tfidf.transform_words(posting_words())
            out[roles] = self._blocks[roles][1].from_matches(matches)
        blocks = [out[i] if i in out else block.transform(columns[column]) for i, (_, block, column) in enumerate(self._blocks)]
        return sp.hstack(blocks, format="csr"), line_proba

    def decision(self, X: sp.csr_matrix) -> np.ndarray:
        """Decision function (n, 3), columns in :data:`LABELS` order."""
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def proba_from_decision(self, decision: np.ndarray) -> np.ndarray:
        return softmax(decision / self.temperature)

    def predict_proba(self, texts: Sequence[str], titles: Sequence[str] | None = None) -> np.ndarray:
        """Calibrated probabilities (n, 3) in :data:`LABELS` order for normalised texts."""
        return self.proba_from_decision(self.decision(self.features(texts, titles)))

    def predict(self, texts: Sequence[str], titles: Sequence[str] | None = None) -> list[str]:
        """Best-guess labels for normalised texts."""
        return [LABELS[i] for i in self.predict_proba(texts, titles).argmax(axis=1)]

    def abstains(self, proba: np.ndarray) -> np.ndarray:
        """Boolean mask of rows the abstain rule does not trust."""
        top2 = np.sort(proba, axis=1)[:, -2:]
        return (top2[:, 1] < self.tau) | (top2[:, 1] - top2[:, 0] < self.delta)

    def _names(self) -> None:
        fields, terms = [], []
        for name, transformer, _ in self._blocks:
            block = np.asarray(transformer.get_feature_names_out(), dtype=object)
            terms.append(block)
            fields.append(np.full(len(block), name, dtype=object))
        self._feature_terms = np.concatenate(terms)
        self._feature_fields = np.concatenate(fields)
        self._feature_names = self._feature_fields + ":" + self._feature_terms

    @property
    def feature_names(self) -> np.ndarray:
        """Feature names as ``title:<term>``, ``text:<term>``, ``roles:<name>``."""
        if self._feature_names is None:
            self._names()
        return self._feature_names  # type: ignore[return-value]

    @property
    def feature_fields(self) -> np.ndarray:
        """The block of each feature: ``title``, ``text`` or ``roles``."""
        if self._feature_names is None:
            self._names()
        return self._feature_fields

    @property
    def feature_terms(self) -> np.ndarray:
        """The term (or role-count name) of each feature."""
        if self._feature_names is None:
            self._names()
        return self._feature_terms

    @property
    def version(self) -> str:
        """A readable model version, e.g. ``officeclass-2026.11-1a2b3c4d``."""
        return str(self.metadata.get("model_version", "officeclass-unsaved"))

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path, *, version_prefix: str | None = None) -> Path:
        """Save to ``path`` (a ``.skops`` file), with its scoring arrays (``.npz``) and metadata (``.json``) beside it.

        The ``.skops`` file holds the scikit-learn pipeline; the ``.npz`` holds
        what scoring needs (:mod:`officeclass.features`); neither can run code
        when loaded. Returns the path of the ``.skops`` file.
        """
        import skops.io as sio

        path = Path(path).with_suffix(".skops")
        path.parent.mkdir(parents=True, exist_ok=True)
        sio.dump(_to_state(self.pipeline), path, compression=8)  # 8 = ZIP_DEFLATED
        _canonical_zip(path)
        untrusted = set(sio.get_untrusted_types(file=path))
        unexpected = sorted(untrusted - TRUSTED_TYPES)
        if unexpected:
            path.unlink()
            raise ModelLoadError(f"Refusing to save a model with types outside TRUSTED_TYPES: {unexpected}.")
        scoring = path.with_suffix(".npz")
        _zip_arrays(scoring, self._scoring_arrays())
        digest = _file_sha256(path)
        prefix = version_prefix or self.metadata.get("version_prefix") or "officeclass-custom"
        self.metadata.update(
            {
                "format": FORMAT,
                "model_file": path.name,
                "sha256": digest,
                "scoring_sha256": _file_sha256(scoring),
                "model_version": f"{prefix}-{digest[:8]}",
                "labels": list(LABELS),
                "temperature": self.temperature,
                "abstain": {"tau": self.tau, "delta": self.delta},
                "versions": _versions(),
            }
        )
        path.with_suffix(".json").write_text(json.dumps(self.metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        self._pipeline_path = path
        return path

    def _scoring_arrays(self) -> dict[str, np.ndarray]:
        from .lexicon import RoleCounts
        from .lines import LineShares

        arrays: dict[str, np.ndarray] = {"coef": self.coef_, "intercept": self.intercept_}
        specs = []
        for name, block, column in self._blocks:
            if isinstance(block, TfidfBlock):
                spec = block.spec()
                arrays.update({f"{name}.{k}": v for k, v in block.arrays().items()})
            elif isinstance(block, RoleCounts):
                spec = {"kind": "roles"}
            elif isinstance(block, LineShares):
                spec = {"kind": "lines", "weight": float(block.weight)}
            else:
                raise ModelLoadError(f"Cannot save feature block {name!r} of type {type(block).__name__}.")
            specs.append({"name": name, "column": _COLUMN_NAMES[column], **spec})
        top: dict[str, Any] = {"format": SCORING_FORMAT, "labels": list(LABELS), "blocks": specs}
        if self.tagger is not None:
            top["tagger"], tagger_arrays = self.tagger.arrays()
            arrays.update(tagger_arrays)
        arrays["spec"] = pack_text([json.dumps(top, sort_keys=True)])
        return arrays

    @classmethod
    def load(cls, path: str | Path) -> Classifier:
        """Load a model saved by :meth:`save`, checking its hashes and format.

        Scoring reads only the ``.npz`` arrays, so loading does not import
        scikit-learn; the pipeline (:attr:`pipeline`) is read from the ``.skops``
        file when first asked for, and warns then if it was saved with another
        scikit-learn minor version.

        Raises
        ------
        ModelLoadError
            A file or the metadata is missing or malformed, or the pipeline contains untrusted types.
        ModelIntegrityError
            A file's SHA-256 differs from the one recorded in the metadata.
        """
        path = Path(path)
        if path.suffix != ".skops":
            path = path.with_suffix(".skops")
        meta_path = path.with_suffix(".json")
        if not path.is_file():
            raise ModelLoadError(f"No model file at {path}. Pass the .skops file written by Classifier.save().")
        if not meta_path.is_file():
            raise ModelLoadError(f"No metadata file at {meta_path}: a model is loaded only with the .json saved beside it.")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"Cannot read model metadata {meta_path}: {exc}.") from exc
        if meta.get("format") != FORMAT or "sha256" not in meta:
            raise ModelLoadError(f"{meta_path} is not officeclass model metadata (format {meta.get('format')!r}, expected {FORMAT!r}).")
        _check_hash(path, meta["sha256"])
        abstain = meta.get("abstain", {})
        options = {"temperature": meta.get("temperature", 1.0), "tau": abstain.get("tau", 0.0), "delta": abstain.get("delta", 0.0), "metadata": meta}
        if "scoring_sha256" not in meta:  # saved before scoring arrays existed: score with the pipeline's blocks
            clf = cls(_load_pipeline(path, meta), **options)
        else:
            scoring = path.with_suffix(".npz")
            if not scoring.is_file():
                raise ModelLoadError(f"No scoring file at {scoring}: keep the .npz saved beside {path.name}.")
            _check_hash(scoring, meta["scoring_sha256"])
            blocks, coef, intercept, tagger = _read_scoring(scoring)
            clf = cls.__new__(cls)
            clf._init(blocks, coef, intercept, options["temperature"], options["tau"], options["delta"], meta, tagger)
            clf._pipeline = None
        clf._pipeline_path = path
        return clf


def _check_hash(path: Path, recorded: str) -> None:
    digest = _file_sha256(path)
    if digest != recorded:
        raise ModelIntegrityError(
            f"Model file {path} has SHA-256 {digest[:12]}..., but its metadata records {recorded[:12]}...; "
            "the file was changed or truncated. Re-install officeclass or re-save the model."
        )


def _read_scoring(path: Path) -> tuple[list[tuple[str, Any, int]], np.ndarray, np.ndarray, LineTagger | None]:
    """Blocks, coefficients, intercepts and line tagger from a scoring ``.npz`` (never unpickles)."""
    from .lexicon import RoleCounts
    from .lines import LineShares, LineTagger

    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
        spec = json.loads(unpack_text(arrays["spec"])[0])
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise ModelLoadError(f"{path} is not an officeclass scoring file: {exc}.") from exc
    if spec.get("format") != SCORING_FORMAT or spec.get("labels") != list(LABELS):
        raise ModelLoadError(
            f"{path} has scoring format {spec.get('format')!r} for labels {spec.get('labels')}; this officeclass reads "
            f"{SCORING_FORMAT!r} for {list(LABELS)}. Install the officeclass version that saved it, or retrain."
        )
    columns = {v: k for k, v in _COLUMN_NAMES.items()}
    blocks: list[tuple[str, Any, int]] = []
    try:
        for b in spec["blocks"]:
            name = b["name"]
            if b["kind"] == "roles":
                block: Any = RoleCounts()
            elif b["kind"] == "lines":
                block = LineShares(float(b["weight"]))
            else:
                block = TfidfBlock.from_arrays(b, {k: arrays[f"{name}.{k}"] for k in ("terms", "idf", "stop_words")})
            blocks.append((name, block, columns[b["column"]]))
        tagger = LineTagger.from_arrays(spec["tagger"], arrays) if "tagger" in spec else None
    except (KeyError, ValueError) as exc:
        raise ModelLoadError(f"{path} has a malformed feature block: {exc}.") from exc
    n_features = sum(len(b.get_feature_names_out()) for _, b, _ in blocks)
    if arrays["coef"].shape != (len(LABELS), n_features) or arrays["intercept"].shape != (len(LABELS),):
        raise ModelLoadError(f"{path}: coefficients of shape {arrays['coef'].shape} do not fit {n_features} features.")
    return blocks, arrays["coef"], arrays["intercept"], tagger


def _load_pipeline(path: Path, meta: dict[str, Any]) -> Pipeline:
    """The scikit-learn pipeline from a ``.skops`` file, trusting only :data:`TRUSTED_TYPES`."""
    import sklearn
    import skops.io as sio

    saved = meta.get("versions", {}).get("scikit-learn", "0.0")
    if _minor(saved) != _minor(sklearn.__version__):
        warnings.warn(
            f"Model {path.name} was saved with scikit-learn {saved}; {sklearn.__version__} is installed. "
            f"Its pipeline may behave differently: install scikit-learn=={saved} or retrain with `officeclass train`.",
            ModelVersionWarning,
            stacklevel=3,
        )
    try:
        untrusted = set(sio.get_untrusted_types(file=path))
    except Exception as exc:  # a corrupt zip, not a skops file
        raise ModelLoadError(f"{path} is not a readable skops file: {exc}.") from exc
    unexpected = sorted(untrusted - TRUSTED_TYPES)
    if unexpected:
        raise ModelLoadError(f"Refusing to load {path}: it contains types officeclass does not trust: {unexpected}.")
    try:
        return _from_state(sio.load(path, trusted=sorted(untrusted)))
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(f"{path} does not hold an officeclass pipeline: {exc}.") from exc
