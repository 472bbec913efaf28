// The installed kubectl is a dispatcher: it reads the server's /version and
// runs the embedded kubectl of the same minor (1.31.9 for "31", 1.33.1 for
// "33", 1.32.4 otherwise). To exercise 1.31 and 1.33 against `k8ts up`, each
// goes through a small local proxy that answers /version with that minor and
// forwards every other request (watches included) to the apiserver with the
// admin's client certificate.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { type Cluster, type RunResult, run, startCluster } from "./harness.ts";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

interface VersionProxy {
  kubeconfig: string;
  close(): Promise<void>;
}

/** A plain-HTTP proxy to the cluster that reports server minor `minor` on /version. */
async function versionProxy(c: Cluster, minor: string, dir: string): Promise<VersionProxy> {
  const kc = parseYaml(readFileSync(c.kubeconfig, "utf8"));
  const b64 = (s: string) => Buffer.from(s, "base64");
  const tls = {
    ca: b64(kc.clusters[0].cluster["certificate-authority-data"]),
    cert: b64(kc.users[0].user["client-certificate-data"]),
    key: b64(kc.users[0].user["client-key-data"]),
  };
  const server: Server = createServer((req, res) => {
    if (req.url?.split("?")[0] === "/version") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          major: "1",
          minor,
          gitVersion: `v1.${minor}.0`,
          gitCommit: "",
          gitTreeState: "clean",
          buildDate: "2025-01-01T00:00:00Z",
          goVersion: "go1.23",
          compiler: "gc",
          platform: "linux/amd64",
        }),
      );
      return;
    }
    const upstream = httpsRequest(
      { host: "127.0.0.1", port: c.port, method: req.method, path: req.url, headers: req.headers, ...tls },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const kubeconfig = join(dir, `kubeconfig-${minor}`);
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: proxy
  cluster: {server: "http://127.0.0.1:${port}"}
users:
- name: proxy
  user: {}
contexts:
- name: proxy
  context: {cluster: proxy, user: proxy}
current-context: proxy
`,
  );
  return {
    kubeconfig,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
`;

describe("the dispatcher's other kubectl versions", () => {
  let c: Cluster;
  let dir: string;
  const proxies: VersionProxy[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "k8ts-versions-"));
    c = await startCluster();
  });
  after(async () => {
    for (const p of proxies) await p.close();
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [minor, client] of [
    ["31", "v1.31.9"],
    ["33", "v1.33.1"],
  ] as const) {
    it(`kubectl ${client} (server minor ${minor}): version, apply, get, patch, watch, delete`, async () => {
      const proxy = await versionProxy(c, minor, dir);
      proxies.push(proxy);
      const home = c.newHome();
      const kubectl = (args: string[]) =>
        run("kubectl", args, { env: { KUBECONFIG: proxy.kubeconfig, HOME: home } });

      const v = JSON.parse(ok(await kubectl(["version", "-o", "json"])).stdout);
      assert.equal(v.clientVersion.gitVersion, client);
      assert.equal(v.serverVersion.minor, minor);

      const name = `v1${minor}`;
      const f = join(dir, `${name}.yaml`);
      writeFileSync(f, deployment(name));
      let r = ok(await kubectl(["apply", "-f", f]));
      assert.equal(r.stdout, `deployment.apps/${name} created\n`);
      r = ok(await kubectl(["apply", "-f", f]));
      assert.equal(r.stdout, `deployment.apps/${name} unchanged\n`);
      r = ok(await kubectl(["apply", "--server-side", "--force-conflicts", "-f", f]));
      assert.equal(r.stdout, `deployment.apps/${name} serverside-applied\n`);

      r = ok(await kubectl(["get", "deploy", name, "-o", "wide"]));
      assert.match(
        r.stdout,
        new RegExp(
          `^NAME +READY +UP-TO-DATE +AVAILABLE +AGE +CONTAINERS +IMAGES +SELECTOR\n${name} +\\d+/1 +\\d+ +\\d+ +\\d+s +nginx +nginx:1\\.25 +app=${name}\n$`,
        ),
      );
      r = ok(
        await kubectl(["get", "deploy", name, "-o", "jsonpath={.spec.template.spec.containers[0].image}"]),
      );
      assert.equal(r.stdout, "nginx:1.25");

      r = ok(
        await kubectl([
          "patch",
          "deploy",
          name,
          "-p",
          '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}',
        ]),
      );
      assert.equal(r.stdout, `deployment.apps/${name} patched\n`);
      r = ok(await kubectl(["scale", "deploy", name, "--replicas=3"]));
      assert.equal(r.stdout, `deployment.apps/${name} scaled\n`);

      r = ok(await kubectl(["create", "configmap", `cm${minor}`, "--from-literal=a=1"]));
      assert.equal(r.stdout, `configmap/cm${minor} created\n`);
      r = ok(await kubectl(["get", "cm", `cm${minor}`, "-o", "jsonpath={.data.a}"]));
      assert.equal(r.stdout, "1");
      r = await kubectl(["get", "cm", "nope"]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Error from server (NotFound): configmaps "nope" not found\n');

      // delete waits with a watch through the proxy.
      r = ok(await kubectl(["delete", "deploy", name, "--timeout=20s"]));
      assert.match(r.stdout, new RegExp(`^deployment\\.apps "${name}" deleted( from default namespace)?\n$`));
      r = ok(await kubectl(["delete", "cm", `cm${minor}`, "--timeout=20s"]));
      assert.match(r.stdout, new RegExp(`^configmap "cm${minor}" deleted( from default namespace)?\n$`));
      assert.equal((await kubectl(["get", "deploy", name])).code, 1);
    });
  }
});
