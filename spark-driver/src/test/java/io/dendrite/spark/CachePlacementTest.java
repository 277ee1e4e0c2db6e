package io.dendrite.spark;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.dendrite.datasets.ExampleBlock;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.RDDInfo;
import org.junit.Test;
import scala.collection.JavaConverters;

/** Where job mode wants each cached partition, and the RDD that moves them there. */
public class CachePlacementTest extends SparkDriverSuite {
    @Test
    public void aJoinedExecutorTakesItsShareFromTheSurvivorThatHoldsEverything() {
        String[] wanted = CachePlacement.assign(new String[] {"1", "1"}, Set.of("1", "2"));
        assertArrayEquals(new String[] {"1", "2"}, wanted);
    }

    @Test
    public void anEvenPlacementStaysAsItIs() {
        String[] holders = {"2", "1", "1", "2"};
        assertArrayEquals(holders, CachePlacement.assign(holders, Set.of("1", "2")));
    }

    @Test
    public void partitionsOfALostExecutorGoToTheExecutorsWithRoom() {
        String[] wanted = CachePlacement.assign(new String[] {"1", "3", "3", "2", null, "1"}, Set.of("1", "2", "4"));
        assertArrayEquals(new String[] {"1", "2", "4", "2", "4", "1"}, wanted);
    }

    @Test
    public void theExecutorHoldingMostKeepsTheExtraPartition() {
        String[] wanted = CachePlacement.assign(new String[] {"10", "10", "10", "10", "10"}, Set.of("10", "9"));
        assertArrayEquals(new String[] {"10", "10", "10", "9", "9"}, wanted);
        assertEquals(-1, CachePlacement.BY_ID.compare("9", "10"));
    }

    @Test
    public void noExecutorIsRefused() {
        IllegalArgumentException e = org.junit.Assert.assertThrows(IllegalArgumentException.class,
                () -> CachePlacement.assign(new String[] {"1"}, Set.of()));
        assertEquals("no executor to place 1 partitions on", e.getMessage());
    }

    @Test
    public void aPlacedRddPrefersItsExecutorsCachesTheSameBlocksAndIsReleased() {
        JavaRDD<ExampleBlock> blocks = digits(2).blocks().cache();
        long rows = blocks.map(ExampleBlock::rows).reduce(Integer::sum);
        PlacedRDD<ExampleBlock> placed = new PlacedRDD<>(blocks.rdd(), new String[] {"driver", null},
                new String[] {"127.0.0.1", null}, blocks.classTag());
        assertEquals(List.of("executor_127.0.0.1_driver"),
                JavaConverters.seqAsJavaList(placed.preferredLocations(placed.partitions()[0])));
        assertTrue(JavaConverters.seqAsJavaList(placed.preferredLocations(placed.partitions()[1])).isEmpty());
        placed.persist(blocks.getStorageLevel());
        JavaRDD<ExampleBlock> result = new JavaRDD<>(placed, blocks.classTag());
        assertEquals(rows, (long) result.map(ExampleBlock::rows).reduce(Integer::sum));
        assertEquals(2, cachedPartitions(placed.id()));
        CachePlacement.release(result);
        CachePlacement.release(blocks); // not a placement: the caller's cache stays
        long deadline = System.nanoTime() + 10_000_000_000L; // the release does not wait for the executors
        while (cachedPartitions(placed.id()) > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, cachedPartitions(placed.id()));
        assertEquals(2, cachedPartitions(blocks.id()));
        blocks.unpersist(true);
    }

    private int cachedPartitions(int rddId) {
        return Arrays.stream(jsc().sc().getRDDStorageInfo()).filter(i -> i.id() == rddId)
                .mapToInt(RDDInfo::numCachedPartitions).sum();
    }
}
