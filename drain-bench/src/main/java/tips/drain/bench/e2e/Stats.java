package tips.drain.bench.e2e;

/** Mean and sample standard deviation. */
final class Stats {
  private Stats() {}

  static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  static double stddev(double[] x) {
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
