package tips.drain.util;

/** Mean and sample standard deviation, for benchmark repetitions. */
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
}
