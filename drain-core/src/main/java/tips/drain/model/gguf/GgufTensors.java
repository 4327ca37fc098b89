package tips.drain.model.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tips.drain.io.GgufShards;
import tips.drain.io.GgufTensorInfo;
import tips.drain.io.GgufType;
import tips.drain.io.TensorInfo;
import tips.drain.io.TensorSource;
import tips.drain.io.WeightException;
import tips.drain.model.UnsupportedArchitectureException;
import tips.drain.tensor.DType;

/**
 * A GGUF model's tensors under the Hugging Face names the families load ({@code blk.3.attn_q.weight} is
 * {@code model.layers.3.self_attn.q_proj.weight}), stored as llama.cpp's converter wrote them undone:
 * stacked experts ({@code ffn_*_exps}) are served as zero-copy slices per expert; the query and key rows of the
 * {@code llama} architecture are put back in Hugging Face's order, and Gemma's {@code 1 + w} norm weights back to
 * {@code w} (those two are copied once, into memory this source owns). Everything else is a zero-copy view.
 * A tensor the family does not have is refused, naming it.
 */
public final class GgufTensors implements TensorSource {
  private static final Pattern LAYER = Pattern.compile("blk\\.(\\d+)\\.(.+)\\.(weight|bias)");
  private static final Pattern OLD_EXPERT = Pattern.compile("(ffn_gate|ffn_down|ffn_up)\\.(\\d+)");
  /** Tensors the config reads rather than the weights. */
  static final String ROPE_FREQS = "rope_freqs.weight";

  private enum Transform { NONE, EXPERT_SLICE, UNPERMUTE, NORM_MINUS_ONE }

  private record Entry(GgufTensorInfo stored, Transform transform, int expert, int experts, int heads, TensorInfo info,
      BlockLayout block) {}

  private final GgufShards shards;
  private final Map<String, Entry> entries;
  private final Arena arena = Arena.ofShared();
  private final Map<String, MemorySegment> copies = new ConcurrentHashMap<>();

  private GgufTensors(GgufShards shards, Map<String, Entry> entries) {
    this.shards = shards;
    this.entries = entries;
  }

  /**
   * The tensors of {@code shards} for {@code family}, whose attention has {@code heads} query and {@code kvHeads}
   * key/value heads (for the {@code llama} row order).
   */
  static GgufTensors of(GgufShards shards, GgufFamily family, int heads, int kvHeads) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (GgufTensorInfo t : shards.tensors()) {
      String name = t.name();
      switch (name) {
        case ROPE_FREQS -> { }
        case "token_embd.weight" -> put(entries, "model.embed_tokens.weight", t, Transform.NONE, 0, 1, 0);
        case "output_norm.weight" -> put(entries, "model.norm.weight", t,
            family.normsPlusOne() ? Transform.NORM_MINUS_ONE : Transform.NONE, 0, 1, 0);
        case "output.weight" -> put(entries, "lm_head.weight", t, Transform.NONE, 0, 1, 0);
        default -> layerTensor(entries, t, family, heads, kvHeads, shards.path());
      }
    }
    return new GgufTensors(shards, entries);
  }

  private static void layerTensor(Map<String, Entry> entries, GgufTensorInfo t, GgufFamily family, int heads, int kvHeads,
      Path path) {
    Matcher m = LAYER.matcher(t.name());
    if (!m.matches()) {
      throw unsupported(t, family, path);
    }
    String layer = "model.layers." + m.group(1) + ".";
    String base = m.group(2);
    String suffix = "." + m.group(3);
    if (base.endsWith("_exps") && family == GgufFamily.LLAMA && GgufFamily.expertTensor(base) != null) {
      long[] dims = t.dims();
      if (dims.length != 3) {
        throw new WeightException(path + ": tensor '" + t.name() + "' has " + dims.length + " dimensions, expected 3 (experts)");
      }
      int experts = Math.toIntExact(dims[2]);
      for (int e = 0; e < experts; e++) {
        put(entries, layer + "block_sparse_moe.experts." + e + "." + GgufFamily.expertTensor(base) + suffix, t,
            Transform.EXPERT_SLICE, e, experts, 0);
      }
      return;
    }
    Matcher old = OLD_EXPERT.matcher(base);
    if (old.matches() && family == GgufFamily.LLAMA) {
      put(entries, layer + "block_sparse_moe.experts." + old.group(2) + "." + GgufFamily.expertTensor(old.group(1)) + suffix,
          t, Transform.NONE, 0, 1, 0);
      return;
    }
    String hf = family.layerTensor(base);
    if (hf == null) {
      throw unsupported(t, family, path);
    }
    Transform transform = Transform.NONE;
    int groups = 0;
    if (family.permutedQueryKey() && (base.equals("attn_q") || base.equals("attn_k"))) {
      transform = Transform.UNPERMUTE;
      groups = base.equals("attn_q") ? heads : kvHeads;
    } else if (family.normsPlusOne() && base.endsWith("norm") && suffix.equals(".weight")) {
      transform = Transform.NORM_MINUS_ONE;
    }
    put(entries, layer + hf + suffix, t, transform, 0, 1, groups);
  }

  private static UnsupportedArchitectureException unsupported(GgufTensorInfo t, GgufFamily family, Path path) {
    return new UnsupportedArchitectureException(path + ": tensor '" + t.name() + "' is not part of a GGUF '"
        + family.ggufName() + "' model as DRAIN runs it");
  }

  private static void put(Map<String, Entry> entries, String hfName, GgufTensorInfo t, Transform transform, int expert,
      int experts, int heads) {
    long[] shape = t.shape();
    if (transform == Transform.EXPERT_SLICE) {
      shape = java.util.Arrays.copyOfRange(shape, 1, shape.length);
    }
    long bytes = t.byteSize() / experts;
    long begin = t.offset() + expert * bytes;
    TensorInfo info;
    BlockLayout block = null;
    if (t.type().isBlockFormat()) {
      info = new TensorInfo(hfName, DType.U8, new long[] {bytes}, begin, begin + bytes);
      block = new BlockLayout(t.type().name(), shape);
    } else if (transform == Transform.NORM_MINUS_ONE) {
      long n = t.elementCount();
      info = new TensorInfo(hfName, DType.F32, shape, begin, begin + 4 * n);
    } else {
      info = new TensorInfo(hfName, t.type().dtype(), shape, begin, begin + bytes);
    }
    entries.put(hfName, new Entry(t, transform, expert, experts, heads, info, block));
  }

  @Override
  public Path location() {
    return shards.path();
  }

  @Override
  public List<TensorInfo> tensors() {
    List<TensorInfo> all = new ArrayList<>(entries.size());
    entries.values().forEach(e -> all.add(e.info()));
    return all;
  }

  @Override
  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  @Override
  public TensorInfo info(String name) {
    return entry(name).info();
  }

  @Override
  public BlockLayout blockLayout(String name) {
    return entry(name).block();
  }

  @Override
  public String storedName(String name) {
    Entry e = entries.get(name);
    return e == null ? name : e.stored().name() + (e.experts() > 1 ? " (expert " + e.expert() + ")" : "");
  }

  @Override
  public MemorySegment segment(String name) {
    Entry e = entry(name);
    MemorySegment stored = shards.segment(e.stored().name());
    return switch (e.transform()) {
      case NONE -> stored;
      case EXPERT_SLICE -> stored.asSlice(e.expert() * (stored.byteSize() / e.experts()), stored.byteSize() / e.experts());
      case UNPERMUTE -> copies.computeIfAbsent(name, n -> unpermute(e, stored));
      case NORM_MINUS_ONE -> copies.computeIfAbsent(name, n -> minusOne(e, stored));
    };
  }

  /**
   * Undoes the converter's {@code permute}: within each head of {@code d} rows, Hugging Face row
   * {@code j·d/2 + i} ({@code j} 0 or 1) was stored as row {@code 2i + j}.
   */
  private MemorySegment unpermute(Entry e, MemorySegment stored) {
    long rows = e.stored().shape()[0];
    if (e.heads() <= 0 || rows % e.heads() != 0 || (rows / e.heads()) % 2 != 0) {
      throw new WeightException(location() + ": tensor '" + e.stored().name() + "' has " + rows + " rows, not "
          + e.heads() + " heads of an even size");
    }
    long rowBytes = stored.byteSize() / rows;
    long headDim = rows / e.heads();
    long half = headDim / 2;
    MemorySegment out = arena.allocate(stored.byteSize(), 64);
    for (long h = 0; h < e.heads(); h++) {
      for (long j = 0; j < 2; j++) {
        for (long i = 0; i < half; i++) {
          long to = h * headDim + j * half + i;
          long from = h * headDim + 2 * i + j;
          MemorySegment.copy(stored, from * rowBytes, out, to * rowBytes, rowBytes);
        }
      }
    }
    return out;
  }

  /** Gemma's {@code 1 + w} back to {@code w}, as F32. */
  private MemorySegment minusOne(Entry e, MemorySegment stored) {
    TensorInfo storedInfo = new TensorInfo(e.stored().name(), e.stored().type().dtype(), e.stored().shape(), 0,
        stored.byteSize());
    float[] values = TensorSource.floats(stored, storedInfo, location().toString());
    MemorySegment out = arena.allocate(4L * values.length, 64);
    for (int i = 0; i < values.length; i++) {
      out.setAtIndex(ValueLayout.JAVA_FLOAT, i, values[i] - 1f);
    }
    return out;
  }

  private Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new WeightException(location() + ": missing tensor '" + name + "'");
    }
    return e;
  }

  /** The stored GGUF type of {@code name} (for messages and inspection). */
  public GgufType storedType(String name) {
    return entry(name).stored().type();
  }

  @Override
  public void close() {
    arena.close();
    shards.close();
  }
}
