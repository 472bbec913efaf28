// Volume validation from pkg/apis/core/validation (ValidateVolumes,
// validateVolumeSource and one validator per volume type), plus the
// persistent-volume sources they share with PersistentVolume.

import type {
  ConfigMapVolumeSource,
  DownwardAPIVolumeFile,
  ISCSIVolumeSource,
  KeyToPath,
  ObjectFieldSelector,
  ProjectedVolumeSource,
  ResourceFieldSelector,
  SecretReference,
  Volume,
} from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import {
  duplicate,
  type FieldError,
  forbidden,
  GoValue,
  goQuote,
  invalid,
  notSupported,
  type Path,
  required,
  tooLong,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain, validateNamespaceName } from "../../machinery/object-meta.ts";
import { isDNS1123Subdomain } from "../../machinery/validation.ts";
import {
  append,
  byteLen,
  OneOf,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabelSelector,
  validateQualifiedName,
} from "./common.ts";
import { goLabelSelector, goPointer } from "./gofmt.ts";
import { validatePersistentVolumeClaimSpec, validateTemplateObjectMeta } from "./pvc-spec.ts";
import { parseQ } from "./resources.ts";

export const fileModeErrorMsg = "must be a number between 0 and 0777 (octal), both inclusive";
const pdPartitionErrorMsg = "must be between 1 and 255, inclusive";

const iscsiInitiatorIqnRegex = /iqn\.\d{4}-\d{2}\.([A-Za-z0-9\-.]+)(:[^,;*&$|\s]+)$/;
const iscsiInitiatorEuiRegex = /^eui.[A-Za-z0-9]{16}$/;
const iscsiInitiatorNaaRegex = /^naa.[A-Za-z0-9]{32}$/;

/** Options of pod validation that volume checks read. */
export interface VolumeOptions {
  resourceIsPod?: boolean;
  allowNonLocalProjectedTokenPath?: boolean;
}

/** A volume and its source, with the fields newer than the kubernetes-types package. */
export type VolumeLike = Volume & { image?: { reference?: string; pullPolicy?: string } };

// --- paths --------------------------------------------------------------------

/** validatePathNoBacksteps: no ".." element. */
export function validatePathNoBacksteps(targetPath: string, path: Path): FieldError[] {
  if (!targetPath.includes("..")) return [];
  for (const item of targetPath.split("/")) {
    if (item === "..") return [invalid(path, targetPath, "must not contain '..'")];
  }
  return [];
}

/** validateLocalDescendingPath: relative, without "..". */
export function validateLocalDescendingPath(targetPath: string, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (targetPath.startsWith("/")) errs.push(invalid(path, targetPath, "must be a relative path"));
  append(errs, validatePathNoBacksteps(targetPath, path));
  return errs;
}

/** ValidateLocalNonReservedPath: relative, without "..", not starting with "..". */
export function validateLocalNonReservedPath(targetPath: string, path: Path): FieldError[] {
  const errs = validateLocalDescendingPath(targetPath, path);
  if (targetPath.startsWith("..") && !targetPath.startsWith("../")) {
    errs.push(invalid(path, targetPath, "must not start with '..'"));
  }
  return errs;
}

function validFileMode(mode: number | null | undefined): boolean {
  return mode == null || (mode >= 0 && mode <= 0o777);
}

// --- volume sources -------------------------------------------------------------

const supportedHostPathTypes = [
  "",
  "BlockDevice",
  "CharDevice",
  "Directory",
  "DirectoryOrCreate",
  "File",
  "FileOrCreate",
  "Socket",
];

export function validateHostPathVolumeSource(
  hostPath: { path?: string; type?: string | null },
  path: Path,
): FieldError[] {
  if ((hostPath.path ?? "").length === 0) return [required(path.child("path"), "")];
  const errs = validatePathNoBacksteps(hostPath.path ?? "", path.child("path"));
  if (hostPath.type != null && !supportedHostPathTypes.includes(hostPath.type)) {
    errs.push(notSupported(path.child("type"), hostPath.type, supportedHostPathTypes));
  }
  return errs;
}

function validateGitRepoVolumeSource(
  git: { repository?: string; directory?: string },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((git.repository ?? "").length === 0) errs.push(required(path.child("repository"), ""));
  append(errs, validateLocalDescendingPath(git.directory ?? "", path.child("directory")));
  return errs;
}

function checkIQN(value: string, path: Path, prefixMsg: string): FieldError[] {
  if (!value.startsWith("iqn") && !value.startsWith("eui") && !value.startsWith("naa")) {
    return [invalid(path, value, prefixMsg)];
  }
  if (value.startsWith("iqn") && !iscsiInitiatorIqnRegex.test(value))
    return [invalid(path, value, "must be valid format")];
  if (value.startsWith("eui") && !iscsiInitiatorEuiRegex.test(value))
    return [invalid(path, value, "must be valid format")];
  if (value.startsWith("naa") && !iscsiInitiatorNaaRegex.test(value))
    return [invalid(path, value, "must be valid format")];
  return [];
}

function validateISCSIVolumeSource(iscsi: ISCSIVolumeSource, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if ((iscsi.targetPortal ?? "").length === 0) errs.push(required(path.child("targetPortal"), ""));
  if ((iscsi.iqn ?? "").length === 0) {
    errs.push(required(path.child("iqn"), ""));
  } else {
    append(
      errs,
      checkIQN(iscsi.iqn, path.child("iqn"), "must be valid format starting with iqn, eui, or naa"),
    );
  }
  const lun = iscsi.lun ?? 0;
  if (lun < 0 || lun > 255)
    errs.push(invalid(path.child("lun"), lun, "must be between 0 and 255, inclusive"));
  if ((iscsi.chapAuthDiscovery || iscsi.chapAuthSession) && iscsi.secretRef == null) {
    errs.push(required(path.child("secretRef"), ""));
  }
  if (iscsi.initiatorName != null) {
    const initiator = iscsi.initiatorName;
    const p = path.child("initiatorname");
    if (!initiator.startsWith("iqn") && !initiator.startsWith("eui") && !initiator.startsWith("naa")) {
      errs.push(invalid(p, initiator, "must be valid format starting with iqn, eui, or naa"));
    }
    if (initiator.startsWith("iqn") && !iscsiInitiatorIqnRegex.test(initiator)) {
      errs.push(invalid(p, initiator, "must be valid format"));
    } else if (initiator.startsWith("eui") && !iscsiInitiatorEuiRegex.test(initiator)) {
      errs.push(invalid(p, initiator, "must be valid format"));
    } else if (initiator.startsWith("naa") && !iscsiInitiatorNaaRegex.test(initiator)) {
      errs.push(invalid(p, initiator, "must be valid format"));
    }
  }
  return errs;
}

/** validateISCSIPersistentVolumeSource. */
export function validateISCSIPersistentVolumeSource(
  iscsi: ISCSIVolumeSource & { secretRef?: SecretReference },
  pvName: string,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const portal = iscsi.targetPortal ?? "";
  if (portal.length === 0) errs.push(required(path.child("targetPortal"), ""));
  if (iscsi.initiatorName != null && byteLen(`${pvName}:${portal}`) > 64) {
    errs.push(
      invalid(
        path.child("targetportal"),
        portal,
        "Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified.",
      ),
    );
  }
  if ((iscsi.iqn ?? "").length === 0) {
    errs.push(required(path.child("iqn"), ""));
  } else {
    append(errs, checkIQN(iscsi.iqn, path.child("iqn"), "must be valid format"));
  }
  const lun = iscsi.lun ?? 0;
  if (lun < 0 || lun > 255)
    errs.push(invalid(path.child("lun"), lun, "must be between 0 and 255, inclusive"));
  if ((iscsi.chapAuthDiscovery || iscsi.chapAuthSession) && iscsi.secretRef == null) {
    errs.push(required(path.child("secretRef"), ""));
  }
  if (iscsi.secretRef != null && (iscsi.secretRef.name ?? "").length === 0) {
    errs.push(required(path.child("secretRef", "name"), ""));
  }
  if (iscsi.initiatorName != null) {
    const initiator = iscsi.initiatorName;
    const p = path.child("initiatorname");
    if (!initiator.startsWith("iqn") && !initiator.startsWith("eui") && !initiator.startsWith("naa")) {
      errs.push(invalid(p, initiator, "must be valid format"));
    }
    if (initiator.startsWith("iqn") && !iscsiInitiatorIqnRegex.test(initiator)) {
      errs.push(invalid(p, initiator, "must be valid format"));
    } else if (initiator.startsWith("eui") && !iscsiInitiatorEuiRegex.test(initiator)) {
      errs.push(invalid(p, initiator, "must be valid format"));
    } else if (initiator.startsWith("naa") && !iscsiInitiatorNaaRegex.test(initiator)) {
      errs.push(invalid(p, initiator, "must be valid format"));
    }
  }
  return errs;
}

/** validateFCVolumeSource. */
export function validateFCVolumeSource(
  fc: { targetWWNs?: string[]; wwids?: string[]; lun?: number | null },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const wwns = fc.targetWWNs ?? [];
  const wwids = fc.wwids ?? [];
  if (wwns.length < 1 && wwids.length < 1) {
    errs.push(required(path.child("targetWWNs"), "must specify either targetWWNs or wwids, but not both"));
  }
  if (wwns.length !== 0 && wwids.length !== 0) {
    errs.push(
      invalid(
        path.child("targetWWNs"),
        new GoValue(`[]string{${wwns.map(goQuote).join(", ")}}`),
        "targetWWNs and wwids can not be specified simultaneously",
      ),
    );
  }
  if (wwns.length !== 0) {
    if (fc.lun == null) {
      errs.push(required(path.child("lun"), "lun is required if targetWWNs is specified"));
    } else if (fc.lun < 0 || fc.lun > 255) {
      errs.push(invalid(path.child("lun"), fc.lun, "must be between 0 and 255, inclusive"));
    }
  }
  return errs;
}

/** validateGCEPersistentDiskVolumeSource (reported under "persistentDisk", as upstream does). */
export function validateGCEPersistentDisk(
  pd: { pdName?: string; partition?: number },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((pd.pdName ?? "").length === 0) errs.push(required(path.child("pdName"), ""));
  const partition = pd.partition ?? 0;
  if (partition < 0 || partition > 255)
    errs.push(invalid(path.child("partition"), partition, pdPartitionErrorMsg));
  return errs;
}

/** validateAWSElasticBlockStoreVolumeSource. */
export function validateAWSElasticBlockStore(
  pd: { volumeID?: string; partition?: number },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((pd.volumeID ?? "").length === 0) errs.push(required(path.child("volumeID"), ""));
  const partition = pd.partition ?? 0;
  if (partition < 0 || partition > 255)
    errs.push(invalid(path.child("partition"), partition, pdPartitionErrorMsg));
  return errs;
}

/** validateKeyToPath. */
function validateKeyToPath(kp: KeyToPath, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if ((kp.key ?? "").length === 0) errs.push(required(path.child("key"), ""));
  if ((kp.path ?? "").length === 0) errs.push(required(path.child("path"), ""));
  append(errs, validateLocalNonReservedPath(kp.path ?? "", path.child("path")));
  if (!validFileMode(kp.mode)) errs.push(invalid(path.child("mode"), kp.mode ?? 0, fileModeErrorMsg));
  return errs;
}

function validateSecretVolumeSource(
  s: { secretName?: string; defaultMode?: number; items?: KeyToPath[] },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((s.secretName ?? "").length === 0) errs.push(required(path.child("secretName"), ""));
  if (!validFileMode(s.defaultMode))
    errs.push(invalid(path.child("defaultMode"), s.defaultMode ?? 0, fileModeErrorMsg));
  (s.items ?? []).forEach((kp, i) => {
    append(errs, validateKeyToPath(kp, path.child("items").index(i)));
  });
  return errs;
}

function validateConfigMapVolumeSource(c: ConfigMapVolumeSource, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if ((c.name ?? "").length === 0) errs.push(required(path.child("name"), ""));
  if (!validFileMode(c.defaultMode))
    errs.push(invalid(path.child("defaultMode"), c.defaultMode ?? 0, fileModeErrorMsg));
  (c.items ?? []).forEach((kp, i) => {
    append(errs, validateKeyToPath(kp, path.child("items").index(i)));
  });
  return errs;
}

/** validateNFSVolumeSource. */
export function validateNFSVolumeSource(nfs: { server?: string; path?: string }, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if ((nfs.server ?? "").length === 0) errs.push(required(path.child("server"), ""));
  if ((nfs.path ?? "").length === 0) errs.push(required(path.child("path"), ""));
  if (!(nfs.path ?? "").startsWith("/"))
    errs.push(invalid(path.child("path"), nfs.path ?? "", "must be an absolute path"));
  return errs;
}

/** net.SplitHostPort's acceptance, enough for quobyte registries. */
function splitHostPortOK(hostport: string): boolean {
  const i = hostport.lastIndexOf(":");
  if (i < 0) return false;
  if (hostport.startsWith("[")) {
    const end = hostport.indexOf("]");
    if (end < 0 || end + 1 !== i) return false;
    return !hostport.slice(end + 1).includes("[");
  }
  const host = hostport.slice(0, i);
  return (
    !host.includes(":") && !host.includes("[") && !host.includes("]") && !hostport.slice(i + 1).includes("]")
  );
}

/** validateQuobyteVolumeSource. */
export function validateQuobyteVolumeSource(
  q: { registry?: string; tenant?: string; volume?: string },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const registry = q.registry ?? "";
  if (registry.length === 0) {
    errs.push(
      required(path.child("registry"), "must be a host:port pair or multiple pairs separated by commas"),
    );
  } else if (byteLen(q.tenant ?? "") >= 65) {
    errs.push(required(path.child("tenant"), "must be a UUID and may not exceed a length of 64 characters"));
  } else {
    for (const pair of registry.split(",")) {
      if (!splitHostPortOK(pair)) {
        errs.push(
          invalid(
            path.child("registry"),
            registry,
            "must be a host:port pair or multiple pairs separated by commas",
          ),
        );
      }
    }
  }
  if ((q.volume ?? "").length === 0) errs.push(required(path.child("volume"), ""));
  return errs;
}

/** validateGlusterfsVolumeSource / validateGlusterfsPersistentVolumeSource. */
export function validateGlusterfs(
  g: { endpoints?: string; path?: string; endpointsNamespace?: string | null },
  path: Path,
  persistent: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((g.endpoints ?? "").length === 0) errs.push(required(path.child("endpoints"), ""));
  if ((g.path ?? "").length === 0) errs.push(required(path.child("path"), ""));
  if (persistent && g.endpointsNamespace != null) {
    const ns = g.endpointsNamespace;
    if (ns === "") {
      errs.push(
        invalid(
          path.child("endpointsNamespace"),
          ns,
          "if the endpointnamespace is set, it must be a valid namespace name",
        ),
      );
    } else {
      for (const msg of validateNamespaceName(ns, false))
        errs.push(invalid(path.child("endpointsNamespace"), ns, msg));
    }
  }
  return errs;
}

/** validateFlockerVolumeSource. */
export function validateFlocker(f: { datasetName?: string; datasetUUID?: string }, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = f.datasetName ?? "";
  const uuid = f.datasetUUID ?? "";
  if (name.length === 0 && uuid.length === 0) {
    errs.push(required(path, "one of datasetName and datasetUUID is required"));
  }
  if (name.length !== 0 && uuid.length !== 0) {
    errs.push(invalid(path, "resource", "datasetName and datasetUUID can not be specified simultaneously"));
  }
  if (name.includes("/")) errs.push(invalid(path.child("datasetName"), name, "must not contain '/'"));
  return errs;
}

const validVolumeDownwardAPIFieldPathExpressions = [
  "metadata.annotations",
  "metadata.labels",
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
];

export const validEnvDownwardAPIFieldPathExpressions = [
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.serviceAccountName",
  "status.hostIP",
  "status.hostIPs",
  "status.podIP",
  "status.podIPs",
];

export const validContainerResourceFieldPathExpressions = [
  "limits.cpu",
  "limits.ephemeral-storage",
  "limits.memory",
  "requests.cpu",
  "requests.ephemeral-storage",
  "requests.memory",
];

const hugepagesRequestsPrefixDownwardAPI = "requests.hugepages-";
const hugepagesLimitsPrefixDownwardAPI = "limits.hugepages-";

/** fieldpath.SplitMaybeSubscriptedPath: `metadata.labels['key']`. */
function splitMaybeSubscriptedPath(fieldPath: string): [string, string, boolean] {
  if (!fieldPath.endsWith("']")) return [fieldPath, "", false];
  const s = fieldPath.slice(0, -2);
  const i = s.indexOf("['");
  if (i < 0) return [fieldPath, "", false];
  const first = s.slice(0, i);
  if (first.length === 0) return [fieldPath, "", false];
  return [first, s.slice(i + 2), true];
}

/** podshelper.ConvertDownwardAPIFieldLabel: the internal field path, or an error message. */
function convertDownwardAPIFieldLabel(version: string, label: string): { path: string } | { error: string } {
  if (version !== "v1") return { error: `unsupported pod version: ${version}` };
  const [path, , ok] = splitMaybeSubscriptedPath(label);
  if (ok) {
    if (path === "metadata.annotations" || path === "metadata.labels") return { path: label };
    return { error: `field label does not support subscript: ${label}` };
  }
  switch (label) {
    case "metadata.annotations":
    case "metadata.labels":
    case "metadata.name":
    case "metadata.namespace":
    case "metadata.uid":
    case "spec.nodeName":
    case "spec.restartPolicy":
    case "spec.serviceAccountName":
    case "spec.schedulerName":
    case "status.phase":
    case "status.hostIP":
    case "status.hostIPs":
    case "status.podIP":
    case "status.podIPs":
      return { path: label };
    case "spec.host":
      return { path: "spec.nodeName" };
    default:
      return { error: `field label not supported: ${label}` };
  }
}

/** validateObjectFieldSelector. */
export function validateObjectFieldSelector(
  fs: ObjectFieldSelector,
  expressions: readonly string[],
  path: Path,
): FieldError[] {
  const apiVersion = fs.apiVersion ?? "";
  const fieldPath = fs.fieldPath ?? "";
  if (apiVersion.length === 0) return [required(path.child("apiVersion"), "")];
  if (fieldPath.length === 0) return [required(path.child("fieldPath"), "")];
  const converted = convertDownwardAPIFieldLabel(apiVersion, fieldPath);
  if ("error" in converted) {
    return [invalid(path.child("fieldPath"), fieldPath, `error converting fieldPath: ${converted.error}`)];
  }
  const [p, subscript, ok] = splitMaybeSubscriptedPath(converted.path);
  if (ok) {
    switch (p) {
      case "metadata.annotations":
        return validateQualifiedName(subscript.toLowerCase(), path);
      case "metadata.labels":
        return validateQualifiedName(subscript, path);
      default:
        return [invalid(path, p, "does not support subscript")];
    }
  }
  if (!expressions.includes(p)) return [notSupported(path.child("fieldPath"), p, expressions)];
  return [];
}

const cpuDivisors = new Set(["1m", "1"]);
const byteDivisors = new Set([
  "1",
  "1k",
  "1M",
  "1G",
  "1T",
  "1P",
  "1E",
  "1Ki",
  "1Mi",
  "1Gi",
  "1Ti",
  "1Pi",
  "1Ei",
]);

/** validateContainerResourceDivisor. */
function validateContainerResourceDivisor(rName: string, divisor: unknown, path: Path): FieldError[] {
  if (divisor == null) return [];
  const q = parseQ(divisor);
  if (q === null || q.isZero()) return [];
  const d = q.toString();
  const errs: FieldError[] = [];
  switch (rName) {
    case "limits.cpu":
    case "requests.cpu":
      if (!cpuDivisors.has(d)) {
        errs.push(
          invalid(
            path.child("divisor"),
            rName,
            "only divisor's values 1m and 1 are supported with the cpu resource",
          ),
        );
      }
      break;
    case "limits.memory":
    case "requests.memory":
      if (!byteDivisors.has(d)) {
        errs.push(
          invalid(
            path.child("divisor"),
            rName,
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource",
          ),
        );
      }
      break;
    case "limits.ephemeral-storage":
    case "requests.ephemeral-storage":
      if (!byteDivisors.has(d)) {
        errs.push(
          invalid(
            path.child("divisor"),
            rName,
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource",
          ),
        );
      }
      break;
  }
  if (
    rName.startsWith(hugepagesRequestsPrefixDownwardAPI) ||
    rName.startsWith(hugepagesLimitsPrefixDownwardAPI)
  ) {
    if (!byteDivisors.has(d)) {
      errs.push(
        invalid(
          path.child("divisor"),
          rName,
          "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the hugepages resource",
        ),
      );
    }
  }
  return errs;
}

/** validateContainerResourceFieldSelector. */
export function validateContainerResourceFieldSelector(
  fs: ResourceFieldSelector,
  path: Path,
  volume: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const resource = fs.resource ?? "";
  if (volume && (fs.containerName ?? "").length === 0) {
    errs.push(required(path.child("containerName"), ""));
  } else if (resource.length === 0) {
    errs.push(required(path.child("resource"), ""));
  } else if (!validContainerResourceFieldPathExpressions.includes(resource)) {
    const foundPrefix =
      resource.startsWith(hugepagesLimitsPrefixDownwardAPI) ||
      resource.startsWith(hugepagesRequestsPrefixDownwardAPI);
    if (!foundPrefix) {
      errs.push(notSupported(path.child("resource"), resource, validContainerResourceFieldPathExpressions));
    }
  }
  append(errs, validateContainerResourceDivisor(resource, fs.divisor, path));
  return errs;
}

function validateDownwardAPIVolumeFile(file: DownwardAPIVolumeFile, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if ((file.path ?? "").length === 0) errs.push(required(path.child("path"), ""));
  append(errs, validateLocalNonReservedPath(file.path ?? "", path.child("path")));
  if (file.fieldRef != null) {
    append(
      errs,
      validateObjectFieldSelector(
        file.fieldRef,
        validVolumeDownwardAPIFieldPathExpressions,
        path.child("fieldRef"),
      ),
    );
    if (file.resourceFieldRef != null) {
      errs.push(
        invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"),
      );
    }
  } else if (file.resourceFieldRef != null) {
    append(
      errs,
      validateContainerResourceFieldSelector(file.resourceFieldRef, path.child("resourceFieldRef"), true),
    );
  } else {
    errs.push(required(path, "one of fieldRef and resourceFieldRef is required"));
  }
  if (!validFileMode(file.mode)) errs.push(invalid(path.child("mode"), file.mode ?? 0, fileModeErrorMsg));
  return errs;
}

function validateDownwardAPIVolumeSource(
  d: { defaultMode?: number; items?: DownwardAPIVolumeFile[] },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (!validFileMode(d.defaultMode))
    errs.push(invalid(path.child("defaultMode"), d.defaultMode ?? 0, fileModeErrorMsg));
  for (const file of d.items ?? []) append(errs, validateDownwardAPIVolumeFile(file, path));
  return errs;
}

/** ValidateSignerName: `example.com/signer-name`. */
export function validateSignerName(path: Path, signerName: string): FieldError[] {
  const errs: FieldError[] = [];
  if (signerName.length === 0) return [required(path, "")];
  const segments = signerName.split("/");
  if (segments.length !== 2) {
    return [
      invalid(
        path,
        signerName,
        "must be a fully qualified domain and path of the form 'example.com/signer-name'",
      ),
    ];
  }
  if (byteLen(segments[0]) > 253) errs.push(tooLong(path, segments[0], 253));
  const labels = segments[0].split(".");
  for (const lbl of labels) {
    const le = validateDNS1123Label(lbl, path);
    if (le.length > 0) {
      for (const e of le) {
        errs.push(invalid(path, segments[0], `validating label ${goQuote(lbl)}: ${e.detail}`));
      }
      break;
    }
  }
  if (labels.length < 2) {
    errs.push(invalid(path, segments[0], "should be a domain with at least two segments separated by dots"));
  }
  if (byteLen(segments[1]) > 253 + 63 + 1) errs.push(tooLong(path, segments[1], 253 + 63 + 1));
  for (const msg of isDNS1123Subdomain(segments[1])) errs.push(invalid(path, segments[1], msg));
  return errs;
}

interface ClusterTrustBundleLike {
  name?: string | null;
  signerName?: string | null;
  labelSelector?: unknown;
  path?: string;
}

function validateProjectionSources(
  projection: ProjectedVolumeSource,
  path: Path,
  opts: VolumeOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const allPaths = new Set<string>();
  (projection.sources ?? []).forEach((source, i) => {
    let numSources = 0;
    const srcPath = path.child("sources").index(i);
    if (source.secret != null) {
      numSources++;
      const projPath = srcPath.child("secret");
      if ((source.secret.name ?? "").length === 0) errs.push(required(projPath.child("name"), ""));
      (source.secret.items ?? []).forEach((kp, j) => {
        append(errs, validateKeyToPath(kp, projPath.child("items").index(j)));
        if ((kp.path ?? "").length > 0) {
          if (!allPaths.has(kp.path)) allPaths.add(kp.path);
          else errs.push(invalid(path, source.secret?.name ?? "", "conflicting duplicate paths"));
        }
      });
    }
    if (source.configMap != null) {
      numSources++;
      const projPath = srcPath.child("configMap");
      if ((source.configMap.name ?? "").length === 0) errs.push(required(projPath.child("name"), ""));
      (source.configMap.items ?? []).forEach((kp, j) => {
        append(errs, validateKeyToPath(kp, projPath.child("items").index(j)));
        if ((kp.path ?? "").length > 0) {
          if (!allPaths.has(kp.path)) allPaths.add(kp.path);
          else errs.push(invalid(path, source.configMap?.name ?? "", "conflicting duplicate paths"));
        }
      });
    }
    if (source.downwardAPI != null) {
      numSources++;
      const projPath = srcPath.child("downwardAPI");
      for (const file of source.downwardAPI.items ?? []) {
        append(errs, validateDownwardAPIVolumeFile(file, projPath));
        if ((file.path ?? "").length > 0) {
          if (!allPaths.has(file.path)) allPaths.add(file.path);
          else errs.push(invalid(path, file.path, "conflicting duplicate paths"));
        }
      }
    }
    if (source.serviceAccountToken != null) {
      numSources++;
      const projPath = srcPath.child("serviceAccountToken");
      const exp = source.serviceAccountToken.expirationSeconds ?? 0;
      if (exp < 10 * 60) {
        errs.push(
          invalid(
            projPath.child("expirationSeconds"),
            exp,
            "may not specify a duration less than 10 minutes",
          ),
        );
      }
      if (exp > 2 ** 32) {
        errs.push(
          invalid(
            projPath.child("expirationSeconds"),
            exp,
            "may not specify a duration larger than 2^32 seconds",
          ),
        );
      }
      const p = source.serviceAccountToken.path ?? "";
      if (p === "") errs.push(required(path.child("path"), ""));
      else if (!opts.allowNonLocalProjectedTokenPath)
        append(errs, validateLocalNonReservedPath(p, path.child("path")));
    }
    const ctb = (source as { clusterTrustBundle?: ClusterTrustBundleLike }).clusterTrustBundle;
    if (ctb != null) {
      numSources++;
      const projPath = srcPath.child("clusterTrustBundle");
      const usingName = ctb.name != null;
      const usingSigner = ctb.signerName != null;
      if (usingName && usingSigner) {
        const ptr = (v: unknown, t: string) => (v == null ? `(${t})(nil)` : `(${t})(${goPointer})`);
        const text =
          `core.ClusterTrustBundleProjection{Name:${ptr(ctb.name, "*string")}, SignerName:${ptr(ctb.signerName, "*string")}, ` +
          `LabelSelector:${ptr(ctb.labelSelector, "*v1.LabelSelector")}, Optional:${ptr((ctb as { optional?: unknown }).optional, "*bool")}, Path:${goQuote(ctb.path ?? "")}}`;
        errs.push(invalid(projPath, new GoValue(text), "only one of name and signerName may be used"));
      } else if (usingName) {
        if (ctb.name === "") errs.push(required(projPath.child("name"), "must be a valid object name"));
        if (ctb.labelSelector != null) {
          errs.push(
            invalid(
              projPath.child("labelSelector"),
              goLabelSelector(ctb.labelSelector as Parameters<typeof goLabelSelector>[0]),
              "labelSelector must be unset if name is specified",
            ),
          );
        }
      } else if (usingSigner) {
        if (ctb.signerName === "")
          errs.push(required(projPath.child("signerName"), "must be a valid signer name"));
        append(errs, validateSignerName(projPath.child("signerName"), ctb.signerName ?? ""));
        append(
          errs,
          validateLabelSelector(
            ctb.labelSelector as Parameters<typeof validateLabelSelector>[0],
            {},
            projPath.child("labelSelector"),
          ),
        );
      } else {
        errs.push(required(projPath, "either name or signerName must be specified"));
      }
      if ((ctb.path ?? "") === "") errs.push(required(projPath.child("path"), ""));
      append(errs, validateLocalNonReservedPath(ctb.path ?? "", projPath.child("path")));
      const cur = ctb.path ?? "";
      if (!allPaths.has(cur)) allPaths.add(cur);
      else errs.push(invalid(path, cur, "conflicting duplicate paths"));
    }
    if (numSources > 1) errs.push(forbidden(srcPath, "may not specify more than 1 volume type per source"));
  });
  return errs;
}

function validateProjectedVolumeSource(
  p: ProjectedVolumeSource,
  path: Path,
  opts: VolumeOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  if (!validFileMode(p.defaultMode))
    errs.push(invalid(path.child("defaultMode"), p.defaultMode ?? 0, fileModeErrorMsg));
  append(errs, validateProjectionSources(p, path, opts));
  return errs;
}

/** validateRBDVolumeSource / validateRBDPersistentVolumeSource. */
export function validateRBD(r: { monitors?: string[]; image?: string }, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if ((r.monitors ?? []).length === 0) errs.push(required(path.child("monitors"), ""));
  if ((r.image ?? "").length === 0) errs.push(required(path.child("image"), ""));
  return errs;
}

/** validateCinderVolumeSource / validateCinderPersistentVolumeSource. */
export function validateCinder(
  c: { volumeID?: string; secretRef?: { name?: string; namespace?: string } | null },
  path: Path,
  persistent: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((c.volumeID ?? "").length === 0) errs.push(required(path.child("volumeID"), ""));
  if (c.secretRef != null) {
    if ((c.secretRef.name ?? "").length === 0) errs.push(required(path.child("secretRef", "name"), ""));
    if (persistent && (c.secretRef.namespace ?? "").length === 0) {
      errs.push(required(path.child("secretRef", "namespace"), ""));
    }
  }
  return errs;
}

/** validateCephFSVolumeSource. */
export function validateCephFS(c: { monitors?: string[] }, path: Path): FieldError[] {
  return (c.monitors ?? []).length === 0 ? [required(path.child("monitors"), "")] : [];
}

/** validateFlexVolumeSource / validateFlexPersistentVolumeSource. */
export function validateFlex(
  f: { driver?: string; options?: Record<string, string> },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((f.driver ?? "").length === 0) errs.push(required(path.child("driver"), ""));
  for (const k of Object.keys(f.options ?? {})) {
    let namespace = k;
    const slash = k.indexOf("/");
    if (slash >= 0) namespace = k.slice(0, slash);
    const normalized = `.${namespace.toLowerCase()}`;
    if (normalized.endsWith(".kubernetes.io") || normalized.endsWith(".k8s.io")) {
      errs.push(invalid(path.child("options").key(k), k, "kubernetes.io and k8s.io namespaces are reserved"));
    }
  }
  return errs;
}

/** validateAzureFile / validateAzureFilePV. */
export function validateAzureFile(
  a: { secretName?: string; shareName?: string; secretNamespace?: string | null },
  path: Path,
  persistent: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((a.secretName ?? "") === "") errs.push(required(path.child("secretName"), ""));
  if ((a.shareName ?? "") === "") errs.push(required(path.child("shareName"), ""));
  if (persistent && a.secretNamespace != null && a.secretNamespace.length === 0) {
    errs.push(required(path.child("secretNamespace"), ""));
  }
  return errs;
}

/** validateAzureDisk. */
export function validateAzureDisk(
  a: { diskName?: string; diskURI?: string; cachingMode?: string | null; kind?: string | null },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((a.diskName ?? "") === "") errs.push(required(path.child("diskName"), ""));
  const uri = a.diskURI ?? "";
  if (uri === "") errs.push(required(path.child("diskURI"), ""));
  if (a.cachingMode != null && !["None", "ReadOnly", "ReadWrite"].includes(a.cachingMode)) {
    errs.push(notSupported(path.child("cachingMode"), a.cachingMode, ["None", "ReadOnly", "ReadWrite"]));
  }
  if (a.kind != null && !["Dedicated", "Managed", "Shared"].includes(a.kind)) {
    errs.push(notSupported(path.child("kind"), a.kind, ["Dedicated", "Managed", "Shared"]));
  }
  if (a.kind != null && a.kind === "Managed" && !uri.startsWith("/subscriptions/")) {
    errs.push(
      notSupported(path.child("diskURI"), uri, [
        "/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}",
      ]),
    );
  }
  if (a.kind != null && a.kind !== "Managed" && !uri.startsWith("https://")) {
    errs.push(
      notSupported(path.child("diskURI"), uri, [
        "https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd",
      ]),
    );
  }
  return errs;
}

/** Sources whose only rule is one required field. */
export function requireField(obj: unknown, field: string, path: Path): FieldError[] {
  const v = (obj as Record<string, unknown> | null | undefined)?.[field];
  return typeof v !== "string" || v.length === 0 ? [required(path.child(field), "")] : [];
}

/** validateScaleIOVolumeSource / validateScaleIOPersistentVolumeSource. */
export function validateScaleIO(
  s: { gateway?: string; system?: string; volumeName?: string },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((s.gateway ?? "") === "") errs.push(required(path.child("gateway"), ""));
  if ((s.system ?? "") === "") errs.push(required(path.child("system"), ""));
  if ((s.volumeName ?? "") === "") errs.push(required(path.child("volumeName"), ""));
  return errs;
}

/** validateStorageOSVolumeSource / validateStorageOSPersistentVolumeSource. */
export function validateStorageOS(
  s: {
    volumeName?: string;
    volumeNamespace?: string;
    secretRef?: { name?: string; namespace?: string } | null;
  },
  path: Path,
  persistent: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = s.volumeName ?? "";
  if (name.length === 0) errs.push(required(path.child("volumeName"), ""));
  else append(errs, validateDNS1123Label(name, path.child("volumeName")));
  if ((s.volumeNamespace ?? "").length > 0) {
    append(errs, validateDNS1123Label(s.volumeNamespace ?? "", path.child("volumeNamespace")));
  }
  if (s.secretRef != null) {
    if ((s.secretRef.name ?? "").length === 0) errs.push(required(path.child("secretRef", "name"), ""));
    if (persistent && (s.secretRef.namespace ?? "").length === 0) {
      errs.push(required(path.child("secretRef", "namespace"), ""));
    }
  }
  return errs;
}

/** ValidateCSIDriverName. */
export function validateCSIDriverName(driverName: string, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (driverName.length === 0) errs.push(required(path, ""));
  if (byteLen(driverName) > 63) errs.push(tooLong(path, "", 63));
  for (const msg of isDNS1123Subdomain(driverName.toLowerCase())) errs.push(invalid(path, driverName, msg));
  return errs;
}

/** validatePVSecretReference. */
export function validatePVSecretReference(ref: SecretReference, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if ((ref.name ?? "").length === 0) errs.push(required(path.child("name"), ""));
  else append(errs, validateDNS1123Subdomain(ref.name ?? "", path.child("name")));
  if ((ref.namespace ?? "").length === 0) errs.push(required(path.child("namespace"), ""));
  else append(errs, validateDNS1123Label(ref.namespace ?? "", path.child("namespace")));
  return errs;
}

function validateCSIVolumeSource(
  csi: { driver?: string; nodePublishSecretRef?: { name?: string } | null },
  path: Path,
): FieldError[] {
  const errs = validateCSIDriverName(csi.driver ?? "", path.child("driver"));
  if (csi.nodePublishSecretRef != null) {
    const name = csi.nodePublishSecretRef.name ?? "";
    if (name.length === 0) {
      errs.push(required(path.child("nodePublishSecretRef", "name"), ""));
    } else {
      for (const msg of nameIsDNSSubdomain(name, false)) errs.push(invalid(path.child("name"), name, msg));
    }
  }
  return errs;
}

function validateEphemeralVolumeSource(
  eph: { volumeClaimTemplate?: { metadata?: ObjectMeta; spec?: unknown } | null },
  path: Path,
): FieldError[] {
  if (eph.volumeClaimTemplate == null) return [required(path.child("volumeClaimTemplate"), "")];
  const tpl = eph.volumeClaimTemplate;
  const tplPath = path.child("volumeClaimTemplate");
  const errs = validateTemplateObjectMeta(tpl.metadata, tplPath.child("metadata"));
  append(errs, validatePersistentVolumeClaimSpec((tpl.spec ?? {}) as never, tplPath.child("spec"), {}));
  return errs;
}

const supportedPullPolicies = ["Always", "IfNotPresent", "Never"];

/** validatePullPolicy. */
export function validatePullPolicy(policy: string | null | undefined, path: Path): FieldError[] {
  const p = policy ?? "";
  if (supportedPullPolicies.includes(p)) return [];
  if (p === "") return [required(path, "")];
  return [notSupported(path, p, supportedPullPolicies)];
}

/** The volume types set on a source, in upstream's checking order with their field paths. */
function validateVolumeSource(
  source: VolumeLike,
  path: Path,
  volName: string,
  podMeta: ObjectMeta | null,
  opts: VolumeOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const types = new OneOf(path, errs, "may not specify more than 1 volume type");
  const s = source;
  if (s.emptyDir != null) {
    types.count++;
    const limit = s.emptyDir.sizeLimit;
    if (limit != null) {
      const q = parseQ(limit);
      if (q && q.sign() < 0) {
        errs.push(
          forbidden(
            path.child("emptyDir").child("sizeLimit"),
            "SizeLimit field must be a valid resource quantity",
          ),
        );
      }
    }
  }
  if (s.hostPath != null && types.first("hostPath"))
    append(errs, validateHostPathVolumeSource(s.hostPath, path.child("hostPath")));
  if (s.gitRepo != null && types.first("gitRepo"))
    append(errs, validateGitRepoVolumeSource(s.gitRepo, path.child("gitRepo")));
  if (s.gcePersistentDisk != null && types.first("gcePersistentDisk"))
    append(errs, validateGCEPersistentDisk(s.gcePersistentDisk, path.child("persistentDisk")));
  if (s.awsElasticBlockStore != null && types.first("awsElasticBlockStore"))
    append(errs, validateAWSElasticBlockStore(s.awsElasticBlockStore, path.child("awsElasticBlockStore")));
  if (s.secret != null && types.first("secret"))
    append(errs, validateSecretVolumeSource(s.secret, path.child("secret")));
  if (s.nfs != null && types.first("nfs")) append(errs, validateNFSVolumeSource(s.nfs, path.child("nfs")));
  if (s.iscsi != null) {
    if (types.first("iscsi")) append(errs, validateISCSIVolumeSource(s.iscsi, path.child("iscsi")));
    if (s.iscsi.initiatorName != null && byteLen(`${volName}:${s.iscsi.targetPortal ?? ""}`) > 64) {
      errs.push(
        invalid(
          path.child("name"),
          volName,
          "Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified.",
        ),
      );
    }
  }
  if (s.glusterfs != null && types.first("glusterfs"))
    append(errs, validateGlusterfs(s.glusterfs, path.child("glusterfs"), false));
  if (s.flocker != null && types.first("flocker"))
    append(errs, validateFlocker(s.flocker, path.child("flocker")));
  if (s.persistentVolumeClaim != null && types.first("persistentVolumeClaim")) {
    if ((s.persistentVolumeClaim.claimName ?? "").length === 0)
      errs.push(required(path.child("persistentVolumeClaim").child("claimName"), ""));
  }
  if (s.rbd != null && types.first("rbd")) append(errs, validateRBD(s.rbd, path.child("rbd")));
  if (s.cinder != null && types.first("cinder"))
    append(errs, validateCinder(s.cinder, path.child("cinder"), false));
  if (s.cephfs != null && types.first("cephFS")) append(errs, validateCephFS(s.cephfs, path.child("cephfs")));
  if (s.quobyte != null && types.first("quobyte"))
    append(errs, validateQuobyteVolumeSource(s.quobyte, path.child("quobyte")));
  if (s.downwardAPI != null && types.first("downwarAPI"))
    append(errs, validateDownwardAPIVolumeSource(s.downwardAPI, path.child("downwardAPI")));
  if (s.fc != null && types.first("fc")) append(errs, validateFCVolumeSource(s.fc, path.child("fc")));
  if (s.flexVolume != null && types.first("flexVolume"))
    append(errs, validateFlex(s.flexVolume, path.child("flexVolume")));
  if (s.configMap != null && types.first("configMap"))
    append(errs, validateConfigMapVolumeSource(s.configMap, path.child("configMap")));
  if (s.azureFile != null && types.first("azureFile"))
    append(errs, validateAzureFile(s.azureFile, path.child("azureFile"), false));
  if (s.vsphereVolume != null && types.first("vsphereVolume"))
    append(errs, requireField(s.vsphereVolume, "volumePath", path.child("vsphereVolume")));
  if (s.photonPersistentDisk != null && types.first("photonPersistentDisk"))
    append(errs, requireField(s.photonPersistentDisk, "pdID", path.child("photonPersistentDisk")));
  if (s.portworxVolume != null && types.first("portworxVolume"))
    append(errs, requireField(s.portworxVolume, "volumeID", path.child("portworxVolume")));
  if (s.azureDisk != null && types.first("azureDisk"))
    append(errs, validateAzureDisk(s.azureDisk, path.child("azureDisk")));
  if (s.storageos != null && types.first("storageos"))
    append(errs, validateStorageOS(s.storageos, path.child("storageos"), false));
  if (s.projected != null && types.first("projected"))
    append(errs, validateProjectedVolumeSource(s.projected, path.child("projected"), opts));
  if (s.scaleIO != null && types.first("scaleIO"))
    append(errs, validateScaleIO(s.scaleIO, path.child("scaleIO")));
  if (s.csi != null && types.first("csi")) append(errs, validateCSIVolumeSource(s.csi, path.child("csi")));
  if (s.ephemeral != null && types.first("ephemeral")) {
    append(errs, validateEphemeralVolumeSource(s.ephemeral, path.child("ephemeral")));
    const podName = podMeta?.name ?? "";
    if (podName !== "" && volName !== "") {
      const pvcName = `${podName}-${volName}`;
      for (const msg of nameIsDNSSubdomain(pvcName, false)) {
        errs.push(invalid(path.child("name"), volName, `PVC name ${goQuote(pvcName)}: ${msg}`));
      }
    }
  }
  if (s.image != null && types.first("image")) {
    if (opts.resourceIsPod && (s.image.reference ?? "").length === 0)
      errs.push(required(path.child("image", "reference"), ""));
    append(errs, validatePullPolicy(s.image.pullPolicy, path.child("image", "pullPolicy")));
  }
  if (types.count === 0) errs.push(required(path, "must specify a volume type"));
  return errs;
}

/** ValidateVolumes: the valid volumes by name, and the errors. */
export function validateVolumes(
  volumes: readonly VolumeLike[],
  podMeta: ObjectMeta | null,
  path: Path,
  opts: VolumeOptions,
): { vols: Map<string, VolumeLike>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const allNames = new Set<string>();
  const createdPVCs = new Set<string>();
  if (podMeta != null && (podMeta.name ?? "") !== "") {
    for (const v of volumes) if (v.ephemeral != null) createdPVCs.add(`${podMeta.name}-${v.name ?? ""}`);
  }
  const vols = new Map<string, VolumeLike>();
  volumes.forEach((vol, i) => {
    const idxPath = path.index(i);
    const namePath = idxPath.child("name");
    const name = vol.name ?? "";
    const el = validateVolumeSource(vol, idxPath, name, podMeta, opts);
    if (name.length === 0) el.push(required(namePath, ""));
    else append(el, validateDNS1123Label(name, namePath));
    if (allNames.has(name)) el.push(duplicate(namePath, name));
    if (el.length === 0) {
      allNames.add(name);
      vols.set(name, vol);
    } else {
      append(errs, el);
    }
    const claim = vol.persistentVolumeClaim?.claimName;
    if (vol.persistentVolumeClaim != null && createdPVCs.has(claim ?? "")) {
      errs.push(
        invalid(
          idxPath.child("persistentVolumeClaim").child("claimName"),
          claim ?? "",
          "must not reference a PVC that gets created for an ephemeral volume",
        ),
      );
    }
  });
  return { vols, errs };
}
