// The userspace proxy's throughput against a direct connection to the same
// backend, for `npm run bench -- proxy` (userspaceThroughputRatio). A child
// process runs the backend (a sink) and the client (writes as fast as the
// socket drains), so both runs load it alike; this process runs only the
// proxy socket, as kube-proxy would be a process of its own. Everything is on
// loopback, by default inside a network namespace made for the run.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { LoadBalancerRR } from "./load-balancer-rr.ts";
import { TcpProxySocket } from "./proxy-socket.ts";

export interface ThroughputResult {
  directBytesPerSec: number;
  proxiedBytesPerSec: number;
  /** proxied / direct */
  ratio: number;
}

export interface ThroughputOptions {
  /** Length of each of the two runs; default 2000 ms. */
  durationMs?: number;
  /** Run in a network namespace of its own (needs root); default true. */
  inNetns?: boolean;
}

/** The child: a sink on 127.0.0.1 and, on "run PORT MS", one connection writing 1 MiB chunks. */
const LOAD = `
const net = require('net');
let received = 0;
const sink = net.createServer((c) => c.on('data', (d) => { received += d.length; }).on('error', () => {}));
sink.listen(0, '127.0.0.1', () => console.log(sink.address().port));
const chunk = Buffer.alloc(1 << 20, 7);
require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const [, port, ms] = line.split(' ').map(Number);
  const c = net.connect(port, '127.0.0.1');
  let stop = false;
  const pump = () => { while (!stop && c.write(chunk)); };
  c.on('connect', () => {
    received = 0;
    const t0 = process.hrtime.bigint();
    pump();
    setTimeout(() => {
      stop = true;
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      console.log(Math.round(received / secs));
      c.destroy();
    }, ms);
  });
  c.on('drain', pump);
  c.on('error', () => {});
});
`;

function lines(child: { stdout: Readable }): () => Promise<string> {
  let buf = "";
  const waiting: Array<(l: string) => void> = [];
  const ready: string[] = [];
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    buf += d;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(l);
      else ready.push(l);
    }
  });
  return () => {
    const l = ready.shift();
    return l !== undefined ? Promise.resolve(l) : new Promise((r) => waiting.push(r));
  };
}

async function measureHere(durationMs: number): Promise<ThroughputResult> {
  const child = spawn(process.execPath, ["-e", LOAD], { stdio: ["pipe", "pipe", "inherit"] });
  const next = lines(child);
  let proxy: TcpProxySocket | undefined;
  try {
    const backendPort = Number(await next());
    const lb = new LoadBalancerRR();
    lb.setEndpoints("bench/backend:/TCP", [`127.0.0.1:${backendPort}`]);
    proxy = await TcpProxySocket.listen({
      service: "bench/backend:/TCP",
      loadBalancer: lb,
      listenIP: "127.0.0.1",
    });
    child.stdin.write(`run ${backendPort} ${durationMs}\n`);
    const direct = Number(await next());
    child.stdin.write(`run ${proxy.port} ${durationMs}\n`);
    const proxied = Number(await next());
    return {
      directBytesPerSec: direct,
      proxiedBytesPerSec: proxied,
      ratio: direct > 0 ? proxied / direct : 0,
    };
  } finally {
    await proxy?.close();
    child.kill("SIGKILL");
  }
}

export async function measureUserspaceThroughput(o: ThroughputOptions = {}): Promise<ThroughputResult> {
  const durationMs = o.durationMs ?? 2000;
  if (o.inNetns === false) return measureHere(durationMs);
  const ns = `k8ts-bench-${randomBytes(4).toString("hex")}`;
  execFileSync("ip", ["netns", "add", ns]);
  try {
    execFileSync("ip", ["netns", "exec", ns, "ip", "link", "set", "lo", "up"]);
    const out = execFileSync(
      "ip",
      [
        "netns",
        "exec",
        ns,
        process.execPath,
        "--import",
        "tsx",
        fileURLToPath(import.meta.url),
        String(durationMs),
      ],
      { encoding: "utf8", timeout: 4 * durationMs + 30_000 },
    );
    return JSON.parse(out.trim().split("\n").pop() ?? "{}") as ThroughputResult;
  } finally {
    execFileSync("ip", ["netns", "del", ns]);
  }
}

// Run as a script inside the namespace: measure here and print the result.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  measureHere(Number(process.argv[2] ?? 2000)).then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
