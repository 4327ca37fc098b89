package tips.drain.hub;

import tips.drain.DrainException;

/** An error talking to the Hugging Face hub or writing its cache; {@link #reason()} tells which kind. */
public final class HubException extends DrainException {
  /** What went wrong, for callers that react differently (log in, retry later, free disk space). */
  public enum Reason {
    /** 401/403: a gated or private repository, or a refused token. */
    UNAUTHORIZED,
    /** 404: no such repository, revision or file. */
    NOT_FOUND,
    /** A downloaded file's SHA-256 (or git SHA-1) is not the one the hub announced. */
    CHECKSUM_MISMATCH,
    /** Not enough space left where the cache lives. */
    DISK_FULL,
    /** The hub could not be reached, or kept failing after retries. */
    NETWORK,
    /** The hub answered something this client cannot use (missing header, bad JSON, unsafe file name). */
    BAD_RESPONSE,
    /** The repository holds no file the request selects. */
    NO_MATCHING_FILES,
    /** The cache cannot be written or read. */
    CACHE
  }

  private final Reason reason;

  public HubException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public HubException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
