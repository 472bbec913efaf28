// The ValidatingAdmissionPolicy admission plugin (upstream's
// policy/validating dispatcher): for every policy whose matchConstraints take
// the request, every binding of it whose matchResources do too, and every
// param the binding names, the policy's CEL expressions run; a failed
// validation is enforced by the binding's validationActions (Deny refuses the
// request, Warn adds a warning, Audit an audit annotation). A policy or
// binding that cannot be applied (an unknown paramKind, a missing param, a
// bad selector, an expression that fails) is judged by the policy's
// failurePolicy. Admission configuration objects themselves are exempt.
//
// Files: evaluation.ts compiles and runs one policy, matching.ts matches a
// request, params.ts finds a binding's params.
//
// Not here: type checking against the kinds' schemas (status.typeChecking),
// and matchPolicy Equivalent (as Exact).

import type { AuthorizeFn } from "../../../../api/cel/authorizer.ts";
import type { Obj } from "../../../../api/registry.ts";
import type { StatusError } from "../../../../machinery/status.ts";
import type { Authorizer } from "../../../authorization/authorizer.ts";
import type { AdmissionAttributes, ValidatingPlugin } from "../../admission.ts";
import { admissionForbidden, errorMessage } from "../errors.ts";
import { celAuthorize } from "../match-conditions.ts";
import type { ObjectCache } from "../object-cache.ts";
import type { NamespaceMatcher } from "../webhooks/namespace-matcher.ts";
import { isExemptAdmissionConfigurationResource } from "../webhooks/rules.ts";
import { compilePolicy, type PolicyDecision, validatePolicy } from "./evaluation.ts";
import { matchesResources } from "./matching.ts";
import { collectParams, type ParamRegistry } from "./params.ts";

export const PLUGIN_NAME = "ValidatingAdmissionPolicy";

export interface ValidatingAdmissionPolicyOptions {
  policies: ObjectCache;
  bindings: ObjectCache;
  namespaceMatcher: NamespaceMatcher;
  /** The namespace object by name (for namespaceObject); throws when there is none. */
  getNamespace(name: string): Promise<Obj>;
  registry: ParamRegistry;
  /** What `authorizer` asks; without one every check has no opinion. */
  authorizer?: Authorizer;
}

interface Denial extends PolicyDecision {
  policy: string;
  binding?: string;
}

const byName = (a: Obj, b: Obj) => String(a.metadata?.name).localeCompare(String(b.metadata?.name));

/** upstream's reasonToCode: the reasons a validation may give, and 422 for Invalid or anything else. */
function reasonToCode(reason: string): number {
  switch (reason) {
    case "Forbidden":
      return 403;
    case "Unauthorized":
      return 401;
    case "RequestEntityTooLarge":
      return 413;
    default:
      return 422;
  }
}

export class ValidatingAdmissionPolicyPlugin implements ValidatingPlugin {
  readonly name = PLUGIN_NAME;
  private readonly authorize: AuthorizeFn;

  constructor(private readonly opts: ValidatingAdmissionPolicyOptions) {
    this.authorize = celAuthorize(opts.authorizer);
  }

  handles(): boolean {
    return true;
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (isExemptAdmissionConfigurationResource(a)) return;
    const policies = await this.opts.policies.listAll();
    if (policies.length === 0) return;
    const bindings = new Map<string, Obj[]>();
    for (const b of (await this.opts.bindings.listAll()).sort(byName)) {
      const name = String(b.spec?.policyName ?? "");
      bindings.set(name, [...(bindings.get(name) ?? []), b]);
    }
    const denials: Denial[] = [];
    for (const policy of policies.sort(byName)) {
      const mine = bindings.get(policy.metadata?.name) ?? [];
      if (mine.length > 0) denials.push(...(await this.dispatch(policy, mine, a)));
    }
    if (denials.length > 0) throw this.refusal(a, denials[0]);
  }

  private async dispatch(policy: Obj, bindings: Obj[], a: AdmissionAttributes): Promise<Denial[]> {
    const policyName = String(policy.metadata?.name);
    const compiled = compilePolicy(policy);
    const denials: Denial[] = [];
    const configError = (err: unknown, binding?: string) => {
      if (compiled.failurePolicy === "Ignore") return;
      const what = binding === undefined ? "policy" : "binding";
      denials.push({
        action: "deny",
        message: `failed to configure ${what}: ${errorMessage(err)}`,
        policy: policyName,
        binding,
      });
    };
    try {
      if (!(await matchesResources(policy.spec?.matchConstraints, a, this.opts.namespaceMatcher))) return [];
    } catch (e) {
      configError(e);
      return denials;
    }
    let namespace: Obj | null | undefined;
    for (const binding of bindings) {
      const bindingName = String(binding.metadata?.name);
      let params: (Obj | null)[];
      try {
        if (!(await matchesResources(binding.spec?.matchResources, a, this.opts.namespaceMatcher))) continue;
        params = await collectParams(
          this.opts.registry,
          policy.spec?.paramKind,
          binding.spec?.paramRef,
          a.namespace,
        );
      } catch (e) {
        configError(e, bindingName);
        continue;
      }
      if (params.length === 0) continue;
      namespace ??= await this.namespaceOf(a);
      const actions: string[] = Array.isArray(binding.spec?.validationActions)
        ? binding.spec.validationActions
        : [];
      const annotations = new Map<string, string[]>();
      for (const param of params) {
        const result = await validatePolicy(compiled, a, param, namespace, this.authorize);
        result.decisions.forEach((d, i) => {
          if (d.action !== "deny") return;
          for (const action of actions) {
            if (action === "Deny") denials.push({ ...d, policy: policyName, binding: bindingName });
            else if (action === "Warn") {
              a.warnings.push(
                `Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${d.message}`,
              );
            } else if (action === "Audit") {
              a.addAnnotation?.(
                "validation.policy.admission.k8s.io/validation_failure",
                JSON.stringify([
                  {
                    message: d.message,
                    policy: policyName,
                    binding: bindingName,
                    expressionIndex: i,
                    validationActions: actions,
                  },
                ]),
              );
            }
          }
        });
        for (const an of result.auditAnnotations) {
          if (an.error !== undefined) {
            denials.push({
              action: "deny",
              evaluationError: true,
              message: an.error,
              policy: policyName,
              binding: bindingName,
            });
          } else if (an.value !== undefined) {
            const values = annotations.get(an.key) ?? [];
            if (!values.includes(an.value))
              annotations.set(an.key, [...values, an.value.slice(0, 10 * 1024)]);
          }
        }
      }
      for (const [key, values] of annotations) a.addAnnotation?.(`${policyName}/${key}`, values.join(", "));
    }
    return denials;
  }

  /** The request's namespace for namespaceObject: none for cluster-scoped objects and for a Namespace itself. */
  private async namespaceOf(a: AdmissionAttributes): Promise<Obj | null> {
    const isNamespace = a.kind.group === "" && a.kind.version === "v1" && a.kind.kind === "Namespace";
    if (!a.namespace || isNamespace) return null;
    return this.opts.getNamespace(a.namespace);
  }

  /** admission.NewForbidden with the first denial's reason and code, and the message as the one cause. */
  private refusal(a: AdmissionAttributes, d: Denial): StatusError {
    const message =
      d.binding === undefined
        ? `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`
        : `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`;
    const err = admissionForbidden(a, message);
    const reason = d.reason || "Invalid";
    err.status.reason = reason as StatusError["reason"];
    err.status.code = reasonToCode(reason);
    err.status.details = {
      ...err.status.details,
      causes: [...(err.status.details?.causes ?? []), { message }],
    };
    return err;
  }
}
