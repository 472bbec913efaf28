// Namespace validation (pkg/apis/core/validation, v1.32).

import type { Namespace } from "kubernetes-types/core/v1.d.ts";
import { type FieldError, invalid, newPath, type Path } from "../../machinery/field-errors.ts";
import {
  validateFinalizerName as validateFinalizerNameGeneric,
  validateNamespaceName,
} from "../../machinery/object-meta.ts";
import { validateKubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from "./common.ts";

const metaPath = newPath("metadata");

/** validateFinalizerName: a qualified name, and a standard one when unqualified. */
function validateFinalizerName(value: string, path: Path): FieldError[] {
  return [...validateFinalizerNameGeneric(value, path), ...validateKubeFinalizerName(value, path)];
}

/** ValidateNamespace. */
export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, false, validateNamespaceName, metaPath);
  for (const f of ns.spec?.finalizers ?? [])
    errs.push(...validateFinalizerName(f, newPath("spec", "finalizers")));
  return errs;
}

/** The namespace strategy's ValidateUpdate: ValidateNamespace plus ValidateNamespaceUpdate. */
export function validateNamespaceUpdate(ns: Namespace, old: Namespace): FieldError[] {
  return [...validateNamespace(ns), ...validateObjectMetaUpdate(ns.metadata, old.metadata, metaPath)];
}

/** ValidateNamespaceStatusUpdate: the phase must follow the deletion timestamp. */
export function validateNamespaceStatusUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata, metaPath);
  const phase = ns.status?.phase ?? "";
  if (ns.metadata?.deletionTimestamp == null) {
    if (phase !== "Active") {
      errs.push(
        invalid(newPath("status", "Phase"), phase, "may only be 'Active' if `deletionTimestamp` is empty"),
      );
    }
  } else if (phase !== "Terminating") {
    errs.push(
      invalid(
        newPath("status", "Phase"),
        phase,
        "may only be 'Terminating' if `deletionTimestamp` is not empty",
      ),
    );
  }
  return errs;
}

/** ValidateNamespaceFinalizeUpdate (the /finalize subresource). */
export function validateNamespaceFinalizeUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata, metaPath);
  (ns.spec?.finalizers ?? []).forEach((f, i) => {
    errs.push(...validateFinalizerName(f, newPath("spec", "finalizers").index(i)));
  });
  return errs;
}
