package io.dendrite.spark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A strict view of one mapping in a job file: every read names the key's full path in its error, says
 * what is allowed and what was found, and {@link #finish} rejects keys nobody read, so a misspelt key
 * fails instead of being ignored.
 */
final class ConfigNode {
    private final JsonNode node;
    private final String path;
    private final Set<String> read = new LinkedHashSet<>();

    ConfigNode(JsonNode node, String path) {
        this.path = path;
        if (node == null || node.isNull() || node.isMissingNode()) {
            this.node = JsonNodeFactory.instance.objectNode();
        } else if (!node.isObject()) {
            throw new JobConfigException(label() + " must be a mapping of keys to values but was " + describe(node));
        } else {
            this.node = node;
        }
    }

    /** Where this node sits, e.g. {@code training.early_stopping}. */
    String path() {
        return path;
    }

    String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private String label() {
        return path.isEmpty() ? "the job file" : "'" + path + "'";
    }

    boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    private JsonNode take(String key) {
        read.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    /** A nested mapping (empty when absent). */
    ConfigNode child(String key) {
        return new ConfigNode(take(key), at(key));
    }

    /** A nested mapping, or null when the key is absent. */
    ConfigNode optionalChild(String key) {
        JsonNode v = take(key);
        return v == null ? null : new ConfigNode(v, at(key));
    }

    /** A list of mappings. */
    List<ConfigNode> list(String key) {
        JsonNode v = take(key);
        if (v == null) {
            throw new JobConfigException("'" + at(key) + "' is required: a list");
        }
        if (!v.isArray()) {
            throw new JobConfigException("'" + at(key) + "' must be a list but was " + describe(v));
        }
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(new ConfigNode(v.get(i), at(key) + "." + i));
        }
        return out;
    }

    String string(String key, String fallback) {
        JsonNode v = take(key);
        if (v == null) {
            if (fallback == null) {
                throw new JobConfigException("'" + at(key) + "' is required");
            }
            return fallback;
        }
        if (!v.isValueNode()) {
            throw new JobConfigException("'" + at(key) + "' must be a single value but was " + describe(v));
        }
        return v.asText();
    }

    /** A string that must be one of {@code allowed} (case-insensitive, answered in lower case). */
    String choice(String key, String fallback, List<String> allowed) {
        String v = string(key, fallback).toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new JobConfigException("'" + at(key) + "' must be one of " + allowed + " but was '" + v + "'");
        }
        return v;
    }

    /** A list of strings (a YAML list or one comma-separated string); empty when absent. */
    List<String> strings(String key) {
        JsonNode v = take(key);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.isArray()) {
            v.forEach(e -> out.add(e.asText()));
        } else if (v.isValueNode()) {
            for (String s : v.asText().split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        } else {
            throw new JobConfigException("'" + at(key) + "' must be a list of names but was " + describe(v));
        }
        return out;
    }

    long integer(String key, long fallback, long min, long max) {
        JsonNode v = take(key);
        if (v == null) {
            return fallback;
        }
        long x;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            x = v.asLong();
        } else if (v.isTextual() && v.asText().trim().matches("-?\\d+")) {
            x = Long.parseLong(v.asText().trim());
        } else {
            throw new JobConfigException("'" + at(key) + "' must be an integer in [" + min + ", " + max + "] but was "
                    + describe(v));
        }
        if (x < min || x > max) {
            throw new JobConfigException("'" + at(key) + "' must be an integer in [" + min + ", " + max + "] but was "
                    + x);
        }
        return x;
    }

    double real(String key, double fallback, double min, double max) {
        JsonNode v = take(key);
        if (v == null) {
            return fallback;
        }
        double x;
        if (v.isNumber()) {
            x = v.asDouble();
        } else {
            try {
                x = Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                throw new JobConfigException("'" + at(key) + "' must be a number in [" + min + ", " + max
                        + "] but was " + describe(v));
            }
        }
        if (!(x >= min && x <= max)) {
            throw new JobConfigException("'" + at(key) + "' must be a number in [" + min + ", " + max + "] but was " + x);
        }
        return x;
    }

    boolean bool(String key, boolean fallback) {
        JsonNode v = take(key);
        if (v == null) {
            return fallback;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        String s = v.asText().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return s.equals("true");
        }
        throw new JobConfigException("'" + at(key) + "' must be true or false but was " + describe(v));
    }

    /** Fails on any key that was not read, listing the ones this mapping takes. */
    void finish(List<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!read.contains(k)) {
                throw new JobConfigException("unknown key '" + at(k) + "'; " + label() + " takes " + allowed);
            }
        }
    }

    /** Fails on any key that was not read, listing the keys read. */
    void finish() {
        finish(new ArrayList<>(read));
    }

    private static String describe(JsonNode v) {
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isArray()) {
            return "a list";
        }
        return "'" + v.asText() + "'";
    }

    /**
     * Sets {@code dotted.path=value} in {@code root}, creating mappings on the way; a numeric segment
     * indexes a list. {@code value} is already parsed (a YAML scalar or collection).
     */
    static void override(ObjectNode root, String dotted, JsonNode value) {
        String[] parts = dotted.split("\\.");
        JsonNode cur = root;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            boolean last = i == parts.length - 1;
            if (cur instanceof ArrayNode arr) {
                int idx;
                try {
                    idx = Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    throw new JobConfigException("override '" + dotted + "': '" + p + "' indexes a list, so it must "
                            + "be a number");
                }
                if (idx < 0 || idx >= arr.size()) {
                    throw new JobConfigException("override '" + dotted + "': index " + idx + " is outside the list of "
                            + arr.size());
                }
                if (last) {
                    arr.set(idx, value);
                    return;
                }
                cur = arr.get(idx);
            } else if (cur instanceof ObjectNode obj) {
                if (last) {
                    obj.set(p, value);
                    return;
                }
                JsonNode next = obj.get(p);
                if (next == null || !next.isContainerNode()) {
                    next = obj.putObject(p);
                }
                cur = next;
            } else {
                throw new JobConfigException("override '" + dotted + "': '" + String.join(".",
                        java.util.Arrays.copyOf(parts, i)) + "' is a value, not a mapping");
            }
        }
    }
}
