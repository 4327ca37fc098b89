package tips.drain.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns; numeric-looking columns are right-aligned. */
final class Table {
  private final String[] header;
  private final List<String[]> rows = new ArrayList<>();
  private final boolean[] rightAligned;

  Table(String... header) {
    this.header = header;
    this.rightAligned = new boolean[header.length];
  }

  Table right(int... columns) {
    for (int c : columns) {
      rightAligned[c] = true;
    }
    return this;
  }

  Table row(Object... cells) {
    String[] r = new String[header.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
    }
    rows.add(r);
    return this;
  }

  void print(PrintWriter out) {
    int[] width = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      width[i] = header[i].length();
      for (String[] r : rows) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    printRow(out, header, width);
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < width.length; i++) {
      rule.append(i == 0 ? "" : "  ").append("-".repeat(width[i]));
    }
    out.println(rule);
    for (String[] r : rows) {
      printRow(out, r, width);
    }
  }

  private void printRow(PrintWriter out, String[] cells, int[] width) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        line.append("  ");
      }
      String pad = " ".repeat(width[i] - cells[i].length());
      line.append(rightAligned[i] ? pad + cells[i] : cells[i] + (i == cells.length - 1 ? "" : pad));
    }
    out.println(line.toString().stripTrailing());
  }

  /** 1536 → "1.5 KiB". */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** 1234567 → "1,234,567". */
  static String count(long n) {
    return String.format(java.util.Locale.ROOT, "%,d", n);
  }
}
