// The iptables-save / iptables-restore text format helpers of
// pkg/util/iptables/save_restore.go and pkg/proxy/util/linebuffer.go.

/** ":CHAIN - [0:0]": declares (and, with --noflush, flushes) a chain in a restore. */
export function makeChainLine(chain: string): string {
  return `:${chain} - [0:0]`;
}

/** The chains an iptables-save of one table declares (its ":CHAIN POLICY [p:b]" lines). */
export function getChainsFromTable(save: string): Set<string> {
  const chains = new Set<string>();
  for (const line of save.split("\n")) {
    if (line.startsWith(":")) {
      const end = line.indexOf(" ");
      chains.add(line.slice(1, end === -1 ? undefined : end));
    }
  }
  return chains;
}

/** A restore line that lists the table, changing nothing (its output is ignored): see the proxier's writeRules. */
export const LIST_RULES = "-S";

/** One argument per word, as upstream's LineBuffer.Write joins them: arrays are spliced in. */
export type Words = Array<string | readonly string[]>;

/** Lines of restore input; the proxier counts them for its rule metrics. */
export class LineBuffer {
  private lines: string[] = [];
  /** A buffer that only counts (upstream's DiscardLineBuffer), for chains a partial sync skips. */
  constructor(private readonly discard = false) {}
  private count = 0;

  write(...words: Words): void {
    this.count++;
    if (this.discard) return;
    const parts: string[] = [];
    for (const w of words) {
      if (typeof w === "string") parts.push(w);
      else parts.push(...w);
    }
    this.lines.push(parts.join(" "));
  }

  /** A line already joined (one replayed from an earlier sync). */
  writeLine(line: string): void {
    this.count++;
    if (!this.discard) this.lines.push(line);
  }

  /** Drops the lines for which drop() is true; the count then counts the lines that remain. */
  remove(drop: (line: string) => boolean): void {
    this.lines = this.lines.filter((l) => !drop(l));
    this.count = this.lines.length;
  }

  /** The lines, for callers that compare a sync's output with the last one's. */
  get all(): readonly string[] {
    return this.lines;
  }

  /** The lines written after the first n. */
  linesSince(n: number): string[] {
    return this.lines.slice(n);
  }

  reset(): void {
    this.lines = [];
    this.count = 0;
  }

  get length(): number {
    return this.count;
  }

  text(): string {
    return this.lines.length ? `${this.lines.join("\n")}\n` : "";
  }

  /**
   * The lines in descending order. For chain declarations: iptables-nft (1.8.7+) keeps its chain
   * cache in a list sorted by name and inserts by scanning from the head, so chains declared in
   * descending order cost one comparison each instead of a scan (quadratic with 60,000 chains).
   */
  textDescending(): string {
    if (!this.lines.length) return "";
    const sorted = [...this.lines].sort();
    sorted.reverse();
    return `${sorted.join("\n")}\n`;
  }
}
