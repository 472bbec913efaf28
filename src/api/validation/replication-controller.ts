// ReplicationController validation (pkg/apis/core/validation, v1.32).

import type { ReplicationController, ReplicationControllerStatus } from "kubernetes-types/core/v1.d.ts";
import {
  type FieldError,
  forbidden,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import { validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from "./common.ts";
import { goStringMap } from "./gofmt.ts";
import {
  defaultPodValidationOptions,
  type PodValidationOptions,
  validatePodTemplateSpec,
} from "./pod-spec.ts";

const metaPath = newPath("metadata");

function selectorMatches(
  selector: Record<string, string>,
  labels: Record<string, string> | null | undefined,
): boolean {
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => Object.hasOwn(l, k) && l[k] === v);
}

/** ValidateReplicationControllerSpec. */
function validateReplicationControllerSpec(
  rc: ReplicationController,
  path: Path,
  opts: PodValidationOptions,
): FieldError[] {
  const spec = rc.spec ?? {};
  const errs = validateNonnegative(spec.minReadySeconds, path.child("minReadySeconds"));
  const selector = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(required(path.child("selector"), ""));
  errs.push(...validateNonnegative(spec.replicas, path.child("replicas")));
  const tplPath = path.child("template");
  const tpl = spec.template;
  if (tpl == null) {
    errs.push(required(tplPath, ""));
    return errs;
  }
  if (Object.keys(selector).length > 0 && !selectorMatches(selector, tpl.metadata?.labels)) {
    errs.push(
      invalid(
        tplPath.child("metadata", "labels"),
        goStringMap(tpl.metadata?.labels),
        "`selector` does not match template `labels`",
      ),
    );
  }
  errs.push(...validatePodTemplateSpec(tpl, tplPath, opts));
  const restartPolicy = tpl.spec?.restartPolicy ?? "";
  if (restartPolicy !== "Always")
    errs.push(notSupported(tplPath.child("spec", "restartPolicy"), restartPolicy, ["Always"]));
  if (tpl.spec?.activeDeadlineSeconds != null) {
    errs.push(
      forbidden(
        tplPath.child("spec", "activeDeadlineSeconds"),
        "activeDeadlineSeconds in ReplicationController is not Supported",
      ),
    );
  }
  return errs;
}

/** ValidateReplicationController. */
export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const errs = validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain, metaPath);
  errs.push(...validateReplicationControllerSpec(rc, newPath("spec"), defaultPodValidationOptions()));
  return errs;
}

/** The RC strategy's ValidateUpdate: ValidateReplicationController plus ValidateReplicationControllerUpdate. */
export function validateReplicationControllerUpdate(
  rc: ReplicationController,
  old: ReplicationController,
): FieldError[] {
  const opts = defaultPodValidationOptions();
  const errs = validateReplicationController(rc);
  errs.push(...validateObjectMetaUpdate(rc.metadata, old.metadata, metaPath));
  errs.push(...validateReplicationControllerSpec(rc, newPath("spec"), opts));
  return errs;
}

/** ValidateReplicationControllerStatus (shared with ReplicaSets). */
export function validateReplicaCountsStatus(
  status: ReplicationControllerStatus | undefined,
  path: Path,
): FieldError[] {
  const s = status ?? { replicas: 0 };
  const errs = validateNonnegative(s.replicas, path.child("replicas"));
  errs.push(...validateNonnegative(s.fullyLabeledReplicas, path.child("fullyLabeledReplicas")));
  errs.push(...validateNonnegative(s.readyReplicas, path.child("readyReplicas")));
  errs.push(...validateNonnegative(s.availableReplicas, path.child("availableReplicas")));
  errs.push(...validateNonnegative(s.observedGeneration, path.child("observedGeneration")));
  const msg = "cannot be greater than status.replicas";
  const replicas = s.replicas ?? 0;
  if ((s.fullyLabeledReplicas ?? 0) > replicas)
    errs.push(invalid(path.child("fullyLabeledReplicas"), s.fullyLabeledReplicas ?? 0, msg));
  if ((s.readyReplicas ?? 0) > replicas)
    errs.push(invalid(path.child("readyReplicas"), s.readyReplicas ?? 0, msg));
  if ((s.availableReplicas ?? 0) > replicas)
    errs.push(invalid(path.child("availableReplicas"), s.availableReplicas ?? 0, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(
      invalid(
        path.child("availableReplicas"),
        s.availableReplicas ?? 0,
        "cannot be greater than readyReplicas",
      ),
    );
  }
  return errs;
}

/** ValidateReplicationControllerStatusUpdate. */
export function validateReplicationControllerStatusUpdate(
  rc: ReplicationController,
  old: ReplicationController,
): FieldError[] {
  const errs = validateObjectMetaUpdate(rc.metadata, old.metadata, metaPath);
  errs.push(...validateReplicaCountsStatus(rc.status, newPath("status")));
  return errs;
}
