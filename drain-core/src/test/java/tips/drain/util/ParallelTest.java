package tips.drain.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {

  /** Every index of [0, n) is visited exactly once, for many n and thread counts. */
  @Test
  void coversTheRangeExactlyOnce() {
    for (int threads = 1; threads <= 5; threads++) {
      try (Parallel parallel = new Parallel(threads)) {
        for (int n : new int[] {0, 1, 2, 3, 4, 5, 13, 64, 207, 702, 2048, 5632}) {
          int[] visits = new int[n];
          parallel.forRange(n, (from, to) -> {
            for (int i = from; i < to; i++) {
              visits[i]++;
            }
          });
          int[] once = new int[n];
          java.util.Arrays.fill(once, 1);
          assertArrayEquals(once, visits, "threads " + threads + " n " + n);
        }
      }
    }
  }

  @Test
  void cutsUpToEightChunksPerThreadFewerWhenNIsSmallAndNoneShorterThanAsked() {
    try (Parallel parallel = new Parallel(4)) {
      List<String> chunks = Collections.synchronizedList(new ArrayList<>());
      parallel.forRange(2, (from, to) -> chunks.add(from + ".." + to));
      Collections.sort(chunks);
      assertEquals(List.of("0..1", "1..2"), chunks);

      AtomicInteger calls = new AtomicInteger();
      parallel.forRange(0, (from, to) -> calls.incrementAndGet());
      assertEquals(0, calls.get(), "n = 0 runs nothing");

      chunks.clear();
      parallel.forRange(4096, (from, to) -> chunks.add(from + ".." + to));
      assertEquals(32, chunks.size(), "eight chunks per thread");
      assertTrue(chunks.contains("0..128") && chunks.contains("3968..4096"), chunks.toString());

      chunks.clear();
      parallel.forRange(4096, 1024, (from, to) -> chunks.add(from + ".." + to));
      Collections.sort(chunks, (a, b) -> Integer.compare(Integer.parseInt(a.split("\\.")[0]), Integer.parseInt(b.split("\\.")[0])));
      assertEquals(List.of("0..1024", "1024..2048", "2048..3072", "3072..4096"), chunks, "chunks of at least 1024");
    }
    assertEquals(4, Parallel.chunks(4096, 4, 2048), "still one chunk per thread when the minimum allows fewer");
    assertEquals(16, Parallel.chunks(256, 2, 1), "decode of a 256-row matrix on 2 threads");
    assertEquals(2, Parallel.chunks(256, 2, 128), "a GEMM of 256 rows keeps chunks of 128");
  }

  /**
   * A worker held up in its chunk only does fewer chunks; the caller takes the rest. The worker is held (by a latch,
   * not a sleep) until the caller has run every other chunk, so the count is exact.
   */
  @Test
  void aSlowThreadDoesFewerChunks() {
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      try (Parallel parallel = new Parallel(2)) {
        int chunks = Parallel.chunks(1024, 2, 1);
        CountDownLatch workerStarted = new CountDownLatch(1);
        CountDownLatch callerDone = new CountDownLatch(1);
        AtomicInteger byCaller = new AtomicInteger();
        AtomicInteger byWorker = new AtomicInteger();
        Thread caller = Thread.currentThread();
        int[] visits = new int[1024];
        parallel.forRange(visits.length, (from, to) -> {
          for (int i = from; i < to; i++) {
            visits[i]++;
          }
          try {
            if (Thread.currentThread() == caller) {
              workerStarted.await(); // the worker has claimed a chunk before the caller goes on
              if (byCaller.incrementAndGet() == chunks - 1) {
                callerDone.countDown();
              }
            } else {
              byWorker.incrementAndGet();
              workerStarted.countDown();
              callerDone.await(); // held until the caller has run every other chunk
            }
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
        for (int i = 0; i < visits.length; i++) {
          assertEquals(1, visits[i], "index " + i);
        }
        assertEquals(1, byWorker.get(), "the held worker ran only the chunk it was held in");
        assertEquals(chunks - 1, byCaller.get(), "the caller took every chunk the held worker could not");
      }
    });
  }

  @Test
  void chunkBoundariesAreEqualAndCacheLineAlignedForLargeRanges() {
    assertEquals(0, Parallel.boundary(5632, 3, 0));
    assertEquals(1872, Parallel.boundary(5632, 3, 1)); // 1877 rounded down to a multiple of 16 floats
    assertEquals(3744, Parallel.boundary(5632, 3, 2));
    assertEquals(5632, Parallel.boundary(5632, 3, 3));
    assertEquals(4, Parallel.boundary(13, 3, 1)); // small ranges: plain equal split
  }

  @Test
  void workerExceptionsReachTheCallerAndThePoolStaysUsable() {
    try (Parallel parallel = new Parallel(3)) {
      IllegalArgumentException boom = new IllegalArgumentException("boom in the last chunk");
      IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> parallel.forRange(300, (from, to) -> {
        if (to == 300) {
          throw boom;
        }
      }));
      assertSame(boom, thrown);
      assertThrows(AssertionError.class, () -> parallel.forRange(300, (from, to) -> {
        if (from == 0) {
          throw new AssertionError("caller's own chunk");
        }
      }));
      AtomicLong sum = new AtomicLong();
      parallel.forRange(300, (from, to) -> sum.addAndGet(to - from));
      assertEquals(300, sum.get());
    }
  }

  @Test
  void manySequentialRegions() {
    try (Parallel parallel = new Parallel(2)) {
      float[] out = new float[1000];
      for (int region = 0; region < 20_000; region++) {
        float value = region;
        parallel.forRange(out.length, (from, to) -> java.util.Arrays.fill(out, from, to, value));
        assertEquals(region, out[0]);
        assertEquals(region, out[out.length - 1]);
      }
    }
  }

  /** The caller takes over chunks whose worker has not started: no chunk may run twice or never. */
  @Test
  void eachChunkRunsOnceWhileTheCallerTakesOverLateWorkers() {
    try (Parallel parallel = new Parallel(3)) {
      int[] counts = new int[300];
      for (int region = 0; region < 20_000; region++) {
        parallel.forRange(counts.length, (from, to) -> {
          for (int i = from; i < to; i++) {
            counts[i]++;
          }
        });
      }
      for (int i = 0; i < counts.length; i++) {
        assertEquals(20_000, counts[i], "index " + i);
      }
    }
  }

  /**
   * Jobs of different chunk counts back to back, with pauses that let the worker park: a worker reading a
   * finished job's cursor while the next job is being set up must not claim a chunk of either (it once did,
   * and the next job then counted one chunk too many and hung, or returned before its chunks were done).
   */
  @Test
  void jobsOfDifferentChunkCountsBackToBack() {
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      try (Parallel parallel = new Parallel(2)) {
        int[] sizes = {4, 256, 2048, 5632, 256, 2048};
        int[] visits = new int[5632];
        int[] want = new int[5632];
        for (int i = 0; i < 60_000; i++) {
          int n = sizes[i % sizes.length];
          parallel.forRange(n, (from, to) -> {
            for (int k = from; k < to; k++) {
              visits[k]++;
            }
          });
          for (int k = 0; k < n; k++) {
            want[k]++;
          }
          if (i % 7 == 0) {
            long start = System.nanoTime();
            while (System.nanoTime() - start < 60_000) {
              Thread.onSpinWait();
            }
          }
        }
        assertArrayEquals(want, visits);
      }
    });
  }

  @Test
  void nestedCallsRunOnTheCallingThread() {
    try (Parallel parallel = new Parallel(2)) {
      AtomicLong sum = new AtomicLong();
      parallel.forRange(4, (from, to) -> parallel.forRange(10, (a, b) -> sum.addAndGet(b - a)));
      // four outer chunks (up to four per thread), each running the inner range of 10 on its own thread
      assertEquals(40, sum.get(), "each of the 4 outer chunks ran the inner range once, serially");
    }
  }

  @Test
  void closeStopsTheWorkers() {
    Parallel parallel = new Parallel(3);
    List<Thread> used = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch all = new CountDownLatch(3);
    parallel.forRange(3, (from, to) -> {
      used.add(Thread.currentThread());
      all.countDown();
      try {
        all.await(); // every thread, both workers included, runs one chunk
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertEquals(3, new java.util.HashSet<>(used).size());
    parallel.close();
    Thread caller = Thread.currentThread();
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (Thread t : used) {
        if (t != caller) {
          t.join(); // returns once the worker has stopped (a worker that never stops fails by the timeout)
        }
      }
    });
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> parallel.forRange(10, (from, to) -> { }));
    assertTrue(e.getMessage().contains("closed"));
    assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
  }
}
