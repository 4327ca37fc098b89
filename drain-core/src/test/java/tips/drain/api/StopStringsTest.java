package tips.drain.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {
  @Test
  void holdsBackAPossibleStopAndCutsBeforeIt() {
    StopStrings s = new StopStrings(List.of("\nUser:"));
    assertEquals("Hello", s.append("Hello"));
    assertEquals("", s.append("\nUs"), "could be the stop string: held back");
    assertEquals("", s.append("er:"));
    assertTrue(s.stopped());
    assertEquals("Hello", s.text());
  }

  @Test
  void releasesHeldTextWhenItIsNotAStop() {
    StopStrings s = new StopStrings(List.of("###"));
    assertEquals("a", s.append("a#"));
    assertEquals("#b", s.append("b"));
    assertFalse(s.stopped());
    assertEquals("", s.finish());
    assertEquals("a#b", s.text());
  }

  @Test
  void stopInsideOnePiece() {
    StopStrings s = new StopStrings(List.of("END"));
    assertEquals("ab", s.append("abENDcd"));
    assertTrue(s.stopped());
  }

  @Test
  void finishFlushesHeldText() {
    StopStrings s = new StopStrings(List.of("xyz"));
    assertEquals("", s.append("xy"));
    assertEquals("xy", s.finish());
  }

  @Test
  void noStopsPassesEverything() {
    StopStrings s = new StopStrings(List.of());
    assertEquals("abc", s.append("abc"));
  }
}
