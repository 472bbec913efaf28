// The runtime manager over the hollow nodes' fake runtime (../runtime/fake.ts):
// the pieces agree on labels, annotations and timings.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import { FakeRuntime } from "../runtime/fake.ts";
import { Backoff, CONTAINER_BACKOFF_INITIAL_MS, CONTAINER_BACKOFF_MAX_MS } from "./backoff.ts";
import { restartCountOf } from "./labels.ts";
import { runningPodFromStatus } from "./running-pod.ts";
import { KubeRuntimeManager } from "./runtime-manager.ts";

function setup(runtimeHandler?: (name: string) => Promise<string>) {
  const clock = new FakeClock(1_700_000_000_000);
  const rt = new FakeRuntime({ clock, podCIDR: () => "10.244.1.0/24" });
  const events: string[] = [];
  const m = new KubeRuntimeManager({
    ctx: {
      clock,
      event: (_p, _t, reason, message) => events.push(`${reason}: ${message}`),
      log: () => {},
      node: () => undefined,
    },
    runtime: rt,
    images: rt,
    runtimeHandler,
  });
  const backOff = new Backoff({
    clock,
    initialMs: CONTAINER_BACKOFF_INITIAL_MS,
    maxMs: CONTAINER_BACKOFF_MAX_MS,
  });
  const status = () => m.getPodStatus("u1", "web", "default");
  const sync = async (pod: Pod) => m.syncPod(pod, await status(), backOff);
  return { clock, rt, m, events, status, sync };
}

function pod(annotations: Record<string, string>, spec: Partial<Pod["spec"]> = {}): Pod {
  return {
    metadata: { name: "web", namespace: "default", uid: "u1", annotations },
    spec: {
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      containers: [{ name: "app", image: "k8ts.local/busybox:latest", imagePullPolicy: "IfNotPresent" }],
      ...spec,
    },
  };
}

/** By container name (created in the same millisecond, containers of different names tie); newest attempt first. */
const states = (s: Awaited<ReturnType<ReturnType<typeof setup>["status"]>>) =>
  s.containers
    .map((c) => `${c.metadata.name}:${c.state}:${c.exitCode}:${restartCountOf(c)}`)
    .sort((a, b) => a.split(":")[0].localeCompare(b.split(":")[0]));

test("init container completes at once, then the app runs with a pod IP", async () => {
  const { sync, status } = setup();
  const p = pod({}, { initContainers: [{ name: "init", image: "k8ts.local/busybox:latest" }] });
  await sync(p);
  let s = await status();
  assert.deepEqual(states(s), ["init:CONTAINER_EXITED:0:0"]);
  assert.match(s.ips[0], /^10\.244\.1\./);
  await sync(p);
  s = await status();
  assert.deepEqual(states(s), ["app:CONTAINER_RUNNING:0:0", "init:CONTAINER_EXITED:0:0"]);
});

test("a sidecar keeps running; a crashing app restarts, then backs off", async () => {
  const { clock, sync, status } = setup();
  const p = pod(
    {
      "fake.k8ts.io/run-seconds": "5",
      "fake.k8ts.io/exit-code": "1",
      "run-seconds.fake.k8ts.io/proxy": "-1",
    },
    { initContainers: [{ name: "proxy", image: "k8ts.local/busybox:latest", restartPolicy: "Always" }] },
  );
  await sync(p);
  await sync(p);
  assert.deepEqual(states(await status()), ["app:CONTAINER_RUNNING:0:0", "proxy:CONTAINER_RUNNING:0:0"]);
  clock.step(5_000);
  assert.deepEqual(states(await status())[0], "app:CONTAINER_EXITED:1:0");
  await sync(p);
  assert.deepEqual(states(await status())[0], "app:CONTAINER_RUNNING:0:1", "restarted at once");
  clock.step(5_000);
  const r = await sync(p);
  assert.equal(
    r.results.find((x) => x.action === "StartContainer")?.message,
    "back-off 10s restarting failed container=app pod=web_default(u1)",
  );
  clock.step(10_000);
  await sync(p);
  assert.equal(states(await status())[0], "app:CONTAINER_RUNNING:0:2");
});

test("killPod stops every container with SIGTERM (143) and the sandbox", async () => {
  const { m, sync, status, events } = setup();
  const p = pod({});
  await sync(p);
  await m.killPod(p, runningPodFromStatus(await status()));
  const s = await status();
  assert.deepEqual(states(s), ["app:CONTAINER_EXITED:143:0"]);
  assert.equal(s.sandboxes[0].state, "SANDBOX_NOTREADY");
  assert.deepEqual(s.ips, []);
  assert.ok(events.includes("Killing: Stopping container app"));
});

test("a pod's RuntimeClass picks the sandbox's handler; one that cannot be resolved fails the sandbox", async () => {
  const classes: Record<string, string> = { standard: "runc", kata: "kata" };
  const lookup = async (name: string) => {
    if (!(name in classes)) throw new Error(`runtimeclass.node.k8s.io "${name}" not found`);
    return classes[name];
  };
  const { rt, sync, status } = setup(lookup);
  await sync(pod({}, { runtimeClassName: "standard" }));
  const [sandbox] = await rt.listPodSandbox();
  assert.equal(sandbox.runtimeHandler, "runc");
  assert.deepEqual(states(await status()), ["app:CONTAINER_RUNNING:0:0"]);

  for (const [runtimeClassName, error] of [
    ["missing", 'runtimeclass.node.k8s.io "missing" not found'],
    ["kata", 'failed to get sandbox runtime: no runtime for "kata" is configured'],
  ]) {
    const { rt, sync, events } = setup(lookup);
    const r = await sync(pod({}, { runtimeClassName }));
    const message = `Failed to create sandbox for pod "web_default(u1)": ${error}`;
    assert.equal(
      r.error()?.message,
      `failed to "CreatePodSandbox" for "web_default(u1)" with CreatePodSandboxError: ${JSON.stringify(message)}`,
    );
    assert.equal(events.at(-1), `FailedCreatePodSandBox: Failed to create pod sandbox: ${error}`);
    assert.deepEqual(await rt.listPodSandbox(), []);
  }
});
