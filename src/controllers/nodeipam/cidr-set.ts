// upstream's cidrset.CidrSet (pkg/controller/nodeipam/ipam/cidrset): the
// cluster CIDR cut into node-sized blocks, with a bitmap of the blocks in use.
// Allocation goes round from the block after the last one handed out, so a
// block just released is not given again until the others have been.
// Addresses are bigints so that IPv4 and IPv6 share one arithmetic.
import { formatIP } from "../../machinery/ip.ts";
import { parseCIDRSloppy } from "../../machinery/validation.ts";

export { formatIP };

/** A network: its (masked) address, prefix length and family width. */
export interface IPNet {
  ip: bigint;
  prefix: number;
  bits: 32 | 128;
}

/** upstream's ErrCIDRRangeNoCIDRsRemaining. */
export const CIDR_RANGE_NO_CIDRS_REMAINING =
  "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range";
/** upstream's ErrCIDRSetSubNetTooBig. */
export const CIDR_SET_SUBNET_TOO_BIG = "New CIDR set failed; the node CIDR size is too big";

/** The subnet mask may be at most this much longer than the cluster's (the bitmap's size), for IPv6. */
const CLUSTER_SUBNET_MAX_DIFF = 16;

function maskOf(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return prefix === 0 ? 0n : (all << BigInt(bits - prefix)) & all;
}

/** netutils.ParseCIDRSloppy: the network (address masked) of "a.b.c.d/n" or an IPv6 CIDR; throws Go's ParseError. */
export function parseCIDR(s: string): IPNet {
  const parsed = parseCIDRSloppy(s);
  if (!parsed) throw new Error(`invalid CIDR address: ${s}`);
  const bytes = parsed.ipv4 ? parsed.ip.slice(12) : parsed.ip;
  let ip = 0n;
  for (const b of bytes) ip = (ip << 8n) | BigInt(b);
  const bits = parsed.ipv4 ? 32 : 128;
  return { ip: ip & maskOf(parsed.prefix, bits), prefix: parsed.prefix, bits };
}

/** IPNet.String(). */
export function formatCIDR(n: IPNet): string {
  return `${formatIP(n.ip, n.bits)}/${n.prefix}`;
}

function contains(net: IPNet, ip: bigint): boolean {
  return (ip & maskOf(net.prefix, net.bits)) === net.ip;
}

export class CidrSet {
  readonly clusterCIDR: IPNet;
  readonly nodeMaskSize: number;
  /** How many node blocks the cluster CIDR holds. */
  readonly maxCIDRs: number;
  private allocatedCIDRs = 0;
  private nextCandidate = 0;
  private readonly used: Uint8Array;

  constructor(clusterCIDR: IPNet, subNetMaskSize: number) {
    if (clusterCIDR.bits === 128 && subNetMaskSize - clusterCIDR.prefix > CLUSTER_SUBNET_MAX_DIFF) {
      throw new Error(CIDR_SET_SUBNET_TOO_BIG);
    }
    if (subNetMaskSize < clusterCIDR.prefix || subNetMaskSize > clusterCIDR.bits) {
      throw new Error(
        `invalid node CIDR mask size ${subNetMaskSize} for cluster CIDR ${formatCIDR(clusterCIDR)}`,
      );
    }
    this.clusterCIDR = clusterCIDR;
    this.nodeMaskSize = subNetMaskSize;
    this.maxCIDRs = 2 ** (subNetMaskSize - clusterCIDR.prefix);
    this.used = new Uint8Array(Math.ceil(this.maxCIDRs / 8));
  }

  /** Blocks in use. */
  get allocated(): number {
    return this.allocatedCIDRs;
  }

  private bit(i: number): boolean {
    return (this.used[i >> 3] & (1 << (i & 7))) !== 0;
  }

  private setBit(i: number, on: boolean): void {
    if (on) this.used[i >> 3] |= 1 << (i & 7);
    else this.used[i >> 3] &= ~(1 << (i & 7));
  }

  private indexToCIDRBlock(index: number): IPNet {
    const shift = BigInt(this.clusterCIDR.bits - this.nodeMaskSize);
    return {
      ip: this.clusterCIDR.ip | (BigInt(index) << shift),
      prefix: this.nodeMaskSize,
      bits: this.clusterCIDR.bits,
    };
  }

  /** AllocateNext: the next free block, marked used; throws CIDR_RANGE_NO_CIDRS_REMAINING when none is left. */
  allocateNext(): IPNet {
    if (this.allocatedCIDRs === this.maxCIDRs) throw new Error(CIDR_RANGE_NO_CIDRS_REMAINING);
    let candidate = this.nextCandidate;
    for (let i = 0; i < this.maxCIDRs; i++) {
      if (!this.bit(candidate)) break;
      candidate = (candidate + 1) % this.maxCIDRs;
    }
    this.nextCandidate = (candidate + 1) % this.maxCIDRs;
    this.setBit(candidate, true);
    this.allocatedCIDRs++;
    return this.indexToCIDRBlock(candidate);
  }

  private indexForIP(ip: bigint): number {
    const index = (this.clusterCIDR.ip ^ ip) >> BigInt(this.clusterCIDR.bits - this.nodeMaskSize);
    if (index >= BigInt(this.maxCIDRs)) {
      throw new Error(
        `CIDR: ${formatIP(ip, this.clusterCIDR.bits)}/${this.nodeMaskSize} is out of the range of CIDR allocator`,
      );
    }
    return Number(index);
  }

  /** The first and last block a CIDR covers (all of them for a CIDR that contains the cluster's). */
  private beginningAndEndIndices(cidr: IPNet): [number, number] {
    const cluster = this.clusterCIDR;
    const sameFamily = cidr.bits === cluster.bits;
    if (!sameFamily || (!contains(cluster, cidr.ip) && !contains(cidr, cluster.ip))) {
      throw new Error(`cidr ${formatCIDR(cidr)} is out the range of cluster cidr ${formatCIDR(cluster)}`);
    }
    if (cluster.prefix >= cidr.prefix) return [0, this.maxCIDRs - 1];
    const nodeMask = maskOf(this.nodeMaskSize, cluster.bits);
    const last = cidr.ip | hostBits(cidr);
    return [this.indexForIP(cidr.ip & nodeMask), this.indexForIP(last & nodeMask)];
  }

  /** Occupy: marks the blocks of cidr used (they may be already). */
  occupy(cidr: IPNet): void {
    const [begin, end] = this.beginningAndEndIndices(cidr);
    for (let i = begin; i <= end; i++) {
      if (this.bit(i)) continue;
      this.setBit(i, true);
      this.allocatedCIDRs++;
    }
  }

  /** Release: marks the blocks of cidr free. */
  release(cidr: IPNet): void {
    const [begin, end] = this.beginningAndEndIndices(cidr);
    for (let i = begin; i <= end; i++) {
      if (!this.bit(i)) continue;
      this.setBit(i, false);
      this.allocatedCIDRs--;
    }
  }

  /** Whether the block at cidr's address is in use. */
  isOccupied(cidr: IPNet): boolean {
    const [begin] = this.beginningAndEndIndices(cidr);
    return this.bit(begin);
  }
}

/** The host part of a network set to ones: its last address less the network address. */
function hostBits(n: IPNet): bigint {
  return ((1n << BigInt(n.bits)) - 1n) ^ maskOf(n.prefix, n.bits);
}
