package tips.drain.hub;

import java.util.List;

/** A repository at one commit: what {@code GET /api/models/REPO/revision/REV} answers. */
public record RepoListing(RepoRef ref, String commit, List<RemoteFile> files) {
  public RepoListing {
    files = List.copyOf(files);
  }
}
