"""Text normalisation: the one cleaning function used in training and prediction.

:func:`normalise` is applied to every title and description before the model
sees it, both when the corpus in ``datasets/`` is built and when a posting is
classified, so the two can never drift apart.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

__all__ = ["normalise", "Line", "split_lines", "normalise_lines", "stem_tokens", "MAX_CHARS", "MAX_LINE_WORDS"]

#: Texts longer than this are cut before normalisation. Annotators labelled
#: from the first ~350 words; 100,000 characters keeps every real posting whole
#: and bounds the time a pathological (e.g. 10 MB) cell can take.
MAX_CHARS = 100_000

# A real HTML tag: "<" then a tag name ("p", "/li", "br/", "a href=..."), a comment or a
# doctype. "<5 years", "a < b" and "->" are text and stay.
_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]{0,400})?/?|!--.{0,4000}?--|![A-Za-z][^<>]{0,400})>", re.DOTALL)
# <script> and <style> elements: their contents are code, not text.
_SCRIPT = re.compile(r"<(script|style)\b[^<>]{0,400}>.{0,100000}?</\1\s*>", re.IGNORECASE | re.DOTALL)
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


def _strip_tags(text: str) -> str:
    if "<s" in text or "<S" in text:
        text = _SCRIPT.sub(" ", text)
    return _TAG.sub(" ", text)


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
    >>> normalise("Requirements: <5 years in payroll. Path: Analyst -> Senior Analyst.")
    'Requirements: <5 years in payroll. Path: Analyst -> Senior Analyst.'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalise() expects a str, got {type(text).__name__}.")
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    if not text.isascii() and _MOJIBAKE_HINT.search(text):
        text = _fix_mojibake(text)
    if "<" in text:
        text = _strip_tags(text)
    if "&" in text:
        text = html.unescape(text)
        if "<" in text:  # entities that decoded to tags: "&lt;b&gt;"
            text = _strip_tags(text)
    text = _CONTROL.sub(" ", text)
    if "**" in text:
        text = _MASK.sub(" ", text)
    text = _GLUED.sub(r" \g<0>", text)
    return " ".join(text.split())  # collapse whitespace (faster than a regex)


#: Lines longer than this many words are cut into pieces of at most this many.
MAX_LINE_WORDS = 45

# Where a raw posting breaks into lines: line breaks; block-level HTML tags; bullet
# characters; a sentence end (a stop after a lower-case letter, digit or ")" and
# before a capital); words glued by a stripped line break ("ResponsibilitiesBuild").
_BREAK = re.compile(
    r"[\r\n\u2028\u2029]+"
    r"|</?(?:br|p|li|ul|ol|div|tr|h[1-6])\b[^<>]{0,400}>"
    r"|[\u2022\u25cf\u25aa\u25a0\u25e6\u2023\u2043\u27a2\u25ba\u2713\u2714\u00b7]"
    r"|(?<=[a-z0-9)][.!?])\s+(?=[A-Z])"
    r"|(?<=[a-z0-9)][.:;!?])(?=[A-Z][a-z])"
    r"|(?<=[a-z]{4})(?=[A-Z][a-z])",

)
_HTML_BREAK_CI = re.compile(r"</?(?:br|p|li|ul|ol|div|tr|h[1-6])\b[^<>]{0,400}>", re.IGNORECASE)
# A line that only announces the next ones ("Requirements:", "What you'll do:").
_HEADING_ONLY = re.compile(r"^\W*(?:\w+\W+){0,5}\w*:\W*$")
_RAW_TOKEN = re.compile(r"\S+")
_LEADING_MARK = re.compile(r"[\s\-*+>#~=_|\u2013\u2014]+(?=\S)")


@dataclass(frozen=True)
class Line:
    """One line of a posting: its normalised text and where it is in the original.

    ``start`` and ``end`` are character offsets into the text given to
    :func:`split_lines` (``raw[start:end]`` is the line before cleaning).
    """

    text: str
    start: int
    end: int


def split_lines(text: str) -> tuple[Line, ...]:
    r"""Split a raw posting into lines, the way a reader sees them.

    A posting breaks at line breaks, block HTML tags (``<br>``, ``<p>``,
    ``<li>``...), bullet characters, sentence ends and words glued by a
    stripped line break (``ResponsibilitiesBuild``). A short line that ends
    with a colon (a heading such as ``Requirements:``) is joined to the line
    after it, and a line of more than :data:`MAX_LINE_WORDS` words is cut.
    Each piece is cleaned by :func:`normalise`; empty ones are dropped. This is
    the one splitter used in training, prediction and explanations.

    Parameters
    ----------
    text : str
        The raw posting, before :func:`normalise`.

    Returns
    -------
    tuple of Line
        In reading order, each with its span in ``text``.

    Examples
    --------
    >>> for line in split_lines("Duties:\n- Serve clients at the counter\n- Post the ledger. Apply now"):
    ...     print(line.start, line.end, line.text)
    0 38 Duties: Serve clients at the counter
    41 57 Post the ledger.
    58 67 Apply now
    """
    if not isinstance(text, str):
        raise TypeError(f"split_lines() expects a str, got {type(text).__name__}.")
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    pieces: list[tuple[int, int]] = []
    pos = 0
    if "<" in text:
        cuts = sorted({(m.start(), m.end()) for pattern in (_BREAK, _HTML_BREAK_CI) for m in pattern.finditer(text)})
    else:  # one pattern: its matches come in order already
        cuts = [m.span() for m in _BREAK.finditer(text)]
    for start, end in cuts:
        if start < pos:
            continue
        if start > pos:
            pieces.append((pos, start))
        pos = max(pos, end)
    if pos < len(text):
        pieces.append((pos, len(text)))
    lines: list[Line] = []
    pending: tuple[int, str] | None = None  # a heading waiting for the line it announces
    for start, end in pieces:
        for s, e in _word_chunks(text, start, end):
            cleaned = normalise(text[s:e])
            if not cleaned:
                continue
            if pending is not None:
                s, cleaned = pending[0], pending[1] + " " + cleaned
                pending = None
            if _HEADING_ONLY.match(cleaned) and len(cleaned.split()) <= 6:
                pending = (s, cleaned)
                continue
            lines.append(Line(cleaned, s, e))
    if pending is not None:
        lines.append(Line(pending[1], pending[0], pending[0] + len(text[pending[0]:].rstrip())))
    return tuple(lines)


def _word_chunks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span [start, end) of ``text`` without leading marks, cut every :data:`MAX_LINE_WORDS` words."""
    lead = _LEADING_MARK.match(text, start, end)
    if lead:
        start = lead.end()
    if len(text[start:end].split(None, MAX_LINE_WORDS)) <= MAX_LINE_WORDS:  # one piece: no need to find every word
        while end > start and text[end - 1].isspace():
            end -= 1
        return [(start, end)] if end > start else []
    tokens = [(m.start(), m.end()) for m in _RAW_TOKEN.finditer(text, start, end)]
    if not tokens:
        return []
    return [(tokens[i][0], tokens[min(i + MAX_LINE_WORDS, len(tokens)) - 1][1]) for i in range(0, len(tokens), MAX_LINE_WORDS)]


def normalise_lines(text: str) -> str:
    r"""The posting as the model reads it: its :func:`split_lines` lines, one per line.

    Examples
    --------
    >>> normalise_lines("<ul><li>Sell</li><li>Invoice &amp; file</li></ul>")
    'Sell\nInvoice & file'
    """
    return "\n".join(line.text for line in split_lines(text))


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
