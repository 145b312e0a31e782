"""The three labels officeclass predicts, in a fixed order."""

from __future__ import annotations

__all__ = ["LABELS", "FRONT_OFFICE", "BACK_OFFICE", "HYBRID", "DISPLAY_NAMES", "check_label"]

FRONT_OFFICE = "front_office"
BACK_OFFICE = "back_office"
HYBRID = "hybrid"

#: Every label, in the order used for probability columns and matrices.
LABELS: tuple[str, ...] = (FRONT_OFFICE, BACK_OFFICE, HYBRID)

DISPLAY_NAMES: dict[str, str] = {
    FRONT_OFFICE: "Front office",
    BACK_OFFICE: "Back office",
    HYBRID: "Hybrid",
}


def check_label(value: object) -> str:
    """Return ``value`` if it is one of :data:`LABELS`, else raise ``ValueError``.

    Examples
    --------
    >>> check_label("hybrid")
    'hybrid'
    """
    if value not in LABELS:
        raise ValueError(f"Unknown label {value!r}; expected one of {', '.join(LABELS)}.")
    return str(value)
