// Ported from pkg/proxy/healthcheck/healthcheck_test.go (TestServer), plus the real HTTP
// server on 127.0.0.1 and a port that is taken.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { freePort } from "../../../test/support/ports.ts";
import {
  type HealthCheckHandler,
  type HealthCheckListen,
  healthCheckBody,
  ServiceHealthServer,
} from "./service-health.ts";

/** upstream's fakeListener + fakeHTTPServerFactory: open addresses and their handlers. */
class FakeListener {
  readonly open = new Map<string, HealthCheckHandler>();
  readonly listen: HealthCheckListen = async (host, port, handler) => {
    const addr = `${host}:${port}`;
    this.open.set(addr, handler);
    return { close: async () => void this.open.delete(addr) };
  };
}

const proxyChecker = { healthy: true, isHealthy: () => proxyChecker.healthy };

function newServer(listener: FakeListener): ServiceHealthServer {
  return new ServiceHealthServer({ hostname: "hostname", health: proxyChecker, listen: listener.listen });
}

/** tHandler: status, payload and headers of every listener of the service. */
function testHandler(
  listener: FakeListener,
  hcs: ServiceHealthServer,
  nsn: string,
  status: number,
  endpoints: number,
  kubeProxyHealthy = true,
): void {
  const port = hcs.ports().get(nsn);
  assert.ok(port, `${nsn} has no port`);
  const handler = listener.open.get(`0.0.0.0:${port}`);
  assert.ok(handler);
  const resp = handler();
  assert.ok(resp);
  assert.equal(resp.statusCode, status);
  const [namespace, name] = nsn.split("/");
  assert.deepEqual(JSON.parse(resp.body), {
    service: { namespace, name },
    localEndpoints: endpoints,
    serviceProxyHealthy: kubeProxyHealthy,
  });
  assert.equal(resp.headers["Content-Type"], "application/json");
  assert.equal(resp.headers["X-Content-Type-Options"], "nosniff");
  assert.equal(resp.headers["X-Load-Balancing-Endpoint-Weight"], String(endpoints));
}

const m = <V>(entries: Record<string, V>): Map<string, V> => new Map(Object.entries(entries));

describe("ServiceHealthServer", () => {
  it("follows SyncServices and SyncEndpoints (upstream TestServer)", async () => {
    const listener = new FakeListener();
    const hcs = newServer(listener);
    assert.equal(hcs.ports().size, 0);

    // sync nothing
    await hcs.syncServices(new Map());
    assert.equal(hcs.ports().size, 0);
    hcs.syncEndpoints(new Map());
    assert.equal(hcs.ports().size, 0);

    // sync unknown endpoints, should be dropped
    hcs.syncEndpoints(m({ "a/b": 93 }));
    assert.equal(hcs.ports().size, 0);

    // sync a real service
    const nsn = "a/b";
    await hcs.syncServices(m({ [nsn]: 9376 }));
    assert.equal(hcs.ports().size, 1);
    assert.equal(hcs.localEndpoints(nsn), 0);
    assert.deepEqual([...listener.open.keys()], ["0.0.0.0:9376"]);
    testHandler(listener, hcs, nsn, 503, 0);

    // sync an endpoint
    hcs.syncEndpoints(m({ [nsn]: 18 }));
    assert.equal(hcs.localEndpoints(nsn), 18);
    testHandler(listener, hcs, nsn, 200, 18);

    // sync zero endpoints
    hcs.syncEndpoints(m({ [nsn]: 0 }));
    assert.equal(hcs.localEndpoints(nsn), 0);
    testHandler(listener, hcs, nsn, 503, 0);

    // put the endpoint back, then sync nil endpoints
    hcs.syncEndpoints(m({ [nsn]: 11 }));
    assert.equal(hcs.localEndpoints(nsn), 11);
    hcs.syncEndpoints(new Map());
    assert.equal(hcs.ports().size, 1);
    assert.equal(hcs.localEndpoints(nsn), 0);
    testHandler(listener, hcs, nsn, 503, 0);

    // put the endpoint back, then delete the service
    hcs.syncEndpoints(m({ [nsn]: 18 }));
    assert.equal(hcs.localEndpoints(nsn), 18);
    const closedHandler = listener.open.get("0.0.0.0:9376")!;
    await hcs.syncServices(new Map());
    assert.equal(hcs.ports().size, 0);
    assert.equal(listener.open.size, 0);
    // A request that raced the close: "Received request for closed healthcheck", no body.
    assert.equal(closedHandler(), undefined);

    // sync multiple services
    const [nsn1, nsn2, nsn3, nsn4] = ["a/b", "c/d", "e/f", "g/h"];
    await hcs.syncServices(m({ [nsn1]: 9376, [nsn2]: 12909, [nsn3]: 11113 }));
    assert.equal(hcs.ports().size, 3);
    for (const n of [nsn1, nsn2, nsn3]) assert.equal(hcs.localEndpoints(n), 0);
    assert.equal(listener.open.size, 3);
    for (const n of [nsn1, nsn2, nsn3]) testHandler(listener, hcs, n, 503, 0);

    // sync endpoints
    hcs.syncEndpoints(m({ [nsn1]: 9, [nsn2]: 3, [nsn3]: 7 }));
    assert.equal(hcs.localEndpoints(nsn1), 9);
    assert.equal(hcs.localEndpoints(nsn2), 3);
    assert.equal(hcs.localEndpoints(nsn3), 7);
    testHandler(listener, hcs, nsn1, 200, 9);
    testHandler(listener, hcs, nsn2, 200, 3);
    testHandler(listener, hcs, nsn3, 200, 7);

    // sync new services: remove nsn1, leave nsn2, change nsn3's port, add nsn4
    await hcs.syncServices(m({ [nsn2]: 12909, [nsn3]: 11114, [nsn4]: 11878 }));
    assert.equal(hcs.ports().size, 3);
    assert.deepEqual([...listener.open.keys()].sort(), ["0.0.0.0:11114", "0.0.0.0:11878", "0.0.0.0:12909"]);
    assert.equal(hcs.localEndpoints(nsn2), 3);
    assert.equal(hcs.localEndpoints(nsn3), 0);
    assert.equal(hcs.localEndpoints(nsn4), 0);
    testHandler(listener, hcs, nsn2, 200, 3);
    testHandler(listener, hcs, nsn3, 503, 0);
    testHandler(listener, hcs, nsn4, 503, 0);

    // sync endpoints
    hcs.syncEndpoints(m({ [nsn1]: 9, [nsn2]: 3, [nsn3]: 7, [nsn4]: 6 }));
    assert.equal(hcs.ports().size, 3);
    assert.equal(hcs.localEndpoints(nsn1), undefined);
    testHandler(listener, hcs, nsn2, 200, 3);
    testHandler(listener, hcs, nsn3, 200, 7);
    testHandler(listener, hcs, nsn4, 200, 6);

    // sync endpoints, missing nsn2
    hcs.syncEndpoints(m({ [nsn3]: 7, [nsn4]: 6 }));
    assert.equal(hcs.localEndpoints(nsn2), 0);
    testHandler(listener, hcs, nsn2, 503, 0);
    testHandler(listener, hcs, nsn3, 200, 7);
    testHandler(listener, hcs, nsn4, 200, 6);

    // fake a temporary unhealthy proxy
    proxyChecker.healthy = false;
    testHandler(listener, hcs, nsn2, 503, 0, false);
    testHandler(listener, hcs, nsn3, 503, 7, false);
    testHandler(listener, hcs, nsn4, 503, 6, false);

    // fake a healthy proxy
    proxyChecker.healthy = true;
    testHandler(listener, hcs, nsn2, 503, 0, true);
    testHandler(listener, hcs, nsn3, 200, 7, true);
    testHandler(listener, hcs, nsn4, 200, 6, true);

    await hcs.close();
    assert.equal(listener.open.size, 0);
  });

  it("writes upstream's body byte for byte", () => {
    // strings.Trim(dedent.Dedent(...), "\n") of service_health.go's template.
    assert.equal(
      healthCheckBody("default", "web", 2, true),
      '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "web"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}',
    );
  });

  it("answers over HTTP on the node address, and stops when the service goes", async () => {
    const port = await freePort();
    const hcs = new ServiceHealthServer({ hostname: "node-a", health: proxyChecker, nodeIPs: ["127.0.0.1"] });
    await hcs.syncServices(m({ "default/web": port }));
    try {
      let res = await fetch(`http://127.0.0.1:${port}/any/path`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("x-load-balancing-endpoint-weight"), "0");
      assert.equal(await res.text(), healthCheckBody("default", "web", 0, true));

      hcs.syncEndpoints(m({ "default/web": 2 }));
      res = await fetch(`http://127.0.0.1:${port}/healthz`, { method: "POST" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(await res.text())));
      assert.equal(res.headers.get("x-load-balancing-endpoint-weight"), "2");
    } finally {
      await hcs.syncServices(new Map());
    }
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`));
  });

  it("reports FailedToStartServiceHealthcheck when the port is taken, and retries at the next sync", async () => {
    const port = await freePort();
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(port, "127.0.0.1", r));
    const events: Array<{ ref: unknown; type: string; reason: string; message: string }> = [];
    const hcs = new ServiceHealthServer({
      hostname: "node-a",
      health: proxyChecker,
      nodeIPs: ["127.0.0.1"],
      recorder: { event: (ref, type, reason, message) => events.push({ ref, type, reason, message }) },
    });
    try {
      await hcs.syncServices(m({ "ns/lb": port }));
      assert.equal(hcs.ports().size, 0);
      assert.equal(events.length, 1);
      assert.deepEqual(events[0].ref, { kind: "Service", namespace: "ns", name: "lb", uid: "ns/lb" });
      assert.equal(events[0].type, "Warning");
      assert.equal(events[0].reason, "FailedToStartServiceHealthcheck");
      assert.match(
        events[0].message,
        new RegExp(`^node node-a failed to start healthcheck "ns/lb" on port ${port}: .*EADDRINUSE`),
      );

      await new Promise<void>((r) => squatter.close(() => r()));
      await hcs.syncServices(m({ "ns/lb": port }));
      assert.deepEqual(hcs.ports(), m({ "ns/lb": port }));
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 503);
    } finally {
      squatter.close();
      await hcs.close();
    }
  });
});
