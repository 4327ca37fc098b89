package tips.drain.model;

import java.util.Arrays;

/**
 * The entries of one forward pass, the shape of llama.cpp's {@code llama_batch}: each entry is a token of a
 * sequence at a position, and whether its logits are wanted. The entries of one sequence are consecutive, at
 * consecutive positions (a decode token, or a chunk of a prompt); the sequence number picks its KV cache in the
 * array {@link Transformer#forward(Batch, KvCache[], ForwardState, tips.drain.util.Parallel, float[])} is given. Preallocated and
 * reused: {@link #clear()} and {@link #add} per step.
 */
public final class Batch {
  private final int[] sequence;
  private final int[] position;
  private final int[] token;
  private final boolean[] wantsLogits;
  private int size;
  private int logitRows;

  /** A batch of at most {@code capacity} entries. */
  public Batch(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a batch holds at least one entry, not " + capacity);
    }
    sequence = new int[capacity];
    position = new int[capacity];
    token = new int[capacity];
    wantsLogits = new boolean[capacity];
  }

  public void clear() {
    size = 0;
    logitRows = 0;
  }

  /**
   * Appends an entry: {@code token} of sequence {@code seq} at {@code pos}, with its logits wanted or not.
   *
   * @throws IllegalArgumentException when the batch is full, or the entry does not continue its sequence's run
   *     (an earlier entry of {@code seq} that is not the one just before, or not at {@code pos - 1})
   */
  public void add(int seq, int pos, int tok, boolean logits) {
    if (size == sequence.length) {
      throw new IllegalArgumentException("batch full: " + size + " entries");
    }
    if (seq < 0 || pos < 0) {
      throw new IllegalArgumentException("sequence " + seq + " at position " + pos + ": both must be >= 0");
    }
    if (size > 0 && sequence[size - 1] == seq) {
      if (position[size - 1] != pos - 1) {
        throw new IllegalArgumentException("sequence " + seq + ": position " + pos + " after " + position[size - 1]
            + " (a sequence's entries take consecutive positions)");
      }
    } else {
      for (int i = 0; i < size; i++) {
        if (sequence[i] == seq) {
          throw new IllegalArgumentException("sequence " + seq + " appears twice in the batch: its entries must be consecutive");
        }
      }
    }
    sequence[size] = seq;
    position[size] = pos;
    token[size] = tok;
    wantsLogits[size] = logits;
    size++;
    if (logits) {
      logitRows++;
    }
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return sequence.length;
  }

  public int sequence(int i) {
    return sequence[i];
  }

  public int position(int i) {
    return position[i];
  }

  public int token(int i) {
    return token[i];
  }

  public boolean wantsLogits(int i) {
    return wantsLogits[i];
  }

  /** Entries whose logits are wanted: the rows of the logits a forward pass writes, in entry order. */
  public int logitRows() {
    return logitRows;
  }

  /** Entries of sequence {@code seq} in this batch. */
  int count(int seq) {
    int n = 0;
    for (int i = 0; i < size; i++) {
      if (sequence[i] == seq) {
        n++;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "Batch" + Arrays.toString(Arrays.copyOf(sequence, size));
  }
}
