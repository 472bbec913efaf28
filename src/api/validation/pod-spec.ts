// ValidatePodSpec, ValidatePodTemplateSpec and the pod-level pieces of
// pkg/apis/core/validation (v1.32): restart and DNS policies, DNS config,
// pod security context and sysctls, OS-specific rules, pod annotations.

import type { PodSpec, PodTemplateSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import {
  duplicate,
  type FieldError,
  forbidden,
  GoValue,
  goQuote,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain, validateAnnotations } from "../../machinery/object-meta.ts";
import { isValidGroupID, isValidIP, isValidUserID } from "../../machinery/validation.ts";
import {
  type AffinityOptions,
  validateAffinity,
  validateTolerations,
  validateTopologySpreadConstraints,
} from "./affinity.ts";
import {
  append,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateDNS1123SubdomainWithUnderscore,
  validateLabelsMap,
  validateQualifiedName,
} from "./common.ts";
import {
  type ContainerLike,
  type ContainerOptions,
  validateAppArmorProfileField,
  validateContainerOnlyForPod,
  validateContainers,
  validateEphemeralContainers,
  validateInitContainers,
  validateSeccompProfileField,
  validateWindowsSecurityContextOptions,
} from "./containers.ts";
import { goStringSliceText } from "./gofmt.ts";
import { validateContainerResourceRequirements } from "./resources.ts";
import {
  type VolumeLike,
  type VolumeOptions,
  validateLocalDescendingPath,
  validateVolumes,
} from "./volumes.ts";

/** PodValidationOptions: switches set from feature gates and from the old object on update. */
export interface PodValidationOptions extends ContainerOptions, AffinityOptions, VolumeOptions {
  allowInvalidPodDeletionCost?: boolean;
  allowInvalidTopologySpreadConstraintLabelSelector?: boolean;
  allowNamespacedSysctlsForHostNetAndHostIPC?: boolean;
  allowRelaxedDNSSearchValidation?: boolean;
}

/** The options v1.32's pod strategy uses for a new object with default feature gates. */
export function defaultPodValidationOptions(): PodValidationOptions {
  return {
    allowRelaxedEnvironmentVariableValidation: true,
    allowPrivileged: true,
  };
}

/** A pod spec with the fields newer than the kubernetes-types package. */
export type PodSpecLike = Omit<PodSpec, "resourceClaims" | "containers" | "initContainers" | "volumes"> & {
  containers: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: VolumeLike[];
  resourceClaims?: Array<{
    name?: string;
    resourceClaimName?: string | null;
    resourceClaimTemplateName?: string | null;
  }>;
  schedulingGates?: Array<{ name?: string }>;
};

const maxDNSNameservers = 3;
const maxDNSSearchPaths = 32;
const maxDNSSearchListChars = 2048;
const maxInt32 = 2147483647;

function isValidIPErrors(path: Path, value: string): FieldError[] {
  return isValidIP(value).map((msg) => invalid(path, value, msg));
}

function validateRestartPolicy(policy: string, path: Path): FieldError[] {
  switch (policy) {
    case "Always":
    case "OnFailure":
    case "Never":
      return [];
    case "":
      return [required(path, "")];
    default:
      return [notSupported(path, policy, ["Always", "OnFailure", "Never"])];
  }
}

function validateDNSPolicy(policy: string, path: Path): FieldError[] {
  switch (policy) {
    case "ClusterFirstWithHostNet":
    case "ClusterFirst":
    case "Default":
    case "None":
      return [];
    case "":
      return [required(path, "")];
    default:
      return [notSupported(path, policy, ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"])];
  }
}

/** ValidatePreemptionPolicy. */
export function validatePreemptionPolicy(policy: string, path: Path): FieldError[] {
  switch (policy) {
    case "PreemptLowerPriority":
    case "Never":
      return [];
    case "":
      return [required(path, "")];
    default:
      return [notSupported(path, policy, ["PreemptLowerPriority", "Never"])];
  }
}

function validatePodDNSConfig(spec: PodSpecLike, path: Path, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === "None") {
    if (cfg == null) return [required(path, "must provide `dnsConfig` when `dnsPolicy` is None")];
    if ((cfg.nameservers ?? []).length === 0) {
      return [
        required(
          path.child("nameservers"),
          "must provide at least one DNS nameserver when `dnsPolicy` is None",
        ),
      ];
    }
  }
  if (cfg == null) return errs;
  const nameservers = cfg.nameservers ?? [];
  if (nameservers.length > maxDNSNameservers) {
    errs.push(
      invalid(
        path.child("nameservers"),
        new GoValue(goStringSliceText(nameservers)),
        `must not have more than ${maxDNSNameservers} nameservers`,
      ),
    );
  }
  nameservers.forEach((ns, i) => {
    append(errs, isValidIPErrors(path.child("nameservers").index(i), ns));
  });
  const searches = cfg.searches ?? [];
  if (searches.length > maxDNSSearchPaths) {
    errs.push(
      invalid(
        path.child("searches"),
        new GoValue(goStringSliceText(searches)),
        `must not have more than ${maxDNSSearchPaths} search paths`,
      ),
    );
  }
  if (Buffer.byteLength(searches.join(" ")) > maxDNSSearchListChars) {
    errs.push(
      invalid(
        path.child("searches"),
        new GoValue(goStringSliceText(searches)),
        `must not have more than ${maxDNSSearchListChars} characters (including spaces) in the search list`,
      ),
    );
  }
  searches.forEach((search, i) => {
    const p = path.child("searches").index(i);
    if (opts.allowRelaxedDNSSearchValidation) {
      if (search !== ".") append(errs, validateDNS1123SubdomainWithUnderscore(search.replace(/\.$/, ""), p));
    } else {
      append(errs, validateDNS1123Subdomain(search.replace(/\.$/, ""), p));
    }
  });
  (cfg.options ?? []).forEach((o, i) => {
    if ((o.name ?? "").length === 0) errs.push(required(path.child("options").index(i), "must not be empty"));
  });
  return errs;
}

function validatePodHostNetworkDeps(spec: PodSpecLike, path: Path, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.hostNetwork) return errs;
  spec.containers.forEach((c, i) => {
    (c.ports ?? []).forEach((port, j) => {
      const hp = port.hostPort ?? 0;
      const cp = port.containerPort ?? 0;
      if ((opts.resourceIsPod || hp !== 0) && hp !== cp) {
        errs.push(
          invalid(
            path.child("containers").index(i).child("ports").index(j).child("hostPort"),
            hp,
            "must match `containerPort` when `hostNetwork` is true",
          ),
        );
      }
    });
  });
  return errs;
}

// --- sysctls ------------------------------------------------------------------

const sysctlSegmentFmt = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?";
const sysctlContainSlashFmt = `(${sysctlSegmentFmt}[\\./])*${sysctlSegmentFmt}`;
const sysctlRegexp = new RegExp(`^${sysctlContainSlashFmt}$`);
const sysctlMaxLength = 253;

/** IsValidSysctlName. */
export function isValidSysctlName(name: string): boolean {
  return Buffer.byteLength(name) <= sysctlMaxLength && sysctlRegexp.test(name);
}

/** utilsysctl.GetNamespace: which namespace a sysctl lives in ("" for node-level ones). */
function sysctlNamespace(sysctl: string): "ipc" | "net" | "" {
  // NormalizeName: a slash-separated name uses "/" where the dotted one uses ".".
  let name = sysctl;
  const firstSep = name.search(/[./]/);
  if (firstSep >= 0 && name[firstSep] === "/") name = name.replace(/[./]/g, (c) => (c === "." ? "/" : "."));
  if (name === "kernel.sem") return "ipc";
  if (name.startsWith("kernel.shm") || name.startsWith("kernel.msg") || name.startsWith("fs.mqueue."))
    return "ipc";
  if (name.startsWith("net.")) return "net";
  return "";
}

function validateSysctls(spec: PodSpecLike, path: Path, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (spec.securityContext?.sysctls ?? []).forEach((s, i) => {
    const name = s.name ?? "";
    const p = path.index(i).child("name");
    if (name.length === 0) {
      errs.push(required(p, ""));
    } else if (!isValidSysctlName(name)) {
      errs.push(
        invalid(
          p,
          name,
          `must have at most ${sysctlMaxLength} characters and match regex ^${sysctlContainSlashFmt}$`,
        ),
      );
    } else if (names.has(name)) {
      errs.push(duplicate(p, name));
    }
    if (!opts.allowNamespacedSysctlsForHostNetAndHostIPC) {
      const ns = sysctlNamespace(name);
      if (spec.hostNetwork && ns === "net")
        errs.push(invalid(p, name, "may not be specified when 'hostNetwork' is true"));
      else if (spec.hostIPC && ns === "ipc")
        errs.push(invalid(p, name, "may not be specified when 'hostIPC' is true"));
    }
    names.add(name);
  });
  return errs;
}

function validatePodSpecSecurityContext(
  spec: PodSpecLike,
  path: Path,
  opts: PodValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const sc = spec.securityContext;
  if (sc == null) return errs;
  if (sc.fsGroup != null)
    for (const msg of isValidGroupID(sc.fsGroup)) errs.push(invalid(path.child("fsGroup"), sc.fsGroup, msg));
  if (sc.runAsUser != null)
    for (const msg of isValidUserID(sc.runAsUser))
      errs.push(invalid(path.child("runAsUser"), sc.runAsUser, msg));
  if (sc.runAsGroup != null) {
    for (const msg of isValidGroupID(sc.runAsGroup))
      errs.push(invalid(path.child("runAsGroup"), sc.runAsGroup, msg));
  }
  (sc.supplementalGroups ?? []).forEach((gid, g) => {
    for (const msg of isValidGroupID(gid))
      errs.push(invalid(path.child("supplementalGroups").index(g), gid, msg));
  });
  if (spec.shareProcessNamespace != null && spec.hostPID && spec.shareProcessNamespace) {
    errs.push(
      invalid(
        path.child("shareProcessNamespace"),
        spec.shareProcessNamespace,
        "ShareProcessNamespace and HostPID cannot both be enabled",
      ),
    );
  }
  if ((sc.sysctls ?? []).length !== 0) append(errs, validateSysctls(spec, path.child("sysctls"), opts));
  if (sc.fsGroupChangePolicy != null && !["Always", "OnRootMismatch"].includes(sc.fsGroupChangePolicy)) {
    errs.push(
      notSupported(path.child("fsGroupChangePolicy"), sc.fsGroupChangePolicy, ["Always", "OnRootMismatch"]),
    );
  }
  append(errs, validateSeccompProfileField(sc.seccompProfile, path.child("seccompProfile")));
  append(errs, validateWindowsSecurityContextOptions(sc.windowsOptions, path.child("windowsOptions")));
  append(errs, validateAppArmorProfileField(sc.appArmorProfile, path.child("appArmorProfile")));
  const sgp = (sc as { supplementalGroupsPolicy?: string | null }).supplementalGroupsPolicy;
  if (sgp != null && sgp !== "Merge" && sgp !== "Strict") {
    errs.push(notSupported(path.child("supplementalGroupsPolicy"), sgp, ["Merge", "Strict"]));
  }
  return errs;
}

/** podshelper.VisitContainersWithPath: init, regular, then ephemeral containers. */
function visitContainers(spec: PodSpecLike, path: Path, visit: (c: ContainerLike, p: Path) => void): void {
  (spec.initContainers ?? []).forEach((c, i) => {
    visit(c, path.child("initContainers").index(i));
  });
  spec.containers.forEach((c, i) => {
    visit(c, path.child("containers").index(i));
  });
  (spec.ephemeralContainers ?? []).forEach((c, i) => {
    visit(c as ContainerLike, path.child("ephemeralContainers").index(i));
  });
}

function validateWindowsHostProcessPod(
  spec: PodSpecLike,
  path: Path,
  opts: PodValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  let containerCount = 0;
  let hostProcessCount = 0;
  const podHostProcess = spec.securityContext?.windowsOptions?.hostProcess;
  visitContainers(spec, path, (c, cPath) => {
    containerCount++;
    const ctrHostProcess = c.securityContext?.windowsOptions?.hostProcess;
    if (podHostProcess != null && ctrHostProcess != null && podHostProcess !== ctrHostProcess) {
      errs.push(
        invalid(
          cPath.child("securityContext", "windowsOptions", "hostProcess"),
          ctrHostProcess,
          `pod hostProcess value must be identical if both are specified, was ${podHostProcess}`,
        ),
      );
    }
    if (ctrHostProcess === true || (ctrHostProcess == null && podHostProcess === true)) hostProcessCount++;
  });
  if (hostProcessCount > 0) {
    if (hostProcessCount !== containerCount) {
      errs.push(
        invalid(
          path,
          "",
          "If pod contains any hostProcess containers then all containers must be HostProcess containers",
        ),
      );
    }
    if (!spec.hostNetwork) {
      errs.push(
        invalid(
          path.child("hostNetwork"),
          false,
          "hostNetwork must be true if pod contains any hostProcess containers",
        ),
      );
    }
    if (opts.allowPrivileged === false)
      errs.push(forbidden(path, "hostProcess containers are disallowed by cluster policy"));
  }
  return errs;
}

function validateLinux(spec: PodSpecLike, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.securityContext?.windowsOptions != null) {
    errs.push(
      forbidden(
        path.child("securityContext").child("windowsOptions"),
        "windows options cannot be set for a linux pod",
      ),
    );
  }
  visitContainers(spec, path, (c, cPath) => {
    if (c.securityContext?.windowsOptions != null) {
      errs.push(
        forbidden(
          cPath.child("securityContext").child("windowsOptions"),
          "windows options cannot be set for a linux pod",
        ),
      );
    }
  });
  return errs;
}

function validateWindows(spec: PodSpecLike, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const msg = "cannot be set for a windows pod";
  const sc = spec.securityContext as Record<string, unknown> | undefined;
  const scPath = path.child("securityContext");
  if (sc != null) {
    if (sc.appArmorProfile != null) errs.push(forbidden(scPath.child("appArmorProfile"), msg));
    if (sc.seLinuxOptions != null) errs.push(forbidden(scPath.child("seLinuxOptions"), msg));
  }
  if (spec.hostUsers != null) errs.push(forbidden(path.child("hostUsers"), msg));
  if (spec.hostPID) errs.push(forbidden(path.child("hostPID"), msg));
  if (spec.hostIPC) errs.push(forbidden(path.child("hostIPC"), msg));
  if (sc != null) {
    if (sc.seccompProfile != null) errs.push(forbidden(scPath.child("seccompProfile"), msg));
    if (sc.fsGroup != null) errs.push(forbidden(scPath.child("fsGroup"), msg));
    if (sc.fsGroupChangePolicy != null) errs.push(forbidden(scPath.child("fsGroupChangePolicy"), msg));
    if (Array.isArray(sc.sysctls) && sc.sysctls.length > 0)
      errs.push(forbidden(scPath.child("sysctls"), msg));
  }
  if (spec.shareProcessNamespace != null) errs.push(forbidden(path.child("shareProcessNamespace"), msg));
  if (sc != null) {
    if (sc.runAsUser != null) errs.push(forbidden(scPath.child("runAsUser"), msg));
    if (sc.runAsGroup != null) errs.push(forbidden(scPath.child("runAsGroup"), msg));
    if (sc.supplementalGroups != null) errs.push(forbidden(scPath.child("supplementalGroups"), msg));
    if (sc.supplementalGroupsPolicy != null)
      errs.push(forbidden(scPath.child("supplementalGroupsPolicy"), msg));
    if (sc.seLinuxChangePolicy != null) errs.push(forbidden(scPath.child("seLinuxChangePolicy"), msg));
  }
  visitContainers(spec, path, (c, cPath) => {
    const csc = c.securityContext as Record<string, unknown> | undefined;
    if (csc == null) return;
    const p = cPath.child("securityContext");
    for (const f of [
      "appArmorProfile",
      "seLinuxOptions",
      "seccompProfile",
      "capabilities",
      "readOnlyRootFilesystem",
      "privileged",
      "allowPrivilegeEscalation",
      "procMount",
      "runAsUser",
      "runAsGroup",
    ]) {
      if (csc[f] != null) errs.push(forbidden(p.child(f), msg));
    }
  });
  return errs;
}

function validateHostUsers(spec: PodSpecLike, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.hostUsers !== false) return errs;
  const msg = "when `pod.Spec.HostUsers` is false";
  if (spec.hostNetwork) errs.push(forbidden(path.child("hostNetwork"), msg));
  if (spec.hostPID) errs.push(forbidden(path.child("HostPID"), msg));
  if (spec.hostIPC) errs.push(forbidden(path.child("HostIPC"), msg));
  return errs;
}

function validatePodResourceClaims(spec: PodSpecLike, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (spec.resourceClaims ?? []).forEach((claim, i) => {
    const p = path.index(i);
    const name = claim.name ?? "";
    if (name === "") errs.push(required(p.child("name"), ""));
    else if (names.has(name)) errs.push(duplicate(p.child("name"), name));
    else {
      append(errs, validateDNS1123Label(name, p.child("name")));
      names.add(name);
    }
    const a = claim.resourceClaimName;
    const b = claim.resourceClaimTemplateName;
    if (a != null && b != null) {
      errs.push(
        invalid(
          p,
          new GoValue(`core.PodResourceClaim{Name:${goQuote(name)}, ...}`),
          "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified",
        ),
      );
    }
    if (a == null && b == null) {
      errs.push(
        invalid(
          p,
          new GoValue(`core.PodResourceClaim{Name:${goQuote(name)}, ...}`),
          "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`",
        ),
      );
    }
    if (a != null)
      for (const msg of nameIsDNSSubdomain(a, false))
        errs.push(invalid(p.child("resourceClaimName"), a, msg));
    if (b != null)
      for (const msg of nameIsDNSSubdomain(b, false))
        errs.push(invalid(p.child("resourceClaimTemplateName"), b, msg));
  });
  return errs;
}

/** ValidatePodSpec. podMeta is set only for real pods (ephemeral volume names need it). */
export function validatePodSpec(
  spec: PodSpecLike,
  podMeta: ObjectMeta | null,
  path: Path,
  opts: PodValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.terminationGracePeriodSeconds == null)
    errs.push(required(path.child("terminationGracePeriodSeconds"), ""));
  const gracePeriod = spec.terminationGracePeriodSeconds ?? null;
  const hostUsers = spec.hostUsers !== false;
  const { vols, errs: vErrs } = validateVolumes(spec.volumes ?? [], podMeta, path.child("volumes"), opts);
  append(errs, vErrs);
  const podClaimNames = new Set<string>();
  for (const c of spec.resourceClaims ?? []) if ((c.name ?? "") !== "") podClaimNames.add(c.name ?? "");
  append(errs, validatePodResourceClaims(spec, path.child("resourceClaims")));
  const ctx = { volumes: vols, podClaimNames, gracePeriod, hostUsers, opts };
  append(errs, validateContainers(spec.containers, path.child("containers"), ctx));
  append(
    errs,
    validateInitContainers(spec.initContainers ?? [], spec.containers, path.child("initContainers"), ctx),
  );
  append(
    errs,
    validateEphemeralContainers(
      (spec.ephemeralContainers ?? []) as ContainerLike[],
      spec.containers,
      spec.initContainers ?? [],
      path.child("ephemeralContainers"),
      ctx,
    ),
  );
  append(errs, validatePodHostNetworkDeps(spec, path, opts));
  append(errs, validateRestartPolicy(spec.restartPolicy ?? "", path.child("restartPolicy")));
  append(errs, validateDNSPolicy(spec.dnsPolicy ?? "", path.child("dnsPolicy")));
  append(errs, validateLabelsMap(spec.nodeSelector, path.child("nodeSelector")));
  append(errs, validatePodSpecSecurityContext(spec, path.child("securityContext"), opts));
  append(errs, validateAffinity(spec.affinity, opts, path.child("affinity")));
  append(errs, validatePodDNSConfig(spec, path.child("dnsConfig"), opts));
  (spec.readinessGates ?? []).forEach((g, i) => {
    append(
      errs,
      validateQualifiedName(
        g.conditionType ?? "",
        path.child("readinessGates").index(i).child("conditionType"),
      ),
    );
  });
  const seenGates = new Set<string>();
  (spec.schedulingGates ?? []).forEach((g, i) => {
    const name = g.name ?? "";
    append(errs, validateQualifiedName(name, path.child("schedulingGates").index(i)));
    if (seenGates.has(name)) errs.push(duplicate(path.child("schedulingGates").index(i), name));
    seenGates.add(name);
  });
  append(
    errs,
    validateTopologySpreadConstraints(
      spec.topologySpreadConstraints ?? [],
      path.child("topologySpreadConstraints"),
    ),
  );
  append(errs, validateWindowsHostProcessPod(spec, path, opts));
  append(errs, validateHostUsers(spec, path));
  const sa = spec.serviceAccountName ?? "";
  if (sa.length > 0)
    for (const msg of nameIsDNSSubdomain(sa, false))
      errs.push(invalid(path.child("serviceAccountName"), sa, msg));
  const nodeName = spec.nodeName ?? "";
  if (nodeName.length > 0)
    for (const msg of nameIsDNSSubdomain(nodeName, false))
      errs.push(invalid(path.child("nodeName"), nodeName, msg));
  if (spec.activeDeadlineSeconds != null) {
    const v = spec.activeDeadlineSeconds;
    if (v < 1 || v > maxInt32) {
      errs.push(
        invalid(path.child("activeDeadlineSeconds"), v, `must be between 1 and ${maxInt32}, inclusive`),
      );
    }
  }
  if ((spec.hostname ?? "").length > 0)
    append(errs, validateDNS1123Label(spec.hostname ?? "", path.child("hostname")));
  if ((spec.subdomain ?? "").length > 0)
    append(errs, validateDNS1123Label(spec.subdomain ?? "", path.child("subdomain")));
  if ((spec.tolerations ?? []).length > 0)
    append(errs, validateTolerations(spec.tolerations ?? [], path.child("tolerations")));
  (spec.hostAliases ?? []).forEach((alias, i) => {
    append(errs, isValidIPErrors(path.child("hostAliases").index(i).child("ip"), alias.ip ?? ""));
    (alias.hostnames ?? []).forEach((h, j) => {
      append(
        errs,
        validateDNS1123Subdomain(h, path.child("hostAliases").index(i).child("hostnames").index(j)),
      );
    });
  });
  const pcn = spec.priorityClassName ?? "";
  if (pcn.length > 0)
    for (const msg of nameIsDNSSubdomain(pcn, false))
      errs.push(invalid(path.child("priorityClassName"), pcn, msg));
  if (spec.runtimeClassName != null) {
    for (const msg of nameIsDNSSubdomain(spec.runtimeClassName, false)) {
      errs.push(invalid(path.child("runtimeClassName"), spec.runtimeClassName, msg));
    }
  }
  if (spec.preemptionPolicy != null)
    append(errs, validatePreemptionPolicy(spec.preemptionPolicy, path.child("preemptionPolicy")));
  if (spec.overhead != null) {
    append(
      errs,
      validateContainerResourceRequirements(
        { limits: spec.overhead },
        podClaimNames,
        path.child("overhead"),
        opts,
      ),
    );
  }
  if (spec.os != null) {
    const osPath = path.child("os");
    const name = spec.os.name ?? "";
    if (name.length === 0) errs.push(required(osPath.child("name"), "cannot be empty"));
    else if (name !== "linux" && name !== "windows")
      errs.push(notSupported(osPath, name, ["linux", "windows"]));
    else if (name === "linux") append(errs, validateLinux(spec, path));
    else append(errs, validateWindows(spec, path));
  }
  return errs;
}

// --- annotations ----------------------------------------------------------------

export const mirrorPodAnnotationKey = "kubernetes.io/config.mirror";
const tolerationsAnnotationKey = "scheduler.alpha.kubernetes.io/tolerations";
const podDeletionCostKey = "controller.kubernetes.io/pod-deletion-cost";
const seccompPodAnnotationKey = "seccomp.security.alpha.kubernetes.io/pod";
const seccompContainerAnnotationKeyPrefix = "container.seccomp.security.alpha.kubernetes.io/";
export const appArmorContainerAnnotationKeyPrefix = "container.apparmor.security.beta.kubernetes.io/";

/** GetDeletionCostFromPodAnnotations' acceptance of the annotation value. */
export function validDeletionCost(value: string): boolean {
  if (value.length === 0) return false;
  const first = value[0];
  if (!(first === "-" || (first === "0" && value === "0") || (first >= "1" && first <= "9"))) return false;
  if (!/^-?[0-9]+$/.test(value)) return false;
  const n = Number(value);
  return n >= -2147483648 && n <= 2147483647;
}

/** False when the pod-deletion-cost annotation is present and not a valid int32. */
export function validateDeletionCostAnnotation(
  annotations: Record<string, string> | null | undefined,
): boolean {
  const a = annotations ?? {};
  return !Object.hasOwn(a, podDeletionCostKey) || validDeletionCost(a[podDeletionCostKey]);
}

/** ValidateSeccompProfile (the deprecated annotation form). */
function validateSeccompProfileAnnotation(p: string, path: Path): FieldError[] {
  if (p === "runtime/default" || p === "docker/default" || p === "unconfined") return [];
  if (p.startsWith("localhost/")) return validateLocalDescendingPath(p.slice("localhost/".length), path);
  return [invalid(path, p, "must be a valid seccomp profile")];
}

function podSpecHasContainer(spec: PodSpecLike, name: string): boolean {
  let found = false;
  visitContainers(spec, pathSpec, (c) => {
    if (c.name === name) found = true;
  });
  return found;
}

const pathSpec = newPath("spec");

/** ValidatePodSpecificAnnotations. */
export function validatePodSpecificAnnotations(
  annotations: Record<string, string> | null | undefined,
  spec: PodSpecLike,
  path: Path,
  opts: PodValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const a = annotations ?? {};
  if (Object.hasOwn(a, mirrorPodAnnotationKey) && (spec.nodeName ?? "").length === 0) {
    errs.push(
      invalid(
        path.key(mirrorPodAnnotationKey),
        a[mirrorPodAnnotationKey],
        "must set spec.nodeName if mirror pod annotation is set",
      ),
    );
  }
  if ((a[tolerationsAnnotationKey] ?? "") !== "") {
    let tolerations: unknown;
    try {
      tolerations = JSON.parse(a[tolerationsAnnotationKey]);
    } catch (e) {
      errs.push(invalid(path, tolerationsAnnotationKey, (e as Error).message));
    }
    if (Array.isArray(tolerations) && tolerations.length > 0) {
      append(errs, validateTolerations(tolerations, path.child(tolerationsAnnotationKey)));
    } else if (tolerations !== undefined && tolerations !== null && !Array.isArray(tolerations)) {
      errs.push(
        invalid(
          path,
          tolerationsAnnotationKey,
          "json: cannot unmarshal into Go value of type []core.Toleration",
        ),
      );
    }
  }
  if (
    !opts.allowInvalidPodDeletionCost &&
    Object.hasOwn(a, podDeletionCostKey) &&
    !validDeletionCost(a[podDeletionCostKey])
  ) {
    errs.push(invalid(path.key(podDeletionCostKey), a[podDeletionCostKey], "must be a 32bit integer"));
  }
  if (Object.hasOwn(a, seccompPodAnnotationKey)) {
    append(
      errs,
      validateSeccompProfileAnnotation(a[seccompPodAnnotationKey], path.child(seccompPodAnnotationKey)),
    );
  }
  for (const [k, p] of Object.entries(a)) {
    if (k.startsWith(seccompContainerAnnotationKeyPrefix))
      append(errs, validateSeccompProfileAnnotation(p, path.child(k)));
  }
  for (const [k, p] of Object.entries(a)) {
    if (!k.startsWith(appArmorContainerAnnotationKeyPrefix)) continue;
    const containerName = k.slice(appArmorContainerAnnotationKeyPrefix.length);
    if (!podSpecHasContainer(spec, containerName))
      errs.push(invalid(path.key(k), containerName, "container not found"));
    if (!(p === "" || p === "runtime/default" || p === "unconfined" || p.startsWith("localhost/"))) {
      errs.push(invalid(path.key(k), p, `invalid AppArmor profile name: ${goQuote(p)}`));
    }
  }
  return errs;
}

function seccompMatch(
  annotation: string,
  field: { type?: string; localhostProfile?: string } | null | undefined,
  path: Path,
): FieldError | null {
  if (field == null) return null;
  switch (field.type) {
    case "Unconfined":
      if (annotation !== "unconfined")
        return forbidden(path.child("type"), "seccomp type in annotation and field must match");
      break;
    case "RuntimeDefault":
      if (annotation !== "runtime/default" && annotation !== "docker/default") {
        return forbidden(path.child("type"), "seccomp type in annotation and field must match");
      }
      break;
    case "Localhost":
      if (!annotation.startsWith("localhost/"))
        return forbidden(path.child("type"), "seccomp type in annotation and field must match");
      if (
        field.localhostProfile == null ||
        annotation.slice("localhost/".length) !== field.localhostProfile
      ) {
        return forbidden(
          path.child("localhostProfile"),
          "seccomp profile in annotation and field must match",
        );
      }
      break;
  }
  return null;
}

/** validateSeccompAnnotationsAndFields. */
export function validateSeccompAnnotationsAndFields(
  meta: ObjectMeta | null | undefined,
  spec: PodSpecLike,
  specPath: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const a = meta?.annotations ?? {};
  const podProfile = spec.securityContext?.seccompProfile;
  if (podProfile != null && Object.hasOwn(a, seccompPodAnnotationKey)) {
    const e = seccompMatch(
      a[seccompPodAnnotationKey],
      podProfile,
      specPath.child("securityContext").child("seccompProfile"),
    );
    if (e) errs.push(e);
  }
  visitContainers(spec, specPath, (c, cPath) => {
    const field = c.securityContext?.seccompProfile;
    if (field == null) return;
    const key = seccompContainerAnnotationKeyPrefix + (c.name ?? "");
    if (Object.hasOwn(a, key)) {
      const e = seccompMatch(a[key], field, cPath.child("securityContext").child("seccompProfile"));
      if (e) errs.push(e);
    }
  });
  return errs;
}

/** validateAppArmorAnnotationsAndFieldsMatchOnCreate. */
export function validateAppArmorAnnotationsAndFieldsMatch(
  meta: ObjectMeta | null | undefined,
  spec: PodSpecLike,
  specPath: Path,
): FieldError[] {
  if (spec.os?.name === "windows") return [];
  const errs: FieldError[] = [];
  const a = meta?.annotations ?? {};
  const podProfile = spec.securityContext?.appArmorProfile;
  visitContainers(spec, specPath, (c, cPath) => {
    const profile = c.securityContext?.appArmorProfile ?? podProfile;
    if (profile == null) return;
    const key = appArmorContainerAnnotationKeyPrefix + (c.name ?? "");
    if (!Object.hasOwn(a, key)) return;
    const annotation = a[key];
    const p = cPath.child("securityContext").child("appArmorProfile");
    switch (profile.type) {
      case "Unconfined":
        if (annotation !== "unconfined")
          errs.push(forbidden(p.child("type"), "apparmor type in annotation and field must match"));
        break;
      case "RuntimeDefault":
        if (annotation !== "runtime/default")
          errs.push(forbidden(p.child("type"), "apparmor type in annotation and field must match"));
        break;
      case "Localhost":
        if (!annotation.startsWith("localhost/")) {
          errs.push(forbidden(p.child("type"), "apparmor type in annotation and field must match"));
        } else if (
          profile.localhostProfile == null ||
          annotation.slice("localhost/".length) !== profile.localhostProfile
        ) {
          errs.push(
            forbidden(p.child("localhostProfile"), "apparmor profile in annotation and field must match"),
          );
        }
        break;
    }
  });
  return errs;
}

/** ValidatePodTemplateSpec. */
export function validatePodTemplateSpec(
  tpl: PodTemplateSpec | null | undefined,
  path: Path,
  opts: PodValidationOptions,
): FieldError[] {
  const t = tpl ?? {};
  const meta = t.metadata ?? {};
  const spec = normalizePodSpec(t.spec);
  const errs = validateLabelsMap(meta.labels, path.child("labels"));
  append(errs, validateAnnotations(meta.annotations, path.child("annotations")));
  append(errs, validatePodSpecificAnnotations(meta.annotations, spec, path.child("annotations"), opts));
  append(errs, validatePodSpec(spec, null, path.child("spec"), opts));
  append(errs, validateSeccompAnnotationsAndFields(meta, spec, path.child("spec")));
  append(errs, validateAppArmorAnnotationsAndFieldsMatch(meta, spec, path.child("spec")));
  if ((spec.ephemeralContainers ?? []).length > 0) {
    errs.push(
      forbidden(
        path.child("spec", "ephemeralContainers"),
        "ephemeral containers not allowed in pod template",
      ),
    );
  }
  return errs;
}

/** A pod spec with its required list present, so that validators can index it. */
export function normalizePodSpec(spec: PodSpec | null | undefined): PodSpecLike {
  const s = (spec ?? {}) as PodSpecLike;
  return s.containers == null ? { ...s, containers: [] } : s;
}

export { validateContainerOnlyForPod };
