// The apiserver's resident memory through a write burst and after it:
// `node --import tsx bench/_memidle.ts` starts the bundle's apiserver (data on
// tmpfs), creates N pods (default 10,000) from 32 clients, patches a label on
// each, then idles 24 s, printing RSS (MB) at each step, and at the end the
// V8 heap figures from /metrics and the process's anonymous memory. Malloc
// and V8 settings to compare come from the environment (MALLOC_CONF for
// jemalloc, or K8TS_MALLOC=libc with glibc's MALLOC_* variables;
// BENCH_NODE_ARGS such as --max-semi-space-size=4), as the apiserver inherits them.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Resources } from "../src/client/resources.ts";
import { RestClient } from "../src/client/rest-client.ts";
import { freePort } from "../test/support/ports.ts";
import {
  benchPod,
  clientConfigFor,
  inParallel,
  loadClusterCA,
  rssMb,
  startApiserver,
  stopProcess,
} from "./_apiserver.ts";

const N = Number(process.env.N ?? 10_000);
const dataDir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : "/tmp", "memidle-"));
const port = await freePort();
const server = await startApiserver(dataDir, port);
const client = new RestClient(
  await clientConfigFor(await loadClusterCA(dataDir), port, "admin", ["system:masters"]),
);

console.log("start rss", rssMb(server.pid!));
await inParallel(N, (i) => client.create(Resources.pods, benchPod(i)));
console.log("after creates rss", rssMb(server.pid!));
await inParallel(N, (i) =>
  client.patch(
    Resources.pods,
    `p-${i}`,
    { metadata: { labels: { v: "2" } } },
    { type: "merge", namespace: "default" },
  ),
);
console.log("after patches rss", rssMb(server.pid!));
for (let s = 1; s <= 8; s++) {
  await new Promise((r) => setTimeout(r, 3000));
  console.log(`idle ${s * 3}s rss`, rssMb(server.pid!));
}
const metrics = await client.raw("/metrics");
console.log(
  metrics
    .split("\n")
    .filter((l) => /^nodejs_(heap|external)/.test(l))
    .join("\n"),
);
const rollup = readFileSync(`/proc/${server.pid}/smaps_rollup`, "utf8");
console.log(/Anonymous:.*/.exec(rollup)?.[0]);
client.close();
await stopProcess(server);
rmSync(dataDir, { recursive: true, force: true });
