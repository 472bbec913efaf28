// storage.k8s.io/v1 validation of the CSI kinds: CSIDriver, CSINode,
// VolumeAttachment and CSIStorageCapacity (pkg/apis/storage/validation,
// v1.32). StorageClass lives in small-groups.ts.
//
// Which of these the registry strategies run (pkg/registry/storage/*/strategy.go):
//   CSIDriver           create ValidateCSIDriver; update ValidateCSIDriverUpdate.
//   CSINode             create ValidateCSINode; update ValidateCSINode + ValidateCSINodeUpdate,
//                       both with AllowLongNodeID (csiNodeValidationOptions).
//   VolumeAttachment    create ValidateVolumeAttachment + ValidateVolumeAttachmentV1; update
//                       ValidateVolumeAttachment + ValidateVolumeAttachmentUpdate; the status
//                       strategy inherits that ValidateUpdate.
//   CSIStorageCapacity  create ValidateCSIStorageCapacity; update ValidateCSIStorageCapacity
//                       (invalid selector values tolerated when the old object had them) +
//                       ValidateCSIStorageCapacityUpdate.

import type {
  CSIDriver,
  CSINode,
  CSINodeDriver,
  CSIStorageCapacity,
  TokenRequest,
  VolumeAttachment,
  VolumeAttachmentSpec,
  VolumeError,
} from "kubernetes-types/storage/v1.d.ts";
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
  tooLong,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import {
  byteLen,
  FieldImmutableErrorMsg,
  type LabelSelectorValidationOptions,
  nameErrors,
  validateImmutable,
  validateLabelSelector,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from "./common.ts";
import { decodeTypeOfKind } from "./decode-check.ts";
import { semanticEqual } from "./equality.ts";
import { goLabelSelector, goPointer, goStringSliceText } from "./gofmt.ts";
import { validatePersistentVolumeSpec } from "./persistent-volume.ts";
import { parseQ, validateNonnegativeQuantity } from "./resources.ts";
import { validateCSIDriverName as validateCoreCSIDriverName } from "./volumes.ts";

const metaPath = newPath("metadata");

const maxAttachedVolumeMetadataSize = 256 * (1 << 10);
const maxVolumeErrorMessageSize = 1024;
const csiNodeIDMaxLength = 192;
const csiNodeIDLongerMaxLength = 256;

// --- VolumeAttachment --------------------------------------------------------------------

/** ValidateVolumeAttachment: the checks common to v1 and v1beta1 objects. */
export function validateVolumeAttachment(va: VolumeAttachment): FieldError[] {
  const errs = validateObjectMeta(va.metadata, false, nameIsDNSSubdomain, metaPath);
  errs.push(...validateVolumeAttachmentSpec(va.spec ?? ({} as VolumeAttachmentSpec), newPath("spec")));
  errs.push(...validateVolumeAttachmentStatus(va.status, newPath("status")));
  return errs;
}

/** ValidateVolumeAttachmentV1: the extra checks of newly created v1 attachments. */
export function validateVolumeAttachmentV1(va: VolumeAttachment): FieldError[] {
  const spec = va.spec ?? ({} as VolumeAttachmentSpec);
  const errs = validateCoreCSIDriverName(spec.attacher ?? "", newPath("spec.attacher"));
  const pvName = spec.source?.persistentVolumeName;
  if (pvName != null) {
    errs.push(...nameErrors(nameIsDNSSubdomain, pvName, newPath("spec.source.persistentVolumeName")));
  }
  return errs;
}

function validateVolumeAttachmentSpec(spec: VolumeAttachmentSpec, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const attacher = spec.attacher ?? "";
  if (attacher.length === 0) errs.push(required(path.child("attacher"), attacher));
  errs.push(...validateVolumeAttachmentSource(spec.source ?? {}, path.child("source")));
  errs.push(...nameErrors(nameIsDNSSubdomain, spec.nodeName ?? "", path.child("nodeName")));
  return errs;
}

function validateVolumeAttachmentSource(source: VolumeAttachmentSpec["source"], path: Path): FieldError[] {
  const inline = source.inlineVolumeSpec;
  const pvName = source.persistentVolumeName;
  const msg = "must specify exactly one of inlineVolumeSpec and persistentVolumeName";
  if (inline == null && pvName == null) return [required(path, msg)];
  if (inline != null && pvName != null) return [forbidden(path, msg)];
  if (inline != null) return validatePersistentVolumeSpec(inline, "", path.child("inlineVolumeSpec"), true);
  return pvName!.length === 0
    ? [required(path.child("persistentVolumeName"), "must specify non empty persistentVolumeName")]
    : [];
}

function validateVolumeAttachmentStatus(status: VolumeAttachment["status"], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(status?.attachmentMetadata ?? {})) size += byteLen(k) + byteLen(v);
  if (size > maxAttachedVolumeMetadataSize)
    errs.push(tooLong(path.child("attachmentMetadata"), "", maxAttachedVolumeMetadataSize));
  errs.push(...validateVolumeError(status?.attachError, path.child("attachError")));
  errs.push(...validateVolumeError(status?.detachError, path.child("detachError")));
  return errs;
}

function validateVolumeError(e: VolumeError | null | undefined, path: Path): FieldError[] {
  if (e == null) return [];
  // Upstream reports the metadata limit here, not the message limit it checks.
  if (byteLen(e.message ?? "") > maxVolumeErrorMessageSize)
    return [tooLong(path.child("message"), "", maxAttachedVolumeMetadataSize)];
  return [];
}

/** %#v of a storage.VolumeAttachmentSpec, pointers shown as a stand-in address. */
function goVolumeAttachmentSpec(spec: VolumeAttachmentSpec | undefined): GoValue {
  const s = spec ?? ({} as VolumeAttachmentSpec);
  const ptr = (v: unknown, t: string) => (v == null ? `(${t})(nil)` : `(${t})(${goPointer})`);
  return new GoValue(
    `storage.VolumeAttachmentSpec{Attacher:${goQuote(s.attacher ?? "")}, Source:storage.VolumeAttachmentSource{` +
      `PersistentVolumeName:${ptr(s.source?.persistentVolumeName, "*string")}, ` +
      `InlineVolumeSpec:${ptr(s.source?.inlineVolumeSpec, "*core.PersistentVolumeSpec")}}, NodeName:${goQuote(s.nodeName ?? "")}}`,
  );
}

function volumeAttachmentSpecType() {
  const t = decodeTypeOfKind("storage.k8s.io", "VolumeAttachment");
  return t?.kind === "struct" ? t.field("spec") : undefined;
}

/** ValidateVolumeAttachmentUpdate: ValidateVolumeAttachment again, and a read-only spec. */
export function validateVolumeAttachmentUpdate(va: VolumeAttachment, old: VolumeAttachment): FieldError[] {
  const errs = validateVolumeAttachment(va);
  if (!semanticEqual(old.spec, va.spec, volumeAttachmentSpecType()))
    errs.push(invalid(newPath("spec"), goVolumeAttachmentSpec(va.spec), FieldImmutableErrorMsg));
  return errs;
}

// --- CSINode -----------------------------------------------------------------------------

export interface CSINodeValidationOptions {
  allowLongNodeID: boolean;
}

/** What the v1.32 strategy passes on create and on update alike. */
export const csiNodeValidationOptions: CSINodeValidationOptions = { allowLongNodeID: true };

/** ValidateCSINode. */
export function validateCSINode(node: CSINode, opts: CSINodeValidationOptions): FieldError[] {
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain, metaPath);
  const driversPath = newPath("spec").child("drivers");
  const names = new Set<string>();
  (node.spec?.drivers ?? []).forEach((driver, i) => {
    errs.push(...validateCSINodeDriver(driver, names, driversPath.index(i), opts));
  });
  return errs;
}

function validateCSINodeDriver(
  driver: CSINodeDriver,
  names: Set<string>,
  path: Path,
  opts: CSINodeValidationOptions,
): FieldError[] {
  const name = driver.name ?? "";
  const errs = validateCoreCSIDriverName(name, path.child("name"));
  errs.push(...validateCSINodeDriverNodeID(driver.nodeID ?? "", path.child("nodeID"), opts));
  const count = driver.allocatable?.count;
  if (count != null) errs.push(...validateNonnegative(count, path.child("allocatable").child("count")));
  if (names.has(name)) errs.push(duplicate(path.child("name"), name));
  names.add(name);
  const keys = new Set<string>();
  for (const key of driver.topologyKeys ?? []) {
    if (key.length === 0) errs.push(required(path, key));
    if (keys.has(key)) errs.push(duplicate(path, key));
    keys.add(key);
    errs.push(...validateQualifiedName(key, path));
  }
  return errs;
}

function validateCSINodeDriverNodeID(
  nodeID: string,
  path: Path,
  opts: CSINodeValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  if (nodeID.length === 0) errs.push(required(path, nodeID));
  const max = opts.allowLongNodeID ? csiNodeIDLongerMaxLength : csiNodeIDMaxLength;
  if (byteLen(nodeID) > max) errs.push(invalid(path, nodeID, `must be ${max} characters or less`));
  return errs;
}

/** %#v of a storage.CSINodeDriver. */
function goCSINodeDriver(d: CSINodeDriver): GoValue {
  const alloc =
    d.allocatable == null
      ? "(*storage.VolumeNodeResources)(nil)"
      : `(*storage.VolumeNodeResources)(${goPointer})`;
  return new GoValue(
    `storage.CSINodeDriver{Name:${goQuote(d.name ?? "")}, NodeID:${goQuote(d.nodeID ?? "")}, ` +
      `TopologyKeys:${goStringSliceText(d.topologyKeys)}, Allocatable:${alloc}}`,
  );
}

/** ValidateCSINodeUpdate: ValidateCSINode again, and no change inside a driver entry that stays. */
export function validateCSINodeUpdate(
  node: CSINode,
  old: CSINode,
  opts: CSINodeValidationOptions,
): FieldError[] {
  const errs = validateCSINode(node, opts);
  for (const oldDriver of old.spec?.drivers ?? []) {
    for (const newDriver of node.spec?.drivers ?? []) {
      if ((oldDriver.name ?? "") !== (newDriver.name ?? "")) continue;
      if (!semanticEqual(oldDriver, newDriver))
        errs.push(invalid(newPath("CSINodeDriver"), goCSINodeDriver(newDriver), FieldImmutableErrorMsg));
    }
  }
  return errs;
}

// --- CSIDriver ---------------------------------------------------------------------------

const supportedFSGroupPolicies = ["File", "None", "ReadWriteOnceWithFSType"];
const supportedVolumeLifecycleModes = ["Persistent", "Ephemeral"];

/** ValidateCSIDriver. */
export function validateCSIDriver(driver: CSIDriver): FieldError[] {
  const errs = validateObjectMeta(driver.metadata, false, nameIsDNSSubdomain, metaPath);
  errs.push(...validateCSIDriverSpec(driver.spec ?? {}, newPath("spec")));
  return errs;
}

/** ValidateCSIDriverUpdate: the spec again, and attachRequired and volumeLifecycleModes immutable. */
export function validateCSIDriverUpdate(driver: CSIDriver, old: CSIDriver): FieldError[] {
  const errs = validateObjectMetaUpdate(driver.metadata, old.metadata, metaPath);
  const spec = driver.spec ?? {};
  const oldSpec = old.spec ?? {};
  errs.push(...validateCSIDriverSpec(spec, newPath("spec")));
  // Upstream's path says "attachedRequired".
  errs.push(
    ...validateImmutable(
      spec.attachRequired ?? null,
      oldSpec.attachRequired ?? null,
      newPath("spec", "attachedRequired"),
      (v) => (v == null ? null : Boolean(v)),
    ),
  );
  errs.push(
    ...validateImmutable(
      spec.volumeLifecycleModes ?? null,
      oldSpec.volumeLifecycleModes ?? null,
      newPath("spec", "volumeLifecycleModes"),
      (v) => new GoValue(goStringSliceText(v as string[] | null, "storage.VolumeLifecycleMode")),
    ),
  );
  return errs;
}

function validateCSIDriverSpec(spec: CSIDriver["spec"], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.attachRequired == null) errs.push(required(path.child("attachedRequired"), ""));
  if (spec.podInfoOnMount == null) errs.push(required(path.child("podInfoOnMount"), ""));
  if (spec.storageCapacity == null) errs.push(required(path.child("storageCapacity"), ""));
  if (spec.fsGroupPolicy != null && !supportedFSGroupPolicies.includes(spec.fsGroupPolicy))
    errs.push(notSupported(path.child("fsGroupPolicy"), spec.fsGroupPolicy, supportedFSGroupPolicies));
  errs.push(...validateTokenRequests(spec.tokenRequests ?? [], path.child("tokenRequests")));
  for (const mode of spec.volumeLifecycleModes ?? []) {
    if (!supportedVolumeLifecycleModes.includes(mode))
      errs.push(notSupported(path.child("volumeLifecycleModes"), mode, supportedVolumeLifecycleModes));
  }
  // Required while the SELinuxMountReadWriteOncePod gate is on (beta, on by default in v1.32).
  if (spec.seLinuxMount == null) errs.push(required(path.child("seLinuxMount"), ""));
  return errs;
}

/** validateTokenRequests: distinct audiences, expirations within [10m, 2^32s]. */
function validateTokenRequests(requests: readonly TokenRequest[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const audiences = new Set<string>();
  requests.forEach((tr, i) => {
    const p = path.index(i);
    const audience = tr.audience ?? "";
    if (audiences.has(audience)) {
      errs.push(duplicate(p.child("audience"), audience));
      return;
    }
    audiences.add(audience);
    const exp = tr.expirationSeconds;
    if (exp == null) return;
    if (exp < 600)
      errs.push(
        invalid(p.child("expirationSeconds"), exp, "may not specify a duration less than 10 minutes"),
      );
    if (exp > 2 ** 32)
      errs.push(
        invalid(p.child("expirationSeconds"), exp, "may not specify a duration larger than 2^32 seconds"),
      );
  });
  return errs;
}

// --- CSIStorageCapacity ------------------------------------------------------------------

export interface CSIStorageCapacityValidateOptions {
  allowInvalidLabelValueInSelector: boolean;
}

/** The update options of the strategy: tolerate selector values the stored object already had. */
export function csiStorageCapacityUpdateOptions(old: CSIStorageCapacity): CSIStorageCapacityValidateOptions {
  const bad = validateLabelSelector(old.nodeTopology, {}, newPath("nodeTopology")).length > 0;
  return { allowInvalidLabelValueInSelector: bad };
}

/** ValidateCSIStorageCapacity. */
export function validateCSIStorageCapacity(
  capacity: CSIStorageCapacity,
  opts: CSIStorageCapacityValidateOptions,
): FieldError[] {
  const errs = validateObjectMeta(capacity.metadata, true, nameIsDNSSubdomain, metaPath);
  const selectorOpts: LabelSelectorValidationOptions = {
    allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector,
  };
  errs.push(...validateLabelSelector(capacity.nodeTopology, selectorOpts, newPath("nodeTopology")));
  errs.push(...nameErrors(nameIsDNSSubdomain, capacity.storageClassName ?? "", newPath("storageClassName")));
  if (capacity.capacity != null) {
    const q = parseQ(capacity.capacity);
    if (q !== null) errs.push(...validateNonnegativeQuantity(q, newPath("capacity")));
  }
  return errs;
}

/** ValidateCSIStorageCapacityUpdate: nodeTopology and storageClassName are immutable. */
export function validateCSIStorageCapacityUpdate(
  capacity: CSIStorageCapacity,
  old: CSIStorageCapacity,
): FieldError[] {
  const errs = validateObjectMetaUpdate(capacity.metadata, old.metadata, metaPath);
  if (!semanticEqual(capacity.nodeTopology, old.nodeTopology)) {
    errs.push(
      invalid(newPath("nodeTopology"), goLabelSelector(capacity.nodeTopology), FieldImmutableErrorMsg),
    );
  }
  if ((capacity.storageClassName ?? "") !== (old.storageClassName ?? "")) {
    errs.push(invalid(newPath("storageClassName"), capacity.storageClassName ?? "", FieldImmutableErrorMsg));
  }
  return errs;
}
