package tips.drain.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.api.LanguageModel;
import tips.drain.api.LoadOptions;
import tips.drain.hub.HubException.Reason;
import tips.drain.testing.TinyLlama;

/** {@code drain pull} against a fake hub and CDN on loopback; no test touches the real network. */
@Timeout(120)
class HubPullTest {
  @TempDir Path tmp;
  FakeHub hub;
  Path cache;
  byte[] weights;

  @BeforeEach
  void startHub() throws IOException {
    Path model = TinyLlama.small(5).write(tmp.resolve("source"));
    weights = Files.readAllBytes(model.resolve("model.safetensors"));
    hub = new FakeHub()
        .add("config.json", Files.readAllBytes(model.resolve("config.json")), false)
        .add("generation_config.json", "{\"eos_token_id\": 2}".getBytes(StandardCharsets.UTF_8), false)
        .add("tokenizer_config.json", "{}".getBytes(StandardCharsets.UTF_8), false)
        .add("model.safetensors", weights, true)
        .add("README.md", "# tiny".getBytes(StandardCharsets.UTF_8), false)
        .add("pytorch_model.bin", new byte[1000], true)
        .add("original/consolidated.safetensors", new byte[500], true);
    cache = tmp.resolve("hf/hub");
  }

  @AfterEach
  void stopHub() {
    hub.close();
  }

  HubSettings settings() {
    return new HubSettings(hub.endpoint(), null, null, cache, false,
        new HubSettings.Retry(4, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(5)));
  }

  PullResult pull(HubSettings s, String ref) {
    return new HubDownloader(s).pull(RepoRef.parse(ref), List.of(), null, PullListener.NONE);
  }

  Path repoDir() {
    return cache.resolve("models--acme--tiny-llama");
  }

  long selectedBytes() {
    return Stream.of("config.json", "generation_config.json", "tokenizer_config.json", "model.safetensors")
        .mapToLong(f -> hub.files.get(f).length).sum();
  }

  /** The one Range request the CDN saw, as its first byte; what had reached the disk when the connection broke. */
  long resumedAt() {
    assertEquals(1, hub.cdnRanges.size(), hub.cdnRanges.toString());
    String range = hub.cdnRanges.getFirst();
    assertTrue(range.matches("bytes=\\d+-"), range);
    return Long.parseLong(range.substring(6, range.length() - 1));
  }

  Path blob(String file) {
    return repoDir().resolve("blobs").resolve(hub.etag(file));
  }

  @Test
  void fullPullLaysOutTheCacheAsHuggingfaceHubDoes() throws IOException {
    hub.requiredToken = "hf_secret";
    PullResult r = pull(settings().withToken("hf_secret", "HF_TOKEN"), FakeHub.REPO);

    assertEquals(FakeHub.COMMIT, r.commit());
    assertEquals(repoDir().resolve("snapshots").resolve(FakeHub.COMMIT), r.snapshot());
    assertEquals(Set.of("config.json", "generation_config.json", "tokenizer_config.json", "model.safetensors"),
        Set.copyOf(r.files()), "what a model needs; not README, .bin or original/");
    for (String file : r.files()) {
      Path pointer = r.snapshot().resolve(file);
      assertTrue(Files.isSymbolicLink(pointer), file);
      Path target = Files.readSymbolicLink(pointer);
      assertFalse(target.isAbsolute(), file + " -> " + target);
      assertEquals(Path.of("..", "..", "blobs", hub.etag(file)), target);
      assertArrayEquals(hub.files.get(file), Files.readAllBytes(pointer), file);
      assertTrue(Files.isRegularFile(cache.resolve(".locks/models--acme--tiny-llama/" + hub.etag(file) + ".lock")));
    }
    assertEquals(64, hub.etag("model.safetensors").length(), "LFS blobs are named by their SHA-256");
    assertEquals(40, hub.etag("config.json").length(), "git blobs by their git SHA-1");
    assertEquals(FakeHub.COMMIT, Files.readString(repoDir().resolve("refs/main")));
    try (Stream<Path> blobs = Files.list(repoDir().resolve("blobs"))) {
      assertTrue(blobs.noneMatch(p -> p.toString().endsWith(".incomplete")));
    }
    assertEquals(selectedBytes(), r.bytes());
    assertEquals(r.bytes(), r.downloaded());
    assertTrue(hub.cdnAuthorization.isEmpty(), "the token never goes to another host: " + hub.cdnAuthorization);
    assertEquals(1, hub.cdnGets.get());

    int requests = hub.hubRequests.get();
    PullResult again = pull(settings().withToken("hf_secret", "HF_TOKEN"), FakeHub.REPO);
    assertEquals(0, again.downloaded(), "everything is cached");
    assertEquals(1, hub.cdnGets.get());
    assertEquals(requests + 1, hub.hubRequests.get(), "only the listing is asked again");
  }

  @Test
  void aCutConnectionIsResumedWithRange() throws IOException {
    hub.cuts.set(1);
    hub.cutAfter = 30_000;
    pull(settings(), FakeHub.REPO);
    long at = resumedAt();
    assertTrue(at > 0 && at <= 30_000, "resumed from what was on disk: " + at);
    assertArrayEquals(weights, Files.readAllBytes(blob("model.safetensors")));
  }

  @Test
  void aStalledConnectionIsDroppedAndResumed() {
    hub.cuts.set(1);
    hub.cutAfter = 16_384;
    hub.hang = true;
    HubSettings s = settings().withRetry(new HubSettings.Retry(4, Duration.ofMillis(1), Duration.ofMillis(5),
        Duration.ofMillis(500)));
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> pull(s, FakeHub.REPO), "the CDN hangs for 30 s");
    assertTrue(resumedAt() > 0);
  }

  @Test
  void anInterruptedPullResumesInTheNextRun() throws IOException {
    hub.cuts.set(100);
    hub.cutAfter = 20_000;
    HubException e = assertThrows(HubException.class, () -> pull(settings().withRetry(
        new HubSettings.Retry(1, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(5))), FakeHub.REPO));
    assertEquals(Reason.NETWORK, e.reason(), e.getMessage());
    Path incomplete = repoDir().resolve("blobs").resolve(hub.etag("model.safetensors") + ".incomplete");
    long kept = Files.size(incomplete);
    assertTrue(kept > 0 && kept <= 20_000, "kept for the next run: " + kept);
    assertFalse(Files.exists(blob("model.safetensors")));

    hub.cuts.set(0);
    hub.cdnRanges.clear();
    PullResult r = pull(settings(), FakeHub.REPO);
    assertEquals(kept, resumedAt());
    assertArrayEquals(weights, Files.readAllBytes(r.snapshot().resolve("model.safetensors")));
    assertFalse(Files.exists(incomplete));
  }

  @Test
  void aServerIgnoringRangeIsReadFromTheStart() throws IOException {
    hub.ignoreRange = true;
    hub.cuts.set(1);
    hub.cutAfter = 16_384;
    List<Long> progress = new ArrayList<>();
    new HubDownloader(settings()).pull(RepoRef.parse(FakeHub.REPO), List.of(), null, new PullListener() {
      @Override
      public void fileProgress(String path, long done, long size) {
        if (path.equals("model.safetensors")) {
          progress.add(done);
        }
      }
    });
    assertTrue(resumedAt() > 0, "asked to resume");
    int restart = progress.lastIndexOf(0L);
    assertTrue(restart > 0 && progress.get(restart - 1) > 0, "and started over on the 200: " + progress);
    assertEquals(weights.length, progress.getLast());
    assertArrayEquals(weights, Files.readAllBytes(blob("model.safetensors")));
  }

  @Test
  void aCorruptedBlobIsDeletedAndNeverUsed() throws IOException {
    hub.corrupt = true;
    HubException e = assertThrows(HubException.class, () -> pull(settings(), FakeHub.REPO));
    assertEquals(Reason.CHECKSUM_MISMATCH, e.reason());
    assertTrue(e.getMessage().startsWith("model.safetensors: checksum mismatch: SHA-256 is "), e.getMessage());
    assertTrue(e.getMessage().contains(hub.etag("model.safetensors")), e.getMessage());
    try (Stream<Path> blobs = Files.list(repoDir().resolve("blobs"))) {
      assertTrue(blobs.noneMatch(p -> p.getFileName().toString().startsWith(hub.etag("model.safetensors"))));
    }
    Path snapshot = repoDir().resolve("snapshots").resolve(FakeHub.COMMIT);
    assertFalse(Files.exists(snapshot.resolve("model.safetensors"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(repoDir().resolve("refs/main")), "an unfinished pull names no ref");
  }

  @Test
  void aGatedModelSaysHowToLogIn() {
    hub.requiredToken = "hf_right";
    HubException anonymous = assertThrows(HubException.class, () -> pull(settings(), FakeHub.REPO));
    assertEquals(Reason.UNAUTHORIZED, anonymous.reason());
    assertTrue(anonymous.getMessage().contains("HTTP 401") && anonymous.getMessage().contains("gated")
        && anonymous.getMessage().contains("HF_TOKEN") && anonymous.getMessage().contains("huggingface-cli login"),
        anonymous.getMessage());

    HubException wrong = assertThrows(HubException.class,
        () -> pull(settings().withToken("hf_wrong", "/home/u/.cache/huggingface/token"), FakeHub.REPO));
    assertEquals(Reason.UNAUTHORIZED, wrong.reason());
    assertTrue(wrong.getMessage().contains("gated"), wrong.getMessage());
  }

  @Test
  void aMissingRepositoryOrRevisionIs404() {
    HubException repo = assertThrows(HubException.class, () -> pull(settings(), "acme/nope"));
    assertEquals(Reason.NOT_FOUND, repo.reason());
    assertEquals("acme/nope: no such repository on " + hub.endpoint() + " (HTTP 404)", repo.getMessage());
    HubException revision = assertThrows(HubException.class, () -> pull(settings(), FakeHub.REPO + "@v9"));
    assertEquals(Reason.NOT_FOUND, revision.reason());
    assertTrue(revision.getMessage().startsWith("acme/tiny-llama: no revision 'v9'"), revision.getMessage());
    assertFalse(Files.exists(repoDir().resolve("refs")));
  }

  @Test
  void tooManyRequestsAreRetried() throws IOException {
    hub.tooManyRequests.set(2);
    List<String> retries = new ArrayList<>();
    new HubDownloader(settings()).pull(RepoRef.parse(FakeHub.REPO), List.of(), null, new PullListener() {
      @Override
      public void retrying(String what, String why, int attempt, Duration wait) {
        retries.add(what + ": " + why);
      }
    });
    assertEquals(List.of("model.safetensors: HTTP 429", "model.safetensors: HTTP 429"), retries);
    assertArrayEquals(weights, Files.readAllBytes(blob("model.safetensors")));
  }

  @Test
  void tooManyRequestsForeverIsANetworkError() {
    hub.tooManyRequests.set(100);
    HubException e = assertThrows(HubException.class, () -> pull(settings(), FakeHub.REPO));
    assertEquals(Reason.NETWORK, e.reason());
    assertTrue(e.getMessage().contains("HTTP 429 (too many requests) 4 times"), e.getMessage());
  }

  @Test
  void aFullDiskIsReportedBeforeDownloading() {
    HubException e = assertThrows(HubException.class, () -> new HubDownloader(settings(), dir -> 1000)
        .pull(RepoRef.parse(FakeHub.REPO), List.of(), null, PullListener.NONE));
    assertEquals(Reason.DISK_FULL, e.reason());
    assertTrue(e.getMessage().contains("needs " + selectedBytes() + " bytes") && e.getMessage().contains("1000 free"),
        e.getMessage());
    assertEquals(0, hub.cdnGets.get());
  }

  @Test
  void includePatternsChooseExactlyTheirFiles() {
    PullResult r = new HubDownloader(settings()).pull(RepoRef.parse(FakeHub.REPO), List.of("*.md", "original/*"),
        null, PullListener.NONE);
    assertEquals(List.of("README.md", "original/consolidated.safetensors"), r.files());
    assertTrue(Files.isRegularFile(r.snapshot().resolve("original/consolidated.safetensors")));
    assertEquals(Path.of("..", "..", "..", "blobs", hub.etag("original/consolidated.safetensors")),
        assertLink(r.snapshot().resolve("original/consolidated.safetensors")));
  }

  private static Path assertLink(Path p) {
    try {
      return Files.readSymbolicLink(p);
    } catch (IOException e) {
      throw new AssertionError(p + " is not a symlink", e);
    }
  }

  @Test
  void twoPullsAtOnceDownloadEachBlobOnce() throws Exception {
    hub.slowMillis = 3;
    CyclicBarrier start = new CyclicBarrier(2);
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      List<Future<PullResult>> results = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return pull(settings(), FakeHub.REPO);
        }));
      }
      long downloaded = 0;
      for (Future<PullResult> f : results) {
        PullResult r = f.get();
        downloaded += r.downloaded();
        assertArrayEquals(weights, Files.readAllBytes(r.snapshot().resolve("model.safetensors")));
      }
      assertEquals(1, hub.cdnGets.get(), "the second pull waited for the first's blob");
      assertTrue(downloaded >= weights.length, "one of them downloaded it");
    }
  }

  @Test
  void twoProcessesPullingAtOnceShareTheBlob() throws Exception {
    hub.slowMillis = 3;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      processes.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), PullMain.class.getName(),
          hub.endpoint(), cache.toString(), FakeHub.REPO).redirectErrorStream(true).start());
    }
    for (Process p : processes) {
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), output);
      assertEquals(repoDir().resolve("snapshots").resolve(FakeHub.COMMIT).toString(), output.strip());
    }
    assertEquals(1, hub.cdnGets.get(), "one process waited on the other's lock file");
    assertArrayEquals(weights, Files.readAllBytes(blob("model.safetensors")));
  }

  @Test
  void aRevisionPinsTheSnapshotAndItsRef() throws IOException {
    hub.branches.put("v1.0", FakeHub.COMMIT);
    PullResult r = pull(settings(), FakeHub.REPO + "@v1.0");
    assertEquals(FakeHub.COMMIT, Files.readString(repoDir().resolve("refs/v1.0")));
    assertFalse(Files.exists(repoDir().resolve("refs/main")));
    PullResult byCommit = pull(settings(), FakeHub.REPO + "@" + FakeHub.COMMIT);
    assertEquals(r.snapshot(), byCommit.snapshot());
    try (Stream<Path> refs = Files.list(repoDir().resolve("refs"))) {
      assertEquals(new TreeSet<>(List.of("v1.0")), new TreeSet<>(refs.map(p -> p.getFileName().toString()).toList()),
          "no ref is written for a commit hash");
    }
  }

  @Test
  void aPulledModelLoadsFromTheCacheWithTheHubGone() {
    pull(settings(), FakeHub.REPO);
    hub.close();
    RepoRef ref = RepoRef.parse(FakeHub.REPO);
    Path snapshot = new HubCache(cache).snapshot(ref).orElseThrow();
    assertEquals(snapshot, HubModels.entryPoint(ref, snapshot));
    try (LanguageModel m = LanguageModel.load(snapshot, LoadOptions.defaults().withThreads(1).withTokenizer(false))) {
      assertEquals(2, m.config().numLayers());
    }
  }

  @Test
  void aGgufRepositoryGivesTheAskedQuantization() throws IOException {
    byte[] q4 = "GGUF q4_k_m".getBytes(StandardCharsets.UTF_8);
    hub.add("tiny.Q4_K_M.gguf", q4, true).add("tiny.Q8_0.gguf", new byte[2000], true);
    PullResult r = new HubDownloader(settings()).pull(RepoRef.parse(FakeHub.REPO), List.of(), "Q4_K_M", PullListener.NONE);
    assertEquals(List.of("tiny.Q4_K_M.gguf"), r.files());
    assertArrayEquals(q4, Files.readAllBytes(r.snapshot().resolve("tiny.Q4_K_M.gguf")));
    assertEquals(q4.length, r.downloaded());
  }

  @Test
  void anExpiredCdnAddressIsAskedForAgain() throws IOException {
    hub.expired.set(1);
    pull(settings(), FakeHub.REPO);
    assertEquals(2, hub.cdnGets.get());
    assertArrayEquals(weights, Files.readAllBytes(blob("model.safetensors")));
    hub.expired.set(2);
    HubException e = assertThrows(HubException.class, () -> new HubDownloader(settings())
        .pull(RepoRef.parse(FakeHub.REPO), List.of("pytorch_model.bin"), null, PullListener.NONE));
    assertEquals(Reason.UNAUTHORIZED, e.reason(), "refused twice: reported");
    assertTrue(e.getMessage().startsWith(
        "acme/tiny-llama/pytorch_model.bin: 127.0.0.1 refused the download (HTTP 403), also at"), e.getMessage());
  }

  @Test
  void aRenamedRepositoryIsFollowedWithinTheHub() throws IOException {
    PullResult r = pull(settings(), FakeHub.RENAMED);
    assertEquals(cache.resolve("models--acme--old-name/snapshots").resolve(FakeHub.COMMIT), r.snapshot(),
        "cached under the name asked for, as huggingface_hub does");
    assertArrayEquals(weights, Files.readAllBytes(r.snapshot().resolve("model.safetensors")));
  }

  @Test
  void offlineModeRefusesToPull() {
    HubSettings offline = new HubSettings(hub.endpoint(), null, null, cache, true, HubSettings.Retry.DEFAULT);
    HubException e = assertThrows(HubException.class, () -> pull(offline, FakeHub.REPO));
    assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
    assertEquals(0, hub.hubRequests.get());
  }
}
