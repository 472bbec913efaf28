// httpGet, tcpSocket and grpc probes against real servers on loopback, with
// upstream's messages.
import assert from "node:assert/strict";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { after, before, test } from "node:test";
import {
  Server as GrpcServer,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from "@grpc/grpc-js";
import type { Container } from "kubernetes-types/core/v1.d.ts";
import { realClock } from "../../client/clock.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import { decodeHealthCheckResponse, encodeHealthCheckRequest, grpcProbe } from "./grpc.ts";
import { httpProbe, newRequestForHTTPGetAction } from "./http.ts";
import { goDuration, resolveContainerPort } from "./port.ts";
import { tcpProbe } from "./tcp.ts";

let server: Server;
let port = 0;
let lastHeaders: IncomingHttpHeaders = {};
let hung: Array<() => void> = [];

before(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    const url = new URL(req.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/ok":
        res.end("fine");
        return;
      case "/fail":
        res.statusCode = 500;
        res.end("secret body");
        return;
      case "/redirect-local":
        res.writeHead(302, { location: "/ok" });
        res.end();
        return;
      case "/redirect-away":
        res.writeHead(301, { location: "http://example.invalid/" });
        res.end("moved");
        return;
      case "/loop":
        res.writeHead(302, { location: "/loop" });
        res.end();
        return;
      case "/hang":
        hung.push(() => res.end());
        return;
      default:
        res.statusCode = 404;
        res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  for (const h of hung) h();
  hung = [];
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const container: Container = { name: "c", ports: [{ name: "http", containerPort: 8080 }] };

function req(path: string, headers: Array<{ name: string; value: string }> = []) {
  return newRequestForHTTPGetAction({ path, port, httpHeaders: headers }, container, "127.0.0.1");
}

test("httpGet: 2xx succeeds with the body; other codes fail without it", async () => {
  assert.deepEqual(await httpProbe(req("/ok"), 1000, realClock), { result: "success", output: "fine" });
  assert.deepEqual(await httpProbe(req("/fail"), 1000, realClock), {
    result: "failure",
    output: "HTTP probe failed with statuscode: 500",
  });
});

test("httpGet sends kube-probe's User-Agent, Accept */* and the probe's headers, Host included", async () => {
  await httpProbe(
    req("/ok", [
      { name: "x-custom", value: "1" },
      { name: "Host", value: "svc.local" },
    ]),
    1000,
    realClock,
  );
  assert.equal(lastHeaders["user-agent"], "kube-probe/1.32");
  assert.equal(lastHeaders.accept, "*/*");
  assert.equal(lastHeaders["x-custom"], "1");
  assert.equal(lastHeaders.host, "svc.local");
  await httpProbe(
    req("/ok", [
      { name: "Accept", value: "" },
      { name: "user-agent", value: "mine" },
    ]),
    1000,
    realClock,
  );
  assert.equal(lastHeaders.accept, undefined);
  assert.equal(lastHeaders["user-agent"], "mine");
});

test("httpGet follows redirects on the same host only; others are a warning", async () => {
  assert.deepEqual(await httpProbe(req("/redirect-local"), 1000, realClock), {
    result: "success",
    output: "fine",
  });
  assert.deepEqual(await httpProbe(req("/redirect-away"), 1000, realClock), {
    result: "warning",
    output: "Probe terminated redirects, Response body: moved",
  });
  assert.deepEqual(await httpProbe(req("/loop"), 1000, realClock), {
    result: "failure",
    output: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects`,
  });
});

test("httpGet: a refused connection and a timeout fail with Go's error text", async () => {
  const closed = await freePort();
  const r = newRequestForHTTPGetAction({ path: "/healthz", port: closed }, container, "127.0.0.1");
  assert.deepEqual(await httpProbe(r, 1000, realClock), {
    result: "failure",
    output: `Get "http://127.0.0.1:${closed}/healthz": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
  });
  const clock = new FakeClock();
  const pending = httpProbe(req("/hang"), 1000, clock);
  while (hung.length === 0) await new Promise((res) => setTimeout(res, 5));
  clock.step(1000);
  assert.deepEqual(await pending, {
    result: "failure",
    output: `Get "http://127.0.0.1:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
  });
});

test("ports resolve by number, by name, or fail as upstream says", () => {
  assert.equal(resolveContainerPort(80, container), 80);
  assert.equal(resolveContainerPort("http", container), 8080);
  assert.equal(resolveContainerPort("9090", container), 9090);
  assert.throws(() => resolveContainerPort("metrics", container), {
    message: 'strconv.Atoi: parsing "metrics": invalid syntax',
  });
  assert.throws(() => resolveContainerPort(0, container), { message: "invalid port number: 0" });
  const u = newRequestForHTTPGetAction(
    { path: "healthz?full=1", port: "http", scheme: "HTTPS" },
    container,
    "fd00::1",
  );
  assert.equal(u.url.toString(), "https://[fd00::1]:8080/healthz?full=1");
  assert.equal(goDuration(1), "1s");
  assert.equal(goDuration(90), "1m30s");
});

test("tcpSocket: an open port succeeds, a closed one fails with Go's text", async () => {
  assert.deepEqual(await tcpProbe("127.0.0.1", port, 1000, realClock), { result: "success", output: "" });
  const closed = await freePort();
  assert.deepEqual(await tcpProbe("127.0.0.1", closed, 1000, realClock), {
    result: "failure",
    output: `dial tcp 127.0.0.1:${closed}: connect: connection refused`,
  });
});

test("grpc: grpc.health.v1 Check; SERVING succeeds, anything else fails with upstream's message", async () => {
  assert.deepEqual([...encodeHealthCheckRequest("svc")], [0x0a, 3, 0x73, 0x76, 0x63]);
  assert.equal(decodeHealthCheckResponse(Buffer.from([0x08, 2])), 2);
  const g = new GrpcServer();
  g.addService(
    {
      Check: {
        path: "/grpc.health.v1.Health/Check",
        requestStream: false,
        responseStream: false,
        requestSerialize: encodeHealthCheckRequest,
        requestDeserialize: (b: Buffer) => ({ service: b.length > 2 ? b.subarray(2).toString() : "" }),
        responseSerialize: (n: number) => Buffer.from([0x08, n]),
        responseDeserialize: decodeHealthCheckResponse,
      },
    },
    {
      Check(call: ServerUnaryCall<{ service: string }, number>, cb: sendUnaryData<number>) {
        if (call.request.service === "missing") cb({ code: status.NOT_FOUND, details: "unknown service" });
        else cb(null, call.request.service === "down" ? 2 : 1);
      },
    },
  );
  const gport = await new Promise<number>((res, rej) =>
    g.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  try {
    assert.deepEqual(await grpcProbe("127.0.0.1", "", gport, 1), {
      result: "success",
      output: "service healthy",
    });
    assert.deepEqual(await grpcProbe("127.0.0.1", "down", gport, 1), {
      result: "failure",
      output: 'service unhealthy (responded with "NOT_SERVING")',
    });
    assert.deepEqual(await grpcProbe("127.0.0.1", "missing", gport, 1), {
      result: "failure",
      output: "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service",
    });
    // Nothing listening: grpc-go keeps dialling until the deadline, hence upstream's timeout message.
    const closed = await freePort();
    assert.deepEqual(await grpcProbe("127.0.0.1", "", closed, 1), {
      result: "failure",
      output: `timeout: failed to connect service "127.0.0.1:${closed}" within 1s: context deadline exceeded`,
    });
  } finally {
    g.forceShutdown();
  }
});

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}
