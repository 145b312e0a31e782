"""label_spark in Spark local mode (local[2]); skipped when PySpark is not installed.

CI installs the spark extra and sets OFFICECLASS_EXPECT_SPARK=1, so these tests run there.
"""

import os
import subprocess
import sys

import pandas as pd
import pytest

from conftest import SHARED_DATA, REPO

if os.environ.get("OFFICECLASS_EXPECT_SPARK") != "1":
    pytest.importorskip("pyspark", reason="install officeclass[spark] to run the Spark tests")

from officeclass import ColumnNotFoundError, label_frame  # noqa: E402
from officeclass.batch import OUTPUT_COLUMNS  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # executors use this interpreter (and its officeclass)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("officeclass-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def postings() -> pd.DataFrame:
    if (SHARED_DATA / "train_labels.csv").exists():
        df = pd.read_csv(SHARED_DATA / "train_labels.csv", dtype=str, keep_default_na=False)[["id", "title", "text"]]
    else:
        df = pd.read_csv(REPO / "examples" / "postings.csv", dtype=str, keep_default_na=False)
        df = pd.concat([df] * 60, ignore_index=True).rename(columns={"description": "text"})
        df["id"] = df.index.astype(str)
        df = df[["id", "title", "text"]]
    return df.reset_index(drop=True)


def test_spark_result_equals_label_frame_row_for_row(spark, postings):
    from officeclass.spark import label_spark

    sdf = spark.createDataFrame(postings).repartition(6)
    got = label_spark(sdf, text_col="text", title_col="title").toPandas().set_index("id").loc[postings["id"]]
    expected = label_frame(postings, text_column="text", title_column="title").set_index("id")
    assert len(got) == len(postings) >= 1000
    pd.testing.assert_frame_equal(got[list(expected.columns)], expected, check_dtype=False)


def test_nulls_and_empty_texts_and_empty_partitions(spark):
    from officeclass.spark import label_spark

    pdf = pd.DataFrame({"id": ["1", "2", "3"], "text": [None, "", "Run the payroll and the general ledger."]})
    sdf = spark.createDataFrame(pdf, schema="id string, text string").repartition(8)  # most partitions are empty
    out = label_spark(sdf, text_col="text").toPandas().sort_values("id")
    assert out["officeclass_status"].tolist() == ["empty_text", "empty_text", "ok"]
    assert out["officeclass_abstained"].tolist()[:2] == [True, True]
    assert out["officeclass_label"].iloc[2] == "back_office"


def test_schema_is_declared(spark):
    from pyspark.sql import types as T

    from officeclass.spark import label_spark

    sdf = spark.createDataFrame(pd.DataFrame({"text": ["sell"]}))
    out = label_spark(sdf, text_col="text", explain=True)
    assert out.columns == ["text", *OUTPUT_COLUMNS, "officeclass_top_terms", "officeclass_roles", "officeclass_duties"]
    assert isinstance(out.schema["officeclass_p_hybrid"].dataType, T.DoubleType)
    assert isinstance(out.schema["officeclass_abstained"].dataType, T.BooleanType)


def test_missing_column_is_a_clear_error(spark):
    from officeclass.spark import label_spark

    sdf = spark.createDataFrame(pd.DataFrame({"description": ["x"], "title": ["y"]}))
    with pytest.raises(ColumnNotFoundError, match=r"^Column 'descripton' not in the Spark DataFrame; available: description, title. Did you mean 'description'\?$"):
        label_spark(sdf, text_col="descripton")


def test_missing_pyspark_names_the_extra():
    code = (
        "import sys; sys.modules['pyspark'] = None; sys.modules['pyspark.sql'] = None\n"
        "from officeclass.spark import label_spark\n"
        "try:\n    label_spark(None, text_col='x')\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'officeclass[spark]'" in out
