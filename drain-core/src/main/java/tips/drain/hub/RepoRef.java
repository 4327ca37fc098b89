package tips.drain.hub;

import java.util.regex.Pattern;

/**
 * A model repository on the hub and a revision of it: {@code ORG/NAME} or {@code ORG/NAME@REVISION} (a branch,
 * a tag or a commit hash; {@code main} when none is given).
 */
public record RepoRef(String repo, String revision) {
  public static final String DEFAULT_REVISION = "main";
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  public RepoRef {
    if (!isRepoId(repo)) {
      throw new IllegalArgumentException("'" + repo + "' is not a hub repository id; expected ORG/NAME"
          + " (letters, digits, '.', '-', '_')");
    }
    if (revision == null || revision.isBlank() || revision.startsWith("/") || revision.endsWith("/")
        || revision.contains("..") || revision.contains("\\") || revision.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("'" + revision + "' is not a revision of " + repo
          + "; expected a branch, tag or commit hash");
    }
  }

  /** Parses {@code ORG/NAME[@REVISION]}. */
  public static RepoRef parse(String text) {
    int at = text.indexOf('@');
    return at < 0 ? new RepoRef(text, DEFAULT_REVISION) : new RepoRef(text.substring(0, at), text.substring(at + 1));
  }

  /** Whether {@code text} has the shape of a repository id {@code ORG/NAME}. */
  public static boolean isRepoId(String text) {
    if (text == null) {
      return false;
    }
    int slash = text.indexOf('/');
    return slash > 0 && slash == text.lastIndexOf('/')
        && PART.matcher(text.substring(0, slash)).matches() && PART.matcher(text.substring(slash + 1)).matches()
        && !text.contains("--") && !text.contains("..");
  }

  /** Whether {@code revision} is a full commit hash (then no ref is stored for it). */
  public static boolean isCommitHash(String revision) {
    return COMMIT.matcher(revision).matches();
  }

  /** The cache folder name huggingface_hub gives the repository: {@code models--ORG--NAME}. */
  public String folderName() {
    return folderName(repo);
  }

  static String folderName(String repo) {
    return "models--" + repo.replace("/", "--");
  }

  @Override
  public String toString() {
    return DEFAULT_REVISION.equals(revision) ? repo : repo + "@" + revision;
  }
}
