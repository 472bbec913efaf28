// ValidatePersistentVolumeClaimSpec and the claim template checks that both
// PersistentVolumeClaims and ephemeral volumes use.

import type { PersistentVolumeClaimSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import {
  type FieldError,
  forbidden,
  GoValue,
  invalid,
  notSupported,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import {
  nameIsDNSSubdomain,
  validateAnnotations,
  validateNamespaceName,
} from "../../machinery/object-meta.ts";
import { isDNS1123Subdomain } from "../../machinery/validation.ts";
import { append, validateLabelSelector, validateLabelsMap } from "./common.ts";
import { isZeroValue } from "./equality.ts";
import { goPointer } from "./gofmt.ts";
import { parseQ, validatePositiveQuantityValue, validateResourceQuantityValue } from "./resources.ts";

export const supportedAccessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
export const supportedVolumeModes = ["Block", "Filesystem"];

export interface PVCSpecOptions {
  allowInvalidLabelValueInSelector?: boolean;
  allowInvalidAPIGroupInDataSourceOrRef?: boolean;
  enableVolumeAttributesClass?: boolean;
}

/** %#v of the *field.Path upstream passes as a bad value. */
function goFieldPath(name: string): GoValue {
  return new GoValue(`field.Path{name:"${name}", index:"", parent:(*field.Path)(${goPointer})}`);
}

// ObjectMeta's Go fields in declaration order with the JSON names upstream's allow-list errors use.
const objectMetaFields: Array<[json: string, lcGo: string]> = [
  ["name", "name"],
  ["generateName", "generateName"],
  ["namespace", "namespace"],
  ["selfLink", "selfLink"],
  ["uid", "uID"],
  ["resourceVersion", "resourceVersion"],
  ["generation", "generation"],
  ["creationTimestamp", "creationTimestamp"],
  ["deletionTimestamp", "deletionTimestamp"],
  ["deletionGracePeriodSeconds", "deletionGracePeriodSeconds"],
  ["labels", "labels"],
  ["annotations", "annotations"],
  ["ownerReferences", "ownerReferences"],
  ["finalizers", "finalizers"],
  ["managedFields", "managedFields"],
];

/** ValidateTemplateObjectMeta: only labels and annotations may be set. */
export function validateTemplateObjectMeta(meta: ObjectMeta | null | undefined, path: Path): FieldError[] {
  const m = (meta ?? {}) as Record<string, unknown>;
  const errs = validateAnnotations(meta?.annotations, path.child("annotations"));
  append(errs, validateLabelsMap(meta?.labels, path.child("labels")));
  for (const [json, lc] of objectMetaFields) {
    if (json === "labels" || json === "annotations") continue;
    if (!isZeroValue(m[json])) errs.push(forbidden(path.child(lc), "cannot be set"));
  }
  return errs;
}

interface DataSourceLike {
  apiGroup?: string | null;
  kind?: string;
  name?: string;
  namespace?: string | null;
}

function validateDataSource(
  ds: DataSourceLike,
  path: Path,
  allowInvalidAPIGroup: boolean,
  isRef: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  if ((ds.name ?? "").length === 0) errs.push(required(path.child("name"), ""));
  if ((ds.kind ?? "").length === 0) errs.push(required(path.child("kind"), ""));
  const apiGroup = ds.apiGroup ?? "";
  if (apiGroup.length === 0 && ds.kind !== "PersistentVolumeClaim") {
    errs.push(
      invalid(path, ds.kind ?? "", "must be 'PersistentVolumeClaim' when referencing the default apiGroup"),
    );
  }
  if (apiGroup.length > 0 && !allowInvalidAPIGroup) {
    for (const msg of isDNS1123Subdomain(apiGroup)) errs.push(invalid(path.child("apiGroup"), apiGroup, msg));
  }
  if (isRef && ds.namespace != null && ds.namespace.length > 0) {
    for (const msg of validateNamespaceName(ds.namespace, false)) {
      errs.push(invalid(path.child("namespace"), ds.namespace, msg));
    }
  }
  return errs;
}

/** ValidatePersistentVolumeClaimSpec. */
export function validatePersistentVolumeClaimSpec(
  spec: PersistentVolumeClaimSpec & { volumeAttributesClassName?: string | null },
  path: Path,
  opts: PVCSpecOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const modes = spec.accessModes ?? [];
  if (modes.length === 0)
    errs.push(required(path.child("accessModes"), "at least 1 access mode is required"));
  if (spec.selector != null) {
    append(
      errs,
      validateLabelSelector(
        spec.selector,
        { allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector },
        path.child("selector"),
      ),
    );
  }
  let rwop = false;
  let nonRwop = false;
  for (const mode of modes) {
    if (!supportedAccessModes.includes(mode))
      errs.push(notSupported(path.child("accessModes"), mode, supportedAccessModes));
    if (mode === "ReadWriteOncePod") rwop = true;
    else if (supportedAccessModes.includes(mode)) nonRwop = true;
  }
  if (rwop && nonRwop) {
    errs.push(forbidden(path.child("accessModes"), "may not use ReadWriteOncePod with other access modes"));
  }
  const requests = spec.resources?.requests ?? {};
  const storagePath = path.child("resources").key("storage");
  if (!Object.hasOwn(requests, "storage")) {
    errs.push(required(storagePath, ""));
  } else {
    const q = parseQ(requests.storage);
    if (q !== null) {
      const pos = validatePositiveQuantityValue(q, storagePath);
      if (pos.length > 0) append(errs, pos);
      else append(errs, validateResourceQuantityValue("storage", requests.storage, storagePath));
    }
  }
  if (spec.storageClassName != null && spec.storageClassName.length > 0) {
    for (const msg of nameIsDNSSubdomain(spec.storageClassName, false)) {
      errs.push(invalid(path.child("storageClassName"), spec.storageClassName, msg));
    }
  }
  if (spec.volumeMode != null && !supportedVolumeModes.includes(spec.volumeMode)) {
    errs.push(notSupported(path.child("volumeMode"), spec.volumeMode, supportedVolumeModes));
  }
  const allowBad = opts.allowInvalidAPIGroupInDataSourceOrRef ?? false;
  if (spec.dataSource != null)
    append(errs, validateDataSource(spec.dataSource, path.child("dataSource"), allowBad, false));
  if (spec.dataSourceRef != null) {
    append(errs, validateDataSource(spec.dataSourceRef, path.child("dataSourceRef"), allowBad, true));
  }
  const refNs = spec.dataSourceRef?.namespace;
  if (spec.dataSourceRef != null && refNs != null && refNs.length > 0) {
    if (spec.dataSource != null) {
      errs.push(
        invalid(
          path,
          goFieldPath("dataSource"),
          "may not be specified when dataSourceRef.namespace is specified",
        ),
      );
    }
  } else if (spec.dataSource != null && spec.dataSourceRef != null) {
    const a = spec.dataSource;
    const b = spec.dataSourceRef;
    if ((a.apiGroup ?? null) !== (b.apiGroup ?? null) || a.kind !== b.kind || a.name !== b.name) {
      errs.push(invalid(path, goFieldPath("dataSource"), "must match dataSourceRef"));
    }
  }
  const vac = spec.volumeAttributesClassName;
  if (vac != null && vac.length > 0 && opts.enableVolumeAttributesClass) {
    for (const msg of nameIsDNSSubdomain(vac, false))
      errs.push(invalid(path.child("volumeAttributesClassName"), vac, msg));
  }
  return errs;
}
