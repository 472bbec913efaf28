// admissionregistration.k8s.io/v1 validation (pkg/apis/admissionregistration/validation
// and apiserver/pkg/util/webhook, v1.32): Mutating- and
// ValidatingWebhookConfiguration, ValidatingAdmissionPolicy (and its status)
// and ValidatingAdmissionPolicyBinding. Every CEL expression (a webhook's
// match conditions, a policy's expressions) is compiled with the project's
// CEL (../cel/environment.ts), whose variables are typed dyn.

import type {
  AuditAnnotation,
  MatchCondition,
  MatchResources,
  MutatingWebhook,
  MutatingWebhookConfiguration,
  ParamKind,
  ParamRef,
  RuleWithOperations,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidatingAdmissionPolicySpec,
  ValidatingAdmissionPolicyStatus,
  ValidatingWebhook,
  ValidatingWebhookConfiguration,
  Validation,
  Variable,
} from "kubernetes-types/admissionregistration/v1.d.ts";
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
  tooMany,
} from "../../machinery/field-errors.ts";
import { parseJSONPath } from "../../machinery/jsonpath.ts";
import { nameIsDNSSubdomain, validateObjectMeta } from "../../machinery/object-meta.ts";
import {
  isDNS1035Label,
  isDNS1123Subdomain,
  isFullyQualifiedName,
  isValidPortNum,
} from "../../machinery/validation.ts";
import {
  ADMISSION_POLICY_VARIABLES,
  CEL_RESERVED_WORDS,
  type CelVariables,
  checkedTypeName,
  compile,
} from "../cel/environment.ts";
import { byteLen, validateLabelSelector, validatePathSegmentName, validateQualifiedName } from "./common.ts";
import { goStringSliceText } from "./gofmt.ts";
import { validateConditions } from "./small-groups.ts";

const acceptedAdmissionReviewVersions = ["v1", "v1beta1"];
const supportedFailurePolicies = ["Fail", "Ignore"];
const supportedMatchPolicies = ["Equivalent", "Exact"];
const supportedSideEffectClasses = ["None", "NoneOnDryRun", "Some", "Unknown"];
const noSideEffectClasses = ["None", "NoneOnDryRun"];
const supportedOperations = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
const supportedReinvocationPolicies = ["IfNeeded", "Never"];
const validScopes = ["*", "Cluster", "Namespaced"];

function validateResources(resources: readonly string[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(required(path, ""));
  const withWildcardSub = new Set<string>();
  const subWithWildcardRes = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let withoutSub = false;
  resources.forEach((resSub, i) => {
    if (resSub === "") {
      errs.push(required(path.index(i), ""));
      return;
    }
    if (resSub === "*/*") doubleWildcard = true;
    if (resSub === "*") singleWildcard = true;
    const slash = resSub.indexOf("/");
    if (slash < 0) {
      withoutSub = resSub !== "*";
      return;
    }
    const res = resSub.slice(0, slash);
    const sub = resSub.slice(slash + 1);
    if (withWildcardSub.has(res))
      errs.push(invalid(path.index(i), resSub, `if '${res}/*' is present, must not specify ${resSub}`));
    if (subWithWildcardRes.has(sub))
      errs.push(invalid(path.index(i), resSub, `if '*/${sub}' is present, must not specify ${resSub}`));
    if (sub === "*") withWildcardSub.add(res);
    if (res === "*") subWithWildcardRes.add(sub);
  });
  const all = () => new GoValue(goStringSliceText(resources));
  if (resources.length > 1 && doubleWildcard)
    errs.push(invalid(path, all(), "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && withoutSub) {
    errs.push(
      invalid(path, all(), "if '*' is present, must not specify other resources without subresources"),
    );
  }
  return errs;
}

/** The kubernetes-types package omits two fields of the rule. */
type Rule = RuleWithOperations & { resources?: string[]; scope?: string | null };

function validateRuleWithOperations(rule: Rule, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const ops = rule.operations ?? [];
  if (ops.length === 0) errs.push(required(path.child("operations"), ""));
  if (ops.length > 1 && ops.includes("*")) {
    errs.push(
      invalid(
        path.child("operations"),
        new GoValue(goStringSliceText(ops, "admissionregistration.OperationType")),
        "if '*' is present, must not specify other operations",
      ),
    );
  }
  ops.forEach((op, i) => {
    if (!supportedOperations.includes(op))
      errs.push(notSupported(path.child("operations").index(i), op, supportedOperations));
  });
  const groups = rule.apiGroups ?? [];
  if (groups.length === 0) errs.push(required(path.child("apiGroups"), ""));
  if (groups.length > 1 && groups.includes("*")) {
    errs.push(
      invalid(
        path.child("apiGroups"),
        new GoValue(goStringSliceText(groups)),
        "if '*' is present, must not specify other API groups",
      ),
    );
  }
  const versions = rule.apiVersions ?? [];
  if (versions.length === 0) errs.push(required(path.child("apiVersions"), ""));
  if (versions.length > 1 && versions.includes("*")) {
    errs.push(
      invalid(
        path.child("apiVersions"),
        new GoValue(goStringSliceText(versions)),
        "if '*' is present, must not specify other API versions",
      ),
    );
  }
  versions.forEach((v, i) => {
    if (v === "") errs.push(required(path.child("apiVersions").index(i), ""));
  });
  errs.push(...validateResources(rule.resources ?? [], path.child("resources")));
  if (rule.scope != null && !validScopes.includes(rule.scope))
    errs.push(notSupported(path.child("scope"), rule.scope, validScopes));
  return errs;
}

function validateAdmissionReviewVersions(
  versions: readonly string[],
  requireRecognized: boolean,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (versions.length < 1)
    return [required(path, `must specify one of ${acceptedAdmissionReviewVersions.join(", ")}`)];
  const seen = new Set<string>();
  let hasAccepted = false;
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(invalid(path.index(i), v, "duplicate version"));
      return;
    }
    seen.add(v);
    for (const msg of isDNS1035Label(v)) errs.push(invalid(path.index(i), v, msg));
    if (acceptedAdmissionReviewVersions.includes(v)) hasAccepted = true;
  });
  if (requireRecognized && !hasAccepted) {
    errs.push(
      invalid(
        path,
        new GoValue(goStringSliceText(versions)),
        `must include at least one of ${acceptedAdmissionReviewVersions.join(", ")}`,
      ),
    );
  }
  return errs;
}

/** A small net/url.Parse: the parts the webhook checks look at, or Go's error. */
function parseURL(
  raw: string,
): { scheme: string; host: string; user: string | null; fragment: string; query: string } | string {
  const fail = (msg: string) => `parse ${goQuote(raw)}: ${msg}`;
  for (const ch of raw) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || c === 0x7f) return fail("net/url: invalid control character in URL");
  }
  let rest = raw;
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let scheme = "";
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = m[1].toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith(":")) {
    return fail("missing protocol scheme");
  }
  let query = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let host = "";
  let user: string | null = null;
  if (rest.startsWith("//")) {
    const authEnd = rest.indexOf("/", 2);
    let authority = authEnd < 0 ? rest.slice(2) : rest.slice(2, authEnd);
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      user = authority.slice(0, at);
      authority = authority.slice(at + 1);
    }
    host = authority;
    if (host.startsWith("[") && !host.includes("]")) return fail("missing ']' in host");
  }
  return { scheme, host, user, fragment, query };
}

/** webhook.ValidateWebhookURL. */
export function validateWebhookURL(path: Path, url: string): FieldError[] {
  const form = "; desired format: https://host[/path]";
  const u = parseURL(url);
  if (typeof u === "string") return [required(path, `url must be a valid URL: ${u}${form}`)];
  const errs: FieldError[] = [];
  if (u.scheme !== "https")
    errs.push(invalid(path, u.scheme, `'https' is the only allowed URL scheme${form}`));
  if (u.host.length === 0) errs.push(invalid(path, u.host, `host must be provided${form}`));
  if (u.user !== null) errs.push(invalid(path, u.user, "user information is not permitted in the URL"));
  if (u.fragment.length !== 0) errs.push(invalid(path, u.fragment, "fragments are not permitted in the URL"));
  if (u.query.length !== 0)
    errs.push(invalid(path, u.query, "query parameters are not permitted in the URL"));
  return errs;
}

/** webhook.ValidateWebhookService. */
export function validateWebhookService(
  path: Path,
  svc: { namespace?: string; name?: string; path?: string | null; port?: number | null },
): FieldError[] {
  const errs: FieldError[] = [];
  if ((svc.name ?? "").length === 0) errs.push(required(path.child("name"), "service name is required"));
  if ((svc.namespace ?? "").length === 0)
    errs.push(required(path.child("namespace"), "service namespace is required"));
  const port = svc.port ?? 0;
  const portErrs = isValidPortNum(port);
  if (portErrs.length > 0)
    errs.push(invalid(path.child("port"), port, `port is not valid: ${portErrs.join(", ")}`));
  if (svc.path == null) return errs;
  const urlPath = svc.path;
  if (urlPath === "/" || urlPath.length === 0) return errs;
  if (urlPath === "//") {
    errs.push(invalid(path.child("path"), urlPath, "segment[0] may not be empty"));
    return errs;
  }
  if (!urlPath.startsWith("/")) errs.push(invalid(path.child("path"), urlPath, "must start with a '/'"));
  let toCheck = urlPath.slice(1);
  if (toCheck.endsWith("/")) toCheck = toCheck.slice(0, -1);
  toCheck.split("/").forEach((step, i) => {
    if (step.length === 0) {
      errs.push(invalid(path.child("path"), urlPath, `segment[${i}] may not be empty`));
      return;
    }
    for (const failure of isDNS1123Subdomain(step))
      errs.push(invalid(path.child("path"), urlPath, `segment[${i}]: ${failure}`));
  });
  return errs;
}

/** validateMatchConditions. `compileExpression` checks a trimmed expression. */
function validateMatchConditions(
  conditions: readonly MatchCondition[],
  path: Path,
  compileExpression?: (expression: string, path: Path) => FieldError[],
): FieldError[] {
  const errs: FieldError[] = [];
  if (conditions.length > 64) errs.push(tooMany(path, conditions.length, 64));
  const names = new Set<string>();
  conditions.forEach((mc, i) => {
    const p = path.index(i);
    const expression = (mc.expression ?? "").trim();
    if (expression.length === 0) errs.push(required(p.child("expression"), ""));
    else if (compileExpression) errs.push(...compileExpression(expression, p.child("expression")));
    const name = mc.name ?? "";
    if (name.length === 0) errs.push(required(p.child("name"), ""));
    else errs.push(...validateQualifiedName(name, p.child("name")));
    if (name.length > 0) {
      if (names.has(name)) errs.push(duplicate(p.child("name"), name));
      else names.add(name);
    }
  });
  return errs;
}

interface WebhookOptions {
  ignoreMatchConditions: boolean;
  requireNoSideEffects: boolean;
  requireRecognizedAdmissionReviewVersion: boolean;
  requireUniqueWebhookNames: boolean;
  allowInvalidLabelValueInSelector: boolean;
}

function validateWebhook(
  hook: MutatingWebhook | ValidatingWebhook,
  mutating: boolean,
  opts: WebhookOptions,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...isFullyQualifiedName(path.child("name"), hook.name ?? ""));
  (hook.rules ?? []).forEach((rule, i) => {
    errs.push(...validateRuleWithOperations(rule, path.child("rules").index(i)));
  });
  if (hook.failurePolicy != null && !supportedFailurePolicies.includes(hook.failurePolicy)) {
    errs.push(notSupported(path.child("failurePolicy"), hook.failurePolicy, supportedFailurePolicies));
  }
  if (hook.matchPolicy != null && !supportedMatchPolicies.includes(hook.matchPolicy)) {
    errs.push(notSupported(path.child("matchPolicy"), hook.matchPolicy, supportedMatchPolicies));
  }
  const allowedSideEffects = opts.requireNoSideEffects ? noSideEffectClasses : supportedSideEffectClasses;
  if (hook.sideEffects == null) {
    errs.push(required(path.child("sideEffects"), `must specify one of ${allowedSideEffects.join(", ")}`));
  } else if (!allowedSideEffects.includes(hook.sideEffects)) {
    errs.push(notSupported(path.child("sideEffects"), hook.sideEffects, allowedSideEffects));
  }
  if (hook.timeoutSeconds != null && (hook.timeoutSeconds > 30 || hook.timeoutSeconds < 1)) {
    errs.push(
      invalid(
        path.child("timeoutSeconds"),
        hook.timeoutSeconds,
        "the timeout value must be between 1 and 30 seconds",
      ),
    );
  }
  const selOpts = { allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector };
  if (hook.namespaceSelector != null)
    errs.push(...validateLabelSelector(hook.namespaceSelector, selOpts, path.child("namespaceSelector")));
  if (hook.objectSelector != null)
    errs.push(...validateLabelSelector(hook.objectSelector, selOpts, path.child("objectSelector")));
  if (mutating) {
    const rp = (hook as MutatingWebhook).reinvocationPolicy;
    if (rp != null && !supportedReinvocationPolicies.includes(rp)) {
      errs.push(notSupported(path.child("reinvocationPolicy"), rp, supportedReinvocationPolicies));
    }
  }
  const cc = hook.clientConfig ?? {};
  if ((cc.url == null) === (cc.service == null)) {
    errs.push(required(path.child("clientConfig"), "exactly one of url or service is required"));
  } else if (cc.url != null) {
    errs.push(...validateWebhookURL(path.child("clientConfig").child("url"), cc.url));
  } else if (cc.service != null) {
    errs.push(...validateWebhookService(path.child("clientConfig").child("service"), cc.service));
  }
  if (!opts.ignoreMatchConditions) {
    // A webhook's conditions see the request, its objects and the authorizer.
    const vars = policyVariables(false, false);
    errs.push(
      ...validateMatchConditions(hook.matchConditions ?? [], path.child("matchConditions"), (expr, p) =>
        compileErrors(expr, vars, ["bool"], p),
      ),
    );
  }
  return errs;
}

type AnyConfig = MutatingWebhookConfiguration | ValidatingWebhookConfiguration;

function validateConfiguration(cfg: AnyConfig, mutating: boolean, opts: WebhookOptions): FieldError[] {
  const errs = validateObjectMeta(cfg.metadata, false, nameIsDNSSubdomain, newPath("metadata"));
  const names = new Set<string>();
  (cfg.webhooks ?? []).forEach((hook, i) => {
    const p = newPath("webhooks").index(i);
    errs.push(...validateWebhook(hook, mutating, opts, p));
    errs.push(
      ...validateAdmissionReviewVersions(
        hook.admissionReviewVersions ?? [],
        opts.requireRecognizedAdmissionReviewVersion,
        p.child("admissionReviewVersions"),
      ),
    );
    const name = hook.name ?? "";
    if (opts.requireUniqueWebhookNames && name.length > 0) {
      if (names.has(name)) errs.push(duplicate(p.child("name"), name));
      else names.add(name);
    }
  });
  return errs;
}

const createOptions: WebhookOptions = {
  ignoreMatchConditions: false,
  requireNoSideEffects: true,
  requireRecognizedAdmissionReviewVersion: true,
  requireUniqueWebhookNames: true,
  allowInvalidLabelValueInSelector: false,
};

function updateOptions(cfg: AnyConfig, old: AnyConfig): WebhookOptions {
  const hooks = cfg.webhooks ?? [];
  const oldHooks = old.webhooks ?? [];
  const sameConditions =
    hooks.length === oldHooks.length &&
    hooks.every(
      (h, i) =>
        JSON.stringify(h.matchConditions ?? null) === JSON.stringify(oldHooks[i].matchConditions ?? null),
    );
  const names = oldHooks.map((h) => h.name ?? "");
  return {
    ignoreMatchConditions: sameConditions,
    requireNoSideEffects: oldHooks.every(
      (h) => h.sideEffects != null && noSideEffectClasses.includes(h.sideEffects),
    ),
    requireRecognizedAdmissionReviewVersion: oldHooks.every(
      (h) =>
        (h.admissionReviewVersions ?? []).length === 0 ||
        (h.admissionReviewVersions ?? []).some((v) => acceptedAdmissionReviewVersions.includes(v)),
    ),
    requireUniqueWebhookNames: new Set(names).size === names.length,
    allowInvalidLabelValueInSelector: oldHooks.some(
      (h) =>
        (h.namespaceSelector != null &&
          validateLabelSelector(h.namespaceSelector, {}, newPath("x")).length > 0) ||
        (h.objectSelector != null && validateLabelSelector(h.objectSelector, {}, newPath("x")).length > 0),
    ),
  };
}

/** ValidateMutatingWebhookConfiguration. */
export function validateMutatingWebhookConfiguration(cfg: MutatingWebhookConfiguration): FieldError[] {
  return validateConfiguration(cfg, true, createOptions);
}

/** ValidateMutatingWebhookConfigurationUpdate: rules already broken by the old object are tolerated. */
export function validateMutatingWebhookConfigurationUpdate(
  cfg: MutatingWebhookConfiguration,
  old: MutatingWebhookConfiguration,
): FieldError[] {
  return validateConfiguration(cfg, true, updateOptions(cfg, old));
}

/** ValidateValidatingWebhookConfiguration. */
export function validateValidatingWebhookConfiguration(cfg: ValidatingWebhookConfiguration): FieldError[] {
  return validateConfiguration(cfg, false, createOptions);
}

/** ValidateValidatingWebhookConfigurationUpdate. */
export function validateValidatingWebhookConfigurationUpdate(
  cfg: ValidatingWebhookConfiguration,
  old: ValidatingWebhookConfiguration,
): FieldError[] {
  return validateConfiguration(cfg, false, updateOptions(cfg, old));
}

// --- ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding ----------------------------

const supportedValidationPolicyReasons = ["Forbidden", "Invalid", "RequestEntityTooLarge"];
const validValidationActions = ["Audit", "Deny", "Warn"];
const maxAuditAnnotations = 20;
// A 5kb limit on the expression, less than the audit annotation value's 10kb.
const maxAuditAnnotationValueExpressionLength = 5 * 1024;

/** The kubernetes-types package omits resources and scope of the rule. */
type NamedRule = Rule & { resourceNames?: string[] };

/**
 * What the policy's expressions are compiled against (plugin/cel's
 * OptionalVariableDeclarations): `params` only when the policy has a
 * paramKind, `variables` only with the composition compiler (the policy has
 * variables; never for match conditions).
 */
function policyVariables(hasParams: boolean, hasComposition: boolean): CelVariables {
  const { params, variables, ...base } = ADMISSION_POLICY_VARIABLES;
  return {
    ...base,
    ...(hasParams ? { params } : {}),
    ...(hasComposition ? { variables } : {}),
  };
}

/**
 * plugin/cel's CompileCELExpression as convertCELErrorToValidationError
 * reports it: Invalid at path with the expression as the value. `returnTypes`
 * are what the expression may evaluate to ("any" for a variable); dyn is
 * accepted for any, the environment here typing every variable dyn where
 * upstream knows request's and namespaceObject's fields.
 */
function compileErrors(
  expression: string,
  variables: CelVariables,
  returnTypes: readonly ("bool" | "string" | "null_type" | "any")[],
  path: Path,
  value: string = expression,
): FieldError[] {
  const want = returnTypes[0] === "bool" ? "bool" : "string";
  const mismatch = `cel expression must evaluate to a ${want}`;
  const result = compile(expression, variables, want);
  if (!("error" in result)) return [];
  if (result.error !== mismatch) return [invalid(path, value, `compilation failed: ${result.error}`)];
  if (returnTypes.includes("any")) return [];
  const got = checkedTypeName(expression, variables) ?? "unknown";
  if (returnTypes.includes(got as "null_type")) return [];
  const reason =
    returnTypes.length === 1
      ? `must evaluate to ${returnTypes[0]} but got ${got}`
      : `must evaluate to one of [${returnTypes.join(" ")}] but got ${got}`;
  return [invalid(path, value, reason)];
}

interface PolicyOptions {
  ignoreMatchConditions: boolean;
}

/** ValidateValidatingAdmissionPolicy. */
export function validateValidatingAdmissionPolicy(policy: ValidatingAdmissionPolicy): FieldError[] {
  return validatePolicy(policy, { ignoreMatchConditions: false });
}

/**
 * ValidateValidatingAdmissionPolicyUpdate: match conditions are not checked
 * again while they and the paramKind stay as they were.
 */
export function validateValidatingAdmissionPolicyUpdate(
  policy: ValidatingAdmissionPolicy,
  old: ValidatingAdmissionPolicy,
): FieldError[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return validatePolicy(policy, {
    ignoreMatchConditions:
      same(policy.spec?.paramKind, old.spec?.paramKind) &&
      same(policy.spec?.matchConditions, old.spec?.matchConditions),
  });
}

/** ValidateValidatingAdmissionPolicyStatusUpdate: only the status is checked. */
export function validateValidatingAdmissionPolicyStatusUpdate(
  policy: ValidatingAdmissionPolicy,
  _old: ValidatingAdmissionPolicy,
): FieldError[] {
  return validatePolicyStatus(policy.status ?? {}, newPath("status"));
}

function validatePolicy(policy: ValidatingAdmissionPolicy, opts: PolicyOptions): FieldError[] {
  const errs = validateObjectMeta(policy.metadata, false, nameIsDNSSubdomain, newPath("metadata"));
  errs.push(...validatePolicySpec(policy.metadata?.name ?? "", policy.spec ?? {}, opts, newPath("spec")));
  return errs;
}

function validatePolicySpec(
  name: string,
  spec: ValidatingAdmissionPolicySpec,
  opts: PolicyOptions,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const hasParams = spec.paramKind != null;
  const variableList = spec.variables ?? [];
  // The policy's compiler: with composition (`variables`) when it has variables.
  const vars = policyVariables(hasParams, variableList.length > 0);
  if (spec.failurePolicy == null) {
    errs.push(required(path.child("failurePolicy"), ""));
  } else if (!supportedFailurePolicies.includes(spec.failurePolicy)) {
    errs.push(notSupported(path.child("failurePolicy"), spec.failurePolicy, supportedFailurePolicies));
  }
  if (spec.paramKind != null) errs.push(...validateParamKind(spec.paramKind, path.child("paramKind")));
  if (spec.matchConstraints == null) {
    errs.push(required(path.child("matchConstraints"), ""));
  } else {
    errs.push(...validateMatchResources(spec.matchConstraints, path.child("matchConstraints")));
    // At least one resourceRule must be defined to provide type information.
    if ((spec.matchConstraints.resourceRules ?? []).length === 0)
      errs.push(required(path.child("matchConstraints", "resourceRules"), ""));
  }
  if (!opts.ignoreMatchConditions) {
    // Match conditions use the stateless compiler: no `variables`.
    const conditionVars = policyVariables(hasParams, false);
    errs.push(
      ...validateMatchConditions(spec.matchConditions ?? [], path.child("matchConditions"), (expr, p) =>
        compileErrors(expr, conditionVars, ["bool"], p),
      ),
    );
  }
  variableList.forEach((v, i) => {
    errs.push(...validateVariable(v, vars, path.child("variables").index(i)));
  });
  const validations = spec.validations ?? [];
  const auditAnnotations = spec.auditAnnotations ?? [];
  if (validations.length === 0 && auditAnnotations.length === 0) {
    const detail = "validations or auditAnnotations must contain at least one item";
    errs.push(required(path.child("validations"), detail));
    errs.push(required(path.child("auditAnnotations"), detail));
    return errs;
  }
  validations.forEach((v, i) => {
    errs.push(...validateValidation(v, vars, path.child("validations").index(i)));
  });
  if (spec.auditAnnotations != null) {
    if (auditAnnotations.length > maxAuditAnnotations) {
      errs.push(
        invalid(
          path.child("auditAnnotations"),
          goAuditAnnotations(auditAnnotations),
          `must not have more than ${maxAuditAnnotations} auditAnnotations`,
        ),
      );
    }
    const keys = new Set<string>();
    auditAnnotations.forEach((a, i) => {
      const p = path.child("auditAnnotations").index(i);
      errs.push(...validateAuditAnnotation(name, a, vars, p));
      const key = a.key ?? "";
      if (keys.has(key)) errs.push(duplicate(p.child("key"), key));
      keys.add(key);
    });
  }
  return errs;
}

/** %#v of []admissionregistration.AuditAnnotation. */
function goAuditAnnotations(list: readonly AuditAnnotation[]): GoValue {
  const items = list.map(
    (a) =>
      `admissionregistration.AuditAnnotation{Key:${goQuote(a.key ?? "")}, ValueExpression:${goQuote(a.valueExpression ?? "")}}`,
  );
  return new GoValue(`[]admissionregistration.AuditAnnotation{${items.join(", ")}}`);
}

/** parseGroupVersion: "group/version", "version", or an error for more slashes. */
function parseGroupVersion(gv: string): { group: string; version: string } | string {
  if (gv.length === 0 || gv === "/") return { group: "", version: "" };
  const slashes = gv.split("/").length - 1;
  if (slashes === 0) return { group: "", version: gv };
  if (slashes === 1) {
    const i = gv.indexOf("/");
    return { group: gv.slice(0, i), version: gv.slice(i + 1) };
  }
  return `unexpected GroupVersion string: ${gv}`;
}

/** validateParamKind. */
function validateParamKind(gvk: ParamKind, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = gvk.apiVersion ?? "";
  if (apiVersion.length === 0) {
    errs.push(required(path.child("apiVersion"), ""));
  } else {
    const gv = parseGroupVersion(apiVersion);
    if (typeof gv === "string") {
      errs.push(invalid(path.child("apiVersion"), apiVersion, gv));
    } else {
      // As the APIService group and version fields are checked.
      if (gv.group.length > 0) {
        const msgs = isDNS1123Subdomain(gv.group);
        if (msgs.length > 0) errs.push(invalid(path.child("apiVersion"), gv.group, msgs.join(",")));
      }
      if (gv.version.length === 0) {
        errs.push(invalid(path.child("apiVersion"), apiVersion, "version must be specified"));
      } else {
        const msgs = isDNS1035Label(gv.version);
        if (msgs.length > 0) errs.push(invalid(path.child("apiVersion"), gv.version, msgs.join(",")));
      }
    }
  }
  const kind = gvk.kind ?? "";
  if (kind.length === 0) {
    errs.push(required(path.child("kind"), ""));
  } else {
    const msgs = isDNS1035Label(kind.toLowerCase());
    if (msgs.length > 0) {
      errs.push(
        invalid(
          path.child("kind"),
          kind,
          `may have mixed case, but should otherwise match: ${msgs.join(",")}`,
        ),
      );
    }
  }
  return errs;
}

/** validateMatchResources: selectors are validated strictly (the type postdates issue #99139). */
function validateMatchResources(mc: MatchResources | null | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (mc == null) return errs;
  if (mc.matchPolicy == null) {
    errs.push(required(path.child("matchPolicy"), ""));
  } else if (!supportedMatchPolicies.includes(mc.matchPolicy)) {
    errs.push(notSupported(path.child("matchPolicy"), mc.matchPolicy, supportedMatchPolicies));
  }
  if (mc.namespaceSelector == null) errs.push(required(path.child("namespaceSelector"), ""));
  else errs.push(...validateLabelSelector(mc.namespaceSelector, {}, path.child("namespaceSelector")));
  if (mc.objectSelector == null) errs.push(required(path.child("objectSelector"), ""));
  else errs.push(...validateLabelSelector(mc.objectSelector, {}, path.child("objectSelector")));
  (mc.resourceRules ?? []).forEach((rule, i) => {
    errs.push(...validateNamedRuleWithOperations(rule, path.child("resourceRules").index(i)));
  });
  (mc.excludeResourceRules ?? []).forEach((rule, i) => {
    errs.push(...validateNamedRuleWithOperations(rule, path.child("excludeResourceRules").index(i)));
  });
  return errs;
}

/** validateNamedRuleWithOperations. */
function validateNamedRuleWithOperations(rule: NamedRule, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (rule.resourceNames ?? []).forEach((name, i) => {
    const p = path.child("resourceNames").index(i);
    for (const msg of validatePathSegmentName(name, false)) errs.push(invalid(p, name, msg));
    if (names.has(name)) errs.push(duplicate(p, name));
    else names.add(name);
  });
  errs.push(...validateRuleWithOperations(rule, path));
  return errs;
}

const celIdentifier = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
function isCELIdentifier(name: string): boolean {
  return celIdentifier.test(name) && !CEL_RESERVED_WORDS.has(name);
}

/** validateVariable: a variable's expression may evaluate to anything. */
function validateVariable(v: Variable, vars: CelVariables, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = v.name ?? "";
  if (name.trim().length === 0) errs.push(required(path.child("name"), "name is not specified"));
  else if (!isCELIdentifier(name))
    errs.push(invalid(path.child("name"), name, "name is not a valid CEL identifier"));
  const expression = v.expression ?? "";
  if (expression.trim().length === 0) {
    errs.push(required(path.child("expression"), "expression is not specified"));
  } else {
    errs.push(...compileErrors(expression, vars, ["any"], path.child("expression")));
  }
  return errs;
}

const newlines = /[\n\r]+/;

/** validateValidation. A messageExpression sees the same variables (upstream: all but the authorizer). */
function validateValidation(v: Validation, vars: CelVariables, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const expression = v.expression ?? "";
  const message = v.message ?? "";
  const messageExpression = v.messageExpression ?? "";
  const trimmedMsg = message.trim();
  if (expression.trim().length === 0) {
    errs.push(required(path.child("expression"), "expression is not specified"));
  } else {
    errs.push(...compileErrors(expression, vars, ["bool"], path.child("expression")));
  }
  if (messageExpression.length > 0 && messageExpression.trim().length === 0) {
    errs.push(invalid(path.child("messageExpression"), messageExpression, "must be non-empty if specified"));
  } else if (messageExpression.trim().length !== 0) {
    // The untrimmed expression, so that the compiler's columns are right.
    errs.push(...compileErrors(messageExpression, vars, ["string"], path.child("messageExpression")));
  }
  if (message.length > 0 && trimmedMsg.length === 0) {
    errs.push(invalid(path.child("message"), message, "message must be non-empty if specified"));
  } else if (newlines.test(trimmedMsg)) {
    errs.push(invalid(path.child("message"), message, "message must not contain line breaks"));
  }
  if (v.reason != null && !supportedValidationPolicyReasons.includes(v.reason)) {
    errs.push(notSupported(path.child("reason"), v.reason, supportedValidationPolicyReasons));
  }
  return errs;
}

/** validateAuditAnnotation: the key joins the policy's name as a qualified name; the value is a string or null. */
function validateAuditAnnotation(
  policyName: string,
  a: AuditAnnotation,
  vars: CelVariables,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const key = a.key ?? "";
  if (policyName.length !== 0) {
    errs.push(...validateQualifiedName(`${policyName}/${key}`, path.child("key")));
  } else {
    errs.push(invalid(path.child("key"), key, "requires metadata.name be non-empty"));
  }
  const valueExpression = a.valueExpression ?? "";
  const trimmed = valueExpression.trim();
  if (trimmed.length === 0) {
    errs.push(required(path.child("valueExpression"), "valueExpression is not specified"));
  } else if (byteLen(trimmed) > maxAuditAnnotationValueExpressionLength) {
    errs.push(
      required(
        path.child("valueExpression"),
        `must not exceed ${maxAuditAnnotationValueExpressionLength} bytes in length`,
      ),
    );
  } else {
    errs.push(
      ...compileErrors(
        trimmed,
        vars,
        ["string", "null_type"],
        path.child("valueExpression"),
        valueExpression,
      ),
    );
  }
  return errs;
}

/** validateValidatingAdmissionPolicyStatus. */
function validatePolicyStatus(status: ValidatingAdmissionPolicyStatus, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const warningsPath = path.child("typeChecking", "expressionWarnings");
  (status.typeChecking?.expressionWarnings ?? []).forEach((w, i) => {
    const p = warningsPath.index(i);
    if ((w.warning ?? "") === "") errs.push(required(p.child("warning"), ""));
    errs.push(...validateFieldRef(w.fieldRef ?? "", p.child("fieldRef")));
  });
  errs.push(...validateConditions(status.conditions ?? [], path.child("conditions")));
  return errs;
}

/** validateFieldRef: a JSONPath, no further checks (for an easier upgrade or rollback). */
function validateFieldRef(fieldRef: string, path: Path): FieldError[] {
  const ref = fieldRef.trim();
  if (ref === "") return [required(path, "")];
  try {
    parseJSONPath(`{${ref}}`);
  } catch (e) {
    return [invalid(path, ref, `invalid JSONPath: ${e instanceof Error ? e.message : String(e)}`)];
  }
  return [];
}

/** ValidateValidatingAdmissionPolicyBinding. */
export function validateValidatingAdmissionPolicyBinding(
  binding: ValidatingAdmissionPolicyBinding,
): FieldError[] {
  const errs = validateObjectMeta(binding.metadata, false, nameIsDNSSubdomain, newPath("metadata"));
  const spec = binding.spec ?? {};
  const path = newPath("spec");
  const policyName = spec.policyName ?? "";
  if (policyName.length === 0) {
    errs.push(required(path.child("policyName"), ""));
  } else {
    for (const msg of nameIsDNSSubdomain(policyName, false))
      errs.push(invalid(path.child("policyName"), policyName, msg));
  }
  errs.push(...validateParamRef(spec.paramRef, path.child("paramRef")));
  errs.push(...validateMatchResources(spec.matchResources, path.child("matchResources")));
  errs.push(...validateValidationActions(spec.validationActions ?? [], path.child("validationActions")));
  return errs;
}

/** ValidateValidatingAdmissionPolicyBindingUpdate: the same checks as on create. */
export function validateValidatingAdmissionPolicyBindingUpdate(
  binding: ValidatingAdmissionPolicyBinding,
  _old: ValidatingAdmissionPolicyBinding,
): FieldError[] {
  return validateValidatingAdmissionPolicyBinding(binding);
}

/** validateParamRef. */
function validateParamRef(pr: ParamRef | null | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (pr == null) return errs;
  const name = pr.name ?? "";
  const exclusive = "name and selector are mutually exclusive";
  if (name.length > 0) {
    for (const msg of validatePathSegmentName(name, false)) errs.push(invalid(path.child("name"), name, msg));
    if (pr.selector != null) errs.push(forbidden(path.child("name"), exclusive));
  }
  if (pr.selector != null) {
    errs.push(...validateLabelSelector(pr.selector, {}, path.child("selector")));
    if (name.length > 0) errs.push(forbidden(path.child("selector"), exclusive));
  }
  if (name.length === 0 && pr.selector == null)
    errs.push(required(path, "one of name or selector must be specified"));
  const action = pr.parameterNotFoundAction ?? "";
  if (action.length === 0) {
    errs.push(required(path.child("parameterNotFoundAction"), ""));
  } else if (action !== "Deny" && action !== "Allow") {
    errs.push(notSupported(path.child("parameterNotFoundAction"), action, ["Deny", "Allow"]));
  }
  return errs;
}

/** validateValidationActions. */
function validateValidationActions(actions: readonly string[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  actions.forEach((action, i) => {
    if (!validValidationActions.includes(action))
      errs.push(notSupported(path.index(i), action, validValidationActions));
    if (seen.has(action)) errs.push(duplicate(path.index(i), action));
    seen.add(action);
  });
  if (seen.has("Deny") && seen.has("Warn")) {
    errs.push(
      invalid(
        path,
        new GoValue(goStringSliceText(actions, "admissionregistration.ValidationAction")),
        "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)",
      ),
    );
  }
  if (seen.size === 0) errs.push(required(path, "at least one validation action is required"));
  return errs;
}
