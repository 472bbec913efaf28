// usageNanoCores from two samples of the cumulative CPU time, as the CRI
// stats provider's getAndUpdateContainerUsageNanoCores: the first sample of a
// container gives none; later ones give the average rate since the previous.

export class CpuUsageCache {
  private readonly samples = new Map<string, { usageNs: number; atNs: number }>();

  /** Records a sample (cumulative usage and its time, both ns) and returns the rate, in nanocores. */
  update(key: string, usageNs: number, atNs: number): number | undefined {
    const prev = this.samples.get(key);
    if (prev && atNs <= prev.atNs) return undefined; // not newer: keep the older sample
    this.samples.set(key, { usageNs, atNs });
    // A restarted cgroup counts from zero again: start over.
    if (!prev || usageNs < prev.usageNs) return undefined;
    return Math.round(((usageNs - prev.usageNs) / (atNs - prev.atNs)) * 1e9);
  }

  /** Drops the samples of keys not seen in the latest listing. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.samples.keys()) if (!keys.has(k)) this.samples.delete(k);
  }
}
