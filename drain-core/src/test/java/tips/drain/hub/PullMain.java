package tips.drain.hub;

import java.nio.file.Path;
import java.util.List;

/** A pull in its own process, for {@link HubPullTest}: {@code ENDPOINT CACHE REPO}; prints the snapshot folder. */
public final class PullMain {
  private PullMain() {}

  public static void main(String[] args) {
    HubSettings s = new HubSettings(args[0], null, null, Path.of(args[1]), false, HubSettings.Retry.DEFAULT);
    System.out.println(new HubDownloader(s).pull(RepoRef.parse(args[2]), List.of(), null, PullListener.NONE).snapshot());
  }
}
