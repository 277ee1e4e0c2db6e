package io.dendrite.datasets;

import io.dendrite.core.data.Dataset;
import java.util.List;

/**
 * One of the small real datasets that ship inside the jar, so examples and tests need nothing
 * downloaded. {@code classNames} is empty for a regression.
 */
public record BundledDataset(String name, Dataset data, List<String> classNames, String provenance) {

    /** True for a classification dataset (integer labels). */
    public boolean isClassification() {
        return !classNames.isEmpty();
    }
}
