// admissionregistration.k8s.io/v1 Mutating- and ValidatingWebhookConfiguration
// validation (pkg/apis/admissionregistration/validation and
// apiserver/pkg/util/webhook, v1.32). Match condition expressions are checked
// for presence only: CEL is not compiled here.

import type {
  MatchCondition,
  MutatingWebhook,
  MutatingWebhookConfiguration,
  RuleWithOperations,
  ValidatingWebhook,
  ValidatingWebhookConfiguration,
} from "kubernetes-types/admissionregistration/v1.d.ts";
import {
  duplicate,
  type FieldError,
  GoValue,
  goQuote,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
  tooMany,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain, validateObjectMeta } from "../../machinery/object-meta.ts";
import {
  isDNS1035Label,
  isDNS1123Subdomain,
  isFullyQualifiedName,
  isValidPortNum,
} from "../../machinery/validation.ts";
import { validateLabelSelector, validateQualifiedName } from "./common.ts";
import { goStringSliceText } from "./gofmt.ts";

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

function validateMatchConditions(conditions: readonly MatchCondition[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (conditions.length > 64) errs.push(tooMany(path, conditions.length, 64));
  const names = new Set<string>();
  conditions.forEach((mc, i) => {
    const p = path.index(i);
    if ((mc.expression ?? "").trim().length === 0) errs.push(required(p.child("expression"), ""));
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
  if (!opts.ignoreMatchConditions)
    errs.push(...validateMatchConditions(hook.matchConditions ?? [], path.child("matchConditions")));
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
