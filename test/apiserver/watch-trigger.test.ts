// Watches of pods with fieldSelector spec.nodeName=<node> (every kubelet's,
// and the scheduler's spec.nodeName= for pods without one), and watches of one
// object by metadata.name (a kubelet's of its Node), are indexed by that value
// in the store, as upstream's cacher does, instead of every change being
// offered to every such watch. What each watch sees must not change: a pod
// bound to its node arrives as ADDED, changes there as MODIFIED, its deletion
// as DELETED, and other nodes' pods never.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ConfigMap, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { type ResourceRef, RestClient, type WatchEvent } from "../../src/client/rest-client.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
let client: RestClient;

before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
});
after(async () => {
  client.close();
  await api.stop();
});

/** The first `count` events of a watch of res in default with fieldSelector, as `show` puts them. */
async function watchEvents<T extends Pod | ConfigMap>(
  res: ResourceRef,
  fieldSelector: string,
  resourceVersion: string,
  count: number,
  show: (e: WatchEvent<T>) => string = (e) => `${e.type} ${(e.object as T).metadata?.name}`,
): Promise<string[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 10_000);
  const got: string[] = [];
  try {
    for await (const e of client.watch<T>(res, {
      namespace: "default",
      fieldSelector,
      resourceVersion,
      signal: abort.signal,
    }) as AsyncIterable<WatchEvent<T>>) {
      got.push(show(e));
      if (got.length === count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return got;
}

const pod = (name: string): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec: { containers: [{ name: "c", image: "k8ts.local/pause:3.10" }] },
});

const bind = (name: string, node: string) =>
  client.create(
    Resources.pods,
    {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name, namespace: "default" },
      target: { kind: "Node", name: node },
    },
    { namespace: "default", subresource: "binding" },
  );

test("a node's pod watch sees its pods bound, changed and deleted, and no other node's", async () => {
  const rv = (await client.list(Resources.pods, { namespace: "default" })).metadata.resourceVersion!;
  const n1 = watchEvents(Resources.pods, "spec.nodeName=n1", rv, 3);
  const n2 = watchEvents(Resources.pods, "spec.nodeName=n2", rv, 1);
  const unbound = watchEvents(Resources.pods, "spec.nodeName=", rv, 4);
  await client.create(Resources.pods, pod("a"));
  await client.create(Resources.pods, pod("b"));
  await bind("a", "n1");
  await client.patch(
    Resources.pods,
    "a",
    { metadata: { labels: { seen: "yes" } } },
    { type: "merge", namespace: "default" },
  );
  await bind("b", "n2");
  await client.delete(Resources.pods, "a", { namespace: "default", gracePeriodSeconds: 0 });
  assert.deepEqual(await n1, ["ADDED a", "MODIFIED a", "DELETED a"]);
  assert.deepEqual(await n2, ["ADDED b"]);
  // Binding takes a pod out of the unscheduled pods' view.
  assert.deepEqual(await unbound, ["ADDED a", "ADDED b", "DELETED a", "DELETED b"]);
});

test("a watch of one object by metadata.name sees its changes and deletion, and no other object's", async () => {
  const rv = (await client.list(Resources.configmaps, { namespace: "default" })).metadata.resourceVersion!;
  const watching = watchEvents<ConfigMap>(Resources.configmaps, "metadata.name=one", rv, 3, (e) => {
    const cm = e.object as ConfigMap;
    return `${e.type} ${cm.metadata?.name} ${JSON.stringify(cm.data ?? {})}`;
  });
  const cm = (name: string, v: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default" },
    data: { v },
  });
  await client.create(Resources.configmaps, cm("other", "1"));
  await client.create(Resources.configmaps, cm("one", "1"));
  await client.update(Resources.configmaps, cm("other", "2"));
  await client.patch(
    Resources.configmaps,
    "one",
    { data: { v: "2" } },
    { type: "merge", namespace: "default" },
  );
  await client.delete(Resources.configmaps, "other", { namespace: "default" });
  await client.delete(Resources.configmaps, "one", { namespace: "default" });
  assert.deepEqual(await watching, [
    'ADDED one {"v":"1"}',
    'MODIFIED one {"v":"2"}',
    'DELETED one {"v":"2"}',
  ]);
});
