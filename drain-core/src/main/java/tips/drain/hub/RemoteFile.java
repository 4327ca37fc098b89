package tips.drain.hub;

/**
 * A file of a repository as the hub lists it.
 *
 * @param path the file's path in the repository ({@code rfilename})
 * @param size its size in bytes, or -1 when the listing did not say
 * @param sha256 the SHA-256 of an LFS file, or null for a file stored in git
 */
public record RemoteFile(String path, long size, String sha256) {
  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
