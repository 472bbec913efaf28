// CPU-time measurement for the micro-benchmarks (managed-fields, validation):
// each call gets its own fresh JSON.parse copy of the input, as a decoded
// request body is, and the figure is the best of several rounds in µs of this
// process's CPU time per call (CPU rather than wall time, so that other work on
// the machine disturbs it less).

const CALLS = Number(process.env.BENCH_CALLS ?? 300);

/** CALLS independent copies of obj. */
export function copies<T>(obj: T): T[] {
  const text = JSON.stringify(obj);
  return Array.from({ length: CALLS }, () => JSON.parse(text) as T);
}

/** Best of `rounds` rounds of one call per input, µs per call. */
export function bestOf<T>(rounds: number, make: () => T[], call: (input: T) => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const inputs = make();
    const start = process.cpuUsage();
    for (const input of inputs) call(input);
    const used = process.cpuUsage(start);
    const us = (used.user + used.system) / inputs.length;
    if (us < best) best = us;
  }
  return Math.round(best * 10) / 10;
}
