// The request deadline (upstream's WithRequestDeadline and
// WithTimeoutForNonLongRunningRequests): a request still being handled when
// its ?timeout= or --request-timeout runs out is answered 504, the server
// keeps serving, and watches are not cut by it.
import assert from "node:assert/strict";
import { Agent, request } from "node:https";
import { after, before, test } from "node:test";
import { AdmissionChain } from "../../src/apiserver/admission/admission.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

const REQUEST_TIMEOUT_MS = 1_500;
let api: TestApiServer;
let agent: Agent;
/** Creates of ConfigMaps named "slow*" wait in admission until released. */
const held: (() => void)[] = [];

before(async () => {
  const slow = {
    name: "Slow",
    handles: () => true,
    admit: (a: { name: string }) =>
      a.name.startsWith("slow") ? new Promise<void>((r) => held.push(r)) : undefined,
  };
  api = await startTestApiServer({
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    admission: new AdmissionChain([slow], []),
  });
  agent = new Agent({ keepAlive: true, ca: api.admin.ca, cert: api.admin.cert, key: api.admin.key });
});

after(async () => {
  for (const release of held.splice(0)) release();
  agent.destroy();
  await api.stop();
});

interface Answer {
  status: number;
  body: string;
  ms: number;
}

function send(method: string, path: string, body?: unknown): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: api.server.port,
        method,
        path,
        agent,
        headers: { "Content-Type": "application/json" },
        timeout: 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const configMap = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } });

test("a create still in admission when ?timeout= runs out is answered 504 Timeout; it lands when admission lets it go", async () => {
  const a = await send("POST", "/api/v1/namespaces/default/configmaps?timeout=200ms", configMap("slow-1"));
  assert.equal(a.status, 504, a.body);
  assert.ok(a.ms >= 190 && a.ms < REQUEST_TIMEOUT_MS, `answered after ${a.ms} ms`);
  const status = JSON.parse(a.body);
  assert.equal(status.kind, "Status");
  assert.equal(status.reason, "Timeout");
  assert.equal(status.code, 504);
  assert.equal(status.message, "Timeout: request did not complete within the allotted timeout");

  // The server serves on; the handler, still running, finishes once admission returns (as upstream's).
  const other = await send("POST", "/api/v1/namespaces/default/configmaps", configMap("fast"));
  assert.equal(other.status, 201, other.body);
  held.shift()?.();
  for (let i = 0; i < 100; i++) {
    if ((await send("GET", "/api/v1/namespaces/default/configmaps/slow-1")).status === 200) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal((await send("GET", "/api/v1/namespaces/default/configmaps/slow-1")).status, 200);

  const metrics = (await send("GET", "/metrics")).body;
  assert.match(
    metrics,
    /apiserver_request_terminations_total\{[^}]*verb="POST"[^}]*resource="configmaps"[^}]*code="504"[^}]*\} 1/,
  );
});

test("without ?timeout=, or with a longer one, --request-timeout bounds the request", async () => {
  for (const [name, query] of [
    ["slow-2", ""],
    ["slow-3", "?timeout=10m"],
    ["slow-4", "?timeout=0s"],
  ]) {
    const a = await send("POST", `/api/v1/namespaces/default/configmaps${query}`, configMap(name));
    assert.equal(a.status, 504, `${query}: ${a.body}`);
    assert.ok(a.ms >= REQUEST_TIMEOUT_MS - 10 && a.ms < REQUEST_TIMEOUT_MS + 2_000, `${query}: ${a.ms} ms`);
  }
  for (const release of held.splice(0)) release();
});

test("a timeout that is not a duration is refused with 400 before anything runs", async () => {
  const a = await send("GET", "/api/v1/namespaces/default/configmaps?timeout=soon");
  assert.equal(a.status, 400);
  const status = JSON.parse(a.body);
  assert.equal(status.reason, "BadRequest");
  assert.equal(
    status.message,
    'invalid timeout specified in the request URL - time: invalid duration "soon"',
  );
});

test("a quick request with a ?timeout= is answered normally, and a watch outlives the request timeout", async () => {
  const a = await send("GET", "/api/v1/namespaces/default/configmaps/fast?timeout=5s");
  assert.equal(a.status, 200, a.body);

  const w = await send(
    "GET",
    `/api/v1/namespaces/default/configmaps?watch=1&timeout=100ms&timeoutSeconds=${Math.ceil((REQUEST_TIMEOUT_MS + 1_000) / 1000)}`,
  );
  assert.equal(w.status, 200);
  assert.ok(w.ms >= REQUEST_TIMEOUT_MS + 900, `the watch ended after ${w.ms} ms`);
  assert.match(w.body, /"ADDED"/);
});
