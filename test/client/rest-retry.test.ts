import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createSecureServer } from "node:http2";
import { createServer } from "node:https";
import type { Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { ensurePki } from "../../src/apiserver/index.ts";
import { ApiError } from "../../src/client/api-error.ts";
import type { Clock } from "../../src/client/clock.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient, type RestClientOptions } from "../../src/client/rest-client.ts";
import { closeAtOnce } from "../../src/machinery/close-server.ts";

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

// The same scripted HTTPS server in both protocols the client speaks: each request takes the next reply.
for (const protocol of ["1.1", "2.0"]) {
  describe(`over HTTP/${protocol}`, () => {
    let server: Server;
    let ca: string;
    let url: string;
    let dir: string;
    let replies: Array<(res: ServerResponse, req: IncomingMessage) => void> = [];
    const seen: string[] = [];
    const versions = new Set<string>();
    let close: () => Promise<void>;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "k8ts-retry-"));
      const pki = await ensurePki(dir);
      ca = pki.caCert;
      const handler = (req: IncomingMessage, res: ServerResponse) => {
        seen.push(`${req.method} ${req.url}`);
        versions.add(req.httpVersion);
        req.resume();
        const reply = replies.shift();
        if (reply) reply(res, req);
        else res.writeHead(500).end();
      };
      const tls = { cert: pki.serving.cert, key: pki.serving.key };
      server =
        protocol === "2.0"
          ? createSecureServer({ ...tls, allowHTTP1: true }, handler as never)
          : createServer(tls, handler);
      close = closeAtOnce(server);
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    after(async () => {
      await close();
      rmSync(dir, { recursive: true, force: true });
    });
    /** A client of this server whose waits go into `waits` and pass at once; the requests seen start anew. */
    const scriptedClient = (waits: number[], opts: RestClientOptions = {}) => {
      seen.length = 0;
      return new RestClient(
        { server: url, ca, namespace: "default" },
        { clock: instantClock(waits), random: () => 0, ...opts },
      );
    };
    // The client spoke the server's protocol: h2 where offered.
    afterEach(() => assert.deepEqual([...versions], [protocol]));

    test("429 is retried honouring Retry-After; 5xx on GET with exponential backoff", async () => {
      const waits: number[] = [];
      const client = scriptedClient(waits);
      replies = [
        status(429, "TooManyRequests", { "Retry-After": "3" }),
        status(503, "ServiceUnavailable"),
        ok,
      ];
      const got = await client.get(Resources.configmaps, "x", { namespace: "default" });
      assert.equal(got.metadata?.name, "x");
      assert.equal(seen.length, 3);
      assert.deepEqual(waits, [3000, 400]);
      client.close();
    });

    test("5xx on POST is not retried (not idempotent) and surfaces as a typed ApiError", async () => {
      const waits: number[] = [];
      const client = scriptedClient(waits);
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
      const client = scriptedClient(waits, { maxRetries: 2 });
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

    test("a connection lost before the answer: a GET is retried on a new connection", async () => {
      const waits: number[] = [];
      const client = scriptedClient(waits);
      const drop = (_res: ServerResponse, req: IncomingMessage) => {
        const h2 = (req as unknown as { stream?: { session: { destroy(): void } } }).stream;
        if (h2) h2.session.destroy();
        else req.socket.destroy();
      };
      replies = [drop, ok];
      const got = await client.get(Resources.configmaps, "x", { namespace: "default" });
      assert.equal(got.metadata?.name, "x");
      assert.equal(seen.length, 2);
      assert.deepEqual(waits, [200]);
      client.close();
    });
  });
}
