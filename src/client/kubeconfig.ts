// Where a client finds the cluster and its credentials: a kubeconfig file
// (client-go's clientcmd, current-context or a named one) or, inside a pod, the
// service account (rest.InClusterConfig).
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";

export interface ClientConfig {
  /** https://host:port */
  server: string;
  /** PEM of the CA that signs the server's certificate. */
  ca?: string;
  /** PEM client certificate and key. */
  cert?: string;
  key?: string;
  token?: string;
  /** Re-read from time to time, as projected service-account tokens rotate. */
  tokenFile?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /** The namespace of the context (or the service account's), default "default". */
  namespace: string;
}

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

interface NamedEntry<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

type Fields = Record<string, unknown>;

function find(list: unknown, name: string, field: "cluster" | "user" | "context"): Fields {
  const entry = (Array.isArray(list) ? (list as NamedEntry<Fields>[]) : []).find((e) => e?.name === name);
  if (!entry) throw new Error(`${field} "${name}" not found in kubeconfig`);
  return entry[field] ?? {};
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Parses kubeconfig text; relative file paths resolve against baseDir, as clientcmd does. */
export function parseKubeconfig(
  text: string,
  baseDir: string,
  opts: { context?: string } = {},
): ClientConfig {
  const kc = (parse(text) ?? {}) as Fields;
  const contextName = opts.context ?? str(kc["current-context"]);
  if (!contextName) throw new Error("kubeconfig has no current-context");
  const ctx = find(kc.contexts, contextName, "context");
  const cluster = find(kc.clusters, String(ctx.cluster ?? ""), "cluster");
  const user = str(ctx.user) ? find(kc.users, String(ctx.user), "user") : {};
  const file = (p: unknown) =>
    readFileSync(isAbsolute(String(p)) ? String(p) : join(baseDir, String(p)), "utf8");
  const pem = (data: unknown, path: unknown) =>
    str(data) ? Buffer.from(String(data), "base64").toString("utf8") : str(path) ? file(path) : undefined;
  const server = str(cluster.server);
  if (!server) throw new Error(`cluster "${ctx.cluster}" has no server`);
  const tokenFile = str(user.tokenFile);
  return {
    server: server.replace(/\/+$/, ""),
    ca: pem(cluster["certificate-authority-data"], cluster["certificate-authority"]),
    cert: pem(user["client-certificate-data"], user["client-certificate"]),
    key: pem(user["client-key-data"], user["client-key"]),
    token: str(user.token),
    tokenFile: tokenFile && !isAbsolute(tokenFile) ? join(baseDir, tokenFile) : tokenFile,
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    tlsServerName: str(cluster["tls-server-name"]),
    namespace: str(ctx.namespace) ?? "default",
  };
}

export function loadKubeconfigFile(path: string, opts: { context?: string } = {}): ClientConfig {
  return parseKubeconfig(readFileSync(path, "utf8"), dirname(path), opts);
}

/** rest.InClusterConfig: the service account's token and CA, the service host from the environment. */
export function inClusterConfig(
  env: NodeJS.ProcessEnv = process.env,
  dir: string = SERVICE_ACCOUNT_DIR,
): ClientConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port)
    throw new Error(
      "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined",
    );
  const hostPart = host.includes(":") ? `[${host}]` : host;
  let namespace = "default";
  try {
    namespace = readFileSync(join(dir, "namespace"), "utf8").trim() || "default";
  } catch {
    // upstream defaults too
  }
  return {
    server: `https://${hostPart}:${port}`,
    ca: readFileSync(join(dir, "ca.crt"), "utf8"),
    token: readFileSync(join(dir, "token"), "utf8").trim(),
    tokenFile: join(dir, "token"),
    namespace,
  };
}

/**
 * The usual order: an explicit path, then $KUBECONFIG (its first file), then
 * the in-cluster service account, then ~/.kube/config.
 */
export function loadClientConfig(
  opts: { kubeconfig?: string; context?: string; env?: NodeJS.ProcessEnv } = {},
): ClientConfig {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig) return loadKubeconfigFile(opts.kubeconfig, opts);
  const fromEnv = env.KUBECONFIG?.split(":").find((p) => p !== "");
  if (fromEnv) return loadKubeconfigFile(fromEnv, opts);
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) return inClusterConfig(env);
  return loadKubeconfigFile(join(env.HOME ?? homedir(), ".kube", "config"), opts);
}
