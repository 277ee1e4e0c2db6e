package io.dendrite.core.train;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.model.Model;
import io.dendrite.core.model.ModelFiles;
import io.dendrite.core.optim.Optimizers;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Trains a fixed network on the first rows of Fashion-MNIST with the kernel this JVM chooses, saves the
 * model and prints {@code KERNEL-NAME SHA-256-of-weights.bin}. Run in fresh JVMs by
 * {@link FashionMnistDeterminismTest}: the kernel starts cold in each and is compiled during training.
 */
public final class FashionSliceRun {
    /** Where Debian's {@code dataset-fashion-mnist} puts the files. */
    public static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private FashionSliceRun() {
    }

    /** Arguments: rows, output directory. */
    public static void main(String[] args) throws IOException, NoSuchAlgorithmException {
        int rows = Integer.parseInt(args[0]);
        Path out = Path.of(args[1]);
        Dataset data = read(rows);
        Model model = Sequential.input(784)
                .dense(128, Activation.RELU)
                .dropout(0.2f)
                .dense(64, Activation.TANH)
                .dense(32, Activation.SIGMOID)
                .dense(10, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy())
                .optimizer(Optimizers.adam(1e-3f))
                .clipNorm(5f)
                .scaleBy(255f)
                .batchSize(64).epochs(2).seed(11)
                .progress((java.io.PrintStream) null)
                .build().fit(data);
        ModelFiles.save(model, out);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out.resolve("weights.bin")));
        System.out.println(Kernels.get().name() + " " + HexFormat.of().formatHex(digest));
    }

    /** The first {@code rows} training images (pixels 0–255) and labels. */
    static Dataset read(int rows) throws IOException {
        float[] x = new float[rows * 784];
        float[] y = new float[rows];
        try (DataInputStream images = open("train-images-idx3-ubyte.gz", 2051, 16);
             DataInputStream labels = open("train-labels-idx1-ubyte.gz", 2049, 8)) {
            byte[] pixels = new byte[rows * 784];
            images.readFully(pixels);
            for (int i = 0; i < pixels.length; i++) {
                x[i] = pixels[i] & 0xff;
            }
            for (int r = 0; r < rows; r++) {
                y[r] = labels.readUnsignedByte();
            }
        }
        return Dataset.of(x, 784, y, 1);
    }

    private static DataInputStream open(String name, int magic, int headerBytes) throws IOException {
        InputStream in = new GZIPInputStream(Files.newInputStream(DIR.resolve(name)));
        DataInputStream data = new DataInputStream(in);
        int found = data.readInt();
        if (found != magic) {
            data.close();
            throw new IOException(DIR.resolve(name) + ": expected IDX magic " + magic + " but found " + found);
        }
        data.skipNBytes(headerBytes - 4);
        return data;
    }
}
