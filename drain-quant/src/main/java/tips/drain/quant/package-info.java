/** Int8 and int4 block quantization: formats, kernels and quantized model files. */
package tips.drain.quant;
