import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../../client/fake-clock.ts";
import { FAKE_ANNOTATIONS, FakeRuntime, INIT_CONTAINER_ANNOTATION } from "./fake.ts";
import type { ContainerConfig, ContainerEvent, PodSandboxConfig } from "./interface.ts";
import { LABELS } from "./interface.ts";

const T0 = 1_700_000_000_000; // ms

/** podCIDR null: the node has none yet. */
function setup(podCIDR: string | null = "10.244.3.0/24") {
  const clock = new FakeClock(T0);
  let cidr = podCIDR ?? undefined;
  const rt = new FakeRuntime({ clock, podCIDR: () => cidr });
  const events: ContainerEvent[] = [];
  rt.onContainerEvent((e) => events.push(e));
  return {
    clock,
    rt,
    events,
    setCIDR(c: string | undefined) {
      cidr = c;
    },
  };
}

function sandboxConfig(
  name: string,
  opts: { annotations?: Record<string, string>; hostNetwork?: boolean; attempt?: number } = {},
): PodSandboxConfig {
  const uid = `uid-${name}`;
  return {
    metadata: { name, uid, namespace: "default", attempt: opts.attempt ?? 0 },
    hostname: name,
    logDirectory: `/var/log/pods/default_${name}_${uid}`,
    portMappings: [],
    labels: { [LABELS.podName]: name, [LABELS.podNamespace]: "default", [LABELS.podUid]: uid },
    annotations: opts.annotations ?? {},
    linux: opts.hostNetwork ? { securityContext: { namespaceOptions: { network: "NODE" } } } : {},
  };
}

function containerConfig(
  sb: PodSandboxConfig,
  name: string,
  opts: { image?: string; init?: boolean; attempt?: number } = {},
): ContainerConfig {
  return {
    metadata: { name, attempt: opts.attempt ?? 0 },
    image: { image: opts.image ?? "busybox" },
    command: ["sleep", "3600"],
    args: [],
    workingDir: "",
    envs: [],
    mounts: [],
    labels: { ...sb.labels, [LABELS.containerName]: name },
    annotations: opts.init ? { [INIT_CONTAINER_ANNOTATION]: "true" } : {},
    logPath: `${name}/${opts.attempt ?? 0}.log`,
    stdin: false,
    stdinOnce: false,
    tty: false,
  };
}

/** A sandbox with one container created (and the image pulled), as the kubelet's syncPod does it. */
async function podWithContainer(
  rt: FakeRuntime,
  name: string,
  opts: { annotations?: Record<string, string>; init?: boolean; container?: string } = {},
) {
  const sbc = sandboxConfig(name, { annotations: opts.annotations });
  const sandboxId = await rt.runPodSandbox(sbc);
  const cc = containerConfig(sbc, opts.container ?? "main", { init: opts.init });
  await rt.pullImage(cc.image.image);
  const containerId = await rt.createContainer(sandboxId, cc, sbc);
  return { sbc, sandboxId, containerId };
}

const ns = (ms: number) => ms * 1e6;
const types = (events: ContainerEvent[], id: string) =>
  events.filter((e) => e.containerId === id).map((e) => e.type);

describe("FakeRuntime: runtime", () => {
  it("reports its name and version, and NetworkReady only once the node has a podCIDR", async () => {
    const { rt, setCIDR } = setup(null);
    assert.deepEqual(await rt.version(), {
      runtimeName: "fake",
      runtimeVersion: "0.1.0",
      runtimeApiVersion: "v1",
    });
    assert.deepEqual((await rt.status()).conditions, [
      { type: "RuntimeReady", status: true, reason: "", message: "" },
      {
        type: "NetworkReady",
        status: false,
        reason: "NetworkPluginNotReady",
        message: "Network plugin returns error: cni plugin not initialized",
      },
    ]);
    setCIDR("10.244.3.0/24");
    assert.equal((await rt.status()).conditions[1].status, true);
  });
});

describe("FakeRuntime: sandboxes and pod IPs", () => {
  it("gives each sandbox the next IP of the podCIDR and keeps its metadata, labels and annotations", async () => {
    const { rt, clock } = setup();
    const a = sandboxConfig("a", { annotations: { team: "x" } });
    const aId = await rt.runPodSandbox(a);
    clock.step(1000);
    const bId = await rt.runPodSandbox(sandboxConfig("b"), "runc");
    assert.match(aId, /^[0-9a-f]{64}$/);
    const st = await rt.podSandboxStatus(aId);
    assert.deepEqual(st, {
      id: aId,
      metadata: a.metadata,
      state: "SANDBOX_READY",
      createdAt: ns(T0),
      labels: a.labels,
      annotations: { team: "x" },
      runtimeHandler: "",
      network: { ip: "10.244.3.2", additionalIps: [] },
    });
    assert.equal((await rt.podSandboxStatus(bId)).runtimeHandler, "runc");
    // As k8ts configures containerd, runc is the only handler.
    await assert.rejects(rt.runPodSandbox(sandboxConfig("c"), "kata"), {
      message: 'failed to get sandbox runtime: no runtime for "kata" is configured',
    });
    assert.equal((await rt.podSandboxStatus(bId)).network?.ip, "10.244.3.3");
    assert.equal((await rt.podSandboxStatus(bId)).createdAt, ns(T0 + 1000));
  });

  it("frees the IP on stop and remove, reusing it after the range wraps; errors like host-local when full", async () => {
    const { rt } = setup("10.0.0.0/29"); // pod IPs .2 … .6
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await rt.runPodSandbox(sandboxConfig(`p${i}`)));
    const ips = await Promise.all(ids.map(async (id) => (await rt.podSandboxStatus(id)).network?.ip));
    assert.deepEqual(ips, ["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]);
    await assert.rejects(rt.runPodSandbox(sandboxConfig("full")), {
      message:
        /^failed to setup network for sandbox "[0-9a-f]{64}": failed to allocate for range 0: no IP addresses available in range set: 10\.0\.0\.1-10\.0\.0\.6$/,
    });

    await rt.stopPodSandbox(ids[2]);
    const stopped = await rt.podSandboxStatus(ids[2]);
    assert.equal(stopped.state, "SANDBOX_NOTREADY");
    assert.equal(stopped.network?.ip, ""); // containerd: no IP once the netns is closed
    const reused = await rt.runPodSandbox(sandboxConfig("again"));
    assert.equal((await rt.podSandboxStatus(reused)).network?.ip, "10.0.0.4");

    await rt.removePodSandbox(ids[0]);
    const third = await rt.runPodSandbox(sandboxConfig("third"));
    assert.equal((await rt.podSandboxStatus(third)).network?.ip, "10.0.0.2");
    await assert.rejects(rt.podSandboxStatus(ids[0]), {
      code: 5,
      message: "an error occurred when try to find sandbox: not found",
    });
  });

  it("gives a host-network sandbox no pod IP and takes none from the range", async () => {
    const { rt } = setup("10.0.0.4/30"); // one pod IP: .6
    const host = await rt.runPodSandbox(sandboxConfig("host", { hostNetwork: true }));
    assert.deepEqual((await rt.podSandboxStatus(host)).network, { ip: "", additionalIps: [] });
    const pod = await rt.runPodSandbox(sandboxConfig("pod"));
    assert.equal((await rt.podSandboxStatus(pod)).network?.ip, "10.0.0.6");
  });

  it("cannot network a pod before the node has a podCIDR, but runs host-network pods", async () => {
    const { rt, setCIDR } = setup(null);
    await assert.rejects(rt.runPodSandbox(sandboxConfig("a")), {
      message: /^failed to setup network for sandbox "[0-9a-f]{64}": cni config not initialized$/,
    });
    await rt.runPodSandbox(sandboxConfig("host", { hostNetwork: true }));
    setCIDR("10.244.3.0/24");
    const id = await rt.runPodSandbox(sandboxConfig("a"));
    assert.equal((await rt.podSandboxStatus(id)).network?.ip, "10.244.3.2");
  });

  it("allocates from a new podCIDR while old sandboxes keep their IPs", async () => {
    const { rt, setCIDR } = setup("10.244.3.0/24");
    const old = await rt.runPodSandbox(sandboxConfig("old"));
    setCIDR("10.244.7.0/24");
    const fresh = await rt.runPodSandbox(sandboxConfig("fresh"));
    assert.equal((await rt.podSandboxStatus(old)).network?.ip, "10.244.3.2");
    assert.equal((await rt.podSandboxStatus(fresh)).network?.ip, "10.244.7.2");
    await rt.stopPodSandbox(old); // an IP outside the current range is just forgotten
    setCIDR("10.244.3.0/24");
    const back = await rt.runPodSandbox(sandboxConfig("back"));
    assert.equal((await rt.podSandboxStatus(back)).network?.ip, "10.244.3.2");
  });

  it("reserves the sandbox name like containerd, and is idempotent on stop/remove of unknown ids", async () => {
    const { rt } = setup();
    const sbc = sandboxConfig("a");
    const id = await rt.runPodSandbox(sbc);
    const name = "a_default_uid-a_0";
    await assert.rejects(rt.runPodSandbox(sbc), {
      message: `failed to reserve sandbox name "${name}": name "${name}" is reserved for "${id}"`,
    });
    await rt.runPodSandbox(sandboxConfig("a", { attempt: 1 }));
    await rt.removePodSandbox(id);
    await rt.runPodSandbox(sbc);
    await rt.stopPodSandbox("nope");
    await rt.removePodSandbox("nope");
  });

  it("lists sandboxes by state and label selector", async () => {
    const { rt } = setup();
    const a = await rt.runPodSandbox(sandboxConfig("a"));
    const b = await rt.runPodSandbox(sandboxConfig("b"));
    await rt.stopPodSandbox(b);
    const ids = async (f?: Parameters<FakeRuntime["listPodSandbox"]>[0]) =>
      (await rt.listPodSandbox(f)).map((s) => s.id);
    assert.deepEqual(await ids(), [a, b]);
    assert.deepEqual(await ids({ state: "SANDBOX_READY" }), [a]);
    assert.deepEqual(await ids({ labelSelector: { [LABELS.podName]: "b" } }), [b]);
    assert.deepEqual(
      await ids({ labelSelector: { [LABELS.podName]: "b", [LABELS.podNamespace]: "kube-system" } }),
      [],
    );
    const [listed] = await rt.listPodSandbox({ state: "SANDBOX_READY" });
    assert.deepEqual(Object.keys(listed).sort(), [
      "annotations",
      "createdAt",
      "id",
      "labels",
      "metadata",
      "runtimeHandler",
      "state",
    ]);
  });
});

describe("FakeRuntime: containers", () => {
  it("moves created → running → exited with nanosecond timestamps and events; SIGTERM gives 143 Error", async () => {
    const { rt, clock, events } = setup();
    const { sbc, sandboxId, containerId } = await podWithContainer(rt, "web");
    let st = await rt.containerStatus(containerId);
    assert.equal(st.state, "CONTAINER_CREATED");
    assert.equal(st.createdAt, ns(T0));
    assert.equal(st.startedAt, 0);
    assert.equal(st.finishedAt, 0);
    assert.equal(st.logPath, `${sbc.logDirectory}/main/0.log`);
    assert.deepEqual(st.metadata, { name: "main", attempt: 0 });

    clock.step(500);
    await rt.startContainer(containerId);
    st = await rt.containerStatus(containerId);
    assert.equal(st.state, "CONTAINER_RUNNING");
    assert.equal(st.startedAt, ns(T0 + 500));
    assert.equal(st.reason, "");
    clock.step(3_600_000);
    assert.equal((await rt.containerStatus(containerId)).state, "CONTAINER_RUNNING"); // runs until stopped
    assert.equal(clock.pending, 0);

    await rt.stopContainer(containerId, 30);
    st = await rt.containerStatus(containerId);
    assert.equal(st.state, "CONTAINER_EXITED");
    assert.equal(st.exitCode, 143);
    assert.equal(st.reason, "Error");
    assert.equal(st.startedAt, ns(T0 + 500));
    assert.equal(st.finishedAt, ns(T0 + 500 + 3_600_000));
    await rt.stopContainer(containerId, 30); // idempotent; keeps the first exit
    assert.equal((await rt.containerStatus(containerId)).exitCode, 143);

    await rt.removeContainer(containerId);
    await assert.rejects(rt.containerStatus(containerId), {
      code: 5,
      message: `an error occurred when try to find container "${containerId}": not found`,
    });
    await rt.removeContainer(containerId); // idempotent
    assert.deepEqual(types(events, containerId), [
      "CONTAINER_CREATED_EVENT",
      "CONTAINER_STARTED_EVENT",
      "CONTAINER_STOPPED_EVENT",
      "CONTAINER_DELETED_EVENT",
    ]);
    assert.ok(events.every((e) => e.podSandboxId === sandboxId));
    assert.equal(events.at(-1)?.createdAt, ns(T0 + 500 + 3_600_000));
  });

  it("a stop with timeout 0 is a SIGKILL: 137 Error", async () => {
    const { rt } = setup();
    const { containerId } = await podWithContainer(rt, "web");
    await rt.startContainer(containerId);
    await rt.stopContainer(containerId, 0);
    const st = await rt.containerStatus(containerId);
    assert.equal(st.exitCode, 137);
    assert.equal(st.reason, "Error");
  });

  it("refuses to start a container twice, as containerd", async () => {
    const { rt } = setup();
    const { containerId } = await podWithContainer(rt, "web");
    await rt.startContainer(containerId);
    await assert.rejects(rt.startContainer(containerId), {
      message: `failed to set starting state for container "${containerId}": container is in CONTAINER_RUNNING state`,
    });
    await assert.rejects(rt.startContainer("nope"), { code: 5 });
  });

  it("exits after fake.k8ts.io/run-seconds with fake.k8ts.io/exit-code, at the right time", async () => {
    const { rt, clock, events } = setup();
    const { containerId } = await podWithContainer(rt, "crash", {
      annotations: { [FAKE_ANNOTATIONS.runSeconds]: "5", [FAKE_ANNOTATIONS.exitCode]: "3" },
    });
    clock.step(1000);
    await rt.startContainer(containerId);
    assert.equal(clock.pending, 1);
    clock.step(4999);
    assert.equal((await rt.containerStatus(containerId)).state, "CONTAINER_RUNNING");
    assert.deepEqual(types(events, containerId), ["CONTAINER_CREATED_EVENT", "CONTAINER_STARTED_EVENT"]);
    clock.step(1);
    const st = await rt.containerStatus(containerId);
    assert.equal(st.state, "CONTAINER_EXITED");
    assert.equal(st.exitCode, 3);
    assert.equal(st.reason, "Error");
    assert.equal(st.startedAt, ns(T0 + 1000));
    assert.equal(st.finishedAt, ns(T0 + 6000));
    assert.equal(events.at(-1)?.type, "CONTAINER_STOPPED_EVENT");
    assert.equal(events.at(-1)?.createdAt, ns(T0 + 6000));
    assert.equal(clock.pending, 0);
  });

  it("a timed container with no exit code completes with 0 Completed; fractions of a second work", async () => {
    const { rt, clock } = setup();
    const { containerId } = await podWithContainer(rt, "job", {
      annotations: { [FAKE_ANNOTATIONS.runSeconds]: "0.25" },
    });
    await rt.startContainer(containerId);
    clock.step(250);
    const st = await rt.containerStatus(containerId);
    assert.equal(st.exitCode, 0);
    assert.equal(st.reason, "Completed");
    assert.equal(st.finishedAt, ns(T0 + 250));
  });

  it("ignores malformed run-seconds and exit-code values", async () => {
    const { rt, clock } = setup();
    const { containerId } = await podWithContainer(rt, "odd", {
      annotations: { [FAKE_ANNOTATIONS.runSeconds]: "soon", [FAKE_ANNOTATIONS.exitCode]: "x" },
    });
    await rt.startContainer(containerId);
    clock.step(3_600_000);
    assert.equal((await rt.containerStatus(containerId)).state, "CONTAINER_RUNNING");
  });

  it("keeps one timer for all timed exits and fires them in due order", async () => {
    const { rt, clock, events } = setup();
    const order: string[] = [];
    rt.onContainerEvent((e) => {
      if (e.type === "CONTAINER_STOPPED_EVENT") order.push(e.containerId);
    });
    const byId = new Map<string, number>();
    const seconds = [7, 3, 9, 1, 5, 3, 8, 2, 6, 4];
    for (const [i, s] of seconds.entries()) {
      const { containerId } = await podWithContainer(rt, `p${i}`, {
        annotations: { [FAKE_ANNOTATIONS.runSeconds]: String(s) },
      });
      await rt.startContainer(containerId);
      byId.set(containerId, s);
      assert.equal(clock.pending, 1);
    }
    // One stopped before it is due: it must not exit again later.
    const early = [...byId.keys()][0];
    await rt.stopContainer(early, 10);
    byId.delete(early);
    for (let t = 0; t < 10; t++) {
      clock.step(1000);
      assert.ok(clock.pending <= 1);
    }
    assert.equal(clock.pending, 0);
    assert.deepEqual(
      order.slice(1).map((id) => byId.get(id)),
      [1, 2, 3, 3, 4, 5, 6, 8, 9],
    );
    assert.equal(
      events.filter((e) => e.containerId === early && e.type === "CONTAINER_STOPPED_EVENT").length,
      1,
    );
    assert.equal((await rt.containerStatus(early)).exitCode, 143);
  });

  it("re-arms the timer for an exit earlier than the one it waits for", async () => {
    const { rt, clock } = setup();
    const late = await podWithContainer(rt, "late", { annotations: { [FAKE_ANNOTATIONS.runSeconds]: "60" } });
    const soon = await podWithContainer(rt, "soon", { annotations: { [FAKE_ANNOTATIONS.runSeconds]: "2" } });
    await rt.startContainer(late.containerId);
    await rt.startContainer(soon.containerId);
    assert.equal(clock.pending, 1);
    clock.step(2000);
    assert.equal((await rt.containerStatus(soon.containerId)).state, "CONTAINER_EXITED");
    assert.equal((await rt.containerStatus(late.containerId)).state, "CONTAINER_RUNNING");
    assert.equal(clock.pending, 1);
    await rt.removeContainer(late.containerId); // nothing left to wait for
    assert.equal(clock.pending, 0);
  });

  it("completes an init container at once with 0, unless annotated", async () => {
    const { rt, clock, events } = setup();
    const { containerId } = await podWithContainer(rt, "init", { init: true, container: "setup" });
    clock.step(100);
    await rt.startContainer(containerId);
    const st = await rt.containerStatus(containerId);
    assert.equal(st.state, "CONTAINER_EXITED");
    assert.equal(st.exitCode, 0);
    assert.equal(st.reason, "Completed");
    assert.equal(st.startedAt, ns(T0 + 100));
    assert.equal(st.finishedAt, ns(T0 + 100));
    assert.deepEqual(types(events, containerId), [
      "CONTAINER_CREATED_EVENT",
      "CONTAINER_STARTED_EVENT",
      "CONTAINER_STOPPED_EVENT",
    ]);
    assert.equal(clock.pending, 0);

    // The pod's annotations apply to init containers too.
    const failing = await podWithContainer(rt, "init-fail", {
      init: true,
      annotations: { [FAKE_ANNOTATIONS.exitCode]: "1" },
    });
    await rt.startContainer(failing.containerId);
    const f = await rt.containerStatus(failing.containerId);
    assert.equal(f.exitCode, 1);
    assert.equal(f.reason, "Error");
  });

  it("per-container keys override the pod's: init succeeds after 2 s while the app container crashes", async () => {
    const { rt, clock } = setup();
    const annotations = {
      [FAKE_ANNOTATIONS.runSeconds]: "10",
      [FAKE_ANNOTATIONS.exitCode]: "2",
      [`${FAKE_ANNOTATIONS.runSecondsPrefix}setup`]: "2",
      [`${FAKE_ANNOTATIONS.exitCodePrefix}setup`]: "0",
    };
    assert.ok("run-seconds.fake.k8ts.io/setup" in annotations);
    const sbc = sandboxConfig("mixed", { annotations });
    const sandboxId = await rt.runPodSandbox(sbc);
    await rt.pullImage("busybox");
    const init = await rt.createContainer(sandboxId, containerConfig(sbc, "setup", { init: true }), sbc);
    const app = await rt.createContainer(sandboxId, containerConfig(sbc, "app"), sbc);
    await rt.startContainer(init);
    clock.step(2000);
    assert.deepEqual(
      [(await rt.containerStatus(init)).exitCode, (await rt.containerStatus(init)).reason],
      [0, "Completed"],
    );
    await rt.startContainer(app);
    clock.step(10_000);
    assert.equal((await rt.containerStatus(app)).exitCode, 2);
  });

  it("stopping the sandbox SIGKILLs its running containers; a start in it then fails with StartError", async () => {
    const { rt, events } = setup();
    const { sbc, sandboxId, containerId } = await podWithContainer(rt, "web");
    await rt.startContainer(containerId);
    const second = await rt.createContainer(sandboxId, containerConfig(sbc, "side"), sbc);
    await rt.stopPodSandbox(sandboxId);
    const st = await rt.containerStatus(containerId);
    assert.equal(st.state, "CONTAINER_EXITED");
    assert.equal(st.exitCode, 137);
    assert.equal(events.at(-1)?.type, "CONTAINER_STOPPED_EVENT");
    assert.equal((await rt.containerStatus(second)).state, "CONTAINER_CREATED");

    const message = `sandbox container "${sandboxId}" is not running`;
    await assert.rejects(rt.startContainer(second), { message });
    const failed = await rt.containerStatus(second);
    assert.equal(failed.state, "CONTAINER_EXITED");
    assert.equal(failed.exitCode, 128);
    assert.equal(failed.reason, "StartError");
    assert.equal(failed.message, message);
  });

  it("removing the sandbox removes its containers, with stopped and deleted events", async () => {
    const { rt, events } = setup();
    const { sandboxId, containerId } = await podWithContainer(rt, "web");
    await rt.startContainer(containerId);
    await rt.removePodSandbox(sandboxId);
    assert.deepEqual(await rt.listContainers(), []);
    assert.deepEqual(types(events, containerId).slice(-2), [
      "CONTAINER_STOPPED_EVENT",
      "CONTAINER_DELETED_EVENT",
    ]);
  });

  it("removing a running container kills it first (137)", async () => {
    const { rt, events } = setup();
    const { containerId } = await podWithContainer(rt, "web");
    await rt.startContainer(containerId);
    await rt.removeContainer(containerId);
    assert.deepEqual(types(events, containerId).slice(-2), [
      "CONTAINER_STOPPED_EVENT",
      "CONTAINER_DELETED_EVENT",
    ]);
  });

  it("reserves the container name per sandbox and attempt, released on remove", async () => {
    const { rt } = setup();
    const { sbc, sandboxId, containerId } = await podWithContainer(rt, "web");
    const name = "main_web_default_uid-web_0";
    await assert.rejects(rt.createContainer(sandboxId, containerConfig(sbc, "main"), sbc), {
      message: `failed to reserve container name "${name}": name "${name}" is reserved for "${containerId}"`,
    });
    await rt.createContainer(sandboxId, containerConfig(sbc, "main", { attempt: 1 }), sbc);
    await rt.removeContainer(containerId);
    await rt.createContainer(sandboxId, containerConfig(sbc, "main"), sbc);
    await assert.rejects(rt.createContainer("nope", containerConfig(sbc, "x"), sbc), {
      code: 5,
      message: 'failed to find sandbox id "nope": not found',
    });
  });

  it("lists containers by sandbox, state and label selector", async () => {
    const { rt } = setup();
    const a = await podWithContainer(rt, "a");
    const b = await podWithContainer(rt, "b");
    await rt.startContainer(a.containerId);
    const ids = async (f?: Parameters<FakeRuntime["listContainers"]>[0]) =>
      (await rt.listContainers(f)).map((c) => c.id);
    assert.deepEqual(await ids(), [a.containerId, b.containerId]);
    assert.deepEqual(await ids({ podSandboxId: b.sandboxId }), [b.containerId]);
    assert.deepEqual(await ids({ state: "CONTAINER_RUNNING" }), [a.containerId]);
    assert.deepEqual(
      await ids({ labelSelector: { [LABELS.podName]: "b", [LABELS.containerName]: "main" } }),
      [b.containerId],
    );
    assert.deepEqual(await ids({ labelSelector: { [LABELS.podUid]: "uid-zzz" } }), []);
    const [c] = await rt.listContainers({ podSandboxId: a.sandboxId });
    assert.equal(c.podSandboxId, a.sandboxId);
    assert.deepEqual(c.image, { image: "busybox" });
    assert.match(c.imageRef, /^sha256:[0-9a-f]{64}$/);
    assert.equal(c.labels[LABELS.containerName], "main");
  });

  it("exec succeeds with empty output, except false and sh -c 'exit N'", async () => {
    const { rt } = setup();
    const { containerId } = await podWithContainer(rt, "web");
    await assert.rejects(rt.execSync(containerId, ["true"], 1), {
      message: "failed to exec in container: container is in CONTAINER_CREATED state",
    });
    await rt.startContainer(containerId);
    const ok = await rt.execSync(containerId, ["cat", "/tmp/healthy"], 1);
    assert.equal(ok.exitCode, 0);
    assert.equal(ok.stdout.length, 0);
    assert.equal(ok.stderr.length, 0);
    const code = async (cmd: string[]) => (await rt.execSync(containerId, cmd, 1)).exitCode;
    assert.equal(await code(["false"]), 1);
    assert.equal(await code(["/bin/false"]), 1);
    assert.equal(await code(["sh", "-c", "exit 3"]), 3);
    assert.equal(await code(["/bin/sh", "-c", "exit 300"]), 44);
    assert.equal(await code(["bash", "-c", "false"]), 1);
    assert.equal(await code(["sh", "-c", "exit"]), 0);
    assert.equal(await code(["sh", "-c", "test -f /tmp/ready"]), 0);
    assert.equal(await code([]), 0);
    await assert.rejects(rt.execSync("nope", ["true"], 1), {
      code: 5,
      message: 'failed to exec in container: failed to find container "nope" in store: not found',
    });
  });

  it("stops delivering events to an unsubscribed listener", async () => {
    const { rt } = setup();
    const seen: string[] = [];
    const off = rt.onContainerEvent((e) => seen.push(e.type));
    const { containerId } = await podWithContainer(rt, "web");
    off();
    await rt.startContainer(containerId);
    assert.deepEqual(seen, ["CONTAINER_CREATED_EVENT"]);
  });
});

describe("FakeRuntime: images", () => {
  it("has no image until it is pulled; every pull succeeds at once", async () => {
    const { rt } = setup();
    assert.equal(await rt.imageStatus("nginx:1.27"), undefined);
    const ref = await rt.pullImage("nginx:1.27");
    assert.match(ref, /^sha256:[0-9a-f]{64}$/);
    const img = await rt.imageStatus("nginx:1.27");
    assert.equal(img?.id, ref);
    assert.deepEqual(img?.repoTags, ["docker.io/library/nginx:1.27"]);
    assert.match(img?.repoDigests[0] ?? "", /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.ok(img && img.size >= 2_000_000 && img.size < 50_000_000);
    // Found by any of its names.
    assert.equal(await rt.imageStatus("docker.io/library/nginx:1.27"), img);
    assert.equal(await rt.imageStatus(ref), img);
    assert.equal(await rt.imageStatus(img.repoDigests[0]), img);
    assert.equal(await rt.imageStatus("nginx"), undefined); // :latest is another image
  });

  it("normalises names as containerd does", async () => {
    const { rt } = setup();
    const tags = async (ref: string) => (await rt.imageStatus(await rt.pullImage(ref)))?.repoTags;
    assert.deepEqual(await tags("busybox"), ["docker.io/library/busybox:latest"]);
    assert.deepEqual(await tags("k8ts.local/busybox:latest"), ["k8ts.local/busybox:latest"]);
    assert.deepEqual(await tags("k8ts.local/pause:3.10"), ["k8ts.local/pause:3.10"]);
    assert.deepEqual(await tags("bitnami/redis"), ["docker.io/bitnami/redis:latest"]);
    assert.deepEqual(await tags("localhost:5000/app:v1"), ["localhost:5000/app:v1"]);
    assert.deepEqual(await tags("registry.k8s.io/pause:3.10"), ["registry.k8s.io/pause:3.10"]);
    const digest = `sha256:${"a".repeat(64)}`;
    const pinned = await rt.imageStatus(await rt.pullImage(`busybox@${digest}`));
    assert.deepEqual(pinned?.repoTags, []);
    assert.deepEqual(pinned?.repoDigests, [`docker.io/library/busybox@${digest}`]);
  });

  it("derives the same image on every node, and lists, removes and sizes what a node pulled", async () => {
    const one = setup().rt;
    const two = setup().rt;
    assert.equal(await one.pullImage("redis:7"), await two.pullImage("docker.io/library/redis:7"));
    await one.pullImage("busybox");
    const listed = await one.listImages();
    assert.deepEqual(
      listed.map((i) => i.repoTags[0]),
      ["docker.io/library/redis:7", "docker.io/library/busybox:latest"],
    );
    const fs = await one.imageFsInfo();
    assert.equal(fs.usedBytes, listed[0].size + listed[1].size);
    assert.ok(fs.inodesUsed > 0);
    await one.removeImage("redis:7");
    await one.removeImage("redis:7"); // idempotent
    assert.equal(await one.imageStatus("redis:7"), undefined);
    assert.ok(await two.imageStatus("redis:7")); // the other node still has it
  });

  it("creates containers only from pulled images; status shows the tag and repo digest as containerd", async () => {
    const { rt } = setup();
    const sbc = sandboxConfig("web");
    const sandboxId = await rt.runPodSandbox(sbc);
    await assert.rejects(
      rt.createContainer(sandboxId, containerConfig(sbc, "main", { image: "nginx:9" }), sbc),
      {
        code: 5,
        message: 'failed to resolve image "nginx:9": not found',
      },
    );
    // The kubelet creates the container from the image ref the pull returned.
    const imageRef = await rt.pullImage("nginx:9");
    const id = await rt.createContainer(sandboxId, containerConfig(sbc, "main", { image: imageRef }), sbc);
    const img = await rt.imageStatus(imageRef);
    const st = await rt.containerStatus(id);
    assert.deepEqual(st.image, { image: "docker.io/library/nginx:9" });
    assert.equal(st.imageRef, img?.repoDigests[0]);
  });
});
