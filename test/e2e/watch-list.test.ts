// List and watch semantics seen through `kubectl get --raw`: watches resumed
// from a resourceVersion, initial ADDED events, paging with limit/continue
// over a consistent snapshot, resourceVersionMatch=Exact, and label/field
// selectors on watches (with the synthetic ADDED/DELETED an object gets when
// its labels move into or out of the selector).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ConfigMap, ConfigMapList } from "kubernetes-types/core/v1.d.ts";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: ConfigMap;
}

/** Events of a watch stream: one JSON object per line. */
function events(stdout: string): WatchEvent[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as WatchEvent);
}

const summary = (evs: WatchEvent[]) => evs.map((e) => `${e.type} ${e.object.metadata?.name}`);

describe("list and watch through kubectl get --raw", () => {
  let c: Cluster;
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const raw = async (path: string): Promise<string> => ok(await c.kubectl(["get", "--raw", path])).stdout;
  const list = async (ns: string, query = ""): Promise<ConfigMapList> =>
    JSON.parse(await raw(`/api/v1/namespaces/${ns}/configmaps${query}`)) as ConfigMapList;
  const names = (l: ConfigMapList) => l.items.map((i) => i.metadata?.name);
  const createConfigMaps = async (ns: string, ...cms: string[]) => {
    const docs = [`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`];
    for (const name of cms)
      docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${ns}}\n`);
    ok(await c.kubectl(["apply", "-f", file(`${ns}-${cms.join("-")}.yaml`, docs.join("---\n"))]));
  };
  // A controller manager may publish kube-root-ca.crt in every namespace; these lists leave it out.
  const NOT_ROOT_CA = "fieldSelector=metadata.name%21%3Dkube-root-ca.crt";

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "k8ts-watch-"));
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a watch from a resourceVersion returns exactly the later events, then ends at timeoutSeconds", async () => {
    await createConfigMaps("wa", "a");
    const rv = (await list("wa")).metadata?.resourceVersion;
    assert.match(rv ?? "", /^\d+$/);
    ok(await c.kubectl(["create", "configmap", "b", "-n", "wa"]));
    ok(await c.kubectl(["patch", "cm", "a", "-n", "wa", "--type=merge", "-p", '{"data":{"x":"1"}}']));
    ok(await c.kubectl(["delete", "cm", "b", "-n", "wa"]));
    const started = Date.now();
    const evs = events(
      await raw(
        `/api/v1/namespaces/wa/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=1&${NOT_ROOT_CA}`,
      ),
    );
    const elapsed = Date.now() - started;
    assert.deepEqual(summary(evs), ["ADDED b", "MODIFIED a", "DELETED b"]);
    assert.deepEqual(evs[1].object.data, { x: "1" });
    assert.equal(evs[1].object.kind, "ConfigMap");
    assert.equal(evs[1].object.apiVersion, "v1");
    // Each event carries the revision of its write, in increasing order.
    const rvs = evs.map((e) => Number(e.object.metadata?.resourceVersion));
    assert.ok(rvs[0] > Number(rv) && rvs[0] < rvs[1] && rvs[1] < rvs[2], `resourceVersions ${rvs}`);
    assert.ok(elapsed >= 900 && elapsed < 10_000, `the watch lasted ${elapsed} ms`);
  });

  it("a watch without a resourceVersion (or with 0) starts with ADDED for every current object", async () => {
    await createConfigMaps("wb", "one", "two");
    for (const rv of ["", "&resourceVersion=0"]) {
      const evs = events(
        await raw(`/api/v1/namespaces/wb/configmaps?watch=true&timeoutSeconds=1&${NOT_ROOT_CA}${rv}`),
      );
      assert.deepEqual(summary(evs).sort(), ["ADDED one", "ADDED two"], rv);
    }
  });

  it("limit and continue page through one consistent snapshot", async () => {
    await createConfigMaps("pg", "p1", "p2", "p3", "p4", "p5");
    const first = await list("pg", `?limit=2&${NOT_ROOT_CA}`);
    const rv = first.metadata?.resourceVersion;
    assert.deepEqual(names(first), ["p1", "p2"]);
    assert.ok(first.metadata?.continue, "first page has a continue token");

    // Changes after the first page do not show in the later pages.
    ok(await c.kubectl(["create", "configmap", "p6", "-n", "pg"]));
    ok(await c.kubectl(["delete", "cm", "p3", "-n", "pg"]));

    const second = await list(
      "pg",
      `?limit=2&${NOT_ROOT_CA}&continue=${encodeURIComponent(first.metadata?.continue ?? "")}`,
    );
    assert.deepEqual(names(second), ["p3", "p4"]);
    assert.equal(second.metadata?.resourceVersion, rv);
    assert.ok(second.metadata?.continue, "second page has a continue token");
    const third = await list(
      "pg",
      `?limit=2&${NOT_ROOT_CA}&continue=${encodeURIComponent(second.metadata?.continue ?? "")}`,
    );
    assert.deepEqual(names(third), ["p5"]);
    assert.equal(third.metadata?.resourceVersion, rv);
    assert.equal(third.metadata?.continue, undefined);
    assert.equal(third.metadata?.remainingItemCount, undefined);

    // A fresh list sees the changes.
    assert.deepEqual(names(await list("pg", `?${NOT_ROOT_CA}`)), ["p1", "p2", "p4", "p5", "p6"]);
  });

  it("a paged list without selectors reports remainingItemCount", async () => {
    await createConfigMaps("rc", "r1", "r2", "r3");
    const all = await list("rc");
    const total = all.items.length;
    const page = await list("rc", "?limit=1");
    assert.deepEqual(names(page), [names(all)[0]]);
    assert.equal(page.metadata?.remainingItemCount, total - 1);
  });

  it("resourceVersionMatch=Exact lists the collection as it was at that revision", async () => {
    await createConfigMaps("ex", "e1", "e2");
    const rv = (await list("ex")).metadata?.resourceVersion;
    ok(await c.kubectl(["create", "configmap", "e3", "-n", "ex"]));
    ok(await c.kubectl(["delete", "cm", "e1", "-n", "ex"]));
    ok(await c.kubectl(["patch", "cm", "e2", "-n", "ex", "--type=merge", "-p", '{"data":{"v":"new"}}']));

    const exact = await list("ex", `?resourceVersion=${rv}&resourceVersionMatch=Exact&${NOT_ROOT_CA}`);
    assert.equal(exact.metadata?.resourceVersion, rv);
    assert.deepEqual(names(exact), ["e1", "e2"]);
    assert.equal(exact.items[1].data, undefined);

    const now = await list("ex", `?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan&${NOT_ROOT_CA}`);
    assert.deepEqual(names(now), ["e2", "e3"]);
    assert.deepEqual(now.items[0].data, { v: "new" });
    assert.ok(Number(now.metadata?.resourceVersion) > Number(rv));
  });

  it("a labelSelector watch turns label changes into ADDED and DELETED", async () => {
    await createConfigMaps("lw");
    const rv = (await list("lw")).metadata?.resourceVersion;
    ok(await c.kubectl(["create", "configmap", "obj", "-n", "lw"]));
    ok(await c.kubectl(["create", "configmap", "other", "-n", "lw"]));
    ok(await c.kubectl(["label", "cm", "obj", "-n", "lw", "team=x"])); // into the selector: ADDED
    ok(await c.kubectl(["annotate", "cm", "obj", "-n", "lw", "note=1"])); // still inside: MODIFIED
    ok(await c.kubectl(["label", "cm", "other", "-n", "lw", "team=y"])); // never inside: nothing
    ok(await c.kubectl(["label", "cm", "obj", "-n", "lw", "team=y", "--overwrite"])); // out of it: DELETED
    const deletedAt = ok(
      await c.kubectl(["get", "cm", "obj", "-n", "lw", "-o", "jsonpath={.metadata.resourceVersion}"]),
    ).stdout;
    ok(await c.kubectl(["label", "cm", "obj", "-n", "lw", "team=x", "--overwrite"])); // back in: ADDED
    ok(await c.kubectl(["delete", "cm", "obj", "-n", "lw"])); // deleted while inside: DELETED

    const evs = events(
      await raw(
        `/api/v1/namespaces/lw/configmaps?watch=1&labelSelector=team%3Dx&resourceVersion=${rv}&timeoutSeconds=1`,
      ),
    );
    assert.deepEqual(summary(evs), ["ADDED obj", "MODIFIED obj", "DELETED obj", "ADDED obj", "DELETED obj"]);
    assert.deepEqual(evs[0].object.metadata?.labels, { team: "x" });
    // The synthetic DELETED carries the last state that matched, at the revision of the change.
    assert.deepEqual(evs[2].object.metadata?.labels, { team: "x" });
    assert.equal(evs[2].object.metadata?.resourceVersion, deletedAt);
  });

  it("a fieldSelector watch on metadata.name sees only that object", async () => {
    await createConfigMaps("fw");
    const rv = (await list("fw")).metadata?.resourceVersion;
    ok(await c.kubectl(["create", "configmap", "mine", "-n", "fw"]));
    ok(await c.kubectl(["create", "configmap", "yours", "-n", "fw"]));
    ok(await c.kubectl(["delete", "cm", "yours", "mine", "-n", "fw"]));
    const evs = events(
      await raw(
        `/api/v1/namespaces/fw/configmaps?watch=1&fieldSelector=metadata.name%3Dmine&resourceVersion=${rv}&timeoutSeconds=1`,
      ),
    );
    assert.deepEqual(summary(evs), ["ADDED mine", "DELETED mine"]);
  });

  it("a watch across all namespaces sees every namespace's events", async () => {
    const rv = JSON.parse(await raw("/api/v1/configmaps?limit=1")).metadata.resourceVersion;
    await createConfigMaps("all1", "x1");
    await createConfigMaps("all2", "x2");
    const evs = events(
      await raw(`/api/v1/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=1&${NOT_ROOT_CA}`),
    );
    assert.deepEqual(
      evs.map((e) => `${e.type} ${e.object.metadata?.namespace}/${e.object.metadata?.name}`),
      ["ADDED all1/x1", "ADDED all2/x2"],
    );
  });
});
