"""Explanations as data, and their text, HTML and DataFrame renderings.

For a linear model the explanation is exact. It explains the *margin* of the
predicted label over the runner-up: the difference of their decision scores,
``margin = intercept + sum(contribution)``, where ``intercept`` is the
difference of the two labels' intercepts and each feature's contribution is
its value (a tf-idf weight, a role count, a line share) times the difference
of the two labels' coefficients. A term "for" the label is one that makes it
beat the runner-up; a multinomial model's coefficient for one label alone
reads backwards (``payroll`` can carry a negative back-office coefficient that
is still larger than its front-office one).

On top of the model's features, an explanation lists the posting's lines with
their tags (client-facing, internal, both, requirement, other) and character
spans in the original text, and the role-lexicon entries (from the seed
articles) found in the posting.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from .labels import DISPLAY_NAMES, LABELS
from .lexicon import RoleMatch, find_roles
from .lines import TAGS, posting_lines

if TYPE_CHECKING:
    import pandas as pd
    import scipy.sparse as sp

    from .model import Classifier

__all__ = ["TermContribution", "LineReading", "Explanation", "explain_rows", "top_terms", "FIELD_NAMES", "TAG_NAMES"]

#: How each feature block is named in renderings.
FIELD_NAMES: dict[str, str] = {
    "title": "title",
    "text": "text",
    "roles": "roles",
    "lines": "line shares",
    "client_lines": "client-facing lines",
    "internal_lines": "internal lines",
}
#: Readable names of the line tags.
TAG_NAMES: dict[str, str] = {"client_facing": "client-facing", "internal": "internal", "both": "both", "requirement": "requirement", "other": "other"}
_TAG_COLOURS = {"client_facing": "#cfe8ff", "internal": "#ffe3c2", "both": "#e3d7ff", "requirement": "#f4f4f4", "other": "#f4f4f4"}
_DUTY_TAGS = ("client_facing", "internal", "both")


@dataclass(frozen=True)
class TermContribution:
    """One feature's exact push on the margin of the explained label over the runner-up."""

    term: str
    field: str  # "title", "text", "roles", "lines", "client_lines" or "internal_lines"
    value: float  # the feature's value in this posting (tf-idf weight, role count, line share)
    weight: float  # coefficient of the explained label minus that of the runner-up
    contribution: float  # value * weight


@dataclass(frozen=True)
class LineReading:
    """One line of the posting as the line tagger read it.

    ``start`` and ``end`` index the original text given to ``classify``
    (``text_given[start:end]`` is the line before cleaning); ``text`` is the
    cleaned line the model read; ``tag`` the most probable of
    :data:`~officeclass.lines.TAGS`, with every tag's probability in ``probabilities``.
    """

    text: str
    start: int
    end: int
    tag: str
    probabilities: Mapping[str, float]

    @property
    def is_duty(self) -> bool:
        """Whether the line states work (client-facing, internal or both) rather than a requirement or other text."""
        return self.tag in _DUTY_TAGS


@dataclass(frozen=True, repr=False)
class Explanation:
    """Why a posting got its label.

    Attributes
    ----------
    label : str
        The label explained (the predicted one).
    runner_up : str
        The label with the next highest score.
    score : float
        The margin of ``label`` over ``runner_up`` (difference of their decision
        scores): ``intercept + sum(c.contribution for c in contributions)``.
    intercept : float
        The difference of the two labels' intercepts.
    contributions : tuple of TermContribution
        Every feature present in the posting, largest absolute contribution first
        (built on first access).
    roles : tuple of RoleMatch
        Lexicon entries found in ``text`` (spans index ``text``), then in ``title``
        (spans index ``title``; ``field`` tells which).
    lines : tuple of LineReading
        The posting's lines in reading order, each with its tag and its span
        in the original text (the first 120 lines of a very long posting).
    text, title : str
        The normalised text (one line per line) and title the model read.
    """

    label: str
    score: float
    intercept: float
    roles: tuple[RoleMatch, ...]
    text: str
    title: str = ""
    role_fields: tuple[str, ...] = field(default=())
    runner_up: str = ""
    lines: tuple[LineReading, ...] = field(default=())
    # The row's non-zero features: names (shared with the model), values and coefficients.
    # Contributions are built from these on first use, so batches that only need
    # a summary do not pay for hundreds of objects per posting.
    _fields: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object), repr=False, compare=False)
    _terms: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object), repr=False, compare=False)
    _values: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)
    _weights: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)

    @functools.cached_property
    def contributions(self) -> tuple[TermContribution, ...]:
        """Every term present in the posting, largest absolute contribution first."""
        contrib = self._values * self._weights
        order = np.argsort(-np.abs(contrib), kind="stable")
        return tuple(self._term(j, contrib) for j in order)

    def _term(self, j: int, contrib: np.ndarray) -> TermContribution:
        return TermContribution(str(self._terms[j]), str(self._fields[j]), float(self._values[j]), float(self._weights[j]), float(contrib[j]))

    def __repr__(self) -> str:
        roles = sorted({r.term for r in self.roles})
        return (
            f"Explanation(label={self.label!r}, runner_up={self.runner_up!r}, margin={self.score:.3f}, intercept={self.intercept:.3f}, "
            f"terms={len(self.contributions)}, top={[c.term for c in self.top(3)]}, roles={roles}, {self.duty_summary()})"
        )

    @property
    def margin(self) -> float:
        """The margin of :attr:`label` over :attr:`runner_up` (the same as :attr:`score`)."""
        return self.score

    def duty_counts(self) -> dict[str, int]:
        """How many lines carry each tag."""
        counts = {t: 0 for t in TAGS}
        for line in self.lines:
            counts[line.tag] += 1
        return counts

    def duty_summary(self) -> str:
        """``"9 duty lines: 5 client-facing, 3 internal, 1 both"`` (of the posting's lines)."""
        counts = self.duty_counts()
        n = sum(counts[t] for t in _DUTY_TAGS)
        parts = ", ".join(f"{counts[t]} {TAG_NAMES[t]}" for t in _DUTY_TAGS if counts[t])
        total = len(self.lines)
        return f"{n} duty line{'s' if n != 1 else ''}" + (f": {parts}" if parts else "") + f" (of {total} line{'s' if total != 1 else ''})"

    def strongest_lines(self, tag: str, n: int = 2) -> list[LineReading]:
        """The ``n`` lines tagged ``tag`` with the highest probability of it."""
        if tag not in TAGS:
            raise ValueError(f"tag must be one of {', '.join(TAGS)}, got {tag!r}.")
        chosen = [line for line in self.lines if line.tag == tag]
        return sorted(chosen, key=lambda line: -line.probabilities[tag])[:n]

    def top(self, n: int = 10, *, direction: str = "for") -> list[TermContribution]:
        """The ``n`` terms pushing hardest ``"for"`` or ``"against"`` the label."""
        if direction not in ("for", "against"):
            raise ValueError(f"direction must be 'for' or 'against', got {direction!r}.")
        signed = self._values * self._weights * (1 if direction == "for" else -1)
        chosen = np.flatnonzero(signed > 0)
        order = chosen[np.argsort(-signed[chosen], kind="stable")][:n]
        contrib = self._values * self._weights
        return [self._term(j, contrib) for j in order]

    def roles_by_label(self) -> dict[str, list[str]]:
        """Distinct matched lexicon terms, grouped by the label the seeds give them."""
        out: dict[str, list[str]] = {lab: [] for lab in LABELS}
        for r in self.roles:
            if r.term not in out[r.label]:
                out[r.label].append(r.term)
        return out

    def summary(self, n: int = 5) -> str:
        """A one-line summary of the strongest terms: ``+sales, +account manager, -payroll``.

        A term present in both title and text is listed once.
        """
        parts: list[str] = []
        for sign, direction, count in (("+", "for", n), ("-", "against", max(1, n // 2))):
            seen: set[str] = set()
            for c in self.top(2 * count, direction=direction):
                if c.term not in seen and len(seen) < count:
                    seen.add(c.term)
                    parts.append(f"{sign}{c.term}")
        return ", ".join(parts)

    # ------------------------------------------------------------- renderings
    def lines_frame(self) -> pd.DataFrame:
        """One row per line: line (1-based), start, end, tag, text and each tag's probability (``p_<tag>``)."""
        import pandas as pd

        return pd.DataFrame(
            [(i, r.start, r.end, r.tag, r.text, *(r.probabilities[t] for t in TAGS)) for i, r in enumerate(self.lines, 1)],
            columns=["line", "start", "end", "tag", "text", *(f"p_{t}" for t in TAGS)],
        )

    def to_frame(self) -> pd.DataFrame:
        """Every contribution as a DataFrame (term, field, value, weight, contribution)."""
        import pandas as pd

        return pd.DataFrame(
            [(c.term, c.field, c.value, c.weight, c.contribution) for c in self.contributions],
            columns=["term", "field", "value", "weight", "contribution"],
        )

    def roles_frame(self) -> pd.DataFrame:
        """Matched lexicon entries as a DataFrame (term, label, seeds, field, start, end, matched)."""
        import pandas as pd

        fields = self.role_fields or ("text",) * len(self.roles)
        return pd.DataFrame(
            [(r.term, r.label, ";".join(r.seeds), f, r.start, r.end, r.matched) for r, f in zip(self.roles, fields)],
            columns=["term", "label", "seeds", "field", "start", "end", "matched"],
        )

    def to_text(self, n: int = 8, *, quote: int = 2) -> str:
        """A terminal-friendly explanation: the margin, its terms, the duty lines (``quote`` of each side) and the roles."""
        runner = DISPLAY_NAMES.get(self.runner_up, self.runner_up).lower()
        lines = [f"{DISPLAY_NAMES[self.label]} over {runner} by {self.score:+.3f} (margin = intercept {self.intercept:+.3f} + terms)"]
        lines.append("  terms for:     " + (", ".join(f"{c.term} ({c.contribution:+.3f}, {FIELD_NAMES.get(c.field, c.field)})" for c in self.top(n)) or "none"))
        lines.append(
            "  terms against: " + (", ".join(f"{c.term} ({c.contribution:+.3f}, {FIELD_NAMES.get(c.field, c.field)})" for c in self.top(n, direction="against")) or "none")
        )
        if self.lines:
            lines.append(f"  {self.duty_summary()}")
            for tag in _DUTY_TAGS:
                for r in self.strongest_lines(tag, quote):
                    shown = r.text if len(r.text) <= 100 else r.text[:97] + "..."
                    lines.append(f"    {TAG_NAMES[tag]:<13} {r.probabilities[tag]:.2f}  {shown}")
        for lab, terms in self.roles_by_label().items():
            if terms:
                lines.append(f"  {DISPLAY_NAMES[lab].lower()} roles (seed lexicon): {', '.join(terms)}")
        if not self.roles:
            lines.append("  no role-lexicon terms found")
        return "\n".join(lines)

    def _marked(self, start: int, end: int, spans: list[RoleMatch]) -> str:
        """``self.text[start:end]`` as HTML, with the lexicon spans inside it marked by label."""
        colours = {"front_office": "#1f6fd1", "back_office": "#c46a00", "hybrid": "#7048c9"}
        out, pos = [], start
        for r in spans:
            if r.start < pos or r.end > end:
                continue
            out.append(html.escape(self.text[pos : r.start]))
            title = html.escape(f"{r.label} (seed {', '.join(r.seeds)})")
            out.append(
                f'<mark style="background:none;border-bottom:2px solid {colours[r.label]};font-weight:600" title="{title}">{html.escape(self.text[r.start : r.end])}</mark>'
            )
            pos = r.end
        out.append(html.escape(self.text[pos:end]))
        return "".join(out)

    def to_html(self, n: int = 8) -> str:
        """HTML: each line shaded by its tag (requirements and other text greyed), lexicon roles underlined by label, and the top terms."""
        fields = self.role_fields or ("text",) * len(self.roles)
        spans = sorted((r for r, f in zip(self.roles, fields) if f == "text"), key=lambda r: r.start)
        body, pos = [], 0
        for k, line in enumerate(posting_lines(self.text)):
            reading = self.lines[k] if k < len(self.lines) else None
            tag = reading.tag if reading is not None else "other"
            style = f"background:{_TAG_COLOURS[tag]}" + ("" if tag in _DUTY_TAGS else ";color:#888")
            tip = html.escape(f"{TAG_NAMES[tag]} ({reading.probabilities[tag]:.2f})" if reading is not None else "not tagged")
            body.append(f'<div style="{style};padding:0 .3em" title="{tip}">{self._marked(pos, pos + len(line), spans)}</div>')
            pos += len(line) + 1
        rows = "".join(
            f"<tr><td>{html.escape(c.term)}</td><td>{FIELD_NAMES.get(c.field, c.field)}</td><td style='text-align:right'>{c.contribution:+.3f}</td></tr>"
            for c in self.top(n) + self.top(n, direction="against")
        )
        legend = " ".join(f'<span style="background:{_TAG_COLOURS[t]};padding:0 .3em">{TAG_NAMES[t]}</span>' for t in _DUTY_TAGS)
        legend += ' <span style="color:#888">requirement / other</span>; seed-lexicon roles underlined: '
        legend += " ".join(
            f'<span style="border-bottom:2px solid {c}">{DISPLAY_NAMES[lab]}</span>'
            for lab, c in {"front_office": "#1f6fd1", "back_office": "#c46a00", "hybrid": "#7048c9"}.items()
        )
        title = f"<div><b>Title:</b> {html.escape(self.title)}</div>" if self.title else ""
        runner = DISPLAY_NAMES.get(self.runner_up, self.runner_up).lower()
        return (
            f"<div class='officeclass-explanation'><div><b>{DISPLAY_NAMES[self.label]}</b> over {html.escape(runner)} "
            f"by {self.score:+.3f} (intercept {self.intercept:+.3f}); {html.escape(self.duty_summary())}</div>{title}"
            f"<div style='margin:.5em 0'>Lines: {legend}</div>"
            f"<div style='max-height:24em;overflow:auto;border:1px solid #ddd;padding:.3em'>{''.join(body)}</div>"
            f"<table><tr><th>term</th><th>from</th><th>contribution</th></tr>{rows}</table></div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()


def _readings(spans: Sequence[tuple[int, int]] | None, texts: list[str], proba: np.ndarray | None) -> tuple[LineReading, ...]:
    if proba is None or not len(proba):
        return ()
    tags = proba.argmax(axis=1)
    return tuple(
        LineReading(text, int(span[0]), int(span[1]), TAGS[int(t)], MappingProxyType(dict(zip(TAGS, p.round(6).tolist()))))
        for text, span, t, p in zip(texts, spans if spans is not None else [(-1, -1)] * len(texts), tags, proba)
    )


def explain_rows(
    model: Classifier,
    X: sp.csr_matrix,
    label_idx: np.ndarray,
    decision: np.ndarray,
    texts: list[str],
    titles: list[str],
    *,
    line_proba: list[np.ndarray] | None = None,
    line_spans: list[Sequence[tuple[int, int]]] | None = None,
) -> list[Explanation]:
    """Build one :class:`Explanation` per row of a feature matrix (vectorised where it counts).

    Each explains the margin of ``label_idx`` over the runner-up. ``line_proba``
    (each posting's line-tag probabilities) and ``line_spans`` (each line's span
    in the original text) give :attr:`Explanation.lines`.
    """
    fields, terms = model.feature_fields, model.feature_terms
    X = X.tocsr()
    out = []
    for i in range(X.shape[0]):
        k = int(label_idx[i])
        others = [j for j in np.argsort(-decision[i], kind="stable") if j != k]
        r = int(others[0])
        lo, hi = X.indptr[i], X.indptr[i + 1]
        cols = X.indices[lo:hi]
        text_roles = find_roles(texts[i]) if texts[i] else ()
        title_roles = find_roles(titles[i]) if titles[i] else ()
        proba = None if line_proba is None else line_proba[i]
        lines = _readings(None if line_spans is None else line_spans[i], posting_lines(texts[i]), proba)
        out.append(
            Explanation(
                label=LABELS[k],
                score=float(decision[i, k] - decision[i, r]),
                intercept=float(model.intercept_[k] - model.intercept_[r]),
                roles=text_roles + title_roles,
                text=texts[i],
                title=titles[i],
                role_fields=("text",) * len(text_roles) + ("title",) * len(title_roles),
                runner_up=LABELS[r],
                lines=lines,
                _fields=fields[cols],
                _terms=terms[cols],
                _values=X.data[lo:hi],
                _weights=model.coef_[k, cols] - model.coef_[r, cols],
            )
        )
    return out


def top_terms(model: Classifier, n: int = 20) -> pd.DataFrame:
    """Global explanation: the ``n`` largest coefficients per label and field.

    Returns a long DataFrame with columns label, rank, field, term, weight.
    """
    import pandas as pd

    rows = []
    for k, lab in enumerate(LABELS):
        order = np.argsort(-model.coef_[k], kind="stable")[:n]
        for rank, j in enumerate(order, 1):
            rows.append((lab, rank, model.feature_fields[j], model.feature_terms[j], float(model.coef_[k, j])))
    return pd.DataFrame(rows, columns=["label", "rank", "field", "term", "weight"])
