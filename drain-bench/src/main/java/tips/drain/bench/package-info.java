/** JMH benchmarks of the kernels and end-to-end speed. */
package tips.drain.bench;
