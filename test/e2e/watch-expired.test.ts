// What clients see once the store has compacted the history they ask for:
// `k8ts up --etcd-compaction-interval 1s`, some writes, then watches, exact
// lists and continue tokens from before the compaction.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const CONTINUE_TOO_OLD =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

describe("expired resourceVersions after compaction", () => {
  let c: Cluster;
  let dir: string;
  /** A resourceVersion from before the writes below. */
  let early = "";
  /** A continue token taken before the compaction. */
  let token = "";

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "k8ts-expired-"));
    c = await startCluster({ args: ["--etcd-compaction-interval", "1s"] });
    const f = join(dir, "cms.yaml");
    writeFileSync(
      f,
      ["c1", "c2", "c3"]
        .map((n) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}, namespace: default}\n`)
        .join("---\n"),
    );
    ok(await c.kubectl(["apply", "-f", f]));
    early = ok(await c.kubectl(["get", "cm", "c1", "-o", "jsonpath={.metadata.resourceVersion}"])).stdout;
    const page = JSON.parse(
      ok(await c.kubectl(["get", "--raw", "/api/v1/namespaces/default/configmaps?limit=1"])).stdout,
    );
    token = page.metadata.continue;
    assert.ok(token, "a continue token");
    // Writes after the token; the compactor (each tick compacts to the revision
    // the previous tick saw) then moves past all of them within a few ticks.
    ok(await c.kubectl(["create", "configmap", "later", "--from-literal=a=1"]));
    ok(await c.kubectl(["patch", "cm", "later", "--type=merge", "-p", '{"data":{"a":"2"}}']));
    await new Promise((r) => setTimeout(r, 3500));
  });
  after(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a watch from a compacted resourceVersion gets one ERROR event with a 410 Expired Status", async () => {
    const r = ok(
      await c.kubectl([
        "get",
        "--raw",
        `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${early}&timeoutSeconds=5`,
      ]),
    );
    const lines = r.stdout.split("\n").filter(Boolean);
    assert.equal(lines.length, 1, r.stdout);
    const ev = JSON.parse(lines[0]);
    assert.equal(ev.type, "ERROR");
    assert.equal(ev.object.kind, "Status");
    assert.equal(ev.object.apiVersion, "v1");
    assert.equal(ev.object.status, "Failure");
    assert.equal(ev.object.reason, "Expired");
    assert.equal(ev.object.code, 410);
    // The watch cache's wording upstream; etcd's own is the second.
    assert.match(
      ev.object.message,
      new RegExp(
        `^(too old resource version: ${early} \\(\\d+\\)|The resourceVersion for the provided watch is too old\\.)$`,
      ),
    );
  });

  it("resourceVersionMatch=Exact at a compacted revision is 410 Expired", async () => {
    const r = await c.kubectl([
      "get",
      "--raw",
      `/api/v1/namespaces/default/configmaps?resourceVersion=${early}&resourceVersionMatch=Exact`,
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "Error from server (Expired): The resourceVersion for the provided list is too old.\n",
    );
  });

  it("a continue token from before the compaction is 410 Expired", async () => {
    const r = await c.kubectl([
      "get",
      "--raw",
      `/api/v1/namespaces/default/configmaps?limit=1&continue=${encodeURIComponent(token)}`,
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error from server (Expired): ${CONTINUE_TOO_OLD}\n`);
  });

  it("a plain list at an old resourceVersion (not older than) still answers with the current state", async () => {
    const l = JSON.parse(
      ok(await c.kubectl(["get", "--raw", `/api/v1/namespaces/default/configmaps?resourceVersion=${early}`]))
        .stdout,
    );
    const names = l.items
      .map((i: { metadata: { name: string } }) => i.metadata.name)
      .filter((n: string) => n !== "kube-root-ca.crt");
    assert.deepEqual(names, ["c1", "c2", "c3", "later"]);
    assert.ok(Number(l.metadata.resourceVersion) > Number(early));
  });

  it("kubectl get -w still works: it lists, then watches from the list's resourceVersion", async () => {
    const r = await c.kubectl(["get", "cm", "later", "-w", "--request-timeout=2s", "-o", "name"]);
    assert.equal(r.stdout, "configmap/later\n");
  });
});
