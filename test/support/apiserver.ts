// An in-process apiserver on in-memory SQLite for client tests: port 0, TLS
// from a fresh data dir, and an admin (system:masters) client config.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiServer, ensurePki } from "../../src/apiserver/index.ts";
import type { ApiServerOptions } from "../../src/apiserver/server.ts";
import type { ClientConfig } from "../../src/client/kubeconfig.ts";
import { SqliteStore } from "../../src/storage/sqlite.ts";

export interface TestApiServer {
  server: ApiServer;
  /** The store, for tests that compact it to provoke 410 Expired. */
  store: SqliteStore;
  url: string;
  /** An admin client config (user "admin", group system:masters). */
  admin: ClientConfig;
  /** A client config for any user and groups. */
  clientConfig(user: string, groups?: string[]): Promise<ClientConfig>;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestApiServer(
  opts: Pick<
    ApiServerOptions,
    | "bookmarkIntervalMs"
    | "admission"
    | "requestTimeoutMs"
    | "maxRequestsInflight"
    | "maxMutatingRequestsInflight"
  > = {},
): Promise<TestApiServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "k8ts-client-test-"));
  const pki = await ensurePki(dataDir);
  const store = new SqliteStore({ path: ":memory:" });
  const server = new ApiServer({
    store,
    tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.caCert },
    port: 0,
    host: "127.0.0.1",
    // Tests compact by hand; the background compactor would race them.
    compactionIntervalMs: 3_600_000,
    ...opts,
  });
  await server.start();
  const url = `https://127.0.0.1:${server.port}`;
  const clientConfig = async (user: string, groups: string[] = []): Promise<ClientConfig> => {
    const cred = await pki.ca.issueClient(user, groups);
    return { server: url, ca: pki.caCert, cert: cred.cert, key: cred.key, namespace: "default" };
  };
  const admin = await clientConfig("admin", ["system:masters"]);
  return {
    server,
    store,
    url,
    admin,
    clientConfig,
    dataDir,
    stop: async () => {
      await server.stop();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
