/**
 * PEFT LoRA adapters on a base model: {@link tips.drain.lora.LoraAdapter#load} reads {@code adapter_config.json}
 * and {@code adapter_model.safetensors}; {@link tips.drain.lora.Adapters#load} applies an adapter while the
 * architecture loads its weights, merged into them ({@link tips.drain.lora.LoraMode#MERGED}, before any
 * quantization) or at run time ({@link tips.drain.lora.LoraMatrix}, base weights untouched);
 * {@link tips.drain.lora.Adapters#runtimeView} puts an adapter over the weights a loaded model already runs, so
 * that sessions choose their adapter ({@code LanguageModel.loadAdapter}, {@code SessionOptions.withAdapter});
 * {@link tips.drain.lora.LoraMerge#write} writes a merged model in Hugging Face layout. An adapter that does not
 * fit its base (unknown module, wrong shape or rank, DoRA, another PEFT type) is refused, naming the tensor.
 */
package tips.drain.lora;
