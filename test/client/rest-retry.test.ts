import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ensurePki } from "../../src/apiserver/index.ts";
import { ApiError } from "../../src/client/api-error.ts";
import type { Clock } from "../../src/client/clock.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";

// A scripted HTTPS server: each request takes the next reply.
let server: Server;
let ca: string;
let url: string;
let dir: string;
let replies: Array<(res: ServerResponse) => void> = [];
const seen: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "k8ts-retry-"));
  const pki = await ensurePki(dir);
  ca = pki.caCert;
  server = createServer({ cert: pki.serving.cert, key: pki.serving.key }, (req: IncomingMessage, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    const reply = replies.shift();
    if (reply) reply(res);
    else res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** A clock that records each wait and fires at once, so retries take no real time. */
function instantClock(waits: number[]): Clock {
  return {
    now: () => 0,
    after(ms, fn) {
      waits.push(ms);
      setImmediate(fn);
      return () => {};
    },
  };
}

const status =
  (code: number, reason: string, headers: Record<string, string> = {}) =>
  (res: ServerResponse) =>
    res
      .writeHead(code, { "Content-Type": "application/json", ...headers })
      .end(
        JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason, code }),
      );
const ok = (res: ServerResponse) =>
  res
    .writeHead(200, { "Content-Type": "application/json" })
    .end('{"kind":"ConfigMap","metadata":{"name":"x"}}');

test("429 is retried honouring Retry-After; 5xx on GET with exponential backoff", async () => {
  const waits: number[] = [];
  const client = new RestClient(
    { server: url, ca, namespace: "default" },
    { clock: instantClock(waits), random: () => 0 },
  );
  seen.length = 0;
  replies = [status(429, "TooManyRequests", { "Retry-After": "3" }), status(503, "ServiceUnavailable"), ok];
  const got = await client.get(Resources.configmaps, "x", { namespace: "default" });
  assert.equal(got.metadata?.name, "x");
  assert.equal(seen.length, 3);
  assert.deepEqual(waits, [3000, 400]);
  client.close();
});

test("5xx on POST is not retried (not idempotent) and surfaces as a typed ApiError", async () => {
  const waits: number[] = [];
  const client = new RestClient({ server: url, ca, namespace: "default" }, { clock: instantClock(waits) });
  seen.length = 0;
  replies = [status(500, "InternalError"), ok];
  const err = await client
    .create(Resources.configmaps, { metadata: { name: "x", namespace: "default" } })
    .catch((e: unknown) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 500);
  assert.equal(err.reason, "InternalError");
  assert.equal(seen.length, 1);
  assert.deepEqual(waits, []);
  replies = [];
  client.close();
});

test("retries stop after maxRetries", async () => {
  const waits: number[] = [];
  const client = new RestClient(
    { server: url, ca, namespace: "default" },
    { clock: instantClock(waits), random: () => 0, maxRetries: 2 },
  );
  seen.length = 0;
  replies = [
    status(503, "ServiceUnavailable"),
    status(503, "ServiceUnavailable"),
    status(503, "ServiceUnavailable"),
  ];
  const err = await client.list(Resources.configmaps).catch((e: unknown) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 503);
  assert.equal(seen.length, 3);
  assert.deepEqual(waits, [200, 400]);
  client.close();
});
