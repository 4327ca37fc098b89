package tips.drain.cli;

/** Entry point of the {@code drain} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("drain");
  }
}
