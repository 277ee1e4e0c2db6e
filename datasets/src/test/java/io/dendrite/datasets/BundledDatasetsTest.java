package io.dendrite.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BundledDatasetsTest {

    @Test
    void shapesLabelsAndProvenance() {
        record Expect(String name, int rows, int width, int classes) { }
        for (Expect e : List.of(new Expect("digits", 1797, 64, 10), new Expect("iris", 150, 4, 3),
                new Expect("breast_cancer", 569, 30, 2), new Expect("diabetes", 442, 10, 0))) {
            BundledDataset d = BundledDatasets.load(e.name());
            assertEquals(e.rows(), d.data().rows(), e.name());
            assertEquals(e.width(), d.data().featureWidth(), e.name());
            assertEquals(e.classes(), d.classNames().size(), e.name());
            assertTrue(d.provenance().length() > 500, e.name() + " carries its provenance text");
            if (e.classes() > 0) {
                assertEquals(e.classes(), d.data().classCount(), e.name() + " uses every class");
            }
        }
        assertEquals(List.of("malignant", "benign"), BundledDatasets.load("breast-cancer").classNames());
        assertEquals(151f, BundledDatasets.load("diabetes").data().targets()[0]);
        assertEquals(17.99f, BundledDatasets.load("breast_cancer").data().features()[0]);
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BundledDatasets.load("mnist"));
        assertEquals("unknown bundled dataset 'mnist'; expected one of [digits, iris, breast_cancer, diabetes]",
                e.getMessage());
    }

    private static String parseFailure(String... lines) {
        return assertThrows(IllegalStateException.class, () -> BundledDatasets.parseLabelled("t", "t.csv",
                List.of(lines), 2, true, null)).getMessage();
    }

    @Test
    void malformedLinesAreNamedByLineAndColumn() {
        assertEquals("t.csv line 3 column 2: expected a number but found 'x'",
                parseFailure("2,2,a,b", "1,2,0", "1,x,1"));
        assertEquals("t.csv line 2: expected 3 fields but found 2", parseFailure("2,2,a,b", "1,2", "1,2,1"));
        assertEquals("t.csv line 2 column 3: label must be an integer in [0, 2) but was 2",
                parseFailure("2,2,a,b", "1,2,2", "1,2,1"));
        assertEquals("t.csv line 2 column 1: expected a finite number but found 'NaN'",
                parseFailure("2,2,a,b", "NaN,2,0", "1,2,1"));
        assertEquals("t.csv: header declares 3 rows but 2 follow", parseFailure("3,2,a,b", "1,2,0", "1,2,1"));
        assertEquals("t.csv line 1: declares 5 features but 2 were expected", parseFailure("2,5,a,b", "1,2,0"));
    }
}
