// ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding printers: ports of
// printValidatingAdmissionPolicy / printValidatingAdmissionPolicyBinding.
import type {
  ParamRef,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from "kubernetes-types/admissionregistration/v1.d.ts";
import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printValidatingAdmissionPolicy(obj: ValidatingAdmissionPolicy, ctx: PrintContext): PrintedRow {
  const paramKind = obj.spec?.paramKind;
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.spec?.validations?.length ?? 0,
      paramKind ? `${paramKind.apiVersion ?? ""}/${paramKind.kind ?? ""}` : "<unset>",
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

/** The generated String() of a *metav1.LabelSelector (gogo-protobuf's). */
function labelSelectorString(sel: LabelSelector): string {
  let exprs = "[]LabelSelectorRequirement{";
  for (const e of sel.matchExpressions ?? []) {
    exprs += `LabelSelectorRequirement{Key:${e.key ?? ""},Operator:${e.operator ?? ""},Values:[${(e.values ?? []).join(" ")}],},`;
  }
  exprs += "}";
  let labels = "map[string]string{";
  const matchLabels = sel.matchLabels ?? {};
  for (const k of Object.keys(matchLabels).sort()) labels += `${k}: ${matchLabels[k]},`;
  labels += "}";
  return `&LabelSelector{MatchLabels:${labels},MatchExpressions:${exprs},}`;
}

function paramRefCell(pr: ParamRef | undefined): string {
  if (!pr) return "<unset>";
  const name = pr.name ?? "";
  if (name.length > 0) {
    // Whether the param is cluster-scoped cannot be told here: no namespace reads "*".
    return pr.namespace ? `${pr.namespace}/${name}` : `*/${name}`;
  }
  return pr.selector ? labelSelectorString(pr.selector) : "<unset>";
}

function printValidatingAdmissionPolicyBinding(
  obj: ValidatingAdmissionPolicyBinding,
  ctx: PrintContext,
): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.spec?.policyName ?? "",
      paramRefCell(obj.spec?.paramRef),
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const validatingAdmissionPolicyPrinter: TablePrinter<ValidatingAdmissionPolicy> = {
  columns: [
    nameColumn(),
    column(
      "Validations",
      "integer",
      "Validations indicates the number of validation rules defined in this configuration",
    ),
    column(
      "ParamKind",
      "string",
      "ParamKind specifies the kind of resources used to parameterize this policy",
    ),
    ageColumn(),
  ],
  print: printValidatingAdmissionPolicy,
};

export const validatingAdmissionPolicyBindingPrinter: TablePrinter<ValidatingAdmissionPolicyBinding> = {
  columns: [
    nameColumn(),
    column(
      "PolicyName",
      "string",
      "PolicyName indicates the policy definition which the policy binding binded to",
    ),
    column("ParamRef", "string", "ParamRef indicates the param resource which sets the configration param"),
    ageColumn(),
  ],
  print: printValidatingAdmissionPolicyBinding,
};
