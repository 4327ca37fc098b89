package tips.drain.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tokenizer.json pipeline, step for step as Hugging Face {@code tokenizers} runs it: added tokens are cut
 * out of the raw text, the rest is normalized, pre-tokenized into words, and each word encoded by the BPE
 * model; the post-processor adds BOS/EOS. Decoding maps ids to token strings and runs the decoder chain.
 */
final class HfTokenizer implements Tokenizer {
  private final Normalizer normalizer;
  private final PreTokenizer preTokenizer;
  private final TokenModel model;
  private final AddedVocabulary added;
  private final PostProcessor postProcessor;
  private final Decoder decoder;
  private final TokenizerConfig config;
  private final int vocabSize;
  private final Truncation truncation;
  private final Padding padding;
  private final int specialTokenCount;

  HfTokenizer(Normalizer normalizer, PreTokenizer preTokenizer, TokenModel model, AddedVocabulary added,
      PostProcessor postProcessor, Decoder decoder, TokenizerConfig config, Truncation truncation, Padding padding) {
    this.normalizer = normalizer;
    this.preTokenizer = preTokenizer;
    this.model = model;
    this.added = added;
    this.postProcessor = postProcessor;
    this.decoder = decoder;
    this.config = config;
    int size = model.size();
    for (AddedToken t : added.tokens()) {
      size = Math.max(size, t.id() + 1);
    }
    this.vocabSize = size;
    this.truncation = truncation;
    this.padding = padding;
    this.specialTokenCount = postProcessor.process(new int[0]).length;
  }

  static Tokenizer load(Path modelDir) {
    return TokenizerJson.load(modelDir);
  }

  @Override
  public int[] encode(String text, boolean addSpecialTokens) {
    String input = Utf8.replaceLoneSurrogates(text);
    IntList ids = new IntList(input.length() / 3 + 4);
    for (AddedVocabulary.Segment s : added.extractAndNormalize(input, normalizer)) {
      if (s.isToken()) {
        ids.add(s.tokenId());
      } else if (preTokenizer == null) {
        model.tokenize(s.text(), ids);
      } else {
        preTokenizer.preTokenize(s.text(), s.atStart(), (word, atStart) -> model.tokenize(word, ids));
      }
    }
    int[] result = ids.toArray();
    return addSpecialTokens ? postProcessor.process(result) : result;
  }

  @Override
  public int[] withSpecialTokens(int[] ids) {
    return postProcessor.process(ids);
  }

  @Override
  public int specialTokenCount() {
    return specialTokenCount;
  }

  @Override
  public Optional<Truncation> truncation() {
    return Optional.ofNullable(truncation);
  }

  @Override
  public Optional<Padding> padding() {
    return Optional.ofNullable(padding);
  }

  @Override
  public String decode(int[] ids, boolean skipSpecialTokens) {
    List<String> tokens = new ArrayList<>(ids.length);
    for (int id : ids) {
      String token = idToToken(id);
      if (token == null) {
        continue;
      }
      if (skipSpecialTokens) {
        AddedToken a = added.byContent(token);
        if (a != null && a.special()) {
          continue;
        }
      }
      tokens.add(token);
    }
    if (decoder == null) {
      return String.join(" ", tokens);
    }
    return String.join("", decoder.decodeChain(tokens));
  }

  @Override
  public StreamDecoder streamDecoder(boolean skipSpecialTokens) {
    return new HfStreamDecoder(this, skipSpecialTokens);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public String idToToken(int id) {
    AddedToken a = added.byId(id);
    return a != null ? a.content() : model.idToToken(id);
  }

  @Override
  public int tokenToId(String token) {
    AddedToken a = added.byContent(token);
    return a != null ? a.id() : model.tokenToId(token);
  }

  @Override
  public boolean isSpecial(int id) {
    AddedToken a = added.byId(id);
    return a != null && a.special();
  }

  /** The model (for tests). */
  TokenModel model() {
    return model;
  }

  @Override
  public TokenizerConfig config() {
    return config;
  }
}
