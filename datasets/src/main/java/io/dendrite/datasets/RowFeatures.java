package io.dendrite.datasets;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * How a DataFrame row's features become floats, for training ({@link FrameReader}) and scoring alike:
 * one vector column (dense or sparse) of {@code width} values, or {@code width} numeric columns, starting
 * at column {@code first} of the row. A null, a value that is not a number, or a vector of another size is
 * a {@link BadRowException} naming the row, the column, what was expected and what was found.
 *
 * @param vector true for one vector column, false for numeric columns
 * @param width the number of features
 * @param columns the feature columns' names (one for a vector column), for messages
 * @param first the index in the row of the first feature column
 */
public record RowFeatures(boolean vector, int width, List<String> columns, int first) implements Serializable {

    /** Checks the names agree with the layout. */
    public RowFeatures {
        columns = List.copyOf(columns);
        if (columns.size() != (vector ? 1 : width)) {
            throw new IllegalArgumentException("row features need " + (vector ? "one vector column" : width
                    + " numeric columns") + " but were given " + columns);
        }
    }

    /**
     * Writes {@code row}'s features to {@code x[off, off + width)}; {@code where} names the row in errors. A
     * value that is null, NaN or infinite, a vector of another size and a sparse index out of range or out of
     * order are each a {@link BadRowException} naming the row, the column and what was found.
     */
    public void read(Row row, float[] x, int off, String where) {
        if (!vector) {
            for (int i = 0; i < width; i++) {
                x[off + i] = finite(number(row.get(first + i), columns.get(i), where), where, columns.get(i));
            }
            return;
        }
        Object v = row.get(first);
        if (v == null) {
            throw missingVector(where);
        }
        if (!(v instanceof Vector vec)) {
            throw notAVector(where, "'" + v + "'");
        }
        if (vec.size() != width) {
            throw wrongSize(where, vec.size());
        }
        if (vec instanceof SparseVector sv) {
            java.util.Arrays.fill(x, off, off + width, 0f);
            int[] idx = sv.indices();
            double[] vals = sv.values();
            for (int i = 0; i < idx.length; i++) {
                checkIndex(idx, i, where);
                x[off + idx[i]] = finite((float) vals[i], where, columns.get(0), idx[i]);
            }
        } else {
            double[] vals = ((DenseVector) vec).values();
            for (int i = 0; i < width; i++) {
                x[off + i] = finite((float) vals[i], where, columns.get(0), i);
            }
        }
    }

    /**
     * Reads one vector column of a row in Spark's internal form straight from {@code VectorUDT}'s storage
     * (a struct of type — 0 sparse, 1 dense —, size, indices, values) into {@code x[off, off + width)},
     * without making a {@link Vector} first; the same checks and messages as {@link #read}. The storage is
     * not trusted: a sparse row's indices are checked, as its values, before they address the block.
     */
    public void readStored(InternalRow row, float[] x, int off, String where) {
        if (!vector) {
            throw new IllegalStateException("readStored reads one vector column");
        }
        if (row.isNullAt(first)) {
            throw missingVector(where);
        }
        InternalRow v = row.getStruct(first, 4);
        ArrayData values = v.getArray(3);
        boolean dense = v.getByte(0) == 1;
        int size = dense ? values.numElements() : v.getInt(1);
        if (size != width) {
            throw wrongSize(where, size);
        }
        if (dense) {
            for (int i = 0; i < width; i++) {
                x[off + i] = finite((float) values.getDouble(i), where, columns.get(0), i);
            }
            return;
        }
        java.util.Arrays.fill(x, off, off + width, 0f);
        int[] indices = v.getArray(2).toIntArray();
        if (indices.length != values.numElements()) {
            throw new BadRowException(BadRowException.Problem.BAD_INDEX, where + " column " + columns.get(0)
                    + ": a sparse vector with " + indices.length + " indices but " + values.numElements() + " values");
        }
        for (int k = 0; k < indices.length; k++) {
            checkIndex(indices, k, where);
            x[off + indices[k]] = finite((float) values.getDouble(k), where, columns.get(0), indices[k]);
        }
    }

    private void checkIndex(int[] idx, int k, String where) {
        if (idx[k] < 0 || idx[k] >= width || (k > 0 && idx[k] <= idx[k - 1])) {
            throw new BadRowException(BadRowException.Problem.BAD_INDEX, where + " column " + columns.get(0)
                    + ": sparse index " + k + " is " + idx[k] + " but indices must increase within [0, " + width + ")"
                    + (k > 0 ? " (the one before is " + idx[k - 1] + ")" : ""));
        }
    }

    private static float finite(float v, String where, String column) {
        if (!Float.isFinite(v)) {
            throw new BadRowException(BadRowException.Problem.NOT_FINITE, where + " column " + column
                    + ": expected a finite number but found " + v);
        }
        return v;
    }

    private static float finite(float v, String where, String column, int feature) {
        if (!Float.isFinite(v)) {
            throw new BadRowException(BadRowException.Problem.NOT_FINITE, where + " column " + column + " feature "
                    + feature + ": expected a finite number but found " + v);
        }
        return v;
    }

    private BadRowException missingVector(String where) {
        return new BadRowException(BadRowException.Problem.MISSING, where + " column " + columns.get(0)
                + ": expected a vector but found null");
    }

    private BadRowException notAVector(String where, String found) {
        return new BadRowException(BadRowException.Problem.NOT_A_NUMBER, where + " column " + columns.get(0)
                + ": expected a vector but found " + found);
    }

    private BadRowException wrongSize(String where, int found) {
        return new BadRowException(BadRowException.Problem.WRONG_FEATURE_COUNT, where + " column " + columns.get(0)
                + ": expected a vector of " + width + " features but found " + found);
    }

    /** A numeric cell as a float; anything else is a {@link BadRowException} naming {@code column}. */
    public static float number(Object v, String column, String where) {
        if (v instanceof Number n) {
            return n.floatValue();
        }
        throw new BadRowException(v == null ? BadRowException.Problem.MISSING : BadRowException.Problem.NOT_A_NUMBER,
                where + " column " + column + ": expected a number but found " + (v == null ? "null" : "'" + v + "'"));
    }
}
