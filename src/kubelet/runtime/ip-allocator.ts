// Pod IPs for the fake runtime, handed out from the node's podCIDR the way the
// CNI host-local IPAM plugin does behind the bridge plugin: the range is
// network+1 … broadcast-1, the gateway (network+1, the bridge's address) is
// never given out, and the search starts after the last IP reserved, so a freed
// IP is reused only once the range has wrapped round (fewer stale endpoints).
// IPv4 only.

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The IPv4 address as an unsigned 32-bit number; undefined when s is not one. */
export function parseIPv4(s: string): number | undefined {
  const m = IPV4.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * The addresses of "a.b.c.d/n", or of one address without a length (as `ip
 * route` prints host routes), as [first, end); undefined when it is not IPv4.
 */
export function ipv4Block(cidr: string): [number, number] | undefined {
  const [ip, bits = "32"] = cidr.split("/");
  const addr = parseIPv4(ip);
  const n = Number(bits);
  if (addr === undefined || !Number.isInteger(n) || n < 0 || n > 32) return undefined;
  const size = 2 ** (32 - n);
  const first = addr - (addr % size);
  return [first, first + size];
}

export class Ipv4RangeAllocator {
  readonly cidr: string;
  /** host-local's RangeStart: network+1, the gateway. */
  private readonly rangeStart: number;
  /** host-local's RangeEnd: broadcast-1. */
  private readonly rangeEnd: number;
  private readonly gateway: number;
  private readonly allocated = new Set<number>();
  private lastReserved: number;

  /** Throws on a malformed, IPv6 or too small (/31, /32) CIDR. */
  constructor(cidr: string) {
    const slash = cidr.indexOf("/");
    const addr = slash < 0 ? undefined : parseIPv4(cidr.slice(0, slash));
    const bitsText = slash < 0 ? "" : cidr.slice(slash + 1);
    const bits = /^\d{1,2}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
    if (addr === undefined || !(bits >= 0 && bits <= 32)) {
      if (cidr.includes(":")) throw new Error(`IPv6 podCIDR ${JSON.stringify(cidr)} is not supported`);
      throw new Error(`invalid CIDR address: ${cidr}`);
    }
    // host-local: "Network %s too small to allocate from"
    if (bits > 30) throw new Error(`Network ${cidr} too small to allocate from`);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const network = (addr & mask) >>> 0;
    const broadcast = (network | ~mask) >>> 0;
    this.cidr = cidr;
    this.rangeStart = network + 1;
    this.rangeEnd = broadcast - 1;
    this.gateway = network + 1;
    this.lastReserved = this.rangeEnd;
  }

  /** How many IPs can be given out (the range less the gateway). */
  get capacity(): number {
    return this.rangeEnd - this.rangeStart;
  }

  get used(): number {
    return this.allocated.size;
  }

  /** The range as host-local prints it, e.g. "10.244.3.1-10.244.3.254". */
  get range(): string {
    return `${formatIPv4(this.rangeStart)}-${formatIPv4(this.rangeEnd)}`;
  }

  /** The next free IP after the last one reserved; undefined when the range is full. */
  allocate(): string | undefined {
    const size = this.rangeEnd - this.rangeStart + 1;
    for (let i = 1; i <= size; i++) {
      const ip = this.rangeStart + ((this.lastReserved - this.rangeStart + i) % size);
      if (ip === this.gateway || this.allocated.has(ip)) continue;
      this.allocated.add(ip);
      this.lastReserved = ip;
      return formatIPv4(ip);
    }
    return undefined;
  }

  /** Marks ip as taken (an IP kept by a sandbox across a podCIDR change); false when outside the range. */
  reserve(ip: string): boolean {
    const n = this.inRange(ip);
    if (n === undefined) return false;
    this.allocated.add(n);
    return true;
  }

  /** Frees ip; false when it was not allocated here. */
  release(ip: string): boolean {
    const n = this.inRange(ip);
    return n !== undefined && this.allocated.delete(n);
  }

  private inRange(ip: string): number | undefined {
    const n = parseIPv4(ip);
    if (n === undefined || n < this.rangeStart || n > this.rangeEnd || n === this.gateway) return undefined;
    return n;
  }
}
