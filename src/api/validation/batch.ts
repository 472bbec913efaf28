// batch/v1 validation: Job and CronJob (pkg/apis/batch/validation, v1.32),
// with the options the Job strategy derives from the old object and the
// status rules that the JobManagedBy feature (beta, on) switches on.

import type { CronJob, Job, JobSpec, JobStatus, PodFailurePolicyRule } from "kubernetes-types/batch/v1.d.ts";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.d.ts";
import type { LabelSelector, ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import {
  duplicate,
  type FieldError,
  GoValue,
  invalid,
  newPath,
  notSupported,
  omitValue,
  type Path,
  required,
  tooLong,
  tooMany,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import { isDNS1123Label, isDomainPrefixedPath } from "../../machinery/validation.ts";
import { parseStandardError } from "../cron/parse.ts";
import { loadLocationError } from "../cron/time-zone.ts";
import {
  byteLen,
  labelSelectorMatches,
  labelSelectorParses,
  validateImmutable,
  validateLabelSelector,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from "./common.ts";
import { decodeTypeOfKind } from "./decode-check.ts";
import { semanticEqual } from "./equality.ts";
import { goApproxStruct, goIntSliceText, goLabelSelector, goStringMap } from "./gofmt.ts";
import {
  defaultPodValidationOptions,
  type PodValidationOptions,
  validatePodTemplateSpec,
} from "./pod-spec.ts";

const metaPath = newPath("metadata");
const specPath = newPath("spec");

const maxParallelismForIndexedJob = 100000;
const maxFailedIndexesForIndexedJob = 100_000;
const completionsSoftLimit = 100_000;
const parallelismLimitForHighCompletions = 10_000;
const maxFailedIndexesLimitForHighCompletions = 10_000;
const maxPodFailurePolicyRules = 20;
const maxPodFailurePolicyOnExitCodesValues = 255;
const maxPodFailurePolicyOnPodConditionsPatterns = 20;
const maxSuccessPolicyRules = 20;
const maxSucceededIndexesLength = 64 * 1024;
const maxManagedByLength = 63;

const supportedPodFailurePolicyActions = ["Count", "FailIndex", "FailJob", "Ignore"];
const supportedOnExitCodesOperators = ["In", "NotIn"];
const supportedConditionStatuses = ["False", "True", "Unknown"];
const supportedPodReplacementPolicies = ["Failed", "TerminatingOrFailed"];

export const legacyControllerUidLabel = "controller-uid";
export const legacyJobNameLabel = "job-name";
export const controllerUidLabel = "batch.kubernetes.io/controller-uid";
export const jobNameLabel = "batch.kubernetes.io/job-name";

/** Go's %q of a []string: `["a" "b"]`. */
function goQuotedList(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;
}

export interface JobValidationOptions {
  pod: PodValidationOptions;
  allowMutableSchedulingDirectives: boolean;
  allowElasticIndexedJobs: boolean;
  requirePrefixedLabels: boolean;
}

/** validationOptionsForJob (the Job strategy). */
export function jobValidationOptions(old: Job | null): JobValidationOptions {
  const opts: JobValidationOptions = {
    pod: defaultPodValidationOptions(),
    allowMutableSchedulingDirectives: false,
    allowElasticIndexedJobs: true,
    requirePrefixedLabels: true,
  };
  if (old != null) {
    opts.allowMutableSchedulingDirectives = old.spec?.suspend === true && old.status?.startTime == null;
    const labels = old.spec?.template?.metadata?.labels ?? {};
    opts.requirePrefixedLabels =
      Object.hasOwn(labels, jobNameLabel) && Object.hasOwn(labels, controllerUidLabel);
  }
  return opts;
}

/** ValidateHasLabel. */
function validateHasLabel(
  meta: ObjectMeta | undefined,
  path: Path,
  key: string,
  expected: string,
): FieldError[] {
  const labels = meta?.labels ?? {};
  if (!Object.hasOwn(labels, key)) return [required(path.child("labels").key(key), `must be '${expected}'`)];
  if (labels[key] !== expected)
    return [invalid(path.child("labels").key(key), goStringMap(meta?.labels), `must be '${expected}'`)];
  return [];
}

/** validateGeneratedSelector: a generated selector must select exactly this Job's pods. */
function validateGeneratedSelector(job: Job, requirePrefixed: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const spec = job.spec;
  if (spec?.manualSelector === true || spec?.selector == null) return errs;
  const uid = job.metadata?.uid ?? "";
  const name = job.metadata?.name ?? "";
  if (uid === "") errs.push(required(metaPath.child("uid"), ""));
  const tplMeta = newPath("spec").child("template").child("metadata");
  const tpl = spec.template?.metadata;
  errs.push(...validateHasLabel(tpl, tplMeta, legacyControllerUidLabel, uid));
  errs.push(...validateHasLabel(tpl, tplMeta, legacyJobNameLabel, name));
  const expected: Record<string, string> = {};
  if (requirePrefixed) {
    errs.push(...validateHasLabel(tpl, tplMeta, controllerUidLabel, uid));
    errs.push(...validateHasLabel(tpl, tplMeta, jobNameLabel, name));
    expected[controllerUidLabel] = uid;
    expected[jobNameLabel] = name;
  }
  expected[legacyControllerUidLabel] = uid;
  expected[legacyJobNameLabel] = name;
  if (labelSelectorParses(spec.selector) && !labelSelectorMatches(spec.selector, expected)) {
    errs.push(
      invalid(specPath.child("selector"), goLabelSelector(spec.selector), "`selector` not auto-generated"),
    );
  }
  return errs;
}

/** parseIndexInterval: `x` or `x-y` below completions. */
function parseIndexInterval(interval: string, completions: number): [number, number] {
  const limits = interval.split("-");
  if (limits.length > 2) {
    throw new Error(
      `the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`,
    );
  }
  const atoi = (s: string) => {
    if (!/^[+-]?[0-9]+$/.test(s))
      throw new Error(`cannot convert string to integer for index: ${JSON.stringify(s)}`);
    return Number.parseInt(s, 10);
  };
  const x = atoi(limits[0]);
  if (x >= completions) throw new Error(`too large index: ${JSON.stringify(limits[0])}`);
  if (limits.length > 1) {
    const y = atoi(limits[1]);
    if (y >= completions) throw new Error(`too large index: ${JSON.stringify(limits[1])}`);
    if (x >= y) throw new Error(`non-increasing order, previous: ${x}, current: ${y}`);
    return [x, y];
  }
  return [x, x];
}

/** validateIndexesFormat: the number of indexes, or throws upstream's error text. */
function validateIndexesFormat(indexes: string, completions: number): number {
  if (indexes.length === 0) return 0;
  let last: number | null = null;
  let total = 0;
  for (const interval of indexes.split(",")) {
    const [x, y] = parseIndexInterval(interval, completions);
    if (last !== null && last >= x) throw new Error(`non-increasing order, previous: ${last}, current: ${x}`);
    total += y - x + 1;
    last = y;
  }
  return total;
}

function validatePodFailurePolicyRule(
  spec: JobSpec,
  rule: PodFailurePolicyRule,
  path: Path,
  containerNames: Set<string>,
): FieldError[] {
  const errs: FieldError[] = [];
  const actionPath = path.child("action");
  const action = rule.action ?? "";
  if (action === "") {
    errs.push(required(actionPath, `valid values: ${goQuotedList(supportedPodFailurePolicyActions)}`));
  } else if (action === "FailIndex") {
    if (spec.backoffLimitPerIndex == null)
      errs.push(invalid(actionPath, action, "requires the backoffLimitPerIndex to be set"));
  } else if (!supportedPodFailurePolicyActions.includes(action)) {
    errs.push(notSupported(actionPath, action, supportedPodFailurePolicyActions));
  }
  const onExit = rule.onExitCodes;
  if (onExit != null) {
    const p = path.child("onExitCodes");
    const op = onExit.operator ?? "";
    if (op === "")
      errs.push(
        required(p.child("operator"), `valid values: ${goQuotedList(supportedOnExitCodesOperators)}`),
      );
    else if (!supportedOnExitCodesOperators.includes(op))
      errs.push(notSupported(p.child("operator"), op, supportedOnExitCodesOperators));
    if (onExit.containerName != null && !containerNames.has(onExit.containerName)) {
      errs.push(
        invalid(
          p.child("containerName"),
          onExit.containerName,
          "must be one of the container or initContainer names in the pod template",
        ),
      );
    }
    const values = onExit.values ?? [];
    const vp = p.child("values");
    if (values.length === 0)
      errs.push(
        invalid(vp, new GoValue(goIntSliceText(onExit.values ?? null)), "at least one value is required"),
      );
    else if (values.length > maxPodFailurePolicyOnExitCodesValues)
      errs.push(tooMany(vp, values.length, maxPodFailurePolicyOnExitCodesValues));
    let ordered = true;
    const seen = new Set<number>();
    values.forEach((v, j) => {
      if (op === "In" && v === 0) errs.push(invalid(vp.index(j), v, "must not be 0 for the In operator"));
      if (seen.has(v)) errs.push(duplicate(vp.index(j), v));
      else seen.add(v);
      if (j > 0 && values[j - 1] > v) ordered = false;
    });
    if (!ordered) errs.push(invalid(vp, new GoValue(goIntSliceText(values)), "must be ordered"));
  }
  const onConditions = rule.onPodConditions ?? [];
  if (onConditions.length > 0) {
    const p = path.child("onPodConditions");
    if (onConditions.length > maxPodFailurePolicyOnPodConditionsPatterns) {
      errs.push(tooMany(p, onConditions.length, maxPodFailurePolicyOnPodConditionsPatterns));
    }
    onConditions.forEach((pattern, j) => {
      const pp = p.index(j);
      errs.push(...validateQualifiedName(pattern.type ?? "", pp.child("type")));
      const status = pattern.status ?? "";
      if (status === "")
        errs.push(required(pp.child("status"), `valid values: ${goQuotedList(supportedConditionStatuses)}`));
      else if (!supportedConditionStatuses.includes(status))
        errs.push(notSupported(pp.child("status"), status, supportedConditionStatuses));
    });
  }
  if (onExit != null && onConditions.length > 0) {
    errs.push(invalid(path, omitValue, "specifying both OnExitCodes and OnPodConditions is not supported"));
  }
  if (onExit == null && onConditions.length === 0) {
    errs.push(invalid(path, omitValue, "specifying one of OnExitCodes and OnPodConditions is required"));
  }
  return errs;
}

type JobSpecLike = JobSpec & {
  managedBy?: string | null;
  successPolicy?: {
    rules?: Array<{ succeededIndexes?: string | null; succeededCount?: number | null }>;
  } | null;
};

/** validateJobSpec: everything but the selector. */
function validateJobSpecBody(spec: JobSpecLike, path: Path, opts: PodValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.parallelism != null)
    errs.push(...validateNonnegative(spec.parallelism, path.child("parallelism")));
  if (spec.completions != null)
    errs.push(...validateNonnegative(spec.completions, path.child("completions")));
  if (spec.activeDeadlineSeconds != null)
    errs.push(...validateNonnegative(spec.activeDeadlineSeconds, path.child("activeDeadlineSeconds")));
  if (spec.backoffLimit != null)
    errs.push(...validateNonnegative(spec.backoffLimit, path.child("backoffLimit")));
  if (spec.ttlSecondsAfterFinished != null) {
    errs.push(...validateNonnegative(spec.ttlSecondsAfterFinished, path.child("ttlSecondsAfterFinished")));
  }
  if (spec.backoffLimitPerIndex != null)
    errs.push(...validateNonnegative(spec.backoffLimitPerIndex, path.child("backoffLimitPerIndex")));
  if (spec.maxFailedIndexes != null) {
    errs.push(...validateNonnegative(spec.maxFailedIndexes, path.child("maxFailedIndexes")));
    if (spec.backoffLimitPerIndex == null)
      errs.push(required(path.child("backoffLimitPerIndex"), "when maxFailedIndexes is specified"));
  }
  if (spec.managedBy != null) {
    errs.push(...isDomainPrefixedPath(path.child("managedBy"), spec.managedBy));
    if (byteLen(spec.managedBy) > maxManagedByLength)
      errs.push(tooLong(path.child("managedBy"), spec.managedBy, maxManagedByLength));
  }
  const mode = spec.completionMode;
  if (mode != null) {
    if (mode !== "NonIndexed" && mode !== "Indexed")
      errs.push(notSupported(path.child("completionMode"), mode, ["NonIndexed", "Indexed"]));
    if (mode === "Indexed") {
      if (spec.completions == null)
        errs.push(required(path.child("completions"), "when completion mode is Indexed"));
      if (spec.parallelism != null && spec.parallelism > maxParallelismForIndexedJob) {
        errs.push(
          invalid(
            path.child("parallelism"),
            spec.parallelism,
            `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`,
          ),
        );
      }
      if (
        spec.completions != null &&
        spec.maxFailedIndexes != null &&
        spec.maxFailedIndexes > spec.completions
      ) {
        errs.push(
          invalid(
            path.child("maxFailedIndexes"),
            spec.maxFailedIndexes,
            "must be less than or equal to completions",
          ),
        );
      }
      if (spec.maxFailedIndexes != null && spec.maxFailedIndexes > maxFailedIndexesForIndexedJob) {
        errs.push(
          invalid(
            path.child("maxFailedIndexes"),
            spec.maxFailedIndexes,
            `must be less than or equal to ${maxFailedIndexesForIndexedJob}`,
          ),
        );
      }
      if (
        spec.completions != null &&
        spec.completions > completionsSoftLimit &&
        spec.backoffLimitPerIndex != null
      ) {
        if (spec.maxFailedIndexes == null) {
          errs.push(
            required(
              path.child("maxFailedIndexes"),
              `must be specified when completions is above ${completionsSoftLimit}`,
            ),
          );
        }
        const suffix = `when completions are above ${completionsSoftLimit} and used with backoff limit per index`;
        if (spec.parallelism != null && spec.parallelism > parallelismLimitForHighCompletions) {
          errs.push(
            invalid(
              path.child("parallelism"),
              spec.parallelism,
              `must be less than or equal to ${parallelismLimitForHighCompletions} ${suffix}`,
            ),
          );
        }
        if (
          spec.maxFailedIndexes != null &&
          spec.maxFailedIndexes > maxFailedIndexesLimitForHighCompletions
        ) {
          errs.push(
            invalid(
              path.child("maxFailedIndexes"),
              spec.maxFailedIndexes,
              `must be less than or equal to ${maxFailedIndexesLimitForHighCompletions} ${suffix}`,
            ),
          );
        }
      }
    }
  }
  if (mode == null || mode === "NonIndexed") {
    if (spec.backoffLimitPerIndex != null) {
      errs.push(
        invalid(
          path.child("backoffLimitPerIndex"),
          spec.backoffLimitPerIndex,
          "requires indexed completion mode",
        ),
      );
    }
    if (spec.maxFailedIndexes != null)
      errs.push(
        invalid(path.child("maxFailedIndexes"), spec.maxFailedIndexes, "requires indexed completion mode"),
      );
  }
  const pfp = spec.podFailurePolicy;
  if (pfp != null) {
    const rulesPath = path.child("podFailurePolicy").child("rules");
    const rules = pfp.rules ?? [];
    if (rules.length > maxPodFailurePolicyRules)
      errs.push(tooMany(rulesPath, rules.length, maxPodFailurePolicyRules));
    const names = new Set<string>();
    for (const c of spec.template?.spec?.containers ?? []) names.add(c.name ?? "");
    for (const c of spec.template?.spec?.initContainers ?? []) names.add(c.name ?? "");
    rules.forEach((rule, i) => {
      errs.push(...validatePodFailurePolicyRule(spec, rule, rulesPath.index(i), names));
    });
  }
  if (spec.successPolicy != null) {
    const sp = path.child("successPolicy");
    if ((mode ?? "NonIndexed") !== "Indexed") {
      errs.push(
        invalid(
          sp,
          goApproxStruct("batch.SuccessPolicy", spec.successPolicy),
          "requires indexed completion mode",
        ),
      );
    } else {
      const rules = spec.successPolicy.rules ?? [];
      const rulesPath = sp.child("rules");
      if (rules.length === 0)
        errs.push(
          required(rulesPath, "at least one rules must be specified when the successPolicy is specified"),
        );
      if (rules.length > maxSuccessPolicyRules)
        errs.push(tooMany(rulesPath, rules.length, maxSuccessPolicyRules));
      const completions = spec.completions ?? 0;
      rules.forEach((rule, i) => {
        const rp = rulesPath.index(i);
        if (rule.succeededCount == null && rule.succeededIndexes == null) {
          errs.push(required(rp, "at least one of succeededCount or succeededIndexes must be specified"));
        }
        let totalIndexes = 0;
        if (rule.succeededIndexes != null) {
          const ip = rp.child("succeededIndexes");
          if (byteLen(rule.succeededIndexes) > maxSucceededIndexesLength) {
            errs.push(tooLong(ip, rule.succeededIndexes, maxSucceededIndexesLength));
          }
          try {
            totalIndexes = validateIndexesFormat(rule.succeededIndexes, completions);
          } catch (e) {
            errs.push(
              invalid(ip, rule.succeededIndexes, `error parsing succeededIndexes: ${(e as Error).message}`),
            );
          }
        }
        if (rule.succeededCount != null) {
          const cp = rp.child("succeededCount");
          errs.push(...validateNonnegative(rule.succeededCount, cp));
          if (rule.succeededCount > completions) {
            errs.push(
              invalid(
                cp,
                rule.succeededCount,
                `must be less than or equal to ${completions} (the number of specified completions)`,
              ),
            );
          }
          if (rule.succeededIndexes != null && rule.succeededCount > totalIndexes) {
            errs.push(
              invalid(
                cp,
                rule.succeededCount,
                `must be less than or equal to ${totalIndexes} (the number of indexes in the specified succeededIndexes field)`,
              ),
            );
          }
        }
      });
    }
  }
  const prp = spec.podReplacementPolicy;
  if (prp != null) {
    if (pfp != null) {
      if (prp !== "Failed") errs.push(notSupported(path.child("podReplacementPolicy"), prp, ["Failed"]));
    } else if (!supportedPodReplacementPolicies.includes(prp)) {
      errs.push(notSupported(path.child("podReplacementPolicy"), prp, supportedPodReplacementPolicies));
    }
  }
  errs.push(...validatePodTemplateSpec(spec.template, path.child("template"), opts));
  const restartPolicy = spec.template?.spec?.restartPolicy ?? "";
  const rpPath = path.child("template", "spec", "restartPolicy");
  if (restartPolicy === "Always" || restartPolicy === "") {
    errs.push(required(rpPath, `valid values: "OnFailure", "Never"`));
  } else if (restartPolicy !== "OnFailure" && restartPolicy !== "Never") {
    errs.push(notSupported(rpPath, restartPolicy, ["OnFailure", "Never"]));
  } else if (pfp != null && restartPolicy !== "Never") {
    errs.push(invalid(rpPath, restartPolicy, `only "Never" is supported when podFailurePolicy is specified`));
  }
  return errs;
}

/** ValidateJobSpec: the body plus the selector, which must select the template's labels. */
function validateJobSpec(spec: JobSpecLike, path: Path, opts: PodValidationOptions): FieldError[] {
  const errs = validateJobSpecBody(spec, path, opts);
  if (spec.selector == null) errs.push(required(path.child("selector"), ""));
  else
    errs.push(
      ...validateLabelSelector(
        spec.selector,
        { allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector },
        path.child("selector"),
      ),
    );
  if (
    labelSelectorParses(spec.selector) &&
    !labelSelectorMatches(spec.selector, spec.template?.metadata?.labels)
  ) {
    const empty =
      spec.selector != null &&
      Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions ?? []).length ===
        0;
    if (!empty) {
      errs.push(
        invalid(
          path.child("template", "metadata", "labels"),
          goStringMap(spec.template?.metadata?.labels),
          "`selector` does not match template `labels`",
        ),
      );
    }
  }
  return errs;
}

/** ValidateJob. */
export function validateJob(job: Job, opts: JobValidationOptions = jobValidationOptions(null)): FieldError[] {
  const errs = validateObjectMeta(job.metadata, true, nameIsDNSSubdomain, metaPath);
  errs.push(...validateGeneratedSelector(job, opts.requirePrefixedLabels));
  const spec = (job.spec ?? {}) as JobSpecLike;
  errs.push(...validateJobSpec(spec, specPath, opts.pod));
  if (spec.completionMode === "Indexed" && spec.completions != null && spec.completions > 0) {
    const host = `${job.metadata?.name ?? ""}-${spec.completions - 1}`;
    if (isDNS1123Label(host).length > 0) {
      errs.push(
        invalid(
          metaPath.child("name"),
          job.metadata?.name ?? "",
          `will not able to create pod with invalid DNS label: ${host}`,
        ),
      );
    }
  }
  return errs;
}

function templateType() {
  const t = decodeTypeOfKind("batch", "Job");
  const spec = t?.kind === "struct" ? t.field("spec") : undefined;
  return spec?.kind === "struct" ? spec.field("template") : undefined;
}

/** The Job strategy's ValidateUpdate: ValidateJob plus ValidateJobUpdate. */
export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const opts = jobValidationOptions(old);
  const errs = validateJob(job, opts);
  errs.push(...validateObjectMetaUpdate(job.metadata, old.metadata, metaPath));
  const spec = (job.spec ?? {}) as JobSpecLike;
  const oldSpec = (old.spec ?? {}) as JobSpecLike;
  errs.push(...validateJobSpec(spec, specPath, opts.pod));
  // Completions may change only for indexed jobs, together with parallelism.
  const cPath = specPath.child("completions");
  const indexed = spec.completionMode === "Indexed";
  if (!opts.allowElasticIndexedJobs || !indexed) {
    errs.push(
      ...validateImmutable(spec.completions, oldSpec.completions, cPath, (v) =>
        v == null ? null : (v as number),
      ),
    );
  } else if (!semanticEqual(spec.completions, oldSpec.completions) && spec.completions != null) {
    if (spec.completions !== spec.parallelism) {
      errs.push(invalid(cPath, spec.completions, "can only be modified in tandem with spec.parallelism"));
    }
  }
  errs.push(
    ...validateImmutable(spec.selector, oldSpec.selector, specPath.child("selector"), (v) =>
      goLabelSelector(v as LabelSelector),
    ),
  );
  let oldTemplate: PodTemplateSpec | undefined = oldSpec.template;
  const template = spec.template;
  if (opts.allowMutableSchedulingDirectives) {
    const o = structuredClone(oldSpec.template ?? {}) as PodTemplateSpec;
    o.spec ??= { containers: [] };
    const ts = template?.spec;
    if (ts?.affinity == null && o.spec.affinity != null) {
      o.spec.affinity = { ...o.spec.affinity, nodeAffinity: undefined };
      if (o.spec.affinity.podAffinity == null && o.spec.affinity.podAntiAffinity == null)
        o.spec.affinity = undefined;
    } else if (ts?.affinity != null && o.spec.affinity == null) {
      o.spec.affinity = { nodeAffinity: ts.affinity.nodeAffinity };
    } else if (ts?.affinity != null && o.spec.affinity != null) {
      o.spec.affinity = { ...o.spec.affinity, nodeAffinity: ts.affinity.nodeAffinity };
    }
    o.spec.nodeSelector = ts?.nodeSelector;
    o.spec.tolerations = ts?.tolerations;
    o.metadata = {
      ...(o.metadata ?? {}),
      annotations: template?.metadata?.annotations,
      labels: template?.metadata?.labels,
    };
    (o.spec as { schedulingGates?: unknown }).schedulingGates = (
      ts as { schedulingGates?: unknown } | undefined
    )?.schedulingGates;
    oldTemplate = o;
  }
  errs.push(
    ...validateImmutable(
      template,
      oldTemplate,
      specPath.child("template"),
      (v) => goApproxStruct("core.PodTemplateSpec", v, templateType()),
      templateType(),
    ),
  );
  const str = (v: unknown) => (v == null ? null : String(v));
  errs.push(
    ...validateImmutable(spec.completionMode, oldSpec.completionMode, specPath.child("completionMode"), str),
  );
  errs.push(
    ...validateImmutable(
      spec.podFailurePolicy,
      oldSpec.podFailurePolicy,
      specPath.child("podFailurePolicy"),
      (v) => goApproxStruct("batch.PodFailurePolicy", v),
    ),
  );
  errs.push(
    ...validateImmutable(
      spec.backoffLimitPerIndex,
      oldSpec.backoffLimitPerIndex,
      specPath.child("backoffLimitPerIndex"),
      (v) => (v == null ? null : (v as number)),
    ),
  );
  errs.push(...validateImmutable(spec.managedBy, oldSpec.managedBy, specPath.child("managedBy"), str));
  errs.push(
    ...validateImmutable(spec.successPolicy, oldSpec.successPolicy, specPath.child("successPolicy"), (v) =>
      goApproxStruct("batch.SuccessPolicy", v),
    ),
  );
  return errs;
}

// --- Job status -------------------------------------------------------------------------

function conditionTrue(status: JobStatus | undefined, type: string): boolean {
  return (status?.conditions ?? []).some((c) => c.type === type && c.status === "True");
}

function isFinished(status: JobStatus | undefined): boolean {
  return conditionTrue(status, "Complete") || conditionTrue(status, "Failed");
}

function timeOf(t: string | null | undefined): number | null {
  if (t == null) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : Math.trunc(ms / 1000);
}

function validateFailedIndexesNotOverlapCompleted(
  completed: string,
  failed: string,
  completions: number,
): string | null {
  if (completed.length === 0 || failed.length === 0) return null;
  const parse = (s: string): [number, number] | null => {
    try {
      return parseIndexInterval(s, completions);
    } catch {
      return null;
    }
  };
  const cs = completed.split(",");
  const fs = failed.split(",");
  let ci = 0;
  let fi = 0;
  let c = parse(cs[0]);
  let f = parse(fs[0]);
  while (ci < cs.length && fi < fs.length) {
    if (c === null) {
      ci++;
      if (ci < cs.length) c = parse(cs[ci]);
    } else if (f === null) {
      fi++;
      if (fi < fs.length) f = parse(fs[fi]);
    } else {
      if (c[0] <= f[1] && f[0] <= c[1])
        return `failedIndexes and completedIndexes overlap at index: ${Math.max(c[0], f[0])}`;
      if (c[0] <= f[0]) {
        ci++;
        if (ci < cs.length) c = parse(cs[ci]);
      } else {
        fi++;
        if (fi < fs.length) f = parse(fs[fi]);
      }
    }
  }
  return null;
}

/** ValidateJobUpdateStatus with the options v1.32's strategy derives (JobManagedBy on). */
export function validateJobStatusUpdate(job: Job, old: Job): FieldError[] {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata, metaPath);
  const s = job.status ?? {};
  const os = old.status ?? {};
  const p = newPath("status");
  errs.push(...validateNonnegative(s.active, p.child("active")));
  errs.push(...validateNonnegative(s.succeeded, p.child("succeeded")));
  errs.push(...validateNonnegative(s.failed, p.child("failed")));
  if (s.ready != null) errs.push(...validateNonnegative(s.ready, p.child("ready")));
  if (s.terminating != null) errs.push(...validateNonnegative(s.terminating, p.child("terminating")));
  if (s.uncountedTerminatedPods != null) {
    const up = p.child("uncountedTerminatedPods");
    const seen = new Set<string>();
    for (const field of ["succeeded", "failed"] as const) {
      (s.uncountedTerminatedPods[field] ?? []).forEach((k, i) => {
        const ip = up.child(field).index(i);
        if (k === "") errs.push(invalid(ip, k, "must not be empty"));
        else if (seen.has(k)) errs.push(duplicate(ip, k));
        else seen.add(k);
      });
    }
  }
  const spec = (job.spec ?? {}) as JobSpecLike;
  const indexed = spec.completionMode === "Indexed";
  const finishedChanged = isFinished(os) !== isFinished(s);
  const completeChanged = conditionTrue(os, "Complete") !== conditionTrue(s, "Complete");
  const failedChanged = conditionTrue(os, "Failed") !== conditionTrue(s, "Failed");
  const failureTargetChanged = conditionTrue(os, "FailureTarget") !== conditionTrue(s, "FailureTarget");
  const successMetChanged =
    conditionTrue(os, "SuccessCriteriaMet") !== conditionTrue(s, "SuccessCriteriaMet");
  const completedIndexesChanged = (os.completedIndexes ?? "") !== (s.completedIndexes ?? "");
  const failedIndexesChanged = (os.failedIndexes ?? null) !== (s.failedIndexes ?? null);
  const activeChanged = (os.active ?? 0) !== (s.active ?? 0);
  const startChanged = timeOf(os.startTime) !== timeOf(s.startTime);
  const completionChanged = timeOf(os.completionTime) !== timeOf(s.completionTime);
  const uncountedChanged = !semanticEqual(os.uncountedTerminatedPods, s.uncountedTerminatedPods);
  const readyChanged = (os.ready ?? null) !== (s.ready ?? null);
  const terminatingChanged = (os.terminating ?? null) !== (s.terminating ?? null);
  const complete = conditionTrue(s, "Complete");
  const failed = conditionTrue(s, "Failed");
  const finished = isFinished(s);
  const conditionsPath = p.child("conditions");
  if ((completeChanged || failedChanged) && complete && failed) {
    errs.push(invalid(conditionsPath, omitValue, "cannot set Complete=True and Failed=true conditions"));
  }
  if ((completeChanged || failureTargetChanged) && complete && conditionTrue(s, "FailureTarget")) {
    errs.push(
      invalid(conditionsPath, omitValue, "cannot set Complete=True and FailureTarget=true conditions"),
    );
  }
  if ((completeChanged || completionChanged) && s.completionTime != null && !complete) {
    errs.push(
      invalid(
        p.child("completionTime"),
        s.completionTime,
        "cannot set completionTime when there is no Complete=True condition",
      ),
    );
  }
  if ((completeChanged || completionChanged) && s.completionTime == null && complete) {
    errs.push(required(p.child("completionTime"), "completionTime is required for Complete jobs"));
  }
  if ((startChanged || completionChanged) && s.startTime != null && s.completionTime != null) {
    const st = Date.parse(s.startTime);
    const ct = Date.parse(s.completionTime);
    if (ct < st)
      errs.push(
        invalid(p.child("completionTime"), s.completionTime, "completionTime cannot be set before startTime"),
      );
  }
  if ((failedChanged || failedIndexesChanged) && failed && !conditionTrue(s, "FailureTarget")) {
    errs.push(
      invalid(
        conditionsPath,
        omitValue,
        "cannot set Failed=True condition without the FailureTarget=true condition",
      ),
    );
  }
  if ((completeChanged || successMetChanged) && complete && !conditionTrue(s, "SuccessCriteriaMet")) {
    errs.push(
      invalid(
        conditionsPath,
        omitValue,
        "cannot set Complete=True condition without the SuccessCriteriaMet=true condition",
      ),
    );
  }
  if ((finishedChanged || activeChanged) && (s.active ?? 0) > 0 && finished) {
    errs.push(invalid(p.child("active"), s.active ?? 0, "active>0 is invalid for finished job"));
  }
  if ((finishedChanged || startChanged) && s.startTime == null && finished) {
    errs.push(required(p.child("startTime"), "startTime is required for finished job"));
  }
  const uncounted = s.uncountedTerminatedPods;
  if (
    (finishedChanged || uncountedChanged) &&
    finished &&
    uncounted != null &&
    (uncounted.failed ?? []).length + (uncounted.succeeded ?? []).length > 0
  ) {
    errs.push(
      invalid(
        p.child("uncountedTerminatedPods"),
        goApproxStruct("batch.UncountedTerminatedPods", uncounted),
        "uncountedTerminatedPods needs to be empty for finished job",
      ),
    );
  }
  if (completedIndexesChanged && spec.completions != null) {
    try {
      validateIndexesFormat(s.completedIndexes ?? "", spec.completions);
    } catch (e) {
      errs.push(
        invalid(
          p.child("completedIndexes"),
          s.completedIndexes ?? "",
          `error parsing completedIndexes: ${(e as Error).message}`,
        ),
      );
    }
  }
  if (
    failedIndexesChanged &&
    spec.completions != null &&
    spec.backoffLimitPerIndex != null &&
    s.failedIndexes != null
  ) {
    try {
      validateIndexesFormat(s.failedIndexes, spec.completions);
    } catch (e) {
      errs.push(
        invalid(
          p.child("failedIndexes"),
          s.failedIndexes,
          `error parsing failedIndexes: ${(e as Error).message}`,
        ),
      );
    }
  }
  if (completedIndexesChanged && (s.completedIndexes ?? "").length !== 0 && !indexed) {
    errs.push(
      invalid(
        p.child("completedIndexes"),
        s.completedIndexes ?? "",
        "cannot set non-empty completedIndexes when non-indexed completion mode",
      ),
    );
  }
  if (failedIndexesChanged && spec.backoffLimitPerIndex == null && s.failedIndexes != null) {
    errs.push(
      invalid(
        p.child("failedIndexes"),
        s.failedIndexes,
        "cannot set non-null failedIndexes when backoffLimitPerIndex is null",
      ),
    );
  }
  if (
    (failedIndexesChanged || completedIndexesChanged) &&
    spec.completions != null &&
    s.failedIndexes != null
  ) {
    const err = validateFailedIndexesNotOverlapCompleted(
      s.completedIndexes ?? "",
      s.failedIndexes,
      spec.completions,
    );
    if (err !== null) errs.push(invalid(p.child("failedIndexes"), s.failedIndexes, err));
  }
  if ((finishedChanged || terminatingChanged) && (s.terminating ?? 0) > 0 && finished) {
    errs.push(
      invalid(p.child("terminating"), s.terminating ?? 0, "terminating>0 is invalid for finished job"),
    );
  }
  if ((readyChanged || activeChanged) && s.ready != null && s.ready > (s.active ?? 0)) {
    errs.push(invalid(p.child("ready"), s.ready, "cannot set more ready pods than active"));
  }
  const successMet = conditionTrue(s, "SuccessCriteriaMet");
  if (successMet && failed)
    errs.push(
      invalid(conditionsPath, omitValue, "cannot set SuccessCriteriaMet=True and Failed=true conditions"),
    );
  if (successMet && conditionTrue(s, "FailureTarget")) {
    errs.push(
      invalid(
        conditionsPath,
        omitValue,
        "cannot set SuccessCriteriaMet=True and FailureTarget=true conditions",
      ),
    );
  }
  if (spec.successPolicy != null && !successMet && complete) {
    errs.push(
      invalid(
        conditionsPath,
        omitValue,
        "cannot set Complete=True for Job with SuccessPolicy unless SuccessCriteriaMet=True",
      ),
    );
  }
  // Transitions.
  for (const type of ["Failed", "Complete", "FailureTarget"]) {
    if (conditionTrue(os, type) && !conditionTrue(s, type)) {
      errs.push(invalid(conditionsPath, omitValue, `cannot disable the terminal ${type}=True condition`));
    }
  }
  if ((s.failed ?? 0) < (os.failed ?? 0))
    errs.push(invalid(p.child("failed"), s.failed ?? 0, "cannot decrease the failed counter"));
  const rejectDecreasingSucceeded = !indexed || (spec.completions ?? null) !== (spec.parallelism ?? null);
  if (rejectDecreasingSucceeded && (s.succeeded ?? 0) < (os.succeeded ?? 0)) {
    errs.push(invalid(p.child("succeeded"), s.succeeded ?? 0, "cannot decrease the succeeded counter"));
  }
  if (
    s.completionTime != null &&
    os.completionTime != null &&
    timeOf(s.completionTime) !== timeOf(os.completionTime)
  ) {
    errs.push(invalid(p.child("completionTime"), s.completionTime, "completionTime cannot be mutated"));
  }
  if (startChanged && os.startTime != null && spec.suspend !== true) {
    errs.push(required(p.child("startTime"), "startTime cannot be removed for unsuspended job"));
  }
  if (conditionTrue(os, "SuccessCriteriaMet") && !successMet) {
    errs.push(invalid(conditionsPath, omitValue, "cannot disable the SuccessCriteriaMet=True condition"));
  }
  if (conditionTrue(os, "Complete") && !conditionTrue(os, "SuccessCriteriaMet") && successMet) {
    errs.push(
      invalid(
        conditionsPath,
        omitValue,
        "cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions",
      ),
    );
  }
  return errs;
}

// --- CronJob ---------------------------------------------------------------------------

const validTimeZoneCharacters = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateTimeZone(tz: string | null | undefined, path: Path): FieldError[] {
  if (tz == null) return [];
  if (tz.length === 0) return [invalid(path, tz, "timeZone must be nil or non-empty string")];
  for (const part of tz.split("/")) {
    if (part === "." || part === ".." || part.startsWith("-") || !validTimeZoneCharacters.test(part)) {
      return [invalid(path, tz, `unknown time zone ${tz}`)];
    }
  }
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === "local") {
    errs.push(
      invalid(
        path,
        tz,
        "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
      ),
    );
  }
  const err = loadLocationError(tz);
  if (err !== null) errs.push(invalid(path, tz, err));
  return errs;
}

function validateCronJobSpec(
  spec: NonNullable<CronJob["spec"]>,
  oldSpec: NonNullable<CronJob["spec"]> | null,
  path: Path,
  opts: PodValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = spec.schedule ?? "";
  const sp = path.child("schedule");
  if (schedule.length === 0) {
    errs.push(required(sp, ""));
  } else {
    const allowTZ = oldSpec !== null && (oldSpec.schedule ?? "").includes("TZ");
    const err = parseStandardError(schedule);
    if (err !== null) errs.push(invalid(sp, schedule, err));
    if (allowTZ && schedule.includes("TZ") && spec.timeZone != null) {
      errs.push(invalid(sp, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
    } else if (!allowTZ && schedule.includes("TZ")) {
      errs.push(invalid(sp, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
    }
  }
  if (spec.startingDeadlineSeconds != null) {
    errs.push(...validateNonnegative(spec.startingDeadlineSeconds, path.child("startingDeadlineSeconds")));
  }
  if (oldSpec === null || (oldSpec.timeZone ?? null) !== (spec.timeZone ?? null)) {
    errs.push(...validateTimeZone(spec.timeZone, path.child("timeZone")));
  }
  const cp = spec.concurrencyPolicy ?? "";
  if (cp === "") errs.push(required(path.child("concurrencyPolicy"), ""));
  else if (!["Allow", "Forbid", "Replace"].includes(cp))
    errs.push(notSupported(path.child("concurrencyPolicy"), cp, ["Allow", "Forbid", "Replace"]));
  const tplPath = path.child("jobTemplate");
  const jobSpec = (spec.jobTemplate?.spec ?? {}) as JobSpecLike;
  errs.push(...validateJobSpecBody(jobSpec, tplPath.child("spec"), opts));
  if (jobSpec.selector != null) {
    errs.push(
      invalid(
        tplPath.child("spec", "selector"),
        goLabelSelector(jobSpec.selector),
        "`selector` will be auto-generated",
      ),
    );
  }
  if (jobSpec.manualSelector === true)
    errs.push(notSupported(tplPath.child("spec", "manualSelector"), true, ["nil", "false"]));
  if (spec.successfulJobsHistoryLimit != null) {
    errs.push(
      ...validateNonnegative(spec.successfulJobsHistoryLimit, path.child("successfulJobsHistoryLimit")),
    );
  }
  if (spec.failedJobsHistoryLimit != null) {
    errs.push(...validateNonnegative(spec.failedJobsHistoryLimit, path.child("failedJobsHistoryLimit")));
  }
  return errs;
}

/** ValidateCronJobCreate: CronJob names leave room for the 11-character job suffix. */
export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain, metaPath);
  errs.push(
    ...validateCronJobSpec(
      cj.spec ?? ({} as NonNullable<CronJob["spec"]>),
      null,
      specPath,
      defaultPodValidationOptions(),
    ),
  );
  const name = cj.metadata?.name ?? "";
  if (byteLen(name) > 63 - 11)
    errs.push(invalid(metaPath.child("name"), name, "must be no more than 52 characters"));
  return errs;
}

/** ValidateCronJobUpdate. */
export function validateCronJobUpdate(cj: CronJob, old: CronJob): FieldError[] {
  const errs = validateObjectMetaUpdate(cj.metadata, old.metadata, metaPath);
  errs.push(
    ...validateCronJobSpec(
      cj.spec ?? ({} as NonNullable<CronJob["spec"]>),
      old.spec ?? ({} as NonNullable<CronJob["spec"]>),
      specPath,
      defaultPodValidationOptions(),
    ),
  );
  return errs;
}
