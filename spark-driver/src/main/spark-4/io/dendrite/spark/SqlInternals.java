package io.dendrite.spark;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark SQL internals Dendrite uses, for Spark 4 (the default build compiles {@code src/main/spark-3}'s
 * class of the same name instead): a DataFrame's rows in Spark's internal form, and a DataFrame made of
 * such rows. Spark 4's {@code Dataset} and {@code SparkSession} are interfaces over the classic
 * implementation, which holds the plan; Spark Connect sessions have none.
 */
public final class SqlInternals {
    private SqlInternals() {
    }

    /** The rows of {@code df}'s executed plan. */
    public static RDD<InternalRow> rows(Dataset<Row> df) {
        return classic(df).queryExecution().toRdd();
    }

    /** A DataFrame of {@code schema} over {@code rows}. */
    public static Dataset<Row> frame(SparkSession spark, RDD<InternalRow> rows, StructType schema) {
        if (!(spark instanceof org.apache.spark.sql.classic.SparkSession s)) {
            throw new UnsupportedOperationException("Dendrite's transform needs a classic Spark session, not "
                    + spark.getClass().getName());
        }
        return s.internalCreateDataFrame(rows, schema, false);
    }

    private static org.apache.spark.sql.classic.Dataset<Row> classic(Dataset<Row> df) {
        if (!(df instanceof org.apache.spark.sql.classic.Dataset<Row> d)) {
            throw new UnsupportedOperationException("Dendrite's transform needs a classic Spark DataFrame, not "
                    + df.getClass().getName());
        }
        return d;
    }
}
