// Makes sure a container's image is on the node before it is created
// (upstream's pkg/kubelet/images/image_manager.go EnsureImageExists, v1.32):
// the pull policy decides, a failed pull backs off per pod and image, and the
// events are upstream's Pulling / Pulled / Failed / BackOff / ErrImageNeverPull.
// Credentials come from the pod's pull secrets as upstream's keyring
// (pkg/credentialprovider) matches them, and go to the runtime in CRI's
// AuthConfig. Pulls are not serialized or rate-limited (serializeImagePulls).
import type { Pod, Secret } from "kubernetes-types/core/v1.d.ts";
import type { AuthConfig, ImageService, PodSandboxConfig } from "../runtime/interface.ts";
import type { Backoff } from "./backoff.ts";
import { formatDuration } from "./format.ts";
import { errorMessage } from "./helpers.ts";
import { type SyncError, SyncErrors } from "./sync-result.ts";

export type EventFn = (type: "Normal" | "Warning", reason: string, message: string) => void;

export interface EnsureImageResult {
  /** The image reference (id) on success. */
  imageRef?: string;
  error?: SyncError;
  /** The message a failure leaves in the container's waiting state. */
  message?: string;
}

/**
 * The registry of images that k8ts builds and imports on each node
 * (DESIGN.md "Containers"); no network serves it.
 */
export const LOCAL_IMAGE_REGISTRY = "k8ts.local";

// The grammar of docker/distribution's reference package (reference/regexp.go).
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);

export interface ParsedImageName {
  /** The normalized repository: "docker.io/library/busybox" for "busybox". */
  repository: string;
  /** The tag; "latest" when the image has neither tag nor digest. */
  tag: string;
  digest: string;
}

/** parsers.ParseImageName: docker's ParseNormalizedNamed plus the default tag; throws on a malformed reference. */
export function parseImageName(image: string): ParsedImageName {
  const m = REFERENCE.exec(image);
  if (!m || m[1].length > 255) {
    throw new Error(`couldn't parse image name "${image}": invalid reference format`);
  }
  const name = m[1];
  const slash = name.indexOf("/");
  let domain = "docker.io";
  let remainder = name;
  const first = slash === -1 ? "" : name.slice(0, slash);
  if (slash !== -1 && (/[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase())) {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === "index.docker.io") domain = "docker.io";
  if (domain === "docker.io" && !remainder.includes("/")) remainder = `library/${remainder}`;
  const digest = m[3] ?? "";
  return { repository: `${domain}/${remainder}`, tag: m[2] ?? (digest ? "" : "latest"), digest };
}

/** applyDefaultImageTag: ":latest" for an image without tag or digest, without qualifying the name (the CRI stays agnostic of default hosts). */
export function applyDefaultImageTag(image: string): string {
  const { tag, digest } = parseImageName(image);
  return !digest && tag && !image.endsWith(`:${tag}`) ? `${image}:${tag}` : image;
}

/** The credentials of one pull-secret entry, as upstream's keyring hands them to the runtime. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/**
 * The keys of a docker config (dockerconfigjson `auths` or a dockercfg) as
 * BasicDockerKeyring.Add indexes them: scheme dropped, "/v1/" or "/v2/" paths
 * taken for the host alone.
 */
function keyringKey(location: string): string {
  const value = location.replace(/^https?:\/\//, "");
  const slash = value.indexOf("/");
  const host = slash === -1 ? value : value.slice(0, slash);
  let path = slash === -1 ? "" : value.slice(slash);
  if (path.startsWith("/v2/") || path.startsWith("/v1/")) path = path.slice(3);
  return path.length > 0 && path !== "/" ? host + path : host;
}

function splitHostPort(url: string): { parts: string[]; port: string; path: string } {
  const slash = url.indexOf("/");
  const host = slash === -1 ? url : url.slice(0, slash);
  const path = slash === -1 ? "" : url.slice(slash);
  const m = /^(.*):(\d*)$/.exec(host);
  return { parts: (m ? m[1] : host).split("."), port: m ? m[2] : "", path };
}

/** A filepath.Match glob of one host label ("*" and "?" only, as credential keys use). */
function globMatch(glob: string, s: string): boolean {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^.]*")
    .replace(/\?/g, "[^.]");
  return new RegExp(`^${re}$`).test(s);
}

/** urlsMatch: same port, same number of host labels each matching the glob, and the key's path a prefix of the image's. */
function urlsMatch(key: string, image: string): boolean {
  const g = splitHostPort(key);
  const t = splitHostPort(image);
  if (g.port !== t.port || g.parts.length !== t.parts.length || !t.path.startsWith(g.path)) return false;
  return g.parts.every((p, i) => globMatch(p, t.parts[i]));
}

/** isDefaultRegistryMatch: does the (normalized) repository come from Docker Hub? */
function isDefaultRegistryMatch(repository: string): boolean {
  const slash = repository.indexOf("/");
  if (slash === 0) return false;
  if (slash === -1) return true;
  const first = repository.slice(0, slash);
  return first === "docker.io" || first === "index.docker.io" || !/[.:]/.test(first);
}

/** The entries of one pull secret: only a dockerconfigjson or dockercfg secret of the matching type counts. */
function dockerConfigOf(s: Secret): Record<string, DockerConfigEntry> | undefined {
  let raw: string | undefined;
  let json = false;
  if (s.type === "kubernetes.io/dockerconfigjson" && s.data?.[".dockerconfigjson"]) {
    raw = s.data[".dockerconfigjson"];
    json = true;
  } else if (s.type === "kubernetes.io/dockercfg" && s.data?.[".dockercfg"]) {
    raw = s.data[".dockercfg"];
  }
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(raw, "base64").toString("utf8")) as Record<string, unknown>;
    return ((json ? parsed.auths : parsed) ?? {}) as Record<string, DockerConfigEntry>;
  } catch {
    return undefined;
  }
}

interface DockerConfigEntry {
  username?: string;
  password?: string;
  auth?: string;
}

/** DockerConfigEntry's unmarshalling: a non-empty `auth` (base64 "user:password") wins over username and password. */
function entryCredentials(e: DockerConfigEntry): RegistryCredentials | undefined {
  if (!e.auth) return { username: e.username ?? "", password: e.password ?? "" };
  const decoded = Buffer.from(e.auth, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The keyring lookup (MakeDockerKeyring + BasicDockerKeyring.Lookup): the
 * credentials of every pull-secret entry whose key matches the image, most
 * specific key first; Docker Hub's entry for Hub images when none matched.
 */
export function pullCredentials(image: string, secrets: readonly Secret[]): RegistryCredentials[] {
  const repository = parseImageName(image).repository;
  const creds = new Map<string, RegistryCredentials[]>();
  for (const s of secrets) {
    for (const [location, entry] of Object.entries(dockerConfigOf(s) ?? {})) {
      const key = keyringKey(location);
      const c = entry && typeof entry === "object" ? entryCredentials(entry) : undefined;
      if (!c) continue;
      creds.set(key, [...(creds.get(key) ?? []), c]);
    }
  }
  // Reverse-sorted, so that "quay.io/coreos" comes before "quay.io".
  const index = [...creds.keys()].sort().reverse();
  const out = index.filter((k) => urlsMatch(k, repository)).flatMap((k) => creds.get(k) ?? []);
  if (out.length > 0) return out;
  return isDefaultRegistryMatch(repository) ? (creds.get("index.docker.io") ?? []) : [];
}

// Go's codes.Code names, which the kubelet's messages carry from the gRPC error.
const GRPC_CODE_NAMES = [
  "OK",
  "Canceled",
  "Unknown",
  "InvalidArgument",
  "DeadlineExceeded",
  "NotFound",
  "AlreadyExists",
  "PermissionDenied",
  "ResourceExhausted",
  "FailedPrecondition",
  "Aborted",
  "OutOfRange",
  "Unimplemented",
  "Internal",
  "Unavailable",
  "DataLoss",
  "Unauthenticated",
];

/** The text of a runtime error as the kubelet's gRPC client prints it: "rpc error: code = NotFound desc = ...". */
export function runtimeErrorString(err: unknown): string {
  if (
    err instanceof Error &&
    err.name === "CriError" &&
    typeof (err as { code?: unknown }).code === "number"
  ) {
    const code = (err as Error & { code: number }).code;
    return `rpc error: code = ${GRPC_CODE_NAMES[code] ?? `Code(${code})`} desc = ${err.message}`;
  }
  return errorMessage(err);
}

/** utilerrors.NewAggregate(errs).Error(): one message as is, several de-duplicated in brackets. */
function aggregateMessage(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(", ")}]`;
}

/** The registry part of an image as written ("k8ts.local" for "k8ts.local/busybox:latest"), "" for Docker Hub short names. */
function registryOf(image: string): string {
  const slash = image.indexOf("/");
  if (slash === -1) return "";
  const first = image.slice(0, slash);
  return /[.:]/.test(first) || first === "localhost" ? first : "";
}

export interface ImageManagerOptions {
  images: ImageService;
  /** Per pod uid and image: 10 s doubling to 5 min, like the container backoff. */
  backOff: Backoff;
}

export class ImageManager {
  constructor(private readonly opts: ImageManagerOptions) {}

  async ensureImageExists(
    pod: Pod,
    requestedImage: string,
    pullPolicy: string | undefined,
    pullSecrets: readonly Secret[],
    sandboxConfig: PodSandboxConfig | undefined,
    event: EventFn,
  ): Promise<EnsureImageResult> {
    const { images, backOff } = this.opts;
    const clock = backOff.clock;
    let image: string;
    try {
      image = applyDefaultImageTag(requestedImage);
    } catch (err) {
      const message = `Failed to apply default image tag "${requestedImage}": ${errorMessage(err)}`;
      event("Warning", "InspectFailed", message);
      return { error: SyncErrors.InvalidImageName, message };
    }
    let present: string | undefined;
    try {
      present = (await images.imageStatus(image))?.id;
    } catch (err) {
      const message = `Failed to inspect image "${requestedImage}": ${runtimeErrorString(err)}`;
      event("Warning", "InspectFailed", message);
      return { error: SyncErrors.ImageInspect, message };
    }
    let policy = pullPolicy || defaultPullPolicy(requestedImage);
    // k8ts's own images exist only on the nodes: pulling them would reach for a
    // host that does not exist, so "Always" (the default for :latest) means
    // "IfNotPresent" for them. An absent one is still pulled, and fails.
    if (policy === "Always" && registryOf(requestedImage) === LOCAL_IMAGE_REGISTRY) policy = "IfNotPresent";
    if (!shouldPullImage(policy, present !== undefined)) {
      if (present !== undefined) {
        event("Normal", "Pulled", `Container image "${requestedImage}" already present on machine`);
        return { imageRef: present };
      }
      const message = `Container image "${requestedImage}" is not present with pull policy of Never`;
      event("Warning", "ErrImageNeverPull", message);
      return { error: SyncErrors.ImageNeverPull, message };
    }
    const backOffKey = `${pod.metadata?.uid ?? ""}_${requestedImage}`;
    if (backOff.isInBackOffSinceUpdate(backOffKey, clock.now())) {
      const message = `Back-off pulling image "${requestedImage}"`;
      event("Normal", "BackOff", message);
      return { error: SyncErrors.ImagePullBackOff, message };
    }
    event("Normal", "Pulling", `Pulling image "${requestedImage}"`);
    const start = clock.now();
    let imageRef: string;
    try {
      imageRef = await this.pull(image, pullCredentials(image, pullSecrets), sandboxConfig);
    } catch (err) {
      const message = errorMessage(err);
      event("Warning", "Failed", `Failed to pull image "${requestedImage}": ${message}`);
      backOff.next(backOffKey, clock.now());
      return { error: SyncErrors.ImagePull, message };
    }
    const took = formatDuration(clock.now() - start);
    const size = (await images.imageStatus(image).catch(() => undefined))?.size ?? 0;
    event(
      "Normal",
      "Pulled",
      `Successfully pulled image "${requestedImage}" in ${took} (${took} including waiting). Image size: ${size} bytes.`,
    );
    backOff.gc();
    return { imageRef };
  }

  /** kuberuntime's PullImage: anonymous without credentials, else each in turn until one works; the errors aggregated. */
  private async pull(
    image: string,
    creds: RegistryCredentials[],
    sandboxConfig?: PodSandboxConfig,
  ): Promise<string> {
    const { images } = this.opts;
    try {
      if (creds.length === 0) return await images.pullImage(image, undefined, sandboxConfig);
    } catch (err) {
      throw new Error(runtimeErrorString(err));
    }
    const errors: string[] = [];
    for (const c of creds) {
      // No serverAddress: upstream's keyring leaves it empty, and containerd
      // 1.6 cannot parse a schemeless "host:port" there.
      const auth: AuthConfig = { username: c.username, password: c.password };
      try {
        return await images.pullImage(image, auth, sandboxConfig);
      } catch (err) {
        errors.push(runtimeErrorString(err));
      }
    }
    throw new Error(aggregateMessage(errors));
  }
}

/** shouldPullImage: Never never pulls; Always always does; IfNotPresent when absent. */
export function shouldPullImage(pullPolicy: string | undefined, imagePresent: boolean): boolean {
  if (pullPolicy === "Never") return false;
  return pullPolicy === "Always" || (pullPolicy === "IfNotPresent" && !imagePresent);
}

/** The apiserver's default imagePullPolicy, for pods that were not defaulted (static manifests): Always for :latest or no tag. */
export function defaultPullPolicy(image: string): string {
  if (image.includes("@")) return "IfNotPresent";
  const name = image.slice(image.lastIndexOf("/") + 1);
  const colon = name.lastIndexOf(":");
  return colon === -1 || name.slice(colon + 1) === "latest" ? "Always" : "IfNotPresent";
}

/** A pod's image pull secrets through the API, the missing ones reported as upstream's getPullSecretsForPod does. */
export async function getPullSecretsForPod(
  pod: Pod,
  getSecret: (namespace: string, name: string) => Promise<Secret>,
  event: EventFn,
): Promise<Secret[]> {
  const out: Secret[] = [];
  const failed: string[] = [];
  for (const ref of pod.spec?.imagePullSecrets ?? []) {
    // Validation lets empty names through (issue 99454); they are no reference.
    if (!ref.name) continue;
    try {
      out.push(await getSecret(pod.metadata?.namespace ?? "", ref.name));
    } catch {
      failed.push(ref.name);
    }
  }
  if (failed.length > 0) {
    event(
      "Warning",
      "FailedToRetrieveImagePullSecret",
      `Unable to retrieve some image pull secrets (${failed.join(", ")}); attempting to pull the image may not succeed.`,
    );
  }
  return out;
}
