package io.dendrite.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import org.junit.jupiter.api.Assertions;

import io.dendrite.core.data.Dataset;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** CSV and LibSVM readers on real data (the bundled iris and digits, written out as files) and bad rows. */
public class TextReadersTest extends SparkSuite {

    private static String irisCsv(Dataset iris, int from, int to, boolean header) {
        StringBuilder sb = new StringBuilder(header ? "sepal_length,sepal_width,species,petal_length,petal_width\n" : "");
        for (int r = from; r < to; r++) {
            float[] x = iris.features();
            sb.append(x[r * 4]).append(',').append(x[r * 4 + 1]).append(',').append((int) iris.targets()[r]).append(',')
                    .append(x[r * 4 + 2]).append(',').append(x[r * 4 + 3]).append('\n');
        }
        return sb.toString();
    }

    /** Sums every feature and label, a fingerprint that does not depend on row order. */
    private static double[] fingerprint(Dataset d) {
        double[] f = new double[d.featureWidth() + 1];
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.featureWidth(); c++) {
                f[c] += d.features()[r * d.featureWidth() + c] * (1 + d.targets()[r]);
            }
            f[d.featureWidth()] += d.targets()[r];
        }
        return f;
    }

    @Test
    public void csvWithHeaderAcrossFilesGlobsDirectoriesAndGzip() {
        Dataset iris = BundledDatasets.load("iris").data();
        Path dir = newTempDir();
        write(dir.resolve("a.csv"), irisCsv(iris, 0, 50, true));
        write(dir.resolve("b.csv.gz"), irisCsv(iris, 50, 150, true));
        write(dir.resolve("_SUCCESS"), "");
        ShardedDataset byDir = TextReaders.csv(jsc(), dir.toUri().toString(),
                TextReaders.CsvOptions.withHeader("species"), ReadOptions.classification(3));
        assertEquals(150, byDir.cache().keptRows());
        Dataset back = byDir.collectLocal();
        assertEquals(4, back.featureWidth());
        assertArrayEquals(fingerprint(iris), fingerprint(back), 1e-3);

        ShardedDataset byGlob = TextReaders.csv(jsc(), dir.resolve("*.csv*").toString(),
                new TextReaders.CsvOptions(true, ',', "species", List.of("petal_length", "petal_width")),
                ReadOptions.classification(3));
        Dataset petals = byGlob.collectLocal();
        assertEquals(2, petals.featureWidth());
        assertEquals(150, petals.rows());
    }

    @Test
    public void csvIsReadIntoExactlyThePartitionsAskedForInFileOrder() {
        Path dir = newTempDir();
        StringBuilder a = new StringBuilder("x,y\n");
        StringBuilder b = new StringBuilder("x,y\n");
        for (int r = 0; r < 10; r++) {
            (r < 4 ? a : b).append(r).append(',').append(r % 2).append('\n');
        }
        write(dir.resolve("a.csv"), a.toString());
        write(dir.resolve("b.csv"), b.toString());
        for (int partitions : new int[] {1, 3, 7}) {
            ShardedDataset d = TextReaders.csv(jsc(), dir.toString(), TextReaders.CsvOptions.withHeader("y"),
                    ReadOptions.classification(2).withPartitions(partitions));
            assertEquals(partitions, d.blocks().getNumPartitions());
            // Row g of 10 lands in partition floor(g * partitions / 10), in file order.
            List<List<Float>> got = d.blocks().mapPartitions(it -> {
                List<Float> xs = new java.util.ArrayList<>();
                it.forEachRemaining(block -> {
                    for (float v : block.featuresAsFloat()) {
                        xs.add(v);
                    }
                });
                return List.of(xs).iterator();
            }).collect();
            List<List<Float>> expected = new java.util.ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                expected.add(new java.util.ArrayList<>());
            }
            for (int g = 0; g < 10; g++) {
                expected.get(g * partitions / 10).add((float) g);
            }
            assertEquals(expected, got, partitions + " partitions");
        }
    }

    @Test
    public void csvWithoutHeaderByColumnIndex() {
        Dataset iris = BundledDatasets.load("iris").data();
        Path f = write(newTempDir().resolve("iris.csv"), irisCsv(iris, 0, 150, false));
        Dataset back = TextReaders.csv(jsc(), f.toString(), TextReaders.CsvOptions.noHeader(2),
                ReadOptions.classification(3)).collectLocal();
        assertArrayEquals(fingerprint(iris), fingerprint(back), 1e-3);
    }

    @Test
    public void libsvmSparseRowsIntoTheDeclaredWidth() {
        Dataset digits = BundledDatasets.load("digits").data();
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < digits.rows(); r++) {
            sb.append((int) digits.targets()[r]);
            for (int c = 0; c < 64; c++) {
                float v = digits.features()[r * 64 + c];
                if (v != 0) {
                    sb.append(' ').append(c + 1).append(':').append((int) v);
                }
            }
            sb.append('\n');
        }
        Path f = write(newTempDir().resolve("digits.libsvm"), sb.toString());
        ShardedDataset d = TextReaders.libsvm(jsc(), f.toString(), 64, ReadOptions.classification(10));
        Dataset back = d.collectLocal();
        assertEquals(1797, back.rows());
        assertArrayEquals(digits.features(), back.features(), "LibSVM rows come back in file order");
        assertArrayEquals(digits.targets(), back.targets());
    }

    private String csvFailure(String body, ReadOptions options) {
        Path f = write(newTempDir().resolve("bad.csv"), "a,b,label\n" + body);
        Exception e = assertThrows(Exception.class, () -> TextReaders.csv(jsc(), f.toString(),
                TextReaders.CsvOptions.withHeader("label"), options).cache());
        return rootMessage(e).replace(f.toUri().toString(), "FILE").replace("file:" + f, "FILE");
    }

    @Test
    public void badCsvRowsFailNamingFileLineColumnAndValue() {
        ReadOptions opts = ReadOptions.classification(3);
        assertEquals("FILE line 3 column 2: expected a number but found 'abc'",
                csvFailure("1,2,0\n1,abc,1\n", opts));
        assertEquals("FILE line 2 feature 0: expected a finite number but found NaN", csvFailure("NaN,2,0\n", opts));
        assertEquals("FILE line 2 feature 1: expected a finite number but found Infinity",
                csvFailure("1,Infinity,0\n", opts));
        assertEquals("FILE line 4: expected 3 fields but found 2", csvFailure("1,2,0\n1,2,1\n1,2\n", opts));
        assertEquals("FILE line 2 column 3: class label must be a whole number in [0, 3) but found 1.5",
                csvFailure("1,2,1.5\n", opts));
        assertEquals("FILE line 2 column 3: class label must be a whole number in [0, 3) but found 7.0",
                csvFailure("1,2,7\n", opts));
        Assertions.assertTrue(csvFailure("", opts).startsWith("empty input: CSV "));
        Exception e = assertThrows(IllegalArgumentException.class, () -> TextReaders.csv(jsc(),
                newTempDir().resolve("missing-*.csv").toString(), TextReaders.CsvOptions.withHeader("x"), opts));
        Assertions.assertTrue(e.getMessage().startsWith("empty input: no file matches"), e.getMessage());
    }

    @Test
    public void skipPolicyDropsAndCountsEveryBadRowByReason() {
        Path f = write(newTempDir().resolve("mixed.csv"), "a,b,label\n1,2,0\nx,2,1\n1,NaN,1\n1,2\n3,4,9\n5,6,2\n");
        ShardedDataset d = TextReaders.csv(jsc(), f.toString(), TextReaders.CsvOptions.withHeader("label"),
                ReadOptions.classification(3).withPolicy(BadRowPolicy.SKIP));
        LoadStats stats = d.cache();
        assertEquals(6, stats.read());
        assertEquals(2, stats.keptRows());
        assertEquals(Map.of(BadRowException.Problem.NOT_A_NUMBER, 1L, BadRowException.Problem.NOT_FINITE, 1L,
                BadRowException.Problem.WRONG_FEATURE_COUNT, 1L, BadRowException.Problem.BAD_LABEL, 1L),
                stats.skippedByReason());
        Assertions.assertTrue(stats.toString().contains("1 × NOT_A_NUMBER, first: "), stats.toString());
        assertEquals(2, d.count());
    }

    @Test
    public void badLibsvmIndices() {
        Path f = write(newTempDir().resolve("bad.libsvm"), "1 1:0.5 3:2\n0 3:1 2:4\n");
        Exception e = assertThrows(Exception.class,
                () -> TextReaders.libsvm(jsc(), f.toString(), 4, ReadOptions.classification(2)).cache());
        Assertions.assertTrue(rootMessage(e).endsWith("line 2 token 3: index must be in [4, 4] (1-based, ascending) but was 2"),
                rootMessage(e));
        Path wide = write(newTempDir().resolve("wide.libsvm"), "1 5:1\n");
        e = assertThrows(Exception.class,
                () -> TextReaders.libsvm(jsc(), wide.toString(), 4, ReadOptions.classification(2)).cache());
        Assertions.assertTrue(rootMessage(e).endsWith("line 1 token 2: index must be in [1, 4] (1-based, ascending) but was 5"),
                rootMessage(e));
    }
}
