package tips.drain.bench.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A Llama-2-style tokenizer.json of any vocabulary size for synthetic models: {@code <unk>, <s>, </s>}, the
 * 256 byte-fallback tokens, {@code ▁}, then filler pieces {@code ▁w<i>}. Engines load it like a real one.
 */
final class SyntheticTokenizer {
  private SyntheticTokenizer() {}

  static void write(Path dir, int vocabSize) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    String[] specials = {"<unk>", "<s>", "</s>"};
    for (int i = 0; i < specials.length; i++) {
      ObjectNode t = added.addObject();
      t.put("id", i);
      t.put("content", specials[i]);
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    ObjectNode normalizer = root.putObject("normalizer");
    normalizer.put("type", "Sequence");
    ArrayNode norms = normalizer.putArray("normalizers");
    norms.addObject().put("type", "Prepend").put("prepend", "▁");
    ObjectNode replace = norms.addObject().put("type", "Replace");
    replace.putObject("pattern").put("String", " ");
    replace.put("content", "▁");
    root.putNull("pre_tokenizer");
    ObjectNode post = root.putObject("post_processor");
    post.put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    ArrayNode pair = post.putArray("pair");
    pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
    pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 1);
    pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
    ObjectNode st = post.putObject("special_tokens").putObject("<s>");
    st.put("id", "<s>");
    st.putArray("ids").add(1);
    st.putArray("tokens").add("<s>");
    ObjectNode decoder = root.putObject("decoder");
    decoder.put("type", "Sequence");
    ArrayNode decs = decoder.putArray("decoders");
    ObjectNode dr = decs.addObject().put("type", "Replace");
    dr.putObject("pattern").put("String", "▁");
    dr.put("content", " ");
    decs.addObject().put("type", "ByteFallback");
    decs.addObject().put("type", "Fuse");
    decs.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.put("unk_token", "<unk>");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", true);
    model.put("byte_fallback", true);
    model.put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int i = 0; i < specials.length; i++) {
      vocab.put(specials[i], i);
    }
    for (int b = 0; b < 256; b++) {
      vocab.put(String.format(Locale.ROOT, "<0x%02X>", b), 3 + b);
    }
    vocab.put("▁", 259); // the word mark is a piece of its own, as in real SentencePiece vocabularies
    for (int id = 260; id < vocabSize; id++) {
      vocab.put("▁w" + id, id);
    }
    model.putArray("merges");
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer.json").toFile(), root);
    ObjectNode cfg = json.createObjectNode();
    cfg.put("tokenizer_class", "LlamaTokenizer");
    cfg.put("bos_token", "<s>");
    cfg.put("eos_token", "</s>");
    cfg.put("unk_token", "<unk>");
    cfg.put("add_bos_token", true);
    cfg.put("add_eos_token", false);
    cfg.put("model_max_length", 2048);
    json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(), cfg);
  }
}
