"""Spark local[2] against label_file on the same 200,000 postings, side by side.

    pip install ".[spark]"
    python benchmarks/spark_vs_file.py [--rows 200000]

Both read the same Parquet file of real postings (repeated) and write Parquet.
Spark's time includes planning and the Python workers' first model load, not
the session start (printed apart). Throughput on a cluster grows with executor
cores: each core runs a Python worker that loads the model once.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from _data import postings, repeat


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    args = ap.parse_args()
    from officeclass import label_file
    from officeclass.spark import label_spark

    df = repeat(postings(), args.rows)
    df.insert(0, "id", range(len(df)))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "postings.parquet")
        df.to_parquet(src, index=False)

        t = time.perf_counter()
        label_file(src, os.path.join(tmp, "file_out.parquet"), text_column="text", title_column="title", jobs=2)
        file_s = time.perf_counter() - t

        os.environ["PYSPARK_PYTHON"] = sys.executable
        from pyspark.sql import SparkSession

        t = time.perf_counter()
        spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
        start_s = time.perf_counter() - t
        t = time.perf_counter()
        sdf = spark.read.parquet(src).repartition(8)
        label_spark(sdf, text_col="text", title_col="title").write.parquet(os.path.join(tmp, "spark_out"))
        spark_s = time.perf_counter() - t
        spark.stop()

    print(f"{args.rows:,} postings, Parquet in and out, 2 cores")
    print(f"{'label_file(jobs=2)':<28}{file_s:8.1f} s {args.rows / file_s:>10,.0f} rows/s")
    print(f"{'label_spark, local[2]':<28}{spark_s:8.1f} s {args.rows / spark_s:>10,.0f} rows/s   (+ {start_s:.1f} s session start)")
    print(f"spark / label_file throughput: {file_s / spark_s:.2f}")


if __name__ == "__main__":
    main()
