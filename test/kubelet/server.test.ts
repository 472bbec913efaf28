import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { CertificateAuthority } from "../../src/apiserver/certs.ts";
import type { RestClient } from "../../src/client/rest-client.ts";
import type { Container, ContainerStatus } from "../../src/kubelet/runtime/interface.ts";
import {
  formatTimestamp,
  type KubeletServer,
  parseCriLogLine,
  parseLogOptions,
  startKubeletServer,
  tailStart,
} from "../../src/kubelet/server.ts";

const LOG = [
  "2026-11-27T00:00:01.1Z stdout F line 1",
  "2026-11-27T00:00:02.000000002Z stderr F line 2",
  "2026-11-27T00:00:03Z stdout P li",
  "2026-11-27T00:00:03.5Z stdout P ne",
  "2026-11-27T00:00:04Z stdout F  3",
  "",
].join("\n");

describe("CRI log lines", () => {
  it("parses the timestamp, stream, tag and text (parseCRILog)", () => {
    assert.deepEqual(parseCriLogLine("2026-11-27T00:00:01.1Z stdout F hello world"), {
      timestamp: "2026-11-27T00:00:01.1Z",
      stream: "stdout",
      partial: false,
      content: "hello world",
    });
    assert.equal(parseCriLogLine("2026-11-27T00:00:01Z stderr P x")?.partial, true);
    assert.equal(parseCriLogLine("2026-11-27T00:00:01Z stdout F ")?.content, "");
    assert.equal(parseCriLogLine("garbage"), undefined);
  });

  it("writes timestamps with nine fraction digits (RFC3339NanoFixed)", () => {
    assert.equal(formatTimestamp("2026-11-27T00:00:01.1Z"), "2026-11-27T00:00:01.100000000Z");
    assert.equal(formatTimestamp("2026-11-27T00:00:03+01:00"), "2026-11-27T00:00:03.000000000+01:00");
  });

  it("finds where the last n lines start", () => {
    const buf = Buffer.from("a\nb\nc\n");
    assert.equal(tailStart(buf, 1), 4);
    assert.equal(tailStart(buf, 2), 2);
    assert.equal(tailStart(buf, 5), 0);
    assert.equal(tailStart(buf, 0), 6);
  });

  it("reads the query's options", () => {
    const o = parseLogOptions(
      new URLSearchParams("tailLines=2&timestamps=true&sinceSeconds=10&follow=true"),
      100_000,
    );
    assert.deepEqual(o, {
      tailLines: 2,
      limitBytes: undefined,
      since: 90_000,
      timestamps: true,
      follow: true,
      previous: false,
    });
  });
});

describe("kubelet server", () => {
  let dir = "";
  let server: KubeletServer | undefined;
  let caPem = "";
  let admin = { cert: "", key: "" };
  let other = { cert: "", key: "" };
  const reviews: unknown[] = [];
  let running = true;
  const logPath = () => join(dir, "0.log");

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kubelet-server-"));
    writeFileSync(logPath(), LOG);
    writeFileSync(join(dir, "prev.log"), "2026-11-27T00:00:00Z stdout F before restart\n");
    const { ca } = await CertificateAuthority.create();
    caPem = ca.certPem;
    const serving = await ca.issueServing("system:node:n1", ["127.0.0.1"]);
    admin = await ca.issueClient("kube-apiserver-kubelet-client");
    other = await ca.issueClient("mallory");
    const client = {
      create: async (_t: unknown, obj: { spec: { user: string } }) => {
        reviews.push(obj.spec);
        return { ...obj, status: { allowed: obj.spec.user === "kube-apiserver-kubelet-client" } };
      },
    } as unknown as RestClient;
    const pod: Pod = {
      metadata: { name: "p", namespace: "default", uid: "u1" },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    };
    const containers: Container[] = [0, 1].map((attempt) => ({
      id: `c${attempt}`,
      podSandboxId: "s",
      metadata: { name: "c", attempt },
      image: { image: "busybox" },
      imageRef: "",
      state: attempt === 1 ? "CONTAINER_RUNNING" : "CONTAINER_EXITED",
      createdAt: attempt,
      labels: {},
      annotations: {},
    }));
    server = await startKubeletServer({
      host: "127.0.0.1",
      port: 0,
      cert: serving.cert,
      key: serving.key,
      ca: caPem,
      nodeName: "n1",
      client,
      followPollMs: 20,
      getPodByName: (ns, name) => (ns === "default" && name === "p" ? pod : undefined),
      runtime: {
        listContainers: async () => containers,
        containerStatus: async (id) =>
          ({
            id,
            state: id === "c1" && running ? "CONTAINER_RUNNING" : "CONTAINER_EXITED",
            logPath: id === "c1" ? logPath() : join(dir, "prev.log"),
          }) as ContainerStatus,
      },
    });
  });

  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function get(path: string, cred?: { cert: string; key: string }): Promise<{ code: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: server!.port, path, ca: caPem, cert: cred?.cert, key: cred?.key },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => {
            body += d;
          });
          res.on("end", () => resolve({ code: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end();
    });
  }

  it("listens on a picked port and answers /healthz without a certificate", async () => {
    assert.ok(server!.port > 0);
    assert.deepEqual(await get("/healthz"), { code: 200, body: "ok" });
  });

  it("answers 400 to a target the URL parser refuses, and keeps serving (it used to throw in the handler)", async () => {
    assert.deepEqual(await get("//["), { code: 400, body: "400 Bad Request: invalid request target\n" });
    assert.deepEqual(await get("/healthz"), { code: 200, body: "ok" });
  });

  it("refuses callers without a client certificate (401) or without the right (403)", async () => {
    assert.equal((await get("/containerLogs/default/p/c")).code, 401);
    const r = await get("/containerLogs/default/p/c", other);
    assert.equal(r.code, 403);
    // As upstream's kubelet: /stats → stats, /metrics → metrics, /logs → log, everything else → proxy.
    assert.equal(r.body, "Forbidden (user=mallory, verb=get, resource=nodes, subresource=proxy)\n");
    assert.deepEqual((reviews.at(-1) as { resourceAttributes: unknown }).resourceAttributes, {
      verb: "get",
      version: "v1",
      resource: "nodes",
      subresource: "proxy",
      name: "n1",
    });
    for (const [path, sub] of [
      ["/stats/summary", "stats"],
      ["/metrics", "metrics"],
      ["/metrics/resource", "metrics"],
      ["/pods", "proxy"],
    ]) {
      await get(path, other);
      assert.equal(
        (reviews.at(-1) as { resourceAttributes: { subresource: string } }).resourceAttributes.subresource,
        sub,
      );
    }
  });

  it("serves the log without CRI prefixes, partial lines joined", async () => {
    assert.deepEqual(await get("/containerLogs/default/p/c", admin), {
      code: 200,
      body: "line 1\nline 2\nline 3\n",
    });
  });

  it("applies tailLines, timestamps, limitBytes and previous", async () => {
    assert.equal((await get("/containerLogs/default/p/c?tailLines=1", admin)).body, " 3\n");
    assert.equal((await get("/containerLogs/default/p/c?tailLines=3", admin)).body, "line 3\n");
    assert.equal(
      (await get("/containerLogs/default/p/c?tailLines=4&timestamps=true", admin)).body,
      "2026-11-27T00:00:02.000000002Z line 2\n2026-11-27T00:00:04.000000000Z line 3\n",
    );
    assert.equal((await get("/containerLogs/default/p/c?limitBytes=9", admin)).body, "line 1\nli");
    assert.equal((await get("/containerLogs/default/p/c?previous=true", admin)).body, "before restart\n");
  });

  it("answers 404 for an unknown pod or container, as upstream", async () => {
    assert.deepEqual(await get("/containerLogs/default/q/c", admin), {
      code: 404,
      body: 'pod "q" does not exist\n',
    });
    assert.deepEqual(await get("/containerLogs/default/p/x", admin), {
      code: 404,
      body: 'container "x" not found in pod "p"\n',
    });
  });

  it("follows new lines until the container stops", async () => {
    running = true;
    const pending = get("/containerLogs/default/p/c?follow=true&tailLines=0", admin);
    await new Promise((r) => setTimeout(r, 100));
    writeFileSync(logPath(), "2026-11-27T00:00:05Z stdout F line 4\n", { flag: "a" });
    await new Promise((r) => setTimeout(r, 100));
    running = false;
    assert.deepEqual(await pending, { code: 200, body: "line 4\n" });
  });
});
