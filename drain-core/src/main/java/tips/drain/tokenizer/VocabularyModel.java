package tips.drain.tokenizer;

import java.util.Map;

/** What the models of tokenizer.json share: the vocabulary, token to id and back. */
abstract class VocabularyModel implements TokenModel {
  final Map<String, Integer> vocab;
  private final String[] idToToken;

  VocabularyModel(Map<String, Integer> vocab) {
    this.vocab = vocab;
    int maxId = -1;
    for (int id : vocab.values()) {
      maxId = Math.max(maxId, id);
    }
    idToToken = new String[maxId + 1];
    vocab.forEach((token, id) -> idToToken[id] = token);
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
