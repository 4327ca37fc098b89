package tips.drain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.DrainException;

class AtomicDirectoryTest {
  @TempDir Path dir;

  private List<String> listing() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void nothingAppearsUntilCommitThenAllAtOnce() throws IOException {
    Path target = dir.resolve("out");
    try (AtomicDirectory out = AtomicDirectory.create(target, AtomicDirectory.Existing.REFUSE)) {
      Files.writeString(out.path().resolve("config.json"), "{}");
      Files.createDirectories(out.path().resolve("sub"));
      Files.writeString(out.path().resolve("sub/a.txt"), "a");
      assertFalse(Files.exists(target), "not visible before commit");
      assertEquals(target.getParent(), out.path().getParent(), "written beside the target (same file system)");
      out.commit();
    }
    assertEquals("{}", Files.readString(target.resolve("config.json")));
    assertEquals("a", Files.readString(target.resolve("sub/a.txt")));
    assertEquals(List.of("out"), listing(), "no partial folder left");
  }

  @Test
  void withoutCommitNothingIsLeft() throws IOException {
    Path target = dir.resolve("out");
    assertThrows(IllegalStateException.class, () -> {
      try (AtomicDirectory out = AtomicDirectory.create(target, AtomicDirectory.Existing.REFUSE)) {
        Files.writeString(out.path().resolve("model.safetensors"), "half");
        throw new IllegalStateException("failed half-way");
      }
    });
    assertEquals(List.of(), listing());
  }

  @Test
  void aNonEmptyTargetIsRefusedBeforeAnyWorkUnlessReplaceIsAsked() throws IOException {
    Path target = Files.createDirectories(dir.resolve("out"));
    Files.writeString(target.resolve("model-00001-of-00002.safetensors"), "old shard");
    Files.writeString(target.resolve("model.safetensors.index.json"), "old index");
    DrainException e = assertThrows(AtomicDirectory.OutputExistsException.class,
        () -> AtomicDirectory.create(target, AtomicDirectory.Existing.REFUSE));
    assertTrue(e.getMessage().contains("out: exists and is not empty"), e.getMessage());
    try (AtomicDirectory out = AtomicDirectory.create(target, AtomicDirectory.Existing.REPLACE)) {
      Files.writeString(out.path().resolve("model.safetensors"), "new");
      assertEquals("old index", Files.readString(target.resolve("model.safetensors.index.json")),
          "the old output stays until the new one is complete");
      out.commit();
    }
    try (Stream<Path> s = Files.list(target)) {
      assertEquals(List.of("model.safetensors"), s.map(p -> p.getFileName().toString()).toList(),
          "replaced as a whole: no old shard or index survives to win at load");
    }
    assertEquals(List.of("out"), listing(), "the old copy is deleted after the swap");
  }

  @Test
  void anEmptyTargetIsFilledWithoutForce() throws IOException {
    Path target = Files.createDirectories(dir.resolve("out"));
    try (AtomicDirectory out = AtomicDirectory.create(target, AtomicDirectory.Existing.REFUSE)) {
      Files.writeString(out.path().resolve("x"), "x");
      out.commit();
    }
    assertEquals("x", Files.readString(target.resolve("x")));
  }

  @Test
  void leftoversOfAKilledWriterAreTidiedByTheNextRun() throws IOException {
    Path target = dir.resolve("out");
    long deadPid = Long.MAX_VALUE - 1;
    // killed while writing: a partial folder; killed during the swap: the old output renamed away, no target
    Files.createDirectories(dir.resolve(".out.partial-" + deadPid));
    Files.writeString(dir.resolve(".out.partial-" + deadPid + "/model.safetensors"), "half");
    Path old = Files.createDirectories(dir.resolve(".out.old-" + deadPid));
    Files.writeString(old.resolve("config.json"), "previous");
    AtomicDirectory.recover(target);
    assertEquals(List.of("out"), listing());
    assertEquals("previous", Files.readString(target.resolve("config.json")), "the previous output is back");

    // killed after the swap, before the old copy was deleted: the new output stays, the old copy goes
    Files.createDirectories(dir.resolve(".out.old-" + deadPid));
    AtomicDirectory.recover(target);
    assertEquals(List.of("out"), listing());
    assertEquals("previous", Files.readString(target.resolve("config.json")));
  }

  @Test
  void aLiveWritersFoldersAreLeftAlone() throws IOException {
    Path target = dir.resolve("out");
    long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
    Path busy = Files.createDirectories(dir.resolve(".out.partial-" + parent));
    AtomicDirectory.recover(target);
    assertTrue(Files.isDirectory(busy));
  }
}
