// authorization.k8s.io reviews (pkg/registry/authorization): create-only
// resources that ask the apiserver's authorizer a question and answer in
// status. SubjectAccessReview asks for anyone, LocalSubjectAccessReview for
// anyone in one namespace, SelfSubjectAccessReview for the caller
// (`kubectl auth can-i`), SelfSubjectRulesReview lists the caller's rules in a
// namespace (`kubectl auth can-i --list`).
import type { Obj } from "../../api/registry.ts";
import { type FieldError, GoValue, goQuote, invalid, newPath } from "../../machinery/field-errors.ts";
import { newBadRequest, newInvalid } from "../../machinery/status.ts";
import type { UserInfo } from "../authentication/user.ts";
import type { VirtualContext, VirtualCreate } from "../handlers/rest.ts";
import type { Attributes, Authorizer } from "./authorizer.ts";
import { aggregateMessage } from "./rbac/resolver.ts";
import type { RuleResolver } from "./rule-resolver.ts";

const GROUP = "authorization.k8s.io";
const API_VERSION = `${GROUP}/v1`;

export interface ReviewOptions {
  /** The apiserver's whole authorizer. */
  authorizer: Authorizer;
  /** The rule resolvers of the authorization modes (Node, RBAC). */
  ruleResolver: RuleResolver;
}

/** ResourceAttributesFrom: an empty version means every version. */
function resourceAttributes(user: UserInfo, ra: Obj): Attributes {
  return {
    user,
    verb: ra.verb ?? "",
    isResourceRequest: true,
    path: "",
    namespace: ra.namespace ?? "",
    apiGroup: ra.group ?? "",
    apiVersion: ra.version || "*",
    resource: ra.resource ?? "",
    subresource: ra.subresource ?? "",
    name: ra.name ?? "",
  };
}

function nonResourceAttributes(user: UserInfo, nra: Obj): Attributes {
  return {
    user,
    verb: nra.verb ?? "",
    isResourceRequest: false,
    path: nra.path ?? "",
    namespace: "",
    apiGroup: "",
    apiVersion: "",
    resource: "",
    subresource: "",
    name: "",
  };
}

/** %#v of a NonResourceAttributes, as Go prints the bad value. */
const goNonResource = (nra: Obj) =>
  new GoValue(
    `authorization.NonResourceAttributes{Path:${goQuote(nra.path ?? "")}, Verb:${goQuote(nra.verb ?? "")}}`,
  );

/** ValidateSelfSubjectAccessReviewSpec: exactly one of resourceAttributes and nonResourceAttributes. */
function validateAttributesUnion(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const path = newPath("spec");
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    errs.push(
      invalid(
        path.child("nonResourceAttributes"),
        goNonResource(spec.nonResourceAttributes),
        "cannot be specified in combination with resourceAttributes",
      ),
    );
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    errs.push(
      invalid(
        path.child("resourceAttributes"),
        null,
        "exactly one of nonResourceAttributes or resourceAttributes must be specified",
      ),
    );
  }
  return errs;
}

/** ValidateSubjectAccessReviewSpec: the union, and someone to ask about. */
function validateSubjectSpec(spec: Obj): FieldError[] {
  const errs = validateAttributesUnion(spec);
  if (!spec.user && (spec.groups ?? []).length === 0) {
    errs.push(
      invalid(newPath("spec", "user"), spec.user ?? "", "at least one of user or group must be specified"),
    );
  }
  return errs;
}

/** Whether ObjectMeta is empty, ignoring managedFields (and namespace where allowed). */
function metaIsEmpty(meta: Obj | undefined, ignoreNamespace: boolean): boolean {
  for (const [k, v] of Object.entries(meta ?? {})) {
    if (k === "managedFields" || (ignoreNamespace && k === "namespace")) continue;
    if (v === null || v === undefined || v === "" || v === 0) continue;
    if (typeof v === "object" && Object.keys(v).length === 0) continue;
    return false;
  }
  return true;
}

/** A short %#v of ObjectMeta for "must be empty" errors. */
function goObjectMeta(meta: Obj | undefined): GoValue {
  const m = meta ?? {};
  const map = (x: Record<string, string> | undefined) =>
    x
      ? `map[string]string{${Object.keys(x)
          .sort()
          .map((k) => `${goQuote(k)}:${goQuote(String(x[k]))}`)
          .join(", ")}}`
      : "map[string]string(nil)";
  return new GoValue(
    `v1.ObjectMeta{Name:${goQuote(m.name ?? "")}, GenerateName:${goQuote(m.generateName ?? "")}, Namespace:${goQuote(m.namespace ?? "")}, SelfLink:"", UID:${goQuote(m.uid ?? "")}, ResourceVersion:${goQuote(m.resourceVersion ?? "")}, Generation:${m.generation ?? 0}, CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC), DeletionTimestamp:<nil>, DeletionGracePeriodSeconds:(*int64)(nil), Labels:${map(m.labels)}, Annotations:${map(m.annotations)}, OwnerReferences:[]v1.OwnerReference(nil), Finalizers:[]string(nil), ManagedFields:[]v1.ManagedFieldsEntry(nil)}`,
  );
}

/** Upstream passes the internal object's (empty) Kind: the message reads `.authorization.k8s.io "" is invalid`. */
function refuse(errs: FieldError[]): void {
  if (errs.length > 0) throw newInvalid({ group: GROUP, kind: "" }, "", errs);
}

async function decide(authorizer: Authorizer, a: Attributes): Promise<Obj> {
  let r: Awaited<ReturnType<Authorizer["authorize"]>>;
  try {
    r = await authorizer.authorize(a);
  } catch (e) {
    return { allowed: false, evaluationError: (e as Error).message };
  }
  const status: Obj = { allowed: r.decision === "Allow" };
  if (r.decision === "Deny") status.denied = true;
  if (r.reason) status.reason = r.reason;
  return status;
}

function attributesFromSpec(user: UserInfo, spec: Obj): Attributes {
  return spec.resourceAttributes
    ? resourceAttributes(user, spec.resourceAttributes)
    : nonResourceAttributes(user, spec.nonResourceAttributes);
}

/** The user a SubjectAccessReview asks about: exactly as given (no groups are added). */
function specUser(spec: Obj): UserInfo {
  const u: UserInfo = { name: spec.user ?? "", groups: [...(spec.groups ?? [])] };
  if (spec.uid) u.uid = spec.uid;
  if (spec.extra) u.extra = spec.extra;
  return u;
}

/** The request object answered with its status, as upstream returns it (a zero creationTimestamp is null). */
function withStatus(obj: Obj, kind: string, status: Obj): Obj {
  const metadata: Obj = { ...obj.metadata };
  if (metadata.creationTimestamp === undefined) metadata.creationTimestamp = null;
  return { ...obj, kind, apiVersion: API_VERSION, metadata, status };
}

export function subjectAccessReview(opts: ReviewOptions): VirtualCreate {
  return async (obj) => {
    const spec: Obj = obj.spec ?? {};
    const errs = validateSubjectSpec(spec);
    if (!metaIsEmpty(obj.metadata, false)) {
      errs.push(invalid(newPath("metadata"), goObjectMeta(obj.metadata), "must be empty"));
    }
    refuse(errs);
    return withStatus(
      obj,
      "SubjectAccessReview",
      await decide(opts.authorizer, attributesFromSpec(specUser(spec), spec)),
    );
  };
}

export function localSubjectAccessReview(opts: ReviewOptions): VirtualCreate {
  return async (obj, ctx: VirtualContext) => {
    const namespace = ctx.info.namespace;
    if (!namespace) throw newBadRequest(`namespace is required on this type: ${namespace}`);
    const spec: Obj = obj.spec ?? {};
    const objNamespace: string = obj.metadata?.namespace ?? "";
    const errs = validateSubjectSpec(spec);
    if (!metaIsEmpty(obj.metadata, true)) {
      errs.push(
        invalid(newPath("metadata"), goObjectMeta(obj.metadata), "must be empty except for namespace"),
      );
    }
    if (spec.resourceAttributes && (spec.resourceAttributes.namespace ?? "") !== objNamespace) {
      errs.push(
        invalid(
          newPath("spec.resourceAttributes.namespace"),
          spec.resourceAttributes.namespace ?? "",
          "must match metadata.namespace",
        ),
      );
    }
    if (spec.nonResourceAttributes) {
      errs.push(
        invalid(
          newPath("spec.nonResourceAttributes"),
          goNonResource(spec.nonResourceAttributes),
          "disallowed on this kind of request",
        ),
      );
    }
    refuse(errs);
    if (namespace !== objNamespace) {
      throw newBadRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
    }
    return withStatus(
      obj,
      "LocalSubjectAccessReview",
      await decide(opts.authorizer, attributesFromSpec(specUser(spec), spec)),
    );
  };
}

export function selfSubjectAccessReview(opts: ReviewOptions): VirtualCreate {
  return async (obj, ctx: VirtualContext) => {
    const spec: Obj = obj.spec ?? {};
    refuse(validateAttributesUnion(spec));
    return withStatus(
      obj,
      "SelfSubjectAccessReview",
      await decide(opts.authorizer, attributesFromSpec(ctx.user, spec)),
    );
  };
}

export function selfSubjectRulesReview(opts: ReviewOptions): VirtualCreate {
  return (obj, ctx: VirtualContext) => {
    const namespace: string = obj.spec?.namespace ?? "";
    if (!namespace) throw newBadRequest("no namespace on request");
    const rules = opts.ruleResolver.rulesFor(ctx.user, namespace);
    const status: Obj = {
      resourceRules: rules.resourceRules.map((r) => {
        const out: Obj = { verbs: r.verbs };
        if (r.apiGroups.length > 0) out.apiGroups = r.apiGroups;
        if (r.resources.length > 0) out.resources = r.resources;
        if (r.resourceNames.length > 0) out.resourceNames = r.resourceNames;
        return out;
      }),
      nonResourceRules: rules.nonResourceRules.map((r) => {
        const out: Obj = { verbs: r.verbs };
        if (r.nonResourceURLs.length > 0) out.nonResourceURLs = r.nonResourceURLs;
        return out;
      }),
      incomplete: rules.incomplete,
    };
    if (rules.errors.length > 0) status.evaluationError = aggregateMessage(rules.errors);
    // Upstream answers with a new object: the spec is not echoed.
    return {
      kind: "SelfSubjectRulesReview",
      apiVersion: API_VERSION,
      metadata: { creationTimestamp: null },
      spec: {},
      status,
    };
  };
}

/** The handlers for RestOptions.virtual, keyed "group/resource". */
export function rbacVirtualHandlers(opts: ReviewOptions): Map<string, VirtualCreate> {
  return new Map<string, VirtualCreate>([
    [`${GROUP}/subjectaccessreviews`, subjectAccessReview(opts)],
    [`${GROUP}/localsubjectaccessreviews`, localSubjectAccessReview(opts)],
    [`${GROUP}/selfsubjectaccessreviews`, selfSubjectAccessReview(opts)],
    [`${GROUP}/selfsubjectrulesreviews`, selfSubjectRulesReview(opts)],
  ]);
}
