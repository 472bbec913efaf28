import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type {
  ContainerConfig,
  ContainerState,
  ContainerStatus,
  Container as CriContainer,
  ExecSyncResult,
  Image,
  ImageService,
  PodSandboxConfig,
  PodSandboxState,
  PodSandboxStatus,
  RuntimeService,
} from "../runtime/interface.ts";
import { LABELS } from "../runtime/interface.ts";
import { Backoff, CONTAINER_BACKOFF_INITIAL_MS, CONTAINER_BACKOFF_MAX_MS } from "./backoff.ts";
import { ANNOTATIONS } from "./labels.ts";
import { ReasonCache } from "./reason-cache.ts";
import { runningPodFromStatus } from "./running-pod.ts";
import { KubeRuntimeManager } from "./runtime-manager.ts";

/** A tiny in-memory RuntimeService + ImageService: containers run until the test makes them exit. */
class TestRuntime implements RuntimeService, ImageService {
  seq = 0;
  sandboxes = new Map<string, PodSandboxStatus & { config: PodSandboxConfig }>();
  containers = new Map<string, ContainerStatus & { podSandboxId: string; config: ContainerConfig }>();
  images = new Map<string, Image>();
  calls: string[] = [];
  stopTimeouts = new Map<string, number>();
  pullError?: Error;
  failStart?: string;
  exec: (id: string, cmd: string[]) => ExecSyncResult = () => ({
    stdout: Buffer.from(""),
    stderr: Buffer.from(""),
    exitCode: 0,
  });

  constructor(private readonly clock: FakeClock) {}

  private ns(): number {
    return this.clock.now() * 1e6 + this.seq++;
  }

  /** The test's way of making a container exit. */
  exit(id: string, exitCode: number): void {
    const c = this.containers.get(id)!;
    c.state = "CONTAINER_EXITED";
    c.exitCode = exitCode;
    c.reason = exitCode === 0 ? "Completed" : "Error";
    c.finishedAt = this.clock.now() * 1e6;
  }

  byName(name: string): Array<ContainerStatus & { config: ContainerConfig }> {
    return [...this.containers.values()]
      .filter((c) => c.metadata.name === name)
      .sort((a, b) => b.createdAt - a.createdAt || b.metadata.attempt - a.metadata.attempt);
  }

  async version() {
    return { runtimeName: "test", runtimeVersion: "0", runtimeApiVersion: "v1" };
  }
  async status() {
    return { conditions: [] };
  }
  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const id = `sb-${this.seq++}`;
    this.calls.push(`runPodSandbox ${config.metadata.name} attempt=${config.metadata.attempt}`);
    const host = config.linux?.securityContext?.namespaceOptions?.network === "NODE";
    this.sandboxes.set(id, {
      id,
      metadata: config.metadata,
      state: "SANDBOX_READY",
      createdAt: this.ns(),
      labels: config.labels,
      annotations: config.annotations,
      network: { ip: host ? "" : `10.244.0.${this.sandboxes.size + 2}`, additionalIps: [] },
      config,
    });
    return id;
  }
  async stopPodSandbox(id: string): Promise<void> {
    this.calls.push(`stopPodSandbox ${id}`);
    const s = this.sandboxes.get(id);
    if (s) s.state = "SANDBOX_NOTREADY";
  }
  async removePodSandbox(id: string): Promise<void> {
    this.calls.push(`removePodSandbox ${id}`);
    this.sandboxes.delete(id);
  }
  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandboxes.get(id);
    if (!s) throw Object.assign(new Error(`sandbox ${id} not found`), { code: 5 });
    return { ...s };
  }
  async listPodSandbox(filter?: { state?: PodSandboxState; labelSelector?: Record<string, string> }) {
    return [...this.sandboxes.values()].filter(
      (s) => (!filter?.state || s.state === filter.state) && matches(s.labels, filter?.labelSelector),
    );
  }
  async createContainer(podSandboxId: string, config: ContainerConfig): Promise<string> {
    const id = `c-${this.seq++}`;
    this.calls.push(`createContainer ${config.metadata.name}`);
    this.containers.set(id, {
      id,
      podSandboxId,
      config,
      metadata: config.metadata,
      state: "CONTAINER_CREATED",
      createdAt: this.ns(),
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      image: config.image,
      imageRef: `sha256:${config.image.image}`,
      reason: "",
      message: "",
      labels: config.labels,
      annotations: config.annotations,
      logPath: config.logPath,
    });
    return id;
  }
  async startContainer(id: string): Promise<void> {
    const c = this.containers.get(id)!;
    this.calls.push(`startContainer ${c.metadata.name}`);
    if (this.failStart === c.metadata.name)
      throw new Error(`failed to start container ${id}: exec: not found`);
    c.state = "CONTAINER_RUNNING";
    c.startedAt = this.clock.now() * 1e6;
  }
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c) throw Object.assign(new Error("not found"), { code: 5 });
    this.calls.push(`stopContainer ${c.metadata.name} ${timeoutSeconds}`);
    this.stopTimeouts.set(c.metadata.name, timeoutSeconds);
    if (c.state === "CONTAINER_RUNNING") this.exit(id, 137);
  }
  async removeContainer(id: string): Promise<void> {
    this.calls.push(`removeContainer ${this.containers.get(id)?.metadata.name}`);
    this.containers.delete(id);
  }
  async listContainers(filter?: { state?: ContainerState; labelSelector?: Record<string, string> }) {
    return [...this.containers.values()]
      .filter((c) => (!filter?.state || c.state === filter.state) && matches(c.labels, filter?.labelSelector))
      .map((c): CriContainer => ({ ...c, image: c.image }));
  }
  async containerStatus(id: string): Promise<ContainerStatus> {
    const c = this.containers.get(id);
    if (!c) throw Object.assign(new Error(`container ${id} not found`), { code: 5 });
    return { ...c };
  }
  async execSync(id: string, cmd: string[]): Promise<ExecSyncResult> {
    this.calls.push(`exec ${this.containers.get(id)?.metadata.name} ${cmd.join(" ")}`);
    return this.exec(id, cmd);
  }
  onContainerEvent(): () => void {
    return () => {};
  }

  async listImages() {
    return [...this.images.values()];
  }
  async imageStatus(image: string) {
    return this.images.get(image);
  }
  async pullImage(image: string): Promise<string> {
    this.calls.push(`pullImage ${image}`);
    if (this.pullError) throw this.pullError;
    const img = { id: `sha256:${image}`, repoTags: [image], repoDigests: [], size: 1234 };
    this.images.set(image, img);
    return img.id;
  }
  async removeImage(image: string) {
    this.images.delete(image);
  }
  async imageFsInfo() {
    return { usedBytes: 0, inodesUsed: 0 };
  }
}

function matches(labels: Record<string, string>, selector?: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

interface Event {
  type: string;
  reason: string;
  message: string;
}

const testNode: Node = {
  metadata: { name: "node-1" },
  status: {
    addresses: [{ type: "InternalIP", address: "192.168.1.10" }],
    allocatable: { cpu: "4", memory: "8Gi" },
    capacity: { cpu: "4", memory: "8Gi" },
  },
};

function setup() {
  const clock = new FakeClock(1_700_000_000_000);
  const rt = new TestRuntime(clock);
  const events: Event[] = [];
  const m = new KubeRuntimeManager({
    ctx: {
      clock,
      event: (_pod, type, reason, message) => events.push({ type, reason, message }),
      log: () => {},
      node: () => testNode,
    },
    runtime: rt,
    images: rt,
  });
  const backOff = new Backoff({
    clock,
    initialMs: CONTAINER_BACKOFF_INITIAL_MS,
    maxMs: CONTAINER_BACKOFF_MAX_MS,
  });
  const sync = async (pod: Pod) => {
    const status = await m.getPodStatus(pod.metadata!.uid!, pod.metadata!.name!, pod.metadata!.namespace!);
    return m.syncPod(pod, status, backOff);
  };
  return { clock, rt, events, m, backOff, sync };
}

function newPod(spec: Partial<Pod["spec"]> = {}, meta: Partial<Pod["metadata"]> = {}): Pod {
  return {
    metadata: {
      name: "web",
      namespace: "default",
      uid: "uid-1",
      labels: { app: "web" },
      annotations: { "fake.k8ts.io/run-seconds": "5" },
      ...meta,
    },
    spec: {
      nodeName: "node-1",
      restartPolicy: "Always",
      containers: [{ name: "app", image: "busybox:1.36", imagePullPolicy: "IfNotPresent" }],
      ...spec,
    },
  };
}

test("a new pod: sandbox, image pull, create and start, with upstream's events", async () => {
  const { rt, events, sync } = setup();
  const pod = newPod({
    containers: [
      {
        name: "app",
        image: "busybox:1.36",
        imagePullPolicy: "IfNotPresent",
        command: ["sh", "-c", "echo $(POD_NAME) $(MISSING) $$(ESCAPED)"],
        ports: [{ containerPort: 80, hostPort: 8080, protocol: "TCP" }],
        env: [
          { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "GREETING", value: "hello $(POD_NAME)" },
          { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          { name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
          { name: "APP_LABEL", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          {
            name: "MEM_LIMIT_MI",
            valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } },
          },
        ],
      },
    ],
  });
  const result = await sync(pod);
  assert.equal(result.error(), undefined);

  const [sb] = rt.sandboxes.values();
  assert.deepEqual(sb.config.metadata, { name: "web", namespace: "default", uid: "uid-1", attempt: 0 });
  assert.equal(sb.config.hostname, "web");
  assert.equal(sb.config.logDirectory, "/var/log/pods/default_web_uid-1");
  assert.deepEqual(sb.config.labels, {
    app: "web",
    [LABELS.podName]: "web",
    [LABELS.podNamespace]: "default",
    [LABELS.podUid]: "uid-1",
  });
  assert.deepEqual(sb.config.annotations, { "fake.k8ts.io/run-seconds": "5" });
  assert.deepEqual(sb.config.portMappings, [
    { protocol: "TCP", containerPort: 80, hostPort: 8080, hostIp: "" },
  ]);
  assert.equal(sb.config.linux?.securityContext?.namespaceOptions?.network, "POD");

  const [c] = rt.byName("app");
  assert.equal(c.state, "CONTAINER_RUNNING");
  assert.deepEqual(c.config.labels, {
    [LABELS.podName]: "web",
    [LABELS.podNamespace]: "default",
    [LABELS.podUid]: "uid-1",
    [LABELS.containerName]: "app",
  });
  assert.equal(c.config.annotations[ANNOTATIONS.containerRestartCount], "0");
  assert.equal(c.config.annotations[ANNOTATIONS.containerType], "container");
  assert.equal(c.config.annotations[ANNOTATIONS.containerInit], undefined);
  assert.equal(c.config.logPath, "app/0.log");
  assert.deepEqual(c.config.command, ["sh", "-c", "echo web $(MISSING) $(ESCAPED)"]);
  assert.deepEqual(Object.fromEntries(c.config.envs.map((e) => [e.key, e.value])), {
    POD_NAME: "web",
    GREETING: "hello web",
    POD_IP: "10.244.0.2",
    HOST_IP: "192.168.1.10",
    APP_LABEL: "web",
    MEM_LIMIT_MI: "8192",
  });

  assert.deepEqual(events, [
    { type: "Normal", reason: "Pulling", message: 'Pulling image "busybox:1.36"' },
    {
      type: "Normal",
      reason: "Pulled",
      message:
        'Successfully pulled image "busybox:1.36" in 0s (0s including waiting). Image size: 1234 bytes.',
    },
    { type: "Normal", reason: "Created", message: "Created container app" },
    { type: "Normal", reason: "Started", message: "Started container app" },
  ]);

  // A second sync of a healthy pod does nothing.
  events.length = 0;
  rt.calls.length = 0;
  const again = await sync(pod);
  assert.equal(again.error(), undefined);
  assert.deepEqual(rt.calls, []);
  assert.deepEqual(events, []);
});

test("getPodStatus lists sandboxes and containers newest first, with the ready sandbox's IPs", async () => {
  const { rt, m, sync, clock } = setup();
  const pod = newPod();
  await sync(pod);
  const [first] = rt.byName("app");
  clock.step(1000);
  rt.exit(first.id, 1);
  await sync(pod);
  const status = await m.getPodStatus("uid-1", "web", "default");
  assert.equal(status.containers.length, 2);
  assert.equal(status.containers[0].state, "CONTAINER_RUNNING");
  assert.equal(status.containers[0].annotations[ANNOTATIONS.containerRestartCount], "1");
  assert.equal(status.containers[1].state, "CONTAINER_EXITED");
  assert.deepEqual(status.ips, ["10.244.0.2"]);
});

test("CrashLoopBackOff: restarts at once, then waits 10s, 20s… with upstream's messages", async () => {
  const { rt, events, clock, sync } = setup();
  const pod = newPod();
  await sync(pod);

  const crash = () => rt.exit(rt.byName("app")[0].id, 1);
  clock.step(1000);
  crash();
  // The first restart is immediate.
  let r = await sync(pod);
  assert.equal(r.error(), undefined);
  assert.equal(rt.byName("app")[0].config.annotations[ANNOTATIONS.containerRestartCount], "1");

  clock.step(1000);
  crash();
  events.length = 0;
  r = await sync(pod);
  const start = r.results.find((x) => x.action === "StartContainer")!;
  assert.equal(start.error, "CrashLoopBackOff");
  assert.equal(start.message, "back-off 10s restarting failed container=app pod=web_default(uid-1)");
  assert.equal(r.backOffRemainingMs, 10_000);
  assert.equal(
    r.error()?.message,
    'failed to "StartContainer" for "app" with CrashLoopBackOff: "back-off 10s restarting failed container=app pod=web_default(uid-1)"',
  );
  assert.equal(r.errorUnlessOnlyBackOff(), undefined, "a backoff alone is no sync error");
  const reasons = new ReasonCache();
  reasons.update("uid-1", r);
  assert.deepEqual(reasons.get("uid-1", "app"), {
    reason: "CrashLoopBackOff",
    message: "back-off 10s restarting failed container=app pod=web_default(uid-1)",
  });
  assert.deepEqual([...reasons.forPod("uid-1").keys()], ["app"]);
  assert.deepEqual(events, [
    {
      type: "Warning",
      reason: "BackOff",
      message: "Back-off restarting failed container app in pod web_default(uid-1)",
    },
  ]);

  clock.step(9_999);
  assert.equal(
    (await sync(pod)).results.find((x) => x.action === "StartContainer")?.error,
    "CrashLoopBackOff",
  );
  clock.step(1);
  r = await sync(pod);
  assert.equal(r.error(), undefined);
  reasons.update("uid-1", r);
  assert.equal(reasons.get("uid-1", "app"), undefined, "a successful start clears the reason");
  assert.equal(reasons.forPod("uid-1").size, 0);
  assert.equal(rt.byName("app")[0].config.annotations[ANNOTATIONS.containerRestartCount], "2");
  // Only the newest terminated attempt is kept besides the running one.
  assert.deepEqual(
    rt.byName("app").map((c) => c.state),
    ["CONTAINER_RUNNING", "CONTAINER_EXITED"],
  );

  clock.step(500);
  crash();
  r = await sync(pod);
  assert.equal(
    r.results.find((x) => x.action === "StartContainer")?.message,
    "back-off 20s restarting failed container=app pod=web_default(uid-1)",
  );
});

test("restartPolicy OnFailure restarts a failure but not a success; Never kills the finished pod", async () => {
  {
    const { rt, sync } = setup();
    const pod = newPod({ restartPolicy: "OnFailure" });
    await sync(pod);
    rt.exit(rt.byName("app")[0].id, 0);
    rt.calls.length = 0;
    await sync(pod);
    // Nothing to run any more: the pod is killed (its sandbox stopped), nothing restarted.
    assert.deepEqual(
      rt.calls.filter((c) => !c.startsWith("removeContainer")),
      [`stopPodSandbox ${[...rt.sandboxes.keys()][0]}`],
    );
  }
  {
    const { rt, sync } = setup();
    const pod = newPod({ restartPolicy: "Never" });
    await sync(pod);
    rt.exit(rt.byName("app")[0].id, 2);
    await sync(pod);
    assert.equal(rt.byName("app").length, 1, "not restarted");
    assert.equal([...rt.sandboxes.values()][0].state, "SANDBOX_NOTREADY");
  }
});

test("init containers run one at a time, in order, before the containers", async () => {
  const { rt, sync } = setup();
  const pod = newPod({
    initContainers: [
      { name: "init-1", image: "busybox:1.36", imagePullPolicy: "IfNotPresent" },
      { name: "init-2", image: "busybox:1.36", imagePullPolicy: "IfNotPresent" },
    ],
  });
  await sync(pod);
  assert.deepEqual(
    [...rt.containers.values()].map((c) => c.metadata.name),
    ["init-1"],
  );
  const init1 = rt.byName("init-1")[0];
  assert.equal(init1.config.annotations[ANNOTATIONS.containerInit], "true");
  assert.equal(init1.config.annotations[ANNOTATIONS.containerType], "init");

  await sync(pod);
  assert.equal(rt.byName("init-2").length, 0, "init-1 still running");
  rt.exit(init1.id, 0);
  await sync(pod);
  assert.equal(rt.byName("init-2").length, 1);
  assert.equal(rt.byName("app").length, 0);
  rt.exit(rt.byName("init-2")[0].id, 0);
  await sync(pod);
  assert.equal(rt.byName("app")[0].state, "CONTAINER_RUNNING");
});

test("a failing init container follows the restart policy", async () => {
  {
    const { rt, sync } = setup();
    const pod = newPod({
      restartPolicy: "Always",
      initContainers: [{ name: "init", image: "busybox:1.36" }],
    });
    await sync(pod);
    rt.exit(rt.byName("init")[0].id, 1);
    await sync(pod);
    assert.deepEqual(
      rt.byName("init").map((c) => c.state),
      ["CONTAINER_RUNNING", "CONTAINER_EXITED"],
      "restarted",
    );
    assert.equal(rt.byName("app").length, 0);
  }
  {
    const { rt, sync } = setup();
    const pod = newPod({ restartPolicy: "Never", initContainers: [{ name: "init", image: "busybox:1.36" }] });
    await sync(pod);
    rt.exit(rt.byName("init")[0].id, 1);
    await sync(pod);
    assert.equal(rt.byName("init").length, 1, "not restarted");
    assert.equal(rt.byName("app").length, 0, "containers never start");
    assert.equal([...rt.sandboxes.values()][0].state, "SANDBOX_NOTREADY", "the pod is killed");
  }
});

test("a sidecar keeps running next to the containers", async () => {
  const { rt, sync } = setup();
  const pod = newPod({
    initContainers: [{ name: "proxy", image: "busybox:1.36", restartPolicy: "Always" }],
  });
  await sync(pod);
  assert.deepEqual(
    [...rt.containers.values()].map((c) => c.metadata.name),
    ["proxy"],
  );
  await sync(pod);
  assert.deepEqual(
    [...rt.containers.values()].map((c) => c.metadata.name),
    ["proxy", "app"],
    "the containers start once the sidecar runs",
  );
  rt.exit(rt.byName("proxy")[0].id, 1);
  await sync(pod);
  assert.equal(rt.byName("proxy")[0].state, "CONTAINER_RUNNING", "a sidecar restarts");
});

test("image pull policies: Never, Always, IfNotPresent, and the pull backoff", async () => {
  {
    const { rt, events, sync } = setup();
    const r = await sync(
      newPod({ containers: [{ name: "app", image: "busybox:1.36", imagePullPolicy: "Never" }] }),
    );
    const start = r.results.find((x) => x.action === "StartContainer")!;
    assert.equal(start.error, "ErrImageNeverPull");
    assert.equal(start.message, 'Container image "busybox:1.36" is not present with pull policy of Never');
    assert.deepEqual(events.slice(0, 2), [
      {
        type: "Warning",
        reason: "ErrImageNeverPull",
        message: 'Container image "busybox:1.36" is not present with pull policy of Never',
      },
      { type: "Warning", reason: "Failed", message: "Error: ErrImageNeverPull" },
    ]);
    assert.equal(rt.containers.size, 0);
  }
  {
    const { rt, events, sync } = setup();
    rt.images.set("busybox:1.36", { id: "sha256:x", repoTags: ["busybox:1.36"], repoDigests: [], size: 1 });
    await sync(newPod());
    assert.deepEqual(events[0], {
      type: "Normal",
      reason: "Pulled",
      message: 'Container image "busybox:1.36" already present on machine',
    });
    assert.ok(!rt.calls.some((c) => c.startsWith("pullImage")));
  }
  {
    const { rt, sync } = setup();
    rt.images.set("busybox:latest", {
      id: "sha256:x",
      repoTags: ["busybox:latest"],
      repoDigests: [],
      size: 1,
    });
    // No tag means :latest, which the apiserver defaults to Always.
    await sync(newPod({ containers: [{ name: "app", image: "busybox" }] }));
    assert.ok(rt.calls.includes("pullImage busybox:latest"));
  }
  {
    const { rt, events, clock, sync } = setup();
    rt.pullError = new Error('failed to resolve reference "docker.io/library/nope:1": not found');
    const pod = newPod({ containers: [{ name: "app", image: "nope:1", imagePullPolicy: "IfNotPresent" }] });
    let r = await sync(pod);
    let start = r.results.find((x) => x.action === "StartContainer")!;
    assert.equal(start.error, "ErrImagePull");
    assert.deepEqual(events.slice(1), [
      {
        type: "Warning",
        reason: "Failed",
        message:
          'Failed to pull image "nope:1": failed to resolve reference "docker.io/library/nope:1": not found',
      },
      { type: "Warning", reason: "Failed", message: "Error: ErrImagePull" },
    ]);
    events.length = 0;
    r = await sync(pod);
    start = r.results.find((x) => x.action === "StartContainer")!;
    assert.equal(start.error, "ImagePullBackOff");
    assert.equal(start.message, 'Back-off pulling image "nope:1"');
    assert.equal(r.errorUnlessOnlyBackOff(), undefined);
    assert.deepEqual(events, [
      { type: "Normal", reason: "BackOff", message: 'Back-off pulling image "nope:1"' },
      { type: "Warning", reason: "Failed", message: "Error: ImagePullBackOff" },
    ]);
    clock.step(10_000);
    rt.pullError = undefined;
    r = await sync(pod);
    assert.equal(r.error(), undefined);
  }
});

test("a container that fails to start reports RunContainerError", async () => {
  const { rt, events, sync } = setup();
  rt.failStart = "app";
  const r = await sync(newPod());
  const start = r.results.find((x) => x.action === "StartContainer")!;
  assert.equal(start.error, "RunContainerError");
  // The container id is replaced by its name, as recordContainerEvent does.
  assert.equal(start.message, "failed to start container app: exec: not found");
  assert.deepEqual(events.at(-1), {
    type: "Warning",
    reason: "Failed",
    message: "Error: failed to start container app: exec: not found",
  });
});

test("postStart: exec hook runs after start; a failing hook kills the container", async () => {
  const { rt, events, sync } = setup();
  rt.exec = () => ({ stdout: Buffer.from("out"), stderr: Buffer.from("boom"), exitCode: 3 });
  const pod = newPod({
    containers: [
      {
        name: "app",
        image: "busybox:1.36",
        lifecycle: { postStart: { exec: { command: ["sh", "-c", "setup"] } } },
      },
    ],
  });
  const r = await sync(pod);
  assert.ok(rt.calls.includes("exec app sh -c setup"));
  const start = r.results.find((x) => x.action === "StartContainer")!;
  assert.equal(start.error, "PostStartHookError");
  assert.equal(
    start.message,
    'Exec lifecycle hook ([sh -c setup]) for Container "app" in Pod "web_default(uid-1)" failed - error: command \'sh -c setup\' exited with 3: boom, message: "outboom"',
  );
  assert.deepEqual(
    events.slice(-2).map((e) => [e.reason, e.message]),
    [
      ["FailedPostStartHook", "PostStartHook failed"],
      ["Killing", "FailedPostStartHook"],
    ],
  );
  assert.equal(rt.byName("app")[0].state, "CONTAINER_EXITED");
});

test("killPod: preStop hook, stop within the grace period, then the sandbox", async () => {
  const { rt, events, m, sync } = setup();
  const pod = newPod({
    terminationGracePeriodSeconds: 30,
    containers: [
      {
        name: "app",
        image: "busybox:1.36",
        lifecycle: { preStop: { exec: { command: ["nginx", "-s", "quit"] } } },
      },
      { name: "logger", image: "busybox:1.36" },
    ],
  });
  await sync(pod);
  events.length = 0;
  rt.calls.length = 0;
  const status = await m.getPodStatus("uid-1", "web", "default");
  await m.killPod(pod, runningPodFromStatus(status));
  assert.ok(rt.calls.includes("exec app nginx -s quit"));
  assert.equal(rt.stopTimeouts.get("app"), 30);
  assert.equal(rt.stopTimeouts.get("logger"), 30);
  assert.equal(rt.calls.at(-1)?.startsWith("stopPodSandbox"), true);
  assert.deepEqual(
    events.map((e) => [e.reason, e.message]),
    [
      ["Killing", "Stopping container app"],
      ["Killing", "Stopping container logger"],
    ],
  );
  for (const c of rt.containers.values()) assert.equal(c.state, "CONTAINER_EXITED");
});

test("killPod: a grace override wins, but never below 2 seconds", async () => {
  const { rt, m, sync } = setup();
  const pod = newPod({ terminationGracePeriodSeconds: 30 });
  await sync(pod);
  await m.killPod(pod, runningPodFromStatus(await m.getPodStatus("uid-1", "web", "default")), 0);
  assert.equal(rt.stopTimeouts.get("app"), 2);
});

test("killPod: deletionGracePeriodSeconds is the grace period", async () => {
  const { rt, m, sync } = setup();
  const pod = newPod({ terminationGracePeriodSeconds: 30 }, { deletionGracePeriodSeconds: 5 });
  await sync(pod);
  await m.killPod(pod, runningPodFromStatus(await m.getPodStatus("uid-1", "web", "default")));
  assert.equal(rt.stopTimeouts.get("app"), 5);
});

test("killPod of an orphan restores the preStop hook and grace period from the container annotations", async () => {
  const { rt, m, sync } = setup();
  const pod = newPod({
    terminationGracePeriodSeconds: 12,
    containers: [
      { name: "app", image: "busybox:1.36", lifecycle: { preStop: { exec: { command: ["drain"] } } } },
    ],
  });
  await sync(pod);
  const [orphan] = await m.getPods(false);
  assert.equal(orphan.uid, "uid-1");
  rt.calls.length = 0;
  await m.killPod(undefined, orphan);
  assert.ok(rt.calls.includes("exec app drain"));
  assert.equal(rt.stopTimeouts.get("app"), 12);
});

test("killPod stops sidecars after the containers they serve", async () => {
  const { rt, m, sync } = setup();
  const pod = newPod({
    terminationGracePeriodSeconds: 30,
    initContainers: [{ name: "proxy", image: "busybox:1.36", restartPolicy: "Always" }],
  });
  await sync(pod);
  await sync(pod);
  rt.calls.length = 0;
  await m.killPod(pod, runningPodFromStatus(await m.getPodStatus("uid-1", "web", "default")));
  const stops = rt.calls.filter((c) => c.startsWith("stopContainer"));
  assert.deepEqual(stops, ["stopContainer app 30", "stopContainer proxy 30"]);
});

test("removePod removes every container and sandbox of the pod", async () => {
  const { rt, m, sync } = setup();
  const pod = newPod();
  await sync(pod);
  await m.killPod(pod, runningPodFromStatus(await m.getPodStatus("uid-1", "web", "default")));
  await m.removePod("uid-1");
  assert.equal(rt.containers.size, 0);
  assert.equal(rt.sandboxes.size, 0);
});

test("a dead sandbox is replaced: SandboxChanged, attempt 1, init containers purged", async () => {
  const { rt, events, sync } = setup();
  const pod = newPod({ initContainers: [{ name: "init", image: "busybox:1.36" }] });
  await sync(pod);
  rt.exit(rt.byName("init")[0].id, 0);
  await sync(pod);
  const [sb] = rt.sandboxes.values();
  sb.state = "SANDBOX_NOTREADY";
  events.length = 0;
  rt.calls.length = 0;
  await sync(pod);
  assert.deepEqual(events[0], {
    type: "Normal",
    reason: "SandboxChanged",
    message: "Pod sandbox changed, it will be killed and re-created.",
  });
  assert.ok(rt.calls.includes("runPodSandbox web attempt=1"));
  assert.ok(rt.calls.includes("removeContainer init"));
  assert.equal(rt.byName("init")[0].state, "CONTAINER_RUNNING", "initialization starts over");
});

test("a hostNetwork pod gets the NODE network namespace and the node's hostname", async () => {
  const { rt, sync } = setup();
  await sync(newPod({ hostNetwork: true }));
  const [sb] = rt.sandboxes.values();
  assert.equal(sb.config.linux?.securityContext?.namespaceOptions?.network, "NODE");
  assert.equal(sb.config.hostname, "");
});

test("an ephemeral container joins its target's PID namespace, and waits for a target that never ran", async () => {
  const { rt, events, sync } = setup();
  await sync(newPod());
  const app = [...rt.containers.values()].find((c) => c.metadata.name === "app")!;
  const debugged = newPod({
    ephemeralContainers: [
      { name: "dbg", image: "busybox:1.36", imagePullPolicy: "IfNotPresent", targetContainerName: "app" },
      { name: "lost", image: "busybox:1.36", imagePullPolicy: "IfNotPresent", targetContainerName: "nope" },
    ],
  });
  const r = await sync(debugged);
  const dbg = [...rt.containers.values()].find((c) => c.metadata.name === "dbg")!;
  assert.deepEqual(dbg.config.linux?.securityContext?.namespaceOptions, {
    network: "POD",
    pid: "TARGET",
    targetId: app.id,
    ipc: "POD",
  });
  assert.equal(app.config.linux?.securityContext?.namespaceOptions?.pid, "CONTAINER");
  const lost = r.results.find((x) => x.action === "StartContainer" && x.target === "lost")!;
  assert.equal(lost.error, "CreateContainerConfigError");
  assert.equal(lost.message, "unable to find target container nope");
  assert.ok([...rt.containers.values()].every((c) => c.metadata.name !== "lost"));
  assert.deepEqual(events.at(-1), {
    type: "Warning",
    reason: "Failed",
    message: "Error: unable to find target container nope",
  });
});
