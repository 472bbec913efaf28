// The fake (KWOK-style) container runtime of hollow nodes: CRI's RuntimeService
// and ImageService kept in memory, with no processes. States, timestamps, exit
// codes, reasons and error messages follow containerd's CRI plugin, so the
// kubelet above it cannot tell the difference.
//
// How a fake container behaves (DESIGN.md "Containers"); the keys are read from
// the sandbox's annotations, where the kubelet copies the pod's annotations:
// - it runs until stopped, unless `fake.k8ts.io/run-seconds: "S"` is set; it
//   then exits S seconds after it started with `fake.k8ts.io/exit-code: "N"`
//   (default 0). Reason "Completed" for 0, "Error" otherwise (containerd's).
// - `run-seconds.fake.k8ts.io/<container>` and `exit-code.fake.k8ts.io/<container>`
//   override the two for one container (the name as in
//   container.apparmor.security.beta.kubernetes.io/<container>).
// - an init container, which the kubelet marks with the container annotation
//   INIT_CONTAINER_ANNOTATION ("io.kubernetes.container.init": "true"; not on
//   restartable sidecars, which run as regular containers), exits as soon as it
//   starts with code 0, unless the keys above say otherwise.
// - stopContainer: the process honours SIGTERM at once (exit code 143); with
//   timeoutSeconds 0 it is SIGKILLed (137), as are the containers of a sandbox
//   being stopped or a running container being removed. Reason "Error".
// - execSync (probes, kubectl exec) succeeds with empty output, except `false`
//   (1) and `sh -c "exit N"` / `sh -c false` (N, 1), so exec probes can fail.
// - every image pulls at once; createContainer needs the image pulled first.
// - pod IPs come from the node's podCIDR (ip-allocator.ts); host-network
//   sandboxes get none (the kubelet reports the node's IP).
// All timed exits share one timer on the injected clock, armed for the earliest.
import { createHash, randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { Clock } from "../../client/clock.ts";
import type {
  AttachRequest,
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerEvent,
  ContainerMetadata,
  ContainerState,
  ContainerStatus,
  ExecRequest,
  ExecSyncResult,
  Image,
  ImageService,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxMetadata,
  PodSandboxState,
  PodSandboxStatus,
  RuntimeService,
  RuntimeStatus,
  Timestamp,
} from "./interface.ts";
import { Ipv4RangeAllocator } from "./ip-allocator.ts";

export const FAKE_ANNOTATIONS = {
  runSeconds: "fake.k8ts.io/run-seconds",
  exitCode: "fake.k8ts.io/exit-code",
  /** Per container: `run-seconds.fake.k8ts.io/<container name>`. */
  runSecondsPrefix: "run-seconds.fake.k8ts.io/",
  /** Per container: `exit-code.fake.k8ts.io/<container name>`. */
  exitCodePrefix: "exit-code.fake.k8ts.io/",
} as const;

/** Container annotation ("true") by which the kubelet marks a non-restartable init container. */
export const INIT_CONTAINER_ANNOTATION = "io.kubernetes.container.init";

/** A runtime error that means "no such object": `code` is gRPC's NOT_FOUND, as a CRI client over gRPC sees it. */
export class NotFoundError extends Error {
  readonly code = 5;
}

export interface FakeRuntimeOptions {
  clock: Clock;
  /** The node's spec.podCIDR, read at each sandbox creation; undefined until assigned. */
  podCIDR: () => string | undefined;
  /** Default "fake". */
  runtimeName?: string;
  /** Default "0.1.0". */
  runtimeVersion?: string;
}

// containerd's exit codes and reasons (internal/cri/server/helpers.go).
const SIGTERM_EXIT_CODE = 143;
const SIGKILL_EXIT_CODE = 137;
const START_ERROR_EXIT_CODE = 128;
const START_ERROR_REASON = "StartError";
// setTimeout's longest delay; a later exit re-arms when it fires.
const MAX_TIMER_MS = 2 ** 31 - 1;
const EMPTY = Buffer.alloc(0);

interface SandboxRecord {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Timestamp;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
  hostNetwork: boolean;
  /** "" when host-network or stopped (containerd reports no IP once the netns is gone). */
  ip: string;
}

interface ContainerRecord {
  id: string;
  sandbox: SandboxRecord;
  metadata: ContainerMetadata;
  /** As given in the config (often the image id), for listContainers. */
  configImage: string;
  image: Image;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
  state: ContainerState;
  createdAt: Timestamp;
  startedAt: Timestamp;
  finishedAt: Timestamp;
  exitCode: number;
  reason: string;
  message: string;
  /** How long it runs once started, in ms; -1 until stopped. */
  runMs: number;
  plannedExitCode: number;
  /** Clock ms of the timed exit, while queued. */
  dueAt: number;
  /** Position in the exit queue; -1 when not queued. */
  heapIndex: number;
}

export class FakeRuntime implements RuntimeService, ImageService {
  private readonly clock: Clock;
  private readonly podCIDR: () => string | undefined;
  private readonly runtimeName: string;
  private readonly runtimeVersion: string;
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  // containerd reserves names so that a retried create cannot make a twin.
  private readonly sandboxNames = new Map<string, string>();
  private readonly containerNames = new Map<string, string>();
  private readonly images = new Set<Image>();
  private readonly listeners = new Set<(e: ContainerEvent) => void>();
  private allocator: Ipv4RangeAllocator | undefined;
  private readonly exits = new ExitQueue();
  private cancelTimer: (() => void) | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(opts: FakeRuntimeOptions) {
    this.clock = opts.clock;
    this.podCIDR = opts.podCIDR;
    this.runtimeName = opts.runtimeName ?? "fake";
    this.runtimeVersion = opts.runtimeVersion ?? "0.1.0";
  }

  /** Cancels the exit timer (containers keep their state); for shutdown. */
  close(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  // ---- RuntimeService: runtime ----

  async version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }> {
    return { runtimeName: this.runtimeName, runtimeVersion: this.runtimeVersion, runtimeApiVersion: "v1" };
  }

  async status(): Promise<RuntimeStatus> {
    // Without a podCIDR there is no pod network, like containerd without a CNI config.
    const networkReady = this.podCIDR() !== undefined;
    return {
      conditions: [
        { type: "RuntimeReady", status: true, reason: "", message: "" },
        networkReady
          ? { type: "NetworkReady", status: true, reason: "", message: "" }
          : {
              type: "NetworkReady",
              status: false,
              reason: "NetworkPluginNotReady",
              message: "Network plugin returns error: cni plugin not initialized",
            },
      ],
    };
  }

  // ---- RuntimeService: sandboxes ----

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ""): Promise<string> {
    // Configured as k8ts configures containerd: runc, the default, and nothing else.
    if (runtimeHandler !== "" && runtimeHandler !== "runc") {
      throw new Error(`failed to get sandbox runtime: no runtime for "${runtimeHandler}" is configured`);
    }
    const name = sandboxName(config.metadata);
    const holder = this.sandboxNames.get(name);
    if (holder !== undefined) {
      throw new Error(`failed to reserve sandbox name "${name}": name "${name}" is reserved for "${holder}"`);
    }
    const id = newId();
    const hostNetwork = config.linux?.securityContext?.namespaceOptions?.network === "NODE";
    const ip = hostNetwork ? "" : this.allocateIp(id);
    this.sandboxes.set(id, {
      id,
      metadata: config.metadata,
      state: "SANDBOX_READY",
      createdAt: ns(this.clock.now()),
      labels: config.labels,
      annotations: config.annotations,
      runtimeHandler,
      hostNetwork,
      ip,
    });
    this.sandboxNames.set(name, id);
    return id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb) return; // idempotent, as the CRI asks
    this.stopSandbox(sb);
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb) return;
    this.stopSandbox(sb);
    const removed: ContainerRecord[] = [];
    for (const c of this.containers.values()) {
      if (c.sandbox === sb) removed.push(c);
    }
    for (const c of removed) this.deleteContainer(c);
    this.sandboxes.delete(sb.id);
    this.sandboxNames.delete(sandboxName(sb.metadata));
    for (const c of removed) this.emit(c, "CONTAINER_DELETED_EVENT");
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb) throw new NotFoundError("an error occurred when try to find sandbox: not found");
    return { ...toPodSandbox(sb), network: { ip: sb.ip, additionalIps: [] } };
  }

  async listPodSandbox(filter?: {
    state?: PodSandboxState;
    labelSelector?: Record<string, string>;
  }): Promise<PodSandbox[]> {
    const out: PodSandbox[] = [];
    for (const sb of this.sandboxes.values()) {
      if (filter?.state !== undefined && sb.state !== filter.state) continue;
      if (filter?.labelSelector && !labelsMatch(sb.labels, filter.labelSelector)) continue;
      out.push(toPodSandbox(sb));
    }
    return out;
  }

  // ---- RuntimeService: containers ----

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const sb = this.sandboxes.get(podSandboxId);
    if (!sb) throw new NotFoundError(`failed to find sandbox id "${podSandboxId}": not found`);
    const name = containerName(config.metadata, sb.metadata);
    const holder = this.containerNames.get(name);
    if (holder !== undefined) {
      throw new Error(
        `failed to reserve container name "${name}": name "${name}" is reserved for "${holder}"`,
      );
    }
    const image = lookupImage(config.image.image);
    if (!image || !this.images.has(image)) {
      throw new NotFoundError(`failed to resolve image "${config.image.image}": not found`);
    }
    const annotations = sandboxConfig?.annotations ?? sb.annotations;
    const init = config.annotations?.[INIT_CONTAINER_ANNOTATION] === "true";
    const runSeconds = parseRunSeconds(
      annotations[FAKE_ANNOTATIONS.runSecondsPrefix + config.metadata.name] ??
        annotations[FAKE_ANNOTATIONS.runSeconds],
    );
    const exitCode = parseExitCode(
      annotations[FAKE_ANNOTATIONS.exitCodePrefix + config.metadata.name] ??
        annotations[FAKE_ANNOTATIONS.exitCode],
    );
    const logDirectory = sandboxConfig?.logDirectory ?? "";
    const id = newId();
    const c: ContainerRecord = {
      id,
      sandbox: sb,
      metadata: config.metadata,
      configImage: config.image.image,
      image,
      labels: config.labels,
      annotations: config.annotations,
      logPath: logDirectory !== "" && config.logPath !== "" ? posix.join(logDirectory, config.logPath) : "",
      state: "CONTAINER_CREATED",
      createdAt: ns(this.clock.now()),
      startedAt: 0,
      finishedAt: 0,
      exitCode: 0,
      reason: "",
      message: "",
      runMs: runSeconds !== undefined ? runSeconds * 1000 : init ? 0 : -1,
      plannedExitCode: exitCode ?? 0,
      dueAt: 0,
      heapIndex: -1,
    };
    this.containers.set(id, c);
    this.containerNames.set(name, id);
    this.emit(c, "CONTAINER_CREATED_EVENT");
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c) throw notFoundContainer(containerId);
    if (c.state !== "CONTAINER_CREATED") {
      throw new Error(
        `failed to set starting state for container "${c.id}": container is in ${c.state} state`,
      );
    }
    const now = this.clock.now();
    if (c.sandbox.state !== "SANDBOX_READY") {
      // containerd marks a container that failed to start as exited with StartError.
      const message = `sandbox container "${c.sandbox.id}" is not running`;
      c.state = "CONTAINER_EXITED";
      c.finishedAt = ns(now);
      c.exitCode = START_ERROR_EXIT_CODE;
      c.reason = START_ERROR_REASON;
      c.message = message;
      throw new Error(message);
    }
    c.state = "CONTAINER_RUNNING";
    c.startedAt = ns(now);
    this.emit(c, "CONTAINER_STARTED_EVENT");
    if (c.runMs === 0) {
      exit(c, c.startedAt, c.plannedExitCode);
      this.emit(c, "CONTAINER_STOPPED_EVENT");
    } else if (c.runMs > 0) {
      c.dueAt = now + c.runMs;
      this.exits.push(c);
      this.arm();
    }
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(containerId);
    if (c?.state !== "CONTAINER_RUNNING") return; // idempotent, as containerd
    this.kill(c, timeoutSeconds > 0 ? SIGTERM_EXIT_CODE : SIGKILL_EXIT_CODE);
    this.arm();
    this.emit(c, "CONTAINER_STOPPED_EVENT");
  }

  async removeContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c) return;
    const wasRunning = c.state === "CONTAINER_RUNNING";
    if (wasRunning) {
      this.kill(c, SIGKILL_EXIT_CODE);
      this.arm();
    }
    this.deleteContainer(c);
    if (wasRunning) this.emit(c, "CONTAINER_STOPPED_EVENT");
    this.emit(c, "CONTAINER_DELETED_EVENT");
  }

  async listContainers(filter?: {
    podSandboxId?: string;
    state?: ContainerState;
    labelSelector?: Record<string, string>;
  }): Promise<Container[]> {
    const out: Container[] = [];
    for (const c of this.containers.values()) {
      if (filter?.podSandboxId !== undefined && c.sandbox.id !== filter.podSandboxId) continue;
      if (filter?.state !== undefined && c.state !== filter.state) continue;
      if (filter?.labelSelector && !labelsMatch(c.labels, filter.labelSelector)) continue;
      out.push({
        id: c.id,
        podSandboxId: c.sandbox.id,
        metadata: c.metadata,
        image: { image: c.configImage },
        imageRef: c.image.id,
        state: c.state,
        createdAt: c.createdAt,
        labels: c.labels,
        annotations: c.annotations,
      });
    }
    return out;
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    const c = this.containers.get(containerId);
    if (!c) throw notFoundContainer(containerId);
    // As containerd: the image by its tag, imageRef the repo digest.
    return {
      id: c.id,
      metadata: c.metadata,
      state: c.state,
      createdAt: c.createdAt,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      exitCode: c.exitCode,
      image: { image: c.image.repoTags[0] ?? c.configImage },
      imageRef: c.image.repoDigests[0] ?? c.image.id,
      reason: c.reason,
      message: c.message,
      labels: c.labels,
      annotations: c.annotations,
      logPath: c.logPath,
    };
  }

  async execSync(containerId: string, cmd: string[], _timeoutSeconds: number): Promise<ExecSyncResult> {
    const c = this.containers.get(containerId);
    if (!c) {
      throw new NotFoundError(
        `failed to exec in container: failed to find container "${containerId}" in store: not found`,
      );
    }
    if (c.state !== "CONTAINER_RUNNING") {
      throw new Error(`failed to exec in container: container is in ${c.state} state`);
    }
    return { stdout: EMPTY, stderr: EMPTY, exitCode: execExitCode(cmd) };
  }

  // Hollow nodes run no processes, so there is no streaming server to send a client to.
  async getExec(req: ExecRequest): Promise<string> {
    this.streamingContainer(req.containerId, "exec");
    throw new Error("streaming is not supported by the fake runtime: hollow nodes run no processes (exec)");
  }

  async getAttach(req: AttachRequest): Promise<string> {
    this.streamingContainer(req.containerId, "attach");
    throw new Error("streaming is not supported by the fake runtime: hollow nodes run no processes (attach)");
  }

  async getPortForward(podSandboxId: string, _ports: number[]): Promise<string> {
    if (!this.sandboxes.has(podSandboxId))
      throw new NotFoundError(`failed to find sandbox "${podSandboxId}" in store: not found`);
    throw new Error(
      "streaming is not supported by the fake runtime: hollow nodes run no processes (port-forward)",
    );
  }

  private streamingContainer(containerId: string, what: string): void {
    const c = this.containers.get(containerId);
    if (!c) throw new NotFoundError(`failed to find container "${containerId}" in store: not found`);
    if (c.state !== "CONTAINER_RUNNING")
      throw new Error(`container ${containerId} is in ${c.state} state: cannot ${what}`);
  }

  // Fake containers write no log; only the errors are containerd's.
  async reopenContainerLog(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    if (!c) {
      throw new NotFoundError(`failed to find container "${containerId}": not found`);
    }
    if (c.state !== "CONTAINER_RUNNING") throw new Error("container is not running");
  }

  onContainerEvent(listener: (e: ContainerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ---- ImageService ----

  async listImages(): Promise<Image[]> {
    return [...this.images];
  }

  async imageStatus(image: string): Promise<Image | undefined> {
    const img = lookupImage(image);
    return img && this.images.has(img) ? img : undefined;
  }

  async pullImage(image: string, _auth?: AuthConfig, _sandboxConfig?: PodSandboxConfig): Promise<string> {
    const img = imageFor(image);
    this.images.add(img);
    return img.id;
  }

  async removeImage(image: string): Promise<void> {
    const img = lookupImage(image);
    if (img) this.images.delete(img);
  }

  async imageFsInfo(): Promise<{ usedBytes: number; inodesUsed: number }> {
    let usedBytes = 0;
    for (const img of this.images) usedBytes += img.size;
    // About one file per 16 KiB of image, to look like a real layer store.
    return { usedBytes, inodesUsed: Math.ceil(usedBytes / 16384) };
  }

  // ---- internals ----

  private allocateIp(sandboxId: string): string {
    const cidr = this.podCIDR();
    const fail = (why: string) => new Error(`failed to setup network for sandbox "${sandboxId}": ${why}`);
    if (cidr === undefined) throw fail("cni config not initialized");
    if (this.allocator?.cidr !== cidr) {
      let next: Ipv4RangeAllocator;
      try {
        next = new Ipv4RangeAllocator(cidr);
      } catch (err) {
        throw fail((err as Error).message);
      }
      // Sandboxes keep their IPs across a podCIDR change; those inside the new range stay taken.
      for (const sb of this.sandboxes.values()) if (sb.ip !== "") next.reserve(sb.ip);
      this.allocator = next;
    }
    const ip = this.allocator.allocate();
    if (ip === undefined) {
      throw fail(
        `failed to allocate for range 0: no IP addresses available in range set: ${this.allocator.range}`,
      );
    }
    return ip;
  }

  private stopSandbox(sb: SandboxRecord): void {
    // containerd stops the sandbox's containers with timeout 0: SIGKILL.
    const stopped: ContainerRecord[] = [];
    for (const c of this.containers.values()) {
      if (c.sandbox === sb && c.state === "CONTAINER_RUNNING") {
        this.kill(c, SIGKILL_EXIT_CODE);
        stopped.push(c);
      }
    }
    if (sb.ip !== "") this.allocator?.release(sb.ip);
    sb.ip = "";
    sb.state = "SANDBOX_NOTREADY";
    this.arm();
    for (const c of stopped) this.emit(c, "CONTAINER_STOPPED_EVENT");
  }

  private kill(c: ContainerRecord, exitCode: number): void {
    if (c.heapIndex >= 0) this.exits.remove(c);
    exit(c, ns(this.clock.now()), exitCode);
  }

  private deleteContainer(c: ContainerRecord): void {
    if (c.heapIndex >= 0) this.exits.remove(c);
    this.containers.delete(c.id);
    this.containerNames.delete(containerName(c.metadata, c.sandbox.metadata));
  }

  /** Keeps the one timer armed for the earliest timed exit (none when no exit is queued). */
  private arm(): void {
    const next = this.exits.peek();
    if (!next) {
      this.close();
      return;
    }
    if (this.cancelTimer && this.timerAt <= next.dueAt) return;
    this.cancelTimer?.();
    this.timerAt = next.dueAt;
    this.cancelTimer = this.clock.after(Math.min(next.dueAt - this.clock.now(), MAX_TIMER_MS), this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.cancelTimer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    const exited: ContainerRecord[] = [];
    for (let c = this.exits.peek(); c && c.dueAt <= now; c = this.exits.peek()) {
      this.exits.pop();
      // Exactly S seconds after the start, however late the timer fired.
      exit(c, ns(c.dueAt), c.plannedExitCode);
      exited.push(c);
    }
    this.arm();
    for (const c of exited) this.emit(c, "CONTAINER_STOPPED_EVENT");
  };

  private emit(c: ContainerRecord, type: ContainerEvent["type"]): void {
    if (this.listeners.size === 0) return;
    const e: ContainerEvent = {
      containerId: c.id,
      podSandboxId: c.sandbox.id,
      type,
      createdAt: ns(this.clock.now()),
    };
    for (const listener of this.listeners) {
      try {
        listener(e);
      } catch (err) {
        // A listener's bug must not leave the runtime half-updated; surface it as uncaught.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}

/** A min-heap of running containers by due exit time; each record knows its index so a stop removes it in O(log n). */
class ExitQueue {
  private readonly items: ContainerRecord[] = [];

  peek(): ContainerRecord | undefined {
    return this.items[0];
  }

  push(c: ContainerRecord): void {
    c.heapIndex = this.items.length;
    this.items.push(c);
    this.up(c.heapIndex);
  }

  pop(): ContainerRecord | undefined {
    const top = this.items[0];
    if (top) this.remove(top);
    return top;
  }

  remove(c: ContainerRecord): void {
    const i = c.heapIndex;
    const last = this.items.pop()!;
    c.heapIndex = -1;
    if (last === c) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.down(i);
    this.up(last.heapIndex);
  }

  private up(i: number): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent].dueAt <= items[i].dueAt) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const items = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < items.length && items[l].dueAt < items[min].dueAt) min = l;
      if (r < items.length && items[r].dueAt < items[min].dueAt) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  private swap(a: number, b: number): void {
    const items = this.items;
    const t = items[a];
    items[a] = items[b];
    items[b] = t;
    items[a].heapIndex = a;
    items[b].heapIndex = b;
  }
}

function exit(c: ContainerRecord, finishedAt: Timestamp, exitCode: number): void {
  c.state = "CONTAINER_EXITED";
  c.finishedAt = finishedAt;
  c.exitCode = exitCode;
  c.reason = exitCode === 0 ? "Completed" : "Error";
}

function toPodSandbox(sb: SandboxRecord): PodSandbox {
  return {
    id: sb.id,
    metadata: sb.metadata,
    state: sb.state,
    createdAt: sb.createdAt,
    labels: sb.labels,
    annotations: sb.annotations,
    runtimeHandler: sb.runtimeHandler,
  };
}

/** CRI timestamps are nanoseconds; the clock gives milliseconds. */
function ns(ms: number): Timestamp {
  return ms * 1e6;
}

/** Random bytes for ids, drawn 4 KiB at a time: one randomBytes call per id was 1.5 % of 500 hollow kubelets' CPU. */
let idPool = Buffer.alloc(0);
let idPoolAt = 0;

/** 64 hex digits, like containerd's ids. */
function newId(): string {
  if (idPoolAt + 32 > idPool.length) {
    idPool = randomBytes(4096);
    idPoolAt = 0;
  }
  idPoolAt += 32;
  return idPool.toString("hex", idPoolAt - 32, idPoolAt);
}

function notFoundContainer(id: string): NotFoundError {
  return new NotFoundError(`an error occurred when try to find container "${id}": not found`);
}

// containerd's makeSandboxName / makeContainerName.
function sandboxName(m: PodSandboxMetadata): string {
  return `${m.name}_${m.namespace}_${m.uid}_${m.attempt}`;
}

function containerName(c: ContainerMetadata, s: PodSandboxMetadata): string {
  return `${c.name}_${s.name}_${s.namespace}_${s.uid}_${c.attempt}`;
}

function labelsMatch(labels: Record<string, string>, selector: Record<string, string>): boolean {
  for (const k in selector) {
    if (labels[k] !== selector[k]) return false;
  }
  return true;
}

/** Seconds ≥ 0 (fractions allowed); anything else is ignored. */
function parseRunSeconds(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === "") return undefined;
  const s = Number(v);
  return Number.isFinite(s) && s >= 0 ? s : undefined;
}

/** An integer; anything else is ignored (code 0). */
function parseExitCode(v: string | undefined): number | undefined {
  return v !== undefined && /^\s*-?\d+\s*$/.test(v) ? Number(v) : undefined;
}

const SHELLS = new Set(["sh", "bash", "ash", "dash"]);
const SHELL_EXIT = /^\s*(?:exit(?:\s+(\d+))?|(false)|true)\s*;?\s*$/;

/** `false` → 1, `sh -c "exit N"` → N % 256, `sh -c false` → 1; anything else succeeds. */
function execExitCode(cmd: string[]): number {
  if (cmd.length === 0) return 0;
  const program = cmd[0].slice(cmd[0].lastIndexOf("/") + 1);
  if (program === "false") return 1;
  if (SHELLS.has(program) && cmd[1] === "-c" && cmd.length >= 3) {
    const m = SHELL_EXIT.exec(cmd[2]);
    if (m?.[2]) return 1;
    if (m?.[1]) return Number(m[1]) % 256;
  }
  return 0;
}

// ---- images ----
// Images are the same on every node, so one table per process holds them,
// found by any of their names; a node keeps only the set it has pulled.

const imagesByRef = new Map<string, Image>();

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

/** An image reference normalised as containerd names it (docker's ParseNormalizedNamed + TagNameOnly). */
function normalizeReference(ref: string): { repo: string; tag: string; digest: string } {
  let rest = ref;
  let digest = "";
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = "";
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf("/");
  const first = slash < 0 ? "" : rest.slice(0, slash);
  let domain: string;
  let path: string;
  if (slash < 0 || (!/[.:]/.test(first) && first !== "localhost" && first.toLowerCase() === first)) {
    domain = "docker.io";
    path = rest;
  } else {
    domain = first === "index.docker.io" ? "docker.io" : first;
    path = rest.slice(slash + 1);
  }
  if (domain === "docker.io" && !path.includes("/")) path = `library/${path}`;
  if (tag === "" && digest === "") tag = "latest";
  return { repo: `${domain}/${path}`, tag, digest };
}

/** The image a reference names, if it was ever pulled on any node. */
function lookupImage(ref: string): Image | undefined {
  const known = imagesByRef.get(ref);
  if (known || ref.startsWith("sha256:")) return known;
  const { repo, tag, digest } = normalizeReference(ref);
  return imagesByRef.get(digest !== "" ? `${repo}@${digest}` : `${repo}:${tag}`);
}

/** The image a reference names, made up (deterministically, from the name) the first time. */
function imageFor(ref: string): Image {
  const known = lookupImage(ref);
  if (known) {
    imagesByRef.set(ref, known);
    return known;
  }
  const { repo, tag, digest } = normalizeReference(ref);
  // A tag gets a made-up repo digest, as a registry would give; a digest names itself.
  const name = digest !== "" ? `${repo}@${digest}` : `${repo}:${tag}`;
  const repoTags = digest !== "" ? [] : [name];
  const repoDigests = digest !== "" ? [name] : [`${repo}@sha256:${sha256(`manifest\0${name}`)}`];
  const config = sha256(`config\0${name}`);
  const img: Image = Object.freeze({
    id: `sha256:${config}`,
    repoTags: Object.freeze(repoTags) as string[],
    repoDigests: Object.freeze(repoDigests) as string[],
    // 2–50 MB, fixed per image.
    size: 2_000_000 + (Number.parseInt(config.slice(0, 8), 16) % 48_000_000),
  });
  for (const key of [ref, name, img.id, ...repoDigests]) imagesByRef.set(key, img);
  return img;
}
