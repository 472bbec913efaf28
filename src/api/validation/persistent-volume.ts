// PersistentVolume and PersistentVolumeClaim validation
// (pkg/apis/core/validation, v1.32).

import type {
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeSpec,
} from "kubernetes-types/core/v1.d.ts";
import {
  type FieldError,
  forbidden,
  GoValue,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import { isQualifiedName } from "../../machinery/validation.ts";
import { validateNodeSelector } from "./affinity.ts";
import {
  FieldImmutableErrorMsg,
  validateImmutable,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "./common.ts";
import { decodeTypeOfKind } from "./decode-check.ts";
import { specDiff } from "./diff.ts";
import { semanticEqual } from "./equality.ts";
import { goApproxStruct, goQuantityText } from "./gofmt.ts";
import { supportedAccessModes, supportedVolumeModes, validatePersistentVolumeClaimSpec } from "./pvc-spec.ts";
import {
  isNativeResource,
  parseQ,
  validateBasicResource,
  validatePositiveQuantityValue,
  validateResourceQuantityValue,
} from "./resources.ts";
import {
  requireField,
  validateAWSElasticBlockStore,
  validateAzureDisk,
  validateAzureFile,
  validateCephFS,
  validateCinder,
  validateCSIDriverName,
  validateFCVolumeSource,
  validateFlex,
  validateFlocker,
  validateGCEPersistentDisk,
  validateGlusterfs,
  validateHostPathVolumeSource,
  validateISCSIPersistentVolumeSource,
  validateNFSVolumeSource,
  validatePathNoBacksteps,
  validatePVSecretReference,
  validateQuobyteVolumeSource,
  validateRBD,
  validateScaleIO,
  validateStorageOS,
} from "./volumes.ts";

const metaPath = newPath("metadata");
const specPath = newPath("spec");
const supportedReclaimPolicies = ["Delete", "Recycle", "Retain"];

// The PersistentVolumeSource fields, which are immutable after creation.
const pvSourceFields = [
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "hostPath",
  "glusterfs",
  "nfs",
  "rbd",
  "iscsi",
  "cinder",
  "cephfs",
  "fc",
  "flocker",
  "flexVolume",
  "azureFile",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "portworxVolume",
  "scaleIO",
  "local",
  "storageos",
  "csi",
];

type PVSpec = PersistentVolumeSpec & { volumeAttributesClassName?: string | null };

function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return `${p.startsWith("/") ? "/" : ""}${parts.join("/")}` || ".";
}

/** A PersistentVolume's capacity: storage and nothing else, a positive quantity. */
function validateCapacity(capacity: PVSpec["capacity"], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const capKeys = Object.keys(capacity ?? {});
  if (capKeys.length === 0) errs.push(required(path, ""));
  if (!Object.hasOwn(capacity ?? {}, "storage") || capKeys.length > 1) {
    errs.push(notSupported(path, new GoValue(goResourceList(capacity)), ["storage"]));
  }
  for (const [r, q] of Object.entries(capacity ?? {})) {
    errs.push(...validateBasicResource(q, path.key(r)));
    const parsed = parseQ(q);
    if (parsed) errs.push(...validatePositiveQuantityValue(parsed, path.key(r)));
  }
  return errs;
}

/**
 * ValidatePersistentVolumeSpec, of a PersistentVolume or, `inline`, of a VolumeAttachment's inline spec:
 * a CSI source, and no claimRef or capacity (so none of the capacity rules).
 */
export function validatePersistentVolumeSpec(
  spec: PVSpec,
  pvName: string,
  path: Path,
  inline = false,
): FieldError[] {
  const errs: FieldError[] = [];
  if (inline) {
    const context = "in the context of inline volumes";
    if (spec.claimRef != null)
      errs.push(forbidden(path.child("claimRef"), `may not be specified ${context}`));
    if (Object.keys(spec.capacity ?? {}).length !== 0)
      errs.push(forbidden(path.child("capacity"), `may not be specified ${context}`));
    if (spec.csi == null) errs.push(required(path.child("csi"), `has to be specified ${context}`));
  }
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) errs.push(required(path.child("accessModes"), ""));
  let rwop = false;
  let other = false;
  for (const mode of modes) {
    if (!supportedAccessModes.includes(mode))
      errs.push(notSupported(path.child("accessModes"), mode, supportedAccessModes));
    if (mode === "ReadWriteOncePod") rwop = true;
    else if (supportedAccessModes.includes(mode)) other = true;
  }
  if (rwop && other)
    errs.push(forbidden(path.child("accessModes"), "may not use ReadWriteOncePod with other access modes"));
  if (!inline) errs.push(...validateCapacity(spec.capacity, path.child("capacity")));
  const policy = spec.persistentVolumeReclaimPolicy ?? "";
  if (policy.length > 0 && !supportedReclaimPolicies.includes(policy)) {
    errs.push(notSupported(path.child("persistentVolumeReclaimPolicy"), policy, supportedReclaimPolicies));
  }
  let nodeAffinitySpecified = false;
  if (spec.nodeAffinity != null) {
    nodeAffinitySpecified = true;
    const p = path.child("nodeAffinity");
    if (spec.nodeAffinity.required != null)
      errs.push(...validateNodeSelector(spec.nodeAffinity.required, false, p.child("required")));
    else errs.push(required(p.child("required"), "must specify required node constraints"));
  }
  let numVolumes = 0;
  const one = (present: boolean, name: string, check: () => FieldError[]) => {
    if (!present) return;
    if (numVolumes > 0) {
      errs.push(forbidden(path.child(name), "may not specify more than 1 volume type"));
    } else {
      numVolumes++;
      errs.push(...check());
    }
  };
  const s = spec;
  one(s.hostPath != null, "hostPath", () =>
    validateHostPathVolumeSource(s.hostPath!, path.child("hostPath")),
  );
  one(s.gcePersistentDisk != null, "gcePersistentDisk", () =>
    validateGCEPersistentDisk(s.gcePersistentDisk!, path.child("persistentDisk")),
  );
  one(s.awsElasticBlockStore != null, "awsElasticBlockStore", () =>
    validateAWSElasticBlockStore(s.awsElasticBlockStore!, path.child("awsElasticBlockStore")),
  );
  one(s.glusterfs != null, "glusterfs", () => validateGlusterfs(s.glusterfs!, path.child("glusterfs"), true));
  one(s.flocker != null, "flocker", () => validateFlocker(s.flocker!, path.child("flocker")));
  one(s.nfs != null, "nfs", () => validateNFSVolumeSource(s.nfs!, path.child("nfs")));
  one(s.rbd != null, "rbd", () => validateRBD(s.rbd!, path.child("rbd")));
  one(s.quobyte != null, "quobyte", () => validateQuobyteVolumeSource(s.quobyte!, path.child("quobyte")));
  one(s.cephfs != null, "cephFS", () => validateCephFS(s.cephfs!, path.child("cephfs")));
  one(s.iscsi != null, "iscsi", () =>
    validateISCSIPersistentVolumeSource(s.iscsi!, pvName, path.child("iscsi")),
  );
  one(s.cinder != null, "cinder", () => validateCinder(s.cinder!, path.child("cinder"), true));
  one(s.fc != null, "fc", () => validateFCVolumeSource(s.fc!, path.child("fc")));
  if (s.flexVolume != null) {
    numVolumes++;
    errs.push(...validateFlex(s.flexVolume, path.child("flexVolume")));
  }
  one(s.azureFile != null, "azureFile", () => validateAzureFile(s.azureFile!, path.child("azureFile"), true));
  one(s.vsphereVolume != null, "vsphereVolume", () =>
    requireField(s.vsphereVolume, "volumePath", path.child("vsphereVolume")),
  );
  one(s.photonPersistentDisk != null, "photonPersistentDisk", () =>
    requireField(s.photonPersistentDisk, "pdID", path.child("photonPersistentDisk")),
  );
  one(s.portworxVolume != null, "portworxVolume", () =>
    requireField(s.portworxVolume, "volumeID", path.child("portworxVolume")),
  );
  one(s.azureDisk != null, "azureDisk", () => validateAzureDisk(s.azureDisk!, path.child("azureDisk")));
  one(s.scaleIO != null, "scaleIO", () => validateScaleIO(s.scaleIO!, path.child("scaleIO")));
  one(s.local != null, "local", () => {
    const e: FieldError[] = [];
    const p = s.local?.path ?? "";
    if (p === "") e.push(required(path.child("local").child("path"), ""));
    else e.push(...validatePathNoBacksteps(p, path.child("local").child("path")));
    if (!nodeAffinitySpecified)
      e.push(required(path.child("nodeAffinity"), "Local volume requires node affinity"));
    return e;
  });
  one(s.storageos != null, "storageos", () => validateStorageOS(s.storageos!, path.child("storageos"), true));
  one(s.csi != null, "csi", () => {
    const csi = s.csi!;
    const p = path.child("csi");
    const e = validateCSIDriverName(csi.driver ?? "", p.child("driver"));
    if ((csi.volumeHandle ?? "").length === 0) e.push(required(p.child("volumeHandle"), ""));
    for (const ref of [
      "controllerPublishSecretRef",
      "controllerExpandSecretRef",
      "nodePublishSecretRef",
      "nodeExpandSecretRef",
    ] as const) {
      const v = (csi as unknown as Record<string, unknown>)[ref];
      if (v != null) e.push(...validatePVSecretReference(v as never, p.child(ref)));
    }
    return e;
  });
  if (numVolumes === 0) errs.push(required(path, "must specify a volume type"));
  if (s.hostPath != null && cleanPath(s.hostPath.path ?? "") === "/" && policy === "Recycle") {
    errs.push(
      forbidden(
        path.child("persistentVolumeReclaimPolicy"),
        "may not be 'recycle' for a hostPath mount of '/'",
      ),
    );
  }
  const sc = spec.storageClassName ?? "";
  if (sc.length > 0)
    for (const msg of nameIsDNSSubdomain(sc, false))
      errs.push(invalid(path.child("storageClassName"), sc, msg));
  if (spec.volumeMode != null && !supportedVolumeModes.includes(spec.volumeMode)) {
    errs.push(notSupported(path.child("volumeMode"), spec.volumeMode, supportedVolumeModes));
  }
  return errs;
}

function goResourceList(list: Record<string, unknown> | null | undefined): string {
  if (list == null) return "core.ResourceList(nil)";
  const keys = Object.keys(list).sort();
  return `core.ResourceList{${keys.map((k) => `"${k}":${goQuantityText(list[k] as string)}`).join(", ")}}`;
}

/** ValidatePersistentVolume. */
export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  const errs = validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain, metaPath);
  errs.push(...validatePersistentVolumeSpec((pv.spec ?? {}) as PVSpec, pv.metadata?.name ?? "", specPath));
  return errs;
}

function pvSource(spec: PVSpec | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const s = (spec ?? {}) as Record<string, unknown>;
  for (const f of pvSourceFields) if (s[f] != null) out[f] = s[f];
  return out;
}

/** ValidatePersistentVolumeUpdate. */
export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = validatePersistentVolume(pv);
  const newSpec = (pv.spec ?? {}) as PVSpec;
  const oldSpec = (old.spec ?? {}) as PVSpec;
  const newSource = pvSource(newSpec);
  const oldSource = pvSource(oldSpec);
  // A controllerExpandSecretRef may be added to a CSI volume that had none.
  if (
    oldSpec.csi != null &&
    oldSpec.csi.controllerExpandSecretRef == null &&
    newSpec.csi?.controllerExpandSecretRef != null
  ) {
    newSource.csi = { ...newSpec.csi, controllerExpandSecretRef: undefined };
  }
  if (!semanticEqual(newSource, oldSource)) {
    const diff = specDiff("core.PersistentVolumeSource", oldSource, newSource);
    errs.push(
      forbidden(
        newPath("spec", "persistentvolumesource"),
        `spec.persistentvolumesource is immutable after creation\n${diff}`,
      ),
    );
  }
  errs.push(
    ...validateImmutable(
      newSpec.volumeMode ?? null,
      oldSpec.volumeMode ?? null,
      newPath("volumeMode"),
      (v) => (v == null ? null : String(v)),
    ),
  );
  if (oldSpec.nodeAffinity != null && !semanticEqual(newSpec.nodeAffinity, oldSpec.nodeAffinity)) {
    errs.push(
      invalid(
        newPath("nodeAffinity"),
        goApproxStruct("core.VolumeNodeAffinity", newSpec.nodeAffinity),
        `${FieldImmutableErrorMsg}, except for updating from beta label to GA`,
      ),
    );
  }
  if (!semanticEqual(oldSpec.volumeAttributesClassName, newSpec.volumeAttributesClassName)) {
    errs.push(
      forbidden(
        newPath("spec", "volumeAttributesClassName"),
        "update is forbidden when the VolumeAttributesClass feature gate is disabled",
      ),
    );
  }
  return errs;
}

/** ValidatePersistentVolumeStatusUpdate. */
export function validatePersistentVolumeStatusUpdate(
  pv: PersistentVolume,
  old: PersistentVolume,
): FieldError[] {
  const errs = validateObjectMetaUpdate(pv.metadata, old.metadata, metaPath);
  if ((pv.metadata?.resourceVersion ?? "").length === 0) errs.push(required(newPath("resourceVersion"), ""));
  return errs;
}

// --- claims -----------------------------------------------------------------------

const betaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

function pvcSpecType() {
  const t = decodeTypeOfKind("", "PersistentVolumeClaim");
  return t?.kind === "struct" ? t.field("spec") : undefined;
}

type PVCSpec = NonNullable<PersistentVolumeClaim["spec"]> & { volumeAttributesClassName?: string | null };

function pvcOptions(old: PersistentVolumeClaim | null) {
  const opts = { allowInvalidAPIGroupInDataSourceOrRef: false, allowInvalidLabelValueInSelector: false };
  if (old == null) return opts;
  const s = old.spec ?? {};
  if (s.dataSource?.apiGroup != null || s.dataSourceRef?.apiGroup != null)
    opts.allowInvalidAPIGroupInDataSourceOrRef = true;
  return opts;
}

/** ValidatePersistentVolumeClaim. */
export function validatePersistentVolumeClaim(
  pvc: PersistentVolumeClaim,
  old: PersistentVolumeClaim | null = null,
): FieldError[] {
  const errs = validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain, metaPath);
  errs.push(...validatePersistentVolumeClaimSpec((pvc.spec ?? {}) as PVCSpec, specPath, pvcOptions(old)));
  return errs;
}

/** ValidatePersistentVolumeClaimUpdate. */
export function validatePersistentVolumeClaimUpdate(
  pvc: PersistentVolumeClaim,
  old: PersistentVolumeClaim,
): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata, metaPath);
  errs.push(...validatePersistentVolumeClaim(pvc, old));
  const newClone = structuredClone(pvc.spec ?? {}) as PVCSpec;
  const oldClone = structuredClone(old.spec ?? {}) as PVCSpec;
  const newAnn = pvc.metadata?.annotations ?? {};
  const oldAnn = old.metadata?.annotations ?? {};
  // The PV controller may set volumeName once.
  if ((old.spec?.volumeName ?? "").length === 0) oldClone.volumeName = newClone.volumeName;
  const upgradeFromAnnotation =
    Object.hasOwn(oldAnn, betaStorageClassAnnotation) &&
    oldClone.storageClassName == null &&
    newClone.storageClassName != null &&
    newClone.storageClassName === oldAnn[betaStorageClassAnnotation] &&
    (!Object.hasOwn(newAnn, betaStorageClassAnnotation) ||
      newAnn[betaStorageClassAnnotation] === oldAnn[betaStorageClassAnnotation]);
  if (upgradeFromAnnotation) {
    newClone.storageClassName = undefined;
  } else {
    const a = newAnn[betaStorageClassAnnotation] ?? "";
    const b = oldAnn[betaStorageClassAnnotation] ?? "";
    if (a !== b)
      errs.push(
        invalid(metaPath.child("annotations", betaStorageClassAnnotation), a, FieldImmutableErrorMsg),
      );
    const newSC = pvc.spec?.storageClassName;
    const oldSC = old.spec?.storageClassName;
    if (
      newSC != null &&
      oldSC == null &&
      (!Object.hasOwn(oldAnn, betaStorageClassAnnotation) || newSC === oldAnn[betaStorageClassAnnotation])
    ) {
      newClone.storageClassName = oldClone.storageClassName;
    }
  }
  const bound = pvc.status?.phase === "Bound";
  if (bound && newClone.resources?.requests != null) {
    newClone.resources.requests.storage = old.spec?.resources?.requests?.storage as string;
  }
  if (bound && newClone.volumeAttributesClassName != null)
    newClone.volumeAttributesClassName = oldClone.volumeAttributesClassName;
  if (!semanticEqual(newClone, oldClone, pvcSpecType())) {
    const diff = specDiff(
      "core.PersistentVolumeClaimSpec",
      oldClone as Record<string, unknown>,
      newClone as Record<string, unknown>,
    );
    errs.push(
      forbidden(
        specPath,
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${diff}`,
      ),
    );
  }
  const oldSize = parseQ(old.spec?.resources?.requests?.storage ?? "0");
  const newSize = parseQ(pvc.spec?.resources?.requests?.storage ?? "0");
  const statusSize = parseQ(old.status?.capacity?.storage ?? "0");
  if (oldSize && newSize && newSize.cmp(oldSize) < 0) {
    // RecoverVolumeExpansionFailure (beta in v1.32) allows shrinking back down to above the actual capacity.
    if (statusSize && newSize.cmp(statusSize) <= 0) {
      errs.push(
        forbidden(
          newPath("spec", "resources", "requests", "storage"),
          "field can not be less than status.capacity",
        ),
      );
    }
  }
  errs.push(
    ...validateImmutable(
      pvc.spec?.volumeMode ?? null,
      old.spec?.volumeMode ?? null,
      newPath("volumeMode"),
      (v) => (v == null ? null : String(v)),
    ),
  );
  const nv = (pvc.spec as PVCSpec | undefined)?.volumeAttributesClassName;
  const ov = (old.spec as PVCSpec | undefined)?.volumeAttributesClassName;
  if (!semanticEqual(nv, ov)) {
    errs.push(
      forbidden(
        newPath("spec", "volumeAttributesClassName"),
        "update is forbidden when the VolumeAttributesClass feature gate is disabled",
      ),
    );
  }
  return errs;
}

const resizeStatuses = [
  "ControllerResizeInProgress",
  "ControllerResizeInfeasible",
  "NodeResizeInProgress",
  "NodeResizeInfeasible",
  "NodeResizePending",
];

function validatePVCResourceKey(value: string, path: Path): FieldError[] {
  const errs = isQualifiedName(value).map((msg) => invalid(path, value, msg));
  if (errs.length !== 0) return errs;
  if (isNativeResource(value) && value !== "storage") return [notSupported(path, value, ["storage"])];
  return errs;
}

/** ValidatePersistentVolumeClaimStatusUpdate. */
export function validatePersistentVolumeClaimStatusUpdate(
  pvc: PersistentVolumeClaim,
  old: PersistentVolumeClaim,
): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata, metaPath);
  if ((pvc.metadata?.resourceVersion ?? "").length === 0) errs.push(required(newPath("resourceVersion"), ""));
  if ((pvc.spec?.accessModes ?? []).length === 0) errs.push(required(newPath("Spec", "accessModes"), ""));
  for (const [r, q] of Object.entries(pvc.status?.capacity ?? {})) {
    errs.push(...validateBasicResource(q, newPath("status", "capacity").key(r)));
  }
  const status = pvc.status as
    | (PersistentVolumeClaim["status"] & { allocatedResourceStatuses?: Record<string, string> })
    | undefined;
  const resizePath = newPath("status", "allocatedResourceStatus");
  for (const [k, v] of Object.entries(status?.allocatedResourceStatuses ?? {})) {
    errs.push(...validatePVCResourceKey(k, resizePath));
    if (!resizeStatuses.includes(v)) errs.push(notSupported(resizePath, k, resizeStatuses));
  }
  const allocPath = newPath("status", "allocatedResources");
  for (const [r, q] of Object.entries(status?.allocatedResources ?? {})) {
    const keyErrs = validatePVCResourceKey(r, allocPath);
    if (keyErrs.length > 0) {
      errs.push(...keyErrs);
      continue;
    }
    const basic = validateBasicResource(q, allocPath.key(r));
    if (basic.length > 0) errs.push(...basic);
    else errs.push(...validateResourceQuantityValue("storage", q, allocPath.key(r)));
  }
  return errs;
}
