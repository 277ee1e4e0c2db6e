package io.dendrite.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dendrite.core.TorchReference;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
    @TempDir
    Path tmp;

    private static Path golden() throws URISyntaxException {
        return Path.of(ModelFilesTest.class.getResource("/golden/model-v1/model.json").toURI()).getParent();
    }

    @Test
    void roundTripKeepsEverything() throws IOException {
        Model m = GoldenModelV1.model();
        ModelFiles.save(m, tmp);
        Model back = ModelFiles.load(tmp);
        assertEquals(m.spec(), back.spec());
        assertEquals(m.loss(), back.loss());
        assertEquals(m.scaler(), back.scaler());
        assertEquals(m.labels(), back.labels());
        assertEquals(m.summary(), back.summary());
        assertArrayEquals(m.parameters(), back.parameters());
        assertArrayEquals(m.predictProba(GoldenModelV1.INPUTS, 3), back.predictProba(GoldenModelV1.INPUTS, 3));
        try (var files = Files.list(tmp)) {
            assertEquals(2, files.count(), "no temporary files are left behind");
        }
    }

    @Test
    void goldenVersion1StillLoadsAndPredictsAsStored() throws Exception {
        Model m = ModelFiles.load(golden());
        JsonNode stored = new ObjectMapper().readTree(golden().resolve("predictions.json").toFile());
        float[] inputs = TorchReference.floats(stored.get("inputs"));
        assertArrayEquals(TorchReference.floats(stored.get("probabilities")), m.predictProba(inputs, 3), 1e-6f);
        assertEquals(java.util.List.of("low", "mid", "high"), m.labels());
    }

    @Test
    void writerStillProducesTheGoldenBytes() throws Exception {
        GoldenModelV1.main(new String[] {tmp.toString()});
        for (String f : new String[] {ModelFormat.MODEL_FILE, ModelFormat.WEIGHTS_FILE}) {
            assertArrayEquals(Files.readAllBytes(golden().resolve(f)), Files.readAllBytes(tmp.resolve(f)),
                    f + " changed: bump the format version and add a new golden directory instead");
        }
    }

    private byte[] weightsBytes() throws Exception {
        return Files.readAllBytes(golden().resolve(ModelFormat.WEIGHTS_FILE));
    }

    private String loadFailure(byte[] weights, String json) throws Exception {
        Files.write(tmp.resolve(ModelFormat.WEIGHTS_FILE), weights);
        Files.writeString(tmp.resolve(ModelFormat.MODEL_FILE), json);
        return assertThrows(ModelFormatException.class, () -> ModelFiles.load(tmp)).getMessage()
                .replace(tmp.toString(), "DIR");
    }

    private String goldenJson() throws Exception {
        return Files.readString(golden().resolve(ModelFormat.MODEL_FILE));
    }

    @Test
    void truncatedWeightsAreRejected() throws Exception {
        byte[] w = weightsBytes();
        assertEquals("DIR/weights.bin: truncated: the header announces 31 weights (124 bytes) and a 4-byte checksum "
                + "after byte 16, but only 100 bytes follow", loadFailure(java.util.Arrays.copyOf(w, 116), goldenJson()));
        assertEquals("DIR/weights.bin: truncated: the header needs 16 bytes but the file holds only 7",
                loadFailure(java.util.Arrays.copyOf(w, 7), goldenJson()));
    }

    @Test
    void wrongMagicIsRejected() throws Exception {
        byte[] w = weightsBytes();
        w[0] = 'P';
        w[1] = 'K';
        assertEquals("DIR/weights.bin: wrong magic at byte 0: expected 44 4e 44 57 (\"DNDW\") but found 50 4b 44 57; "
                + "this is not a Dendrite weights file", loadFailure(w, goldenJson()));
    }

    @Test
    void unknownVersionsAreRejected() throws Exception {
        byte[] w = weightsBytes();
        ByteBuffer.wrap(w).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 9);
        assertEquals("DIR/weights.bin: unknown weights format version 9 at byte 4; this reader knows version 1",
                loadFailure(w, goldenJson()));
        assertEquals("DIR/model.json: unknown format_version 2; this reader knows 1",
                loadFailure(weightsBytes(), goldenJson().replace("\"format_version\" : 1", "\"format_version\" : 2")));
    }

    @Test
    void checksumFailuresAreRejected() throws Exception {
        byte[] w = weightsBytes();
        w[40] ^= 0x10;
        assertTrue(loadFailure(w, goldenJson()).matches("DIR/weights.bin: checksum mismatch: the file says [0-9a-f]{8} "
                + "but its contents hash to [0-9a-f]{8}; the file is corrupt"));
        String otherCrc = goldenJson().replaceAll("\"crc32\" : \"[0-9a-f]{8}\"", "\"crc32\" : \"00000000\"");
        assertTrue(loadFailure(weightsBytes(), otherCrc).matches("DIR/weights.bin: checksum [0-9a-f]{8} does not "
                + "match the 00000000 recorded in model.json; the weights belong to another model"));
    }

    @Test
    void weightCountThatDoesNotMatchTheSpecIsRejected() throws Exception {
        assertEquals("DIR/model.json: field 'weights.count' is 30 but the network spec needs 31 weights",
                loadFailure(weightsBytes(), goldenJson().replace("\"count\" : 31", "\"count\" : 30")));
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        WeightsFile.write(new float[30], other);
        assertEquals("DIR/weights.bin: holds 30 weights but the network spec needs 31",
                loadFailure(other.toByteArray(), goldenJson()));
    }

    @Test
    void nanWeightsAreRejected() throws Exception {
        float[] params = GoldenModelV1.model().parameters();
        params[5] = Float.NaN;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WeightsFile.write(params, out);
        assertEquals("DIR/weights.bin: weight 5 (byte 36) is NaN; a usable model holds only finite weights",
                loadFailure(out.toByteArray(), goldenJson()));
    }

    @Test
    void weightFileNamesOutsideTheModelDirectoryAreRefused() throws Exception {
        for (String name : new String[] {"../weights.bin", "/etc/passwd", "sub/weights.bin", ".hidden", ""}) {
            assertEquals("DIR/model.json: field 'weights.file' must be a plain file name in the same directory but "
                    + "was \"" + name + "\"", loadFailure(weightsBytes(),
                    goldenJson().replace("\"file\" : \"weights.bin\"", "\"file\" : \"" + name + "\"")));
        }
    }

    @Test
    void badDocumentsNameTheField() throws Exception {
        byte[] w = weightsBytes();
        assertEquals("DIR/model.json: missing field 'network.layers[0].units'",
                loadFailure(w, goldenJson().replaceFirst("\"units\" : 4,", "")));
        assertEquals("DIR/model.json: field 'network.layers[1].type' must be \"dense\" or \"dropout\" but is \"conv\"",
                loadFailure(w, goldenJson().replace("\"dropout\"", "\"conv\"")));
        assertEquals("DIR/model.json: field 'network.layers[1]': dropout rate must be in [0, 1) but was 1.5",
                loadFailure(w, goldenJson().replace("\"rate\" : 0.25", "\"rate\" : 1.5")));
        assertEquals("DIR/model.json: field 'network.input_width' must be an integer but is \"3\"",
                loadFailure(w, goldenJson().replace("\"input_width\" : 3", "\"input_width\" : \"3\"")));
        assertTrue(loadFailure(w, "{\"format\": \"dendrite-model\",").startsWith("DIR/model.json: not valid JSON at "
                + "line 1 column"));
        assertEquals("DIR/model.json: field 'format' must be \"dendrite-model\" but is \"onnx\"",
                loadFailure(w, goldenJson().replace("\"dendrite-model\"", "\"onnx\"")));
    }

    @Test
    void missingFilesAreNamed() throws Exception {
        String m = assertThrows(ModelFormatException.class, () -> ModelFiles.load(tmp)).getMessage();
        assertEquals(tmp.resolve("model.json") + ": no model document here; a model directory holds model.json and "
                + "weights.bin", m);
    }

    @Test
    void streamsReadWhatTheyWrite() throws IOException {
        float[] w = {1.5f, -2f, 0f, Float.MIN_VALUE};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WeightsFile.write(w, out);
        assertEquals(16 + 16 + 4, out.size());
        assertArrayEquals(w, WeightsFile.read(new ByteArrayInputStream(out.toByteArray()), "mem", 4));
        byte[] extra = java.util.Arrays.copyOf(out.toByteArray(), out.size() + 1);
        assertEquals("mem: unexpected bytes after the checksum at byte 36", assertThrows(ModelFormatException.class,
                () -> WeightsFile.read(new ByteArrayInputStream(extra), "mem", 4)).getMessage());
        assertEquals("DNDW", new String(out.toByteArray(), 0, 4, StandardCharsets.US_ASCII));
    }
}
