// Validation of flowcontrol.apiserver.k8s.io/v1 FlowSchema and
// PriorityLevelConfiguration (pkg/apis/flowcontrol/validation/validation.go,
// v1.32), as the registry strategies call it: Validate and ValidateUpdate run
// the whole object's checks on the new object, the /status strategies check
// the status only.
//
// Objects are defaulted v1 JSON; upstream validates the internal types they
// convert to, so an absent field reads as Go's zero value and a pointer field
// is nil when absent or null. The mandatory objects ("exempt" and "catch-all"
// of each kind) must keep the spec the apiserver bootstraps them with
// (staging/.../apis/flowcontrol/bootstrap/default.go); as Semantic.DeepEqual
// does, an empty list equals an absent one there.

import type {
  ExemptPriorityLevelConfiguration,
  FlowSchema,
  FlowSchemaSpec,
  FlowSchemaStatus,
  LimitedPriorityLevelConfiguration,
  LimitResponse,
  NonResourcePolicyRule,
  PolicyRulesWithSubjects,
  PriorityLevelConfiguration,
  PriorityLevelConfigurationSpec,
  PriorityLevelConfigurationStatus,
  QueuingConfiguration,
  ResourcePolicyRule,
  Subject,
} from "kubernetes-types/flowcontrol/v1.d.ts";
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
} from "../../machinery/field-errors.ts";
import {
  nameIsDNSSubdomain,
  validateNamespaceName,
  validateServiceAccountName,
} from "../../machinery/object-meta.ts";
import { mandatoryFlowSchemas, mandatoryPriorityLevels } from "../flowcontrol/bootstrap.ts";
import { validateObjectMeta } from "./common.ts";
import { goPointer, goStringSliceText } from "./gofmt.ts";

const metaPath = newPath("metadata");
const specPath = newPath("spec");
const statusPath = newPath("status");

/** flowcontrol.FlowSchemaMaxMatchingPrecedence. */
const flowSchemaMaxMatchingPrecedence = 10000;
/** priorityLevelConfigurationQueuingMaxQueues: 10^7. */
const maxQueues = 10 * 1000 * 1000;
/** shufflesharding.MaxHashBits. */
const maxHashBits = 60;

/** The v1beta3 round-trip annotation, which no stored object may carry. */
export const preserveZeroConcurrencySharesKey = "flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares";

// The sets' List(): sorted.
const supportedDistinguisherMethods = ["ByNamespace", "ByUser"];
const supportedVerbs = [
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "proxy",
  "update",
  "watch",
];
const supportedSubjectKinds = ["Group", "ServiceAccount", "User"];
const supportedPriorityLevelEnablement = ["Exempt", "Limited"];
const supportedLimitResponseType = ["Queue", "Reject"];

const nsErrIntro = "each member of this list must be '*' or a DNS-1123 label; ";

function hasWildcard(list: readonly string[]): boolean {
  return list.includes("*");
}

function stringSlice(list: readonly string[] | null | undefined): GoValue {
  return new GoValue(goStringSliceText(list));
}

// --- FlowSchema ---------------------------------------------------------------------------

/** ValidateFlowSchema: metadata, spec, the mandatory schemas' fixed specs, status. */
export function validateFlowSchema(fs: FlowSchema): FieldError[] {
  const errs = validateObjectMeta(fs.metadata, false, nameIsDNSSubdomain, metaPath);
  const name = fs.metadata?.name ?? "";
  const spec = fs.spec ?? ({} as FlowSchemaSpec);
  errs.push(...validateFlowSchemaSpec(name, spec, specPath));
  const mand = mandatoryFlowSchemaSpecs.get(name);
  if (mand !== undefined && canonical(flowSchemaSpecShape(spec)) !== canonical(mand)) {
    errs.push(invalid(specPath, goFlowSchemaSpec(spec), `spec of '${name}' must equal the fixed value`));
  }
  errs.push(...validateFlowSchemaStatus(fs.status ?? {}, statusPath));
  return errs;
}

/** ValidateFlowSchemaUpdate: the new object is checked as on create. */
export function validateFlowSchemaUpdate(fs: FlowSchema, _old: FlowSchema): FieldError[] {
  return validateFlowSchema(fs);
}

/** ValidateFlowSchemaStatusUpdate. */
export function validateFlowSchemaStatusUpdate(fs: FlowSchema, _old: FlowSchema): FieldError[] {
  return validateFlowSchemaStatus(fs.status ?? {}, statusPath);
}

/** ValidateFlowSchemaSpec. */
export function validateFlowSchemaSpec(fsName: string, spec: FlowSchemaSpec, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const precedence = spec.matchingPrecedence ?? 0;
  const mp = path.child("matchingPrecedence");
  if (precedence <= 0) errs.push(invalid(mp, precedence, "must be a positive value"));
  if (precedence > flowSchemaMaxMatchingPrecedence) {
    errs.push(invalid(mp, precedence, `must not be greater than ${flowSchemaMaxMatchingPrecedence}`));
  }
  if (precedence === 1 && fsName !== "exempt") {
    errs.push(invalid(mp, precedence, "only the schema named 'exempt' may have matchingPrecedence 1"));
  }
  const dm = spec.distinguisherMethod;
  if (dm != null && !supportedDistinguisherMethods.includes(dm.type ?? "")) {
    errs.push(
      notSupported(
        path.child("distinguisherMethod", "type"),
        new GoValue(`flowcontrol.FlowDistinguisherMethod{Type:${goQuote(dm.type ?? "")}}`),
        supportedDistinguisherMethods,
      ),
    );
  }
  const plName = spec.priorityLevelConfiguration?.name ?? "";
  const plPath = path.child("priorityLevelConfiguration", "name");
  if (plName.length > 0) {
    for (const msg of nameIsDNSSubdomain(plName, false)) errs.push(invalid(plPath, plName, msg));
  } else {
    errs.push(required(plPath, "must reference a priority level"));
  }
  (spec.rules ?? []).forEach((rule, i) => {
    errs.push(...validateFlowSchemaPolicyRulesWithSubjects(rule, path.child("rules").index(i)));
  });
  return errs;
}

/** ValidateFlowSchemaPolicyRulesWithSubjects. */
function validateFlowSchemaPolicyRulesWithSubjects(rule: PolicyRulesWithSubjects, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const subjects = rule.subjects ?? [];
  if (subjects.length > 0) {
    subjects.forEach((s, i) => {
      errs.push(...validateFlowSchemaSubject(s, path.child("subjects").index(i)));
    });
  } else {
    errs.push(required(path.child("subjects"), "subjects must contain at least one value"));
  }
  const resourceRules = rule.resourceRules ?? [];
  const nonResourceRules = rule.nonResourceRules ?? [];
  if (resourceRules.length === 0 && nonResourceRules.length === 0) {
    errs.push(required(path, "at least one of resourceRules and nonResourceRules has to be non-empty"));
  }
  resourceRules.forEach((r, i) => {
    errs.push(...validateFlowSchemaResourcePolicyRule(r, path.child("resourceRules").index(i)));
  });
  nonResourceRules.forEach((r, i) => {
    errs.push(...validateFlowSchemaNonResourcePolicyRule(r, path.child("nonResourceRules").index(i)));
  });
  return errs;
}

const forbiddenUser = (path: Path) =>
  forbidden(path.child("user"), "user is forbidden when subject kind is not 'User'");
const forbiddenGroup = (path: Path) =>
  forbidden(path.child("group"), "group is forbidden when subject kind is not 'Group'");
const forbiddenServiceAccount = (path: Path) =>
  forbidden(
    path.child("serviceAccount"),
    "serviceAccount is forbidden when subject kind is not 'ServiceAccount'",
  );

/** ValidateFlowSchemaSubject: the member named by kind is checked, the other two must be nil. */
function validateFlowSchemaSubject(subject: Subject, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  switch (subject.kind) {
    case "ServiceAccount":
      errs.push(...validateServiceAccountSubject(subject.serviceAccount, path.child("serviceAccount")));
      if (subject.user != null) errs.push(forbiddenUser(path));
      if (subject.group != null) errs.push(forbiddenGroup(path));
      break;
    case "User":
      errs.push(...validateNamedSubject(subject.user, path.child("user"), "user", "User"));
      if (subject.serviceAccount != null) errs.push(forbiddenServiceAccount(path));
      if (subject.group != null) errs.push(forbiddenGroup(path));
      break;
    case "Group":
      errs.push(...validateNamedSubject(subject.group, path.child("group"), "group", "Group"));
      if (subject.serviceAccount != null) errs.push(forbiddenServiceAccount(path));
      if (subject.user != null) errs.push(forbiddenUser(path));
      break;
    default:
      errs.push(notSupported(path.child("kind"), subject.kind ?? "", supportedSubjectKinds));
  }
  return errs;
}

/** ValidateServiceAccountSubject: "*" matches any name; the namespace is required. */
function validateServiceAccountSubject(sa: Subject["serviceAccount"], path: Path): FieldError[] {
  if (sa == null) return [required(path, "serviceAccount is required when subject kind is 'ServiceAccount'")];
  const errs: FieldError[] = [];
  const name = sa.name ?? "";
  if (name.length === 0) {
    errs.push(required(path.child("name"), ""));
  } else if (name !== "*") {
    for (const msg of validateServiceAccountName(name, false))
      errs.push(invalid(path.child("name"), name, msg));
  }
  const namespace = sa.namespace ?? "";
  if (namespace.length > 0) {
    for (const msg of validateNamespaceName(namespace, false)) {
      errs.push(invalid(path.child("namespace"), namespace, msg));
    }
  } else {
    errs.push(required(path.child("namespace"), "must specify namespace for service account"));
  }
  return errs;
}

/** ValidateUserSubject and ValidateGroupSubject. */
function validateNamedSubject(
  subject: { name?: string } | null | undefined,
  path: Path,
  member: string,
  kind: string,
): FieldError[] {
  if (subject == null) return [required(path, `${member} is required when subject kind is '${kind}'`)];
  return (subject.name ?? "").length === 0 ? [required(path.child("name"), "")] : [];
}

/** The verbs check both rule kinds share. */
function validateVerbs(verbs: readonly string[], path: Path): FieldError[] {
  if (verbs.length === 0) return [required(path, "verbs must contain at least one value")];
  if (hasWildcard(verbs)) {
    return verbs.length > 1
      ? [invalid(path, stringSlice(verbs), "if '*' is present, must not specify other verbs")]
      : [];
  }
  if (!verbs.every((v) => supportedVerbs.includes(v)))
    return [notSupported(path, stringSlice(verbs), supportedVerbs)];
  return [];
}

/** ValidateFlowSchemaNonResourcePolicyRule. */
function validateFlowSchemaNonResourcePolicyRule(rule: NonResourcePolicyRule, path: Path): FieldError[] {
  const errs = validateVerbs(rule.verbs ?? [], path.child("verbs"));
  const urls = rule.nonResourceURLs ?? [];
  const urlsPath = path.child("nonResourceURLs");
  if (urls.length === 0) {
    errs.push(required(urlsPath, "nonResourceURLs must contain at least one value"));
  } else if (hasWildcard(urls)) {
    if (urls.length > 1) {
      errs.push(
        invalid(urlsPath, stringSlice(urls), "if '*' is present, must not specify other non-resource URLs"),
      );
    }
  } else {
    urls.forEach((url, i) => {
      const err = validateNonResourceURLPath(url, urlsPath.index(i));
      if (err !== null) errs.push(err);
    });
  }
  return errs;
}

/** ValidateFlowSchemaResourcePolicyRule. */
function validateFlowSchemaResourcePolicyRule(rule: ResourcePolicyRule, path: Path): FieldError[] {
  const errs = validateVerbs(rule.verbs ?? [], path.child("verbs"));
  const apiGroups = rule.apiGroups ?? [];
  if (apiGroups.length === 0) {
    errs.push(required(path.child("apiGroups"), "resource rules must supply at least one api group"));
  } else if (apiGroups.length > 1 && hasWildcard(apiGroups)) {
    errs.push(
      invalid(
        path.child("apiGroups"),
        stringSlice(apiGroups),
        "if '*' is present, must not specify other api groups",
      ),
    );
  }
  const resources = rule.resources ?? [];
  if (resources.length === 0) {
    errs.push(required(path.child("resources"), "resource rules must supply at least one resource"));
  } else if (resources.length > 1 && hasWildcard(resources)) {
    errs.push(
      invalid(
        path.child("resources"),
        stringSlice(resources),
        "if '*' is present, must not specify other resources",
      ),
    );
  }
  const namespaces = rule.namespaces ?? [];
  const nsPath = path.child("namespaces");
  if (namespaces.length === 0 && !rule.clusterScope) {
    errs.push(
      required(nsPath, "resource rules that are not cluster scoped must supply at least one namespace"),
    );
  } else if (hasWildcard(namespaces)) {
    if (namespaces.length > 1) {
      errs.push(
        invalid(nsPath, stringSlice(namespaces), "if '*' is present, must not specify other namespaces"),
      );
    }
  } else {
    namespaces.forEach((ns, i) => {
      for (const msg of validateNamespaceName(ns, false))
        errs.push(invalid(nsPath.index(i), ns, nsErrIntro + msg));
    });
  }
  return errs;
}

/**
 * ValidateNonResourceURLPath: "/" alone, or a path starting with a slash,
 * without spaces or "//", whose only wildcard is a trailing "/*".
 */
export function validateNonResourceURLPath(url: string, path: Path): FieldError | null {
  if (url.length === 0) return invalid(path, url, "must not be empty");
  if (url === "/") return null;
  if (!url.startsWith("/")) return invalid(path, url, "must start with slash");
  if (url.includes(" ")) return invalid(path, url, "must not contain white-space");
  if (url.includes("//")) return invalid(path, url, "must not contain double slash");
  const wildcards = url.split("*").length - 1;
  if (wildcards > 1 || (wildcards === 1 && !url.endsWith("/*"))) {
    return invalid(path, url, "wildcard can only do suffix matching");
  }
  return null;
}

/** ValidateFlowSchemaStatus and ValidatePriorityLevelConfigurationStatus: condition types unique and set. */
function validateConditions(
  status: FlowSchemaStatus | PriorityLevelConfigurationStatus,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (status.conditions ?? []).forEach((c, i) => {
    const type = c.type ?? "";
    const typePath = path.child("conditions").index(i).child("type");
    if (seen.has(type)) errs.push(duplicate(typePath, type));
    seen.add(type);
    if (type.length === 0) errs.push(required(typePath, "must not be empty"));
  });
  return errs;
}

/** ValidateFlowSchemaStatus. */
export function validateFlowSchemaStatus(status: FlowSchemaStatus, path: Path): FieldError[] {
  return validateConditions(status, path);
}

// --- PriorityLevelConfiguration -----------------------------------------------------------

/** ValidatePriorityLevelConfiguration: metadata, spec, the mandatory levels' fixed specs, status. */
export function validatePriorityLevelConfiguration(pl: PriorityLevelConfiguration): FieldError[] {
  const errs = validateObjectMeta(pl.metadata, false, nameIsDNSSubdomain, metaPath);
  if (
    pl.metadata?.annotations != null &&
    Object.hasOwn(pl.metadata.annotations, preserveZeroConcurrencySharesKey)
  ) {
    errs.push(
      forbidden(
        metaPath.child("annotations"),
        `annotation '${preserveZeroConcurrencySharesKey}' is forbidden`,
      ),
    );
  }
  const name = pl.metadata?.name ?? "";
  const spec = pl.spec ?? ({} as PriorityLevelConfigurationSpec);
  errs.push(...validatePriorityLevelConfigurationSpec(spec, name, specPath));
  errs.push(...validateIfMandatoryPriorityLevelConfigurationObject(name, spec, specPath));
  errs.push(...validateConditions(pl.status ?? {}, statusPath));
  return errs;
}

/** ValidatePriorityLevelConfigurationUpdate: the new object is checked as on create. */
export function validatePriorityLevelConfigurationUpdate(
  pl: PriorityLevelConfiguration,
  _old: PriorityLevelConfiguration,
): FieldError[] {
  return validatePriorityLevelConfiguration(pl);
}

/** ValidatePriorityLevelConfigurationStatusUpdate. */
export function validatePriorityLevelConfigurationStatusUpdate(
  pl: PriorityLevelConfiguration,
  _old: PriorityLevelConfiguration,
): FieldError[] {
  return validateConditions(pl.status ?? {}, statusPath);
}

/**
 * ValidateIfMandatoryPriorityLevelConfigurationObject: "catch-all" keeps its
 * whole spec; "exempt" everything but spec.exempt, which admins may tune.
 */
function validateIfMandatoryPriorityLevelConfigurationObject(
  name: string,
  spec: PriorityLevelConfigurationSpec,
  path: Path,
): FieldError[] {
  const mand = mandatoryPriorityLevelSpecs.get(name);
  if (mand === undefined) return [];
  const have = priorityLevelSpecShape(spec);
  if (name === "exempt") {
    have.exempt = mand.exempt;
    if (canonical(have) !== canonical(mand)) {
      return [
        invalid(
          path,
          goPriorityLevelConfigurationSpec(spec),
          `spec of '${name}' except the 'spec.exempt' field must equal the fixed value`,
        ),
      ];
    }
    return [];
  }
  if (canonical(have) !== canonical(mand)) {
    return [
      invalid(path, goPriorityLevelConfigurationSpec(spec), `spec of '${name}' must equal the fixed value`),
    ];
  }
  return [];
}

/** ValidatePriorityLevelConfigurationSpec: type Exempt exactly for "exempt"; the member of the type only. */
export function validatePriorityLevelConfigurationSpec(
  spec: PriorityLevelConfigurationSpec,
  name: string,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const type = spec.type ?? "";
  if ((name === "exempt") !== (type === "Exempt")) {
    errs.push(invalid(path.child("type"), type, "type must be 'Exempt' if and only if name is 'exempt'"));
  }
  switch (type) {
    case "Exempt":
      if (spec.limited != null)
        errs.push(forbidden(path.child("limited"), "must be nil if the type is not Limited"));
      if (spec.exempt != null)
        errs.push(...validateExemptPriorityLevelConfiguration(spec.exempt, path.child("exempt")));
      break;
    case "Limited":
      if (spec.exempt != null)
        errs.push(forbidden(path.child("exempt"), "must be nil if the type is Limited"));
      if (spec.limited == null) {
        errs.push(required(path.child("limited"), "must not be empty when type is Limited"));
      } else {
        errs.push(...validateLimitedPriorityLevelConfiguration(spec.limited, path.child("limited")));
      }
      break;
    default:
      errs.push(notSupported(path.child("type"), type, supportedPriorityLevelEnablement));
  }
  return errs;
}

function validateLendablePercent(value: number | null | undefined, path: Path): FieldError[] {
  if (value == null || (value >= 0 && value <= 100)) return [];
  return [invalid(path.child("lendablePercent"), value, "must be between 0 and 100, inclusive")];
}

/**
 * ValidateLimitedPriorityLevelConfiguration. A zero nominalConcurrencyShares
 * is allowed (ZeroLimitedNominalConcurrencyShares, GA since v1.30).
 */
function validateLimitedPriorityLevelConfiguration(
  limited: LimitedPriorityLevelConfiguration,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const shares = limited.nominalConcurrencyShares ?? 0;
  if (shares < 0)
    errs.push(invalid(path.child("nominalConcurrencyShares"), shares, "must be a non-negative integer"));
  errs.push(
    ...validateLimitResponse(limited.limitResponse ?? ({} as LimitResponse), path.child("limitResponse")),
  );
  errs.push(...validateLendablePercent(limited.lendablePercent, path));
  const borrowing = limited.borrowingLimitPercent;
  if (borrowing != null && borrowing < 0) {
    errs.push(
      invalid(path.child("borrowingLimitPercent"), borrowing, "if specified, must be a non-negative integer"),
    );
  }
  return errs;
}

/** ValidateExemptPriorityLevelConfiguration. */
function validateExemptPriorityLevelConfiguration(
  exempt: ExemptPriorityLevelConfiguration,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const shares = exempt.nominalConcurrencyShares;
  if (shares != null && shares < 0) {
    errs.push(invalid(path.child("nominalConcurrencyShares"), shares, "must be a non-negative integer"));
  }
  errs.push(...validateLendablePercent(exempt.lendablePercent, path));
  return errs;
}

/** ValidateLimitResponse: queuing exactly when the type is Queue. */
function validateLimitResponse(lr: LimitResponse, path: Path): FieldError[] {
  const type = lr.type ?? "";
  switch (type) {
    case "Reject":
      return lr.queuing != null
        ? [forbidden(path.child("queuing"), "must be nil if limited.limitResponse.type is not Limited")]
        : [];
    case "Queue":
      return lr.queuing == null
        ? [required(path.child("queuing"), "must not be empty if limited.limitResponse.type is Limited")]
        : validatePriorityLevelQueuingConfiguration(lr.queuing, path.child("queuing"));
    default:
      return [notSupported(path.child("type"), type, supportedLimitResponseType)];
  }
}

/** ValidatePriorityLevelQueuingConfiguration: positive sizes, and a hand that shuffle sharding can deal. */
function validatePriorityLevelQueuingConfiguration(queuing: QueuingConfiguration, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const queueLengthLimit = queuing.queueLengthLimit ?? 0;
  if (queueLengthLimit <= 0)
    errs.push(invalid(path.child("queueLengthLimit"), queueLengthLimit, "must be positive"));
  const queues = queuing.queues ?? 0;
  if (queues <= 0) {
    errs.push(invalid(path.child("queues"), queues, "must be positive"));
  } else if (queues > maxQueues) {
    errs.push(invalid(path.child("queues"), queues, `must not be greater than ${maxQueues}`));
  }
  const handSize = queuing.handSize ?? 0;
  const hp = path.child("handSize");
  if (handSize <= 0) {
    errs.push(invalid(hp, handSize, "must be positive"));
  } else if (handSize > queues) {
    errs.push(invalid(hp, handSize, `should not be greater than queues (${queues})`));
  } else if (requiredEntropyBits(queues, handSize) > maxHashBits) {
    errs.push(
      invalid(
        hp,
        handSize,
        `required entropy bits of deckSize ${queues} and handSize ${handSize} should not be greater than ${maxHashBits}`,
      ),
    );
  }
  return errs;
}

/** shufflesharding.RequiredEntropyBits: ceil(log2(deckSize) * handSize), with Go's math.Log2. */
export function requiredEntropyBits(deckSize: number, handSize: number): number {
  return Math.ceil(goLog2(deckSize) * handSize);
}

/** Go's math.Log2: exact for powers of two (Frexp), Log(frac)/Ln2 + exp otherwise. */
function goLog2(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log2(x);
  let exp = Math.floor(Math.log2(x)) + 1;
  let frac = x / 2 ** exp;
  // Keep frac in [0.5, 1) despite rounding in the estimate of exp.
  if (frac >= 1) {
    frac /= 2;
    exp++;
  } else if (frac < 0.5) {
    frac *= 2;
    exp--;
  }
  if (frac === 0.5) return exp - 1;
  return Math.log(frac) * Math.LOG2E + exp; // LOG2E is 1/Ln2 rounded once, as Go's constant
}

// --- The mandatory objects ----------------------------------------------------------------
//
// Specs as the internal types hold them, for comparison: pointers are null when
// nil, lists are never absent (Semantic.DeepEqual takes an empty list for nil).

interface SubjectShape {
  kind: string;
  user: { name: string } | null;
  group: { name: string } | null;
  serviceAccount: { namespace: string; name: string } | null;
}

interface FlowSchemaSpecShape {
  priorityLevelConfiguration: string;
  matchingPrecedence: number;
  distinguisherMethod: { type: string } | null;
  rules: Array<{
    subjects: SubjectShape[];
    resourceRules: Array<{
      verbs: string[];
      apiGroups: string[];
      resources: string[];
      clusterScope: boolean;
      namespaces: string[];
    }>;
    nonResourceRules: Array<{ verbs: string[]; nonResourceURLs: string[] }>;
  }>;
}

interface PriorityLevelSpecShape {
  type: string;
  limited: {
    nominalConcurrencyShares: number;
    limitResponse: {
      type: string;
      queuing: { queues: number; handSize: number; queueLengthLimit: number } | null;
    };
    lendablePercent: number | null;
    borrowingLimitPercent: number | null;
  } | null;
  exempt: { nominalConcurrencyShares: number | null; lendablePercent: number | null } | null;
}

function flowSchemaSpecShape(spec: FlowSchemaSpec): FlowSchemaSpecShape {
  const named = (s: { name?: string } | null | undefined) => (s == null ? null : { name: s.name ?? "" });
  return {
    priorityLevelConfiguration: spec.priorityLevelConfiguration?.name ?? "",
    matchingPrecedence: spec.matchingPrecedence ?? 0,
    distinguisherMethod:
      spec.distinguisherMethod == null ? null : { type: spec.distinguisherMethod.type ?? "" },
    rules: (spec.rules ?? []).map((r) => ({
      subjects: (r.subjects ?? []).map((s) => ({
        kind: s.kind ?? "",
        user: named(s.user),
        group: named(s.group),
        serviceAccount:
          s.serviceAccount == null
            ? null
            : { namespace: s.serviceAccount.namespace ?? "", name: s.serviceAccount.name ?? "" },
      })),
      resourceRules: (r.resourceRules ?? []).map((rr) => ({
        verbs: rr.verbs ?? [],
        apiGroups: rr.apiGroups ?? [],
        resources: rr.resources ?? [],
        clusterScope: rr.clusterScope ?? false,
        namespaces: rr.namespaces ?? [],
      })),
      nonResourceRules: (r.nonResourceRules ?? []).map((nr) => ({
        verbs: nr.verbs ?? [],
        nonResourceURLs: nr.nonResourceURLs ?? [],
      })),
    })),
  };
}

function priorityLevelSpecShape(spec: PriorityLevelConfigurationSpec): PriorityLevelSpecShape {
  const l = spec.limited;
  const e = spec.exempt;
  const q = l?.limitResponse?.queuing;
  return {
    type: spec.type ?? "",
    limited:
      l == null
        ? null
        : {
            nominalConcurrencyShares: l.nominalConcurrencyShares ?? 0,
            limitResponse: {
              type: l.limitResponse?.type ?? "",
              queuing:
                q == null
                  ? null
                  : {
                      queues: q.queues ?? 0,
                      handSize: q.handSize ?? 0,
                      queueLengthLimit: q.queueLengthLimit ?? 0,
                    },
            },
            lendablePercent: l.lendablePercent ?? null,
            borrowingLimitPercent: l.borrowingLimitPercent ?? null,
          },
    exempt:
      e == null
        ? null
        : {
            nominalConcurrencyShares: e.nominalConcurrencyShares ?? null,
            lendablePercent: e.lendablePercent ?? null,
          },
  };
}

function canonical(shape: object): string {
  return JSON.stringify(shape);
}

/** bootstrap.MandatoryFlowSchemaExempt and ...CatchAll, as validation compares them. */
const mandatoryFlowSchemaSpecs = new Map(
  mandatoryFlowSchemas().map((fs) => [fs.metadata.name as string, flowSchemaSpecShape(fs.spec)]),
);

/** bootstrap.MandatoryPriorityLevelConfigurationExempt and ...CatchAll. */
const mandatoryPriorityLevelSpecs = new Map(
  mandatoryPriorityLevels().map((pl) => [pl.metadata.name as string, priorityLevelSpecShape(pl.spec)]),
);

// --- %#v of the specs, as field.Invalid prints them -------------------------------------

function goPtr(type: string, v: unknown): string {
  return v == null ? `(*flowcontrol.${type})(nil)` : `(*flowcontrol.${type})(${goPointer})`;
}

function goSlice<T>(type: string, list: T[] | null | undefined, item: (x: T) => string): string {
  if (list == null) return `[]flowcontrol.${type}(nil)`;
  return `[]flowcontrol.${type}{${list.map(item).join(", ")}}`;
}

/** %#v of the internal flowcontrol.FlowSchemaSpec the JSON converts to. */
export function goFlowSchemaSpec(spec: FlowSchemaSpec): GoValue {
  const subject = (s: Subject) =>
    `flowcontrol.Subject{Kind:${goQuote(s.kind ?? "")}, User:${goPtr("UserSubject", s.user)}, Group:${goPtr(
      "GroupSubject",
      s.group,
    )}, ServiceAccount:${goPtr("ServiceAccountSubject", s.serviceAccount)}}`;
  const resourceRule = (r: ResourcePolicyRule) =>
    `flowcontrol.ResourcePolicyRule{Verbs:${goStringSliceText(r.verbs)}, APIGroups:${goStringSliceText(
      r.apiGroups,
    )}, Resources:${goStringSliceText(r.resources)}, ClusterScope:${r.clusterScope ?? false}, Namespaces:${goStringSliceText(
      r.namespaces,
    )}}`;
  const nonResourceRule = (r: NonResourcePolicyRule) =>
    `flowcontrol.NonResourcePolicyRule{Verbs:${goStringSliceText(r.verbs)}, NonResourceURLs:${goStringSliceText(
      r.nonResourceURLs,
    )}}`;
  const rule = (r: PolicyRulesWithSubjects) =>
    `flowcontrol.PolicyRulesWithSubjects{Subjects:${goSlice("Subject", r.subjects, subject)}, ResourceRules:${goSlice(
      "ResourcePolicyRule",
      r.resourceRules,
      resourceRule,
    )}, NonResourceRules:${goSlice("NonResourcePolicyRule", r.nonResourceRules, nonResourceRule)}}`;
  return new GoValue(
    `flowcontrol.FlowSchemaSpec{PriorityLevelConfiguration:flowcontrol.PriorityLevelConfigurationReference{Name:${goQuote(
      spec.priorityLevelConfiguration?.name ?? "",
    )}}, MatchingPrecedence:${spec.matchingPrecedence ?? 0}, DistinguisherMethod:${goPtr(
      "FlowDistinguisherMethod",
      spec.distinguisherMethod,
    )}, Rules:${goSlice("PolicyRulesWithSubjects", spec.rules, rule)}}`,
  );
}

/** %#v of the internal flowcontrol.PriorityLevelConfigurationSpec the JSON converts to. */
export function goPriorityLevelConfigurationSpec(spec: PriorityLevelConfigurationSpec): GoValue {
  return new GoValue(
    `flowcontrol.PriorityLevelConfigurationSpec{Type:${goQuote(spec.type ?? "")}, Limited:${goPtr(
      "LimitedPriorityLevelConfiguration",
      spec.limited,
    )}, Exempt:${goPtr("ExemptPriorityLevelConfiguration", spec.exempt)}}`,
  );
}
