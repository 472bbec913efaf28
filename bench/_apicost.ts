// Server-side CPU per request type: apiserver child process CPU (from /proc) per request.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Resources } from "../src/client/resources.ts";
import { RestClient } from "../src/client/rest-client.ts";
import { freePort } from "../test/support/ports.ts";
import {
  benchPod,
  clientConfigFor,
  cpuSeconds,
  inParallel,
  loadClusterCA,
  startApiserver,
  stopProcess,
} from "./_apiserver.ts";

const N = Number(process.env.N ?? 4000);
const dataDir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : "/tmp", "apicost-"));
const port = await freePort();
const server = await startApiserver(dataDir, port);
const ca = await loadClusterCA(dataDir);
const client = new RestClient(await clientConfigFor(ca, port, "admin", ["system:masters"]));
const cpu = () => cpuSeconds(server.pid!) * 1e6; // µs (100 Hz ticks)
async function phase(name: string, op: (i: number) => Promise<unknown>) {
  const c0 = cpu();
  const t0 = performance.now();
  await inParallel(N, op);
  const us = cpu() - c0;
  console.log(
    name.padEnd(14),
    "server µs/req",
    (us / N).toFixed(0).padStart(5),
    " req/s",
    Math.round(N / ((performance.now() - t0) / 1000)),
  );
}
await client.create(Resources.nodes, { apiVersion: "v1", kind: "Node", metadata: { name: "n1" } });
await phase("create pod", (i) => client.create(Resources.pods, benchPod(i)));
await phase("get pod", (i) => client.get(Resources.pods, `p-${i}`, { namespace: "default" }));
await phase("binding", (i) =>
  client.create(
    Resources.pods,
    {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: `p-${i}`, namespace: "default" },
      target: { apiVersion: "v1", kind: "Node", name: "n1" },
    },
    { subresource: "binding" },
  ),
);
await phase("create event", (i) =>
  client.create(Resources.events, {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `e-${i}`, namespace: "default" },
    involvedObject: { kind: "Pod", name: `p-${i}`, namespace: "default" },
    reason: "Scheduled",
    message: `Successfully assigned default/p-${i} to n1`,
    type: "Normal",
    source: { component: "default-scheduler" },
    firstTimestamp: new Date().toISOString().replace(/\.\d+Z/, "Z"),
    lastTimestamp: new Date().toISOString().replace(/\.\d+Z/, "Z"),
    count: 1,
  }),
);
await phase("status patch", (i) =>
  client.patch(
    Resources.pods,
    `p-${i}`,
    { status: { conditions: [{ type: "PodScheduled", status: "True" }] } },
    { type: "strategic", namespace: "default", subresource: "status" },
  ),
);
client.close();
await stopProcess(server);
rmSync(dataDir, { recursive: true, force: true });
