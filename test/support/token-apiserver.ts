// A real apiserver (RBAC on) whose users sign in with static bearer tokens, for
// tests of components that act as whoever calls them (the dashboard,
// metrics-server), with an admin client and a way to grant a user a ClusterRole.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningApiServer, startApiServer } from "../../src/apiserver/index.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { freePort } from "./ports.ts";

export interface TokenApiServer {
  api: RunningApiServer;
  /** system:masters, by client certificate. */
  admin: RestClient;
  /** A ClusterRoleBinding of that name from the user to the role. */
  grant(user: string, clusterRole: string, binding?: string): Promise<void>;
  stop(): Promise<void>;
}

/** tokens: token-file rows, `token,user,uid[,"group,group"]`. */
export async function startTokenApiServer(tokens: string[]): Promise<TokenApiServer> {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-token-apiserver-"));
  const tokenFile = join(dir, "tokens.csv");
  writeFileSync(tokenFile, tokens.map((t) => `${t}\n`).join(""));
  const api = await startApiServer({
    dataDir: dir,
    port: await freePort(),
    bindAddress: "127.0.0.1",
    store: "sqlite::memory:",
    tokenAuthFile: tokenFile,
  });
  const cred = await api.pki.ca.issueClient("admin", ["system:masters"]);
  const admin = new RestClient({ server: api.url, ca: api.pki.caCert, ...cred, namespace: "default" });
  return {
    api,
    admin,
    async grant(user, clusterRole, binding = `${user}-${clusterRole}`.replace(/:/g, "-")) {
      await admin.create(Resources.clusterrolebindings, {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: binding },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
      });
    },
    async stop() {
      admin.close();
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
