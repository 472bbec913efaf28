// The Pod Security admission logic, independent of how the apiserver calls
// it: a port of k8s.io/pod-security-admission/admission (admission.go,
// response.go) as of v1.32. Pods are enforced; pod-template resources only
// warn and audit; namespace label changes are validated and dry-run against
// the namespace's existing pods.
import type { PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { type FieldError, goQuote, toAggregate } from "../../../../machinery/field-errors.ts";
import {
  newBadRequest,
  newForbidden,
  newInternalError,
  newInvalid,
  type StatusError,
} from "../../../../machinery/status.ts";
import type { Obj } from "../../admission.ts";
import {
  AUDIT_LEVEL_LABEL,
  AUDIT_VERSION_LABEL,
  AUDIT_VIOLATIONS_ANNOTATION_KEY,
  compareLevels,
  ENFORCE_LEVEL_LABEL,
  ENFORCE_VERSION_LABEL,
  ENFORCED_POLICY_ANNOTATION_KEY,
  EXEMPTION_REASON_ANNOTATION_KEY,
  fullyPrivileged,
  LATEST,
  type Level,
  type LevelVersion,
  levelVersionString,
  levelVersionsEqual,
  type Policy,
  parseLevel,
  parseVersion,
  policiesEquivalent,
  policyToEvaluate,
  versionsEqual,
  WARN_LEVEL_LABEL,
  WARN_VERSION_LABEL,
} from "./api.ts";
import {
  type AggregateCheckResult,
  aggregateCheckResults,
  forbiddenDetail,
  forbiddenReason,
} from "./policy/check.ts";
import type { Evaluator } from "./policy/registry.ts";

const DEFAULT_NAMESPACE_MAX_PODS_TO_CHECK = 3000;
const DEFAULT_NAMESPACE_POD_CHECK_TIMEOUT_MS = 1000;

/** PodSecurityConfiguration.defaults, with upstream's field names. */
export interface PodSecurityDefaults {
  enforce?: string;
  "enforce-version"?: string;
  audit?: string;
  "audit-version"?: string;
  warn?: string;
  "warn-version"?: string;
}

/** PodSecurityConfiguration.exemptions: requests that are never evaluated. */
export interface PodSecurityExemptions {
  usernames?: string[];
  namespaces?: string[];
  runtimeClasses?: string[];
}

export interface NamespaceGetter {
  /** The namespace object; rejects when it cannot be read. */
  getNamespace(name: string): Promise<Obj>;
}

export interface PodLister {
  listPods(namespace: string): Promise<Obj[]>;
}

/** What the admission logic needs to know about a request. */
export interface PodSecurityAttributes {
  operation: string;
  kind: { group: string; kind: string };
  resource: { group: string; resource: string };
  subresource: string;
  namespace: string;
  name: string;
  username: string;
  object?: Obj;
  oldObject?: Obj;
}

export interface PodSecurityResponse {
  allowed: boolean;
  /** Why not, when not allowed. */
  error?: StatusError;
  warnings: string[];
  /** Keys without the pod-security.kubernetes.io/ prefix, as upstream's response carries them. */
  auditAnnotations: Record<string, string>;
}

/**
 * ToPolicy: the configured defaults (privileged:latest where unset). Throws on
 * an invalid level or version, as the apiserver refuses to start with one.
 */
export function toPolicy(defaults: PodSecurityDefaults = {}): Policy {
  const errs: string[] = [];
  const level = (field: keyof PodSecurityDefaults): Level => {
    const v = defaults[field];
    if (v === undefined || v === "") return "privileged";
    const r = parseLevel(v);
    if (r.error) errs.push(`${field}: Invalid value: ${goQuote(v)}: ${r.error}`);
    return r.level;
  };
  const version = (field: keyof PodSecurityDefaults) => {
    const v = defaults[field];
    if (v === undefined || v === "") return LATEST;
    const r = parseVersion(v);
    if (r.error) errs.push(`${field}: Invalid value: ${goQuote(v)}: ${r.error}`);
    return r.version;
  };
  const p: Policy = {
    enforce: { level: level("enforce"), version: version("enforce-version") },
    audit: { level: level("audit"), version: version("audit-version") },
    warn: { level: level("warn"), version: version("warn-version") },
  };
  if (errs.length > 0) throw new Error(`invalid PodSecurity defaults: ${errs.join(", ")}`);
  return p;
}

const NAMESPACES = "namespaces";
const PODS = "pods";

/** The resources whose objects embed a pod template (DefaultPodSpecExtractor). */
const POD_SPEC_RESOURCES = new Set([
  "/pods",
  "/replicationcontrollers",
  "/podtemplates",
  "apps/replicasets",
  "apps/deployments",
  "apps/statefulsets",
  "apps/daemonsets",
  "batch/jobs",
  "batch/cronjobs",
]);

export function hasPodSpec(group: string, resource: string): boolean {
  return POD_SPEC_RESOURCES.has(`${group}/${resource}`);
}

/**
 * ExtractPodSpec: the pod metadata and spec to evaluate, or undefined when
 * the object has none (a ReplicationController without a template). Go's
 * value-typed templates are always present, so a missing one is empty.
 */
export function extractPodSpec(
  group: string,
  resource: string,
  obj: Obj,
): { metadata: ObjectMeta; spec: PodSpec } | undefined {
  const fromTemplate = (t: Obj | undefined) => ({ metadata: t?.metadata ?? {}, spec: t?.spec ?? {} });
  switch (`${group}/${resource}`) {
    case "/pods":
      return { metadata: obj.metadata ?? {}, spec: obj.spec ?? {} };
    case "/podtemplates":
      return fromTemplate(obj.template);
    case "/replicationcontrollers":
      return obj.spec?.template == null ? undefined : fromTemplate(obj.spec.template);
    case "batch/cronjobs":
      return fromTemplate(obj.spec?.jobTemplate?.spec?.template);
    default:
      return fromTemplate(obj.spec?.template);
  }
}

// Subresources that cannot change a pod's spec. Any other pod subresource
// (ephemeralcontainers, resize, ...) carries a pod and is evaluated.
const IGNORED_POD_SUBRESOURCES = new Set([
  "exec",
  "attach",
  "binding",
  "eviction",
  "log",
  "portforward",
  "proxy",
  "status",
]);

function allowed(
  auditAnnotations: Record<string, string> = {},
  warnings: string[] = [],
): PodSecurityResponse {
  return { allowed: true, warnings, auditAnnotations };
}

function denied(error: StatusError, auditAnnotations: Record<string, string> = {}): PodSecurityResponse {
  return { allowed: false, error, warnings: [], auditAnnotations };
}

/** errorResponse: the status, plus its message (and cause) as the "error" audit annotation. */
function errorResponse(cause: Error | undefined, status: StatusError): PodSecurityResponse {
  const message = status.status.message ?? "";
  return denied(status, { error: cause ? `${message}: ${cause.message}` : message });
}

const allowedByExemption = (reason: string) => allowed({ [EXEMPTION_REASON_ANNOTATION_KEY]: reason });

export interface PodSecurityAdmissionOptions {
  evaluator: Evaluator;
  namespaceGetter: NamespaceGetter;
  podLister: PodLister;
  defaults?: PodSecurityDefaults;
  exemptions?: PodSecurityExemptions;
  /** Milliseconds, for the time bound on checking a namespace's pods. */
  now?: () => number;
  namespaceMaxPodsToCheck?: number;
  namespacePodCheckTimeoutMs?: number;
}

/** Admission: evaluates requests against the namespace's Pod Security policy. */
export class PodSecurityAdmission {
  readonly defaultPolicy: Policy;
  private readonly evaluator: Evaluator;
  private readonly namespaceGetter: NamespaceGetter;
  private readonly podLister: PodLister;
  private readonly exemptions: Required<PodSecurityExemptions>;
  private readonly now: () => number;
  private readonly maxPodsToCheck: number;
  private readonly podCheckTimeoutMs: number;

  constructor(opts: PodSecurityAdmissionOptions) {
    this.defaultPolicy = toPolicy(opts.defaults);
    this.evaluator = opts.evaluator;
    this.namespaceGetter = opts.namespaceGetter;
    this.podLister = opts.podLister;
    this.exemptions = {
      usernames: opts.exemptions?.usernames ?? [],
      namespaces: opts.exemptions?.namespaces ?? [],
      runtimeClasses: opts.exemptions?.runtimeClasses ?? [],
    };
    this.now = opts.now ?? Date.now;
    this.maxPodsToCheck = opts.namespaceMaxPodsToCheck ?? DEFAULT_NAMESPACE_MAX_PODS_TO_CHECK;
    this.podCheckTimeoutMs = opts.namespacePodCheckTimeoutMs ?? DEFAULT_NAMESPACE_POD_CHECK_TIMEOUT_MS;
  }

  policyToEvaluate(labels: Record<string, string> | undefined): { policy: Policy; errors: FieldError[] } {
    return policyToEvaluate(labels, this.defaultPolicy);
  }

  async validate(attrs: PodSecurityAttributes): Promise<PodSecurityResponse> {
    if (attrs.resource.group === "") {
      if (attrs.resource.resource === NAMESPACES) return this.validateNamespace(attrs);
      if (attrs.resource.resource === PODS) return this.validatePod(attrs);
    }
    return this.validatePodController(attrs);
  }

  /**
   * Namespaces must carry valid labels; tightening the enforce level warns
   * about the existing pods that would now be refused.
   */
  async validateNamespace(attrs: PodSecurityAttributes): Promise<PodSecurityResponse> {
    if (attrs.subresource !== "") return allowed();
    const namespace = attrs.object;
    if (!namespace || (namespace.kind !== undefined && namespace.kind !== "Namespace")) {
      return errorResponse(undefined, newBadRequest("failed to decode namespace"));
    }
    const name: string = namespace.metadata?.name ?? attrs.name;
    const labels: Record<string, string> | undefined = namespace.metadata?.labels;
    const { policy: newPolicy, errors: newErrs } = this.policyToEvaluate(labels);

    switch (attrs.operation) {
      case "CREATE": {
        if (newErrs.length > 0) return denied(newInvalid(attrs.kind, attrs.name, newErrs));
        if (this.exemptNamespace(name)) {
          const warning = this.exemptNamespaceWarning(name, newPolicy, labels ?? {});
          if (warning) return allowed({}, [warning]);
        }
        return allowed();
      }
      case "UPDATE": {
        const old = attrs.oldObject;
        if (!old) return errorResponse(undefined, newBadRequest("failed to decode  old namespace"));
        const { policy: oldPolicy, errors: oldErrs } = this.policyToEvaluate(old.metadata?.labels);
        // Bad labels are refused only when they are new, so an old namespace stays updatable.
        if (newErrs.length > 0 && (oldErrs.length === 0 || !sameErrors(newErrs, oldErrs))) {
          return denied(newInvalid(attrs.kind, attrs.name, newErrs));
        }
        if (levelVersionsEqual(newPolicy.enforce, oldPolicy.enforce)) return allowed();
        if (newPolicy.enforce.level === "privileged") return allowed();
        if (
          versionsEqual(newPolicy.enforce.version, oldPolicy.enforce.version) &&
          compareLevels(newPolicy.enforce.level, oldPolicy.enforce.level) < 1
        ) {
          return allowed();
        }
        if (this.exemptNamespace(name)) {
          const warning = this.exemptNamespaceWarning(name, newPolicy, labels ?? {});
          return warning ? allowed({}, [warning]) : allowed();
        }
        return allowed({}, await this.evaluatePodsInNamespace(name, newPolicy.enforce));
      }
      default:
        return allowed();
    }
  }

  /** Pods are evaluated on create and on updates that can change what runs. */
  async validatePod(attrs: PodSecurityAttributes): Promise<PodSecurityResponse> {
    if (IGNORED_POD_SUBRESOURCES.has(attrs.subresource)) return allowed();
    if (this.exemptNamespace(attrs.namespace)) return allowedByExemption("namespace");
    if (this.exemptUser(attrs.username)) return allowedByExemption("user");

    let namespace: Obj;
    try {
      namespace = await this.namespaceGetter.getNamespace(attrs.namespace);
    } catch (e) {
      return errorResponse(
        e instanceof Error ? e : new Error(String(e)),
        newInternalError(`failed to lookup namespace ${goQuote(attrs.namespace)}`),
      );
    }
    const { policy, errors } = this.policyToEvaluate(namespace.metadata?.labels);
    if (errors.length === 0 && fullyPrivileged(policy)) {
      return allowed({
        [ENFORCED_POLICY_ANNOTATION_KEY]: levelVersionString({ level: "privileged", version: LATEST }),
      });
    }

    const pod = attrs.object;
    if (!pod || (pod.kind !== undefined && pod.kind !== "Pod")) {
      return errorResponse(undefined, newBadRequest("failed to decode pod"));
    }
    if (attrs.operation === "UPDATE") {
      const oldPod = attrs.oldObject;
      if (!oldPod || (oldPod.kind !== undefined && oldPod.kind !== "Pod")) {
        return errorResponse(undefined, newBadRequest("failed to decode old pod"));
      }
      if (!isSignificantPodUpdate(pod, oldPod)) return allowed();
    }
    return this.evaluatePod(policy, errors, pod.metadata ?? {}, pod.spec ?? {}, attrs, true);
  }

  /** Pod-template resources are never refused: they only warn and audit. */
  async validatePodController(attrs: PodSecurityAttributes): Promise<PodSecurityResponse> {
    if (attrs.subresource !== "") return allowed();
    if (this.exemptNamespace(attrs.namespace)) return allowedByExemption("namespace");
    if (this.exemptUser(attrs.username)) return allowedByExemption("user");

    let namespace: Obj;
    try {
      namespace = await this.namespaceGetter.getNamespace(attrs.namespace);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      return allowed({ error: `failed to lookup namespace ${goQuote(attrs.namespace)}: ${msg}` });
    }
    const { policy, errors } = this.policyToEvaluate(namespace.metadata?.labels);
    if (errors.length === 0 && policy.warn.level === "privileged" && policy.audit.level === "privileged") {
      return allowed();
    }
    if (!attrs.object) return allowed({ error: "failed to decode object" });
    const extracted = extractPodSpec(attrs.resource.group, attrs.resource.resource, attrs.object);
    if (!extracted) return allowed();
    return this.evaluatePod(policy, errors, extracted.metadata, extracted.spec, attrs, false);
  }

  /** EvaluatePod: enforce (pods only), then audit, then warn (unless refused). */
  evaluatePod(
    policy: Policy,
    policyErrors: readonly FieldError[],
    podMetadata: ObjectMeta,
    podSpec: PodSpec,
    attrs: PodSecurityAttributes,
    enforce: boolean,
  ): PodSecurityResponse {
    if (this.exemptRuntimeClass(podSpec.runtimeClassName)) return allowedByExemption("runtimeClass");

    const auditAnnotations: Record<string, string> = {};
    const agg = toAggregate(policyErrors);
    if (agg) auditAnnotations.error = `Failed to parse policy: ${agg.error()}`;

    // Reuse a result when two modes share level and version.
    const cache = new Map<string, AggregateCheckResult>();
    const evaluate = (lv: LevelVersion, remember: boolean) => {
      const key = levelVersionString(lv);
      let r = cache.get(key);
      if (!r) {
        r = aggregateCheckResults(this.evaluator.evaluatePod(lv, podMetadata, podSpec));
        if (remember) cache.set(key, r);
      }
      return r;
    };

    let response = allowed(auditAnnotations);
    if (enforce) {
      auditAnnotations[ENFORCED_POLICY_ANNOTATION_KEY] = levelVersionString(policy.enforce);
      const result = evaluate(policy.enforce, true);
      if (!result.allowed) {
        response = denied(
          newForbidden(
            { group: attrs.resource.group, resource: attrs.resource.resource },
            attrs.name,
            `violates PodSecurity ${goQuote(levelVersionString(policy.enforce))}: ${forbiddenDetail(result)}`,
          ),
          auditAnnotations,
        );
      }
    }

    const auditResult = evaluate(policy.audit, true);
    if (!auditResult.allowed) {
      auditAnnotations[AUDIT_VIOLATIONS_ANNOTATION_KEY] =
        `would violate PodSecurity ${goQuote(levelVersionString(policy.audit))}: ${forbiddenDetail(auditResult)}`;
    }

    // No warnings on a request that is refused anyway.
    if (response.allowed) {
      const warnResult = evaluate(policy.warn, false);
      if (!warnResult.allowed) {
        response.warnings.push(
          `would violate PodSecurity ${goQuote(levelVersionString(policy.warn))}: ${forbiddenDetail(warnResult)}`,
        );
      }
    }
    response.auditAnnotations = auditAnnotations;
    return response;
  }

  /**
   * EvaluatePodsInNamespace: the namespace's pods (one per controller first)
   * against a new enforce level, within a pod count and time bound; pods
   * with the same violations share one warning.
   */
  async evaluatePodsInNamespace(namespace: string, enforce: LevelVersion): Promise<string[]> {
    const deadline = this.now() + this.podCheckTimeoutMs;
    let pods: Obj[];
    try {
      pods = await this.podLister.listPods(namespace);
    } catch {
      return ["failed to list pods while checking new PodSecurity enforce level"];
    }

    let prioritized = this.prioritizePods(pods);
    const totalPods = prioritized.length;
    if (prioritized.length > this.maxPodsToCheck) prioritized = prioritized.slice(0, this.maxPodsToCheck);

    const podWarnings: string[] = [];
    const counts = new Map<string, { podName: string; podCount: number }>();
    let checkedPods = prioritized.length;
    for (let i = 0; i < prioritized.length; i++) {
      const pod = prioritized[i];
      const podName: string = pod.metadata?.name ?? "";
      const r = aggregateCheckResults(
        this.evaluator.evaluatePod(enforce, pod.metadata ?? {}, pod.spec ?? {}),
      );
      if (!r.allowed) {
        const warning = forbiddenReason(r);
        const c = counts.get(warning);
        if (!c) {
          counts.set(warning, { podName, podCount: 1 });
          podWarnings.push(warning);
        } else {
          if (podName < c.podName) c.podName = podName;
          c.podCount++;
        }
      }
      if (this.now() > deadline) {
        checkedPods = i + 1;
        break;
      }
    }

    const warnings: string[] = [];
    if (checkedPods < totalPods) {
      warnings.push(
        `new PodSecurity enforce level only checked against the first ${checkedPods} of ${totalPods} existing pods`,
      );
    }
    if (podWarnings.length > 0) {
      warnings.push(
        `existing pods in namespace ${goQuote(namespace)} violate the new PodSecurity enforce level ${goQuote(levelVersionString(enforce))}`,
      );
    }
    const decorated = podWarnings.map((warning) => {
      const c = counts.get(warning)!;
      if (c.podCount === 1) return `${c.podName}: ${warning}`;
      if (c.podCount === 2) return `${c.podName} (and 1 other pod): ${warning}`;
      return `${c.podName} (and ${c.podCount - 1} other pods): ${warning}`;
    });
    decorated.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return [...warnings, ...decorated];
  }

  /** Pods of exempt runtime classes are skipped; the first pod of each controller comes first. */
  private prioritizePods(pods: readonly Obj[]): Obj[] {
    const prioritized: Obj[] = [];
    const duplicates: Obj[] = [];
    const evaluatedControllers = new Set<string>();
    for (const pod of pods) {
      if (this.exemptRuntimeClass(pod.spec?.runtimeClassName)) continue;
      const controllerRef = (pod.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller === true);
      if (!controllerRef) {
        prioritized.push(pod);
        continue;
      }
      if (evaluatedControllers.has(controllerRef.uid)) {
        duplicates.push(pod);
        continue;
      }
      prioritized.push(pod);
      evaluatedControllers.add(controllerRef.uid);
    }
    return [...prioritized, ...duplicates];
  }

  private exemptNamespace(namespace: string): boolean {
    return namespace !== "" && this.exemptions.namespaces.includes(namespace);
  }

  private exemptUser(username: string): boolean {
    return username !== "" && this.exemptions.usernames.includes(username);
  }

  private exemptRuntimeClass(runtimeClass: string | undefined): boolean {
    return !!runtimeClass && this.exemptions.runtimeClasses.includes(runtimeClass);
  }

  /** A warning when a non-privileged policy is set on an exempt namespace, listing the modes set by label. */
  private exemptNamespaceWarning(namespace: string, policy: Policy, labels: Record<string, string>): string {
    if (fullyPrivileged(policy) || policiesEquivalent(policy, this.defaultPolicy)) return "";
    const has = (k: string) => Object.hasOwn(labels, k);
    const parts: string[] = [];
    if (policy.enforce.level !== "privileged" && (has(ENFORCE_LEVEL_LABEL) || has(ENFORCE_VERSION_LABEL))) {
      parts.push(`enforce=${levelVersionString(policy.enforce)}`);
    }
    if (policy.audit.level !== "privileged" && (has(AUDIT_LEVEL_LABEL) || has(AUDIT_VERSION_LABEL))) {
      parts.push(`audit=${levelVersionString(policy.audit)}`);
    }
    if (policy.warn.level !== "privileged" && (has(WARN_LEVEL_LABEL) || has(WARN_VERSION_LABEL))) {
      parts.push(`warn=${levelVersionString(policy.warn)}`);
    }
    return `namespace ${goQuote(namespace)} is exempt from Pod Security, and the policy (${parts.join(", ")}) will be ignored`;
  }
}

function sameErrors(a: readonly FieldError[], b: readonly FieldError[]): boolean {
  return a.length === b.length && a.every((e, i) => e.error() === b[i].error());
}

/**
 * isSignificantPodUpdate: only a changed container set or image can change
 * the verdict (the other security fields are immutable), so other updates,
 * metadata-only ones included, are not evaluated.
 */
export function isSignificantPodUpdate(pod: Obj, oldPod: Obj): boolean {
  const spec: Obj = pod.spec ?? {};
  const oldSpec: Obj = oldPod.spec ?? {};
  const containers: Obj[] = spec.containers ?? [];
  const oldContainers: Obj[] = oldSpec.containers ?? [];
  const inits: Obj[] = spec.initContainers ?? [];
  const oldInits: Obj[] = oldSpec.initContainers ?? [];
  if (containers.length !== oldContainers.length) return true;
  if (inits.length !== oldInits.length) return true;
  if (containers.some((c, i) => (c.image ?? "") !== (oldContainers[i].image ?? ""))) return true;
  if (inits.some((c, i) => (c.image ?? "") !== (oldInits[i].image ?? ""))) return true;
  const oldEphemeral: Obj[] = oldSpec.ephemeralContainers ?? [];
  for (const c of (spec.ephemeralContainers ?? []) as Obj[]) {
    const old = oldEphemeral.find((o) => o.name === c.name);
    if (!old) return true;
    if ((c.image ?? "") !== (old.image ?? "")) return true;
  }
  return false;
}
