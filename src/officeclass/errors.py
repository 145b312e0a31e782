"""Exceptions raised by officeclass.

Every exception derives from :class:`OfficeclassError` and from the built-in
exception a caller would naturally catch (``TypeError``, ``KeyError``,
``ValueError``...), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

__all__ = [
    "OfficeclassError",
    "InputTypeError",
    "InputValueError",
    "EmptyTextError",
    "ColumnNotFoundError",
    "AmbiguousColumnError",
    "InputFormatError",
    "EncodingError",
    "BadLinesError",
    "OutputExistsError",
    "OutputDirectoryError",
    "ModelLoadError",
    "ModelIntegrityError",
    "ModelVersionWarning",
    "MissingDependencyError",
]


class OfficeclassError(Exception):
    """Base class of every error raised by officeclass."""


class InputTypeError(OfficeclassError, TypeError):
    """A function received a value of the wrong type (e.g. a list for ``classify``)."""


class InputValueError(OfficeclassError, ValueError):
    """A function received a value of the right type but unusable content (e.g. lengths differ)."""


class EmptyTextError(InputValueError):
    """:func:`~officeclass.classify` was given a text with nothing to read and no title."""


class ColumnNotFoundError(OfficeclassError, KeyError):
    """A named column is not in the input table."""

    def __init__(self, column: str, available: Sequence[str], *, source: str = "the input"):
        self.column = column
        self.available = list(available)
        message = f"Column {column!r} not in {source}; available: {', '.join(map(str, available)) or '(none)'}."
        close = difflib.get_close_matches(str(column), [str(a) for a in available], n=1, cutoff=0.6)
        if close:
            message += f" Did you mean {close[0]!r}?"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would repr() the message otherwise
        return self.message


class AmbiguousColumnError(OfficeclassError, ValueError):
    """No column was named and more than one (or none) could be the text column."""


class InputFormatError(OfficeclassError, ValueError):
    """An input file cannot be read as the format its name says."""


class EncodingError(InputFormatError):
    """An input file is not in the expected text encoding."""


class BadLinesError(InputFormatError):
    """A delimited file has malformed rows and ``on_bad_lines='error'``."""


class OutputExistsError(OfficeclassError, FileExistsError):
    """The output would overwrite columns or files the user did not ask to overwrite."""


class OutputDirectoryError(OfficeclassError, FileNotFoundError):
    """The output's directory does not exist (and creating it was not asked for)."""


class ModelLoadError(OfficeclassError, ValueError):
    """A model file is missing, malformed, or contains untrusted types."""


class ModelIntegrityError(ModelLoadError):
    """A model file does not match the SHA-256 recorded in its metadata."""


class ModelVersionWarning(UserWarning):
    """A model was saved with a different scikit-learn minor version than the one installed."""


class MissingDependencyError(OfficeclassError, ImportError):
    """An optional dependency is needed for this feature and is not installed."""
