package tips.drain.bench.kernel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The benchmark thread's CPU time per iteration (secondary result {@code cpuSeconds}, a total). On a
 * shared machine, with {@code threads = 1}, the work counter of an iteration divided by {@code cpuSeconds}
 * (e.g. {@code gigabytes / cpuSeconds}) is the rate per core with other processes' time slices left out.
 * With more threads it undercounts: the pool's workers are not the benchmark thread.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  public double cpuSeconds;
  private long start;

  @Setup(Level.Iteration)
  public void start() {
    cpuSeconds = 0;
    start = THREADS.getCurrentThreadCpuTime();
  }

  @TearDown(Level.Iteration)
  public void stop() {
    cpuSeconds = (THREADS.getCurrentThreadCpuTime() - start) * 1e-9;
  }
}
