package tips.drain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tips.drain.testing.TestData;

/** {@code drain index} and {@code drain search} as a user runs them. */
class IndexSearchCommandTest {
  @TempDir Path dir;

  @Test
  void indexThenSearchWithTheIndexModel() throws Exception {
    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(docs.resolve("a.md"), "Boil the pasta for ten minutes.\n\nThe cat sleeps on the sofa all day.\n");
    Files.writeString(docs.resolve("b.txt"), "Mars has two moons, Phobos and Deimos.\n");
    String model = TestData.model("all-MiniLM-L6-v2").toString();
    String index = dir.resolve("index").toString();
    CliTest.Result r = CliTest.run("index", "--model", model, "--index", index, "--threads", "1", "--chunk-tokens", "12",
        "--overlap", "0", docs.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("2 files indexed, 0 unchanged, 0 removed | 3 chunks embedded"), r.out());
    assertTrue(r.err().contains("embedding [") && r.err().contains("3 chunks"), r.err());

    CliTest.Result again = CliTest.run("index", "--model", model, "--index", index, "--threads", "1", "--chunk-tokens",
        "12", "--overlap", "0", docs.toString());
    assertTrue(again.out().startsWith("0 files indexed, 2 unchanged, 0 removed | 0 chunks embedded"), again.out());

    CliTest.Result table = CliTest.run("search", "--index", index, "-k", "2", "--threads", "1", "where does the kitten nap?");
    assertEquals(0, table.code(), table.err());
    String first = table.out().lines().skip(2).findFirst().orElseThrow();
    assertTrue(first.contains("a.md:3-3") && first.contains("The cat sleeps"), table.out());

    CliTest.Result json = CliTest.run("search", "--index", index, "-k", "1", "--json", "--threads", "1", "red planet moons");
    JsonNode hits = new ObjectMapper().readTree(json.out());
    assertEquals(1, hits.size());
    assertTrue(hits.get(0).get("path").asText().endsWith("b.txt"));
    assertEquals(1, hits.get(0).get("start_line").asInt());
  }

  @Test
  void searchingWhereThereIsNoIndexFailsClearly() {
    CliTest.Result r = CliTest.run("search", "--index", dir.resolve("none").toString(), "question");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("drain: " + dir.resolve("none") + ": no index here"), r.err());
  }
}
