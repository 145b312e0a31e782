"""The line tagger: what each line of a posting is about.

A reader decides a posting's label by the share of its *duties* that are
client-facing or internal, not by the company blurb, the benefits or the
requirements. :class:`LineTagger` reads each line of a posting (as
:func:`officeclass.text.split_lines` cuts it) and gives the probability of
five tags (:data:`TAGS`): ``client_facing``, ``internal``, ``both``,
``requirement`` and ``other``. It is a multinomial logistic regression over
two tf-idf blocks:

- ``line``: the line's own words and word pairs;
- ``context``: what a reader sees around it: the words of the heading the
  line sits under (``h_responsibilities``), of the lines before and after it
  (``p_``, ``n_``), of the posting's title (``t_``), the line's position and
  length, and whether it opens with its own heading.

:func:`line_features` turns a posting's tag probabilities into the features
the posting model reads (client-facing and internal shares of the duty lines,
both sides present, duty mass). Like the posting model, the tagger is scored
with :class:`~officeclass.features.TfidfBlock` and plain arrays, and is saved
in the model's ``.npz`` (no pickle, hash-checked).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .features import TfidfBlock

__all__ = [
    "TAGS",
    "TAG_CODES",
    "LINE_FEATURE_NAMES",
    "LineInputs",
    "LineShares",
    "LineTagger",
    "context_docs",
    "context_tokens",
    "heading_of",
    "line_features",
    "line_inputs",
    "line_words",
    "posting_lines",
    "duty_sides",
]

#: The five line tags, in the order of the tagger's probability columns.
TAGS: tuple[str, ...] = ("client_facing", "internal", "both", "requirement", "other")
#: The one-letter codes of ``duty_lines.csv``.
TAG_CODES: dict[str, str] = {"C": "client_facing", "I": "internal", "B": "both", "Q": "requirement", "X": "other"}
C, I, B = 0, 1, 2

#: Names of the posting-level features :func:`line_features` returns.
LINE_FEATURE_NAMES: tuple[str, ...] = (
    "client-facing share of duties",
    "internal share of duties",
    "both-sides share of duties",
    "client-facing x internal",
    "duty lines (log)",
    "client-facing lines (log)",
    "internal lines (log)",
)

_HEAD = re.compile(r"^\W*((?:[\w&'/-]+[^\w:]+){0,5}?[\w&'/-]+)\s*:")
_WORDS = re.compile(TfidfBlock.WORD_PATTERN)  # the tokens of every plain-word tf-idf block
#: Lines read per posting; a posting's lines past this are tagged ``other``.
MAX_LINES = 120


def line_words(text: str) -> list[str]:
    """A line's lower-cased words, as every plain-word tf-idf block of officeclass reads them."""
    return _WORDS.findall(text.lower())



def posting_lines(text: str) -> list[str]:
    """The lines of a normalised posting (:func:`~officeclass.text.normalise_lines` joins them with newlines)."""
    return text.split("\n") if text else []


def duty_sides(items: Sequence[Any], proba: np.ndarray) -> tuple[list[Any], list[Any]]:
    """The items (lines, or their words) of the client-facing and of the internal duty lines; a ``both`` line is on each side.

    Lines past ``proba``'s rows (untagged) are on neither side.
    """
    tags = proba.argmax(axis=1) if len(proba) else ()
    client = [item for item, t in zip(items, tags) if t == C or t == B]
    internal = [item for item, t in zip(items, tags) if t == I or t == B]
    return client, internal


def heading_of(line: str) -> str | None:
    """The heading a line opens with (``"Key responsibilities"`` of ``"Key responsibilities: ..."``), if any.

    A line of at most six words in capitals counts as a heading too.

    Examples
    --------
    >>> heading_of("Minimum qualifications: BA/BS degree.")
    'Minimum qualifications'
    >>> heading_of("Sell to clients") is None
    True
    """
    m = _HEAD.match(line)
    if m:
        return m.group(1)
    if line.isupper() and len(line.split()) <= 6:
        return line
    return None


def _bucket(n_words: int) -> int:
    return 0 if n_words < 4 else 1 if n_words < 10 else 2 if n_words < 25 else 3


def context_docs(lines: Sequence[str], title: str = "") -> list[str]:
    """One "document" of context tokens per line, for the tagger's ``context`` block.

    Examples
    --------
    >>> context_docs(["Duties: serve clients", "Post invoices"], "Clerk")[1]
    'h_duties p_duties p_serve p_clients n_end t_clerk pos_2 len_0'
    """
    return [" ".join(tokens) for tokens in context_tokens(lines, title)]


def context_tokens(lines: Sequence[str], title: str = "", words: Sequence[list[str]] | None = None) -> list[list[str]]:
    """:func:`context_docs` as token lists (what the context block reads), from each line's words if known."""
    n = len(lines)
    title_tokens = ["t_" + w for w in line_words(title)]
    if words is None:
        words = [line_words(line) for line in lines]
    head: list[str] = []
    out = []
    for i, line in enumerate(lines):
        h = heading_of(line)
        if h is not None:
            head = ["h_" + w for w in line_words(h)]
        toks = list(head) if head else ["h_none"]
        if h is not None:
            toks.append("has_heading")
        if i > 0:
            toks.extend("p_" + w for w in words[i - 1])
        else:
            toks.append("p_start")
        if i < n - 1:
            toks.extend("n_" + w for w in words[i + 1])
        else:
            toks.append("n_end")
        toks.extend(title_tokens)
        toks.append(f"pos_{min(4, 5 * i // n)}")
        toks.append(f"len_{_bucket(len(line.split()))}")
        if i == 0:
            toks.append("first")
        out.append(toks)
    return out


def line_features(proba: np.ndarray) -> np.ndarray:
    """The posting-level features (:data:`LINE_FEATURE_NAMES`) of one posting's tag probabilities.

    ``proba`` has one row per line, columns in :data:`TAGS` order. A posting
    with no duty line gets zeros.

    Examples
    --------
    >>> line_features(np.array([[0.9, 0.05, 0.05, 0, 0], [0.1, 0.8, 0.1, 0, 0]])).round(3).tolist()
    [0.538, 0.462, 0.075, 0.994, 1.099, 0.73, 0.655]
    """
    if len(proba) == 0:
        return np.zeros(len(LINE_FEATURE_NAMES))
    c, i, b = proba[:, C].sum(), proba[:, I].sum(), proba[:, B].sum()
    duty = c + i + b
    if duty <= 0:
        return np.zeros(len(LINE_FEATURE_NAMES))
    front = (c + 0.5 * b) / duty
    back = (i + 0.5 * b) / duty
    return np.array([front, back, b / duty, 4.0 * front * back, np.log1p(duty), np.log1p(c + 0.5 * b), np.log1p(i + 0.5 * b)])


class LineInputs(NamedTuple):
    """What the posting model reads from its tagged lines, for n postings.

    ``features``: (n, k) :func:`line_features` rows; ``client`` and ``internal``:
    each posting's client-facing and internal duty lines as text (a ``both``
    line is in both), read by tf-idf blocks of their own.
    """

    features: np.ndarray
    client: list[str]
    internal: list[str]

    @classmethod
    def empty(cls, n: int) -> LineInputs:
        return cls(np.zeros((n, len(LINE_FEATURE_NAMES))), [""] * n, [""] * n)

    @classmethod
    def from_proba(cls, postings: Sequence[Sequence[str]], probas: Sequence[np.ndarray]) -> LineInputs:
        """From each posting's lines and their tag probabilities (lines past the probabilities are left out)."""
        rows, client, internal = [], [], []
        for lines, proba in zip(postings, probas):
            rows.append(line_features(proba))
            client_lines, internal_lines = duty_sides(lines, proba)
            client.append("\n".join(client_lines))
            internal.append("\n".join(internal_lines))
        features = np.vstack(rows) if rows else np.zeros((0, len(LINE_FEATURE_NAMES)))
        return cls(features, client, internal)

    def take(self, index: Sequence[int] | np.ndarray) -> LineInputs:
        index = np.asarray(index, dtype=int)
        return LineInputs(self.features[index], [self.client[i] for i in index], [self.internal[i] for i in index])

    @classmethod
    def concat(cls, parts: Sequence[LineInputs]) -> LineInputs:
        if not parts:
            return cls.empty(0)
        return cls(np.vstack([p.features for p in parts]), [t for p in parts for t in p.client], [t for p in parts for t in p.internal])


def line_inputs(lines: Sequence[str], proba: np.ndarray) -> LineInputs:
    """:class:`LineInputs` of one posting."""
    return LineInputs.from_proba([lines], [proba])


class LineTagger:
    """Tags each line of a posting: client-facing, internal, both, requirement or other.

    Build one with :meth:`fit` (needs scikit-learn) or read it from a model's
    arrays (:meth:`from_arrays`); scoring needs only NumPy and SciPy.

    Examples
    --------
    >>> postings = [["Responsibilities: greet patients at reception", "Book their appointments",
    ...              "Requirements: a degree", "We offer a pension"],
    ...             ["Duties: reconcile the ledger", "Run payroll", "Requirements: 2 years experience",
    ...              "About us: a friendly firm"]]
    >>> tags = [["C", "C", "Q", "X"], ["I", "I", "Q", "X"]]
    >>> tagger = LineTagger.fit(postings, tags, titles=["Receptionist", "Accountant"], params={"min_df": 1})
    >>> [TAGS[k] for k in tagger.predict_proba(["Duties: greet patients", "Requirements: a degree"]).argmax(axis=1)]
    ['client_facing', 'requirement']
    """

    def __init__(self, blocks: Sequence[tuple[str, TfidfBlock]], coef: np.ndarray, intercept: np.ndarray) -> None:
        self.blocks = list(blocks)
        self.coef_ = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept_ = np.asarray(intercept, dtype=np.float64)
        n = sum(len(b.terms) for _, b in self.blocks)
        if self.coef_.shape != (len(TAGS), n) or self.intercept_.shape != (len(TAGS),):
            raise ValueError(f"line tagger coefficients of shape {self.coef_.shape} do not fit {n} features and {len(TAGS)} tags.")
        self._offsets = np.cumsum([0] + [len(b.terms) for _, b in self.blocks])

    # ------------------------------------------------------------ fitting
    @classmethod
    def fit(
        cls,
        postings: Sequence[Sequence[str]],
        tags: Sequence[Sequence[str]],
        *,
        titles: Sequence[str] | None = None,
        weights: Sequence[float] | None = None,
        params: dict[str, Any] | None = None,
    ) -> LineTagger:
        """Fit on postings given as lists of normalised lines, with a tag (code or name) per line.

        ``weights`` gives one sample weight per posting (e.g. lower for O*NET task lists).
        """
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        p = {"C": 3.0, "min_df": 2, "class_weight": "balanced", **(params or {})}
        titles = [""] * len(postings) if titles is None else list(titles)
        weights = [1.0] * len(postings) if weights is None else list(weights)
        lines, ctx, y, w = [], [], [], []
        for doc, doc_tags, title, weight in zip(postings, tags, titles, weights):
            if len(doc) != len(doc_tags):
                raise ValueError(f"a posting has {len(doc)} lines but {len(doc_tags)} tags.")
            lines.extend(doc)
            ctx.extend(context_docs(doc, title))
            y.extend(TAG_CODES.get(t, t) for t in doc_tags)
            w.extend([weight] * len(doc))
        unknown = sorted(set(y) - set(TAGS))
        if unknown:
            raise ValueError(f"Unknown line tags {unknown}; expected codes {sorted(TAG_CODES)} or names {list(TAGS)}.")
        line_vec = TfidfVectorizer(ngram_range=(1, 2), min_df=p["min_df"], sublinear_tf=True, dtype=np.float64)
        ctx_vec = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, min_df=p["min_df"], sublinear_tf=True, dtype=np.float64)
        X = sp.hstack([line_vec.fit_transform(lines), ctx_vec.fit_transform(ctx)], format="csr")
        for v in (line_vec, ctx_vec):
            v.vocabulary_ = {t: int(j) for t, j in v.vocabulary_.items()}
        clf = LogisticRegression(C=p["C"], class_weight=p["class_weight"], max_iter=3000, tol=1e-5)
        present = [t for t in TAGS if t in set(y)]
        clf.fit(X, np.asarray(y, dtype=object), sample_weight=np.asarray(w, dtype=np.float64))
        coef = np.zeros((len(TAGS), X.shape[1]))
        intercept = np.full(len(TAGS), -30.0)  # a tag never seen in training is never predicted
        classes = list(clf.classes_)
        if len(classes) == 2:  # binary LogisticRegression keeps one row: the second class's
            coef[TAGS.index(classes[1])], intercept[TAGS.index(classes[1])] = clf.coef_[0], clf.intercept_[0]
            intercept[TAGS.index(classes[0])] = 0.0
        else:
            for t in present:
                coef[TAGS.index(t)], intercept[TAGS.index(t)] = clf.coef_[classes.index(t)], clf.intercept_[classes.index(t)]
        return cls([("line", TfidfBlock.from_vectoriser(line_vec)), ("context", TfidfBlock.from_vectoriser(ctx_vec))], coef, intercept)

    # ------------------------------------------------------------ scoring
    @property
    def reads_plain_words(self) -> bool:
        """Whether the line block's tokens are lower-cased ``\\w\\w+`` words, so callers may pass them (``words=``)."""
        return self.blocks[0][1].reads_plain_words and self.blocks[1][1].token_pattern == r"\S+" and not self.blocks[1][1].lowercase

    def decision_many(
        self, postings: Sequence[Sequence[str]], titles: Sequence[str] | None = None, *, words: Sequence[Sequence[list[str]]] | None = None
    ) -> list[np.ndarray]:
        """Decision scores (lines x tags) for each posting, lines past :data:`MAX_LINES` left out.

        ``words``: each line's lower-cased words, when the caller has them
        (:attr:`reads_plain_words`), so that no line is tokenised twice.
        """
        import scipy.sparse as sp

        titles = [""] * len(postings) if titles is None else titles
        docs = [list(doc[:MAX_LINES]) for doc in postings]
        if not any(docs):
            return [np.zeros((0, len(TAGS))) for _ in docs]
        line_block, context_block = self.blocks[0][1], self.blocks[1][1]
        if words is not None and self.reads_plain_words:
            doc_words = [list(w[:MAX_LINES]) for w in words]
            X_line = line_block.transform_words(w for ws in doc_words for w in ws)
            X_ctx = context_block.transform_words(t for doc, title, ws in zip(docs, titles, doc_words) for t in context_tokens(doc, title, ws))
        else:
            X_line = line_block.transform([line for doc in docs for line in doc])
            X_ctx = context_block.transform([c for doc, title in zip(docs, titles) for c in context_docs(doc, title)])
        X = sp.hstack([X_line, X_ctx], format="csr")
        z = np.asarray(X @ self.coef_.T) + self.intercept_
        bounds = np.cumsum([0] + [len(doc) for doc in docs])
        return [z[bounds[k] : bounds[k + 1]] for k in range(len(docs))]

    def proba_many(
        self, postings: Sequence[Sequence[str]], titles: Sequence[str] | None = None, *, words: Sequence[Sequence[list[str]]] | None = None
    ) -> list[np.ndarray]:
        """Tag probabilities (lines x :data:`TAGS`) for each posting (``words`` as in :meth:`decision_many`)."""
        from .model import softmax

        return [softmax(z) if len(z) else z for z in self.decision_many(postings, titles, words=words)]

    def predict_proba(self, lines: Sequence[str], title: str = "") -> np.ndarray:
        """Tag probabilities (lines x :data:`TAGS`) of one posting's lines."""
        return self.proba_many([lines], [title])[0]

    # ------------------------------------------------------------ storage
    def arrays(self, prefix: str = "tagger") -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(spec, arrays) for a model's ``.npz``: plain data, no pickle."""
        arrays: dict[str, np.ndarray] = {f"{prefix}.coef": self.coef_, f"{prefix}.intercept": self.intercept_}
        specs = []
        for name, block in self.blocks:
            arrays.update({f"{prefix}.{name}.{k}": v for k, v in block.arrays().items()})
            specs.append({"name": name, **block.spec()})
        return {"kind": "line_tagger", "tags": list(TAGS), "blocks": specs}, arrays

    @classmethod
    def from_arrays(cls, spec: dict[str, Any], arrays: dict[str, np.ndarray], prefix: str = "tagger") -> LineTagger:
        if spec.get("kind") != "line_tagger" or spec.get("tags") != list(TAGS):
            raise ValueError(f"not a line tagger for tags {list(TAGS)}: {spec.get('kind')!r}, {spec.get('tags')!r}")
        blocks = [
            (b["name"], TfidfBlock.from_arrays(b, {k: arrays[f"{prefix}.{b['name']}.{k}"] for k in ("terms", "idf", "stop_words")}))
            for b in spec["blocks"]
        ]
        return cls(blocks, arrays[f"{prefix}.coef"], arrays[f"{prefix}.intercept"])


class LineShares:
    """Pipeline step: passes precomputed :func:`line_features` rows through, times ``weight``.

    The posting model's pipeline takes a third column holding each posting's
    line features, so that training can use cross-fitted tagger outputs (a
    posting's features never come from a tagger that read its lines) while
    scoring computes them with the model's own :class:`LineTagger`.
    """

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def get_params(self, deep: bool = True) -> dict:
        return {"weight": self.weight}

    def set_params(self, **params) -> LineShares:
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, X, y=None) -> LineShares:
        return self

    def transform(self, X):
        import scipy.sparse as sp

        rows = np.asarray(X, dtype=np.float64) if not (isinstance(X, np.ndarray) and X.dtype == object) else None
        if rows is None:
            items = list(np.asarray(X, dtype=object).ravel())
            rows = np.vstack(items).astype(np.float64) if items else np.zeros((0, len(LINE_FEATURE_NAMES)))
        if rows.ndim != 2 or rows.shape[1] != len(LINE_FEATURE_NAMES):
            raise ValueError(f"expected line features of shape (n, {len(LINE_FEATURE_NAMES)}), got {rows.shape}")
        return sp.csr_matrix(rows * float(self.weight))

    def fit_transform(self, X, y=None):
        return self.transform(X)

    def get_feature_names_out(self, input_features=None):
        return np.array(LINE_FEATURE_NAMES, dtype=object)
