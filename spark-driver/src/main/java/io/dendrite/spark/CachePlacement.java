package io.dendrite.spark;

import io.dendrite.core.util.Checks;
import io.dendrite.datasets.ExampleBlock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.spark.Success$;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;

/**
 * Keeps the cached training shards spread over the executors in job mode and groups them into tasks.
 * Spark sends a task where its data is cached, so after an executor is lost the survivors recompute and
 * then keep its shards, and an executor that joins later would get no task for the rest of the run. This
 * listener learns which executor holds each shard (where a task over that one shard ran) and which
 * executors are alive; when one has joined or left, {@link #place} moves as few shards as evens the count
 * out, through a {@link PlacedRDD}. {@link #groups} then gives each executor as many tasks as it has task
 * slots, each over a share of the shards it holds. Where a shard is computed does not change the step's
 * bits.
 *
 * <p>Executors are known from the tasks they ran and from joining after the listener was added; local
 * mode has only the driver, which never joins or leaves, so nothing moves there.
 */
final class CachePlacement extends SparkListener {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CachePlacement.class);
    /** The longest a move of cached shards may wait for its executors before the shards stay put. */
    private static final long MOVE_TIMEOUT_NANOS = 120_000_000_000L;
    /** Executor ids in their natural order: "2" before "10". */
    static final Comparator<String> BY_ID = Comparator.comparingInt(String::length).thenComparing(s -> s);

    private final JavaSparkContext jsc;
    private final int taskCpus;
    private final AtomicReferenceArray<String> holders;
    private final Map<String, String> live = new ConcurrentHashMap<>();
    private final Set<String> removed = ConcurrentHashMap.newKeySet();
    /** Stages reading the shards, and those of them whose tasks are groups of shards. */
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final Set<Integer> groupStages = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> cores = new ConcurrentHashMap<>();
    /** Counts executors joining and leaving. */
    private final AtomicInteger changes = new AtomicInteger();
    private volatile int rddId;
    private volatile int groupRddId = -1;
    private volatile int[][] groups = new int[0][];
    private int handled;

    CachePlacement(JavaSparkContext jsc, JavaRDD<ExampleBlock> blocks) {
        this.jsc = jsc;
        this.taskCpus = jsc.getConf().getInt("spark.task.cpus", 1);
        this.holders = new AtomicReferenceArray<>(blocks.getNumPartitions());
        this.rddId = blocks.id();
    }

    /**
     * Executor {@code e}'s task slots: its cores over {@code spark.task.cpus}. Its cores are known when it
     * joined after the listener was added, and otherwise taken as {@code defaultParallelism} shared by the
     * {@code executors} live ones.
     */
    private int slots(String e, int executors) {
        int perExecutor = Math.max(1, jsc.defaultParallelism() / Math.max(1, executors));
        return Math.max(1, cores.getOrDefault(e, perExecutor) / taskCpus);
    }

    @Override
    public void onExecutorAdded(SparkListenerExecutorAdded added) {
        if (!removed.contains(added.executorId())) {
            live.put(added.executorId(), added.executorInfo().executorHost());
            cores.put(added.executorId(), added.executorInfo().totalCores());
            changes.incrementAndGet();
        }
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved gone) {
        removed.add(gone.executorId());
        live.remove(gone.executorId());
        changes.incrementAndGet();
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
        for (RDDInfo rdd : scala.collection.JavaConverters.seqAsJavaList(submitted.stageInfo().rddInfos())) {
            if (rdd.id() == groupRddId) {
                groupStages.add(submitted.stageInfo().stageId());
            }
            if (rdd.id() == rddId || rdd.id() == groupRddId) {
                stages.add(submitted.stageInfo().stageId());
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!stages.contains(end.stageId()) || !(end.reason() instanceof Success$) || end.taskInfo().speculative()) {
            return;
        }
        String executor = end.taskInfo().executorId();
        if (!removed.contains(executor)) {
            live.putIfAbsent(executor, end.taskInfo().host());
        }
        int p = end.taskInfo().partitionId();
        int[][] g = groups;
        if (!groupStages.contains(end.stageId())) {
            holders.set(p, executor); // a task over one shard: it ran where the shard is cached
        } else if (p < g.length && g[p].length == 1) {
            holders.set(g[p][0], executor);
        }
    }

    /** The tasks of jobs over {@code rdd} compute {@code groups}' shards. */
    void watch(ShardGroupRDD rdd) {
        groups = rdd.groups();
        groupRddId = rdd.id();
    }

    /**
     * The shards grouped into tasks: each live executor holding shards gets up to its task slots of
     * groups, contiguous runs of its shards in index order; a shard whose holder is not known is a group
     * of its own.
     */
    int[][] groups() {
        Map<String, List<Integer>> held = new TreeMap<>(BY_ID);
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < holders.length(); s++) {
            String h = holders.get(s);
            if (h != null && live.containsKey(h)) {
                held.computeIfAbsent(h, e -> new ArrayList<>()).add(s);
            } else {
                out.add(new int[] {s});
            }
        }
        int executors = live.size();
        for (Map.Entry<String, List<Integer>> e : held.entrySet()) {
            List<Integer> shards = e.getValue();
            int slots = slots(e.getKey(), executors);
            int n = shards.size();
            int g = Math.min(slots, n);
            for (int i = 0; i < g; i++) {
                out.add(shards.subList(i * n / g, (i + 1) * n / g).stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return out.toArray(new int[0][]);
    }

    /**
     * If an executor has joined or left since the last call and the shards are uneven or lost, returns
     * {@code blocks} re-placed (cached and counted, the previous placement released); otherwise
     * {@code blocks} itself.
     */
    JavaRDD<ExampleBlock> place(JavaRDD<ExampleBlock> blocks) {
        int j = changes.get();
        if (j == handled) {
            return blocks;
        }
        handled = j;
        Map<String, String> hosts = new HashMap<>(live);
        if (hosts.isEmpty()) {
            return blocks;
        }
        String[] now = new String[holders.length()];
        for (int p = 0; p < now.length; p++) {
            now[p] = holders.get(p);
        }
        return moveTo(blocks, assign(now, hosts.keySet()), hosts, "job mode: executors joined or left");
    }

    private String[] holdersNow() {
        String[] now = new String[holders.length()];
        for (int p = 0; p < now.length; p++) {
            now[p] = holders.get(p);
        }
        return now;
    }

    /**
     * {@code blocks} re-placed so shard {@code p} is cached on executor {@code wanted[p]} (cached and
     * counted, the previous placement released), or {@code blocks} itself when every shard is there.
     */
    private JavaRDD<ExampleBlock> moveTo(JavaRDD<ExampleBlock> blocks, String[] wanted, Map<String, String> hosts,
                                         String why) {
        String[] now = holdersNow();
        List<Integer> moved = new ArrayList<>();
        String[] where = new String[wanted.length];
        for (int p = 0; p < wanted.length; p++) {
            if (!wanted[p].equals(now[p])) {
                moved.add(p);
            }
            where[p] = hosts.get(wanted[p]);
        }
        if (moved.isEmpty()) {
            return blocks;
        }
        long started = System.nanoTime();
        StorageLevel level = blocks.getStorageLevel().equals(StorageLevel.NONE()) ? StorageLevel.MEMORY_ONLY()
                : blocks.getStorageLevel();
        PlacedRDD<ExampleBlock> placed = new PlacedRDD<>(blocks.rdd(), wanted, where, blocks.classTag());
        placed.setName(blocks.rdd().name() + " (placed)");
        placed.persist(level);
        rddId = placed.id();
        JavaRDD<ExampleBlock> result = new JavaRDD<>(placed, blocks.classTag());
        // A move is only worth it while the executors it moves to are alive: one lost meanwhile (the last one,
        // say) would leave the job waiting for a slot for ever. Then the shards stay where they are.
        JavaFutureAction<Long> count = result.countAsync();
        while (!count.isDone()) {
            boolean gone = !live.keySet().containsAll(java.util.Arrays.asList(wanted));
            if (gone || System.nanoTime() - started > MOVE_TIMEOUT_NANOS) {
                count.cancel(true);
                placed.unpersist(false);
                LOG.warn("{}; could not place cached shards {} ({}); tasks read them where they are", why, moved,
                        gone ? "an executor was lost meanwhile"
                                : "no slot within " + MOVE_TIMEOUT_NANOS / 1_000_000_000L + " s");
                return blocks;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                count.cancel(true);
                throw new IllegalStateException("interrupted while placing cached shards", e);
            }
        }
        try {
            count.get();
        } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
            placed.unpersist(false);
            LOG.warn("{}; could not place cached shards {} ({}); tasks read them where they are", why, moved,
                    e.getMessage());
            return blocks;
        }
        release(blocks);
        LOG.info("{}; placed cached shards {} in {} ms (executor=shards: {})", why, moved,
                (System.nanoTime() - started) / 1_000_000, counts(wanted));
        return result;
    }

    /** The shards as placed, and Spark's preferred location of each group's task (null: anywhere). */
    record Placed(JavaRDD<ExampleBlock> blocks, String[] locations) {
    }

    /**
     * Barrier mode: each group of shards gets an executor (the live one holding most of its shards that
     * still has a task slot free, counting slots as {@link #groups} does), the shards are moved to their
     * group's executor where they are not there yet, and each group's task prefers that executor, so a
     * task reads its shards from its own memory every epoch. Without live executors known, nothing moves.
     */
    Placed placeGroups(JavaRDD<ExampleBlock> blocks, int[][] groups) {
        Map<String, String> hosts = new HashMap<>(live);
        String[] locations = new String[groups.length];
        if (hosts.isEmpty()) {
            return new Placed(blocks, locations);
        }
        String[] now = holdersNow();
        List<String> executors = sorted(hosts.keySet());
        Map<String, Integer> free = new HashMap<>();
        for (String e : executors) {
            free.put(e, slots(e, executors.size()));
        }
        String[] wanted = new String[now.length];
        for (int g = 0; g < groups.length; g++) {
            Map<String, Integer> held = new HashMap<>();
            for (int s : groups[g]) {
                if (now[s] != null && hosts.containsKey(now[s])) {
                    held.merge(now[s], 1, Integer::sum);
                }
            }
            String best = null;
            for (String e : executors) {
                if (free.get(e) > 0 && (best == null || held.getOrDefault(e, 0) > held.getOrDefault(best, 0)
                        || held.getOrDefault(e, 0).equals(held.getOrDefault(best, 0)) && free.get(e) > free.get(best))) {
                    best = e;
                }
            }
            if (best == null) {
                best = executors.get(g % executors.size()); // more groups than slots known: share them out
            } else {
                free.merge(best, -1, Integer::sum);
            }
            locations[g] = PlacedRDD.location(best, hosts.get(best));
            for (int s : groups[g]) {
                wanted[s] = best;
            }
        }
        return new Placed(moveTo(blocks, wanted, hosts, "barrier mode: shards follow their task's group"),
                locations);
    }

    /** Releases a placement this class made; the caller's own cached data is left as it is. */
    static void release(JavaRDD<ExampleBlock> blocks) {
        if (blocks.rdd() instanceof PlacedRDD) {
            blocks.unpersist(false);
        }
    }

    /**
     * Where each partition should be: on its holder while that executor is alive and under its share
     * ({@code partitions / executors}, one more for the executors holding most), the rest on the executors
     * with room, in partition and executor-id order. Deterministic, and moves as few partitions as evens
     * the count out. {@code live} is not empty.
     */
    static String[] assign(String[] holders, Set<String> live) {
        Checks.checkArgument(!live.isEmpty(), "no executor to place %s partitions on",
                holders.length);
        List<String> executors = sorted(live);
        int n = holders.length;
        Map<String, Integer> held = new HashMap<>();
        for (String h : holders) {
            if (h != null && live.contains(h)) {
                held.merge(h, 1, Integer::sum);
            }
        }
        List<String> byHeld = new ArrayList<>(executors);
        byHeld.sort(Comparator.<String>comparingInt(e -> -held.getOrDefault(e, 0)).thenComparing(BY_ID));
        Map<String, Integer> quota = new HashMap<>();
        for (int i = 0; i < byHeld.size(); i++) {
            quota.put(byHeld.get(i), n / byHeld.size() + (i < n % byHeld.size() ? 1 : 0));
        }
        String[] wanted = new String[n];
        Map<String, Integer> kept = new HashMap<>();
        for (int p = 0; p < n; p++) {
            String h = holders[p];
            if (h != null && live.contains(h) && kept.getOrDefault(h, 0) < quota.get(h)) {
                wanted[p] = h;
                kept.merge(h, 1, Integer::sum);
            }
        }
        for (int p = 0; p < n; p++) {
            if (wanted[p] == null) {
                for (String e : executors) {
                    if (kept.getOrDefault(e, 0) < quota.get(e)) {
                        wanted[p] = e;
                        kept.merge(e, 1, Integer::sum);
                        break;
                    }
                }
            }
        }
        return wanted;
    }

    private static List<String> sorted(Set<String> ids) {
        List<String> list = new ArrayList<>(ids);
        list.sort(BY_ID);
        return list;
    }

    private static Map<String, Integer> counts(String[] wanted) {
        Map<String, Integer> counts = new TreeMap<>(BY_ID);
        for (String e : wanted) {
            counts.merge(e, 1, Integer::sum);
        }
        return counts;
    }
}
