package tips.drain.sampling;

/**
 * xorshift64* as in llama2.c: a tiny generator whose sequence is fixed by its seed on every machine and JVM.
 */
final class Xorshift {
  private long state;

  Xorshift(long seed) {
    // a zero state would stay zero; mix the seed so that 0 is a valid seed too
    this.state = seed ^ 0x9E3779B97F4A7C15L;
    if (this.state == 0) {
      this.state = 0x2545F4914F6CDD1DL;
    }
  }

  int nextU32() {
    state ^= state >>> 12;
    state ^= state << 25;
    state ^= state >>> 27;
    return (int) ((state * 0x2545F4914F6CDD1DL) >>> 32);
  }

  /** Uniform in [0, 1). */
  float nextFloat() {
    return (nextU32() >>> 8) / 16777216.0f;
  }
}
