package io.dendrite.datasets;

import io.dendrite.core.util.Checks;
import java.io.Serializable;

/**
 * What every reader shares: the bad-row policy, how features are stored, the rows per packed block, the
 * task (class labels are whole numbers in [0, classes); regression targets any finite value), and the
 * number of partitions the data is read into: exactly that many for CSV, LibSVM and Parquet, each a
 * contiguous run of the rows in file order, whatever the file sizes or the cluster (at most one per row for
 * IDX), so a split of the data is the same on any cluster.
 */
public record ReadOptions(BadRowPolicy policy, Storage storage, int blockRows, boolean classification, int classes,
                          int partitions) implements Serializable {

    /** Validates. */
    public ReadOptions {
        Checks.checkArgument(policy != null && storage != null, "policy and storage must be set");
        Checks.atLeast("block rows", blockRows, 1);
        Checks.checkArgument(!classification || classes >= 0, "classes must be >= 0 (0: any) but was %s", classes);
        Checks.atLeast("partitions", partitions, 1);
    }

    /** Classification with labels in [0, classes) ({@code 0}: any non-negative whole label), fail on bad rows. */
    public static ReadOptions classification(int classes) {
        return new ReadOptions(BadRowPolicy.ERROR, Storage.FLOAT32, 4096, true, classes, 2);
    }

    /** Regression on finite targets, fail on bad rows. */
    public static ReadOptions regression() {
        return new ReadOptions(BadRowPolicy.ERROR, Storage.FLOAT32, 4096, false, 0, 2);
    }

    /** The same with another bad-row policy. */
    public ReadOptions withPolicy(BadRowPolicy p) {
        return new ReadOptions(p, storage, blockRows, classification, classes, partitions);
    }

    /** The same with another feature storage. */
    public ReadOptions withStorage(Storage s) {
        return new ReadOptions(policy, s, blockRows, classification, classes, partitions);
    }

    /** The same with another block size. */
    public ReadOptions withBlockRows(int rows) {
        return new ReadOptions(policy, storage, rows, classification, classes, partitions);
    }

    /** The same with another partition count. */
    public ReadOptions withPartitions(int n) {
        return new ReadOptions(policy, storage, blockRows, classification, classes, n);
    }

    /** Checks a parsed label; {@code where} names the row and column. */
    void checkLabel(float label, String where) {
        if (!classification) {
            return;
        }
        if (label != Math.rint(label) || label < 0 || label >= (classes > 0 ? classes : 1 << 24)) {
            String range = classes > 0 ? "[0, " + classes + ")" : "[0, 2^24)";
            throw new BadRowException(BadRowException.Problem.BAD_LABEL,
                    where + ": class label must be a whole number in " + range + " but found " + label);
        }
    }

    /** Parses one numeric field, naming it in the error. */
    static float parse(String field, String where) {
        String f = field.trim();
        if (f.length() >= 2 && f.charAt(0) == '"' && f.charAt(f.length() - 1) == '"') {
            f = f.substring(1, f.length() - 1).trim();
        }
        try {
            return Float.parseFloat(f);
        } catch (NumberFormatException e) {
            throw new BadRowException(BadRowException.Problem.NOT_A_NUMBER,
                    where + ": expected a number but found '" + field + "'");
        }
    }
}
