// The AdmissionReview a webhook gets and the checks on what it answers
// (upstream's admission/plugin/webhook/request/admissionreview.go).
import { goQuote } from "../../../../machinery/field-errors.ts";
import type { AdmissionAttributes, Obj } from "../../admission.ts";
import type { WebhookInvocation } from "./should-call-hook.ts";
import { ADMISSION_GROUP, type AdmissionRequest, type AdmissionReview, type WebhookStatus } from "./types.ts";

/** The response fields the dispatchers act on, normalised across v1 and v1beta1. */
export interface VerifiedResponse {
  allowed: boolean;
  /** The decoded patch bytes (empty: none). */
  patch: Buffer;
  patchType: string;
  result?: WebhookStatus;
  auditAnnotations: Record<string, string>;
  warnings: string[];
}

const OPTIONS_KIND: Record<string, string | undefined> = {
  CREATE: "CreateOptions",
  UPDATE: "UpdateOptions",
  DELETE: "DeleteOptions",
};

/** The first AdmissionReview version the webhook accepts that this apiserver knows, as CreateAdmissionObjects picks it. */
export function pickAdmissionReviewVersion(versions: readonly string[]): "v1" | "v1beta1" | undefined {
  for (const v of versions) {
    if (v === "v1" || v === "v1beta1") return v;
  }
  return undefined;
}

/** An object as the webhook codec encodes it: always with apiVersion and kind. */
function withTypeMeta(obj: Obj | undefined, kind: WebhookInvocation["kind"], typed: boolean): Obj | null {
  if (!obj) return null;
  if (!typed || (obj.kind && obj.apiVersion)) return obj;
  return {
    apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version,
    kind: kind.kind,
    ...obj,
  };
}

/** The operation's options (CreateOptions, UpdateOptions, DeleteOptions) as upstream sends them; null for CONNECT. */
function operationOptions(a: AdmissionAttributes): Obj | null {
  const kind = OPTIONS_KIND[a.operation];
  if (!kind) return a.options ?? null;
  const opts: Obj = { kind, apiVersion: "meta.k8s.io/v1", ...(a.options ?? {}) };
  if (a.dryRun && !opts.dryRun) opts.dryRun = ["All"];
  return opts;
}

/** CreateV1AdmissionReview / CreateV1beta1AdmissionReview. */
export function createAdmissionReview(
  version: "v1" | "v1beta1",
  uid: string,
  a: AdmissionAttributes,
  invocation: WebhookInvocation,
): AdmissionReview {
  const typed = a.operation !== "CONNECT";
  const request: AdmissionRequest = {
    uid,
    kind: { group: invocation.kind.group, version: invocation.kind.version, kind: invocation.kind.kind },
    resource: {
      group: invocation.resource.group,
      version: invocation.resource.version,
      resource: invocation.resource.resource,
    },
    subResource: invocation.subresource || undefined,
    requestKind: { group: a.kind.group, version: a.kind.version, kind: a.kind.kind },
    requestResource: { group: a.resource.group, version: a.resource.version, resource: a.resource.resource },
    requestSubResource: a.subresource || undefined,
    name: a.name || undefined,
    namespace: a.namespace || undefined,
    operation: a.operation,
    userInfo: {
      username: a.user.name || undefined,
      uid: a.user.uid || undefined,
      groups: a.user.groups.length > 0 ? [...a.user.groups] : undefined,
      extra: a.user.extra && Object.keys(a.user.extra).length > 0 ? a.user.extra : undefined,
    },
    object: withTypeMeta(a.object, invocation.kind, typed),
    oldObject: withTypeMeta(a.oldObject, invocation.kind, typed),
    dryRun: a.dryRun,
    options: operationOptions(a),
  };
  return { kind: "AdmissionReview", apiVersion: `${ADMISSION_GROUP}/${version}`, request };
}

function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === "string" ? apiVersion : "";
  const i = av.indexOf("/");
  const [group, version] = i === -1 ? ["", av] : [av.slice(0, i), av.slice(i + 1)];
  return `${group}/${version}, Kind=${typeof kind === "string" ? kind : ""}`;
}

/** Go's encoding/json for []byte: standard base64 with padding; \r and \n are skipped. */
function decodeBase64(s: string): Buffer {
  const clean = s.replace(/[\r\n]/g, "");
  const bad = clean.search(/[^A-Za-z0-9+/=]/);
  if (bad !== -1) throw new Error(`illegal base64 data at input byte ${bad}`);
  if (clean.length % 4 !== 0 || /=[^=]/.test(clean)) {
    throw new Error(
      `illegal base64 data at input byte ${Math.max(0, clean.length - (clean.length % 4 || 4))}`,
    );
  }
  return Buffer.from(clean, "base64");
}

/**
 * Reads the webhook's answer into an AdmissionReview, as the webhook client
 * decodes it. Throws with the decoder's wording; callers report that as a
 * failure to call the webhook.
 */
export function decodeAdmissionReview(body: unknown): AdmissionReview & { decodedPatch?: Buffer } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new Error(
      `json: cannot unmarshal ${Array.isArray(body) ? "array" : body === null ? "null" : typeof body} into Go value of type v1.AdmissionReview`,
    );
  }
  const review = body as AdmissionReview & { decodedPatch?: Buffer };
  const r = review.response;
  if (r !== undefined && r !== null) {
    if (typeof r !== "object" || Array.isArray(r)) {
      throw new Error("json: cannot unmarshal into Go struct field AdmissionReview.response");
    }
    if (r.allowed !== undefined && r.allowed !== null && typeof r.allowed !== "boolean") {
      throw new Error(
        `json: cannot unmarshal ${typeof r.allowed} into Go struct field AdmissionResponse.response.allowed of type bool`,
      );
    }
    if (r.patch !== undefined && r.patch !== null) {
      if (typeof r.patch !== "string") {
        throw new Error(
          `json: cannot unmarshal ${typeof r.patch} into Go struct field AdmissionResponse.response.patch of type []uint8`,
        );
      }
      review.decodedPatch = decodeBase64(r.patch);
    }
  }
  return review;
}

/** VerifyAdmissionResponse: checks the answer to `uid` and returns what it decided, or throws why it is not valid. */
export function verifyAdmissionResponse(
  version: "v1" | "v1beta1",
  uid: string,
  mutating: boolean,
  review: AdmissionReview & { decodedPatch?: Buffer },
): VerifiedResponse {
  const r = review.response;
  if (!r) throw new Error("webhook response was absent");
  const patch = review.decodedPatch ?? Buffer.alloc(0);
  let patchType = "";
  if (version === "v1") {
    if ((r.uid ?? "") !== uid)
      throw new Error(`expected response.uid=${goQuote(uid)}, got ${goQuote(r.uid ?? "")}`);
    if (review.apiVersion !== `${ADMISSION_GROUP}/v1` || review.kind !== "AdmissionReview") {
      throw new Error(
        `expected webhook response of ${ADMISSION_GROUP}/v1, Kind=AdmissionReview, got ${gvkString(review.apiVersion, review.kind)}`,
      );
    }
    const hasPatchType = r.patchType !== undefined && r.patchType !== null;
    if (mutating) {
      if (patch.length > 0 && !hasPatchType) {
        throw new Error("webhook returned response.patch but not response.patchType");
      }
      if (patch.length === 0 && hasPatchType) {
        throw new Error("webhook returned response.patchType but not response.patch");
      }
      if (hasPatchType) {
        patchType = String(r.patchType);
        if (patchType === "")
          throw new Error(`webhook returned invalid response.patchType of ${goQuote(patchType)}`);
      }
    } else {
      if (patch.length > 0) throw new Error("validating webhook may not return response.patch");
      if (hasPatchType) throw new Error("validating webhook may not return response.patchType");
    }
  } else if (mutating && patch.length > 0) {
    // v1beta1 never checked the patch type: pin it to the only one there is.
    patchType = "JSONPatch";
  }
  return {
    allowed: r.allowed === true,
    patch: mutating ? patch : Buffer.alloc(0),
    patchType,
    result: r.status ?? undefined,
    auditAnnotations: r.auditAnnotations ?? {},
    warnings: Array.isArray(r.warnings) ? r.warnings.filter((w) => typeof w === "string") : [],
  };
}
