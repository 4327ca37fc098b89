package tips.drain.tokenizer;

import java.util.Map;

/**
 * The WordPiece model of tokenizer.json (BERT and its descendants), as Hugging Face runs it: greedy
 * longest-match-first over the word, every piece after the first looked up with the continuing-subword prefix
 * ({@code ##}); a word longer than {@code max_input_chars_per_word} characters, or one with a part that no
 * vocabulary entry matches, becomes the single unknown token.
 */
final class WordPieceModel implements TokenModel {
  private final Map<String, Integer> vocab;
  private final String[] idToToken;
  private final int unkId;
  private final String prefix;
  private final int maxInputCharsPerWord;

  WordPieceModel(Map<String, Integer> vocab, int unkId, String prefix, int maxInputCharsPerWord) {
    this.vocab = vocab;
    this.unkId = unkId;
    this.prefix = prefix;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
    int maxId = -1;
    for (int id : vocab.values()) {
      maxId = Math.max(maxId, id);
    }
    idToToken = new String[maxId + 1];
    vocab.forEach((token, id) -> idToToken[id] = token);
  }

  @Override
  public void tokenize(String word, IntList out) {
    if (word.isEmpty()) {
      return;
    }
    if (word.codePointCount(0, word.length()) > maxInputCharsPerWord) {
      out.add(unkId);
      return;
    }
    int mark = out.size();
    int start = 0;
    while (start < word.length()) {
      int end = word.length();
      int found = -1;
      while (start < end) {
        String piece = start > 0 ? prefix + word.substring(start, end) : word.substring(start, end);
        Integer id = vocab.get(piece);
        if (id != null) {
          found = id;
          break;
        }
        end -= Character.charCount(word.codePointBefore(end));
      }
      if (found < 0) {
        out.truncate(mark);
        out.add(unkId);
        return;
      }
      out.add(found);
      start = end;
    }
  }

  @Override
  public int size() {
    return idToToken.length;
  }

  @Override
  public String idToToken(int id) {
    return id >= 0 && id < idToToken.length ? idToToken[id] : null;
  }

  @Override
  public int tokenToId(String token) {
    Integer id = vocab.get(token);
    return id == null ? -1 : id;
  }
}
