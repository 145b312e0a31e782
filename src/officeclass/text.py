"""Text normalisation: the one cleaning function used in training and prediction.

:func:`normalise` is applied to every title and description before the model
sees it, both when the corpus in ``datasets/`` is built and when a posting is
classified, so the two can never drift apart.
"""

from __future__ import annotations

import html
import re

__all__ = ["normalise", "stem_tokens", "MAX_CHARS"]

#: Texts longer than this are cut before normalisation. Annotators labelled
#: from the first ~350 words; 100,000 characters keeps every real posting whole
#: and bounds the time a pathological (e.g. 10 MB) cell can take.
MAX_CHARS = 100_000

_TAG = re.compile(r"<[^>]{0,400}>")
# Characters typical of UTF-8 text decoded as latin-1/cp1252 ("Â£", "â€™", "Ã©").
_MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u20ac\u201a-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc]")
_MASK = re.compile(r"\*{2,}")
# "ResponsibilitiesDLP", "operation.Work": line breaks stripped by a scraper. A
# space goes before a capital that follows four lower-case letters or a stop
# after a lower-case letter, digit or ")". One pass: the pattern starts at the
# capital and looks back, so the regex engine skips ahead to capitals instead
# of trying every lower-case run. Same result as applying
# r"([a-z0-9\)][.:;!?])([A-Z])" and then r"([a-z]{4})([A-Z])" (a test checks).
_GLUED = re.compile(r"[A-Z](?:(?<=[a-z0-9\)][.:;!?][A-Z])|(?<=[a-z]{4}[A-Z]))")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def _fix_mojibake(text: str) -> str:
    import ftfy  # imported lazily: only texts that look broken pay for it

    return ftfy.fix_encoding(text)


def normalise(text: str) -> str:
    """Clean a posting's text for the model and for explanations.

    Steps, in order: cut to :data:`MAX_CHARS`; repair mojibake (``Â£`` to
    ``£``) with ftfy when it is present; unescape HTML entities and drop HTML
    tags; drop control characters; replace ``****`` number masks with a space;
    split words glued by stripped line breaks (``ResponsibilitiesDLP`` to
    ``Responsibilities DLP``, ``operation.Work`` to ``operation. Work``);
    collapse runs of whitespace. Case is kept (the vectoriser lowercases).

    Parameters
    ----------
    text : str
        Raw posting text.

    Returns
    -------
    str
        The normalised text; ``""`` when nothing readable is left.

    Examples
    --------
    >>> normalise("<p>Salary &pound;30k</p>ResponsibilitiesDLP admin")
    'Salary £30k Responsibilities DLP admin'
    >>> normalise("Salary ****K,  Â£ per  annum")
    'Salary K, £ per annum'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalise() expects a str, got {type(text).__name__}.")
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    if not text.isascii() and _MOJIBAKE_HINT.search(text):
        text = _fix_mojibake(text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
        if "<" in text:  # entities that decoded to tags: "&lt;b&gt;"
            text = _TAG.sub(" ", text)
    text = _CONTROL.sub(" ", text)
    if "**" in text:
        text = _MASK.sub(" ", text)
    text = _GLUED.sub(r" \g<0>", text)
    return " ".join(text.split())  # collapse whitespace (faster than a regex)


_WORD = re.compile(r"(?u)\b\w\w+\b")


def stem_tokens(text: str) -> list[str]:
    """Lower-case word tokens reduced by NLTK's Snowball stemmer ("managing" -> "manag").

    Used only when a model is built with ``stem=True`` (the shipped model is not:
    stemming was measured and did not help, see models/selection.csv). NLTK's
    stemmers need no downloaded data.
    """
    stem = _stemmer()
    return [stem(w) for w in _WORD.findall(text.lower())]


def _stemmer():
    import functools

    global _STEM
    if _STEM is None:
        from nltk.stem.snowball import SnowballStemmer

        _STEM = functools.lru_cache(maxsize=200_000)(SnowballStemmer("english").stem)
    return _STEM


_STEM = None
