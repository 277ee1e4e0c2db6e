package io.dendrite.spark.ml;

import io.dendrite.core.model.Model;
import io.dendrite.spark.HadoopModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BiFunction;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import scala.Option;

/**
 * How a fitted Dendrite model is saved on any Hadoop path, alone or inside a {@code PipelineModel}: Spark
 * ML's params metadata ({@code metadata/}, as every Spark stage writes it, so pipelines find the class and
 * its params) and the Dendrite model files ({@code model/}: {@code model.json} and {@code weights.bin},
 * the same files the CLI writes and reads). No Java serialization.
 */
final class ModelIO {
    /** The model files' directory under a stage's path. */
    static final String MODEL_DIR = "model";

    private ModelIO() {
    }

    /** A fitted stage holding a Dendrite model. */
    public interface Fitted extends Params, org.apache.spark.ml.util.MLWritable {
        /** The trained network with its scaling and training summary. */
        Model dendriteModel();

        /** Writes the params metadata and the model files ({@link Writer}). */
        @Override
        default MLWriter write() {
            return new Writer(this);
        }

        /** Per metric (loss, accuracy, val_loss, val_accuracy, lr), its value after each epoch. */
        @SuppressWarnings("unchecked")
        default java.util.Map<String, java.util.List<Double>> history() {
            Object h = dendriteModel().summary().get("history");
            return h == null ? java.util.Map.of() : (java.util.Map<String, java.util.List<Double>>) h;
        }

        /** The run's summary: optimiser, epochs, final metrics, step mode, partitions and more. */
        default java.util.Map<String, Object> summary() {
            return dendriteModel().summary();
        }
    }

    /** Writes {@code stage}. */
    static final class Writer extends MLWriter {
        private final Fitted stage;

        Writer(Fitted stage) {
            this.stage = stage;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(stage, path, sc(), Option.empty(), Option.empty());
            try {
                HadoopModels.save(sc().hadoopConfiguration(), stage.dendriteModel(), new Path(path, MODEL_DIR));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save the model files under " + path, e);
            }
        }
    }

    /** Reads a stage of class {@code type}, made by {@code make} from its uid and model. */
    static final class Reader<M extends Fitted> extends MLReader<M> {
        private final Class<M> type;
        private final BiFunction<String, Model, M> make;

        Reader(Class<M> type, BiFunction<String, Model, M> make) {
            this.type = type;
            this.make = make;
        }

        @Override
        public M load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sc(), type.getName());
            Model model;
            try {
                model = HadoopModels.load(sc().hadoopConfiguration(), new Path(path, MODEL_DIR));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the model files under " + path, e);
            }
            M stage = make.apply(metadata.uid(), model);
            metadata.getAndSetParams(stage, Option.empty());
            return stage;
        }
    }
}
