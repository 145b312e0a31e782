"""Explanations as data, and their text, HTML and DataFrame renderings.

For a linear model the explanation is exact: the decision score of the
explained label is ``intercept + sum(contribution)`` where each term's
contribution is its tf-idf value times the model coefficient. On top of the
model's terms, an explanation lists the role-lexicon entries (from the seed
articles) found in the posting, with character spans.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .labels import DISPLAY_NAMES, LABELS
from .lexicon import RoleMatch, find_roles

if TYPE_CHECKING:
    import pandas as pd
    import scipy.sparse as sp

    from .model import Classifier

__all__ = ["TermContribution", "Explanation", "explain_rows", "top_terms"]


@dataclass(frozen=True)
class TermContribution:
    """One term's exact push on the explained label's decision score."""

    term: str
    field: str  # "title", "text", or "roles" (counts of role-lexicon terms)
    value: float  # tf-idf value in this posting
    weight: float  # model coefficient for the explained label
    contribution: float  # value * weight


@dataclass(frozen=True, repr=False)
class Explanation:
    """Why a posting got its label.

    Attributes
    ----------
    label : str
        The label explained (the predicted one).
    score : float
        Its decision score: ``intercept + sum(c.contribution for c in contributions)``.
    intercept : float
        The model's intercept for ``label``.
    contributions : tuple of TermContribution
        Every term present in the posting, largest absolute contribution first
        (built on first access).
    roles : tuple of RoleMatch
        Lexicon entries found in ``text`` (spans index ``text``), then in ``title``
        (spans index ``title``; ``field`` tells which).
    text, title : str
        The normalised text and title the model read.
    """

    label: str
    score: float
    intercept: float
    roles: tuple[RoleMatch, ...]
    text: str
    title: str = ""
    role_fields: tuple[str, ...] = field(default=())
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
            f"Explanation(label={self.label!r}, score={self.score:.3f}, intercept={self.intercept:.3f}, "
            f"terms={len(self.contributions)}, top={[c.term for c in self.top(3)]}, roles={roles})"
        )

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

    def to_text(self, n: int = 8) -> str:
        """A terminal-friendly explanation."""
        lines = [f"{DISPLAY_NAMES[self.label]} (decision score {self.score:+.3f} = intercept {self.intercept:+.3f} + terms)"]
        lines.append("  terms for:     " + (", ".join(f"{c.term} ({c.contribution:+.3f}, {c.field})" for c in self.top(n)) or "none"))
        lines.append("  terms against: " + (", ".join(f"{c.term} ({c.contribution:+.3f}, {c.field})" for c in self.top(n, direction="against")) or "none"))
        for lab, terms in self.roles_by_label().items():
            if terms:
                lines.append(f"  {DISPLAY_NAMES[lab].lower()} roles (seed lexicon): {', '.join(terms)}")
        if not self.roles:
            lines.append("  no role-lexicon terms found")
        return "\n".join(lines)

    def to_html(self, n: int = 8) -> str:
        """HTML: the text with lexicon spans highlighted by label, and the top terms."""
        colours = {"front_office": "#cfe8ff", "back_office": "#ffe3c2", "hybrid": "#e3d7ff"}
        fields = self.role_fields or ("text",) * len(self.roles)
        spans = sorted((r for r, f in zip(self.roles, fields) if f == "text"), key=lambda r: r.start)
        out, pos = [], 0
        for r in spans:
            out.append(html.escape(self.text[pos : r.start]))
            title = html.escape(f"{r.label} (seed {', '.join(r.seeds)})")
            out.append(f'<mark style="background:{colours[r.label]}" title="{title}">{html.escape(self.text[r.start : r.end])}</mark>')
            pos = r.end
        out.append(html.escape(self.text[pos:]))
        rows = "".join(
            f"<tr><td>{html.escape(c.term)}</td><td>{c.field}</td><td style='text-align:right'>{c.contribution:+.3f}</td></tr>"
            for c in self.top(n) + self.top(n, direction="against")
        )
        legend = " ".join(f'<mark style="background:{colours[lab]}">{DISPLAY_NAMES[lab]}</mark>' for lab in LABELS)
        title = f"<div><b>Title:</b> {html.escape(self.title)}</div>" if self.title else ""
        return (
            f"<div class='officeclass-explanation'><div><b>{DISPLAY_NAMES[self.label]}</b> "
            f"(score {self.score:+.3f}, intercept {self.intercept:+.3f})</div>{title}"
            f"<div style='margin:.5em 0'>Seed-lexicon roles: {legend}</div>"
            f"<div style='white-space:pre-wrap;max-height:20em;overflow:auto;border:1px solid #ddd;padding:.5em'>{''.join(out)}</div>"
            f"<table><tr><th>term</th><th>field</th><th>contribution</th></tr>{rows}</table></div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()


def explain_rows(
    model: Classifier,
    X: sp.csr_matrix,
    label_idx: np.ndarray,
    decision: np.ndarray,
    texts: list[str],
    titles: list[str],
) -> list[Explanation]:
    """Build one :class:`Explanation` per row of a feature matrix (vectorised where it counts)."""
    fields, terms = model.feature_fields, model.feature_terms
    X = X.tocsr()
    out = []
    for i in range(X.shape[0]):
        k = int(label_idx[i])
        lo, hi = X.indptr[i], X.indptr[i + 1]
        cols = X.indices[lo:hi]
        text_roles = find_roles(texts[i]) if texts[i] else ()
        title_roles = find_roles(titles[i]) if titles[i] else ()
        out.append(
            Explanation(
                label=LABELS[k],
                score=float(decision[i, k]),
                intercept=float(model.intercept_[k]),
                roles=text_roles + title_roles,
                text=texts[i],
                title=titles[i],
                role_fields=("text",) * len(text_roles) + ("title",) * len(title_roles),
                _fields=fields[cols],
                _terms=terms[cols],
                _values=X.data[lo:hi],
                _weights=model.coef_[k, cols],
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
