"""Feature blocks that score postings without importing scikit-learn.

A model is trained as a scikit-learn pipeline (:mod:`officeclass.model`), but
predicting needs only each tf-idf block's vocabulary, idf weights and
tokenising rules, and the logistic regression's coefficients. :class:`TfidfBlock`
holds exactly that, built from a fitted :class:`~sklearn.feature_extraction.text.TfidfVectorizer`
and giving the same matrix as its ``transform`` (a test compares them on real
postings). Importing scikit-learn (and, through it, SciPy's statistics and pandas)
takes about a second and ~140 MB per process, which every
``classify()`` call, batch worker and Spark executor would otherwise pay.

The blocks are stored as plain arrays (``.npz``, read with ``allow_pickle=False``,
so loading them cannot run code) beside the scikit-learn pipeline's ``.skops`` file.
"""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["TfidfBlock", "pack_text", "terms_in_index_order", "unpack_text"]


def pack_text(items: Sequence[str]) -> np.ndarray:
    """Strings (without newlines) as one UTF-8 byte array: compact, and storable without pickle."""
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def terms_in_index_order(vocabulary: dict[str, int]) -> list[str]:
    """A fitted vectoriser's vocabulary (term -> column) as the list of terms by column."""
    terms = sorted(vocabulary, key=vocabulary.__getitem__)
    if [vocabulary[t] for t in terms] != list(range(len(terms))):
        raise ValueError("The vectoriser's vocabulary indices are not 0..n-1.")
    return terms


def unpack_text(array: np.ndarray) -> list[str]:
    """The inverse of :func:`pack_text`."""
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []


class TfidfBlock:
    """A fitted word tf-idf block: ``TfidfVectorizer.transform`` for the settings officeclass uses.

    Supported: word analyzer with a token pattern (or officeclass's Snowball
    tokenizer), lower-casing, a stop-word list, n-grams, raw or sublinear term
    frequency, idf weights and L2 row normalisation. :meth:`from_vectoriser`
    refuses any other setting rather than score differently.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> v = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(["run the payroll", "sell to clients"])
    >>> block = TfidfBlock.from_vectoriser(v)
    >>> bool(abs(block.transform(["payroll run"]) - v.transform(["payroll run"])).max() < 1e-12)
    True
    """

    def __init__(
        self,
        terms: Sequence[str],
        idf: np.ndarray,
        *,
        stop_words: Sequence[str] = (),
        token_pattern: str = r"(?u)\b\w\w+\b",
        ngram_range: tuple[int, int] = (1, 1),
        lowercase: bool = True,
        sublinear_tf: bool = False,
        stem: bool = False,
        weight: float = 1.0,
    ) -> None:
        self.terms = np.asarray(list(terms), dtype=object)
        self.vocabulary = dict(zip(self.terms.tolist(), range(len(self.terms))))
        self.idf = np.ascontiguousarray(idf, dtype=np.float64)
        if len(self.idf) != len(self.terms):
            raise ValueError(f"{len(self.terms)} terms but {len(self.idf)} idf weights.")
        self.stop_words = frozenset(stop_words)
        self.token_pattern = token_pattern
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.lowercase = bool(lowercase)
        self.sublinear_tf = bool(sublinear_tf)
        self.stem = bool(stem)
        self.weight = float(weight)  # the ColumnTransformer's transformer weight of this block
        self._findall = re.compile(token_pattern).findall

    # ------------------------------------------------------------ construction
    @classmethod
    def from_vectoriser(cls, vectoriser: Any, *, weight: float = 1.0) -> TfidfBlock:
        """Take a fitted ``TfidfVectorizer``'s vocabulary, idf and rules (and the pipeline's weight of it); refuse settings this block cannot reproduce."""
        from .text import stem_tokens

        p = vectoriser.get_params()
        stem = p["tokenizer"] is stem_tokens
        unsupported = {
            "analyzer": p["analyzer"] != "word",
            "tokenizer": p["tokenizer"] is not None and not stem,
            "preprocessor": p["preprocessor"] is not None,
            "strip_accents": p["strip_accents"] is not None,
            "binary": p["binary"],
            "norm": p["norm"] != "l2",
            "use_idf": not p["use_idf"],
            "input": p["input"] != "content",
        }
        bad = sorted(k for k, v in unsupported.items() if v)
        if bad:
            raise ValueError(f"TfidfBlock cannot reproduce a TfidfVectorizer with these settings: {', '.join(f'{k}={p[k]!r}' for k in bad)}.")
        return cls(
            terms_in_index_order(vectoriser.vocabulary_),
            vectoriser.idf_,
            stop_words=sorted(vectoriser.get_stop_words() or ()),
            token_pattern=p["token_pattern"] or r"(?u)\b\w\w+\b",
            ngram_range=p["ngram_range"],
            lowercase=p["lowercase"],
            sublinear_tf=p["sublinear_tf"],
            stem=stem,
            weight=weight,
        )

    def spec(self) -> dict[str, Any]:
        """The block's rules as JSON-able data (the arrays are in :meth:`arrays`)."""
        spec = {
            "kind": "tfidf",
            "token_pattern": self.token_pattern,
            "ngram_range": list(self.ngram_range),
            "lowercase": self.lowercase,
            "sublinear_tf": self.sublinear_tf,
            "stem": self.stem,
        }
        if self.weight != 1.0:
            spec["weight"] = self.weight
        return spec

    def arrays(self) -> dict[str, np.ndarray]:
        return {"terms": pack_text(self.terms.tolist()), "idf": self.idf, "stop_words": pack_text(sorted(self.stop_words))}

    @classmethod
    def from_arrays(cls, spec: dict[str, Any], arrays: dict[str, np.ndarray]) -> TfidfBlock:
        if spec.get("kind") != "tfidf":
            raise ValueError(f"not a tf-idf block: {json.dumps(spec)}")
        return cls(
            unpack_text(arrays["terms"]),
            arrays["idf"],
            stop_words=unpack_text(arrays["stop_words"]),
            token_pattern=spec["token_pattern"],
            ngram_range=tuple(spec["ngram_range"]),  # type: ignore[arg-type]
            lowercase=spec["lowercase"],
            sublinear_tf=spec["sublinear_tf"],
            stem=spec["stem"],
            weight=spec.get("weight", 1.0),
        )

    # ------------------------------------------------------------ scoring
    weight = 1.0  # class default: blocks built before weights existed
    #: The token pattern scikit-learn uses by default (words of two or more characters).
    WORD_PATTERN = r"(?u)\b\w\w+\b"

    @property
    def reads_plain_words(self) -> bool:
        """Whether this block's tokens are the lower-cased :attr:`WORD_PATTERN` words, which others may share."""
        return self.lowercase and not self.stem and self.token_pattern == self.WORD_PATTERN

    def words(self, doc: str) -> list[str]:
        """A doc's tokens before stop words are removed (lower-cased when :attr:`lowercase`)."""
        if self.lowercase:
            doc = doc.lower()
        if self.stem:
            from .text import stem_tokens

            return stem_tokens(doc)
        return self._findall(doc)

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        """The tf-idf matrix of ``docs``, shape ``(len(docs), len(terms))``."""
        return self.transform_words(map(self.words, docs))

    def transform_words(self, word_lists: Iterable[list[str]]) -> sp.csr_matrix:
        """:meth:`transform` from each doc's tokens (as :meth:`words` gives them), read once, in order."""
        get = self.vocabulary.get
        stop = self.stop_words
        lo, hi = self.ngram_range
        # machine-word arrays, not lists of Python ints: a batch of 50,000 lines holds millions of entries
        indptr = array("q", [0])
        indices = array("q")
        counts = array("d")
        for tokens in word_lists:
            if stop:
                tokens = [w for w in tokens if w not in stop]
            hits: list[int | None] = []
            for n in range(lo, hi + 1):
                if n == 1:
                    hits.extend(map(get, tokens))
                elif n == 2:
                    hits.extend(map(get, map(" ".join, zip(tokens, tokens[1:]))))
                else:
                    hits.extend(map(get, (" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))))
            found = Counter(hits)  # counted in C; None (an unknown gram) is dropped below
            found.pop(None, None)
            indices.extend(found)  # type: ignore[arg-type]
            counts.extend(found.values())
            indptr.append(len(indices))
        n_docs = len(indptr) - 1
        index_dtype = np.int32 if len(indices) < 2**31 else np.int64
        X = sp.csr_matrix(
            (
                np.frombuffer(counts, dtype=np.float64).copy(),
                np.frombuffer(indices, dtype=np.int64).astype(index_dtype),
                np.frombuffer(indptr, dtype=np.int64).astype(index_dtype),
            ),
            shape=(n_docs, len(self.terms)),
        )
        X.sort_indices()
        if self.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1.0
        X.data *= self.idf[X.indices]
        # L2 rows, as sklearn.preprocessing.normalize: rows of zeros stay zeros
        lengths = np.diff(X.indptr)
        norms = np.sqrt(np.bincount(np.repeat(np.arange(n_docs), lengths), weights=X.data**2, minlength=n_docs))
        norms[norms == 0.0] = 1.0
        X.data /= np.repeat(norms, lengths)
        if self.weight != 1.0:
            X.data *= self.weight
        return X

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.terms
