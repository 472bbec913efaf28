// node --import tsx bench/_https-floor.ts: what Node's HTTPS costs on this machine before any API work.
// A server that only reads the body, parses it and answers it back (201) takes bench api's pod
// creates from the same load generator (32 keep-alive clients over TLS with client certificates,
// 2 s of warm-up, then 10 s): the ceiling of createPerSec for any apiserver in one Node process here,
// and the CPU a request costs each side when nothing else is done.
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:https";
import { nodeFlags } from "../scripts/setup.mjs";
import { CertificateAuthority } from "../src/apiserver/certs.ts";
import { freePort } from "../test/support/ports.ts";
import { httpsClient, spawnReady, stopProcess, timedCreates } from "./_apiserver.ts";

const CLIENTS = 32;

if (process.argv[2] === "serve") {
  const tls = JSON.parse(process.env.FLOOR_TLS ?? "{}");
  const server = createServer({ ...tls, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.from(JSON.stringify(JSON.parse(Buffer.concat(chunks).toString())));
      res.writeHead(201, { "Content-Type": "application/json", "Content-Length": body.length });
      res.end(body);
    });
  });
  server.listen(Number(process.argv[3]), "127.0.0.1", () => process.stderr.write("serving on\n"));
} else {
  const { ca } = await CertificateAuthority.create();
  const serving = await ca.issueServing("floor", ["127.0.0.1"]);
  const client = await ca.issueClient("bench-admin", ["system:masters"]);
  const port = await freePort();
  const child: ChildProcess = await spawnReady(
    "https floor server",
    process.execPath,
    [...nodeFlags(), "--import", "tsx", import.meta.filename, "serve", String(port)],
    "stderr",
    "serving on",
    { FLOOR_TLS: JSON.stringify({ ...serving, ca: ca.certPem }) },
  );
  const api = httpsClient(port, { ...client, ca: ca.certPem }, CLIENTS);
  const r = await timedCreates([{ api, pid: child.pid! }], CLIENTS);
  const [serverCpu] = r.serverCpu;
  console.log(
    JSON.stringify({
      bench: "https-floor",
      requestsPerSec: Math.round(r.ops / r.seconds),
      serverCpuPct: Math.round((serverCpu / r.seconds) * 100),
      serverUsPerRequest: Math.round((serverCpu * 1e6) / r.ops),
      clientUsPerRequest: Math.round((r.clientCpu * 1e6) / r.ops),
    }),
  );
  await stopProcess(child);
  process.exit(0);
}
