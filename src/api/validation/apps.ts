// apps/v1 validation: Deployment, ReplicaSet, StatefulSet, DaemonSet and
// ControllerRevision (pkg/apis/apps/validation, v1.32), plus the apps/v1
// strategies' rule that the selector of a Deployment, ReplicaSet or
// DaemonSet may not change on update.

import type {
  ControllerRevision,
  DaemonSet,
  DaemonSetSpec,
  Deployment,
  DeploymentSpec,
  ReplicaSet,
  ReplicaSetSpec,
  StatefulSet,
  StatefulSetSpec,
} from "kubernetes-types/apps/v1.d.ts";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.d.ts";
import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";
import {
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
import { type IntOrString, intValue } from "../../machinery/intstr.ts";
import { nameIsDNSLabel, nameIsDNSSubdomain, validateAnnotations } from "../../machinery/object-meta.ts";
import { isValidPercent } from "../../machinery/validation.ts";
import {
  isNegativeErrorMsg,
  labelSelectorEmpty,
  labelSelectorMatches,
  labelSelectorParses,
  validateImmutable,
  validateLabelSelector,
  validateLabelsMap,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "./common.ts";
import { decodeTypeOfKind } from "./decode-check.ts";
import { semanticEqual } from "./equality.ts";
import { goApproxStruct, goIntOrString, goLabelSelector, goPointer, goStringMap } from "./gofmt.ts";
import {
  defaultPodValidationOptions,
  normalizePodSpec,
  type PodValidationOptions,
  validatePodSpecificAnnotations,
  validatePodTemplateSpec,
} from "./pod-spec.ts";

const metaPath = newPath("metadata");
const specPath = newPath("spec");

// --- int-or-percent ------------------------------------------------------------------

/** ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(v: IntOrString | null | undefined, path: Path): FieldError[] {
  if (typeof v === "string") return isValidPercent(v).map((msg) => invalid(path, goIntOrString(v), msg));
  const n = typeof v === "number" ? v : 0;
  return n < 0 ? [invalid(path, n, isNegativeErrorMsg)] : [];
}

function getPercentValue(v: IntOrString | null | undefined): number | null {
  if (typeof v !== "string" || isValidPercent(v).length !== 0) return null;
  return Number.parseInt(v.slice(0, -1), 10);
}

function getIntOrPercentValue(v: IntOrString | null | undefined): number {
  const p = getPercentValue(v);
  if (p !== null) return p;
  return v == null ? 0 : intValue(v);
}

/** IsNotMoreThan100Percent. */
export function isNotMoreThan100Percent(v: IntOrString | null | undefined, path: Path): FieldError[] {
  const p = getPercentValue(v);
  if (p === null || p <= 100) return [];
  return [invalid(path, goIntOrString(v), "must not be greater than 100%")];
}

// --- shared pieces ------------------------------------------------------------------

function selectorErrors(sel: LabelSelector | null | undefined, path: Path, kind: string): FieldError[] {
  if (sel == null) return [required(path, "")];
  const errs = validateLabelSelector(sel, {}, path);
  if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0) {
    errs.push(invalid(path, goLabelSelector(sel), `empty selector is invalid for ${kind}`));
  }
  return errs;
}

function templateLabelsMismatch(
  sel: LabelSelector | null | undefined,
  tpl: PodTemplateSpec | undefined,
  path: Path,
): FieldError[] {
  // A nil selector selects nothing, so even empty labels do not match it.
  if (labelSelectorEmpty(sel)) return [];
  const labels = tpl?.metadata?.labels;
  if (labelSelectorMatches(sel, labels)) return [];
  return [
    invalid(
      path.child("metadata", "labels"),
      goStringMap(labels),
      "`selector` does not match template `labels`",
    ),
  ];
}

/** ValidatePodTemplateSpecForReplicaSet (Deployments use it too). */
function validatePodTemplateSpecForReplicaSet(
  tpl: PodTemplateSpec | undefined,
  sel: LabelSelector | null | undefined,
  path: Path,
  opts: PodValidationOptions,
): FieldError[] {
  const errs = templateLabelsMismatch(sel, tpl, path);
  errs.push(...validatePodTemplateSpec(tpl, path, opts));
  const restartPolicy = tpl?.spec?.restartPolicy ?? "";
  if (restartPolicy !== "Always")
    errs.push(notSupported(path.child("spec", "restartPolicy"), restartPolicy, ["Always"]));
  if (tpl?.spec?.activeDeadlineSeconds != null) {
    errs.push(
      forbidden(
        path.child("spec", "activeDeadlineSeconds"),
        "activeDeadlineSeconds in ReplicaSet is not Supported",
      ),
    );
  }
  return errs;
}

function selectorImmutable(
  newSel: LabelSelector | null | undefined,
  oldSel: LabelSelector | null | undefined,
): FieldError[] {
  return validateImmutable(newSel, oldSel, specPath.child("selector"), (v) =>
    goLabelSelector(v as LabelSelector),
  );
}

function collisionCountDecremented(n: number | null | undefined, o: number | null | undefined): FieldError[] {
  const decremented = (n == null && o != null) || (n != null && o != null && n < o);
  return decremented
    ? [invalid(newPath("status").child("collisionCount"), n ?? 0, "cannot be decremented")]
    : [];
}

function podOptions(): PodValidationOptions {
  return defaultPodValidationOptions();
}

// --- Deployment ----------------------------------------------------------------------

function validateDeploymentStrategy(spec: DeploymentSpec, path: Path): FieldError[] {
  const strategy = spec.strategy ?? {};
  const errs: FieldError[] = [];
  switch (strategy.type) {
    case "Recreate":
      if (strategy.rollingUpdate != null) {
        errs.push(
          forbidden(path.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"),
        );
      }
      break;
    case "RollingUpdate": {
      const ru = strategy.rollingUpdate;
      if (ru == null) {
        errs.push(required(path.child("rollingUpdate"), "this should be defaulted and never be nil"));
        break;
      }
      const p = path.child("rollingUpdate");
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p.child("maxUnavailable")));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, p.child("maxSurge")));
      if (getIntOrPercentValue(ru.maxUnavailable) === 0 && getIntOrPercentValue(ru.maxSurge) === 0) {
        errs.push(
          invalid(
            p.child("maxUnavailable"),
            goIntOrString(ru.maxUnavailable ?? 0),
            "may not be 0 when `maxSurge` is 0",
          ),
        );
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, p.child("maxUnavailable")));
      break;
    }
    default: {
      const ru =
        strategy.rollingUpdate == null
          ? "(*apps.RollingUpdateDeployment)(nil)"
          : `(*apps.RollingUpdateDeployment)(${goPointer})`;
      errs.push(
        notSupported(
          path,
          new GoValue(`apps.DeploymentStrategy{Type:${goQuote(strategy.type ?? "")}, RollingUpdate:${ru}}`),
          ["Recreate", "RollingUpdate"],
        ),
      );
    }
  }
  return errs;
}

/** ValidateDeploymentSpec. */
function validateDeploymentSpec(spec: DeploymentSpec, path: Path, opts: PodValidationOptions): FieldError[] {
  const errs = validateNonnegative(spec.replicas, path.child("replicas"));
  errs.push(...selectorErrors(spec.selector, path.child("selector"), "deployment"));
  if (!labelSelectorParses(spec.selector)) {
    errs.push(invalid(path.child("selector"), goLabelSelector(spec.selector), "invalid label selector"));
  } else {
    errs.push(
      ...validatePodTemplateSpecForReplicaSet(spec.template, spec.selector, path.child("template"), opts),
    );
  }
  errs.push(...validateDeploymentStrategy(spec, path.child("strategy")));
  errs.push(...validateNonnegative(spec.minReadySeconds, path.child("minReadySeconds")));
  if (spec.revisionHistoryLimit != null)
    errs.push(...validateNonnegative(spec.revisionHistoryLimit, path.child("revisionHistoryLimit")));
  if (spec.progressDeadlineSeconds != null) {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, path.child("progressDeadlineSeconds")));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(
        invalid(
          path.child("progressDeadlineSeconds"),
          spec.progressDeadlineSeconds,
          "must be greater than minReadySeconds",
        ),
      );
    }
  }
  return errs;
}

/** ValidateDeployment. */
export function validateDeployment(d: Deployment): FieldError[] {
  const errs = validateObjectMeta(d.metadata, true, nameIsDNSSubdomain, metaPath);
  errs.push(...validateDeploymentSpec(d.spec ?? ({} as DeploymentSpec), specPath, podOptions()));
  return errs;
}

/** The apps/v1 Deployment strategy's ValidateUpdate. */
export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata, metaPath);
  errs.push(...validateDeploymentSpec(d.spec ?? ({} as DeploymentSpec), specPath, podOptions()));
  errs.push(...selectorImmutable(d.spec?.selector, old.spec?.selector));
  return errs;
}

/** ValidateDeploymentStatusUpdate. */
export function validateDeploymentStatusUpdate(d: Deployment, old: Deployment): FieldError[] {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata, metaPath);
  const s = d.status ?? {};
  const p = newPath("status");
  errs.push(...validateNonnegative(s.observedGeneration, p.child("observedGeneration")));
  errs.push(...validateNonnegative(s.replicas, p.child("replicas")));
  errs.push(...validateNonnegative(s.updatedReplicas, p.child("updatedReplicas")));
  errs.push(...validateNonnegative(s.readyReplicas, p.child("readyReplicas")));
  errs.push(...validateNonnegative(s.availableReplicas, p.child("availableReplicas")));
  errs.push(...validateNonnegative(s.unavailableReplicas, p.child("unavailableReplicas")));
  if (s.collisionCount != null)
    errs.push(...validateNonnegative(s.collisionCount, p.child("collisionCount")));
  const msg = "cannot be greater than status.replicas";
  const replicas = s.replicas ?? 0;
  if ((s.updatedReplicas ?? 0) > replicas)
    errs.push(invalid(p.child("updatedReplicas"), s.updatedReplicas ?? 0, msg));
  if ((s.readyReplicas ?? 0) > replicas)
    errs.push(invalid(p.child("readyReplicas"), s.readyReplicas ?? 0, msg));
  if ((s.availableReplicas ?? 0) > replicas)
    errs.push(invalid(p.child("availableReplicas"), s.availableReplicas ?? 0, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(
      invalid(p.child("availableReplicas"), s.availableReplicas ?? 0, "cannot be greater than readyReplicas"),
    );
  }
  errs.push(...collisionCountDecremented(s.collisionCount, old.status?.collisionCount));
  return errs;
}

// --- ReplicaSet -----------------------------------------------------------------------

function validateReplicaSetSpec(spec: ReplicaSetSpec, path: Path, opts: PodValidationOptions): FieldError[] {
  const errs = validateNonnegative(spec.replicas, path.child("replicas"));
  errs.push(...validateNonnegative(spec.minReadySeconds, path.child("minReadySeconds")));
  errs.push(...selectorErrors(spec.selector, path.child("selector"), "deployment"));
  if (!labelSelectorParses(spec.selector)) {
    errs.push(invalid(path.child("selector"), goLabelSelector(spec.selector), "invalid label selector"));
  } else {
    errs.push(
      ...validatePodTemplateSpecForReplicaSet(spec.template, spec.selector, path.child("template"), opts),
    );
  }
  return errs;
}

/** ValidateReplicaSet. */
export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const errs = validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain, metaPath);
  errs.push(...validateReplicaSetSpec(rs.spec ?? ({} as ReplicaSetSpec), specPath, podOptions()));
  return errs;
}

/** The apps/v1 ReplicaSet strategy's ValidateUpdate. */
export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  const errs = validateObjectMetaUpdate(rs.metadata, old.metadata, metaPath);
  errs.push(...validateReplicaSetSpec(rs.spec ?? ({} as ReplicaSetSpec), specPath, podOptions()));
  errs.push(...selectorImmutable(rs.spec?.selector, old.spec?.selector));
  return errs;
}

/** ValidateReplicaSetStatusUpdate. */
export function validateReplicaSetStatusUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  const errs = validateObjectMetaUpdate(rs.metadata, old.metadata, metaPath);
  const s = rs.status ?? { replicas: 0 };
  const p = newPath("status");
  errs.push(...validateNonnegative(s.replicas, p.child("replicas")));
  errs.push(...validateNonnegative(s.fullyLabeledReplicas, p.child("fullyLabeledReplicas")));
  errs.push(...validateNonnegative(s.readyReplicas, p.child("readyReplicas")));
  errs.push(...validateNonnegative(s.availableReplicas, p.child("availableReplicas")));
  errs.push(...validateNonnegative(s.observedGeneration, p.child("observedGeneration")));
  const msg = "cannot be greater than status.replicas";
  const replicas = s.replicas ?? 0;
  if ((s.fullyLabeledReplicas ?? 0) > replicas)
    errs.push(invalid(p.child("fullyLabeledReplicas"), s.fullyLabeledReplicas ?? 0, msg));
  if ((s.readyReplicas ?? 0) > replicas)
    errs.push(invalid(p.child("readyReplicas"), s.readyReplicas ?? 0, msg));
  if ((s.availableReplicas ?? 0) > replicas)
    errs.push(invalid(p.child("availableReplicas"), s.availableReplicas ?? 0, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(
      invalid(p.child("availableReplicas"), s.availableReplicas ?? 0, "cannot be greater than readyReplicas"),
    );
  }
  return errs;
}

// --- StatefulSet ------------------------------------------------------------------------

function validateStatefulSetSpec(
  spec: StatefulSetSpec,
  path: Path,
  opts: PodValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const pmp = spec.podManagementPolicy ?? "";
  if (pmp === "") errs.push(required(path.child("podManagementPolicy"), ""));
  else if (pmp !== "OrderedReady" && pmp !== "Parallel") {
    errs.push(invalid(path.child("podManagementPolicy"), pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = spec.updateStrategy ?? {};
  const usPath = path.child("updateStrategy");
  switch (us.type ?? "") {
    case "":
      errs.push(required(usPath, ""));
      break;
    case "OnDelete":
      if (us.rollingUpdate != null) {
        errs.push(
          invalid(
            usPath.child("rollingUpdate"),
            goApproxStruct("apps.RollingUpdateStatefulSetStrategy", us.rollingUpdate),
            "only allowed for updateStrategy 'RollingUpdate'",
          ),
        );
      }
      break;
    case "RollingUpdate":
      if (us.rollingUpdate != null) {
        const p = usPath.child("rollingUpdate");
        errs.push(...validateNonnegative(us.rollingUpdate.partition, p.child("partition")));
        const mu = us.rollingUpdate.maxUnavailable;
        if (mu != null) {
          errs.push(...validatePositiveIntOrPercent(mu, p.child("maxUnavailable")));
          if (getIntOrPercentValue(mu) === 0)
            errs.push(invalid(p.child("maxUnavailable"), goIntOrString(mu), "cannot be 0"));
          errs.push(...isNotMoreThan100Percent(mu, p.child("maxUnavailable")));
        }
      }
      break;
    default:
      errs.push(
        invalid(
          usPath,
          goApproxStruct("apps.StatefulSetUpdateStrategy", us),
          "must be 'RollingUpdate' or 'OnDelete'",
        ),
      );
  }
  const policy = spec.persistentVolumeClaimRetentionPolicy;
  if (policy != null) {
    const p = path.child("persistentVolumeClaimRetentionPolicy");
    for (const field of ["whenDeleted", "whenScaled"] as const) {
      const v = policy[field] ?? "";
      if (v !== "Retain" && v !== "Delete") errs.push(notSupported(p.child(field), v, ["Retain", "Delete"]));
    }
  }
  errs.push(...validateNonnegative(spec.replicas, path.child("replicas")));
  errs.push(...validateNonnegative(spec.minReadySeconds, path.child("minReadySeconds")));
  if (spec.ordinals != null)
    errs.push(...validateNonnegative(spec.ordinals.start, path.child("ordinals.start")));
  if (spec.selector == null) {
    errs.push(required(path.child("selector"), ""));
  } else {
    errs.push(...validateLabelSelector(spec.selector, {}, path.child("selector")));
    if (
      Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions ?? []).length ===
      0
    ) {
      errs.push(
        invalid(
          path.child("selector"),
          goLabelSelector(spec.selector),
          "empty selector is invalid for statefulset",
        ),
      );
    }
  }
  const tplPath = path.child("template");
  if (!labelSelectorParses(spec.selector)) {
    errs.push(invalid(path.child("selector"), goLabelSelector(spec.selector), ""));
  } else {
    // Upstream validates only the template's labels and annotations here, not its pod spec.
    const tpl = spec.template;
    errs.push(...templateLabelsMismatch(spec.selector, tpl, tplPath));
    errs.push(...validateLabelsMap(tpl?.metadata?.labels, tplPath.child("labels")));
    errs.push(...validateAnnotations(tpl?.metadata?.annotations, tplPath.child("annotations")));
    errs.push(
      ...validatePodSpecificAnnotations(
        tpl?.metadata?.annotations,
        normalizePodSpec(tpl?.spec),
        tplPath.child("annotations"),
        opts,
      ),
    );
  }
  const restartPolicy = spec.template?.spec?.restartPolicy ?? "";
  if (restartPolicy !== "Always")
    errs.push(notSupported(tplPath.child("spec", "restartPolicy"), restartPolicy, ["Always"]));
  if (spec.template?.spec?.activeDeadlineSeconds != null) {
    errs.push(
      forbidden(
        tplPath.child("spec", "activeDeadlineSeconds"),
        "activeDeadlineSeconds in StatefulSet is not Supported",
      ),
    );
  }
  return errs;
}

/** ValidateStatefulSet: StatefulSet names are DNS labels, as their pods' hostnames derive from them. */
export function validateStatefulSet(ss: StatefulSet): FieldError[] {
  const errs = validateObjectMeta(ss.metadata, true, nameIsDNSLabel, metaPath);
  errs.push(...validateStatefulSetSpec(ss.spec ?? ({} as StatefulSetSpec), specPath, podOptions()));
  return errs;
}

const mutableStatefulSetFields = [
  "replicas",
  "template",
  "updateStrategy",
  "minReadySeconds",
  "ordinals",
  "persistentVolumeClaimRetentionPolicy",
] as const;

/** ValidateStatefulSetUpdate: only some spec fields may change. */
export function validateStatefulSetUpdate(ss: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = validateObjectMetaUpdate(ss.metadata, old.metadata, metaPath);
  errs.push(...validateStatefulSetSpec(ss.spec ?? ({} as StatefulSetSpec), specPath, podOptions()));
  const clone = structuredClone(ss.spec ?? {}) as Record<string, unknown>;
  const oldSpec = (old.spec ?? {}) as Record<string, unknown>;
  for (const f of mutableStatefulSetFields) clone[f] = oldSpec[f];
  const t = decodeTypeOfKind("apps", "StatefulSet");
  if (!semanticEqual(clone, oldSpec, t?.kind === "struct" ? t.field("spec") : undefined)) {
    errs.push(
      forbidden(
        specPath,
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

/** ValidateStatefulSetStatusUpdate. */
export function validateStatefulSetStatusUpdate(ss: StatefulSet, old: StatefulSet): FieldError[] {
  const errs: FieldError[] = [];
  const s = ss.status ?? { replicas: 0 };
  const p = newPath("status");
  errs.push(...validateNonnegative(s.replicas, p.child("replicas")));
  errs.push(...validateNonnegative(s.readyReplicas, p.child("readyReplicas")));
  errs.push(...validateNonnegative(s.currentReplicas, p.child("currentReplicas")));
  errs.push(...validateNonnegative(s.updatedReplicas, p.child("updatedReplicas")));
  errs.push(...validateNonnegative(s.availableReplicas, p.child("availableReplicas")));
  if (s.observedGeneration != null)
    errs.push(...validateNonnegative(s.observedGeneration, p.child("observedGeneration")));
  if (s.collisionCount != null)
    errs.push(...validateNonnegative(s.collisionCount, p.child("collisionCount")));
  const msg = "cannot be greater than status.replicas";
  const replicas = s.replicas ?? 0;
  if ((s.readyReplicas ?? 0) > replicas)
    errs.push(invalid(p.child("readyReplicas"), s.readyReplicas ?? 0, msg));
  if ((s.currentReplicas ?? 0) > replicas)
    errs.push(invalid(p.child("currentReplicas"), s.currentReplicas ?? 0, msg));
  if ((s.updatedReplicas ?? 0) > replicas)
    errs.push(invalid(p.child("updatedReplicas"), s.updatedReplicas ?? 0, msg));
  if ((s.availableReplicas ?? 0) > replicas)
    errs.push(invalid(p.child("availableReplicas"), s.availableReplicas ?? 0, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(
      invalid(
        p.child("availableReplicas"),
        s.availableReplicas ?? 0,
        "cannot be greater than status.readyReplicas",
      ),
    );
  }
  errs.push(...validateObjectMetaUpdate(ss.metadata, old.metadata, metaPath));
  errs.push(...collisionCountDecremented(s.collisionCount, old.status?.collisionCount));
  return errs;
}

// --- DaemonSet -------------------------------------------------------------------------

/** The annotation apps/v1 keeps the internal spec.templateGeneration in. */
export const templateGenerationAnnotation = "deprecated.daemonset.template.generation";

function templateGeneration(ds: DaemonSet): number {
  const v = ds.metadata?.annotations?.[templateGenerationAnnotation];
  if (v === undefined || !/^[+-]?[0-9]+$/.test(v)) return 0;
  return Number.parseInt(v, 10);
}

function validateDaemonSetSpec(ds: DaemonSet, path: Path, opts: PodValidationOptions): FieldError[] {
  const spec = ds.spec ?? ({} as DaemonSetSpec);
  const errs = validateLabelSelector(
    spec.selector,
    { allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector },
    path.child("selector"),
  );
  if (
    labelSelectorParses(spec.selector) &&
    !labelSelectorMatches(spec.selector, spec.template?.metadata?.labels) &&
    !labelSelectorEmpty(spec.selector)
  ) {
    errs.push(
      invalid(
        path.child("template", "metadata", "labels"),
        goStringMap(spec.template?.metadata?.labels),
        "`selector` does not match template `labels`",
      ),
    );
  }
  if (
    spec.selector != null &&
    Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions ?? []).length === 0
  ) {
    errs.push(
      invalid(
        path.child("selector"),
        goLabelSelector(spec.selector),
        "empty selector is invalid for daemonset",
      ),
    );
  }
  errs.push(...validatePodTemplateSpec(spec.template, path.child("template"), opts));
  const restartPolicy = spec.template?.spec?.restartPolicy ?? "";
  if (restartPolicy !== "Always")
    errs.push(notSupported(path.child("template", "spec", "restartPolicy"), restartPolicy, ["Always"]));
  if (spec.template?.spec?.activeDeadlineSeconds != null) {
    errs.push(
      forbidden(
        path.child("template", "spec", "activeDeadlineSeconds"),
        "activeDeadlineSeconds in DaemonSet is not Supported",
      ),
    );
  }
  errs.push(...validateNonnegative(spec.minReadySeconds, path.child("minReadySeconds")));
  errs.push(...validateNonnegative(templateGeneration(ds), path.child("templateGeneration")));
  const strategy = spec.updateStrategy ?? {};
  const sp = path.child("updateStrategy");
  switch (strategy.type) {
    case "OnDelete":
      break;
    case "RollingUpdate": {
      const ru = strategy.rollingUpdate;
      if (ru == null) {
        errs.push(required(sp.child("rollingUpdate"), ""));
        break;
      }
      const p = sp.child("rollingUpdate");
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, p.child("maxUnavailable")));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, p.child("maxSurge")));
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, p.child("maxUnavailable")));
      errs.push(...isNotMoreThan100Percent(ru.maxSurge, p.child("maxSurge")));
      const hasUnavailable = getIntOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = getIntOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) {
        errs.push(
          invalid(
            p.child("maxSurge"),
            goIntOrString(ru.maxSurge ?? 0),
            "may not be set when maxUnavailable is non-zero",
          ),
        );
      } else if (!hasUnavailable && !hasSurge) {
        errs.push(required(p.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"));
      }
      break;
    }
    default: {
      const ru =
        strategy.rollingUpdate == null
          ? "(*apps.RollingUpdateDaemonSet)(nil)"
          : `(*apps.RollingUpdateDaemonSet)(${goPointer})`;
      errs.push(
        notSupported(
          sp,
          new GoValue(
            `apps.DaemonSetUpdateStrategy{Type:${goQuote(strategy.type ?? "")}, RollingUpdate:${ru}}`,
          ),
          ["RollingUpdate", "OnDelete"],
        ),
      );
    }
  }
  if (spec.revisionHistoryLimit != null)
    errs.push(...validateNonnegative(spec.revisionHistoryLimit, path.child("revisionHistoryLimit")));
  return errs;
}

/** ValidateDaemonSet. */
export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const errs = validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain, metaPath);
  errs.push(...validateDaemonSetSpec(ds, specPath, podOptions()));
  return errs;
}

/**
 * The apps/v1 DaemonSet strategy's ValidateUpdate. The template generation
 * (kept in an annotation in apps/v1) must go up exactly when the template
 * changes; the strategy's PrepareForUpdate is what bumps it.
 */
export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata, metaPath);
  const newGen = templateGeneration(ds);
  const oldGen = templateGeneration(old);
  const genPath = specPath.child("templateGeneration");
  if (newGen < oldGen) errs.push(invalid(genPath, newGen, "must not be decremented"));
  const t = decodeTypeOfKind("apps", "DaemonSet");
  const specType = t?.kind === "struct" ? t.field("spec") : undefined;
  const tplType = specType?.kind === "struct" ? specType.field("template") : undefined;
  const templateUpdated = !semanticEqual(ds.spec?.template, old.spec?.template, tplType);
  if (newGen === oldGen && templateUpdated)
    errs.push(invalid(genPath, newGen, "must be incremented upon template update"));
  else if (newGen > oldGen && !templateUpdated)
    errs.push(invalid(genPath, newGen, "must not be incremented without template update"));
  errs.push(...validateDaemonSetSpec(ds, specPath, podOptions()));
  errs.push(...selectorImmutable(ds.spec?.selector, old.spec?.selector));
  return errs;
}

/** ValidateDaemonSetStatusUpdate. */
export function validateDaemonSetStatusUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata, metaPath);
  const s = ds.status ?? ({} as NonNullable<DaemonSet["status"]>);
  const p = newPath("status");
  for (const f of [
    "currentNumberScheduled",
    "numberMisscheduled",
    "desiredNumberScheduled",
    "numberReady",
    "observedGeneration",
    "updatedNumberScheduled",
    "numberAvailable",
    "numberUnavailable",
  ] as const) {
    errs.push(...validateNonnegative(s[f], p.child(f)));
  }
  if (s.collisionCount != null)
    errs.push(...validateNonnegative(s.collisionCount, p.child("collisionCount")));
  errs.push(...collisionCountDecremented(s.collisionCount, old.status?.collisionCount));
  return errs;
}

// --- ControllerRevision ------------------------------------------------------------------

/** ValidateControllerRevision. */
export function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errs = validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain, metaPath);
  if (cr.data == null) errs.push(required(newPath("data"), "data is mandatory"));
  errs.push(...validateNonnegative(cr.revision, newPath("revision")));
  return errs;
}

/** ValidateControllerRevisionUpdate: data may not change. */
export function validateControllerRevisionUpdate(
  cr: ControllerRevision,
  old: ControllerRevision,
): FieldError[] {
  const errs = validateObjectMetaUpdate(cr.metadata, old.metadata, metaPath);
  errs.push(...validateControllerRevision(cr));
  errs.push(
    ...validateImmutable(cr.data, old.data, newPath("data"), (v) =>
      v == null ? null : new GoValue("runtime.RawExtension{Raw:[]uint8{...}, Object:runtime.Object(nil)}"),
    ),
  );
  return errs;
}
