// Container validation from pkg/apis/core/validation (v1.32): ports, env,
// mounts and devices, probes and lifecycle handlers, security contexts, and
// the regular / init / ephemeral container lists.

import type {
  AppArmorProfile,
  Container,
  ContainerPort,
  EnvFromSource,
  EnvVar,
  Lifecycle,
  LifecycleHandler,
  Probe,
  SeccompProfile,
  SecurityContext,
  VolumeDevice,
  VolumeMount,
  WindowsSecurityContextOptions,
} from "kubernetes-types/core/v1.d.ts";
import {
  duplicate,
  type FieldError,
  forbidden,
  invalid,
  notFound,
  notSupported,
  type Path,
  required,
  tooLong,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import {
  isConfigMapKey,
  isDNS1123Subdomain,
  isEnvVarName,
  isHTTPHeaderName,
  isRelaxedEnvVarName,
  isValidGroupID,
  isValidPortName,
  isValidPortNum,
  isValidUserID,
} from "../../machinery/validation.ts";
import { append, byteLen, OneOf, validateDNS1123Label, validateNonnegative } from "./common.ts";
import { goApproxStruct } from "./gofmt.ts";
import { type ResourceOptions, validateContainerResourceRequirements } from "./resources.ts";
import {
  type VolumeLike,
  validateContainerResourceFieldSelector,
  validateLocalDescendingPath,
  validateObjectFieldSelector,
  validatePathNoBacksteps,
  validatePullPolicy,
  validEnvDownwardAPIFieldPathExpressions,
} from "./volumes.ts";

/** The pod validation options the container checks read (PodValidationOptions). */
export interface ContainerOptions extends ResourceOptions {
  allowRelaxedEnvironmentVariableValidation?: boolean;
  allowPodLifecycleSleepActionZeroValue?: boolean;
  /** capabilities.Get().AllowPrivileged (kube-apiserver --allow-privileged). */
  allowPrivileged?: boolean;
}

const supportedPortProtocols = ["SCTP", "TCP", "UDP"];

export { supportedPortProtocols };

/** A container with fields newer than the kubernetes-types package. */
export type ContainerLike = Container & { restartPolicy?: string | null };

// --- ports ----------------------------------------------------------------------

function validateContainerPorts(ports: readonly ContainerPort[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const idx = path.index(i);
    const name = port.name ?? "";
    if (name.length > 0) {
      const msgs = isValidPortName(name);
      if (msgs.length !== 0) {
        for (const msg of msgs) errs.push(invalid(idx.child("name"), name, msg));
      } else if (names.has(name)) {
        errs.push(duplicate(idx.child("name"), name));
      } else {
        names.add(name);
      }
    }
    const containerPort = port.containerPort ?? 0;
    if (containerPort === 0) {
      errs.push(required(idx.child("containerPort"), ""));
    } else {
      for (const msg of isValidPortNum(containerPort))
        errs.push(invalid(idx.child("containerPort"), containerPort, msg));
    }
    const hostPort = port.hostPort ?? 0;
    if (hostPort !== 0) {
      for (const msg of isValidPortNum(hostPort)) errs.push(invalid(idx.child("hostPort"), hostPort, msg));
    }
    const protocol = port.protocol ?? "";
    if (protocol.length === 0) errs.push(required(idx.child("protocol"), ""));
    else if (!supportedPortProtocols.includes(protocol)) {
      errs.push(notSupported(idx.child("protocol"), protocol, supportedPortProtocols));
    }
  });
  return errs;
}

/** ValidatePortNumOrName. */
export function validatePortNumOrName(port: number | string | null | undefined, path: Path): FieldError[] {
  if (typeof port === "string") return isValidPortName(port).map((msg) => invalid(path, port, msg));
  const n = port ?? 0;
  return isValidPortNum(n).map((msg) => invalid(path, n, msg));
}

// --- env -------------------------------------------------------------------------

function envNameErrors(name: string, opts: ContainerOptions): string[] {
  return opts.allowRelaxedEnvironmentVariableValidation ? isRelaxedEnvVarName(name) : isEnvVarName(name);
}

function validateKeySelector(s: { name?: string; key?: string }, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = s.name ?? "";
  for (const msg of nameIsDNSSubdomain(name, false)) errs.push(invalid(path.child("name"), name, msg));
  const key = s.key ?? "";
  if (key.length === 0) errs.push(required(path.child("key"), ""));
  else for (const msg of isConfigMapKey(key)) errs.push(invalid(path.child("key"), key, msg));
  return errs;
}

function validateEnvVarValueFrom(ev: EnvVar, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const vf = ev.valueFrom;
  if (vf == null) return errs;
  let numSources = 0;
  if (vf.fieldRef != null) {
    numSources++;
    append(
      errs,
      validateObjectFieldSelector(
        vf.fieldRef,
        validEnvDownwardAPIFieldPathExpressions,
        path.child("fieldRef"),
      ),
    );
  }
  if (vf.resourceFieldRef != null) {
    numSources++;
    append(
      errs,
      validateContainerResourceFieldSelector(vf.resourceFieldRef, path.child("resourceFieldRef"), false),
    );
  }
  if (vf.configMapKeyRef != null) {
    numSources++;
    append(errs, validateKeySelector(vf.configMapKeyRef, path.child("configMapKeyRef")));
  }
  if (vf.secretKeyRef != null) {
    numSources++;
    append(errs, validateKeySelector(vf.secretKeyRef, path.child("secretKeyRef")));
  }
  if (numSources === 0) {
    errs.push(
      invalid(
        path,
        "",
        "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
      ),
    );
  } else if ((ev.value ?? "").length !== 0) {
    errs.push(invalid(path, "", "may not be specified when `value` is not empty"));
  } else if (numSources > 1) {
    errs.push(invalid(path, "", "may not have more than one field specified at a time"));
  }
  return errs;
}

/** ValidateEnv. */
export function validateEnv(vars: readonly EnvVar[], path: Path, opts: ContainerOptions): FieldError[] {
  const errs: FieldError[] = [];
  vars.forEach((ev, i) => {
    const idx = path.index(i);
    const name = ev.name ?? "";
    if (name.length === 0) errs.push(required(idx.child("name"), ""));
    else for (const msg of envNameErrors(name, opts)) errs.push(invalid(idx.child("name"), name, msg));
    append(errs, validateEnvVarValueFrom(ev, idx.child("valueFrom")));
  });
  return errs;
}

/** ValidateEnvFrom. */
export function validateEnvFrom(
  vars: readonly EnvFromSource[],
  path: Path,
  opts: ContainerOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  vars.forEach((ev, i) => {
    const idx = path.index(i);
    const prefix = ev.prefix ?? "";
    if (prefix.length > 0) {
      for (const msg of envNameErrors(prefix, opts)) errs.push(invalid(idx.child("prefix"), prefix, msg));
    }
    let numSources = 0;
    for (const [field, ref] of [
      ["configMapRef", ev.configMapRef],
      ["secretRef", ev.secretRef],
    ] as const) {
      if (ref == null) continue;
      numSources++;
      const name = ref.name ?? "";
      const p = idx.child(field);
      if (name.length === 0) errs.push(required(p.child("name"), ""));
      else for (const msg of nameIsDNSSubdomain(name, true)) errs.push(invalid(p.child("name"), name, msg));
    }
    if (numSources === 0) {
      errs.push(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"));
    } else if (numSources > 1) {
      errs.push(invalid(path, "", "may not have more than one field specified at a time"));
    }
  });
  return errs;
}

// --- mounts and devices ----------------------------------------------------------------

const supportedMountPropagations = ["Bidirectional", "HostToContainer", "None"];
const supportedRecursiveReadOnly = ["Disabled", "Enabled", "IfPossible"];

type VolumeMountLike = VolumeMount & { recursiveReadOnly?: string | null };

function validateMountPropagation(
  propagation: string,
  container: ContainerLike | null,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (!supportedMountPropagations.includes(propagation)) {
    errs.push(notSupported(path, propagation, supportedMountPropagations));
  }
  if (container === null) return errs;
  const privileged = container.securityContext?.privileged === true;
  if (propagation === "Bidirectional" && !privileged) {
    errs.push(forbidden(path, "Bidirectional mount propagation is available only to privileged containers"));
  }
  return errs;
}

function validateMountRecursiveReadOnly(mount: VolumeMountLike, path: Path): FieldError[] {
  const rro = mount.recursiveReadOnly;
  if (rro == null) return [];
  const errs: FieldError[] = [];
  switch (rro) {
    case "Disabled":
      break;
    case "Enabled":
    case "IfPossible":
      if (!mount.readOnly) errs.push(forbidden(path, "may only be specified when readOnly is true"));
      if (mount.mountPropagation != null && mount.mountPropagation !== "None") {
        errs.push(forbidden(path, "may only be specified when mountPropagation is None or not specified"));
      }
      break;
    default:
      errs.push(notSupported(path, rro, supportedRecursiveReadOnly));
  }
  return errs;
}

/** ValidateVolumeMounts. */
function validateVolumeMounts(
  mounts: readonly VolumeMountLike[],
  devices: ReadonlyMap<string, string>,
  volumes: ReadonlyMap<string, VolumeLike>,
  container: ContainerLike | null,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const mountpoints = new Set<string>();
  const devicePaths = new Set(devices.values());
  mounts.forEach((mnt, i) => {
    const idx = path.index(i);
    const name = mnt.name ?? "";
    const mountPath = mnt.mountPath ?? "";
    const subPath = mnt.subPath ?? "";
    const subPathExpr = mnt.subPathExpr ?? "";
    if (name.length === 0) errs.push(required(idx.child("name"), ""));
    if (!volumes.has(name)) errs.push(notFound(idx.child("name"), name));
    if (mountPath.length === 0) errs.push(required(idx.child("mountPath"), ""));
    if (mountpoints.has(mountPath)) errs.push(invalid(idx.child("mountPath"), mountPath, "must be unique"));
    mountpoints.add(mountPath);
    if (devices.has(name))
      errs.push(invalid(idx.child("name"), name, "must not already exist in volumeDevices"));
    if (devicePaths.has(mountPath)) {
      errs.push(
        invalid(idx.child("mountPath"), mountPath, "must not already exist as a path in volumeDevices"),
      );
    }
    if (volumes.get(name)?.image != null) {
      if (subPath.length !== 0)
        errs.push(invalid(idx.child("subPath"), subPath, "not allowed in image volume sources"));
      if (subPathExpr.length !== 0) {
        errs.push(invalid(idx.child("subPathExpr"), subPathExpr, "not allowed in image volume sources"));
      }
    }
    if (subPath.length > 0) append(errs, validateLocalDescendingPath(subPath, path.child("subPath")));
    if (subPathExpr.length > 0) {
      if (subPath.length > 0) {
        errs.push(
          invalid(idx.child("subPathExpr"), subPathExpr, "subPathExpr and subPath are mutually exclusive"),
        );
      }
      append(errs, validateLocalDescendingPath(subPathExpr, path.child("subPathExpr")));
    }
    if (mnt.mountPropagation != null) {
      append(errs, validateMountPropagation(mnt.mountPropagation, container, path.child("mountPropagation")));
    }
    append(errs, validateMountRecursiveReadOnly(mnt, path.child("recursiveReadOnly")));
  });
  return errs;
}

/** ValidateVolumeDevices. */
function validateVolumeDevices(
  devices: readonly VolumeDevice[],
  mounts: ReadonlyMap<string, string>,
  volumes: ReadonlyMap<string, VolumeLike>,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const devicePaths = new Set<string>();
  const deviceNames = new Set<string>();
  const mountPaths = new Set(mounts.values());
  devices.forEach((dev, i) => {
    const idx = path.index(i);
    const name = dev.name ?? "";
    const devPath = dev.devicePath ?? "";
    const vol = volumes.get(name);
    const didMatch = vol !== undefined;
    const isPVC = vol?.persistentVolumeClaim != null || vol?.ephemeral != null;
    if (name.length === 0) errs.push(required(idx.child("name"), ""));
    if (deviceNames.has(name)) errs.push(invalid(idx.child("name"), name, "must be unique"));
    if (didMatch && !isPVC) {
      errs.push(
        invalid(
          idx.child("name"),
          name,
          "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode",
        ),
      );
    }
    if (!didMatch) errs.push(notFound(idx.child("name"), name));
    if (devPath.length === 0) errs.push(required(idx.child("devicePath"), ""));
    if (devicePaths.has(devPath)) errs.push(invalid(idx.child("devicePath"), devPath, "must be unique"));
    if (devPath.length > 0 && validatePathNoBacksteps(devPath, path.child("devicePath")).length > 0) {
      errs.push(invalid(idx.child("devicePath"), devPath, "can not contain backsteps ('..')"));
    } else {
      devicePaths.add(devPath);
    }
    if (mounts.has(name))
      errs.push(invalid(idx.child("name"), name, "must not already exist in volumeMounts"));
    if (mountPaths.has(devPath)) {
      errs.push(
        invalid(idx.child("devicePath"), devPath, "must not already exist as a path in volumeMounts"),
      );
    }
    if (name.length > 0) deviceNames.add(name);
  });
  return errs;
}

// --- probes and handlers ------------------------------------------------------------------

interface CommonHandler {
  exec?: { command?: string[] } | null;
  httpGet?: LifecycleHandler["httpGet"] | null;
  tcpSocket?: LifecycleHandler["tcpSocket"] | null;
  grpc?: { port?: number; service?: string } | null;
  sleep?: { seconds?: number } | null;
}

/** validateHTTPGetAction. */
function validateHTTPGetAction(h: NonNullable<CommonHandler["httpGet"]>, p: Path): FieldError[] {
  const e: FieldError[] = [];
  if ((h.path ?? "").length === 0) e.push(required(p.child("path"), ""));
  append(e, validatePortNumOrName(h.port, p.child("port")));
  const scheme = h.scheme ?? "";
  if (scheme !== "HTTP" && scheme !== "HTTPS")
    e.push(notSupported(p.child("scheme"), scheme, ["HTTP", "HTTPS"]));
  for (const header of h.httpHeaders ?? []) {
    for (const msg of isHTTPHeaderName(header.name ?? ""))
      e.push(invalid(p.child("httpHeaders"), header.name ?? "", msg));
  }
  return e;
}

/** validateSleepAction. */
function validateSleepAction(
  sleep: NonNullable<CommonHandler["sleep"]>,
  gracePeriod: number | null,
  p: Path,
  opts: ContainerOptions,
): FieldError[] {
  const seconds = sleep.seconds ?? 0;
  if (gracePeriod === null) return [];
  if (opts.allowPodLifecycleSleepActionZeroValue) {
    if (seconds < 0 || seconds > gracePeriod) {
      return [
        invalid(
          p,
          seconds,
          `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`,
        ),
      ];
    }
  } else if (seconds <= 0 || seconds > gracePeriod) {
    return [
      invalid(
        p,
        seconds,
        `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
      ),
    ];
  }
  return [];
}

function validateHandler(
  handler: CommonHandler,
  gracePeriod: number | null,
  path: Path,
  opts: ContainerOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const handlers = new OneOf(path, errs, "may not specify more than 1 handler type");
  if (handler.exec != null && handlers.first("exec")) {
    if ((handler.exec.command ?? []).length === 0)
      errs.push(required(path.child("exec").child("command"), ""));
  }
  if (handler.httpGet != null && handlers.first("httpGet"))
    append(errs, validateHTTPGetAction(handler.httpGet, path.child("httpGet")));
  if (handler.tcpSocket != null && handlers.first("tcpSocket"))
    append(errs, validatePortNumOrName(handler.tcpSocket.port, path.child("tcpSocket").child("port")));
  if (handler.grpc != null && handlers.first("grpc"))
    append(errs, validatePortNumOrName(handler.grpc.port ?? 0, path.child("grpc").child("port")));
  if (handler.sleep != null && handlers.first("sleep"))
    append(errs, validateSleepAction(handler.sleep, gracePeriod, path.child("sleep"), opts));
  if (handlers.count === 0) errs.push(required(path, "must specify a handler type"));
  return errs;
}

function validateLifecycle(
  lifecycle: Lifecycle,
  gracePeriod: number | null,
  path: Path,
  opts: ContainerOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  if (lifecycle.postStart != null)
    append(errs, validateHandler(lifecycle.postStart, gracePeriod, path.child("postStart"), opts));
  if (lifecycle.preStop != null)
    append(errs, validateHandler(lifecycle.preStop, gracePeriod, path.child("preStop"), opts));
  return errs;
}

function validateProbe(
  probe: Probe,
  gracePeriod: number | null,
  path: Path,
  opts: ContainerOptions,
): FieldError[] {
  const errs = validateHandler(
    { exec: probe.exec, httpGet: probe.httpGet, tcpSocket: probe.tcpSocket, grpc: probe.grpc },
    gracePeriod,
    path,
    opts,
  );
  append(errs, validateNonnegative(probe.initialDelaySeconds, path.child("initialDelaySeconds")));
  append(errs, validateNonnegative(probe.timeoutSeconds, path.child("timeoutSeconds")));
  append(errs, validateNonnegative(probe.periodSeconds, path.child("periodSeconds")));
  append(errs, validateNonnegative(probe.successThreshold, path.child("successThreshold")));
  append(errs, validateNonnegative(probe.failureThreshold, path.child("failureThreshold")));
  if (probe.terminationGracePeriodSeconds != null && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(
      invalid(
        path.child("terminationGracePeriodSeconds"),
        probe.terminationGracePeriodSeconds,
        "must be greater than 0",
      ),
    );
  }
  return errs;
}

function validateLivenessProbe(
  probe: Probe | null | undefined,
  grace: number | null,
  path: Path,
  opts: ContainerOptions,
) {
  if (probe == null) return [];
  const errs = validateProbe(probe, grace, path, opts);
  if ((probe.successThreshold ?? 0) !== 1)
    errs.push(invalid(path.child("successThreshold"), probe.successThreshold ?? 0, "must be 1"));
  return errs;
}

function validateReadinessProbe(
  probe: Probe | null | undefined,
  grace: number | null,
  path: Path,
  opts: ContainerOptions,
) {
  if (probe == null) return [];
  const errs = validateProbe(probe, grace, path, opts);
  if (probe.terminationGracePeriodSeconds != null) {
    errs.push(
      invalid(
        path.child("terminationGracePeriodSeconds"),
        probe.terminationGracePeriodSeconds,
        "must not be set for readinessProbes",
      ),
    );
  }
  return errs;
}

// --- security contexts ---------------------------------------------------------------

const seccompTypes = ["Localhost", "RuntimeDefault", "Unconfined"];

/** validateSeccompProfileField. */
export function validateSeccompProfileField(sp: SeccompProfile | null | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (sp == null) return errs;
  const type = sp.type ?? "";
  if (type === "") errs.push(required(path.child("type"), "type is required when seccompProfile is set"));
  else if (!seccompTypes.includes(type)) errs.push(notSupported(path.child("type"), type, seccompTypes));
  if (type === "Localhost") {
    if (sp.localhostProfile == null) {
      errs.push(required(path.child("localhostProfile"), "must be set when seccomp type is Localhost"));
    } else {
      append(errs, validateLocalDescendingPath(sp.localhostProfile, path.child("localhostProfile")));
    }
  } else if (sp.localhostProfile != null) {
    errs.push(
      invalid(
        path.child("localhostProfile"),
        goApproxStruct("core.SeccompProfile", sp),
        "can only be set when seccomp type is Localhost",
      ),
    );
  }
  return errs;
}

/** ValidateAppArmorProfileField. */
export function validateAppArmorProfileField(
  profile: AppArmorProfile | null | undefined,
  path: Path,
): FieldError[] {
  if (profile == null) return [];
  const errs: FieldError[] = [];
  switch (profile.type ?? "") {
    case "Localhost": {
      const lp = profile.localhostProfile;
      if (lp == null) {
        errs.push(required(path.child("localhostProfile"), "must be set when AppArmor type is Localhost"));
      } else {
        const trimmed = lp.trim();
        if (trimmed !== lp)
          errs.push(invalid(path.child("localhostProfile"), lp, "must not be padded with whitespace"));
        else if (trimmed === "")
          errs.push(required(path.child("localhostProfile"), "must be set when AppArmor type is Localhost"));
        if (byteLen(lp) > 4095) errs.push(tooLong(path.child("localhostProfile"), "", 4095));
      }
      break;
    }
    case "RuntimeDefault":
    case "Unconfined":
      if (profile.localhostProfile != null) {
        errs.push(
          invalid(
            path.child("localhostProfile"),
            profile.localhostProfile,
            "can only be set when AppArmor type is Localhost",
          ),
        );
      }
      break;
    case "":
      errs.push(required(path.child("type"), "type is required when appArmorProfile is set"));
      break;
    default:
      errs.push(
        notSupported(path.child("type"), profile.type ?? "", ["Localhost", "RuntimeDefault", "Unconfined"]),
      );
  }
  return errs;
}

const ctrlRegex = /[\x00-\x1f\x7f]+/;
const validNetBiosRegex = /^[^\\/:*?"<>|.][^\\/:*?"<>|]{0,14}$/;
const dnsLabelFormat = "[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?";
const validWindowsUserDomainDNSRegex = new RegExp(`^${dnsLabelFormat}(?:\\.${dnsLabelFormat})*$`);
const invalidUserNameCharsRegex = /["/\\:;|=,+*?<>@[\]]/;
const invalidUserNameDotsSpacesRegex = /^[. ]+$/;

/** validateWindowsSecurityContextOptions. */
export function validateWindowsSecurityContextOptions(
  w: WindowsSecurityContextOptions | null | undefined,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (w == null) return errs;
  if (w.gmsaCredentialSpecName != null) {
    for (const msg of isDNS1123Subdomain(w.gmsaCredentialSpecName)) {
      errs.push(invalid(path.child("gmsaCredentialSpecName"), w.gmsaCredentialSpecName, msg));
    }
  }
  if (w.gmsaCredentialSpec != null) {
    const l = byteLen(w.gmsaCredentialSpec);
    if (l === 0) {
      errs.push(
        invalid(
          path.child("gmsaCredentialSpec"),
          w.gmsaCredentialSpec,
          "gmsaCredentialSpec cannot be an empty string",
        ),
      );
    } else if (l > 64 * 1024) {
      errs.push(
        invalid(
          path.child("gmsaCredentialSpec"),
          w.gmsaCredentialSpec,
          "gmsaCredentialSpec size must be under 64 KiB",
        ),
      );
    }
  }
  if (w.runAsUserName != null) {
    const name = w.runAsUserName;
    const p = path.child("runAsUserName");
    const parts = name.split("\\");
    if (byteLen(name) === 0) errs.push(invalid(p, name, "runAsUserName cannot be an empty string"));
    else if (ctrlRegex.test(name))
      errs.push(invalid(p, name, "runAsUserName cannot contain control characters"));
    else if (parts.length > 2)
      errs.push(invalid(p, name, "runAsUserName cannot contain more than one backslash"));
    else {
      const hasDomain = parts.length === 2;
      const domain = hasDomain ? parts[0] : "";
      const user = hasDomain ? parts[1] : parts[0];
      if (byteLen(domain) >= 256)
        errs.push(invalid(p, name, "runAsUserName's Domain length must be under 256 characters"));
      if (hasDomain && !(validNetBiosRegex.test(domain) || validWindowsUserDomainDNSRegex.test(domain))) {
        errs.push(invalid(p, name, "runAsUserName's Domain doesn't match the NetBios nor the DNS format"));
      }
      const l = byteLen(user);
      if (l === 0) errs.push(invalid(p, name, "runAsUserName's User cannot be empty"));
      else if (l > 104)
        errs.push(invalid(p, name, "runAsUserName's User length must not be longer than 104 characters"));
      if (invalidUserNameDotsSpacesRegex.test(user)) {
        errs.push(invalid(p, name, "runAsUserName's User cannot contain only periods or spaces"));
      }
      if (invalidUserNameCharsRegex.test(user)) {
        errs.push(
          invalid(p, name, `runAsUserName's User cannot contain the following characters: "/\\:;|=,+*?<>@[]`),
        );
      }
    }
  }
  return errs;
}

/** ValidateSecurityContext (containers). */
export function validateSecurityContext(
  sc: SecurityContext | null | undefined,
  path: Path,
  hostUsers: boolean,
  opts: ContainerOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  if (sc == null) return errs;
  if (sc.privileged === true && opts.allowPrivileged === false) {
    errs.push(forbidden(path.child("privileged"), "disallowed by cluster policy"));
  }
  if (sc.runAsUser != null)
    for (const msg of isValidUserID(sc.runAsUser))
      errs.push(invalid(path.child("runAsUser"), sc.runAsUser, msg));
  if (sc.runAsGroup != null) {
    for (const msg of isValidGroupID(sc.runAsGroup))
      errs.push(invalid(path.child("runAsGroup"), sc.runAsGroup, msg));
  }
  if (sc.procMount != null) {
    if (sc.procMount !== "Default" && sc.procMount !== "Unmasked") {
      errs.push(notSupported(path.child("procMount"), sc.procMount, ["Default", "Unmasked"]));
    }
    if (hostUsers && sc.procMount === "Unmasked") {
      errs.push(
        invalid(path.child("procMount"), sc.procMount, "`hostUsers` must be false to use `Unmasked`"),
      );
    }
  }
  append(errs, validateSeccompProfileField(sc.seccompProfile, path.child("seccompProfile")));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) {
      errs.push(
        invalid(
          path,
          goApproxStruct("core.SecurityContext", sc),
          "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
        ),
      );
    }
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap === "CAP_SYS_ADMIN") {
        errs.push(
          invalid(
            path,
            goApproxStruct("core.SecurityContext", sc),
            "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
          ),
        );
      }
    }
  }
  append(errs, validateWindowsSecurityContextOptions(sc.windowsOptions, path.child("windowsOptions")));
  append(errs, validateAppArmorProfileField(sc.appArmorProfile, path.child("appArmorProfile")));
  return errs;
}

// --- container lists -----------------------------------------------------------------------

/** validateContainerCommon. */
function validateContainerCommon(
  ctr: ContainerLike,
  volumes: ReadonlyMap<string, VolumeLike>,
  podClaimNames: ReadonlySet<string>,
  path: Path,
  opts: ContainerOptions,
  hostUsers: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = ctr.name ?? "";
  if (name.length === 0) errs.push(required(path.child("name"), ""));
  else append(errs, validateDNS1123Label(name, path.child("name")));
  if ((ctr.image ?? "").length === 0) errs.push(required(path.child("image"), ""));
  const tmp = ctr.terminationMessagePolicy ?? "";
  if (tmp === "") errs.push(required(path.child("terminationMessagePolicy"), ""));
  else if (tmp !== "File" && tmp !== "FallbackToLogsOnError") {
    errs.push(notSupported(path.child("terminationMessagePolicy"), tmp, ["File", "FallbackToLogsOnError"]));
  }
  const mountMap = new Map<string, string>();
  for (const m of ctr.volumeMounts ?? []) mountMap.set(m.name ?? "", m.mountPath ?? "");
  const deviceMap = new Map<string, string>();
  for (const d of ctr.volumeDevices ?? []) deviceMap.set(d.name ?? "", d.devicePath ?? "");
  append(errs, validateContainerPorts(ctr.ports ?? [], path.child("ports")));
  append(errs, validateEnv(ctr.env ?? [], path.child("env"), opts));
  append(errs, validateEnvFrom(ctr.envFrom ?? [], path.child("envFrom"), opts));
  append(
    errs,
    validateVolumeMounts(ctr.volumeMounts ?? [], deviceMap, volumes, ctr, path.child("volumeMounts")),
  );
  append(
    errs,
    validateVolumeDevices(ctr.volumeDevices ?? [], mountMap, volumes, path.child("volumeDevices")),
  );
  append(errs, validatePullPolicy(ctr.imagePullPolicy, path.child("imagePullPolicy")));
  append(
    errs,
    validateContainerResourceRequirements(ctr.resources, podClaimNames, path.child("resources"), opts),
  );
  append(errs, validateSecurityContext(ctr.securityContext, path.child("securityContext"), hostUsers, opts));
  return errs;
}

/** AccumulateUniqueHostPorts over a set of containers. */
function checkHostPortConflicts(containers: readonly ContainerLike[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((ctr, ci) => {
    (ctr.ports ?? []).forEach((port, pi) => {
      const hostPort = port.hostPort ?? 0;
      if (hostPort === 0) return;
      const key = `${port.protocol ?? ""}/${port.hostIP ?? ""}/${hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child("ports").index(pi).child("hostPort"), key));
      else seen.add(key);
    });
  });
  return errs;
}

export interface ContainerListContext {
  volumes: ReadonlyMap<string, VolumeLike>;
  podClaimNames: ReadonlySet<string>;
  gracePeriod: number | null;
  hostUsers: boolean;
  opts: ContainerOptions;
}

/** validateContainers: the regular containers. */
export function validateContainers(
  containers: readonly ContainerLike[],
  path: Path,
  ctx: ContainerListContext,
): FieldError[] {
  if (containers.length === 0) return [required(path, "")];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((ctr, i) => {
    const p = path.index(i);
    append(errs, validateContainerCommon(ctr, ctx.volumes, ctx.podClaimNames, p, ctx.opts, ctx.hostUsers));
    const name = ctr.name ?? "";
    if (names.has(name)) errs.push(duplicate(p.child("name"), name));
    else names.add(name);
    validateLifecycleAndProbes(ctr, p, ctx, errs);
    if (ctr.restartPolicy != null)
      errs.push(forbidden(p.child("restartPolicy"), "may not be set for non-init containers"));
  });
  append(errs, checkHostPortConflicts(containers, path));
  return errs;
}

/** Lifecycle and the three probes, as regular and restartable (sidecar) init containers have them. */
function validateLifecycleAndProbes(
  ctr: ContainerLike,
  p: Path,
  ctx: ContainerListContext,
  errs: FieldError[],
): void {
  if (ctr.lifecycle != null)
    append(errs, validateLifecycle(ctr.lifecycle, ctx.gracePeriod, p.child("lifecycle"), ctx.opts));
  append(errs, validateLivenessProbe(ctr.livenessProbe, ctx.gracePeriod, p.child("livenessProbe"), ctx.opts));
  append(
    errs,
    validateReadinessProbe(ctr.readinessProbe, ctx.gracePeriod, p.child("readinessProbe"), ctx.opts),
  );
  append(errs, validateLivenessProbe(ctr.startupProbe, ctx.gracePeriod, p.child("startupProbe"), ctx.opts));
}

/** validateInitContainers. */
export function validateInitContainers(
  containers: readonly ContainerLike[],
  regular: readonly ContainerLike[],
  path: Path,
  ctx: ContainerListContext,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>(regular.map((c) => c.name ?? ""));
  containers.forEach((ctr, i) => {
    const p = path.index(i);
    append(errs, validateContainerCommon(ctr, ctx.volumes, ctx.podClaimNames, p, ctx.opts, ctx.hostUsers));
    let restartAlways = false;
    if (ctr.restartPolicy != null) {
      if (ctr.restartPolicy !== "Always")
        errs.push(notSupported(p.child("restartPolicy"), ctr.restartPolicy, ["Always"]));
      restartAlways = ctr.restartPolicy === "Always";
    }
    const name = ctr.name ?? "";
    if (names.has(name)) errs.push(duplicate(p.child("name"), name));
    else if (name.length > 0) names.add(name);
    // Init containers run one by one, so their host ports are checked one container at a time.
    append(errs, checkHostPortConflicts([ctr], path));
    if (restartAlways) {
      validateLifecycleAndProbes(ctr, p, ctx, errs);
    } else {
      const msg = "may not be set for init containers without restartPolicy=Always";
      if (ctr.lifecycle != null) errs.push(forbidden(p.child("lifecycle"), msg));
      if (ctr.livenessProbe != null) errs.push(forbidden(p.child("livenessProbe"), msg));
      if (ctr.readinessProbe != null) errs.push(forbidden(p.child("readinessProbe"), msg));
      if (ctr.startupProbe != null) errs.push(forbidden(p.child("startupProbe"), msg));
    }
  });
  return errs;
}

// EphemeralContainerCommon's fields in Go order, and whether each may be set.
const ephemeralContainerFields: Array<[json: string, allowed: boolean]> = [
  ["name", true],
  ["image", true],
  ["command", true],
  ["args", true],
  ["workingDir", true],
  ["ports", false],
  ["envFrom", true],
  ["env", true],
  ["resources", false],
  ["resizePolicy", false],
  ["restartPolicy", false],
  ["volumeMounts", true],
  ["volumeDevices", true],
  ["livenessProbe", false],
  ["readinessProbe", false],
  ["startupProbe", false],
  ["lifecycle", false],
  ["terminationMessagePath", true],
  ["terminationMessagePolicy", true],
  ["imagePullPolicy", true],
  ["securityContext", true],
  ["stdin", true],
  ["stdinOnce", true],
  ["tty", true],
];

function isZero(v: unknown): boolean {
  if (v == null || v === "" || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.values(v as object).every(isZero);
  return false;
}

/** validateEphemeralContainers. */
export function validateEphemeralContainers(
  ephemeral: ReadonlyArray<ContainerLike & { targetContainerName?: string }>,
  containers: readonly ContainerLike[],
  initContainers: readonly ContainerLike[],
  path: Path,
  ctx: ContainerListContext,
): FieldError[] {
  const errs: FieldError[] = [];
  if (ephemeral.length === 0) return errs;
  const otherNames = new Set<string>();
  for (const c of [...containers, ...initContainers]) otherNames.add(c.name ?? "");
  const allNames = new Set(otherNames);
  ephemeral.forEach((ec, i) => {
    const p = path.index(i);
    append(errs, validateContainerCommon(ec, ctx.volumes, ctx.podClaimNames, p, ctx.opts, ctx.hostUsers));
    append(errs, validateContainerOnlyForPod(ec, p));
    const name = ec.name ?? "";
    if (allNames.has(name)) errs.push(duplicate(p.child("name"), name));
    else allNames.add(name);
    const target = ec.targetContainerName ?? "";
    if (target !== "" && !otherNames.has(target)) errs.push(notFound(p.child("targetContainerName"), target));
    const rec = ec as unknown as Record<string, unknown>;
    for (const [field, allowed] of ephemeralContainerFields) {
      if (!allowed && !isZero(rec[field]))
        errs.push(forbidden(p.child(field), "cannot be set for an Ephemeral Container"));
    }
    (ec.volumeMounts ?? []).forEach((vm, j) => {
      const mp = p.child("volumeMounts").index(j);
      if ((vm.subPath ?? "") !== "")
        errs.push(forbidden(mp.child("subPath"), "cannot be set for an Ephemeral Container"));
      if ((vm.subPathExpr ?? "") !== "") {
        errs.push(forbidden(mp.child("subPathExpr"), "cannot be set for an Ephemeral Container"));
      }
    });
  });
  return errs;
}

/** validateContainerOnlyForPod: no padding around the image. */
export function validateContainerOnlyForPod(ctr: ContainerLike, path: Path): FieldError[] {
  const image = ctr.image ?? "";
  if (image.length !== image.trim().length) {
    return [invalid(path.child("image"), image, "must not have leading or trailing whitespace")];
  }
  return [];
}
