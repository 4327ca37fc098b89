package tips.drain.lora;

import com.fasterxml.jackson.core.JsonProcessingException;
import tips.drain.io.JsonErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * PEFT's {@code adapter_config.json} for a LoRA adapter, with PEFT's rules for the rank and scale of each
 * module: {@code r} and {@code lora_alpha}, overridden per module by {@code rank_pattern} /
 * {@code alpha_pattern} (a key matches a module name that ends with it after a dot, the longest key first);
 * the scale is {@code alpha / r}, or {@code alpha / sqrt(r)} with {@code use_rslora}.
 *
 * <p>Refused: another {@code peft_type}, {@code use_dora}, {@code lora_bias}, {@code target_parameters},
 * {@code layer_replication}. {@code fan_in_fan_out} is ignored, as PEFT ignores it (with a warning) for the
 * {@code nn.Linear} layers every supported family consists of.
 *
 * @param file where it was read from
 * @param r default rank
 * @param alpha default {@code lora_alpha}
 * @param targetModules {@code target_modules} as a list of module-name suffixes, empty when given as a regex
 * @param targetRegex {@code target_modules} as a regex (or {@code all-linear}), else null
 * @param rankPattern {@code rank_pattern}
 * @param alphaPattern {@code alpha_pattern}
 * @param useRslora {@code use_rslora}
 * @param fanInFanOut {@code fan_in_fan_out} as written (not used: see above)
 * @param modulesToSave {@code modules_to_save}: modules stored whole in the adapter
 * @param bias {@code bias}: {@code none}, {@code all} or {@code lora_only} (saved biases replace the base's)
 * @param baseModel {@code base_model_name_or_path}, or null
 */
public record LoraConfig(Path file, int r, double alpha, List<String> targetModules, String targetRegex,
    Map<String, Integer> rankPattern, Map<String, Double> alphaPattern, boolean useRslora, boolean fanInFanOut,
    List<String> modulesToSave, String bias, String baseModel) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads {@code dir/adapter_config.json}. */
  public static LoraConfig read(Path dir) {
    Path file = dir.resolve("adapter_config.json");
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new LoraException(file + ": no such file (a PEFT adapter directory has adapter_config.json)");
    } catch (JsonProcessingException e) {
      throw new LoraException(file + ": " + JsonErrors.syntax(e), e);
    } catch (IOException e) {
      throw new LoraException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new LoraException(file + ": expected a JSON object");
    }
    String type = text(root, "peft_type", file);
    if (!"LORA".equals(type)) {
      throw new LoraException(file + ": peft_type '" + type + "' is not supported (only LORA)");
    }
    refuseIfTrue(root, "use_dora", "DoRA adapters are not supported", file);
    refuseIfTrue(root, "lora_bias", "LoRA biases on lora_B are not supported", file);
    if (root.hasNonNull("target_parameters") && !root.get("target_parameters").isEmpty()) {
      throw new LoraException(file + ": target_parameters is not supported (only target_modules)");
    }
    if (root.hasNonNull("layer_replication")) {
      throw new LoraException(file + ": layer_replication is not supported");
    }
    int r = positiveInt(root.get("r"), "r", file);
    double alpha = number(root.get("lora_alpha"), "lora_alpha", file);
    List<String> targets = new ArrayList<>();
    String regex = null;
    JsonNode t = root.get("target_modules");
    if (t != null && t.isTextual()) {
      regex = t.asText();
    } else if (t != null && t.isArray()) {
      for (JsonNode n : t) {
        targets.add(n.asText());
      }
    } else if (t != null && !t.isNull()) {
      throw new LoraException(file + ": target_modules must be a list or a string, got " + t);
    }
    Map<String, Integer> ranks = new LinkedHashMap<>();
    forEachField(root, "rank_pattern", file, (k, v) -> ranks.put(k, positiveInt(v, "rank_pattern." + k, file)));
    Map<String, Double> alphas = new LinkedHashMap<>();
    forEachField(root, "alpha_pattern", file, (k, v) -> alphas.put(k, number(v, "alpha_pattern." + k, file)));
    List<String> save = new ArrayList<>();
    if (root.hasNonNull("modules_to_save")) {
      root.get("modules_to_save").forEach(n -> save.add(n.asText()));
    }
    if (regex != null && !regex.equals("all-linear")) {
      compile(regex, "target_modules", file);
    }
    for (String k : ranks.keySet()) {
      compile(keyPattern(k), "rank_pattern key '" + k + "'", file);
    }
    for (String k : alphas.keySet()) {
      compile(keyPattern(k), "alpha_pattern key '" + k + "'", file);
    }
    String bias = root.hasNonNull("bias") ? root.get("bias").asText() : "none";
    if (!bias.equals("none") && !bias.equals("all") && !bias.equals("lora_only")) {
      throw new LoraException(file + ": bias '" + bias + "' is not one of none, all, lora_only");
    }
    return new LoraConfig(file, r, alpha, targets, regex, ranks, alphas, root.path("use_rslora").asBoolean(false),
        root.path("fan_in_fan_out").asBoolean(false), save, bias,
        root.hasNonNull("base_model_name_or_path") ? root.get("base_model_name_or_path").asText() : null);
  }

  public LoraConfig {
    targetModules = List.copyOf(targetModules);
    rankPattern = Map.copyOf(rankPattern);
    alphaPattern = Map.copyOf(alphaPattern);
    modulesToSave = List.copyOf(modulesToSave);
  }

  /** The rank of {@code module} (e.g. {@code model.layers.0.self_attn.q_proj}). */
  public int rank(String module) {
    String key = patternKey(rankPattern.keySet(), module);
    return key == null ? r : rankPattern.get(key);
  }

  /** The scale of {@code module}'s update {@code B·A}: {@code alpha / r}, or {@code alpha / sqrt(r)} (rsLoRA). */
  public double scale(String module) {
    String key = patternKey(alphaPattern.keySet(), module);
    double a = key == null ? alpha : alphaPattern.get(key);
    int rank = rank(module);
    return useRslora ? a / Math.sqrt(rank) : a / rank;
  }

  /** True when {@code module} is one {@code target_modules} names (a suffix after a dot, or the regex). */
  public boolean targets(String module) {
    if (targetRegex != null) {
      return targetRegex.equals("all-linear") || matches(Pattern.compile(targetRegex), module, "target_modules");
    }
    for (String t : targetModules) {
      if (module.equals(t) || module.endsWith("." + t)) {
        return true;
      }
    }
    return false;
  }

  /** PEFT's {@code get_pattern_key}: the longest key {@code k} such that the module matches {@code (.*\.)?k$}. */
  String patternKey(java.util.Set<String> keys, String module) {
    return keys.stream()
        .sorted(Comparator.comparingInt(String::length).reversed())
        .filter(k -> matches(Pattern.compile(keyPattern(k)), module, "the pattern key '" + k + "'"))
        .findFirst().orElse(null);
  }

  private static String keyPattern(String key) {
    return "(.*\\.)?(" + key + ")$";
  }

  private static void compile(String regex, String field, Path file) {
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new LoraException(file + ": " + field + " is not a valid regular expression: " + e.getDescription()
          + " at index " + e.getIndex());
    }
  }

  /** Most character reads one match may take: a module name is short, so only a runaway backtracking regex needs more. */
  private static final long MATCH_BUDGET = 1_000_000;

  /** {@code pattern} matches all of {@code module}, or a LoraException when the regex backtracks without end. */
  private boolean matches(Pattern pattern, String module, String what) {
    try {
      return pattern.matcher(new Budgeted(module)).matches();
    } catch (Budgeted.Exhausted e) {
      throw new LoraException(file + ": " + what + " takes too long to match '" + module
          + "' (a regular expression that backtracks without end?)");
    }
  }

  /** A string whose characters may be read {@link #MATCH_BUDGET} times in all. */
  private static final class Budgeted implements CharSequence {
    static final class Exhausted extends RuntimeException {
      Exhausted() {
        super(null, null, false, false);
      }
    }

    private final String s;
    private final long[] reads;

    Budgeted(String s) {
      this(s, new long[1]);
    }

    private Budgeted(String s, long[] reads) {
      this.s = s;
      this.reads = reads;
    }

    @Override
    public char charAt(int index) {
      if (++reads[0] > MATCH_BUDGET) {
        throw new Exhausted();
      }
      return s.charAt(index);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Budgeted(s.substring(start, end), reads);
    }

    @Override
    public String toString() {
      return s;
    }
  }

  private static void refuseIfTrue(JsonNode root, String field, String message, Path file) {
    if (root.path(field).asBoolean(false)) {
      throw new LoraException(file + ": " + field + " is true: " + message);
    }
  }

  private static String text(JsonNode root, String field, Path file) {
    JsonNode v = root.get(field);
    if (v == null || !v.isTextual()) {
      throw new LoraException(file + ": missing or non-text field '" + field + "'");
    }
    return v.asText();
  }

  private static int positiveInt(JsonNode v, String field, Path file) {
    if (v == null || !v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
      throw new LoraException(file + ": '" + field + "' must be a positive integer, got " + v);
    }
    return v.asInt();
  }

  private static double number(JsonNode v, String field, Path file) {
    if (v == null || !v.isNumber()) {
      throw new LoraException(file + ": '" + field + "' must be a number, got " + v);
    }
    return v.asDouble();
  }

  private interface FieldAction {
    void accept(String key, JsonNode value);
  }

  private static void forEachField(JsonNode root, String field, Path file, FieldAction action) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return;
    }
    if (!v.isObject()) {
      throw new LoraException(file + ": '" + field + "' must be an object, got " + v);
    }
    v.fields().forEachRemaining(e -> action.accept(e.getKey(), e.getValue()));
  }
}
