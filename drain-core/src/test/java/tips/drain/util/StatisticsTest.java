package tips.drain.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatisticsTest {
  @Test
  void meanAndSampleStandardDeviation() {
    double[] x = {2, 4, 4, 4, 5, 5, 7, 9};
    assertEquals(5.0, Statistics.mean(x), 1e-12);
    assertEquals(Math.sqrt(32.0 / 7), Statistics.stddev(x), 1e-12);
    assertEquals(0.0, Statistics.stddev(new double[] {3}));
  }

  @Test
  void medianOfOddAndEvenCountsLeavesTheInputAlone() {
    double[] odd = {31.9, 5.2, 56.8, 30.1, 32.5};
    assertEquals(31.9, Statistics.median(odd));
    assertArrayEquals(new double[] {31.9, 5.2, 56.8, 30.1, 32.5}, odd);
    assertEquals(31.0, Statistics.median(new double[] {32, 5, 57, 30}));
    assertEquals(7.0, Statistics.median(new double[] {7}));
    assertThrows(IllegalArgumentException.class, () -> Statistics.median(new double[0]));
  }
}
