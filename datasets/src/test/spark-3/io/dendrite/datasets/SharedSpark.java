package io.dendrite.datasets;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;

/**
 * The shared Spark session of a test suite on Spark 3: spark-testing-base's (one context per suite,
 * JUnit 4 lifecycle, run on the JUnit 5 platform by the vintage engine). The Spark 4 build compiles
 * {@code src/test/spark-4}'s class of the same name, which keeps the same contract.
 */
public abstract class SharedSpark extends JavaDataFrameSuiteBase {
}
