// The apiserver's limits and guards over raw HTTPS: body size (413),
// max-in-flight (429 + Retry-After), watch timeoutSeconds, anonymous access.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { ClientRequest, IncomingMessage } from "node:http";
import { request } from "node:https";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { type Cluster, startCluster } from "./harness.ts";

interface Creds {
  cert: string;
  key: string;
  ca: string;
}

function credsOf(kubeconfig: string): Creds {
  const kc = parse(readFileSync(kubeconfig, "utf8"));
  const b = (s: string) => Buffer.from(s, "base64").toString();
  return {
    ca: b(kc.clusters[0].cluster["certificate-authority-data"]),
    cert: b(kc.users[0].user["client-certificate-data"]),
    key: b(kc.users[0].user["client-key-data"]),
  };
}

function send(
  port: number,
  creds: Partial<Creds> & { ca: string },
  method: string,
  path: string,
  body?: string | Buffer,
): { req: ClientRequest; response: Promise<{ res: IncomingMessage; text: string }> } {
  const req = request({
    host: "127.0.0.1",
    port,
    method,
    path,
    ...creds,
    headers: { "Content-Type": "application/json" },
  });
  const response = new Promise<{ res: IncomingMessage; text: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve({ res, text }));
    });
    req.on("error", reject);
  });
  if (body !== undefined) req.end(body);
  return { req, response };
}

describe("apiserver limits", () => {
  let c: Cluster;
  let creds: Creds;
  before(async () => {
    c = await startCluster({ args: ["--max-mutating-requests-inflight", "1"] });
    creds = credsOf(c.kubeconfig);
  });
  after(async () => {
    await c?.stop();
  });

  it("answers 413 to a body over 3 MiB, and keeps serving", async () => {
    const big = JSON.stringify({ metadata: { name: "big" }, data: { x: "a".repeat(3 * 1024 * 1024 + 10) } });
    const { response } = send(c.port, creds, "POST", "/api/v1/namespaces/default/configmaps", big);
    const { res, text } = await response;
    assert.equal(res.statusCode, 413);
    const status = JSON.parse(text);
    assert.equal(status.kind, "Status");
    assert.equal(status.reason, "RequestEntityTooLarge");
    const get = await c.kubectl(["get", "cm", "big"]);
    assert.match(get.stderr, /NotFound/);
  });

  it("answers 413 to a chunked body that grows over 3 MiB, and keeps serving", async () => {
    // No Content-Length: the limit is found while the body is read.
    const { req, response } = send(c.port, creds, "POST", "/api/v1/namespaces/default/configmaps");
    req.setHeader("Transfer-Encoding", "chunked");
    req.write('{"metadata":{"name":"chunked"},"data":{"x":"');
    const mib = "a".repeat(1024 * 1024);
    for (let i = 0; i < 4; i++) req.write(mib);
    req.end('"}}');
    const { res, text } = await response;
    assert.equal(res.statusCode, 413);
    assert.equal(JSON.parse(text).reason, "RequestEntityTooLarge");
    const get = await c.kubectl(["get", "cm", "chunked"]);
    assert.match(get.stderr, /NotFound/);
  });

  it("answers 429 with Retry-After beyond the in-flight limit", async () => {
    // A create whose body never finishes holds the only mutating slot.
    const held = send(c.port, creds, "POST", "/api/v1/namespaces/default/configmaps");
    held.req.setHeader("Content-Length", "1000");
    held.req.write('{"metadata":');
    await new Promise((r) => setTimeout(r, 300));
    const second = send(
      c.port,
      creds,
      "POST",
      "/api/v1/namespaces/default/configmaps",
      JSON.stringify({ metadata: { name: "x" } }),
    );
    const { res, text } = await second.response;
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers["retry-after"], "1");
    assert.equal(JSON.parse(text).reason, "TooManyRequests");
    held.req.destroy();
    held.response.catch(() => {});
    // Reads are limited separately, and the slot frees once the held request is gone.
    await new Promise((r) => setTimeout(r, 200));
    const ok = send(
      c.port,
      creds,
      "POST",
      "/api/v1/namespaces/default/configmaps",
      JSON.stringify({ metadata: { name: "after" } }),
    );
    assert.equal((await ok.response).res.statusCode, 201);
  });

  it("ends a watch after timeoutSeconds", async () => {
    const started = Date.now();
    const { req, response } = send(
      c.port,
      creds,
      "GET",
      "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1",
    );
    req.end();
    const { res } = await response;
    assert.equal(res.statusCode, 200);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 5000, `watch lasted ${elapsed} ms`);
  });

  it("lets anonymous requests reach only the public health and version paths", async () => {
    const anon = { ca: creds.ca };
    const version = send(c.port, anon, "GET", "/version");
    version.req.end();
    assert.equal((await version.response).res.statusCode, 200);
    const healthz = send(c.port, anon, "GET", "/healthz");
    healthz.req.end();
    assert.equal((await healthz.response).text, "ok");
    const pods = send(c.port, anon, "GET", "/api/v1/pods");
    pods.req.end();
    const { res, text } = await pods.response;
    assert.equal(res.statusCode, 403);
    assert.equal(JSON.parse(text).reason, "Forbidden");
  });
});
