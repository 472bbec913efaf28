// Writes kubeconfig files with client certificates from the cluster CA.
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse, stringify } from "yaml";
import type { CertificateAuthority } from "../apiserver/index.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const DAY = 24 * 60 * 60 * 1000;

export interface KubeconfigOptions {
  path: string;
  server: string;
  ca: CertificateAuthority;
  user: string;
  groups: string[];
  clusterName?: string;
}

/** True when the file at `path` already points at this server and CA with a certificate good for a while. */
function stillValid(opts: KubeconfigOptions): boolean {
  if (!existsSync(opts.path)) return false;
  try {
    const kc = parse(readFileSync(opts.path, "utf8"));
    const cluster = kc.clusters?.[0]?.cluster;
    const user = kc.users?.[0]?.user;
    if (cluster?.server !== opts.server || cluster?.["certificate-authority-data"] !== b64(opts.ca.certPem))
      return false;
    const cert = new X509Certificate(Buffer.from(user?.["client-certificate-data"] ?? "", "base64"));
    return new Date(cert.validTo).getTime() - Date.now() > 30 * DAY;
  } catch {
    return false;
  }
}

/** Writes the kubeconfig unless a valid one for this cluster is already there (restarts keep it). */
export async function writeKubeconfig(opts: KubeconfigOptions): Promise<void> {
  if (stillValid(opts)) return;
  const cred = await opts.ca.issueClient(opts.user, opts.groups);
  const cluster = opts.clusterName ?? "k8ts";
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      { name: cluster, cluster: { server: opts.server, "certificate-authority-data": b64(opts.ca.certPem) } },
    ],
    users: [
      {
        name: opts.user,
        user: { "client-certificate-data": b64(cred.cert), "client-key-data": b64(cred.key) },
      },
    ],
    contexts: [{ name: cluster, context: { cluster, user: opts.user } }],
    "current-context": cluster,
    preferences: {},
  };
  mkdirSync(dirname(opts.path), { recursive: true });
  writeFileSync(opts.path, stringify(config), { mode: 0o600 });
}
