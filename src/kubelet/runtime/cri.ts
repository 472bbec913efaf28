// The CRI client: RuntimeService and ImageService (interface.ts) spoken over
// gRPC (runtime.v1, ./cri/api.proto) to a CRI runtime such as containerd, as
// upstream's pkg/kubelet/cri/remote does. interface.ts mirrors the proto in
// camelCase, so requests pass the kubelet's objects through and responses are
// picked into the interface's shapes.
//
// Deadlines follow upstream's remote runtime: every call gets the runtime
// request timeout (kubelet's --runtime-request-timeout, 2m), StopContainer and
// ExecSync get their own timeout on top, and PullImage has none.
//
// Container events: containerd 1.6 does not serve GetContainerEvents (it came
// with containerd 1.7); when the runtime answers UNIMPLEMENTED, events are made
// by polling ListContainers and diffing the states.
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type {
  AttachRequest,
  AuthConfig,
  Container,
  ContainerConfig,
  ContainerEvent,
  ContainerState,
  ContainerStatus,
  ExecRequest,
  ExecSyncResult,
  Image,
  ImageService,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxState,
  PodSandboxStatus,
  RuntimeService,
  RuntimeStatus,
} from "./interface.ts";

/** The CRI API version the kubelet asks for in Version. */
export const CRI_API_VERSION = "v1";
const DEFAULT_REQUEST_TIMEOUT_MS = 2 * 60_000;
const DEFAULT_EVENT_POLL_INTERVAL_MS = 1000;
// Upstream's maxMsgSize (pkg/kubelet/cri/remote/utils.go).
const MAX_MSG_SIZE = 16 * 1024 * 1024;

/** A failed CRI call: `code` is the gRPC status (5 NOT_FOUND, ...), `message` the runtime's own. */
export class CriError extends Error {
  readonly code: grpc.status;
  /** The gRPC status name, e.g. "NOT_FOUND". */
  readonly codeName: string;
  readonly method: string;
  constructor(method: string, code: grpc.status, details: string) {
    super(details);
    this.name = "CriError";
    this.code = code;
    this.codeName = grpc.status[code] ?? String(code);
    this.method = method;
  }
}

function criError(method: string, err: grpc.ServiceError): CriError {
  return new CriError(method, err.code, err.details || err.message);
}

export interface CriRuntimeOptions {
  /** The runtime's unix socket: a path or a `unix://` address. */
  socket: string;
  /** Deadline of each call; default 2 minutes. */
  requestTimeoutMs?: number;
  /** How often ListContainers is polled when the runtime has no GetContainerEvents; default 1 s. */
  eventPollIntervalMs?: number;
}

type Callback = (err: grpc.ServiceError | null, res: unknown) => void;
type UnaryMethod = (
  req: object,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: Callback,
) => grpc.ClientUnaryCall;

let cachedPackage: grpc.GrpcObject | undefined;
function criPackage(): grpc.GrpcObject {
  if (!cachedPackage) {
    const def = protoLoader.loadSync(fileURLToPath(new URL("./cri/api.proto", import.meta.url)), {
      keepCase: false,
      longs: Number,
      enums: String,
      bytes: Buffer,
      defaults: true,
      oneofs: true,
    });
    cachedPackage = grpc.loadPackageDefinition(def);
  }
  return cachedPackage;
}

function serviceClient(name: string): grpc.ServiceClientConstructor {
  const v1 = (criPackage().runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
  return v1[name] as grpc.ServiceClientConstructor;
}

// Proto messages as proto-loader decodes them (camelCase, longs as numbers, enums as names).
interface PbMap {
  [k: string]: string;
}
interface PbSandbox {
  id: string;
  metadata: { name: string; uid: string; namespace: string; attempt: number } | null;
  state: PodSandboxState;
  createdAt: number;
  labels: PbMap;
  annotations: PbMap;
}
interface PbSandboxStatus extends PbSandbox {
  network: { ip: string; additionalIps: Array<{ ip: string }> } | null;
}
interface PbContainer {
  id: string;
  podSandboxId: string;
  metadata: { name: string; attempt: number } | null;
  image: { image: string } | null;
  imageRef: string;
  state: ContainerState;
  createdAt: number;
  labels: PbMap;
  annotations: PbMap;
}
interface PbContainerStatus {
  id: string;
  metadata: { name: string; attempt: number } | null;
  state: ContainerState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image: { image: string } | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: PbMap;
  annotations: PbMap;
  logPath: string;
}
interface PbImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
}
interface PbEvent {
  containerId: string;
  containerEventType: ContainerEvent["type"];
  createdAt: number;
  podSandboxStatus: { id: string } | null;
}

function toSandbox(s: PbSandbox): PodSandbox {
  return {
    id: s.id,
    metadata: {
      name: s.metadata?.name ?? "",
      uid: s.metadata?.uid ?? "",
      namespace: s.metadata?.namespace ?? "",
      attempt: s.metadata?.attempt ?? 0,
    },
    state: s.state,
    createdAt: s.createdAt,
    labels: { ...s.labels },
    annotations: { ...s.annotations },
  };
}

function toContainer(c: PbContainer): Container {
  return {
    id: c.id,
    podSandboxId: c.podSandboxId,
    metadata: { name: c.metadata?.name ?? "", attempt: c.metadata?.attempt ?? 0 },
    image: { image: c.image?.image ?? "" },
    imageRef: c.imageRef,
    state: c.state,
    createdAt: c.createdAt,
    labels: { ...c.labels },
    annotations: { ...c.annotations },
  };
}

function toImage(i: PbImage): Image {
  return { id: i.id, repoTags: [...i.repoTags], repoDigests: [...i.repoDigests], size: i.size };
}

// How far along its life a container is, to turn two listed states into the events between them.
const STATE_RANK: Partial<Record<ContainerState, number>> = {
  CONTAINER_CREATED: 0,
  CONTAINER_RUNNING: 1,
  CONTAINER_EXITED: 2,
};
const RANK_EVENT: ContainerEvent["type"][] = [
  "CONTAINER_CREATED_EVENT",
  "CONTAINER_STARTED_EVENT",
  "CONTAINER_STOPPED_EVENT",
];

/** The events that lead from `before` (undefined: not yet seen) to `after` (undefined: gone). */
export function containerEventsBetween(
  before: ContainerState | undefined,
  after: ContainerState | undefined,
): ContainerEvent["type"][] {
  if (after === undefined) return before === undefined ? [] : ["CONTAINER_DELETED_EVENT"];
  const to = STATE_RANK[after];
  if (to === undefined) return [];
  const from = before === undefined ? -1 : (STATE_RANK[before] ?? to);
  return RANK_EVENT.slice(from + 1, to + 1);
}

export class CriRuntime implements RuntimeService, ImageService {
  readonly address: string;
  private readonly runtime: grpc.Client;
  private readonly images: grpc.Client;
  private readonly timeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly listeners = new Set<(e: ContainerEvent) => void>();
  private eventSource: "unknown" | "stream" | "poll" = "unknown";
  private stream: grpc.ClientReadableStream<PbEvent> | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private lastStates: Map<string, { state: ContainerState; podSandboxId: string }> | undefined;

  constructor(opts: CriRuntimeOptions) {
    this.address = opts.socket.startsWith("unix:") ? opts.socket : `unix://${opts.socket}`;
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.pollIntervalMs = opts.eventPollIntervalMs ?? DEFAULT_EVENT_POLL_INTERVAL_MS;
    const channelOptions = {
      "grpc.max_receive_message_length": MAX_MSG_SIZE,
      "grpc.max_send_message_length": MAX_MSG_SIZE,
    };
    const creds = grpc.credentials.createInsecure();
    this.runtime = new (serviceClient("RuntimeService"))(this.address, creds, channelOptions);
    this.images = new (serviceClient("ImageService"))(this.address, creds, channelOptions);
  }

  /** Which source feeds onContainerEvent: CRI's GetContainerEvents stream, or polling (containerd 1.6). */
  get containerEventSource(): "unknown" | "stream" | "poll" {
    return this.eventSource;
  }

  close(): void {
    this.stopEvents();
    this.listeners.clear();
    this.runtime.close();
    this.images.close();
  }

  private call<T>(
    client: grpc.Client,
    method: string,
    req: object,
    /** null: no deadline. */
    timeoutMs: number | null = this.timeoutMs,
  ): Promise<T> {
    const fn = (client as unknown as Record<string, UnaryMethod>)[method];
    const opts: grpc.CallOptions = timeoutMs === null ? {} : { deadline: Date.now() + timeoutMs };
    return new Promise<T>((resolve, reject) => {
      fn.call(client, req, new grpc.Metadata(), opts, (err, res) => {
        if (err) reject(criError(method, err));
        else resolve(res as T);
      });
    });
  }

  // --- RuntimeService

  async version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }> {
    const r = await this.call<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>(
      this.runtime,
      "Version",
      { version: CRI_API_VERSION },
    );
    return {
      runtimeName: r.runtimeName,
      runtimeVersion: r.runtimeVersion,
      runtimeApiVersion: r.runtimeApiVersion,
    };
  }

  async status(): Promise<RuntimeStatus> {
    const r = await this.call<{
      status: {
        conditions: Array<{ type: string; status: boolean; reason: string; message: string }>;
      } | null;
    }>(this.runtime, "Status", { verbose: false });
    return {
      conditions: (r.status?.conditions ?? [])
        .filter((c) => c.type === "RuntimeReady" || c.type === "NetworkReady")
        .map((c) => ({
          type: c.type as "RuntimeReady" | "NetworkReady",
          status: c.status,
          reason: c.reason,
          message: c.message,
        })),
    };
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ""): Promise<string> {
    const r = await this.call<{ podSandboxId: string }>(this.runtime, "RunPodSandbox", {
      config,
      runtimeHandler,
    });
    return r.podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.call(this.runtime, "StopPodSandbox", { podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.call(this.runtime, "RemovePodSandbox", { podSandboxId });
  }

  async podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus> {
    const r = await this.call<{ status: PbSandboxStatus | null }>(this.runtime, "PodSandboxStatus", {
      podSandboxId,
      verbose: false,
    });
    if (!r.status)
      throw new CriError(
        "PodSandboxStatus",
        grpc.status.NOT_FOUND,
        `sandbox "${podSandboxId}" has no status`,
      );
    const out: PodSandboxStatus = toSandbox(r.status);
    if (r.status.network) {
      out.network = {
        ip: r.status.network.ip,
        additionalIps: r.status.network.additionalIps.map((a) => ({ ip: a.ip })),
      };
    }
    return out;
  }

  async listPodSandbox(filter?: {
    state?: PodSandboxState;
    labelSelector?: Record<string, string>;
  }): Promise<PodSandbox[]> {
    const f = filter && {
      ...(filter.state ? { state: { state: filter.state } } : {}),
      labelSelector: filter.labelSelector ?? {},
    };
    const r = await this.call<{ items: PbSandbox[] }>(this.runtime, "ListPodSandbox", f ? { filter: f } : {});
    return r.items.map(toSandbox);
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const r = await this.call<{ containerId: string }>(this.runtime, "CreateContainer", {
      podSandboxId,
      config,
      sandboxConfig,
    });
    return r.containerId;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.call(this.runtime, "StartContainer", { containerId });
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    await this.call(
      this.runtime,
      "StopContainer",
      { containerId, timeout: timeoutSeconds },
      this.timeoutMs + timeoutSeconds * 1000,
    );
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.call(this.runtime, "RemoveContainer", { containerId });
  }

  async listContainers(filter?: {
    podSandboxId?: string;
    state?: ContainerState;
    labelSelector?: Record<string, string>;
  }): Promise<Container[]> {
    const f = filter && {
      podSandboxId: filter.podSandboxId ?? "",
      ...(filter.state ? { state: { state: filter.state } } : {}),
      labelSelector: filter.labelSelector ?? {},
    };
    const r = await this.call<{ containers: PbContainer[] }>(
      this.runtime,
      "ListContainers",
      f ? { filter: f } : {},
    );
    return r.containers.map(toContainer);
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    const r = await this.call<{ status: PbContainerStatus | null }>(this.runtime, "ContainerStatus", {
      containerId,
      verbose: false,
    });
    const s = r.status;
    if (!s)
      throw new CriError(
        "ContainerStatus",
        grpc.status.NOT_FOUND,
        `container "${containerId}" has no status`,
      );
    return {
      id: s.id,
      metadata: { name: s.metadata?.name ?? "", attempt: s.metadata?.attempt ?? 0 },
      state: s.state,
      createdAt: s.createdAt,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      exitCode: s.exitCode,
      image: { image: s.image?.image ?? "" },
      imageRef: s.imageRef,
      reason: s.reason,
      message: s.message,
      labels: { ...s.labels },
      annotations: { ...s.annotations },
      logPath: s.logPath,
    };
  }

  async execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    // Upstream: no deadline when the exec itself has none.
    const deadline = timeoutSeconds > 0 ? this.timeoutMs + timeoutSeconds * 1000 : null;
    const r = await this.call<{ stdout: Buffer; stderr: Buffer; exitCode: number }>(
      this.runtime,
      "ExecSync",
      { containerId, cmd, timeout: timeoutSeconds },
      deadline,
    );
    return { stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr), exitCode: r.exitCode };
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    await this.call(this.runtime, "ReopenContainerLog", { containerId });
  }

  async getExec(req: ExecRequest): Promise<string> {
    return (await this.call<{ url: string }>(this.runtime, "Exec", req)).url;
  }

  async getAttach(req: AttachRequest): Promise<string> {
    return (await this.call<{ url: string }>(this.runtime, "Attach", req)).url;
  }

  async getPortForward(podSandboxId: string, ports: number[]): Promise<string> {
    return (await this.call<{ url: string }>(this.runtime, "PortForward", { podSandboxId, port: ports })).url;
  }

  onContainerEvent(listener: (e: ContainerEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.startEvents();
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.stopEvents();
    };
  }

  private emit(e: ContainerEvent): void {
    for (const l of [...this.listeners]) l(e);
  }

  private startEvents(): void {
    if (this.eventSource === "poll") {
      this.startPolling();
      return;
    }
    const stream = (
      this.runtime as unknown as Record<string, (req: object) => grpc.ClientReadableStream<PbEvent>>
    ).GetContainerEvents.call(this.runtime, {});
    this.stream = stream;
    stream.on("data", (e: PbEvent) => {
      this.eventSource = "stream";
      this.emit({
        containerId: e.containerId,
        podSandboxId: e.podSandboxStatus?.id ?? "",
        type: e.containerEventType,
        createdAt: e.createdAt,
      });
    });
    stream.on("error", (err: grpc.ServiceError) => {
      if (this.stream !== stream) return; // cancelled by stopEvents
      this.stream = undefined;
      if (err.code === grpc.status.UNIMPLEMENTED) {
        this.eventSource = "poll";
        this.startPolling();
      } else {
        // The runtime went away (restart); try again later.
        this.pollTimer = setTimeout(() => {
          this.pollTimer = undefined;
          if (this.listeners.size > 0) this.startEvents();
        }, this.pollIntervalMs);
      }
    });
  }

  private startPolling(): void {
    this.lastStates = undefined;
    const tick = async () => {
      try {
        await this.pollOnce();
      } catch {
        // The runtime is down; the next tick tries again.
      }
      if (this.listeners.size > 0 && this.eventSource === "poll" && this.pollTimer !== undefined) {
        this.pollTimer = setTimeout(tick, this.pollIntervalMs);
      }
    };
    this.pollTimer = setTimeout(tick, 0);
  }

  private async pollOnce(): Promise<void> {
    const list = await this.listContainers();
    const now = new Map(list.map((c) => [c.id, { state: c.state, podSandboxId: c.podSandboxId }]));
    const before = this.lastStates;
    this.lastStates = now;
    if (!before) return; // the first list is the baseline the kubelet already knows from its own relist
    const createdAt = Date.now() * 1e6;
    for (const [id, c] of now) {
      for (const type of containerEventsBetween(before.get(id)?.state, c.state)) {
        this.emit({ containerId: id, podSandboxId: c.podSandboxId, type, createdAt });
      }
    }
    for (const [id, c] of before) {
      if (!now.has(id)) {
        this.emit({
          containerId: id,
          podSandboxId: c.podSandboxId,
          type: "CONTAINER_DELETED_EVENT",
          createdAt,
        });
      }
    }
  }

  private stopEvents(): void {
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.lastStates = undefined;
  }

  // --- ImageService

  async listImages(): Promise<Image[]> {
    const r = await this.call<{ images: PbImage[] }>(this.images, "ListImages", {});
    return r.images.map(toImage);
  }

  async imageStatus(image: string): Promise<Image | undefined> {
    const r = await this.call<{ image: PbImage | null }>(this.images, "ImageStatus", {
      image: { image },
      verbose: false,
    });
    // CRI answers a missing image with an empty status, not NotFound.
    return r.image?.id ? toImage(r.image) : undefined;
  }

  async pullImage(image: string, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string> {
    const r = await this.call<{ imageRef: string }>(
      this.images,
      "PullImage",
      { image: { image }, ...(auth ? { auth } : {}), ...(sandboxConfig ? { sandboxConfig } : {}) },
      null,
    );
    return r.imageRef;
  }

  async removeImage(image: string): Promise<void> {
    await this.call(this.images, "RemoveImage", { image: { image } });
  }

  async imageFsInfo(): Promise<{ usedBytes: number; inodesUsed: number }> {
    const r = await this.call<{
      imageFilesystems: Array<{ usedBytes: { value: number } | null; inodesUsed: { value: number } | null }>;
    }>(this.images, "ImageFsInfo", {});
    let usedBytes = 0;
    let inodesUsed = 0;
    for (const fs of r.imageFilesystems) {
      usedBytes += fs.usedBytes?.value ?? 0;
      inodesUsed += fs.inodesUsed?.value ?? 0;
    }
    return { usedBytes, inodesUsed };
  }
}
