// Two apiserver processes on one etcd: reads, watches and optimistic locking
// stay correct across them.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Obj } from "../../src/api/registry.ts";
import { CertificateAuthority } from "../../src/apiserver/certs.ts";
import { type EtcdCluster, startEtcd } from "../support/etcd.ts";
import { freePort } from "../support/ports.ts";
import { ROOT } from "./harness.ts";

interface Api {
  port: number;
  proc: ChildProcess;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Obj }>;
  watch(path: string, onEvent: (e: Obj) => void): () => void;
}

async function startApiserver(
  dataDir: string,
  etcd: EtcdCluster,
  tls: { cert: string; key: string; ca: string } | undefined,
): Promise<Api> {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "src/cli/main.ts"),
      "apiserver",
      "--data-dir",
      dataDir,
      "--port",
      String(port),
      "--store",
      `etcd://${etcd.endpoints.join(",")}`,
    ],
    { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  await new Promise<void>((resolve, reject) => {
    proc.stderr!.on("data", (d) => {
      err += d;
      if (err.includes("serving on")) resolve();
    });
    proc.on("exit", (code) => reject(new Error(`apiserver exited with ${code}: ${err}`)));
  });
  let agent: Agent | undefined;
  const creds = () => {
    if (tls) return tls;
    throw new Error("no credentials");
  };
  return {
    port,
    proc,
    call: (method, path, body) =>
      new Promise((resolve, reject) => {
        agent ??= new Agent({ keepAlive: true, ...creds() });
        const data = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            host: "127.0.0.1",
            port,
            method,
            path,
            agent,
            headers: data ? { "Content-Type": "application/json" } : {},
          },
          (res) => {
            let text = "";
            res.on("data", (c) => {
              text += c;
            });
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
            );
          },
        );
        req.on("error", reject);
        req.end(data);
      }),
    watch: (path, onEvent) => {
      const req = request({ host: "127.0.0.1", port, method: "GET", path, ...creds() }, (res) => {
        let buf = "";
        res.on("data", (c) => {
          buf += c;
          for (let i = buf.indexOf("\n"); i !== -1; i = buf.indexOf("\n")) {
            onEvent(JSON.parse(buf.slice(0, i)));
            buf = buf.slice(i + 1);
          }
        });
      });
      req.on("error", () => {});
      req.end();
      return () => req.destroy();
    },
  };
}

describe("two apiservers on one etcd", () => {
  let etcd: EtcdCluster;
  let dataDir: string;
  let a: Api;
  let b: Api;
  let tls: { cert: string; key: string; ca: string };

  before(async () => {
    etcd = await startEtcd();
    dataDir = mkdtempSync(join(tmpdir(), "k8ts-multi-"));
    // The first apiserver makes the PKI; the second shares it, as two control-plane nodes would.
    const first = await startApiserver(dataDir, etcd, undefined);
    const ca = await CertificateAuthority.load(
      readFileSync(join(dataDir, "pki/ca.crt"), "utf8"),
      readFileSync(join(dataDir, "pki/ca.key"), "utf8"),
    );
    const admin = await ca.issueClient("admin", ["system:masters"]);
    tls = { cert: admin.cert, key: admin.key, ca: ca.certPem };
    first.proc.kill("SIGTERM");
    await new Promise((r) => first.proc.once("exit", r));
    a = await startApiserver(dataDir, etcd, tls);
    b = await startApiserver(dataDir, etcd, tls);
  });

  after(async () => {
    for (const s of [a, b]) {
      if (s && s.proc.exitCode === null) {
        s.proc.kill("SIGTERM");
        await new Promise((r) => s.proc.once("exit", r));
      }
    }
    await etcd?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reads on one what was written on the other, and watches across them", async () => {
    const base = "/api/v1/namespaces/default/configmaps";
    const created = await a.call("POST", base, { metadata: { name: "shared" }, data: { v: "1" } });
    assert.equal(created.status, 201);
    const got = await b.call("GET", `${base}/shared`);
    assert.equal(got.status, 200);
    assert.equal(got.body.data.v, "1");
    assert.equal(got.body.metadata.resourceVersion, created.body.metadata.resourceVersion);

    const events: Obj[] = [];
    const stop = b.watch(`${base}?watch=1&resourceVersion=${created.body.metadata.resourceVersion}`, (e) =>
      events.push(e),
    );
    const updated = await a.call("PUT", `${base}/shared`, { ...created.body, data: { v: "2" } });
    assert.equal(updated.status, 200);
    const deleted = await a.call("DELETE", `${base}/shared`);
    assert.equal(deleted.status, 200);
    const deadline = Date.now() + 10_000;
    while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stop();
    assert.deepEqual(
      events.map((e) => [e.type, e.object.data?.v, e.object.metadata.resourceVersion]),
      [
        ["MODIFIED", "2", updated.body.metadata.resourceVersion],
        ["DELETED", "2", events[1]?.object.metadata.resourceVersion],
      ],
    );
    assert.ok(
      Number(events[1].object.metadata.resourceVersion) > Number(updated.body.metadata.resourceVersion),
    );
  });

  it("keeps optimistic locking across them: a stale write through either gets 409", async () => {
    const base = "/api/v1/namespaces/default/configmaps";
    const created = await a.call("POST", base, { metadata: { name: "locked" }, data: { v: "1" } });
    const viaB = await b.call("PUT", `${base}/locked`, { ...created.body, data: { v: "from-b" } });
    assert.equal(viaB.status, 200);
    const stale = await a.call("PUT", `${base}/locked`, { ...created.body, data: { v: "from-a" } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, "Conflict");
    assert.equal(
      stale.body.message,
      'Operation cannot be fulfilled on configmaps "locked": the object has been modified; please apply your changes to the latest version and try again',
    );
    const final = await a.call("GET", `${base}/locked`);
    assert.equal(final.body.data.v, "from-b");
  });

  it("serves a CRD made through one on the other, both keeping its status, and drops it from both", async () => {
    const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "shares.multi.example.com" },
      spec: {
        group: "multi.example.com",
        scope: "Namespaced",
        names: { plural: "shares", kind: "Share" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    };
    assert.equal((await a.call("POST", crdPath, crd)).status, 201);
    const base = "/apis/multi.example.com/v1/namespaces/default/shares";
    // b serves it once its own cache of CRDs has seen it established.
    const deadline = Date.now() + 10_000;
    let created = await b.call("POST", base, {
      apiVersion: "multi.example.com/v1",
      kind: "Share",
      metadata: { name: "s1" },
    });
    while (created.status === 404 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      created = await b.call("POST", base, {
        apiVersion: "multi.example.com/v1",
        kind: "Share",
        metadata: { name: "s1" },
      });
    }
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await a.call("GET", `${base}/s1`)).status, 200);
    const status = (await b.call("GET", `${crdPath}/shares.multi.example.com`)).body.status;
    assert.deepEqual(
      status.conditions.map((c: Obj) => `${c.type}=${c.status}`),
      ["NamesAccepted=True", "Established=True"],
    );
    assert.equal((await b.call("DELETE", `${crdPath}/shares.multi.example.com`)).status, 200);
    for (const api of [a, b]) {
      while ((await api.call("GET", base)).status !== 404 && Date.now() < deadline + 10_000) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal((await api.call("GET", base)).status, 404);
    }
  });
});
