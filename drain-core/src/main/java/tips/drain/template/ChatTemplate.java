package tips.drain.template;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tips.drain.DrainException;
import tips.drain.template.jinja.JinjaFunction;
import tips.drain.template.jinja.Template;
import tips.drain.tokenizer.TokenizerConfig;

/**
 * A model's chat template, rendered the way transformers' {@code apply_chat_template} does: Jinja2 with
 * {@code trim_blocks} and {@code lstrip_blocks}, the variables {@code messages}, {@code add_generation_prompt}
 * and the special tokens of tokenizer_config.json ({@code bos_token}, {@code eos_token}...), and the functions
 * {@code raise_exception} and {@code strftime_now}.
 */
public final class ChatTemplate {
  private final Template template;
  private final String source;
  private final Map<String, Object> specialTokens;

  private ChatTemplate(Template template, String source, Map<String, Object> specialTokens) {
    this.template = template;
    this.source = source;
    this.specialTokens = specialTokens;
  }

  /**
   * The chat template of a model directory: {@code chat_template.jinja} when present, else the
   * {@code chat_template} of tokenizer_config.json (the one named "default" when there are several); of a GGUF
   * file, its {@code tokenizer.chat_template}.
   *
   * @return empty if the model has no chat template
   * @throws DrainException if a file cannot be read or the template does not parse (with its line)
   */
  public static Optional<ChatTemplate> load(Path modelDir) {
    TokenizerConfig config = TokenizerConfig.load(modelDir);
    Path jinja = modelDir.resolve("chat_template.jinja");
    if (Files.isRegularFile(jinja)) {
      try {
        return Optional.of(of(Files.readString(jinja), jinja.toString(), config.specialTokensMap()));
      } catch (IOException e) {
        throw new DrainException(jinja + ": cannot read: " + e.getMessage(), e);
      }
    }
    Map<String, String> templates = config.chatTemplates();
    if (templates.isEmpty()) {
      return Optional.empty();
    }
    String name = templates.containsKey("default") ? "default" : templates.keySet().iterator().next();
    String where = (Files.isRegularFile(modelDir) ? modelDir + " tokenizer.chat_template"
        : modelDir.resolve("tokenizer_config.json") + " chat_template")
        + (templates.size() > 1 ? " '" + name + "'" : "");
    return Optional.of(of(templates.get(name), where, config.specialTokensMap()));
  }

  /**
   * A chat template from its source text.
   *
   * @param source the Jinja text
   * @param name how errors name it (a file name)
   * @param specialTokens variables such as {@code bos_token}, usually {@link TokenizerConfig#specialTokensMap()}
   */
  public static ChatTemplate of(String source, String name, Map<String, Object> specialTokens) {
    return new ChatTemplate(Template.parse(source, name), source, Map.copyOf(specialTokens));
  }

  /** Renders {@code messages}; with {@code addGenerationPrompt} the text ends where the assistant's answer starts. */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return render(messages, addGenerationPrompt, Map.of());
  }

  /**
   * Renders with extra template variables, e.g. {@code tools} (a list of JSON-like maps) or
   * {@code enable_thinking}.
   */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
    Map<String, Object> vars = new LinkedHashMap<>(specialTokens);
    vars.putAll(extraVariables);
    List<Object> list = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      list.add(m.toMap());
    }
    vars.put("messages", list);
    vars.put("add_generation_prompt", addGenerationPrompt);
    vars.put("raise_exception", (JinjaFunction) (args, kwargs) -> {
      throw new IllegalStateException("the template raised an exception: " + (args.isEmpty() ? "" : args.get(0)));
    });
    vars.put("strftime_now", (JinjaFunction) (args, kwargs) -> strftime(String.valueOf(args.get(0)), ZonedDateTime.now()));
    return template.render(vars);
  }

  /** The Jinja source. */
  public String source() {
    return source;
  }

  /** Python's {@code strftime} for the directives chat templates use (%d %-d %m %b %B %Y %y %H %M %S %a %A %%). */
  static String strftime(String format, ZonedDateTime t) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 >= format.length()) {
        sb.append(c);
        continue;
      }
      char d = format.charAt(++i);
      boolean noPad = d == '-' && i + 1 < format.length();
      if (noPad) {
        d = format.charAt(++i);
      }
      switch (d) {
        case 'd' -> sb.append(noPad ? String.valueOf(t.getDayOfMonth()) : String.format("%02d", t.getDayOfMonth()));
        case 'm' -> sb.append(noPad ? String.valueOf(t.getMonthValue()) : String.format("%02d", t.getMonthValue()));
        case 'b' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'Y' -> sb.append(t.getYear());
        case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
        case 'H' -> sb.append(String.format("%02d", t.getHour()));
        case 'M' -> sb.append(String.format("%02d", t.getMinute()));
        case 'S' -> sb.append(String.format("%02d", t.getSecond()));
        case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case '%' -> sb.append('%');
        default -> sb.append('%').append(noPad ? "-" : "").append(d);
      }
    }
    return sb.toString();
  }
}
