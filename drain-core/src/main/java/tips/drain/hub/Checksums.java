package tips.drain.hub;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The check a blob's ETag allows: a 64-digit ETag is the SHA-256 of an LFS file, a 40-digit one the git object
 * id of a file stored in git ({@code SHA-1("blob " + size + "\0" + bytes)}). Other ETags (some mirrors) are
 * checked by size only.
 */
final class Checksums {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern GIT_SHA1 = Pattern.compile("[0-9a-f]{40}");

  private Checksums() {}

  /** What the file's digest must be, and with which algorithm; null when the ETag names neither. */
  record Expected(String algorithm, String hex) {
    static Expected of(String etag) {
      if (SHA256.matcher(etag).matches()) {
        return new Expected("SHA-256", etag);
      }
      if (GIT_SHA1.matcher(etag).matches()) {
        return new Expected("git SHA-1", etag);
      }
      return null;
    }
  }

  /** The digest of {@code file} in {@code algorithm}'s sense, as lowercase hex. */
  static String digest(Path file, String algorithm) throws IOException {
    try (FileChannel ch = FileChannel.open(file)) {
      MessageDigest md = MessageDigest.getInstance(algorithm.equals("SHA-256") ? "SHA-256" : "SHA-1");
      if (!algorithm.equals("SHA-256")) {
        md.update(("blob " + ch.size() + "\0").getBytes(StandardCharsets.US_ASCII));
      }
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      while (ch.read(buf) >= 0) {
        buf.flip();
        md.update(buf);
        buf.clear();
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + algorithm, e);
    }
  }
}
