// Test helpers shared by the proxy's unit and integration tests: upstream's
// makeTestService / makeTestEndpointSlice, a fake iptables, and a restore-text
// normaliser (upstream's assertIPTablesRulesEqual compares the same way).
import type { Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import type { Iptables, Table } from "../iptables/iptables.ts";
import { LIST_RULES } from "../iptables/save-restore.ts";

export function makeTestService(ns: string, name: string, tweak: (svc: Service) => void): Service {
  const svc: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: ns, annotations: {} },
    spec: {},
    status: {},
  };
  tweak(svc);
  return svc;
}

export function makeTestEndpointSlice(
  ns: string,
  name: string,
  n: number,
  tweak: (eps: EndpointSlice) => void,
): EndpointSlice {
  const eps: EndpointSlice = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: `${name}-${n}`,
      namespace: ns,
      annotations: {},
      labels: { "kubernetes.io/service-name": name },
    },
    addressType: "IPv4",
    endpoints: [],
  };
  tweak(eps);
  return eps;
}

/** iptables in memory: enough of it (chains per table) for the proxier's save / restore round trip. */
export class FakeIptables implements Iptables {
  readonly chains: Record<Table, Set<string>> = { filter: new Set(), nat: new Set(), mangle: new Set() };
  readonly restores: string[] = [];
  readonly rules: Array<{ table: Table; chain: string; args: string[] }> = [];

  async ensureChain(table: Table, chain: string): Promise<boolean> {
    const had = this.chains[table].has(chain);
    this.chains[table].add(chain);
    return had;
  }
  async ensureRule(_p: "prepend" | "append", table: Table, chain: string, args: string[]): Promise<boolean> {
    const key = JSON.stringify({ table, chain, args });
    if (this.rules.some((r) => JSON.stringify(r) === key)) return true;
    this.rules.push({ table, chain, args });
    return false;
  }
  async deleteRule(table: Table, chain: string, args: string[]): Promise<void> {
    const key = JSON.stringify({ table, chain, args });
    const i = this.rules.findIndex((r) => JSON.stringify(r) === key);
    if (i >= 0) this.rules.splice(i, 1);
  }
  async chainExists(table: Table, chain: string): Promise<boolean> {
    return this.chains[table].has(chain);
  }
  async saveInto(table: Table): Promise<string> {
    return `*${table}\n${[...this.chains[table]].map((c) => `:${c} - [0:0]`).join("\n")}\nCOMMIT\n`;
  }
  async restoreAll(data: string): Promise<void> {
    this.restores.push(data);
    let table: Table = "filter";
    for (const line of data.split("\n")) {
      if (line.startsWith("*")) table = line.slice(1) as Table;
      else if (line.startsWith(":")) this.chains[table].add(line.slice(1).split(" ")[0]);
      else if (line.startsWith("-X ")) this.chains[table].delete(line.slice(3));
    }
  }
  hasRandomFully(): boolean {
    return false;
  }
}

/**
 * A restore input in a canonical form: per table, the sorted chain lines, each chain's
 * rules in order, and the sorted deletions. Order between chains carries no meaning; a listing
 * line (LIST_RULES) changes nothing and is left out.
 */
export function normalizeRestore(
  data: string,
): Record<string, { chains: string[]; rules: Record<string, string[]>; deletes: string[] }> {
  const out: Record<string, { chains: string[]; rules: Record<string, string[]>; deletes: string[] }> = {};
  let cur: (typeof out)[string] | undefined;
  for (const raw of data.split("\n")) {
    const line = raw.trim();
    if (!line || line === "COMMIT" || line === LIST_RULES) continue;
    if (line.startsWith("*")) {
      cur = { chains: [], rules: {}, deletes: [] };
      out[line.slice(1)] = cur;
    } else if (!cur) {
      throw new Error(`line outside a table: ${line}`);
    } else if (line.startsWith(":")) {
      cur.chains.push(line);
    } else if (line.startsWith("-X ")) {
      cur.deletes.push(line);
    } else if (line.startsWith("-A ")) {
      const chain = line.split(" ")[1];
      cur.rules[chain] = [...(cur.rules[chain] ?? []), line];
    } else {
      throw new Error(`unexpected line: ${line}`);
    }
  }
  for (const t of Object.values(out)) {
    t.chains.sort();
    t.deletes.sort();
  }
  return out;
}
