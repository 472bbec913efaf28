// The proxy sockets over loopback (no iptables): tryConnect's retries and
// timeouts, TCP and UDP proxying, closing connections of removed endpoints.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, describe, it } from "node:test";
import { LoadBalancerRR } from "./load-balancer-rr.ts";
import { ENDPOINT_DIAL_TIMEOUTS_MS, TcpProxySocket, tryConnect, UdpProxySocket } from "./proxy-socket.ts";

const SVC = "ns/svc:p/TCP";

function listen(s: Server): Promise<number> {
  return new Promise((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)));
}

function request(port: number, keep = false): Promise<{ data: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const c = connect(port, "127.0.0.1", () => c.write("hi"));
    c.once("data", (d) => {
      if (!keep) c.end();
      resolve({ data: String(d), socket: c });
    });
    c.once("error", reject);
  });
}

describe("tryConnect", () => {
  it("uses upstream's dial timeouts, one per endpoint, resetting affinity after a failure", async () => {
    const lb = new LoadBalancerRR({ shuffle: (s) => [...s] });
    lb.newService(SVC, "ClientIP", 60);
    lb.setEndpoints(SVC, ["a:1", "b:1", "c:1"]);
    const tried: Array<[string, number]> = [];
    const r = await tryConnect({ service: SVC, loadBalancer: lb }, "10.0.0.1", async (ep, t) => {
      tried.push([ep, t]);
      if (ep !== "c:1") throw new Error("connection refused");
      return ep;
    });
    assert.deepEqual(tried, [
      ["a:1", 250],
      ["b:1", 500],
      ["c:1", 1000],
    ]);
    assert.equal(r.endpoint, "c:1");
    // The client is now pinned to the endpoint that answered.
    assert.equal(lb.nextEndpoint(SVC, "10.0.0.1", false), "c:1");
  });

  it("gives up after four attempts with upstream's message", async () => {
    const lb = new LoadBalancerRR();
    lb.setEndpoints(SVC, ["a:1"]);
    let n = 0;
    await assert.rejects(
      tryConnect({ service: SVC, loadBalancer: lb }, undefined, async () => {
        n++;
        throw new Error("refused");
      }),
      { message: "failed to connect to an endpoint." },
    );
    assert.equal(n, ENDPOINT_DIAL_TIMEOUTS_MS.length);
  });

  it("fails at once without endpoints", async () => {
    const lb = new LoadBalancerRR();
    lb.newService(SVC, "None", 0);
    await assert.rejects(
      tryConnect({ service: SVC, loadBalancer: lb }, undefined, async () => "x"),
      { message: "missing endpoints" },
    );
  });
});

describe("TcpProxySocket and UdpProxySocket on loopback", () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  it("proxies TCP round robin and closes the connections of an endpoint that left", async () => {
    const ports: number[] = [];
    for (const name of ["a", "b"]) {
      const s = createServer((c) => c.on("data", () => c.write(name)).on("error", () => {}));
      servers.push(s);
      ports.push(await listen(s));
    }
    const lb = new LoadBalancerRR({ shuffle: (s) => [...s] });
    const eps = ports.map((p) => `127.0.0.1:${p}`);
    lb.setEndpoints(SVC, eps);
    const proxy = await TcpProxySocket.listen({ service: SVC, loadBalancer: lb, listenIP: "127.0.0.1" });
    try {
      assert.deepEqual(
        [
          (await request(proxy.port)).data,
          (await request(proxy.port)).data,
          (await request(proxy.port)).data,
        ],
        ["a", "b", "a"],
      );
      const kept = await request(proxy.port, true);
      assert.equal(kept.data, "b");
      assert.equal(proxy.connections().get(eps[1]), 1);
      const closed = new Promise((r) => kept.socket.once("close", r));
      assert.equal(proxy.closeStale(new Set([eps[0]])), 1);
      await closed;
      assert.equal(proxy.connections().size, 0);
    } finally {
      await proxy.close();
    }
  });

  it("passes a client's half-close through and still delivers the response", async () => {
    const s = createServer({ allowHalfOpen: true }, (c) => {
      let got = "";
      c.on("data", (d) => (got += d)).on("end", () => c.end(`echo:${got}`));
    });
    servers.push(s);
    const lb = new LoadBalancerRR();
    lb.setEndpoints(SVC, [`127.0.0.1:${await listen(s)}`]);
    const proxy = await TcpProxySocket.listen({ service: SVC, loadBalancer: lb, listenIP: "127.0.0.1" });
    try {
      const reply = await new Promise<string>((resolve) => {
        const c = connect({ port: proxy.port, host: "127.0.0.1", allowHalfOpen: true }, () => c.end("req"));
        let d = "";
        c.on("data", (b) => (d += b)).on("end", () => resolve(d));
      });
      assert.equal(reply, "echo:req");
    } finally {
      await proxy.close();
    }
  });

  it("proxies UDP per client and ends the session after the idle timeout", async () => {
    const backend = createSocket("udp4");
    backend.on("message", (m, r) => backend.send(`pong ${m}`, r.port, r.address));
    await new Promise<void>((r) => backend.bind(0, "127.0.0.1", () => r()));
    const lb = new LoadBalancerRR();
    const ep = `127.0.0.1:${backend.address().port}`;
    lb.setEndpoints("ns/dns:/UDP", [ep]);
    const proxy = await UdpProxySocket.listen({
      service: "ns/dns:/UDP",
      loadBalancer: lb,
      listenIP: "127.0.0.1",
      udpIdleTimeoutMs: 100,
    });
    const client = createSocket("udp4");
    try {
      const ask = (m: string) =>
        new Promise<string>((resolve) => {
          client.once("message", (d) => resolve(String(d)));
          client.send(m, proxy.port, "127.0.0.1");
        });
      assert.equal(await ask("one"), "pong one");
      assert.equal(await ask("two"), "pong two");
      assert.equal(proxy.connections().get(ep), 1);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(proxy.connections().size, 0);
    } finally {
      client.close();
      backend.close();
      await proxy.close();
    }
  });
});
