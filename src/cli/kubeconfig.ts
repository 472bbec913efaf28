// Writes kubeconfig files with client certificates from the cluster CA.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";
import type { CertificateAuthority } from "../apiserver/index.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

export async function writeKubeconfig(opts: {
  path: string;
  server: string;
  ca: CertificateAuthority;
  user: string;
  groups: string[];
  clusterName?: string;
}): Promise<void> {
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
