import assert from "node:assert/strict";
import { test } from "node:test";
import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import { Resources } from "../../client/resources.ts";
import type { KubeletContext } from "../types.ts";
import { FakeApi, type FakeCall } from "./fake-api.ts";
import { microTime, NodeLeaseController } from "./lease.ts";

const START = Date.UTC(2025, 0, 1, 12, 0, 0, 123);

function setup(opts: { withNode?: boolean } = {}) {
  const api = new FakeApi();
  const clock = new FakeClock(START);
  const ctx: KubeletContext = {
    nodeName: "node-1",
    client: api.client,
    clock,
    node: () => undefined,
    event: () => {},
    log: () => {},
  };
  let repeatedFailures = 0;
  const lease = new NodeLeaseController(ctx, {
    random: () => 0,
    onRepeatedHeartbeatFailure: () => repeatedFailures++,
  });
  const ready =
    opts.withNode === false
      ? Promise.resolve()
      : api.client.create(Resources.nodes, { metadata: { name: "node-1" } } as Node);
  return { api, clock, lease, ready, failures: () => repeatedFailures };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

const show = (c: FakeCall) => `${c.verb} ${c.resource}`;

async function stored(api: FakeApi): Promise<Lease> {
  return api.client.get<Lease>(Resources.leases, "node-1", { namespace: "kube-node-lease" });
}

test("MicroTime: RFC 3339 with microseconds", () => {
  assert.equal(microTime(START), "2025-01-01T12:00:00.123000Z");
});

test("creates kube-node-lease/<node> owned by the Node, then renews every 10 s without reading it", async () => {
  const { api, clock, lease, ready } = setup();
  await ready;
  const node = await api.client.get<Node>(Resources.nodes, "node-1");
  api.calls.length = 0;
  lease.start();
  await lease.idle();
  assert.deepEqual(api.calls.map(show), ["get leases", "get nodes", "create leases"]);
  const created = await stored(api);
  assert.deepEqual(created.spec, {
    holderIdentity: "node-1",
    leaseDurationSeconds: 40,
    renewTime: "2025-01-01T12:00:00.123000Z",
  });
  assert.deepEqual(created.metadata?.ownerReferences, [
    { apiVersion: "v1", kind: "Node", name: "node-1", uid: node.metadata?.uid },
  ]);

  api.calls.length = 0;
  clock.step(9_999);
  await flush();
  assert.deepEqual(api.calls, []);
  clock.step(1);
  await lease.idle();
  assert.deepEqual(api.calls.map(show), ["update leases"]);
  assert.equal((await stored(api)).spec?.renewTime, microTime(START + 10_000));
  for (let i = 2; i <= 4; i++) {
    clock.step(10_000);
    await lease.idle();
    assert.equal((await stored(api)).spec?.renewTime, microTime(START + i * 10_000));
  }
  assert.equal(api.writes("leases").length, 4);
  await lease.stop();
  assert.equal(clock.pending, 0);
});

test("no Node yet: no lease this time, tried again at the next interval", async () => {
  const { api, clock, lease } = setup({ withNode: false });
  lease.start();
  await lease.idle();
  assert.deepEqual(api.calls.map(show), ["get leases", "get nodes"]);
  assert.equal(lease.lease(), undefined);
  await api.client.create(Resources.nodes, { metadata: { name: "node-1" } } as Node);
  api.calls.length = 0;
  clock.step(10_000);
  await lease.idle();
  assert.deepEqual(api.calls.map(show), ["get leases", "get nodes", "create leases"]);
  await lease.stop();
});

test("failed renewals: five tries, then get-or-create with backoff 200 ms, 400 ms…", async () => {
  const { api, clock, lease, ready, failures } = setup();
  await ready;
  lease.start();
  await lease.idle();
  api.calls.length = 0;
  api.failNext(5, (c) => c.verb === "update");
  api.failNext(2, (c) => c.verb === "get" && c.resource === "leases");
  clock.step(10_000);
  await flush();
  assert.deepEqual(api.calls.map(show), [
    "update leases",
    "update leases",
    "update leases",
    "update leases",
    "update leases",
    "get leases",
  ]);
  // upstream calls onRepeatedHeartbeatFailure from the second failure on.
  assert.equal(failures(), 4);
  clock.step(199);
  await flush();
  assert.equal(api.calls.length, 6);
  clock.step(1);
  await flush();
  assert.equal(api.calls.length, 7);
  clock.step(399);
  await flush();
  assert.equal(api.calls.length, 7);
  clock.step(1);
  await lease.idle();
  assert.deepEqual(api.calls.slice(7).map(show), ["get leases", "update leases"]);
  assert.equal((await stored(api)).spec?.renewTime, microTime(START + 10_600));
  await lease.stop();
});

test("a conflict re-reads the lease and renews on top of it", async () => {
  const { api, clock, lease, ready } = setup();
  await ready;
  lease.start();
  await lease.idle();
  // Someone else writes the lease: our resourceVersion is stale.
  const other = await stored(api);
  await api.client.update(Resources.leases, other, { namespace: "kube-node-lease" });
  api.calls.length = 0;
  clock.step(10_000);
  await lease.idle();
  assert.deepEqual(api.calls.map(show), ["update leases", "get leases", "update leases"]);
  assert.equal((await stored(api)).spec?.renewTime, microTime(START + 10_000));
  await lease.stop();
});

test("a lease deleted behind our back is created again", async () => {
  const { api, clock, lease, ready } = setup();
  await ready;
  lease.start();
  await lease.idle();
  api.objects.delete("leases/kube-node-lease/node-1");
  api.calls.length = 0;
  clock.step(10_000);
  await lease.idle();
  assert.deepEqual(api.calls.map(show).slice(-3), ["get leases", "get nodes", "create leases"]);
  assert.equal((await stored(api)).spec?.renewTime, microTime(START + 10_000));
  await lease.stop();
});
