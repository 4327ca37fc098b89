package tips.drain.tokenizer;

import java.util.Map;

/**
 * The WordPiece model of tokenizer.json (BERT and its descendants), as Hugging Face runs it: greedy
 * longest-match-first over the word, every piece after the first looked up with the continuing-subword prefix
 * ({@code ##}); a word longer than {@code max_input_chars_per_word} characters, or one with a part that no
 * vocabulary entry matches, becomes the single unknown token.
 */
final class WordPieceModel extends VocabularyModel {
  private final int unkId;
  private final String prefix;
  private final int maxInputCharsPerWord;

  WordPieceModel(Map<String, Integer> vocab, int unkId, String prefix, int maxInputCharsPerWord) {
    super(vocab);
    this.unkId = unkId;
    this.prefix = prefix;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
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
}
