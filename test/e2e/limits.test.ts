// The apiserver's limits and guards over raw HTTPS: body size (413),
// max-in-flight (429 + Retry-After), watch timeoutSeconds, anonymous access.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { ClientRequest, IncomingMessage } from "node:http";
import { request } from "node:https";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { CertificateAuthority } from "../../src/apiserver/certs.ts";
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
  /** A user outside system:masters, with the edit role in default. */
  let user: Creds;
  before(async () => {
    c = await startCluster({ args: ["--max-mutating-requests-inflight", "1"] });
    creds = credsOf(c.kubeconfig);
    const pki = join(c.dataDir, "pki");
    const ca = await CertificateAuthority.load(
      readFileSync(join(pki, "ca.crt"), "utf8"),
      readFileSync(join(pki, "ca.key"), "utf8"),
    );
    user = { ca: creds.ca, ...(await ca.issueClient("limits-user")) };
    const bound = await c.kubectl([
      "create",
      "rolebinding",
      "limits-user-edit",
      "--clusterrole=edit",
      "--user=limits-user",
    ]);
    assert.equal(bound.code, 0, bound.stderr);
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

  it("answers 429 with Retry-After beyond the in-flight limit, but not to system:masters", async () => {
    const create = (who: Creds, name: string) =>
      send(
        c.port,
        who,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        JSON.stringify({ metadata: { name } }),
      ).response;
    // A create whose body never finishes holds the only mutating slot.
    const held = send(c.port, user, "POST", "/api/v1/namespaces/default/configmaps");
    held.req.setHeader("Content-Length", "1000");
    held.req.write('{"metadata":');
    await new Promise((r) => setTimeout(r, 300));
    const { res, text } = await create(user, "x");
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers["retry-after"], "1");
    assert.equal(JSON.parse(text).reason, "TooManyRequests");
    // As upstream's filter: a system:master always gets an answer.
    assert.equal((await create(creds, "from-admin")).res.statusCode, 201);
    held.req.destroy();
    held.response.catch(() => {});
    // The slot frees once the held request is gone.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await create(user, "after")).res.statusCode, 201);
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
