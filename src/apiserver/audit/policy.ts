// Reading and validating an audit Policy (--audit-policy-file), as upstream's
// audit/policy/reader.go and apis/audit/validation/validation.go, with their
// messages: the apiserver refuses to start on any of them.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import {
  type FieldError,
  goStringSlice,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
  toAggregate,
} from "../../machinery/field-errors.ts";
import { isDNS1123Subdomain } from "../../machinery/validation.ts";
import { LEVELS, type Policy, type PolicyRule, STAGES, type Stage } from "./types.ts";

export const API_VERSION = "audit.k8s.io/v1";

export function validatePolicy(policy: Policy): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateOmitStages(policy.omitStages, newPath("omitStages")));
  const rules = newPath("rules");
  (policy.rules ?? []).forEach((rule, i) => {
    errs.push(...validateRule(rule, rules.index(i)));
  });
  return errs;
}

function validateRule(rule: PolicyRule, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const level: string = rule.level ?? "";
  if (level === "") errs.push(required(path.child("level"), ""));
  else if (!(LEVELS as readonly string[]).includes(level))
    errs.push(notSupported(path.child("level"), level, LEVELS));
  (rule.nonResourceURLs ?? []).forEach((url, i) => {
    if (url === "*") return;
    const at = path.child("nonResourceURLs").index(i);
    if (!url.startsWith("/"))
      errs.push(invalid(at, url, "non-resource URL rules must begin with a '/' character"));
    if (url !== "" && url.slice(0, -1).includes("*")) {
      errs.push(invalid(at, url, "non-resource URL wildcards '*' must be the final character of the rule"));
    }
  });
  for (const gr of rule.resources ?? []) {
    const group = gr.group ?? "";
    if (group !== "") {
      const msgs = isDNS1123Subdomain(group);
      if (msgs.length > 0) errs.push(invalid(path.child("resources", "group"), group, msgs.join(",")));
    }
    if ((gr.resourceNames ?? []).length > 0 && (gr.resources ?? []).length === 0) {
      errs.push(
        invalid(
          path.child("resources", "resourceNames"),
          goStringSlice(gr.resourceNames),
          "using resourceNames requires at least one resource",
        ),
      );
    }
  }
  errs.push(...validateOmitStages(rule.omitStages, path.child("omitStages")));
  if (
    (rule.nonResourceURLs ?? []).length > 0 &&
    ((rule.resources ?? []).length > 0 || (rule.namespaces ?? []).length > 0)
  ) {
    errs.push(
      invalid(
        path.child("nonResourceURLs"),
        goStringSlice(rule.nonResourceURLs),
        "rules cannot apply to both regular resources and non-resource URLs",
      ),
    );
  }
  return errs;
}

function validateOmitStages(stages: Stage[] | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (stages ?? []).forEach((s, i) => {
    if (!STAGES.includes(s))
      errs.push(invalid(path.index(i), String(s), `allowed stages are ${STAGES.join(",")}`));
  });
  return errs;
}

/** LoadPolicyFromBytes: decodes, checks the version, validates, and refuses a policy without rules. */
export function parsePolicy(text: string): Policy {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new Error(`failed decoding: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc) || !(doc as Policy).kind) {
    throw new Error("failed decoding: Object 'Kind' is missing");
  }
  const policy = doc as Policy;
  if (policy.apiVersion !== API_VERSION || policy.kind !== "Policy") {
    throw new Error(
      `failed decoding: no kind ${JSON.stringify(policy.kind)} is registered for version ${JSON.stringify(policy.apiVersion ?? "")}`,
    );
  }
  if (!Array.isArray(policy.rules)) policy.rules = [];
  const agg = toAggregate(validatePolicy(policy));
  if (agg) throw new Error(agg.message);
  if (policy.rules.length === 0) throw new Error("loaded illegal policy with 0 rules");
  return policy;
}

/** LoadPolicyFromFile, with upstream's wording. */
export function loadPolicyFile(path: string): Policy {
  if (!path) throw new Error("file path not specified");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`failed to read file path "${path}": ${(e as Error).message}`);
  }
  try {
    return parsePolicy(text);
  } catch (e) {
    throw new Error(`${(e as Error).message}: from file ${path}`);
  }
}
