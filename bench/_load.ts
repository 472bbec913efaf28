// Closed-loop load shared by the benchmarks: `clients` concurrent loops run an
// operation until the phase's time is up (or the operation returns false).

export async function runPhase(
  load: { clients: number; ms: number },
  latencies: number[] | undefined,
  op: (client: number, i: number) => Promise<boolean | undefined>,
): Promise<{ ops: number; seconds: number }> {
  const start = performance.now();
  const deadline = start + load.ms;
  let ops = 0;
  await Promise.all(
    Array.from({ length: load.clients }, async (_, c) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t = performance.now();
        if ((await op(c, i)) === false) break;
        latencies?.push(performance.now() - t);
        ops++;
      }
    }),
  );
  return { ops, seconds: (performance.now() - start) / 1000 };
}

/** The p-th percentile (0..1) of latencies in milliseconds, to 2 decimals. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0).toFixed(2));
}
