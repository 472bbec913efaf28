// A container's CRI LinuxContainerSecurityContext (upstream's
// determineEffectiveSecurityContext and verifyRunAsNonRoot,
// pkg/kubelet/kuberuntime/security_context.go and security_context_others.go,
// and pkg/securitycontext/util.go, v1.32): the pod's securityContext
// defaults, the container's overrides; fsGroup and supplementalGroups become
// supplemental groups; allowPrivilegeEscalation: false becomes no_new_privs.
import type { Container, Pod, SecurityContext } from "kubernetes-types/core/v1.d.ts";
import { ContainerConfigError } from "./env.ts";
import { formatPod } from "./format.ts";

/** The CRI message, as the CRI client sends it (camelCase proto fields). */
export interface LinuxContainerSecurityContext {
  capabilities?: { addCapabilities: string[]; dropCapabilities: string[] };
  privileged?: boolean;
  runAsUser?: { value: number };
  runAsGroup?: { value: number };
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: number[];
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

// pkg/securitycontext: what /proc and /sys hide unless procMount is Unmasked.
const DEFAULT_MASKED_PATHS = [
  "/proc/asound",
  "/proc/acpi",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
];
const DEFAULT_READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/** securityContextFromPodSecurityContext: the pod-level fields a container inherits. */
function securityContextFromPodSecurityContext(pod: Pod): SecurityContext | undefined {
  const psc = pod.spec?.securityContext;
  if (!psc) return undefined;
  const sc: SecurityContext = {};
  if (psc.seLinuxOptions) sc.seLinuxOptions = { ...psc.seLinuxOptions };
  if (psc.windowsOptions) sc.windowsOptions = { ...psc.windowsOptions };
  if (psc.runAsUser !== undefined) sc.runAsUser = psc.runAsUser;
  if (psc.runAsGroup !== undefined) sc.runAsGroup = psc.runAsGroup;
  if (psc.runAsNonRoot !== undefined) sc.runAsNonRoot = psc.runAsNonRoot;
  if (psc.seccompProfile) sc.seccompProfile = { ...psc.seccompProfile };
  if (psc.appArmorProfile) sc.appArmorProfile = { ...psc.appArmorProfile };
  return sc;
}

/** DetermineEffectiveSecurityContext: the container's fields over the pod's. */
export function determineEffectiveSecurityContext(pod: Pod, c: Container): SecurityContext {
  const effective = securityContextFromPodSecurityContext(pod);
  const csc = c.securityContext;
  if (!effective && !csc) return {};
  if (!csc) return effective!;
  if (!effective) return csc;
  for (const key of [
    "seLinuxOptions",
    "windowsOptions",
    "capabilities",
    "privileged",
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "readOnlyRootFilesystem",
    "allowPrivilegeEscalation",
    "procMount",
    "seccompProfile",
    "appArmorProfile",
  ] as const) {
    if (csc[key] !== undefined) (effective as Record<string, unknown>)[key] = csc[key];
  }
  return effective;
}

/** The user the image runs as (getImageUser): a uid, else a name; neither means root. */
export interface ImageUser {
  uid?: number;
  username?: string;
}

/** A runAsNonRoot violation: the kubelet reports it as CreateContainerConfigError. */
export class RunAsNonRootError extends ContainerConfigError {}

/** verifyRunAsNonRoot: throws when runAsNonRoot cannot hold for this container. */
export function verifyRunAsNonRoot(pod: Pod, c: Container, image: ImageUser): void {
  const sc = determineEffectiveSecurityContext(pod, c);
  if (sc.runAsNonRoot !== true) return;
  if (sc.runAsUser !== undefined) {
    if (sc.runAsUser === 0) {
      throw new RunAsNonRootError(
        `container's runAsUser breaks non-root policy (pod: "${formatPod(pod)}", container: ${c.name})`,
      );
    }
    return;
  }
  // An image that names no user runs as root.
  const uid = image.uid ?? (image.username ? undefined : 0);
  if (uid === 0) {
    throw new RunAsNonRootError(
      `container has runAsNonRoot and image will run as root (pod: "${formatPod(pod)}", container: ${c.name})`,
    );
  }
  if (uid === undefined && image.username) {
    throw new RunAsNonRootError(
      `container has runAsNonRoot and image has non-numeric user (${image.username}), cannot verify user is non-root (pod: "${formatPod(pod)}", container: ${c.name})`,
    );
  }
}

/** determineEffectiveSecurityContext (kuberuntime): the CRI security context of a container. */
export function generateLinuxContainerSecurityContext(
  pod: Pod,
  c: Container,
  image: ImageUser = {},
): LinuxContainerSecurityContext {
  const sc = determineEffectiveSecurityContext(pod, c);
  const out: LinuxContainerSecurityContext = {};
  // convertToRuntimeSecurityContext: names as the user wrote them; containerd adds the CAP_ prefix.
  if (sc.capabilities) {
    out.capabilities = {
      addCapabilities: [...(sc.capabilities.add ?? [])],
      dropCapabilities: [...(sc.capabilities.drop ?? [])],
    };
  }
  if (sc.runAsUser !== undefined) out.runAsUser = { value: sc.runAsUser };
  if (sc.runAsGroup !== undefined) out.runAsGroup = { value: sc.runAsGroup };
  if (sc.privileged !== undefined) out.privileged = sc.privileged;
  if (sc.readOnlyRootFilesystem !== undefined) out.readonlyRootfs = sc.readOnlyRootFilesystem;
  if (out.runAsUser === undefined) {
    if (image.uid !== undefined) out.runAsUser = { value: image.uid };
    if (image.username) out.runAsUsername = image.username;
  }
  const groups: number[] = [];
  const psc = pod.spec?.securityContext;
  if (psc?.fsGroup !== undefined) groups.push(psc.fsGroup);
  for (const g of psc?.supplementalGroups ?? []) groups.push(g);
  if (groups.length > 0) out.supplementalGroups = groups;
  // AddNoNewPrivileges: only an explicit allowPrivilegeEscalation: false sets it.
  out.noNewPrivs = sc.allowPrivilegeEscalation === false;
  const unmasked = sc.procMount === "Unmasked";
  out.maskedPaths = unmasked ? [] : [...DEFAULT_MASKED_PATHS];
  out.readonlyPaths = unmasked ? [] : [...DEFAULT_READONLY_PATHS];
  return out;
}
