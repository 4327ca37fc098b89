package tips.drain.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import tips.drain.hub.HubException.Reason;

/**
 * {@code drain pull}: downloads the files a model needs from the Hugging Face hub into the huggingface_hub cache
 * ({@link HubCache}), so that Python tools and DRAIN share them. Files come from one commit (the revision is
 * resolved once); a file already in the cache is not downloaded again; each blob is downloaded under its lock,
 * so concurrent pulls (threads or processes) of the same repository wait for each other instead of writing the
 * same file, and appears in {@code blobs/} only after its checksum passed.
 *
 * <pre>{@code
 * PullResult r = new HubDownloader(HubSettings.fromEnvironment())
 *     .pull(RepoRef.parse("Qwen/Qwen2.5-0.5B-Instruct"), List.of(), null, PullListener.NONE);
 * LanguageModel model = LanguageModel.load(r.snapshot());
 * }</pre>
 */
public final class HubDownloader {
  private final HubSettings settings;
  private final HubCache cache;
  private final ToLongFunction<Path> usableSpace;

  public HubDownloader(HubSettings settings) {
    this(settings, HubDownloader::usableSpace);
  }

  HubDownloader(HubSettings settings, ToLongFunction<Path> usableSpace) {
    this.settings = settings;
    this.cache = new HubCache(settings.cache());
    this.usableSpace = usableSpace;
  }

  /**
   * Pulls {@code ref}: the files {@code includes} match (shell patterns), else the GGUF file of {@code quant},
   * else what the model needs (see {@link FileSelection}).
   */
  public PullResult pull(RepoRef ref, List<String> includes, String quant, PullListener listener) {
    if (settings.offline()) {
      throw new HubException(Reason.NETWORK, ref + ": HF_HUB_OFFLINE is set, and a pull needs the hub; models pulled"
          + " before run offline with --model " + ref.repo());
    }
    HubHttp http = new HubHttp(settings, listener);
    RepoListing listing = http.listing(ref);
    List<RemoteFile> files = FileSelection.select(listing, includes, quant);
    String commit = listing.commit();
    files.forEach(f -> checkPath(ref, f.path()));

    Path repoDir = cache.repoDirectory(ref.repo());
    HubCache.createDirectories(repoDir.resolve("blobs"));
    HubCache.createDirectories(cache.snapshotDirectory(ref.repo(), commit));
    long total = 0;
    long cached = 0;
    List<RemoteFile> missing = new ArrayList<>();
    for (RemoteFile f : files) {
      long size = Math.max(0, f.size());
      total += size;
      if (Files.isRegularFile(cache.pointer(ref.repo(), commit, f.path()))) {
        cached += size;
      } else {
        missing.add(f);
      }
    }
    checkSpace(ref, repoDir, missing);
    listener.started(listing, files, total, cached);

    long downloaded = 0;
    BlobDownload download = new BlobDownload(http, listener, usableSpace);
    for (RemoteFile f : files) {
      if (!missing.contains(f)) {
        listener.fileFinished(f.path(), f.size(), false);
        continue;
      }
      FileMetadata meta = http.metadata(ref, commit, f.path());
      if (f.sha256() != null && !f.sha256().equals(meta.etag())) {
        throw new HubException(Reason.BAD_RESPONSE, ref.repo() + "/" + f.path() + ": the listing gives SHA-256 "
            + f.sha256() + " but the file's ETag is " + meta.etag());
      }
      boolean fetched = false;
      Path blob = cache.blob(ref.repo(), meta.etag());
      if (!Files.isRegularFile(blob)) {
        try (BlobLock lock = BlobLock.acquire(cache.lockFile(ref.repo(), meta.etag()))) {
          if (!Files.isRegularFile(blob)) {
            download.run(ref, f.path(), meta, () -> http.metadata(ref, commit, f.path()).location(),
                cache.incomplete(ref.repo(), meta.etag()), blob);
            fetched = true;
          }
        }
      }
      cache.link(ref.repo(), commit, f.path(), meta.etag());
      downloaded += fetched ? meta.size() : 0;
      listener.fileFinished(f.path(), meta.size(), fetched);
    }
    cache.writeRef(ref.repo(), ref.revision(), commit);
    return new PullResult(ref, commit, cache.snapshotDirectory(ref.repo(), commit),
        files.stream().map(RemoteFile::path).toList(), total, downloaded);
  }

  /** Refuses a file name that would land outside the snapshot folder. */
  private static void checkPath(RepoRef ref, String path) {
    boolean bad = path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.contains("\0")
        || path.chars().anyMatch(Character::isISOControl);
    for (String part : path.split("/", -1)) {
      bad |= part.isEmpty() || part.equals(".") || part.equals("..");
    }
    if (bad) {
      throw new HubException(Reason.BAD_RESPONSE, ref + ": the hub lists an unsafe file name '" + path + "'");
    }
  }

  /** Fails before downloading when the files still missing do not fit the disk. */
  private void checkSpace(RepoRef ref, Path repoDir, List<RemoteFile> missing) {
    long needed = 0;
    for (RemoteFile f : missing) {
      needed += Math.max(0, f.size());
      if (f.sha256() != null && f.sha256().matches("[0-9a-f]{64}")) {
        needed -= BlobDownload.sizeOf(cache.incomplete(ref.repo(), f.sha256()));
      }
    }
    long free = usableSpace.applyAsLong(repoDir);
    if (free >= 0 && needed > free) {
      throw new HubException(Reason.DISK_FULL, ref + " needs " + needed + " bytes, and " + repoDir + " has " + free
          + " free; free some space or point HF_HUB_CACHE at a larger disk");
    }
  }

  private static long usableSpace(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }
}
