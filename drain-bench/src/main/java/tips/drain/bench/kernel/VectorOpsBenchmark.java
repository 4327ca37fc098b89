package tips.drain.bench.kernel;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tips.drain.kernel.KernelProvider;
import tips.drain.kernel.Kernels;
import tips.drain.kernel.ScalarKernels;

/**
 * The exp- and tanh-based activation kernels (softmax over a vocabulary or attention row, SiLU×up and
 * GELU-tanh×up over the FFN, Gemma 2's logit soft-cap) and RMSNorm, in microseconds per call. The
 * {@code Vector}/{@code Scalar} pairs show what {@code VectorOperators.EXP} and {@code TANH} gain over loops
 * of {@code Math.exp} and {@code Math.tanh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class VectorOpsBenchmark {
  /** Gemma 2's final logit soft-cap. */
  private static final float SOFTCAP = 30f;

  @Param({"2048", "5632", "32000"})
  public int n;

  private Kernels kernels;
  private float[] logits;
  private float[] work;
  private float[] gate;
  private float[] up;
  private float[] weight;
  private float[] normed;

  @Setup
  public void setUp() {
    kernels = KernelProvider.kernels();
    logits = WeightMatrices.activations(n, 1);
    for (int i = 0; i < n; i++) {
      logits[i] *= 4;
    }
    work = new float[n];
    gate = WeightMatrices.activations(n, 2);
    up = WeightMatrices.activations(n, 3);
    weight = WeightMatrices.activations(n, 4);
    normed = new float[n];
    // check once against the scalar reference
    ScalarKernels scalar = new ScalarKernels();
    float[] want = logits.clone();
    scalar.softmax(want, 0, n);
    float[] got = logits.clone();
    kernels.softmax(got, 0, n);
    WeightMatrices.check(kernels.name() + " softmax", want, got);
    want = gate.clone();
    scalar.siluMul(want, up, 0, n);
    got = gate.clone();
    kernels.siluMul(got, up, 0, n);
    WeightMatrices.check(kernels.name() + " siluMul", want, got);
    want = gate.clone();
    scalar.geluTanhMul(want, up, 0, n);
    got = gate.clone();
    kernels.geluTanhMul(got, up, 0, n);
    WeightMatrices.check(kernels.name() + " geluTanhMul", want, got);
    want = logits.clone();
    scalar.softcap(want, 0, n, SOFTCAP);
    got = logits.clone();
    kernels.softcap(got, 0, n, SOFTCAP);
    WeightMatrices.check(kernels.name() + " softcap", want, got);
  }

  private float geluTanhMul() {
    System.arraycopy(gate, 0, work, 0, n);
    kernels.geluTanhMul(work, up, 0, n);
    return work[0];
  }

  private float softcap() {
    System.arraycopy(logits, 0, work, 0, n);
    kernels.softcap(work, 0, n, SOFTCAP);
    return work[0];
  }

  private float softmax() {
    System.arraycopy(logits, 0, work, 0, n);
    kernels.softmax(work, 0, n);
    return work[0];
  }

  private float siluMul() {
    System.arraycopy(gate, 0, work, 0, n);
    kernels.siluMul(work, up, 0, n);
    return work[0];
  }

  private float rmsnorm() {
    kernels.rmsnorm(normed, 0, gate, 0, weight, 0f, n, 1e-5f);
    return normed[0];
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
  public float softmaxVector() {
    return softmax();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"-Ddrain.kernels=scalar"})
  public float softmaxScalar() {
    return softmax();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
  public float siluMulVector() {
    return siluMul();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"-Ddrain.kernels=scalar"})
  public float siluMulScalar() {
    return siluMul();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
  public float rmsnormVector() {
    return rmsnorm();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"-Ddrain.kernels=scalar"})
  public float rmsnormScalar() {
    return rmsnorm();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
  public float geluTanhMulVector() {
    return geluTanhMul();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"-Ddrain.kernels=scalar"})
  public float geluTanhMulScalar() {
    return geluTanhMul();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
  public float softcapVector() {
    return softcap();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsPrepend = {"-Ddrain.kernels=scalar"})
  public float softcapScalar() {
    return softcap();
  }
}
