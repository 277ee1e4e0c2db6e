package io.dendrite.datasets;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.AfterClass;
import org.junit.Before;

/**
 * The shared Spark session of a test suite on Spark 4, for which spark-testing-base has no release: the
 * same contract as its {@code JavaDataFrameSuiteBase} on the Spark 3 build (one session per suite class,
 * made before its first test from the suite's {@link #conf()}, stopped after its last; JUnit 4 lifecycle,
 * run on the JUnit 5 platform by the vintage engine).
 */
public abstract class SharedSpark {
    private static SparkSession session;

    /** The suite's Spark configuration; suites override it (master, serializer, ...). */
    public SparkConf conf() {
        return new SparkConf().setMaster("local[2]").setAppName(getClass().getSimpleName());
    }

    /** Starts the suite's session before its first test. */
    @Before
    public void startSpark() {
        if (session == null) {
            session = SparkSession.builder().config(conf()).getOrCreate();
        }
    }

    /** Stops the suite's session after its last test. */
    @AfterClass
    public static void stopSpark() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }

    /** The session. */
    public SparkSession spark() {
        return session;
    }

    /** Its context. */
    public SparkContext sc() {
        return session.sparkContext();
    }

    /** Its context for Java. */
    public JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(sc());
    }
}
