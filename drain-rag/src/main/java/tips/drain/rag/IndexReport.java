package tips.drain.rag;

/**
 * What one {@link DocumentIndexer#update} did.
 *
 * @param filesIndexed new or changed files, (re)chunked and embedded
 * @param filesUnchanged files whose content hash is already in the index
 * @param filesRemoved files that were indexed under a given directory and are gone
 * @param chunksAdded chunks embedded and stored
 * @param chunksTotal chunks in the index after the update
 */
public record IndexReport(int filesIndexed, int filesUnchanged, int filesRemoved, int chunksAdded, int chunksTotal) {}
