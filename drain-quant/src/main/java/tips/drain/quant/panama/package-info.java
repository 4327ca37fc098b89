/**
 * Vector API kernels of the block formats ({@code jdk.incubator.vector}), loaded reflectively by
 * {@code tips.drain.quant.QuantKernelProvider}; nothing outside this package imports the incubator module.
 */
package tips.drain.quant.panama;
