// The userspace proxier's iptables rules (pkg/proxy/userspace/proxier.go):
// "portals" send a service's clusterIP:port (and external IPs, load-balancer
// IPs, NodePorts) to the local port of its proxy socket. Traffic arriving from
// containers (nat PREROUTING) is REDIRECTed when the proxy listens on 0.0.0.0;
// traffic from the host itself (nat OUTPUT) is DNATed to the host IP, because
// REDIRECT of local packets answers from the wrong address (upstream's notes).
import type { Iptables, Table } from "../iptables/iptables.ts";

export const KUBE_PORTALS_CONTAINER = "KUBE-PORTALS-CONTAINER";
export const KUBE_PORTALS_HOST = "KUBE-PORTALS-HOST";
export const KUBE_NODEPORT_CONTAINER = "KUBE-NODEPORT-CONTAINER";
export const KUBE_NODEPORT_HOST = "KUBE-NODEPORT-HOST";
export const KUBE_NODEPORT_NON_LOCAL = "KUBE-NODEPORT-NON-LOCAL";

const PORTALS_COMMENT = [
  "-m",
  "comment",
  "--comment",
  "handle ClusterIPs; NOTE: this must be before the NodePort rules",
];
const NODEPORTS_MATCH = [
  "-m",
  "addrtype",
  "--dst-type",
  "LOCAL",
  "-m",
  "comment",
  "--comment",
  "handle service NodePorts; NOTE: this must be the last rule in the chain",
];
const NON_LOCAL_COMMENT = ["-m", "comment", "--comment", "Ensure that non-local NodePort traffic can flow"];

interface Jump {
  table: Table;
  chain: string;
  position: "prepend" | "append";
  from: string;
  args: string[];
}

/** The jumps from the built-in chains, in iptablesInit's order (portals before NodePorts). */
const JUMPS: Jump[] = [
  {
    table: "nat",
    chain: KUBE_PORTALS_CONTAINER,
    position: "prepend",
    from: "PREROUTING",
    args: PORTALS_COMMENT,
  },
  { table: "nat", chain: KUBE_PORTALS_HOST, position: "prepend", from: "OUTPUT", args: PORTALS_COMMENT },
  {
    table: "nat",
    chain: KUBE_NODEPORT_CONTAINER,
    position: "append",
    from: "PREROUTING",
    args: NODEPORTS_MATCH,
  },
  { table: "nat", chain: KUBE_NODEPORT_HOST, position: "append", from: "OUTPUT", args: NODEPORTS_MATCH },
  {
    table: "filter",
    chain: KUBE_NODEPORT_NON_LOCAL,
    position: "prepend",
    from: "INPUT",
    args: NON_LOCAL_COMMENT,
  },
];

/** iptablesInit: our chains and the jumps to them; safe to call on every sync. */
export async function iptablesInit(ipt: Iptables): Promise<void> {
  for (const j of JUMPS) {
    await ipt.ensureChain(j.table, j.chain);
    await ipt.ensureRule(j.position, j.table, j.from, [...j.args, "-j", j.chain]);
  }
}

/** iptablesFlush: the rules point at ports of a previous run, so they go at start. */
export async function iptablesFlush(ipt: Iptables): Promise<void> {
  // A chain named in iptables-restore input is flushed, even with --noflush.
  await ipt.restoreAll(
    `*nat\n:${KUBE_PORTALS_CONTAINER} - [0:0]\n:${KUBE_PORTALS_HOST} - [0:0]\n` +
      `:${KUBE_NODEPORT_CONTAINER} - [0:0]\n:${KUBE_NODEPORT_HOST} - [0:0]\nCOMMIT\n` +
      `*filter\n:${KUBE_NODEPORT_NON_LOCAL} - [0:0]\nCOMMIT\n`,
  );
}

/**
 * CleanupLeftovers for the userspace chains: the jumps, then the chains (flushed and deleted).
 * Returns true if something could not be removed.
 */
export async function cleanupLeftovers(ipt: Iptables): Promise<boolean> {
  let failed = false;
  for (const j of JUMPS) {
    try {
      // A jump to a missing chain cannot exist, and `iptables -C` would fail on the unknown target.
      if (!(await ipt.chainExists(j.table, j.chain))) continue;
      await ipt.deleteRule(j.table, j.from, [...j.args, "-j", j.chain]);
    } catch {
      failed = true;
    }
  }
  for (const table of ["nat", "filter"] as const) {
    const chains = JUMPS.filter((j) => j.table === table).map((j) => j.chain);
    const present: string[] = [];
    for (const c of chains) if (await ipt.chainExists(table, c).catch(() => false)) present.push(c);
    if (present.length === 0) continue;
    try {
      await ipt.restoreAll(
        `*${table}\n${present.map((c) => `:${c} - [0:0]\n`).join("")}${present.map((c) => `-X ${c}\n`).join("")}COMMIT\n`,
      );
    } catch {
      failed = true;
    }
  }
  return failed;
}

/** iptablesCommonPortalArgs; the order is iptables-save's, which `-C` on old iptables relied on. */
export function commonPortalArgs(
  destIP: string | undefined,
  addPhysicalInterfaceMatch: boolean,
  addDstLocalMatch: boolean,
  destPort: number,
  protocol: string,
  service: string,
): string[] {
  const p = protocol.toLowerCase();
  const args = ["-m", "comment", "--comment", service, "-p", p, "-m", p, "--dport", String(destPort)];
  if (destIP !== undefined) args.push("-d", `${destIP}/32`);
  if (addPhysicalInterfaceMatch) args.push("-m", "physdev", "!", "--physdev-is-in");
  if (addDstLocalMatch) args.push("-m", "addrtype", "--dst-type", "LOCAL");
  return args;
}

export interface PortalTarget {
  /** Where the proxy sockets listen ("0.0.0.0": everywhere). */
  listenIP: string;
  /** The address host traffic is DNATed to when listenIP is 0.0.0.0 (the node IP). */
  hostIP: string;
}

/** iptablesContainerPortalArgs: REDIRECT when listening everywhere, else DNAT to the listen IP. */
export function containerPortalArgs(
  t: PortalTarget,
  destIP: string | undefined,
  addPhysicalInterfaceMatch: boolean,
  addDstLocalMatch: boolean,
  destPort: number,
  protocol: string,
  proxyPort: number,
  service: string,
): string[] {
  const args = commonPortalArgs(
    destIP,
    addPhysicalInterfaceMatch,
    addDstLocalMatch,
    destPort,
    protocol,
    service,
  );
  if (t.listenIP === "0.0.0.0") args.push("-j", "REDIRECT", "--to-ports", String(proxyPort));
  else args.push("-j", "DNAT", "--to-destination", `${t.listenIP}:${proxyPort}`);
  return args;
}

/** iptablesHostPortalArgs: always DNAT, to the host IP when listening everywhere. */
export function hostPortalArgs(
  t: PortalTarget,
  destIP: string | undefined,
  addDstLocalMatch: boolean,
  destPort: number,
  protocol: string,
  proxyPort: number,
  service: string,
): string[] {
  const args = commonPortalArgs(destIP, false, addDstLocalMatch, destPort, protocol, service);
  const ip = t.listenIP === "0.0.0.0" ? t.hostIP : t.listenIP;
  args.push("-j", "DNAT", "--to-destination", `${ip}:${proxyPort}`);
  return args;
}

/** iptablesHostNodePortArgs */
export function hostNodePortArgs(
  t: PortalTarget,
  nodePort: number,
  protocol: string,
  proxyPort: number,
  service: string,
): string[] {
  return hostPortalArgs(t, undefined, false, nodePort, protocol, proxyPort, service);
}

/** iptablesNonLocalNodePortArgs: accept new connections to the proxy port itself. */
export function nonLocalNodePortArgs(proxyPort: number, protocol: string, service: string): string[] {
  return [
    ...commonPortalArgs(undefined, false, false, proxyPort, protocol, service),
    "-m",
    "state",
    "--state",
    "NEW",
    "-j",
    "ACCEPT",
  ];
}
