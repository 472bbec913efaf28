// The apiserver's entry point for the command line: start one from flags.
import { type ClusterPki, ensurePki } from "./certs.ts";
import { ApiServer } from "./server.ts";
import { openStore } from "./store-config.ts";

export { CertificateAuthority, ensurePki } from "./certs.ts";
export { ApiServer, VERSION } from "./server.ts";

export interface StartApiServerOptions {
  dataDir: string;
  port: number;
  bindAddress?: string;
  store: string;
  compactionIntervalMs?: number;
  maxRequestsInflight?: number;
  maxMutatingRequestsInflight?: number;
  /** Node, RBAC, AlwaysAllow (default Node,RBAC). */
  authorizationModes?: string[];
  anonymousAuth?: boolean;
  tokenAuthFile?: string;
  serviceAccountIssuer?: string;
  apiAudiences?: string[];
  enableAdmissionPlugins?: string[];
  disableAdmissionPlugins?: string[];
  encryptionProviderConfig?: string;
  auditPolicyFile?: string;
  auditLogPath?: string;
}

export interface RunningApiServer {
  server: ApiServer;
  pki: ClusterPki;
  url: string;
  stop(): Promise<void>;
}

export async function startApiServer(opts: StartApiServerOptions): Promise<RunningApiServer> {
  const pki = await ensurePki(opts.dataDir, {
    extraHosts: opts.bindAddress && opts.bindAddress !== "0.0.0.0" ? [opts.bindAddress] : [],
  });
  const store = await openStore(opts.store, opts.dataDir);
  const server = new ApiServer({
    store,
    tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.caCert },
    port: opts.port,
    host: opts.bindAddress,
    compactionIntervalMs: opts.compactionIntervalMs,
    maxRequestsInflight: opts.maxRequestsInflight,
    maxMutatingRequestsInflight: opts.maxMutatingRequestsInflight,
  });
  try {
    await server.start();
  } catch (e) {
    await store.close();
    throw e;
  }
  const host = !opts.bindAddress || opts.bindAddress === "0.0.0.0" ? "127.0.0.1" : opts.bindAddress;
  return {
    server,
    pki,
    url: `https://${host}:${server.port}`,
    stop: async () => {
      await server.stop();
      await store.close();
    },
  };
}
