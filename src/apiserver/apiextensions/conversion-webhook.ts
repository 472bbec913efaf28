// Conversion webhooks of CustomResourceDefinitions (apiextensions-apiserver's
// webhookConverter): objects not yet in the wanted version go to the CRD's
// webhook in one ConversionReview; what comes back must be in that version,
// of the same kind, name, namespace and uid, and keeps the original metadata
// but for labels and annotations, which the webhook may change.

import { randomUUID } from "node:crypto";
import type { Obj, ResourceType } from "../../api/registry.ts";
import { validateLabelsMap } from "../../api/validation/common.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { newPath } from "../../machinery/field-errors.ts";
import { validateAnnotations } from "../../machinery/object-meta.ts";
import { newInternalError } from "../../machinery/status.ts";
import { WebhookCallError, type WebhookClient } from "../admission/plugins/webhooks/client.ts";

/** Upstream gives conversion webhooks no timeout of their own; its REST client's is 30 s. */
const TIMEOUT_SECONDS = 30;

function gvkString(obj: Obj): string {
  return `${obj.apiVersion}, Kind=${obj.kind}`;
}

function validateConverted(original: Obj, converted: Obj): string | undefined {
  const a = original.metadata ?? {};
  const b = converted.metadata ?? {};
  if (original.kind !== converted.kind)
    return `must have the same kind: ${original.kind} != ${converted.kind}`;
  if ((a.name ?? "") !== (b.name ?? "")) return `must have the same name: ${a.name ?? ""} != ${b.name ?? ""}`;
  if ((a.namespace ?? "") !== (b.namespace ?? ""))
    return `must have the same namespace: ${a.namespace ?? ""} != ${b.namespace ?? ""}`;
  if ((a.uid ?? "") !== (b.uid ?? "")) return `must have the same UID: ${a.uid ?? ""} != ${b.uid ?? ""}`;
  return undefined;
}

/** restoreObjectMeta: the original's metadata, with the labels and annotations the webhook returned. */
function restoreObjectMeta(original: Obj, converted: Obj): string | undefined {
  const response = converted.metadata;
  if (response === undefined) return "missing metadata in converted object";
  if (response === null || typeof response !== "object" || Array.isArray(response))
    return `invalid metadata of type ${typeof response} in converted object`;
  const meta: Obj = deepCopyJson(original.metadata ?? {});
  for (const field of ["labels", "annotations"] as const) {
    const value = response[field];
    if (value === undefined || value === null) {
      delete meta[field];
      continue;
    }
    for (const [k, v] of Object.entries(value as Obj)) {
      if (typeof v !== "string")
        return `metadata.${field}[${k}] must be a string, but is ${typeof v} in converted object`;
    }
    const errs =
      field === "labels"
        ? validateLabelsMap(value, newPath("metadata", "labels"))
        : validateAnnotations(value, newPath("metadata", "annotation"));
    if (errs.length > 0) return errs.map((e) => e.error()).join(", ");
    meta[field] = value;
  }
  converted.metadata = meta;
  return undefined;
}

export class ConversionWebhooks {
  constructor(private readonly client: WebhookClient) {}

  /**
   * The objects in `toVersion` of type's group, in their order: those already
   * there as they are, the others through the CRD's webhook, in one review.
   * `what` is the GVK upstream names in its errors (the list's, for a list).
   */
  async convert(type: ResourceType, objects: Obj[], toVersion: string, what?: string): Promise<Obj[]> {
    const webhook = type.custom?.conversionWebhook;
    const desired = `${type.group}/${toVersion}`;
    const pending = objects.filter((o) => o.apiVersion !== desired);
    if (pending.length === 0) return objects;
    const failed = (msg: string) =>
      newInternalError(`conversion webhook for ${what ?? gvkString(pending[0])} failed: ${msg}`);
    if (!webhook) throw failed("the CustomResourceDefinition names no webhook");
    const uid = randomUUID();
    const reviewVersion = webhook.conversionReviewVersions.find((v) => v === "v1" || v === "v1beta1");
    if (!reviewVersion) throw failed("no supported conversion review versions");
    let answer: Obj;
    try {
      answer = (await this.client.post(
        type.custom!.crd,
        webhook.clientConfig,
        {
          kind: "ConversionReview",
          apiVersion: `apiextensions.k8s.io/${reviewVersion}`,
          request: { uid, desiredAPIVersion: desired, objects: pending },
        },
        TIMEOUT_SECONDS,
      )) as Obj;
    } catch (e) {
      throw failed(e instanceof WebhookCallError || e instanceof Error ? e.message : String(e));
    }
    const response = answer?.response;
    if (
      reviewVersion === "v1" &&
      (answer?.apiVersion !== "apiextensions.k8s.io/v1" || answer?.kind !== "ConversionReview")
    )
      throw failed(
        `expected webhook response of apiextensions.k8s.io/v1, Kind=ConversionReview, got ${answer?.apiVersion ?? ""}, Kind=${answer?.kind ?? ""}`,
      );
    if (!response) throw failed("no response provided");
    if (reviewVersion === "v1" && response.uid !== uid)
      throw failed(`expected response.uid="${uid}", got "${response.uid ?? ""}"`);
    if (response.result?.status !== "Success") {
      throw failed(
        response.result?.message ||
          `response.result.status was '${response.result?.status ?? ""}', not 'Success'`,
      );
    }
    const converted: Obj[] = response.convertedObjects ?? [];
    const name = what ?? gvkString(pending[0]);
    if (converted.length !== pending.length)
      throw newInternalError(
        `conversion webhook for ${name} returned ${converted.length} objects, expected ${pending.length}`,
      );
    let next = 0;
    return objects.map((original) => {
      if (original.apiVersion === desired) return original;
      const index = next;
      const out = converted[next++];
      const invalid = (msg: string) =>
        newInternalError(
          `conversion webhook for ${name} returned invalid converted object at index ${index}: ${msg}`,
        );
      if (out?.apiVersion !== desired)
        throw invalid(`invalid groupVersion (expected ${desired}, received ${out?.apiVersion ?? ""})`);
      if (out.kind !== original.kind)
        throw invalid(`invalid kind (expected ${original.kind}, received ${out.kind ?? ""})`);
      const wrong = validateConverted(original, out);
      if (wrong) throw invalid(wrong);
      const badMeta = restoreObjectMeta(original, out);
      if (badMeta)
        throw newInternalError(
          `conversion webhook for ${name} returned invalid metadata in object at index ${index}: ${badMeta}`,
        );
      return out;
    });
  }
}
