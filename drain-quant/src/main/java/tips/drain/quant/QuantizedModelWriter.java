package tips.drain.quant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import tips.drain.DrainException;
import tips.drain.io.ModelFiles;
import tips.drain.io.SafetensorsWriter;
import tips.drain.io.TensorInfo;
import tips.drain.io.Weights;
import tips.drain.kernel.KernelProvider;
import tips.drain.tensor.DType;
import tips.drain.tensor.DenseMatrix;
import tips.drain.tensor.Matrix;
import tips.drain.util.Parallel;

/**
 * Writes a quantized copy of a Hugging Face model directory that DRAIN loads directly and memory-maps: one
 * {@code model.safetensors} where each quantized matrix is a U8 tensor of its blocks, with {@code __metadata__}
 * naming its format ({@code drain.format.NAME}) and logical shape ({@code drain.shape.NAME = rows,cols});
 * every other tensor is copied as it is; the JSON and tokenizer files are copied.
 *
 * <p>What is quantized, and to which format, is the {@link QuantMix}'s choice: one format for the layers'
 * 2-D {@code .weight}s (the output head at 8 bits when they have fewer), or one of llama.cpp's K-quant mixes;
 * norms, biases, MoE routers and GPT-OSS's stacked 3-D experts always stay as stored (those are quantized on load).
 */
public final class QuantizedModelWriter {
  /** Metadata key naming the format the model was quantized to. */
  public static final String QUANTIZATION_KEY = "drain.quantization";

  private QuantizedModelWriter() {}

  /** What was written. */
  public record Summary(int quantized, int kept, long bytesIn, long bytesOut) {}

  /**
   * @param progress receives the bytes of source tensors processed so far
   */
  public static Summary write(Path source, Path out, QuantMix mix, Parallel parallel, LongConsumer progress) {
    if (source.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
      throw new DrainException(out + ": the output directory must differ from the model's");
    }
    try (ModelFiles files = ModelFiles.open(source)) {
      Files.createDirectories(out);
      SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt").metadata(QUANTIZATION_KEY, mix.name());
      QuantMix.Plan plan = mix.plan(files.tensors());
      long[] done = {0};
      int quantized = 0;
      int kept = 0;
      long bytesOut = 0;
      for (TensorInfo t : files.tensors()) {
        QuantFormat target = plan.formatOf(t).orElse(null);
        if (target == null) {
          kept++;
          bytesOut += t.byteSize();
          writer.add(t.name(), t.dtype(), t.shape(), t.byteSize(), ch -> {
            write(files.segment(t.name()), ch);
            progress.accept(done[0] += t.byteSize());
          });
        } else {
          quantized++;
          int rows = (int) t.dim(0);
          int cols = (int) t.dim(1);
          long bytes = target.byteSize(rows, cols);
          bytesOut += bytes;
          writer.metadata(Weights.FORMAT_KEY + t.name(), target.name());
          writer.metadata(Weights.SHAPE_KEY + t.name(), rows + "," + cols);
          writer.add(t.name(), DType.U8, new long[] {bytes}, bytes, ch -> {
            Matrix dense = new DenseMatrix(files.segment(t.name()), t.dtype(), rows, cols, KernelProvider.kernels());
            BlockMatrix q = BlockMatrix.quantize(target, dense, parallel, QuantKernelProvider.kernels());
            write(q.data(), ch);
            progress.accept(done[0] += t.byteSize());
          });
        }
      }
      writer.write(out.resolve("model.safetensors"));
      copyOtherFiles(source, out);
      return new Summary(quantized, kept, files.dataBytes(), bytesOut);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out, e);
    }
  }

  private static void write(MemorySegment data, java.nio.channels.WritableByteChannel ch) throws IOException {
    long pos = 0;
    while (pos < data.byteSize()) {
      int n = (int) Math.min(1 << 24, data.byteSize() - pos);
      ByteBuffer b = data.asSlice(pos, n).asByteBuffer();
      while (b.hasRemaining()) {
        ch.write(b);
      }
      pos += n;
    }
  }

  private static void copyOtherFiles(Path source, Path out) throws IOException {
    List<Path> others;
    try (Stream<Path> s = Files.list(source)) {
      others = s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(".safetensors"))
          .filter(p -> !p.getFileName().toString().equals("model.safetensors.index.json"))
          .filter(p -> p.getFileName().toString().endsWith(".json") || p.getFileName().toString().endsWith(".jinja")
              || p.getFileName().toString().endsWith(".model") || p.getFileName().toString().endsWith(".md"))
          .toList();
    }
    for (Path p : others) {
      Files.copy(p, out.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
