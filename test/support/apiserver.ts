// In-process apiservers on in-memory SQLite for tests: the bare ApiServer for
// client tests (port 0, TLS from a fresh data dir, an admin client config), and
// the whole apiserver as `k8ts apiserver` runs it, for a test file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { ApiServer, ensurePki, type RunningApiServer, startApiServer } from "../../src/apiserver/index.ts";
import type { ApiServerOptions } from "../../src/apiserver/server.ts";
import type { ClientConfig } from "../../src/client/kubeconfig.ts";
import { SqliteStore } from "../../src/storage/sqlite.ts";
import type { ApiTarget } from "./api-call.ts";
import { freePort } from "./ports.ts";

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

/**
 * The whole apiserver (startApiServer: authentication, RBAC, admission, CRDs) on in-memory SQLite, started
 * before the calling file's tests and stopped after them. `admin` is an apiCall target with a system:masters
 * client certificate.
 */
export function apiServerForFile(name: string): {
  readonly api: RunningApiServer;
  readonly admin: Required<ApiTarget>;
} {
  let dir: string | undefined;
  let api: RunningApiServer | undefined;
  let admin: Required<ApiTarget> | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), `k8ts-${name}-`));
    api = await startApiServer({
      dataDir: dir,
      port: await freePort(),
      bindAddress: "127.0.0.1",
      store: "sqlite::memory:",
    });
    admin = {
      url: api.url,
      ca: api.pki.caCert,
      ...(await api.pki.ca.issueClient("admin", ["system:masters"])),
    };
  });
  after(async () => {
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("the apiserver is not started: use it inside tests");
    return v;
  };
  return {
    get api() {
      return started(api);
    },
    get admin() {
      return started(admin);
    },
  };
}
