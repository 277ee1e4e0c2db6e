package io.dendrite.spark;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark SQL internals Dendrite uses, for Spark 3 (the Spark 4 build compiles {@code src/main/spark-4}'s
 * class of the same name instead): a DataFrame's rows in Spark's internal form, and a DataFrame made of
 * such rows. The Spark ML models' {@code transform} so reads vectors straight from their storage and passes
 * each input row on as its bytes.
 */
public final class SqlInternals {
    private SqlInternals() {
    }

    /** The rows of {@code df}'s executed plan. */
    public static RDD<InternalRow> rows(Dataset<Row> df) {
        return df.queryExecution().toRdd();
    }

    /** A DataFrame of {@code schema} over {@code rows}. */
    public static Dataset<Row> frame(SparkSession spark, RDD<InternalRow> rows, StructType schema) {
        return spark.internalCreateDataFrame(rows, schema, false);
    }
}
