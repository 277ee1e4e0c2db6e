/**
 * Dendrite in Spark ML pipelines: {@link io.dendrite.spark.ml.DendriteClassifier} and
 * {@link io.dendrite.spark.ml.DendriteRegressor} estimators with their fitted models, Spark ML params,
 * block scoring in {@code transform}, and persistence inside {@code Pipeline}s and {@code PipelineModel}s.
 */
package io.dendrite.spark.ml;
