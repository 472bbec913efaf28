// The CNI network of k8ts's own containerd (CONTAINERD.md): pods hang off the
// bridge k8ts0, get addresses from host-local over the node's podCIDR, and
// reach the node (and only what the node routes) through the bridge as their
// default gateway. No ipMasq: pod traffic is never NATed out of the machine.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const CNI_NETWORK_NAME = "k8ts";
export const CNI_BRIDGE = "k8ts0";
/** The conflist's file name; containerd loads the first conflist of its conf_dir in lexical order. */
export const CNI_CONFLIST_FILE = "10-k8ts.conflist";
// The plugins of Debian 12's containernetworking-plugins 1.1.1 accept 0.1.0 to 1.0.0.
export const CNI_VERSION = "0.4.0";

/** The CNI conf dir that k8ts's containerd reads. */
export function cniConfDir(dataDir: string): string {
  return join(dataDir, "cni", "net.d");
}

export function cniConfList(dataDir: string, podCIDR: string): object {
  return {
    cniVersion: CNI_VERSION,
    name: CNI_NETWORK_NAME,
    plugins: [
      {
        type: "bridge",
        bridge: CNI_BRIDGE,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: "host-local",
          ranges: [[{ subnet: podCIDR }]],
          routes: [{ dst: "0.0.0.0/0" }],
          // Leases under the data dir rather than /var/lib/cni/networks, so a data dir owns its IPs.
          dataDir: join(dataDir, "cni", "networks"),
        },
      },
      { type: "portmap", capabilities: { portMappings: true } },
      { type: "loopback" },
    ],
  };
}

/** Writes the conflist for podCIDR into <dataDir>/cni/net.d; returns its path. */
export function writeCniConfig(dataDir: string, podCIDR: string): string {
  const dir = cniConfDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, CNI_CONFLIST_FILE);
  // Write then rename, so containerd's conf watcher never reads half a file.
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(cniConfList(dataDir, podCIDR), null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}
