/**
 * Hugging Face {@code tokenizer.json} tokenizers, id for id: {@link tips.drain.tokenizer.Tokenizer#load} reads
 * the pipeline (normalizer → pre-tokenizer → BPE model → post-processor, and the decoder chain) and
 * {@link tips.drain.tokenizer.TokenizerConfig} the special tokens and chat templates of
 * {@code tokenizer_config.json}. Components DRAIN does not implement (WordPiece and Unigram models, BERT
 * normalizers, precompiled charsmaps...) are refused at load, naming the component and the file.
 */
package tips.drain.tokenizer;
