package tips.drain.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads {@code config.json} and {@code generation_config.json} strictly: wrong types are errors naming the field. */
public final class ConfigReader {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  private ConfigReader() {}

  /** Reads {@code dir/config.json} into its raw form. */
  public static HfConfig readConfig(Path dir) {
    Path file = dir.resolve("config.json");
    return read(file, HfConfig.class);
  }

  /** Reads {@code dir/generation_config.json}, or returns {@link GenerationConfig#NONE} when absent. */
  public static GenerationConfig readGenerationConfig(Path dir) {
    Path file = dir.resolve("generation_config.json");
    if (!Files.isRegularFile(file)) {
      return GenerationConfig.NONE;
    }
    return read(file, GenerationConfig.Raw.class).resolve(file);
  }

  /**
   * A config given as a JSON tree rather than a file (e.g. made from a GGUF file's metadata), read as strictly;
   * {@code source} names it in errors.
   */
  public static HfConfig fromTree(JsonNode tree, Path source) {
    try {
      return JSON.treeToValue(tree, HfConfig.class);
    } catch (JsonMappingException e) {
      String field = e.getPath().stream()
          .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
          .collect(Collectors.joining("."));
      throw new ConfigException(source + ": field '" + field + "' has an invalid value: " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source + ": " + e.getOriginalMessage(), e);
    }
  }

  static <T> T read(Path file, Class<T> type) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      JsonNode tree = JSON.readTree(bytes);
      if (tree == null || !tree.isObject()) {
        throw new ConfigException(file + ": expected a JSON object");
      }
      return JSON.treeToValue(tree, type);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (JsonMappingException e) {
      String field = e.getPath().stream()
          .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
          .collect(Collectors.joining("."));
      throw new ConfigException(file + ": field '" + field + "' has an invalid value: " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new ConfigException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
  }
}
