/** Evaluation metrics over plain arrays: confusion matrix, precision/recall/F1, log loss, ROC AUC, MSE/RMSE/MAE/R². */
package io.dendrite.core.metrics;
