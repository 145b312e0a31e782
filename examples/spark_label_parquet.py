"""Label a Parquet data set of postings on a Spark cluster with officeclass.

    pip install 'officeclass[spark]'        # on the driver and on every executor
    spark-submit examples/spark_label_parquet.py s3a://bucket/postings/ s3a://bucket/labelled/

Every executor needs officeclass installed (the model ships inside the package;
each executor's Python worker loads it once). Throughput grows with executor cores.
"""

import sys

from pyspark.sql import SparkSession

from officeclass.spark import label_spark


def main(source: str, target: str) -> None:
    spark = SparkSession.builder.appName("officeclass-label").getOrCreate()
    postings = spark.read.parquet(source)
    labelled = label_spark(postings, text_col="description", title_col="title", explain=False)
    labelled.write.mode("overwrite").parquet(target)
    labelled.groupBy("officeclass_label", "officeclass_abstained").count().show()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
