// The container runtime as the kubelet sees it: CRI v1's RuntimeService and
// ImageService (../shared/cri/api.proto), with the proto's field names in
// camelCase. cri.ts speaks it to containerd over gRPC; fake.ts implements it
// in memory for hollow nodes. Only what the kubelet calls is here.

export type Timestamp = number; // nanoseconds since the epoch, as CRI's int64 timestamps

export interface KeyValue {
  key: string;
  value: string;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface PortMapping {
  protocol: "TCP" | "UDP" | "SCTP";
  containerPort: number;
  hostPort: number;
  hostIp: string;
}

/** CRI's NamespaceOption: which namespaces a sandbox or container has of its own, shares, or takes from the node. */
export interface NamespaceOption {
  network?: "POD" | "NODE";
  pid?: "POD" | "CONTAINER" | "NODE" | "TARGET";
  ipc?: "POD" | "NODE";
  /** With pid TARGET: the container whose PID namespace is joined. */
  targetId?: string;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname: string;
  logDirectory: string;
  dnsConfig?: { servers: string[]; searches: string[]; options: string[] };
  portMappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux?: {
    cgroupParent?: string;
    securityContext?: {
      namespaceOptions?: NamespaceOption;
      privileged?: boolean;
    };
    sysctls?: Record<string, string>;
  };
}

export type PodSandboxState = "SANDBOX_READY" | "SANDBOX_NOTREADY";

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Timestamp;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The RuntimeClass handler the sandbox runs with; "" for the runtime's default. */
  runtimeHandler?: string;
}

export interface PodSandboxStatus extends PodSandbox {
  network?: { ip: string; additionalIps: Array<{ ip: string }> };
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: { image: string };
  command: string[];
  args: string[];
  workingDir: string;
  envs: KeyValue[];
  mounts: Mount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux?: {
    resources?: {
      cpuPeriod?: number;
      cpuQuota?: number;
      cpuShares?: number;
      memoryLimitInBytes?: number;
      oomScoreAdj?: number;
    };
    securityContext?: {
      privileged?: boolean;
      runAsUser?: { value: number };
      readonlyRootfs?: boolean;
      namespaceOptions?: NamespaceOption;
    };
  };
}

export type ContainerState =
  | "CONTAINER_CREATED"
  | "CONTAINER_RUNNING"
  | "CONTAINER_EXITED"
  | "CONTAINER_UNKNOWN";

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: { image: string };
  imageRef: string;
  state: ContainerState;
  createdAt: Timestamp;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  createdAt: Timestamp;
  startedAt: Timestamp;
  finishedAt: Timestamp;
  exitCode: number;
  image: { image: string };
  imageRef: string;
  /** e.g. "Completed", "Error", "OOMKilled". */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  logPath: string;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** CRI's ExecRequest: one of stdin, stdout and stderr must be set; tty excludes stderr. */
export interface ExecRequest {
  containerId: string;
  cmd: string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** CRI's AttachRequest; tty must match the container's config. */
export interface AttachRequest {
  containerId: string;
  stdin: boolean;
  tty: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** A change of a container's state pushed by the runtime (CRI's GetContainerEvents), so the kubelet need not poll. */
export interface ContainerEvent {
  containerId: string;
  podSandboxId: string;
  type:
    | "CONTAINER_CREATED_EVENT"
    | "CONTAINER_STARTED_EVENT"
    | "CONTAINER_STOPPED_EVENT"
    | "CONTAINER_DELETED_EVENT";
  createdAt: Timestamp;
}

export interface RuntimeStatus {
  conditions: Array<{
    type: "RuntimeReady" | "NetworkReady";
    status: boolean;
    reason: string;
    message: string;
  }>;
}

export interface RuntimeService {
  version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>;
  status(): Promise<RuntimeStatus>;

  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  stopPodSandbox(podSandboxId: string): Promise<void>;
  removePodSandbox(podSandboxId: string): Promise<void>;
  podSandboxStatus(podSandboxId: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: {
    state?: PodSandboxState;
    labelSelector?: Record<string, string>;
  }): Promise<PodSandbox[]>;

  createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /** Stops with SIGTERM, then SIGKILL after timeoutSeconds. */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(filter?: {
    podSandboxId?: string;
    state?: ContainerState;
    labelSelector?: Record<string, string>;
  }): Promise<Container[]>;
  containerStatus(containerId: string): Promise<ContainerStatus>;
  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult>;
  /**
   * CRI Exec, Attach, PortForward: the URL on the runtime's streaming server that
   * serves the session over SPDY (upstream kubelet's StreamingRuntime). Optional so
   * test runtimes need not have them; without them the kubelet refuses streaming.
   */
  getExec?(req: ExecRequest): Promise<string>;
  getAttach?(req: AttachRequest): Promise<string>;
  getPortForward?(podSandboxId: string, ports: number[]): Promise<string>;
  /** Reopens a running container's log file after the kubelet renamed it (log rotation, logs/); optional so test runtimes need not have it. */
  reopenContainerLog?(containerId: string): Promise<void>;

  /** Subscribes to container state changes; returns the unsubscribe function. */
  onContainerEvent(listener: (e: ContainerEvent) => void): () => void;
}

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
}

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

export interface ImageService {
  listImages(): Promise<Image[]>;
  /** undefined when the image is not present. */
  imageStatus(image: string): Promise<Image | undefined>;
  /** Returns the image reference (id) pulled. */
  pullImage(image: string, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string>;
  removeImage(image: string): Promise<void>;
  imageFsInfo(): Promise<{ usedBytes: number; inodesUsed: number }>;
}

/** Labels the kubelet puts on sandboxes and containers to find them again after a restart (upstream's kuberuntime labels). */
export const LABELS = {
  podName: "io.kubernetes.pod.name",
  podNamespace: "io.kubernetes.pod.namespace",
  podUid: "io.kubernetes.pod.uid",
  containerName: "io.kubernetes.container.name",
} as const;
