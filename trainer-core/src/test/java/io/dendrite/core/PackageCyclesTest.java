package io.dendrite.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * trainer-core's packages form no cycle: each package's code refers (by import or by full name) only to
 * packages that never refer back to it, directly or through others.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern REFERENCE = Pattern.compile("io\\.dendrite\\.core((?:\\.[a-z][a-z0-9]*)+)\\.[A-Z]");

    /** Package → the other packages its sources refer to. */
    static Map<String, Set<String>> graph() throws IOException {
        Map<String, Set<String>> g = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String from = "io.dendrite.core" + SOURCES.relativize(f.getParent()).toString()
                        .replace('/', '.').replaceFirst("^io\\.dendrite\\.core", "");
                Set<String> to = g.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(code(Files.readString(f)));
                while (m.find()) {
                    String target = "io.dendrite.core" + m.group(1);
                    if (!target.equals(from)) {
                        to.add(target);
                    }
                }
            }
        }
        return g;
    }

    /**
     * The source without comments and string literals: a class named in documentation, or loaded by name
     * (the vector kernel, an optional seam), is not a compile-time reference.
     */
    private static String code(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "")
                .replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
    }

    @Test
    void noPackageReachesItself() throws IOException {
        Map<String, Set<String>> g = graph();
        List<String> cycles = new ArrayList<>();
        for (String start : g.keySet()) {
            List<String> path = new ArrayList<>();
            path.add(start);
            find(g, start, start, path, new TreeSet<>(), cycles);
        }
        assertEquals(List.of(), cycles, "package cycles in trainer-core");
    }

    private static void find(Map<String, Set<String>> g, String start, String at, List<String> path, Set<String> seen,
                             List<String> cycles) {
        for (String next : g.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (seen.add(next)) {
                path.add(next);
                find(g, start, next, path, seen, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}
