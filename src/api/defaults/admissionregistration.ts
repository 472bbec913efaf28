// admissionregistration.k8s.io/v1 defaults (pkg/apis/admissionregistration/v1/defaults.go).
// In v1, unlike v1beta1, sideEffects and admissionReviewVersions are required, not defaulted.

import type {
  MutatingWebhookConfiguration,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidatingWebhookConfiguration,
} from "kubernetes-types/admissionregistration/v1.d.ts";
import { defaultPointer, type JsonObject, objectAt, objectsAt, structAt } from "./json.ts";

export function defaultValidatingWebhookConfiguration(
  config: ValidatingWebhookConfiguration | JsonObject,
): void {
  for (const webhook of objectsAt(config as JsonObject, "webhooks")) defaultWebhook(webhook);
}

export function defaultMutatingWebhookConfiguration(config: MutatingWebhookConfiguration | JsonObject): void {
  for (const webhook of objectsAt(config as JsonObject, "webhooks")) {
    defaultWebhook(webhook);
    defaultPointer(webhook, "reinvocationPolicy", "Never");
  }
}

function defaultWebhook(webhook: JsonObject): void {
  defaultPointer(webhook, "failurePolicy", "Fail");
  defaultPointer(webhook, "matchPolicy", "Equivalent");
  defaultPointer(webhook, "namespaceSelector", {});
  defaultPointer(webhook, "objectSelector", {});
  defaultPointer(webhook, "timeoutSeconds", 10);
  for (const rule of objectsAt(webhook, "rules")) defaultRule(rule);
  const clientConfig = structAt(webhook, "clientConfig");
  const service = clientConfig ? objectAt(clientConfig, "service") : undefined;
  if (service) defaultPointer(service, "port", 443);
}

/** SetDefaults_Rule: a rule without scope matches cluster and namespaced resources. */
function defaultRule(rule: JsonObject): void {
  defaultPointer(rule, "scope", "*");
}

export function defaultValidatingAdmissionPolicy(policy: ValidatingAdmissionPolicy | JsonObject): void {
  const spec = structAt(policy as JsonObject, "spec");
  if (!spec) return;
  defaultPointer(spec, "failurePolicy", "Fail");
  const matchConstraints = objectAt(spec, "matchConstraints");
  if (matchConstraints) defaultMatchResources(matchConstraints);
}

export function defaultValidatingAdmissionPolicyBinding(
  binding: ValidatingAdmissionPolicyBinding | JsonObject,
): void {
  const spec = structAt(binding as JsonObject, "spec");
  if (!spec) return;
  const paramRef = objectAt(spec, "paramRef");
  if (paramRef) defaultPointer(paramRef, "parameterNotFoundAction", "Deny");
  const matchResources = objectAt(spec, "matchResources");
  if (matchResources) defaultMatchResources(matchResources);
}

function defaultMatchResources(match: JsonObject): void {
  defaultPointer(match, "matchPolicy", "Equivalent");
  defaultPointer(match, "namespaceSelector", {});
  defaultPointer(match, "objectSelector", {});
  for (const rule of objectsAt(match, "resourceRules")) defaultRule(rule);
  for (const rule of objectsAt(match, "excludeResourceRules")) defaultRule(rule);
}
