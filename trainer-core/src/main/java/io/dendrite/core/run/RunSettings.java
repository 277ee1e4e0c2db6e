package io.dendrite.core.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Every setting of a run that changes its arithmetic, by name, as a checkpoint records them: the network
 * with each layer's activation parameters, initialiser and dropout rate, the loss with its parameters
 * (the Huber delta), the optimiser and its hyper-parameters, the schedule, the regularisation (l1, l2,
 * decay, clipping), batch size, seed, scaling, validation split, both callbacks and the labels. Only
 * the epochs, the outputs and the checkpoint cadence may differ on resume; {@link #requireSame} refuses
 * anything else, naming each setting with both values. Values are the configuration records' own text,
 * so a new parameter in any of them is covered without a change here.
 */
public final class RunSettings {
    private RunSettings() {
    }

    /** The settings of {@code c}, in a fixed order. */
    public static Map<String, String> of(TrainingConfig c) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("network", c.spec().toString());
        s.put("loss", c.loss().toString());
        s.put("optimizer", c.optimizer().id() + " " + new TreeMap<>(c.optimizer().config()));
        s.put("schedule", c.schedule().toString());
        s.put("regularization", c.regularization().toString());
        s.put("batch_size", Integer.toString(c.batchSize()));
        s.put("seed", Long.toString(c.seed()));
        s.put("scaling", c.scaling() + (c.scaling() == io.dendrite.core.data.FeatureScaler.Kind.CONSTANT
                ? " " + c.scalingDivisor() : ""));
        s.put("validation_split", Double.toString(c.validationSplit()));
        s.put("early_stopping", Objects.toString(c.earlyStopping()));
        s.put("reduce_lr_on_plateau", Objects.toString(c.plateau()));
        s.put("labels", c.labels().toString());
        return s;
    }

    /**
     * Fails unless {@code saved} (a checkpoint's, from {@code where}) equals {@code current}, naming
     * every setting that differs with both values.
     */
    public static void requireSame(Map<String, String> saved, Map<String, String> current, String where) {
        List<String> differ = new ArrayList<>();
        for (String k : union(saved, current)) {
            String a = saved.get(k);
            String b = current.get(k);
            if (!Objects.equals(a, b)) {
                differ.add(String.format("%s: checkpoint %s, this run %s", k, a == null ? "(none)" : a,
                        b == null ? "(none)" : b));
            }
        }
        if (!differ.isEmpty()) {
            throw new IllegalArgumentException("resume: the checkpoint " + where + " was written with other settings; "
                    + "only epochs, outputs and checkpoint cadence may change on resume. " + String.join("; ", differ));
        }
    }

    private static List<String> union(Map<String, String> a, Map<String, String> b) {
        List<String> keys = new ArrayList<>(a.keySet());
        b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(keys::add);
        return keys;
    }
}
