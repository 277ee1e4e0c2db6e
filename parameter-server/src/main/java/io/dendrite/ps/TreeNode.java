package io.dendrite.ps;

import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.core.util.Checks;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One task's place in the tree that carries a barrier stage's steps through the executors, so the
 * driver's traffic does not grow with the executor count. The driver's {@link ParameterServer} talks to
 * the root task only; each task passes the weights on to at most {@code fanOut} children as the bytes
 * arrive (in {@link #CHUNK}-byte pieces, so a hop adds latency rather than another whole transfer), and
 * sends up its own shards' result merged with its children's in the fixed shard tree
 * ({@link GradientAccumulator}), so the bits do not depend on the tree's shape.
 *
 * <p>Tasks sit in the tree in preorder: the subtree under a task holds a contiguous run of task indices,
 * so when each task holds a contiguous run of shards, what a subtree sends up is a few tree nodes at most
 * and the root's is a single one. Children authenticate to their parent as tasks do to the server (an
 * HMAC of a fresh nonce under the run's secret). Every read has the step deadline.
 */
public final class TreeNode implements AutoCloseable {
    /** Bytes passed on to the children at a time. */
    public static final int CHUNK = 64 * 1024;
    /** Bytes before a subtree frame's nodes: length, type, step, node count, busiest node's bytes in and out. */
    static final int SUBTREE_HEADER = 4 + 1 + 8 + 4 + 8 + 8;
    /** Bytes before a node's gradient: level, index, loss sum, count, correct, compute nanos, length. */
    static final int NODE_HEADER = 4 + 4 + 8 + 8 + 8 + 8 + 4;

    private final ServerSocketChannel listener;
    private final String host;
    private final List<Link> children = new ArrayList<>();
    private final List<InputStream> childInputs = new ArrayList<>();
    private final int parameters;
    private final int shards;
    private final long stepMillis;
    private final byte[] chunk = new byte[CHUNK];
    private long bytesIn;
    private long bytesOut;

    /** What came down for one step: its number, position in the epoch and the weights (reused). */
    public record Work(long step, long stepInEpoch, float[] weights) {
    }

    /** Where a task's step comes from and its result goes: the driver's server or the parent task. */
    public interface Upstream extends AutoCloseable {
        /** The next step, passing each piece of the frame to {@code forward} as it arrives; null at the end. */
        Work next(TreeNode forward) throws IOException;

        /** Sends the subtree's merged result of step {@code step} and its busiest node's bytes. */
        void send(long step, GradientAccumulator merged, long maxIn, long maxOut) throws IOException;

        @Override
        void close() throws IOException;
    }

    private TreeNode(ServerSocketChannel listener, String host, int parameters, int shards, long stepMillis) {
        this.listener = listener;
        this.host = host;
        this.parameters = parameters;
        this.shards = shards;
        this.stepMillis = stepMillis;
    }

    /** Listens on {@code host} (any free port) for this task's children. */
    public static TreeNode listen(String host, int parameters, int shards, long stepMillis) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.bind(new InetSocketAddress(host, 0));
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot listen on " + host + " for the step tree: " + e.getMessage(), e);
        }
        return new TreeNode(s, host, parameters, shards, stepMillis);
    }

    /** {@code host:port} children connect to. */
    public String address() {
        return host + ":" + listener.socket().getLocalPort();
    }

    // The tree's shape: heap positions with fanOut children each, tasks placed in preorder.

    /** The heap position of each task index: task {@code t} is the {@code t}-th position in preorder. */
    public static int[] positions(int nodes, int fanOut) {
        int[] position = new int[nodes];
        int[] next = {0};
        preorder(0, nodes, fanOut, position, next);
        return position;
    }

    private static void preorder(int pos, int nodes, int fanOut, int[] position, int[] next) {
        position[next[0]++] = pos;
        for (int c = fanOut * pos + 1; c <= fanOut * pos + fanOut && c < nodes; c++) {
            preorder(c, nodes, fanOut, position, next);
        }
    }

    /** The parent task of task {@code t}, or -1 for the root (which talks to the driver). */
    public static int parent(int t, int nodes, int fanOut) {
        int[] position = positions(nodes, fanOut);
        if (position[t] == 0) {
            return -1;
        }
        return taskAt((position[t] - 1) / fanOut, position);
    }

    /** The child tasks of task {@code t}, in task order. */
    public static int[] children(int t, int nodes, int fanOut) {
        int[] position = positions(nodes, fanOut);
        List<Integer> out = new ArrayList<>();
        for (int c = fanOut * position[t] + 1; c <= fanOut * position[t] + fanOut && c < nodes; c++) {
            out.add(taskAt(c, position));
        }
        return out.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static int taskAt(int pos, int[] position) {
        for (int t = 0; t < position.length; t++) {
            if (position[t] == pos) {
                return t;
            }
        }
        throw new IllegalArgumentException("no task at heap position " + pos);
    }

    // Setting up.

    /**
     * Accepts and authenticates {@code childTasks} (each once; anything else is refused and closed),
     * waiting at most {@code connectMillis}. Connections are authenticated side by side ({@link Handshaker}),
     * so a silent or foreign peer on this port does not hold a child up.
     */
    public void acceptChildren(int[] childTasks, RunKeys keys, int attempt, int stage, long connectMillis,
                               BooleanSupplier cancelled) throws IOException {
        Link[] byOrder = new Link[childTasks.length];
        long deadline = System.nanoTime() + connectMillis * 1_000_000;
        int joined = 0;
        Handshaker.Verdict verdict = hello -> {
            if (hello.stage() != stage || hello.attempt() != attempt) {
                return "stage " + hello.stage() + " attempt " + hello.attempt() + " is not this node's (stage " + stage
                        + " attempt " + attempt + ")";
            }
            int slot = indexOf(childTasks, hello.task());
            if (slot < 0 || byOrder[slot] != null) {
                return "task " + hello.task() + " is not a child still expected here " + Arrays.toString(childTasks);
            }
            return null;
        };
        try (Handshaker handshaker = new Handshaker(listener, keys, connectMillis, 4 * childTasks.length + 16,
                verdict, (peer, why) -> System.getLogger(TreeNode.class.getName()).log(System.Logger.Level.WARNING,
                        "step tree: refused a connection from {0}: {1}", peer, why))) {
            while (joined < childTasks.length) {
                if (cancelled.getAsBoolean()) {
                    throw new java.io.InterruptedIOException("cancelled while waiting for child tasks");
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new SocketTimeoutException("child tasks " + Arrays.toString(childTasks) + " did not all "
                            + "connect within " + connectMillis + " ms (" + joined + " did)");
                }
                for (Handshaker.Authenticated a : handshaker.poll(5)) {
                    int slot = indexOf(childTasks, a.hello().task());
                    Link c = a.link();
                    if (byOrder[slot] != null) {
                        c.close(); // a second connection of one child, both authenticated at once
                        continue;
                    }
                    byOrder[slot] = c;
                    joined++;
                }
            }
        }
        for (Link c : byOrder) {
            children.add(c);
            childInputs.add(c.input(stepMillis));
        }
    }

    /** Connects task {@code task} to its parent at {@code address} and authenticates. */
    public static Upstream connectToParent(String address, RunKeys keys, int task, int attempt, int stage,
                                           int parameters, int shards, long connectMillis, long stepMillis)
            throws IOException {
        int colon = address.lastIndexOf(':');
        try {
            Link link = Wire.open("step-tree parent", address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1)), keys, Wire.Hello.of(task, attempt, stage),
                    connectMillis, () -> false);
            return new ParentLink(link, address, parameters, shards, stepMillis);
        } catch (IOException | RuntimeException e) {
            throw new IOException("task " + task + " cannot join its parent in the step tree at " + address + ": "
                    + e.getMessage(), e);
        }
    }

    /** The driver's server as the root's upstream: the root's result is the whole step's, one node. */
    public static Upstream driver(ParameterClient client) {
        return new Upstream() {
            @Override
            public Work next(TreeNode forward) throws IOException {
                ParameterClient.Work w = client.next(forward::forward);
                return w == null ? null : new Work(w.step(), w.stepInEpoch(), w.weights());
            }

            @Override
            public void send(long step, GradientAccumulator merged, long maxIn, long maxOut) throws IOException {
                GradientAccumulator.Node total = merged.total();
                client.send(step, total.gradient(), total.stats(), total.computeNanos(), maxIn, maxOut);
            }

            @Override
            public void close() throws IOException {
                client.close();
            }
        };
    }

    // Each step.

    /** Starts a step's byte count. */
    public void beginStep() {
        bytesIn = 0;
        bytesOut = 0;
    }

    /** Passes a piece of the frame from upstream on to every child (the buffer's position is unchanged). */
    public void forward(ByteBuffer piece) throws IOException {
        bytesIn += piece.remaining();
        for (Link c : children) {
            bytesOut += writeAll(c, piece.duplicate(), stepMillis);
        }
    }

    /**
     * Merges every child's result of step {@code step} into {@code own}, in child order (the fixed shard
     * tree makes the order irrelevant to the bits), and returns the busiest node's bytes of this subtree
     * as {@code {in, out}}, counting what this node will send up.
     */
    public long[] collect(long step, GradientAccumulator own) throws IOException {
        long maxIn = 0;
        long maxOut = 0;
        for (int i = 0; i < childInputs.size(); i++) {
            long[] child = readSubtree(childInputs.get(i), step, own);
            maxIn = Math.max(maxIn, child[0]);
            maxOut = Math.max(maxOut, child[1]);
        }
        bytesOut += subtreeBytes(own);
        return new long[] {Math.max(maxIn, bytesIn), Math.max(maxOut, bytesOut)};
    }

    private long[] readSubtree(InputStream in, long step, GradientAccumulator into) throws IOException {
        long started = System.nanoTime();
        Subtree t = Subtree.read(new DataInputStream(in), parameters, chunk);
        if (t.step() != step) {
            throw new IOException("expected a child's result of step " + step + " but got step " + t.step());
        }
        bytesIn += t.bytes();
        into.mergeInPlace(GradientAccumulator.restore(shards, t.nodes(), 0, System.nanoTime() - started));
        return new long[] {t.maxIn(), t.maxOut()};
    }

    /**
     * A subtree frame: the merged result of some shards for one step (the nodes of the fixed shard tree
     * they fill), and the busiest node's bytes below it; what a task sends its parent, and what an elastic
     * task sends the server.
     */
    record Subtree(long step, List<GradientAccumulator.Node> nodes, long maxIn, long maxOut, long bytes) {
        /** Reads one subtree frame of gradients of {@code parameters} values, using {@code chunk} as scratch. */
        static Subtree read(DataInputStream d, int parameters, byte[] chunk) throws IOException {
            byte[] head = new byte[SUBTREE_HEADER];
            d.readFully(head);
            ByteBuffer h = Wire.le(head);
            int length = h.getInt();
            byte type = h.get();
            long step = h.getLong();
            int count = h.getInt();
            long maxIn = h.getLong();
            long maxOut = h.getLong();
            if (type != Wire.SUBTREE || count < 1 || count > 1 << 16) {
                throw new IOException("expected a subtree result but got frame type " + type + " of step " + step
                        + " with " + count + " nodes");
            }
            List<GradientAccumulator.Node> nodes = new ArrayList<>();
            byte[] nodeHead = new byte[NODE_HEADER];
            for (int i = 0; i < count; i++) {
                d.readFully(nodeHead);
                ByteBuffer n = Wire.le(nodeHead);
                int level = n.getInt();
                int index = n.getInt();
                double lossSum = n.getDouble();
                long examples = n.getLong();
                long correct = n.getLong();
                long nanos = n.getLong();
                int values = n.getInt();
                if (values != parameters) {
                    throw new IOException("a subtree gradient of " + values + " values for " + parameters);
                }
                float[] gradient = new float[values];
                for (int done = 0; done < values; ) {
                    int k = Math.min(chunk.length / 4, values - done);
                    d.readFully(chunk, 0, 4 * k);
                    Wire.le(chunk).asFloatBuffer().get(gradient, done, k);
                    done += k;
                }
                nodes.add(new GradientAccumulator.Node(level, index, gradient, lossSum, examples, correct, nanos));
            }
            return new Subtree(step, nodes, maxIn, maxOut, 4L + length);
        }

        /** {@code merged}'s frame for step {@code step}, in {@code reuse} when it is large enough (flipped). */
        static ByteBuffer write(ByteBuffer reuse, long step, GradientAccumulator merged, long maxIn, long maxOut) {
            int count = merged.nodes().size();
            long bytes = subtreeBytes(merged);
            Checks.checkState(bytes <= Integer.MAX_VALUE, "a subtree result of %s bytes does not fit one frame", bytes);
            ByteBuffer up = reuse != null && reuse.capacity() >= bytes ? reuse : Wire.direct((int) bytes);
            up.clear();
            up.putInt((int) bytes - 4).put(Wire.SUBTREE).putLong(step).putInt(count).putLong(maxIn).putLong(maxOut);
            for (GradientAccumulator.Node n : merged.nodes()) {
                up.putInt(n.level()).putInt(n.index()).putDouble(n.stats().lossSum()).putLong(n.stats().count())
                        .putLong(n.stats().correct()).putLong(n.computeNanos()).putInt(n.gradient().length);
                Wire.putFloats(up, up.position(), n.gradient());
                up.position(up.position() + 4 * n.gradient().length);
            }
            return up.flip();
        }
    }

    /** The bytes of the frame that carries {@code merged} up. */
    static long subtreeBytes(GradientAccumulator merged) {
        return SUBTREE_HEADER + (long) merged.nodes().size() * (NODE_HEADER + 4L * merged.nodes().iterator().next()
                .gradient().length);
    }

    /** Passes the end of the stage on to every child. */
    public void end() throws IOException {
        for (Link c : children) {
            writeAll(c, Wire.endFrame(), stepMillis);
        }
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Link c : children) {
            try {
                c.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        listener.close();
        if (failure != null) {
            throw failure;
        }
    }

    /** A task's link to its parent task. */
    private static final class ParentLink implements Upstream {
        private final Link link;
        private final DataInputStream in;
        private final long stepMillis;
        private final String parent;
        private final float[] weights;
        private final int shards;
        private final byte[] piece = new byte[CHUNK];
        private ByteBuffer up;

        ParentLink(Link link, String parent, int parameters, int shards, long stepMillis) {
            this.link = link;
            this.in = new DataInputStream(link.input(stepMillis));
            this.stepMillis = stepMillis;
            this.parent = parent;
            this.weights = new float[parameters];
            this.shards = shards;
        }

        @Override
        public Work next(TreeNode forward) throws IOException {
            byte[] head = new byte[WorkFrame.HEADER];
            readFully(in, head, 0, 5);
            ByteBuffer h = Wire.le(head);
            int length = h.getInt(0);
            byte type = h.get(4);
            if (type == Wire.END) {
                forward.forward(Wire.endFrame());
                return null;
            }
            WorkFrame.checkStart(length, type, weights.length, "the parent task at " + parent);
            readFully(in, head, 5, WorkFrame.HEADER - 5);
            forward.forward(ByteBuffer.wrap(head));
            WorkFrame.Head step = WorkFrame.head(h, weights.length, "the parent task at " + parent);
            for (int done = 0; done < weights.length; ) {
                int n = Math.min(CHUNK / 4, weights.length - done);
                readFully(in, piece, 0, 4 * n);
                ByteBuffer p = ByteBuffer.wrap(piece, 0, 4 * n);
                forward.forward(p);
                Wire.le(piece).asFloatBuffer().get(weights, done, n);
                done += n;
            }
            return new Work(step.step(), step.stepInEpoch(), weights);
        }

        @Override
        public void send(long step, GradientAccumulator merged, long maxIn, long maxOut) throws IOException {
            up = Subtree.write(up, step, merged, maxIn, maxOut);
            writeAll(link, up, stepMillis);
        }

        @Override
        public void close() throws IOException {
            link.close();
        }
    }

    /** Sends all of {@code b} within {@code millis}; the bytes sent. */
    private static long writeAll(Link c, ByteBuffer b, long millis) throws IOException {
        long n = b.remaining();
        c.writeFully(b, System.nanoTime() + millis * 1_000_000, () -> false, "a step frame to " + c.remote());
        return n;
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        for (int done = 0; done < len; ) {
            int n = in.read(b, off + done, len - done);
            if (n < 0) {
                throw new EOFException("the connection closed mid-frame");
            }
            done += n;
        }
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
