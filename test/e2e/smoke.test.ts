import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { nodeFlags } from "../../scripts/setup.mjs";
import { type Cluster, startCluster } from "./harness.ts";

describe("k8ts up stopped", () => {
  it("by SIGTERM right after ready exits at once and cleanly, not killed", async () => {
    const c = await startCluster();
    const { code, signal, ms } = await c.stop();
    assert.equal(signal, null, "exited by itself, not killed");
    assert.equal(code, 0);
    // A timer left running (e.g. by a controller started after the stop) holds the process.
    assert.ok(ms < 5_000, `took ${Math.round(ms)} ms`);
  });
});

describe("k8ts up with the real kubectl", () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
  });

  it("runs node on jemalloc, which npm test installs and ./k8ts preloads", () => {
    const maps = readFileSync(`/proc/${c.pid}/maps`, "utf8");
    assert.match(maps, /\/libjemalloc\.so\.2$/m, "k8ts up maps no jemalloc: is libjemalloc2 installed?");
  });

  it("runs node with the V8 flags of scripts/node-flags", () => {
    const argv = readFileSync(`/proc/${c.pid}/cmdline`, "utf8").split("\0");
    const flags = nodeFlags();
    assert.ok(flags.length > 0, "scripts/node-flags has no flags");
    for (const f of flags) assert.ok(argv.includes(f), `k8ts up runs without ${f}: ${argv.join(" ")}`);
  });

  it("serves version, namespaces and discovery", async () => {
    const v = await c.kubectl(["version", "-o", "json"]);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(JSON.parse(v.stdout).serverVersion.minor, "32");
    const ns = await c.kubectl(["get", "ns", "-o", "name"]);
    assert.deepEqual(ns.stdout.trim().split("\n").sort(), [
      "namespace/default",
      "namespace/kube-node-lease",
      "namespace/kube-public",
      "namespace/kube-system",
    ]);
    const res = await c.kubectl(["api-resources", "--no-headers"]);
    assert.match(res.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(res.stdout, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  });
});
