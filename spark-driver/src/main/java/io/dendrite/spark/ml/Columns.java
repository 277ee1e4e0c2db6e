package io.dendrite.spark.ml;

import java.util.List;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Checks of an input's columns before any job runs, each failing with one line naming the param and column. */
final class Columns {
    private Columns() {
    }

    /** The field {@code param} names; fails when the input has no such column. */
    static StructField field(String stage, StructType schema, String param, String column) {
        List<String> names = List.of(schema.fieldNames());
        if (!names.contains(column)) {
            throw new IllegalArgumentException(stage + ": " + param + " '" + column + "' is not a column of the input; "
                    + "its columns are " + names);
        }
        return schema.apply(column);
    }

    /** A vector column, of {@code width} values when its metadata says and {@code width} is not 0. */
    static void vector(String stage, StructType schema, String param, String column, int width) {
        StructField f = field(stage, schema, param, column);
        if (!(f.dataType() instanceof VectorUDT)) {
            throw typeError(stage, param, column, "a vector (org.apache.spark.ml.linalg.Vector)", f.dataType());
        }
        int size = AttributeGroup.fromStructField(f).size();
        if (width > 0 && size >= 0 && size != width) {
            throw new IllegalArgumentException(stage + ": " + param + " '" + column + "' holds vectors of " + size
                    + " features but the model expects " + width);
        }
    }

    /** A numeric column. */
    static void numeric(String stage, StructType schema, String param, String column) {
        StructField f = field(stage, schema, param, column);
        if (!(f.dataType() instanceof NumericType)) {
            throw typeError(stage, param, column, "numeric", f.dataType());
        }
    }

    /** A numeric or vector column. */
    static boolean numericOrVector(String stage, StructType schema, String param, String column) {
        StructField f = field(stage, schema, param, column);
        if (f.dataType() instanceof VectorUDT) {
            return true;
        }
        if (!(f.dataType() instanceof NumericType)) {
            throw typeError(stage, param, column, "numeric or a vector", f.dataType());
        }
        return false;
    }

    /** A boolean column. */
    static void bool(String stage, StructType schema, String param, String column) {
        StructField f = field(stage, schema, param, column);
        if (!(f.dataType() instanceof BooleanType)) {
            throw typeError(stage, param, column, "boolean", f.dataType());
        }
    }

    private static IllegalArgumentException typeError(String stage, String param, String column, String expected,
                                                      DataType found) {
        String ours = stage + ": " + param + " '" + column + "' must be " + expected + " but is " + found.simpleString();
        if (!expected.equals("numeric") && !expected.equals("boolean")) {
            return new IllegalArgumentException(ours);
        }
        // Then Spark's own wording (SchemaUtils), the line users of MLlib's estimators know and search for.
        return new IllegalArgumentException(ours + ". Column " + column + " must be of type " + expected
                + " but was actually of type " + found.catalogString() + ".");
    }
}
