package tips.drain.hub;

import java.net.URI;

/**
 * What {@code HEAD /REPO/resolve/REV/FILE} says of a file: the commit ({@code X-Repo-Commit}), the blob's ETag
 * ({@code X-Linked-Etag} for LFS, else {@code ETag}; quotes and {@code W/} removed), its size
 * ({@code X-Linked-Size} or {@code Content-Length}) and where to GET it (a redirect's target, often another host).
 */
record FileMetadata(String commit, String etag, long size, URI location) {}
