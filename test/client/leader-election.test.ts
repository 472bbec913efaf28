import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import { isConflict } from "../../src/client/api-error.ts";
import { LeaderElector } from "../../src/client/leader-election.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";
import { until } from "../support/until.ts";

let api: TestApiServer;
let client: RestClient;

before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
});
const running: AbortController[] = [];
after(async () => {
  // Electors of a failed test must not keep the process alive.
  for (const ac of running) ac.abort();
  client.close();
  await api.stop();
});

// Short durations keep the test quick; the ratios are upstream's (15 s / 10 s / 2 s).
const timing = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };

function candidate(identity: string, name: string, releaseOnCancel = false) {
  const state = { leading: false, started: 0, stopped: 0, leaders: [] as string[] };
  const ac = new AbortController();
  running.push(ac);
  const elector = new LeaderElector({
    client,
    namespace: "kube-system",
    name,
    identity,
    releaseOnCancel,
    ...timing,
    callbacks: {
      onStartedLeading: () => {
        state.leading = true;
        state.started++;
      },
      onStoppedLeading: () => {
        state.leading = false;
        state.stopped++;
      },
      onNewLeader: (id) => state.leaders.push(id),
    },
  });
  const done = elector.run(ac.signal);
  return { state, ac, done, elector };
}

test("two electors on one Lease: one leads; when it stops renewing the other takes over after expiry", async () => {
  const a = candidate("a", "failover");
  await until(() => a.state.leading, "a leads", 8000, 20);
  const b = candidate("b", "failover");
  // b keeps trying for longer than a lease, yet a renews, so b never leads.
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(b.state.leading, false);
  assert.deepEqual(b.state.leaders, ["a"]);
  const lease = await client.get<Lease>(Resources.leases, "failover", { namespace: "kube-system" });
  assert.equal(lease.spec?.holderIdentity, "a");
  assert.equal(lease.spec?.leaseDurationSeconds, 2);
  assert.match(lease.spec?.renewTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

  // a stops without releasing (a crash, say): b must wait out the lease.
  const stoppedAt = Date.now();
  a.ac.abort();
  await a.done;
  assert.equal(a.state.stopped, 1);
  await until(() => b.state.leading, "b takes over", 8000, 20);
  assert.ok(Date.now() - stoppedAt >= timing.leaseDurationMs - 300, "not before the lease expired");
  const after = await client.get<Lease>(Resources.leases, "failover", { namespace: "kube-system" });
  assert.equal(after.spec?.holderIdentity, "b");
  assert.equal(after.spec?.leaseTransitions, 1);
  b.ac.abort();
  await b.done;
});

test("a leader that cannot renew before the deadline stops leading at once", async () => {
  const a = candidate("a", "stolen");
  await until(() => a.state.leading, "a leads", 8000, 20);
  // Someone else takes the lease by force: every renew of a now fails.
  // a renews every 200 ms, so the read-modify-write may lose a race: retry on 409 as any client would.
  const farFuture = new Date(Date.now() + 3_600_000).toISOString().replace("Z", "000Z");
  for (let attempt = 0; ; attempt++) {
    const lease = await client.get<Lease>(Resources.leases, "stolen", { namespace: "kube-system" });
    try {
      await client.update<Lease>(Resources.leases, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: "intruder", renewTime: farFuture, leaseDurationSeconds: 3600 },
      });
      break;
    } catch (e) {
      if (!isConflict(e) || attempt > 10) throw e;
    }
  }
  await until(() => !a.state.leading, "a stops leading", 3000, 20);
  await a.done;
  assert.equal(a.state.stopped, 1);
});

test("releaseOnCancel hands the lease over without waiting for expiry", async () => {
  const a = candidate("a", "release", true);
  await until(() => a.state.leading, "a leads", 8000, 20);
  const b = candidate("b", "release");
  await new Promise((r) => setTimeout(r, 300));
  a.ac.abort();
  await a.done;
  const released = Date.now();
  await until(() => b.state.leading, "b leads", 8000, 20);
  assert.ok(Date.now() - released < timing.leaseDurationMs, "sooner than a full lease");
  b.ac.abort();
  await b.done;
});
