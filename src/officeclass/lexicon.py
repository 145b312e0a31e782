"""The role lexicon: terms from the seed articles' role lists, and their matcher.

The lexicon is a data file (``officeclass/data/lexicon.csv``) with one row per
term: the term, the label its seed article gives it, the seed file(s) it comes
from (``000`` to ``004``, the five articles the project was created from) and
a one-line summary of the evidence. It is read on first use, never at import.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from .labels import LABELS

__all__ = ["LexiconEntry", "RoleMatch", "load_lexicon", "find_roles", "find_roles_in_words", "SEED_FILES"]

#: The seed articles, by the number the lexicon cites.
SEED_FILES: dict[str, str] = {
    "000": "000_a5d1390bcc42e059.txt: Back Office Jobs vs. Front Office jobs: Which Is the Better Choice?",
    "001": "001_2276a6f80ba15a9d.txt: Front Office versus Back Office Administration Jobs: What is the Difference?",
    "002": "002_ff2f6fb0b5dff7c9.txt: The Importance of Front Office and Back Office Jobs",
    "003": "003_03e49277733eb131.txt: Front Office vs Back Office: Which Role Suits You? (FangWallet)",
    "004": "004_237737481ecdedbf.txt: Difference Between Front Office and Back Office (WallStreetMojo)",
}


@dataclass(frozen=True)
class LexiconEntry:
    """One term of the role lexicon."""

    term: str
    label: str
    seeds: tuple[str, ...]
    case_sensitive: bool
    evidence: str


@dataclass(frozen=True)
class RoleMatch:
    """A lexicon term found in a text, with its character span in that text."""

    term: str
    label: str
    seeds: tuple[str, ...]
    start: int
    end: int
    matched: str


@functools.cache
def load_lexicon() -> tuple[LexiconEntry, ...]:
    """Return the packaged role lexicon.

    Examples
    --------
    >>> entries = load_lexicon()
    >>> next(e for e in entries if e.term == "payroll").label
    'back_office'
    """
    raw = resources.files("officeclass").joinpath("data").joinpath("lexicon.csv").read_text(encoding="utf-8")
    entries = []
    for row in csv.DictReader(io.StringIO(raw)):
        if row["label"] not in LABELS:
            raise ValueError(f"lexicon.csv: unknown label {row['label']!r} for term {row['term']!r}")
        entries.append(
            LexiconEntry(
                term=row["term"],
                label=row["label"],
                seeds=tuple(row["seed"].split(";")),
                case_sensitive=row["case_sensitive"] == "1",
                evidence=row["evidence"],
            )
        )
    return tuple(entries)


_TOKEN = re.compile(r"\w+")


def _squash(term: str) -> str:
    """The key a term or matched span maps to: spaces and hyphens removed ("after-sales" = "aftersales")."""
    return re.sub(r"[\s-]+", "", term)


def _pattern(terms: list[str], flags: int) -> re.Pattern[str]:
    # Longest first so "sales and trading" wins over "sales"; words may be joined by spaces or hyphens.
    alternatives = [re.escape(t).replace(r"\-", "[- ]?").replace(r"\ ", r"[\s-]+") for t in sorted(terms, key=len, reverse=True)]
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", flags)


@functools.cache
def _index() -> tuple[dict[str, LexiconEntry], dict[str, LexiconEntry], frozenset[str], frozenset[str]]:
    """Lookup tables (squashed term -> entry) and the tokens a term can start with, per case mode."""
    entries = load_lexicon()
    sensitive = [e for e in entries if e.case_sensitive]
    insensitive = [e for e in entries if not e.case_sensitive]
    exact = {_squash(e.term): e for e in sensitive}
    folded = {_squash(e.term).lower(): e for e in insensitive}
    first_exact = frozenset(_TOKEN.findall(e.term)[0] for e in sensitive) | frozenset(exact)
    first_folded = frozenset(_TOKEN.findall(e.term.lower())[0] for e in insensitive) | frozenset(folded)
    return exact, folded, first_exact, first_folded


@functools.cache
def _pattern_at(token: str, fold: bool) -> re.Pattern[str] | None:
    """The anchored pattern of the terms that can match where the token ``token`` starts.

    A match starting there begins with that whole token, so only terms whose
    squashed form starts with it can match (``fold``: case-insensitive terms,
    ``token`` lower-cased). Trying these few instead of the whole lexicon gives
    the same match, in the same longest-first order.
    """
    terms = [e.term for e in load_lexicon() if e.case_sensitive != fold and (_squash(e.term).lower() if fold else _squash(e.term)).startswith(token)]
    return _pattern(terms, re.IGNORECASE if fold else 0) if terms else None


def find_roles(text: str) -> tuple[RoleMatch, ...]:
    """Find lexicon terms in ``text``, longest match first, without overlaps.

    Results are kept for the last 4,096 texts: when a batch is explained, the
    role-count features and the explanation ask for the same text's roles.

    Matching is by whole words: the words of a term may be joined by spaces or
    hyphens ("after-sales", "after sales", "aftersales"), case is ignored except
    for acronyms marked case-sensitive ("IT", "HR", "ERP"), and a term glued to
    a hyphenated word ("non-sales") does not match.

    Parameters
    ----------
    text : str
        The text to search (officeclass passes the normalised posting).

    Returns
    -------
    tuple of RoleMatch
        Sorted by position; ``text[m.start:m.end] == m.matched``.

    Examples
    --------
    >>> [(m.term, m.label) for m in find_roles("Sales and trading desk; IT support, payroll.")]
    [('sales and trading', 'front_office'), ('IT support', 'back_office'), ('payroll', 'back_office')]
    """
    with _cache_lock:
        cached = _cache.get(text)
        if cached is not None:
            _cache.move_to_end(text)
            return cached
    return _remember(text, _find_roles(text))


def find_roles_in_words(text: str, lowered_words: Iterable[str]) -> tuple[RoleMatch, ...]:
    """:func:`find_roles` for a text whose lower-cased words (``\\w\\w+`` tokens) are already known.

    The tf-idf block tokenises each text anyway; giving its tokens here spares
    a second pass. The result is the same as :func:`find_roles`' (a test checks).
    """
    return _remember(text, _find_roles(text, frozenset(lowered_words)))


_CACHE_SIZE = 4096
_cache: OrderedDict[str, tuple[RoleMatch, ...]] = OrderedDict()
_cache_lock = threading.Lock()


def _remember(text: str, matches: tuple[RoleMatch, ...]) -> tuple[RoleMatch, ...]:
    with _cache_lock:
        _cache[text] = matches
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return matches


def _cache_clear() -> None:
    with _cache_lock:
        _cache.clear()


find_roles.cache_clear = _cache_clear  # type: ignore[attr-defined]


def _find_roles(text: str, lowered_words: frozenset[str] | None = None) -> tuple[RoleMatch, ...]:
    """find_roles without the cache. ``lowered_words``: the text's ``\\w\\w+`` tokens, lower-cased, if known.

    Every word that can start a term has two or more characters, and lower-casing
    keeps each character a word character or not (a test checks this over all of
    Unicode), so those tokens contain every candidate the text's own tokens would.
    """
    _, _, first_exact, first_folded = _index()
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer ("İ"): positions would shift
        return _match_at(text, (t.start() for t in _TOKEN.finditer(text)))
    # Which words that can start a term occur at all: set operations in C over
    # the text's tokens, not a Python step per token (a posting holds a handful
    # of such words among hundreds of tokens).
    if lowered_words is None:
        tokens = _TOKEN.findall(text)
        words_exact = first_exact.intersection(tokens)
        words_folded = first_folded.intersection(map(str.lower, tokens))
    else:  # a superset of the above: str.find below keeps only real occurrences
        words_exact = {w for w in first_exact if w.lower() in lowered_words}
        words_folded = first_folded.intersection(lowered_words)
    if not words_exact and not words_folded:
        return ()
    # Where those words stand as whole tokens: str.find, then a word-boundary check.
    starts: set[int] = set()
    for words, haystack in ((words_exact, text), (words_folded, lowered)):
        for w in words:
            i = haystack.find(w)
            while i >= 0:
                end = i + len(w)
                if (i == 0 or not _is_word_char(text[i - 1])) and (end == len(text) or not _is_word_char(text[end])):
                    starts.add(i)
                i = haystack.find(w, end)
    return _match_at(text, sorted(starts))


def _is_word_char(ch: str) -> bool:
    """Whether ``ch`` matches the regex ``\\w`` (Unicode letters and digits, and ``_``)."""
    return ch.isalnum() or ch == "_"


def _match_at(text: str, starts: Iterable[int]) -> tuple[RoleMatch, ...]:
    """Try the lexicon at each token start, in order, longest term first, without overlaps.

    Given every token start this is the plain token-by-token matcher;
    :func:`find_roles` gives it only the tokens that can start a term.
    """
    _, _, first_exact, first_folded = _index()
    matches: list[RoleMatch] = []
    last_end = 0
    for start in starts:
        if start < last_end:
            continue
        word = _TOKEN.match(text, start).group()  # type: ignore[union-attr]
        best = None
        if word in first_exact:
            p = _pattern_at(word, False)
            best = p.match(text, start) if p is not None else None
        lower = word.lower()
        if lower in first_folded:
            p = _pattern_at(lower, True)
            m = p.match(text, start) if p is not None else None
            if m is not None and (best is None or m.end() > best.end()):
                best = m
        if best is None:
            continue
        matches.append(_role_match(best))
        last_end = best.end()
    return tuple(matches)


def _role_match(m: re.Match[str]) -> RoleMatch:
    """The lexicon entry a pattern match stands for, with its span."""
    exact, folded, _, _ = _index()
    key = _squash(m.group())
    entry = exact.get(key) or folded[key.lower()]
    return RoleMatch(entry.term, entry.label, entry.seeds, m.start(), m.end(), m.group())


class RoleCounts:
    """Transformer: counts of role-lexicon terms per label in each text, as model features.

    For each text it returns ``log1p(count)`` of front-office, back-office and
    hybrid lexicon terms, and ``log1p(min(front, back))``: a posting naming
    both sides' roles is evidence for hybrid, which a linear model over single
    words cannot express on its own.
    """

    _names = ("front-office roles", "back-office roles", "hybrid roles", "front+back roles")

    def __init__(self) -> None:
        pass

    def get_params(self, deep: bool = True) -> dict:
        return {}

    def set_params(self, **params) -> RoleCounts:
        return self

    def fit(self, X, y=None) -> RoleCounts:
        return self

    def transform(self, X):
        return self.from_matches([find_roles(text) for text in X])

    def from_matches(self, roles: list[tuple[RoleMatch, ...]]):
        """The features from each text's lexicon matches (as :func:`find_roles` gives them)."""
        import numpy as np
        import scipy.sparse as sp

        out = np.zeros((len(roles), 4), dtype=np.float64)
        index = {label: j for j, label in enumerate(LABELS)}
        for i, matches in enumerate(roles):
            for m in matches:
                out[i, index[m.label]] += 1
        out[:, 3] = np.minimum(out[:, 0], out[:, 1])
        return sp.csr_matrix(np.log1p(out))

    def fit_transform(self, X, y=None):
        return self.transform(X)

    def get_feature_names_out(self, input_features=None):
        import numpy as np

        return np.array(self._names, dtype=object)
