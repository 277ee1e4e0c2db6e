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

    /** Writes {@code row}'s features to {@code x[off, off + width)}; {@code where} names the row in errors. */
    public void read(Row row, float[] x, int off, String where) {
        if (!vector) {
            for (int i = 0; i < width; i++) {
                x[off + i] = number(row.get(first + i), columns.get(i), where);
            }
            return;
        }
        Object v = row.get(first);
        if (!(v instanceof Vector vec)) {
            throw notAVector(where, v == null ? "null" : "'" + v + "'");
        }
        if (vec.size() != width) {
            throw wrongSize(where, vec.size());
        }
        if (vec instanceof SparseVector sv) {
            java.util.Arrays.fill(x, off, off + width, 0f);
            int[] idx = sv.indices();
            double[] vals = sv.values();
            for (int i = 0; i < idx.length; i++) {
                x[off + idx[i]] = (float) vals[i];
            }
        } else {
            double[] vals = ((DenseVector) vec).values();
            for (int i = 0; i < width; i++) {
                x[off + i] = (float) vals[i];
            }
        }
    }

    /**
     * Reads one vector column of a row in Spark's internal form straight from {@code VectorUDT}'s storage
     * (a struct of type — 0 sparse, 1 dense —, size, indices, values) into {@code x[off, off + width)},
     * without making a {@link Vector} first; the same checks and messages as {@link #read}.
     */
    public void readStored(InternalRow row, float[] x, int off, String where) {
        if (!vector) {
            throw new IllegalStateException("readStored reads one vector column");
        }
        if (row.isNullAt(first)) {
            throw notAVector(where, "null");
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
                x[off + i] = (float) values.getDouble(i);
            }
            return;
        }
        java.util.Arrays.fill(x, off, off + width, 0f);
        ArrayData indices = v.getArray(2);
        for (int k = 0; k < indices.numElements(); k++) {
            x[off + indices.getInt(k)] = (float) values.getDouble(k);
        }
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
        throw new BadRowException(BadRowException.Problem.NOT_A_NUMBER,
                where + " column " + column + ": expected a number but found " + (v == null ? "null" : "'" + v + "'"));
    }
}
