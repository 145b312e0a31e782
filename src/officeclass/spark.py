"""Label postings in a Spark DataFrame: ``label_spark``.

Optional: needs ``pip install 'officeclass[spark]'`` (PySpark, which needs a
Java runtime). PySpark is imported only here.

How it runs: :func:`label_spark` adds the officeclass columns with Spark's
Arrow-based ``mapInPandas``. Each batch of rows reaches an executor's Python
worker as a pandas DataFrame and is scored with the same code as
:func:`officeclass.label_frame`. The function sent to the executors holds only
column names and flags; the model is **not** pickled with the task: each Python
worker loads the shipped model from its installed officeclass package on first
use and keeps it while the worker lives (Spark reuses Python workers by
default, ``spark.python.worker.reuse``). So officeclass must be installed on
every executor, and throughput grows with executor cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .batch import _as_text
from .errors import ColumnNotFoundError, InputValueError, MissingDependencyError, OutputExistsError
from .labels import LABELS
from .predict import EXPLAIN_COLUMNS, OUTPUT_COLUMNS, score_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pyspark.sql import DataFrame

__all__ = ["label_spark", "output_schema"]


def _pyspark_types():
    try:
        from pyspark.sql import types as T
    except ImportError:
        raise MissingDependencyError(
            "officeclass.spark needs PySpark, which is not installed. Install it with: pip install 'officeclass[spark]' "
            "(PySpark also needs a Java runtime, e.g. Debian's openjdk-17-jre-headless)."
        ) from None
    return T


def output_schema(input_schema: Any, *, explain: bool = False) -> Any:
    """The declared schema of :func:`label_spark`'s result: the input fields, then the officeclass columns."""
    T = _pyspark_types()
    types = {"officeclass_label": T.StringType(), "officeclass_abstained": T.BooleanType(), "officeclass_status": T.StringType(), "officeclass_model_version": T.StringType()}
    types.update({f"officeclass_p_{lab}": T.DoubleType() for lab in LABELS})
    names = list(OUTPUT_COLUMNS) + (list(EXPLAIN_COLUMNS) if explain else [])
    extra = [T.StructField(n, types.get(n, T.StringType()), nullable=True) for n in names]
    return T.StructType(list(input_schema.fields) + extra)


def label_spark(df: DataFrame, *, text_col: str, title_col: str | None = None, explain: bool = False) -> DataFrame:
    """Add officeclass columns to a Spark DataFrame, computed on the executors.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        Postings, one per row.
    text_col : str
        The column with the posting text (nulls and empty strings give
        ``officeclass_status="empty_text"``).
    title_col : str, optional
        The column with the job title.
    explain : bool, default=False
        Add ``officeclass_top_terms``, ``officeclass_roles`` and ``officeclass_duties``.

    Returns
    -------
    pyspark.sql.DataFrame
        Every input column, then the same ``officeclass_*`` columns as
        :func:`officeclass.label_frame` and the CLI, with a declared schema.

    Examples
    --------
    >>> from pyspark.sql import SparkSession  # doctest: +SKIP
    >>> spark = SparkSession.builder.getOrCreate()  # doctest: +SKIP
    >>> postings = spark.read.parquet("s3://bucket/postings/")  # doctest: +SKIP
    >>> label_spark(postings, text_col="description", title_col="title").write.parquet("s3://bucket/labelled/")  # doctest: +SKIP
    """
    _pyspark_types()
    columns = list(df.columns)
    for name in (text_col, title_col):
        if name is not None and name not in columns:
            raise ColumnNotFoundError(name, columns, source="the Spark DataFrame")
        if name is not None and columns.count(name) > 1:
            raise InputValueError(f"Column {name!r} appears {columns.count(name)} times in the Spark DataFrame; rename the duplicates.")
    clash = [c for c in columns if c in OUTPUT_COLUMNS + EXPLAIN_COLUMNS]
    if clash:
        raise OutputExistsError(f"The Spark DataFrame already has officeclass columns ({', '.join(clash)}); drop them first.")
    schema = output_schema(df.schema, explain=explain)

    def score_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        # Runs on the executors; the default model is loaded once per Python worker.
        for pdf in batches:
            if len(pdf) == 0:
                continue
            texts = _as_text(pdf[text_col].tolist())
            titles = _as_text(pdf[title_col].tolist()) if title_col is not None else None
            for name, values in score_columns(texts, titles, explain, None).items():
                pdf[name] = values
            yield pdf

    return df.mapInPandas(score_batches, schema)
