package tips.drain.embedding;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tips.drain.model.ConfigException;

/**
 * What a sentence-transformers model directory declares around its transformer: {@code modules.json} (the
 * pipeline: Transformer, Pooling, Normalize), {@code 1_Pooling/config.json} (the pooling modes),
 * {@code sentence_bert_config.json} ({@code max_seq_length}, {@code do_lower_case}). A directory without
 * {@code modules.json} is a plain transformers model: mean pooling, no normalisation, as sentence-transformers
 * builds it.
 *
 * @param transformerDir where the transformer's config.json, weights and tokenizer are (the Transformer module's path)
 * @param pooling the pooling modes, in concatenation order, never empty
 * @param normalize whether a Normalize module follows the pooling
 * @param maxSeqLength {@code max_seq_length}, or 0 when not given
 * @param lowercase {@code do_lower_case}: texts are lowercased before tokenizing
 * @param maxSeqLengthFile the file {@code maxSeqLength} came from (for messages), or null
 */
public record SentenceTransformersConfig(Path transformerDir, List<Pooling> pooling, boolean normalize, int maxSeqLength,
    boolean lowercase, Path maxSeqLengthFile) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public SentenceTransformersConfig {
    pooling = List.copyOf(pooling);
  }

  /** Reads the sentence-transformers files of {@code dir}. */
  public static SentenceTransformersConfig load(Path dir) {
    Path modulesFile = dir.resolve("modules.json");
    if (!Files.isRegularFile(modulesFile)) {
      return withSeqConfig(dir, List.of(Pooling.MEAN), false);
    }
    JsonNode modules = read(modulesFile);
    if (!modules.isArray() || modules.isEmpty()) {
      throw new ConfigException(modulesFile + ": expected a non-empty array of modules");
    }
    Path transformer = null;
    List<Pooling> pooling = null;
    boolean normalize = false;
    for (int i = 0; i < modules.size(); i++) {
      JsonNode m = modules.get(i);
      String type = text(m, "type", modulesFile, i);
      String path = m.has("path") && m.get("path").isTextual() ? m.get("path").asText() : "";
      switch (type) {
        case "sentence_transformers.models.Transformer" -> transformer = dir.resolve(path);
        case "sentence_transformers.models.Pooling" -> pooling = pooling(dir.resolve(path).resolve("config.json"));
        case "sentence_transformers.models.Normalize" -> normalize = true;
        default -> throw new ConfigException(modulesFile + ": [" + i + "].type '" + type + "' is not supported "
            + "(DRAIN runs Transformer, Pooling and Normalize modules)");
      }
    }
    if (transformer == null) {
      throw new ConfigException(modulesFile + ": no sentence_transformers.models.Transformer module");
    }
    return withSeqConfig(transformer, pooling == null ? List.of(Pooling.MEAN) : pooling, normalize);
  }

  private static SentenceTransformersConfig withSeqConfig(Path transformerDir, List<Pooling> pooling, boolean normalize) {
    Path file = transformerDir.resolve("sentence_bert_config.json");
    if (!Files.isRegularFile(file)) {
      return new SentenceTransformersConfig(transformerDir, pooling, normalize, 0, false, null);
    }
    JsonNode node = read(file);
    JsonNode max = node.get("max_seq_length");
    int maxSeq = 0;
    if (max != null && !max.isNull()) {
      if (!max.canConvertToInt() || max.asInt() < 1) {
        throw new ConfigException(file + ": max_seq_length must be a positive integer, got " + max);
      }
      maxSeq = max.asInt();
    }
    JsonNode lower = node.get("do_lower_case");
    if (lower != null && !lower.isNull() && !lower.isBoolean()) {
      throw new ConfigException(file + ": do_lower_case must be true or false, got " + lower);
    }
    return new SentenceTransformersConfig(transformerDir, pooling, normalize, maxSeq, lower != null && lower.asBoolean(),
        file);
  }

  private static List<Pooling> pooling(Path file) {
    JsonNode node = read(file);
    List<Pooling> modes = new ArrayList<>();
    for (Pooling p : Pooling.values()) {
      JsonNode v = node.get(p.field());
      if (v != null && !v.isNull() && !v.isBoolean()) {
        throw new ConfigException(file + ": " + p.field() + " must be true or false, got " + v);
      }
      if (v != null && v.asBoolean()) {
        modes.add(p);
      }
    }
    JsonNode includePrompt = node.get("include_prompt");
    if (includePrompt != null && includePrompt.isBoolean() && !includePrompt.asBoolean()) {
      throw new ConfigException(file + ": include_prompt false is not supported (DRAIN pools over every token)");
    }
    if (modes.isEmpty()) {
      throw new ConfigException(file + ": no pooling mode is on (pooling_mode_mean_tokens, pooling_mode_cls_token, ...)");
    }
    return modes;
  }

  private static String text(JsonNode m, String field, Path file, int index) {
    JsonNode v = m == null ? null : m.get(field);
    if (v == null || !v.isTextual()) {
      throw new ConfigException(file + ": [" + index + "]." + field + " must be a string");
    }
    return v.asText();
  }

  private static JsonNode read(Path file) {
    try {
      JsonNode node = JSON.readTree(file.toFile());
      if (node == null) {
        throw new ConfigException(file + ": empty file");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ConfigException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
  }
}
