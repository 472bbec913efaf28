// pkg/proxy/conntrack/fake.go (v1.28): records what was cleared, for tests.
import type { Conntrack } from "./conntrack.ts";

export class FakeConntrack implements Conntrack {
  clearedIPs = new Set<string>();
  clearedPorts = new Set<number>();
  /** origin -> dest */
  clearedNATs = new Map<string, string>();
  /** port -> dest */
  clearedPortNATs = new Map<number, string>();

  reset(): void {
    this.clearedIPs = new Set();
    this.clearedPorts = new Set();
    this.clearedNATs = new Map();
    this.clearedPortNATs = new Map();
  }

  async clearEntriesForIP(ip: string, protocol: string): Promise<void> {
    if (protocol !== "UDP") throw new Error("FakeConntrack currently only supports UDP");
    this.clearedIPs.add(ip);
  }

  async clearEntriesForPort(port: number, _isIPv6: boolean, protocol: string): Promise<void> {
    if (protocol !== "UDP") throw new Error("FakeConntrack currently only supports UDP");
    this.clearedPorts.add(port);
  }

  async clearEntriesForNAT(origin: string, dest: string, protocol: string): Promise<void> {
    if (protocol !== "UDP") throw new Error("FakeConntrack currently only supports UDP");
    const previous = this.clearedNATs.get(origin);
    if (previous !== undefined && previous !== dest)
      throw new Error(
        `ClearEntriesForNAT called with same origin (${origin}), different destination (${previous} / ${dest})`,
      );
    this.clearedNATs.set(origin, dest);
  }

  async clearEntriesForPortNAT(dest: string, port: number, protocol: string): Promise<void> {
    if (protocol !== "UDP") throw new Error("FakeConntrack currently only supports UDP");
    const previous = this.clearedPortNATs.get(port);
    if (previous !== undefined && previous !== dest)
      throw new Error(
        `ClearEntriesForPortNAT called with same port (${port}), different destination (${previous} / ${dest})`,
      );
    this.clearedPortNATs.set(port, dest);
  }
}
