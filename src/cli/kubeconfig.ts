// Writes kubeconfig files with client certificates from the cluster CA.
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";
import type { CertificateAuthority } from "../apiserver/index.ts";
import { type ClientConfig, loadKubeconfigFile } from "../client/kubeconfig.ts";

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

/** The file at `path`, when it already points at this server and CA with a certificate good for a while. */
function stillValid(opts: KubeconfigOptions): ClientConfig | undefined {
  if (!existsSync(opts.path)) return undefined;
  try {
    const config = loadKubeconfigFile(opts.path);
    if (config.server !== opts.server || config.ca !== opts.ca.certPem || !config.cert) return undefined;
    const cert = new X509Certificate(config.cert);
    return new Date(cert.validTo).getTime() - Date.now() > 30 * DAY ? config : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the kubeconfig unless a valid one for this cluster is already there (restarts keep it); returns
 * what it holds, so that the caller need not read it back.
 */
export async function writeKubeconfig(opts: KubeconfigOptions): Promise<ClientConfig> {
  const valid = stillValid(opts);
  if (valid) return valid;
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
  // As loadKubeconfigFile would read it back.
  return {
    server: opts.server,
    ca: opts.ca.certPem,
    cert: cred.cert,
    key: cred.key,
    insecureSkipTlsVerify: false,
    namespace: "default",
  };
}
