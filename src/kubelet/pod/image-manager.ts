// Makes sure a container's image is on the node before it is created
// (upstream's pkg/kubelet/images/image_manager.go EnsureImageExists, v1.32):
// the pull policy decides, a failed pull backs off per pod and image, and the
// events are upstream's Pulling / Pulled / Failed / BackOff / ErrImageNeverPull.
// Pulls are not serialized or rate-limited (upstream's serializeImagePulls).
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

/** applyDefaultImageTag: an image without tag or digest means ":latest". */
export function applyDefaultImageTag(image: string): string {
  if (image.includes("@")) return image;
  const lastSlash = image.lastIndexOf("/");
  return image.slice(lastSlash + 1).includes(":") ? image : `${image}:latest`;
}

/** The registry host an image is pulled from (docker.io for short names). */
export function imageRegistry(image: string): string {
  const slash = image.indexOf("/");
  if (slash === -1) return "docker.io";
  const first = image.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io";
}

function normalizeRegistry(key: string): string {
  let k = key.replace(/^https?:\/\//, "");
  const slash = k.indexOf("/");
  if (slash !== -1) k = k.slice(0, slash);
  return k === "index.docker.io" || k === "registry-1.docker.io" ? "docker.io" : k;
}

/** The credentials of the pull secrets (dockerconfigjson or dockercfg) that match the image's registry. */
export function pullCredentials(image: string, secrets: readonly Secret[]): AuthConfig[] {
  const registry = imageRegistry(image);
  const out: AuthConfig[] = [];
  for (const s of secrets) {
    const raw = s.data?.[".dockerconfigjson"] ?? s.data?.[".dockercfg"];
    if (!raw) continue;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(Buffer.from(raw, "base64").toString("utf8")) as Record<string, unknown>;
    } catch {
      continue;
    }
    const auths = (s.data?.[".dockerconfigjson"] ? parsed.auths : parsed) as
      | Record<string, AuthEntry>
      | undefined;
    for (const [server, entry] of Object.entries(auths ?? {})) {
      if (normalizeRegistry(server) !== registry) continue;
      let { username, password } = entry;
      if ((!username || !password) && entry.auth) {
        const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon !== -1) {
          username = decoded.slice(0, colon);
          password = decoded.slice(colon + 1);
        }
      }
      out.push({ username, password, auth: entry.auth, serverAddress: server });
    }
  }
  return out;
}

interface AuthEntry {
  username?: string;
  password?: string;
  auth?: string;
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
    const image = applyDefaultImageTag(requestedImage);
    let present: string | undefined;
    try {
      present = (await images.imageStatus(image))?.id;
    } catch (err) {
      const message = `Failed to inspect image "${image}": ${errorMessage(err)}`;
      event("Warning", "InspectFailed", message);
      return { error: SyncErrors.ImageInspect, message };
    }
    const policy = pullPolicy || defaultPullPolicy(requestedImage);
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
      event("Warning", "Failed", `Failed to pull image "${requestedImage}": ${errorMessage(err)}`);
      backOff.next(backOffKey, clock.now());
      return { error: SyncErrors.ImagePull, message: errorMessage(err) };
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

  /** Tries each matching credential in turn, as the keyring does, and anonymous when there is none. */
  private async pull(image: string, auths: AuthConfig[], sandboxConfig?: PodSandboxConfig): Promise<string> {
    if (auths.length === 0) return this.opts.images.pullImage(image, undefined, sandboxConfig);
    let last: unknown;
    for (const auth of auths) {
      try {
        return await this.opts.images.pullImage(image, auth, sandboxConfig);
      } catch (err) {
        last = err;
      }
    }
    throw last;
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
