package tips.drain.lora;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tips.drain.io.Weights;
import tips.drain.kernel.Kernels;
import tips.drain.model.Architecture;
import tips.drain.model.ModelConfig;
import tips.drain.model.TransformerWeights;
import tips.drain.tensor.DType;
import tips.drain.tensor.DenseMatrix;
import tips.drain.tensor.Matrix;

/**
 * Loads a model's weights with a LoRA adapter applied: the architecture looks its tensors up as usual, and
 * each one the adapter changes comes back merged ({@link LoraMode#MERGED}) or wrapped
 * ({@link LoraMode#RUNTIME}, {@link LoraMatrix}); tensors the adapter stores whole replace the base's. Every
 * adapter tensor must land on a tensor of the base model with the right shape, or loading fails naming it.
 * The base's memory-mapped weights are never modified, so several adapters can be loaded over one
 * {@link Weights}; {@link #runtimeView} puts an adapter over the weights a model already runs, sharing them.
 */
public final class Adapters {
  private Adapters() {}

  /**
   * {@code architecture.loadWeights(base, config)}, with the adapter in {@code adapterDir} applied when it is
   * not null.
   */
  public static TransformerWeights load(Architecture architecture, ModelConfig config, Weights base, Path adapterDir,
      LoraMode mode) {
    if (adapterDir == null) {
      return architecture.loadWeights(base, config);
    }
    return load(architecture, config, base, LoraAdapter.load(adapterDir), mode);
  }

  /** {@code architecture.loadWeights(base, config)} with {@code adapter} applied in {@code mode}. */
  public static TransformerWeights load(Architecture architecture, ModelConfig config, Weights base, LoraAdapter adapter,
      LoraMode mode) {
    Overlay overlay = new Overlay(adapter, mode, base.kernels());
    TransformerWeights weights = architecture.loadWeights(base.withOverlay(overlay), config);
    requireAllUsed(adapter, overlay.used, overlay.seen);
    return weights;
  }

  /**
   * {@code adapter} applied at run time over {@code shared}, the weights a model runs (loaded by
   * {@code architecture} from {@code stored}, perhaps quantized since): a view in which each adapted matrix is a
   * {@link LoraMatrix} over the shared one ({@code W·x + scale·B·(A·x)}), each tensor the adapter stores whole
   * replaces the shared one, and every other part is the shared one itself. Nothing is copied but the adapter's
   * own tensors; {@code shared} is not modified.
   *
   * @throws LoraException naming the tensor, when the adapter does not fit the base, or when it replaces whole a
   *     tensor that the architecture splits (Phi-3's fused projections: merge such an adapter at load instead)
   */
  public static TransformerWeights runtimeView(Architecture architecture, ModelConfig config, Weights stored,
      TransformerWeights shared, LoraAdapter adapter) {
    Overlay overlay = new Overlay(adapter, LoraMode.RUNTIME, stored.kernels());
    TransformerWeights adapted = architecture.loadWeights(stored.withOverlay(overlay), config);
    requireAllUsed(adapter, overlay.used, overlay.seen);
    OverShared overShared = new OverShared(overlay.replaced);
    TransformerWeights view = shared.combine(adapted, overShared);
    if (!overShared.unplaced.isEmpty()) {
      throw new LoraException(adapter.directory() + ": the adapter replaces " + new TreeSet<>(overShared.unplaced.values())
          + " whole, which " + architecture.modelType() + " splits into parts: such an adapter cannot be applied per "
          + "session; merge it at load instead");
    }
    return view;
  }

  /**
   * Puts an adapter's changes over shared weights: a {@link LoraMatrix} goes over the shared matrix, a replaced
   * tensor takes the shared one's place, anything else stays shared. Records the replacements not placed.
   */
  private static final class OverShared implements TransformerWeights.Combiner {
    private final Map<Object, String> replaced;
    final Map<Object, String> unplaced;

    OverShared(Map<Object, String> replaced) {
      this.replaced = replaced;
      this.unplaced = new IdentityHashMap<>(replaced);
    }

    @Override
    public Matrix matrix(Matrix mine, Matrix theirs) {
      if (theirs instanceof LoraMatrix lora) {
        return lora.withBase(mine);
      }
      return isReplacement(theirs) ? theirs : mine;
    }

    @Override
    public float[] vector(float[] mine, float[] theirs) {
      return isReplacement(theirs) ? theirs : mine;
    }

    private boolean isReplacement(Object theirs) {
      if (theirs == null || !replaced.containsKey(theirs)) {
        return false;
      }
      unplaced.remove(theirs);
      return true;
    }
  }

  /** Applies the adapter to each tensor the architecture looks up, and records which were seen and used. */
  private static final class Overlay implements Weights.Overlay {
    private final LoraAdapter adapter;
    private final LoraMode mode;
    private final Kernels kernels;
    final Set<String> used = new HashSet<>();
    final Set<String> seen = new TreeSet<>();
    /** The tensors made from the adapter's whole tensors (by identity), and their names. */
    final Map<Object, String> replaced = new IdentityHashMap<>();

    Overlay(LoraAdapter adapter, LoraMode mode, Kernels kernels) {
      this.adapter = adapter;
      this.mode = mode;
      this.kernels = kernels;
    }

    @Override
    public Matrix matrix(String name, Matrix stored) {
      seen.add(name);
      LoraAdapter.Replacement replacement = adapter.replacements().get(name);
      if (replacement != null) {
        requireShape(replacement.shape(), new long[] {stored.rows(), stored.cols()}, name);
        used.add(name);
        Matrix whole = new DenseMatrix(LoraMerge.encode(replacement.values(), DType.F32), DType.F32, stored.rows(),
            stored.cols(), kernels);
        replaced.put(whole, name);
        return whole;
      }
      LoraAdapter.Module lora = adapter.modules().get(name);
      if (lora == null) {
        return stored;
      }
      requireShape(new long[] {lora.out(), lora.in()}, new long[] {stored.rows(), stored.cols()}, name);
      used.add(name);
      return mode == LoraMode.MERGED ? LoraMerge.merge(stored, lora, name, kernels) : new LoraMatrix(stored, lora, kernels);
    }

    @Override
    public float[] vector(String name, float[] stored) {
      seen.add(name);
      LoraAdapter.Replacement replacement = adapter.replacements().get(name);
      if (replacement == null) {
        return stored;
      }
      requireShape(replacement.shape(), new long[] {stored.length}, name);
      used.add(name);
      float[] whole = replacement.values().clone();
      replaced.put(whole, name);
      return whole;
    }

    private void requireShape(long[] adapterShape, long[] baseShape, String name) {
      if (!Arrays.equals(adapterShape, baseShape)) {
        throw shapeMismatch(adapter, name, adapterShape, baseShape);
      }
    }
  }

  static LoraException shapeMismatch(LoraAdapter adapter, String name, long[] adapterShape, long[] baseShape) {
    return new LoraException(adapter.directory() + ": the adapter changes " + name + " as " + Arrays.toString(adapterShape)
        + " but the base model's is " + Arrays.toString(baseShape) + ": was the adapter trained on another base model"
        + (adapter.config().baseModel() == null ? "" : " than " + adapter.config().baseModel()) + "?");
  }

  /** Fails naming every adapter tensor that matched no tensor of the base model. */
  static void requireAllUsed(LoraAdapter adapter, Set<String> used, Collection<String> baseTensors) {
    Set<String> unknown = new TreeSet<>();
    adapter.modules().keySet().stream().filter(n -> !used.contains(n)).forEach(unknown::add);
    adapter.replacements().keySet().stream().filter(n -> !used.contains(n)).forEach(unknown::add);
    if (!unknown.isEmpty()) {
      List<String> examples = baseTensors.stream().filter(n -> n.endsWith(".weight")).limit(4).toList();
      throw new LoraException(adapter.directory() + ": the adapter changes " + unknown.size() + " tensor(s) the base model "
          + "does not have: " + String.join(", ", unknown.stream().limit(8).toList()) + (unknown.size() > 8 ? ", ..." : "")
          + " (the base model has e.g. " + String.join(", ", examples) + "); was it trained on another architecture"
          + (adapter.config().baseModel() == null ? "" : " than " + adapter.config().baseModel()) + "?");
    }
  }
}
