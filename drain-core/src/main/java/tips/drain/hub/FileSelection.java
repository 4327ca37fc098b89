package tips.drain.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which files of a repository a pull downloads. With {@code --include} patterns: exactly the files they match.
 * With {@code --quant}: the GGUF file (or split files) of that quantization. Otherwise what DRAIN needs to run
 * the model: the top-level safetensors weights (and their index), config, generation config and tokenizer files;
 * or, in a repository of GGUF files only, its single GGUF model.
 */
public final class FileSelection {
  private static final Set<String> SUPPORT_FILES = Set.of("config.json", "generation_config.json", "tokenizer.json",
      "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "added_tokens.json", "vocab.json",
      "merges.txt", "chat_template.jinja", "chat_template.json", "adapter_config.json", "model.safetensors.index.json");
  private static final Pattern SPLIT = Pattern.compile("-\\d{5}-of-\\d{5}$");
  private static final Pattern QUANT_TOKEN = Pattern.compile("(?i)^(I?Q\\d(_[A-Z0-9]+)*|BF16|F16|F32)$");

  private FileSelection() {}

  /** The files of {@code listing} to download, or a {@link HubException} naming what is there instead. */
  public static List<RemoteFile> select(RepoListing listing, List<String> includes, String quant) {
    String repo = listing.ref().toString();
    if (!includes.isEmpty()) {
      List<Glob> globs = includes.stream().map(Glob::of).toList();
      List<RemoteFile> chosen = listing.files().stream().filter(f -> globs.stream().anyMatch(g -> g.matches(f.path()))).toList();
      if (chosen.isEmpty()) {
        throw new HubException(HubException.Reason.NO_MATCHING_FILES, repo + ": no file matches --include "
            + String.join(" ", includes) + " (" + listing.files().size() + " files: " + sample(listing.files()) + ")");
      }
      return chosen;
    }
    List<RemoteFile> gguf = listing.files().stream().filter(FileSelection::isGgufModel).toList();
    if (quant != null) {
      if (gguf.isEmpty()) {
        throw new HubException(HubException.Reason.NO_MATCHING_FILES, repo + ": --quant " + quant
            + " picks a GGUF file, and this repository has none (pull it without --quant; drain quantize makes"
            + " Q8_0/Q4_0 copies)");
      }
      List<RemoteFile> chosen = gguf.stream().filter(f -> quantOf(f.path()).equalsIgnoreCase(quant)).toList();
      if (chosen.isEmpty()) {
        throw new HubException(HubException.Reason.NO_MATCHING_FILES, repo + ": no GGUF file of quantization " + quant
            + "; it has " + String.join(", ", quants(gguf)));
      }
      return chosen;
    }
    List<RemoteFile> topLevel = listing.files().stream().filter(f -> !f.path().contains("/")).toList();
    List<RemoteFile> weights = topLevel.stream().filter(f -> f.path().endsWith(".safetensors")
        && !f.path().startsWith("consolidated")).toList();
    if (weights.isEmpty()) {
      weights = topLevel.stream().filter(f -> f.path().endsWith(".safetensors")).toList();
    }
    if (!weights.isEmpty()) {
      List<RemoteFile> chosen = new ArrayList<>();
      for (RemoteFile f : topLevel) {
        if (SUPPORT_FILES.contains(f.path()) || weights.contains(f)) {
          chosen.add(f);
        }
      }
      return chosen;
    }
    if (!gguf.isEmpty()) {
      Set<String> quants = quants(gguf);
      if (quants.size() == 1) {
        return gguf;
      }
      throw new HubException(HubException.Reason.NO_MATCHING_FILES, repo + " has GGUF files of several quantizations;"
          + " choose one with --quant: " + String.join(", ", quants));
    }
    throw new HubException(HubException.Reason.NO_MATCHING_FILES, repo + ": no safetensors or GGUF weights ("
        + listing.files().size() + " files: " + sample(listing.files()) + "); DRAIN reads those two formats."
        + " --include PATTERN downloads other files");
  }

  /**
   * The quantization a GGUF file's name states ({@code Q4_K_M} in {@code llama-7b.Q4_K_M.gguf} or
   * {@code Q4_K_M/model-Q4_K_M-00001-of-00002.gguf}), upper-cased, or {@code "?"}.
   */
  public static String quantOf(String path) {
    String stem = path.toLowerCase(Locale.ROOT).endsWith(".gguf") ? path.substring(0, path.length() - 5) : path;
    stem = SPLIT.matcher(stem).replaceFirst("");
    String[] tokens = stem.split("[-./]");
    for (int i = tokens.length - 1; i >= 0; i--) {
      if (QUANT_TOKEN.matcher(tokens[i]).matches()) {
        return tokens[i].toUpperCase(Locale.ROOT);
      }
    }
    return "?";
  }

  private static boolean isGgufModel(RemoteFile f) {
    return f.path().toLowerCase(Locale.ROOT).endsWith(".gguf") && !f.name().toLowerCase(Locale.ROOT).startsWith("mmproj");
  }

  private static Set<String> quants(List<RemoteFile> gguf) {
    Set<String> quants = new TreeSet<>();
    gguf.forEach(f -> quants.add(quantOf(f.path())));
    return quants;
  }

  private static String sample(List<RemoteFile> files) {
    List<String> names = files.stream().map(RemoteFile::path).limit(8).toList();
    return String.join(", ", names) + (files.size() > names.size() ? ", ..." : "");
  }
}
