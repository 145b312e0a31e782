"""Label whole tables and files of postings: label_frame and label_file.

``label_file`` streams its input in chunks (memory stays flat as files grow),
can use several worker processes (results are written in input order), writes
to a temporary location and renames on success (an interrupted run never
leaves a half file under the final name), and can resume an interrupted run
from its last completed chunk.

Formats by extension: ``.csv``, ``.tsv``, ``.parquet``, ``.jsonl`` (each
optionally ``.gz``, except Parquet); ``-`` is CSV on stdin/stdout.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from .errors import (
    AmbiguousColumnError,
    BadLinesError,
    ColumnNotFoundError,
    EncodingError,
    InputFormatError,
    InputValueError,
    MissingDependencyError,
    OutputDirectoryError,
    OutputExistsError,
)
from .model import Classifier
from .predict import EXPLAIN_COLUMNS, OUTPUT_COLUMNS, default_model_version, score_columns

__all__ = [
    "label_frame",
    "label_file",
    "read_table",
    "LabelSummary",
    "OUTPUT_COLUMNS",
    "EXPLAIN_COLUMNS",
    "AUTO",
    "guess_text_column",
    "guess_title_column",
]

PREFIX = "officeclass_"
#: ``title_column=AUTO`` (the default everywhere): use the one column named like a title, if any.
AUTO = "auto"
# Column names are compared case- and separator-insensitively ("Job Description" = "job_description").
# Earlier tuples win: a file with "Description" and "Job Summary" uses "Description".
TEXT_CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("description", "jobdescription", "fulldescription", "postingtext", "jobposting", "jobpost", "jobtext", "text", "body", "posting", "advert", "adtext"),
    ("jobsummary", "summary", "jobdetails", "details"),
)
TITLE_CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("title", "jobtitle", "positiontitle", "postingtitle", "jobname"),
    ("position", "role", "jobrole"),
)
FORMATS = ("csv", "tsv", "parquet", "jsonl", "json", "xlsx")
#: Delimiters a ``.csv`` header is sniffed for (comma wins a tie).
DELIMITERS = (",", ";", "\t", "|")
BAD_LINE_MODES = ("error", "skip", "report")


@dataclass
class LabelSummary:
    """What a :func:`label_file` run did."""

    output: str
    rows_in: int = 0
    rows_out: int = 0
    rows_skipped: int = 0
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    labels: Counter = field(default_factory=Counter)
    chunks: int = 0
    chunks_resumed: int = 0
    seconds: float = 0.0
    text_column: str = ""
    title_column: str | None = None
    already_complete: bool = False

    def to_text(self) -> str:
        if self.already_complete:
            return f"{self.output} is already complete: nothing to resume (pass --overwrite instead of --resume to label it again)"
        rate = self.rows_out / self.seconds if self.seconds > 0 else float("nan")
        lines = [
            f"labelled {self.rows_out:,} of {self.rows_in:,} rows into {self.output} in {self.seconds:.1f} s ({rate:,.0f} rows/s)"
            + (f"; resumed after {self.chunks_resumed} completed chunks" if self.chunks_resumed else ""),
            f"text column {self.text_column!r}" + (f", title column {self.title_column!r}" if self.title_column else ", no title column"),
            "labels: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.labels.items())),
            "status: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.statuses.items())),
        ]
        if self.rows_skipped:
            lines.append(f"skipped {self.rows_skipped:,} malformed rows (--on-bad-lines skip)")
        if self.bad_lines:
            shown = ", ".join(str(n) for n, _ in self.bad_lines[:20])
            more = f" and {len(self.bad_lines) - 20} more" if len(self.bad_lines) > 20 else ""
            lines.append(f"malformed rows at lines {shown}{more}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- columns


def _key(name: object) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def _candidates(columns: Sequence[str], ranks: Sequence[Sequence[str]]) -> list[str]:
    """The columns of the best rank that has any (case- and separator-insensitive)."""
    for names in ranks:
        found = [c for c in columns if _key(c) in names]
        if found:
            return found
    return []


def guess_text_column(columns: Sequence[str], candidates: Sequence[Sequence[str]] = TEXT_CANDIDATES) -> str | None:
    """The one column named like a posting text (``Job Description``, ``description``, ``Posting Text``, ``body``...), else None.

    Examples
    --------
    >>> guess_text_column(["Job ID", "Job Title", "Job Description"])
    'Job Description'
    >>> guess_text_column(["text", "body"]) is None  # a tie: name it
    True
    """
    found = _candidates([str(c) for c in columns], candidates)
    return found[0] if len(found) == 1 else None


def guess_title_column(columns: Sequence[str]) -> str | None:
    """The one column named like a job title (``Job Title``, ``title``, ``Position``, ``Role``...), else None."""
    return guess_text_column(columns, TITLE_CANDIDATES)


def _resolve_columns(columns: Sequence[str], text_column: str | None, title_column: str | None, source: str) -> tuple[str, str | None]:
    """The text and title columns: named ones checked, ``None`` text and ``AUTO`` title guessed; the title may be None."""
    columns = [str(c) for c in columns]
    if text_column is None:
        found = _candidates(columns, TEXT_CANDIDATES)
        if len(found) != 1:
            why = f"{len(found)} columns could be it ({', '.join(map(repr, found))})" if found else "no column is named like a description"
            raise AmbiguousColumnError(
                f"Cannot tell which column of {source} holds the posting text: {why}; columns: {', '.join(columns) or '(none)'}. "
                "Name it with text_column= (CLI: --text-column)."
            )
        text_column = found[0]
    elif text_column not in columns:
        raise ColumnNotFoundError(text_column, columns, source=source)
    if title_column == AUTO and AUTO not in columns:
        found = [c for c in _candidates(columns, TITLE_CANDIDATES) if c != text_column]
        if len(found) > 1:
            raise AmbiguousColumnError(
                f"Cannot tell which column of {source} holds the job title: {len(found)} columns could be it ({', '.join(map(repr, found))}). "
                "Name it with title_column= (CLI: --title-column), or pass title_column=None (CLI: --no-title)."
            )
        title_column = found[0] if found else None
    if title_column is not None and title_column not in columns:
        raise ColumnNotFoundError(title_column, columns, source=source)
    for name in (text_column, title_column):
        if name is not None and columns.count(name) > 1:
            raise InputValueError(f"Column {name!r} appears {columns.count(name)} times in {source}; rename the duplicates so the column is unambiguous.")
    return text_column, title_column


def _check_existing(columns: Sequence[str], overwrite: bool, source: str) -> list[int]:
    """Positions of input columns to keep (existing officeclass_* columns refused or dropped)."""
    clash = [c for c in columns if str(c) in OUTPUT_COLUMNS + EXPLAIN_COLUMNS]
    if clash and not overwrite:
        raise OutputExistsError(
            f"{source} already has officeclass columns ({', '.join(map(str, clash))}); "
            "pass overwrite=True (CLI: --overwrite) to replace them, or drop them first."
        )
    return [i for i, c in enumerate(columns) if str(c) not in clash]


# --------------------------------------------------------------------------- scoring a chunk


def _pandas():
    """pandas, imported on first use: labelling a CSV into a CSV does not need it (~60 MB per process)."""
    import pandas

    return pandas


def _is_pandas_missing(v: Any) -> bool:
    pd = sys.modules.get("pandas")  # pd.NA can only come from a loaded pandas
    return pd is not None and (v is pd.NA or v is pd.NaT)


def _as_text(values: Sequence[Any]) -> list[str | None]:
    """Cells to str: missing stays None (empty_text); numbers and other scalars become their str()."""
    out: list[str | None] = []
    for v in values:
        if v is None or (isinstance(v, float) and v != v) or _is_pandas_missing(v):
            out.append(None)
        elif isinstance(v, str):
            out.append(v)
        elif isinstance(v, bytes):
            out.append(v.decode("utf-8", errors="replace"))
        else:
            out.append(str(v))
    return out


def label_frame(
    df: pd.DataFrame,
    *,
    text_column: str | None = None,
    title_column: str | None = AUTO,
    explain: bool = False,
    overwrite: bool = False,
    model: Classifier | None = None,
) -> pd.DataFrame:
    """Return a copy of ``df`` with officeclass columns appended.

    Parameters
    ----------
    df : pandas.DataFrame
        Postings, one per row. It is not modified.
    text_column : str, optional
        The column with the posting text. Guessed only when exactly one column
        is named like a description (``Job Description``, ``description``,
        ``Posting Text``, ``body``...; case and separators ignored).
    title_column : str or None, default="auto"
        The column with job titles (read as a separate field by the model).
        ``"auto"``: the one column named like a title (``Job Title``, ``title``,
        ``Position``, ``Role``...), if any; ``None``: no title. The command line
        and :func:`label_file` guess the same way. The columns used are in
        ``result.attrs["officeclass"]``.
    explain : bool, default=False
        Add ``officeclass_top_terms``, ``officeclass_roles`` and ``officeclass_duties``.
    overwrite : bool, default=False
        Replace officeclass columns already in ``df`` instead of raising.
    model : Classifier, optional
        A custom model; default the shipped one.

    Returns
    -------
    pandas.DataFrame
        Same rows in the same order and index, every input column unchanged, plus
        ``officeclass_label``, ``officeclass_p_front_office``, ``officeclass_p_back_office``,
        ``officeclass_p_hybrid``, ``officeclass_abstained``, ``officeclass_status``,
        ``officeclass_model_version``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"title": ["Payroll Specialist"],
    ...                    "description": ["Run the monthly payroll for 400 employees and keep HR records up to date."]})
    >>> label_frame(df, text_column="description", title_column="title")["officeclass_label"].tolist()
    ['back_office']
    """
    pd = _pandas()
    if not isinstance(df, pd.DataFrame):
        raise InputValueError(f"label_frame() expects a pandas DataFrame, got {type(df).__name__}.")
    columns = [str(c) for c in df.columns]
    text_column, title_column = _resolve_columns(columns, text_column, title_column, "the DataFrame")
    keep = _check_existing(columns, overwrite, "the DataFrame")
    texts = _as_text(df[text_column].tolist())
    titles = _as_text(df[title_column].tolist()) if title_column else None
    new = score_columns(texts, titles, explain, model)
    out = df.iloc[:, keep].copy()
    for name, values in new.items():
        out[name] = values
    out.attrs["officeclass"] = {"text_column": text_column, "title_column": title_column}
    return out


# --------------------------------------------------------------------------- formats


def _format_of(path: str, given: str | None) -> tuple[str, bool]:
    if given:
        if given not in FORMATS:
            raise InputFormatError(f"Unknown format {given!r}; expected one of {', '.join(FORMATS)}.")
        return given, str(path).endswith(".gz")
    if path == "-":
        return "csv", False
    name = str(path).lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    for fmt in FORMATS:
        if name.endswith("." + fmt):
            if fmt == "parquet" and gz:
                raise InputFormatError(f"{path}: Parquet is compressed internally; drop the .gz.")
            return fmt, gz
    if name.endswith(".ndjson"):
        return "jsonl", gz
    if name.endswith(".xls"):
        raise InputFormatError(f"{path}: old .xls workbooks are not read; save it as .xlsx (or CSV) first.")
    raise InputFormatError(
        f"Cannot tell the format of {path!r} from its name; use .csv, .tsv, .parquet, .jsonl, .json or .xlsx "
        "(text formats optionally .gz), or pass --input-format/--output-format."
    )


def _check_encoding(encoding: str) -> None:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputValueError(f"Unknown encoding {encoding!r}; use one Python knows, e.g. utf-8, latin-1, cp1252 or utf-16.") from None


def _head_bytes(path: str, gz: bool, n: int = 65_536) -> bytes:
    """The first bytes of a file (decompressed), or of stdin without consuming them."""
    if path == "-":
        buffer = sys.stdin.buffer
        peek = getattr(buffer, "peek", None)
        return peek(n)[:n] if peek is not None else b""
    opener = gzip.open if gz else open
    with opener(path, "rb") as f:  # type: ignore[operator]
        return f.read(n)


def _check_stdin_is_text(head: bytes) -> None:
    if head.startswith(b"PAR1") or head.startswith(b"PK\x03\x04"):
        kind = "Parquet" if head.startswith(b"PAR1") else "a zip file (e.g. .xlsx)"
        raise InputFormatError(f"stdin holds {kind}, and stdin takes CSV only; pass the file path instead of -.")


def _need_openpyxl() -> None:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise MissingDependencyError("Excel files (.xlsx) need openpyxl: pip install 'officeclass[excel]'.") from None


def _delimiter_of(path: str, fmt: str, gz: bool, encoding: str, given: str | None) -> tuple[str, bool]:
    """(delimiter, whether the input starts with a UTF-8 byte-order mark) of a delimited input."""
    if given is not None and len(given) != 1:
        raise InputValueError(f"delimiter must be one character (e.g. ';' or '\\t'), got {given!r}.")
    head = _head_bytes(path, gz)
    if path == "-":
        _check_stdin_is_text(head)
    bom = head.startswith(b"\xef\xbb\xbf")
    if given is not None:
        return given, bom
    if fmt == "tsv":
        return "\t", bom
    return sniff_delimiter(_first_line(head, encoding)), bom


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a CSV header line: the most frequent of comma, semicolon, tab and pipe outside quotes (comma on a tie).

    Examples
    --------
    >>> sniff_delimiter("Job ID;Job Title;Job Description")
    ';'
    >>> sniff_delimiter('id,"a;b",text')
    ','
    """
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _decoding(encoding: str) -> str:
    """The codec that reads ``encoding``: UTF-8 also skips a byte-order mark."""
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


def _first_line(head: bytes, encoding: str) -> str:
    text = head.decode(_decoding(encoding), errors="replace")
    return text.splitlines()[0] if text else ""


def _bad_byte_line(path: str, gz: bool, encoding: str) -> tuple[int, bytes] | None:
    """(line number, byte) of the first line of a file that does not decode, read line by line."""
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)()
    opener = gzip.open if gz else open
    with opener(path, "rb") as f:  # type: ignore[operator]
        for number, raw in enumerate(f, 1):
            try:
                decoder.decode(raw)
            except UnicodeDecodeError as exc:
                return number, exc.object[exc.start : exc.start + 1]
    return None


class _CountingReader(io.RawIOBase):
    """Wraps a binary stream and counts bytes read (for the progress bar)."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n


@dataclass
class _Chunk:
    index: int
    rows: list[list[str]] | pd.DataFrame
    texts: list
    titles: list | None
    bad: list[tuple[int, str]]  # (line number, reason) of rows marked bad_row (report) or skipped
    bad_positions: list[int]  # positions in rows of bad_row rows (report mode)
    skipped: int
    rows_in: int


_FIELD_LIMIT = 2**31 - 1


class _Malformed(list):
    """A record the csv module could not parse (kept as a bad row in skip/report modes)."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


class _DelimitedReader:
    """Streams a CSV/TSV file with the csv module: every cell stays the exact string it was."""

    def __init__(self, path: str, *, delimiter: str, gz: bool, encoding: str, on_bad_lines: str):
        self.path, self.delimiter, self.on_bad_lines, self.encoding, self.gz = path, delimiter, on_bad_lines, encoding, gz
        binary: IO[bytes] = sys.stdin.buffer if path == "-" else open(path, "rb")
        self.counter = _CountingReader(binary)
        raw: IO[bytes] = io.BufferedReader(self.counter, buffer_size=1 << 20)
        if gz:
            raw = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
        self.stream = io.TextIOWrapper(raw, encoding=_decoding(encoding), newline="")
        if csv.field_size_limit() < _FIELD_LIMIT:
            csv.field_size_limit(_FIELD_LIMIT)  # the default (128 KiB) rejects long postings
        # strict: a quote left open at the end of the file is an error, not one
        # huge cell that swallows every row after it
        self.reader = csv.reader(self.stream, delimiter=delimiter, strict=True)
        self.name = "stdin" if path == "-" else os.path.basename(path)
        self._last_line = 0
        try:
            self.header = next(self._records(), None)
        except csv.Error as exc:
            raise InputFormatError(f"Cannot read the header of {self.name}: {exc}.") from exc
        if self.header is None:
            raise InputFormatError(f"{self.name} is empty: expected a header row with column names, then one posting per row.")
        self.header_line = self._last_line

    def _records(self) -> Iterator[list[str]]:
        while True:
            start = self.reader.line_num + 1
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                found = None if self.path == "-" else _bad_byte_line(self.path, self.gz, self.encoding)
                where = f"byte {found[1]!r} on line {found[0]}" if found else f"byte {exc.object[exc.start:exc.start + 1]!r} after line {start - 1}"
                raise EncodingError(
                    f"{self.name} is not valid {self.encoding} text ({where}). "
                    "If the file comes from Excel or an older system, pass --encoding cp1252 (or latin-1)."
                ) from None
            except csv.Error as exc:
                self._last_line = start
                unclosed = "unexpected end of data" in str(exc)
                if unclosed:
                    reason = f"a quoted field opened on line {start} is never closed"
                    message = (
                        f"Line {start} of {self.name} opens a quoted field that is never closed, so every line after it would be "
                        "one cell. Close that quote (a quote inside a quoted cell is written twice: \"\"), or pass "
                        "--on-bad-lines skip (drop that row) or report (keep it, marked bad_row)."
                    )
                else:
                    reason = f"malformed quoting ({exc})"
                    message = (
                        f"Line {start} of {self.name} has malformed quoting ({exc}). Fix the quotes of that row, or pass "
                        "--on-bad-lines skip (drop that row) or report (keep it, marked bad_row)."
                    )
                if self.on_bad_lines == "error" or not hasattr(self, "header"):
                    raise BadLinesError(message) from None
                yield _Malformed(reason)
                if unclosed:
                    return
                continue
            self._last_line = start
            if not row:  # a blank line is not a row
                continue
            yield row

    def chunks(self, size: int, text_i: int, title_i: int | None) -> Iterator[_Chunk]:
        n = len(self.header)
        index = 0
        rows: list[list[str]] = []
        bad: list[tuple[int, str]] = []
        bad_pos: list[int] = []
        skipped = 0
        rows_in = 0
        for row in self._records():
            rows_in += 1
            if isinstance(row, _Malformed) or len(row) != n:
                line = self._last_line
                reason = row.reason if isinstance(row, _Malformed) else f"{len(row)} fields, expected {n}"
                if self.on_bad_lines == "error":
                    raise BadLinesError(
                        f"Line {line} of {self.name} has {len(row)} fields, expected {n} (the header's). "
                        "Fix that row, or pass --on-bad-lines skip (drop such rows) or report (keep them, marked bad_row)."
                    )
                bad.append((line, reason))
                if self.on_bad_lines == "skip":
                    skipped += 1
                    continue
                bad_pos.append(len(rows))
                row = (row + [""] * n)[:n]
            rows.append(row)
            if rows_in >= size:
                yield self._make(index, rows, text_i, title_i, bad, bad_pos, skipped, rows_in)
                index += 1
                rows, bad, bad_pos, skipped, rows_in = [], [], [], 0, 0
        if rows or rows_in or index == 0:
            yield self._make(index, rows, text_i, title_i, bad, bad_pos, skipped, rows_in)

    @staticmethod
    def _make(index, rows, text_i, title_i, bad, bad_pos, skipped, rows_in) -> _Chunk:
        texts: list = [r[text_i] for r in rows]
        titles = None if title_i is None else [r[title_i] for r in rows]
        for p in bad_pos:  # a malformed row is not classified
            texts[p] = None
            if titles is not None:
                titles[p] = None
        return _Chunk(index, rows, texts, titles, bad, bad_pos, skipped, rows_in)

    def close(self) -> None:
        if self.path != "-":
            self.stream.close()


class _FrameReader:
    """Streams Parquet (row groups / batches) or JSON Lines (pandas chunks)."""

    def __init__(self, path: str, *, fmt: str, gz: bool, encoding: str):
        if path == "-":
            raise InputFormatError("stdin takes CSV only; pass the file path.")
        self.path, self.fmt, self.name = path, fmt, os.path.basename(path)
        self.counter = None
        self.frame = None  # JSON arrays and workbooks are read whole
        if fmt == "json" and not _head_bytes(path, gz, 4096).lstrip().startswith(b"["):
            fmt = self.fmt = "jsonl"  # a .json file of one object per line
        try:
            if fmt in ("json", "xlsx"):
                self.frame = self._read_whole(path, fmt, gz, encoding)
                self.header = [str(c) for c in self.frame.columns]
            elif fmt == "parquet":
                import pyarrow.parquet as pq

                self.pf = pq.ParquetFile(path)
                self.header = [str(c) for c in self.pf.schema_arrow.names]
            else:
                first = _pandas().read_json(path, lines=True, nrows=1, dtype=False, encoding=encoding, compression="gzip" if gz else None)
                self.header = [str(c) for c in first.columns]
                self.gz, self.encoding = gz, encoding
        except MissingDependencyError:
            raise
        except Exception as exc:  # noqa: BLE001 - pyarrow/pandas raise many types
            raise InputFormatError(f"Cannot read {self.name} as {fmt}: {exc}") from None
        if not self.header:
            raise InputFormatError(f"{self.name} has no columns.")

    @staticmethod
    def _read_whole(path: str, fmt: str, gz: bool, encoding: str) -> pd.DataFrame:
        pd = _pandas()
        if fmt == "xlsx":
            _need_openpyxl()
            return pd.read_excel(path, sheet_name=0, engine="openpyxl")
        opener = gzip.open if gz else open
        with opener(path, "rt", encoding=encoding) as f:  # type: ignore[operator]
            records = json.load(f)
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise InputFormatError(f"{os.path.basename(path)} is a JSON array, but not of objects: expected [{{\"title\": ..., \"description\": ...}}, ...].")
        return pd.DataFrame.from_records(records)

    def chunks(self, size: int, text_i: int, title_i: int | None) -> Iterator[_Chunk]:
        if self.frame is not None:
            frames: Any = (self.frame.iloc[i : i + size] for i in range(0, len(self.frame), size))
        elif self.fmt == "parquet":
            frames = (b.to_pandas() for b in self.pf.iter_batches(batch_size=size))
        else:
            frames = _pandas().read_json(self.path, lines=True, chunksize=size, dtype=False, encoding=self.encoding, compression="gzip" if self.gz else None)
        index = 0
        for df in frames:
            texts = _as_text(df.iloc[:, text_i].tolist())
            titles = None if title_i is None else _as_text(df.iloc[:, title_i].tolist())
            yield _Chunk(index, df, texts, titles, [], [], 0, len(df))
            index += 1
        if index == 0:
            yield _Chunk(0, _pandas().DataFrame(columns=self.header), [], None if title_i is None else [], [], [], 0, 0)

    def close(self) -> None:
        pass


def read_table(path: str | os.PathLike, *, encoding: str = "utf-8", input_format: str | None = None, delimiter: str | None = None) -> pd.DataFrame:
    """Read a whole posting file (any supported format) into a DataFrame; CSV/TSV cells stay strings.

    A ``.csv`` file's delimiter is sniffed from its header (comma, semicolon, tab, pipe) unless ``delimiter`` is given.
    """
    path = os.fspath(path)
    _check_encoding(encoding)
    if path != "-" and not os.path.isfile(path):
        raise FileNotFoundError(f"No input file {path!r}.")
    fmt, gz = _format_of(path, input_format)
    if fmt in ("csv", "tsv"):
        delimiter, _ = _delimiter_of(path, fmt, gz, encoding, delimiter)
        reader = _DelimitedReader(path, delimiter=delimiter, gz=gz, encoding=encoding, on_bad_lines="error")
        try:
            rows = [r for chunk in reader.chunks(1 << 30, 0, None) for r in chunk.rows]  # type: ignore[union-attr]
        finally:
            reader.close()
        return _pandas().DataFrame(rows, columns=reader.header, dtype=object)
    frames = list(_FrameReader(path, fmt=fmt, gz=gz, encoding=encoding).chunks(1 << 30, 0, None))
    return _pandas().concat([f.rows for f in frames], ignore_index=True)  # type: ignore[misc]


# --------------------------------------------------------------------------- writing parts


def _chunk_columns(chunk: _Chunk, new: dict[str, list]) -> dict[str, list]:
    for p in chunk.bad_positions:
        for name in new:
            new[name][p] = "" if name != "officeclass_abstained" else True
        new["officeclass_status"][p] = "bad_row"
    return new


def _write_part_delimited(path: Path, chunk: _Chunk, new: dict[str, list], keep: list[int], delimiter: str) -> None:
    names = list(new)
    cols = [new[n] for n in names]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        full = len(keep) == len(chunk.rows[0]) if chunk.rows else True
        for i, row in enumerate(chunk.rows):  # type: ignore[arg-type]
            base = row if full else [row[k] for k in keep]
            w.writerow(base + [_cell(c[i]) for c in cols])


def _cell(v: Any) -> Any:
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    return v


def _frame_of(chunk: _Chunk, new: dict[str, list], keep: list[int], header: list[str]) -> pd.DataFrame:
    pd = _pandas()
    if isinstance(chunk.rows, pd.DataFrame):
        df = chunk.rows.iloc[:, keep].copy()
    else:
        df = pd.DataFrame(chunk.rows, columns=header, dtype=object).iloc[:, keep]
    for name, values in new.items():
        df[name] = values
    return df


@dataclass
class _Plan:
    input: str
    output: str
    in_fmt: str
    in_gz: bool
    out_fmt: str
    out_gz: bool
    text_column: str
    title_column: str | None
    options: dict[str, Any]


def _manifest(plan: _Plan, model_version: str) -> dict[str, Any]:
    st = os.stat(plan.input) if plan.input != "-" else None
    return {
        "input": os.path.abspath(plan.input),
        "input_size": st.st_size if st else None,
        "input_mtime_ns": st.st_mtime_ns if st else None,
        "text_column": plan.text_column,
        "title_column": plan.title_column,
        "model_version": model_version,
        **plan.options,
    }


def label_file(
    input: str | os.PathLike,
    output: str | os.PathLike,
    *,
    text_column: str | None = None,
    title_column: str | None = AUTO,
    chunk_size: int = 2_500,
    jobs: int = 1,
    resume: bool = False,
    on_bad_lines: str = "error",
    encoding: str = "utf-8",
    explain: bool = False,
    overwrite: bool = False,
    input_format: str | None = None,
    output_format: str | None = None,
    progress: bool | None = None,
    model: Classifier | None = None,
    parents: bool = False,
    delimiter: str | None = None,
    excel_bom: bool | None = None,
) -> LabelSummary:
    """Label every posting in a file and write the result to another file.

    Parameters
    ----------
    input, output : str or path
        Files whose format follows the extension (``.csv``, ``.tsv``,
        ``.parquet``, ``.jsonl``, ``.json`` (an array of objects, or JSON
        Lines), ``.xlsx`` (first sheet; needs ``officeclass[excel]``); text
        formats optionally ``.gz``); ``-`` is CSV on stdin/stdout. The output
        never replaces the input.
    text_column, title_column : str, optional
        As in :func:`label_frame`.
    chunk_size : int, default=2500
        Rows per chunk (the unit of work, of resuming and of progress); memory
        grows with this and ``jobs``, not with the file.
    jobs : int, default=1
        Worker processes (``-1``: one per core). Rows are written in input order.
    resume : bool, default=False
        Continue an interrupted run of the same command from its last completed chunk.
    on_bad_lines : {"error", "skip", "report"}, default="error"
        What to do with CSV/TSV rows whose field count differs from the header's:
        stop with an error naming the line, drop them (counted in the summary),
        or keep them with ``officeclass_status="bad_row"`` and empty predictions.
    encoding : str, default="utf-8"
        Text encoding of CSV/TSV/JSONL input (a UTF-8 BOM is handled).
    explain : bool, default=False
        Add ``officeclass_top_terms``, ``officeclass_roles`` and ``officeclass_duties``.
    overwrite : bool, default=False
        Replace officeclass columns already in the input, and an existing output file.
    progress : bool, optional
        Show a progress bar; default: only when stderr is a terminal.
    model : Classifier, optional
        A custom model; default the shipped one.
    parents : bool, default=False
        Create the output's directory when it does not exist (otherwise an error).
    delimiter : str, optional
        The input CSV's delimiter; default: sniffed from its header line (comma,
        semicolon, tab or pipe). CSV output uses the input's delimiter.
    excel_bom : bool, optional
        Start CSV/TSV output with a UTF-8 byte-order mark, so Excel opens it
        with the right characters; default: when the input started with one.

    Returns
    -------
    LabelSummary
        With ``already_complete`` True when ``resume`` found the output finished
        (nothing is relabelled then).
    """
    started = time.perf_counter()
    input, output = os.fspath(input), os.fspath(output)
    _check_encoding(encoding)
    if on_bad_lines not in BAD_LINE_MODES:
        raise InputValueError(f"on_bad_lines must be one of {', '.join(BAD_LINE_MODES)}, got {on_bad_lines!r}.")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise InputValueError(f"chunk_size must be a positive integer, got {chunk_size!r}.")
    if input != "-" and not os.path.isfile(input):
        raise FileNotFoundError(f"No input file {input!r}.")
    if output != "-" and input != "-" and os.path.abspath(input) == os.path.abspath(output):
        raise OutputExistsError(f"Output {output!r} is the input file; write to another path.")
    if output != "-" and os.path.exists(output) and not (overwrite or resume):
        raise OutputExistsError(f"Output {output!r} exists; pass overwrite=True (CLI: --overwrite) or choose another path.")
    if resume and output == "-":
        raise InputValueError("resume needs an output file, not stdout.")
    if output != "-":
        directory = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(directory):
            if not parents:
                raise OutputDirectoryError(
                    f"Directory {os.path.dirname(output) or directory} does not exist; create it first, or pass parents=True "
                    "(CLI: --parents) to create it."
                )
            os.makedirs(directory, exist_ok=True)
        if resume and os.path.exists(output) and not _parts_dir(output).exists():
            summary = LabelSummary(output=output, already_complete=True)
            summary.seconds = time.perf_counter() - started
            return summary
    in_fmt, in_gz = _format_of(input, input_format)
    out_fmt, out_gz = _format_of(output, output_format)
    if output == "-" and out_fmt != "csv":
        raise InputValueError("stdout is written as CSV only.")

    if out_fmt == "xlsx":
        _need_openpyxl()
    reader: _DelimitedReader | _FrameReader
    in_delimiter, had_bom = ",", False
    if in_fmt in ("csv", "tsv"):
        in_delimiter, had_bom = _delimiter_of(input, in_fmt, in_gz, encoding, delimiter)
        reader = _DelimitedReader(input, delimiter=in_delimiter, gz=in_gz, encoding=encoding, on_bad_lines=on_bad_lines)
    else:
        if input == "-":
            _check_stdin_is_text(_head_bytes(input, False))
        reader = _FrameReader(input, fmt=in_fmt, gz=in_gz, encoding=encoding)
    out_delimiter = "\t" if out_fmt == "tsv" else (in_delimiter if in_fmt == "csv" else ",")
    bom = had_bom if excel_bom is None else bool(excel_bom)
    try:
        header = reader.header
        source = reader.name
        text_column, title_column = _resolve_columns(header, text_column, title_column, source)
        keep = _check_existing(header, overwrite, source)
        out_header = [header[k] for k in keep] + list(OUTPUT_COLUMNS) + (list(EXPLAIN_COLUMNS) if explain else [])
        text_i, title_i = header.index(text_column), (header.index(title_column) if title_column else None)
        plan = _Plan(
            input, output, in_fmt, in_gz, out_fmt, out_gz, text_column, title_column,
            {
                "chunk_size": chunk_size, "on_bad_lines": on_bad_lines, "encoding": encoding, "explain": explain, "overwrite": overwrite,
                "out_format": out_fmt, "delimiter": in_delimiter, "out_delimiter": out_delimiter, "bom": bom,
            },
        )
        summary = LabelSummary(output=output, text_column=text_column, title_column=title_column)
        # with workers, the main process only reads and writes: it need not load the model
        model_version = model.version if model is not None else default_model_version()
        _run(reader, plan, summary, out_header, keep, text_i, title_i, jobs, resume, progress, model, model_version)
    finally:
        reader.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _parts_dir(output: str) -> Path:
    p = Path(output)
    return p.with_name(p.name + ".officeclass-parts")


def _run(reader, plan: _Plan, summary: LabelSummary, out_header, keep, text_i, title_i, jobs, resume, progress, model, model_version) -> None:
    from tqdm import tqdm

    to_stdout = plan.output == "-"
    parts = None if to_stdout else _parts_dir(plan.output)
    done: set[int] = set()
    manifest = _manifest(plan, model_version)
    if parts is not None:
        if resume and parts.exists():
            old = json.loads((parts / "manifest.json").read_text()) if (parts / "manifest.json").exists() else {}
            diff = sorted(k for k in manifest if old.get(k) != manifest[k])
            if diff:
                changes = "; ".join(f"{k} was {old.get(k)!r}, now {manifest[k]!r}" for k in diff)
                raise InputValueError(
                    f"Cannot resume {plan.output}: the interrupted run had other settings ({changes}). "
                    "Resume with the same settings, or run again without --resume to start over."
                )
            done = {int(p.name.split("-")[1].split(".")[0]) for p in parts.glob("part-*.json")}
            summary.chunks_resumed = len(done)
        else:
            if parts.exists():
                shutil.rmtree(parts)
            parts.mkdir(parents=True)
            (parts / "manifest.json").write_text(json.dumps(manifest, indent=1))

    show = progress if progress is not None else sys.stderr.isatty()
    total = os.path.getsize(plan.input) if plan.input != "-" and reader.counter is not None else None
    bar = tqdm(total=total, unit="B", unit_scale=True, disable=not show, file=sys.stderr, desc="labelling", dynamic_ncols=True)
    delimiter = plan.options["out_delimiter"]
    explain = plan.options["explain"]

    chunks = reader.chunks(plan.options["chunk_size"], text_i, title_i)
    todo = (c for c in chunks if c.index not in done or _count_resumed(c, summary, parts))
    if jobs == 1:
        results: Iterator[tuple[_Chunk, dict[str, list]]] = ((c, score_columns(c.texts, c.titles, explain, model)) for c in todo)
    else:
        results = _parallel(todo, jobs, explain, model)

    stdout_writer = None
    if to_stdout:
        if plan.options["bom"]:
            sys.stdout.write("\ufeff")
        stdout_writer = csv.writer(sys.stdout, delimiter=delimiter, lineterminator="\n")
        stdout_writer.writerow(out_header)
    t0 = time.perf_counter()
    rows_done = 0
    for chunk, new in results:
        new = _chunk_columns(chunk, new)
        info = _chunk_info(chunk, new)
        _add_info(summary, info)
        if to_stdout:
            df = _csv_cells(_frame_of(chunk, new, keep, reader.header))
            stdout_writer.writerows(df.itertuples(index=False, name=None))
        else:
            _write_part(parts, chunk, new, info, keep, reader.header, plan, delimiter)
        rows_done += len(chunk.texts)
        if reader.counter is not None:
            bar.n = reader.counter.count
        bar.set_postfix_str(f"{rows_done / max(time.perf_counter() - t0, 1e-9):,.0f} rows/s", refresh=False)
        bar.update(0)
    bar.close()
    if parts is not None:
        _assemble(parts, plan, out_header, delimiter)
        shutil.rmtree(parts)


def _parallel(chunks: Iterator[_Chunk], jobs: int, explain: bool, model: Classifier | None) -> Iterator[tuple[_Chunk, dict[str, list]]]:
    """Score chunks in worker processes; only texts travel to the workers, rows stay here.

    joblib returns results in submission order, so the queue of pending chunks
    pairs each result with its chunk. Each worker loads the default model once.
    """
    from collections import deque

    from joblib import Parallel, delayed

    pending: deque[_Chunk] = deque()

    def tasks():
        for c in chunks:
            pending.append(c)
            yield delayed(score_columns)(c.texts, c.titles, explain, model)

    # One chunk in flight per worker: a chunk waiting in joblib's queue holds its
    # rows here and a pickled copy of its texts (200,000-row CSV: peak RSS of this
    # process 475 MB with 2 * jobs chunks of 10,000 rows, 184 MB with jobs chunks
    # of 2,500, and no slower).
    for new in Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="n_jobs")(tasks()):
        yield pending.popleft(), new


def _count_resumed(chunk: _Chunk, summary: LabelSummary, parts: Path | None) -> bool:
    """A chunk finished before the interruption: add its recorded counts; False, so it is not scored again."""
    _add_info(summary, json.loads((parts / f"part-{chunk.index:06d}.json").read_text()))  # type: ignore[operator]
    return False


def _chunk_info(chunk: _Chunk, new: dict[str, list]) -> dict[str, Any]:
    """A chunk's counts for the summary; also saved beside its part so a resumed run can count it."""
    return {
        "rows_in": chunk.rows_in,
        "rows_out": len(chunk.texts),
        "skipped": chunk.skipped,
        "bad": chunk.bad,
        "statuses": Counter(new["officeclass_status"]),
        "labels": Counter(lab for lab, st in zip(new["officeclass_label"], new["officeclass_status"]) if st == "ok"),
    }


def _add_info(summary: LabelSummary, info: dict[str, Any]) -> None:
    summary.chunks += 1
    summary.rows_in += info["rows_in"]
    summary.rows_out += info["rows_out"]
    summary.rows_skipped += info["skipped"]
    summary.bad_lines.extend((int(line), reason) for line, reason in info["bad"])
    summary.statuses.update(info["statuses"])
    summary.labels.update(info["labels"])


def _write_part(
    parts: Path, chunk: _Chunk, new: dict[str, list], info: dict[str, Any], keep: list[int], header: list[str], plan: _Plan, delimiter: str
) -> None:
    stem = parts / f"part-{chunk.index:06d}"
    tmp = stem.with_suffix(".tmp")
    if plan.out_fmt in ("csv", "tsv") and isinstance(chunk.rows, list):  # rows from the CSV reader, not a frame
        if chunk.rows:
            _write_part_delimited(tmp, chunk, new, keep, delimiter)
        else:
            tmp.write_bytes(b"")
    else:
        df = _frame_of(chunk, new, keep, header)
        _write_frame(df, tmp, plan.out_fmt, delimiter)
    os.replace(tmp, stem.with_suffix(".data"))
    tmp_info = stem.with_suffix(".json.tmp")
    tmp_info.write_text(json.dumps(info))
    os.replace(tmp_info, stem.with_suffix(".json"))  # written last: the chunk counts as done


def _write_frame(df: pd.DataFrame, path: Path, fmt: str, delimiter: str) -> None:
    if fmt == "parquet":
        df.to_parquet(path, index=False)
    elif fmt in ("jsonl", "json"):  # a JSON array is assembled from JSON Lines parts
        df.to_json(path, orient="records", lines=True, force_ascii=False)
    elif fmt == "xlsx":  # a workbook is assembled from Parquet parts (types kept)
        df.to_parquet(path, index=False)
    else:
        _csv_cells(df).to_csv(path, sep=delimiter, index=False, header=False, lineterminator="\n")


def _csv_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Cells as CSV writes them: missing values empty, booleans ``true``/``false``."""
    return df.astype(object).where(df.notna(), "").map(_cell)


def _assemble(parts: Path, plan: _Plan, out_header: list[str], delimiter: str) -> None:
    """Concatenate the parts in order into a temporary file, then rename it to the output."""
    files = sorted(parts.glob("part-*.data"))
    final = Path(plan.output)
    tmp = final.with_name(f".{final.name}.officeclass-tmp")
    if plan.out_fmt == "xlsx":
        pd = _pandas()
        frames = [pd.read_parquet(f) for f in files]
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=out_header)
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            df.to_excel(writer, sheet_name="officeclass", index=False)
    elif plan.out_fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        writer = None
        schema = None
        for f in files:
            table = pq.read_table(f)
            if schema is None:
                schema = table.schema
                writer = pq.ParquetWriter(tmp, schema)
            elif not table.schema.equals(schema):
                try:
                    table = table.cast(schema)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    raise InputFormatError(f"Column types change between chunks of {plan.input} ({exc}); write CSV instead, or use a larger --chunk-size.") from None
            writer.write_table(table)  # type: ignore[union-attr]
        if writer is None:
            _pandas().DataFrame(columns=out_header).to_parquet(tmp, index=False)
        else:
            writer.close()
    else:
        opener = (lambda p: gzip.GzipFile(p, "wb", mtime=0)) if plan.out_gz else (lambda p: open(p, "wb"))
        with opener(tmp) as out:
            if plan.out_fmt in ("csv", "tsv"):
                buf = io.StringIO()
                csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerow(out_header)
                out.write(("\ufeff" if plan.options["bom"] else "").encode("utf-8") + buf.getvalue().encode("utf-8"))
            if plan.out_fmt == "json":  # JSON Lines parts into one array
                out.write(b"[")
                first = True
                for f in files:
                    with open(f, "rb") as src:
                        for line in src:
                            line = line.rstrip(b"\n")
                            if line:
                                out.write((b"\n" if first else b",\n") + line)
                                first = False
                out.write(b"\n]\n")
            else:
                for f in files:
                    with open(f, "rb") as src:
                        shutil.copyfileobj(src, out, 1 << 20)
    os.replace(tmp, final)
