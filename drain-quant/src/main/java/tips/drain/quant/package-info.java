/**
 * Int8 and int4 block quantization: the format table ({@link tips.drain.quant.QuantFormat}, Q8_0 and Q4_0
 * in ggml's layouts), matrices over stored blocks ({@link tips.drain.quant.BlockMatrix}, served to core as
 * {@code MatrixFormat} services), and their integer kernels ({@link tips.drain.quant.QuantKernels}: the
 * scalar reference here, the Vector API ones in {@code tips.drain.quant.panama}).
 */
package tips.drain.quant;
