package tips.drain.server;

import tips.drain.DrainException;

/**
 * A request the server refuses, answered in OpenAI's error shape
 * {@code {"error": {"message", "type", "param", "code"}}} with an HTTP status.
 */
public final class ApiException extends DrainException {
  private final int status;
  private final String type;
  private final String param;
  private final String code;

  ApiException(int status, String type, String param, String code, String message) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** 400: a malformed body or field; {@code param} names the field (null when the body as a whole is wrong). */
  static ApiException badRequest(String param, String message) {
    return new ApiException(400, "invalid_request_error", param, null, message);
  }

  /** 400 with an OpenAI error code, e.g. {@code context_length_exceeded}. */
  static ApiException badRequest(String param, String code, String message) {
    return new ApiException(400, "invalid_request_error", param, code, message);
  }

  static ApiException unauthorized() {
    return new ApiException(401, "authentication_error", null, "invalid_api_key",
        "missing or invalid API key: send it as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'");
  }

  static ApiException notFound(String param, String code, String message) {
    return new ApiException(404, param == null ? "not_found_error" : "invalid_request_error", param, code, message);
  }

  static ApiException methodNotAllowed(String method, String path) {
    return new ApiException(405, "invalid_request_error", null, "method_not_allowed",
        method + " is not allowed on " + path);
  }

  static ApiException tooLarge(long limit) {
    return new ApiException(413, "invalid_request_error", null, "request_too_large",
        "request body is larger than the server's limit of " + limit + " bytes");
  }

  /** 503: loading, shutting down or a full queue; {@code code} says which. */
  static ApiException unavailable(String code, String message) {
    return new ApiException(503, "unavailable_error", null, code, message);
  }

  static ApiException internal(String message) {
    return new ApiException(500, "server_error", null, null, message);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  /** The request field at fault, or null. */
  public String param() {
    return param;
  }

  /** A machine-readable code, or null. */
  public String code() {
    return code;
  }
}
