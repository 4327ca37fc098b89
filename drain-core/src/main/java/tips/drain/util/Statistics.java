package tips.drain.util;

import java.util.Arrays;

/** Mean, sample standard deviation and median, for benchmark repetitions. */
public final class Statistics {
  private Statistics() {}

  public static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  /** Sample standard deviation (n - 1); 0 for fewer than two values. */
  public static double stddev(double[] x) {
    if (x.length < 2) {
      return 0;
    }
    double m = mean(x);
    double s = 0;
    for (double v : x) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / (x.length - 1));
  }

  /** The middle value (the mean of the two middle ones for an even count); {@code x} is not changed. */
  public static double median(double[] x) {
    if (x.length == 0) {
      throw new IllegalArgumentException("the median of no values");
    }
    double[] sorted = x.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
