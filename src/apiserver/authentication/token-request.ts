// POST …/serviceaccounts/<name>/token (pkg/registry/core/serviceaccount/storage/token.go):
// a TokenRequest in, the same TokenRequest with status.token and
// status.expirationTimestamp out (201). `kubectl create token` and the
// kubelet's projected volumes use it.
import type { IncomingMessage } from "node:http";
import { decodeProtobufBody, protobufContentType } from "../../api/protobuf/body.ts";
import { ProtobufDecodeError } from "../../api/protobuf/errors.ts";
import type { Obj } from "../../api/registry.ts";
import { cannotBeHandledMessage, DecodeError, decodeBody } from "../../api/strict-decode.ts";
import { formatTime } from "../../machinery/apply/managed-fields.ts";
import { type FieldError, goQuote, invalid, newPath } from "../../machinery/field-errors.ts";
import { newBadRequest, newConflict, newInvalid, newUnsupportedMediaType } from "../../machinery/status.ts";
import type { SubresourceHandler } from "../handlers/rest.ts";
import { addWarnings, readBody, writeJson } from "../http.ts";
import type { Registry } from "../registry/index.ts";
import {
  claimsFor,
  EXPIRATION_EXTENSION_SECONDS,
  type ServiceAccountTokenGenerator,
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
} from "./service-account.ts";

const TOKEN_REQUEST_KIND = { group: "authentication.k8s.io", kind: "TokenRequest" };
/** SetDefaults_TokenRequestSpec. */
const DEFAULT_EXPIRATION_SECONDS = 60 * 60;
const MIN_EXPIRATION_SECONDS = 10 * 60;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export interface TokenRequestOptions {
  registry: Registry;
  generator: ServiceAccountTokenGenerator;
  /** The API audiences: the default spec.audiences. */
  apiAudiences: string[];
  /** --service-account-max-token-expiration in seconds; 0 or unset for no limit. */
  maxExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true): kubelet tokens live a year but warn after an hour. */
  extendExpiration?: boolean;
  now?: () => Date;
}

interface BoundObjectRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

function optionalString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw decodeError(v, field, "string");
  return v;
}

function decodeError(v: unknown, field: string, goType: string) {
  return newBadRequest(
    `json: cannot unmarshal ${Array.isArray(v) ? "array" : typeof v} into Go struct field ${field} of type ${goType}`,
  );
}

/** The decoded body as a typed TokenRequest spec, defaults applied. */
function specOf(body: Obj): {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef?: BoundObjectRef;
} {
  const spec = body.spec ?? {};
  if (typeof spec !== "object" || Array.isArray(spec))
    throw decodeError(spec, "TokenRequest.spec", "v1.TokenRequestSpec");
  let audiences: string[] = [];
  if (spec.audiences !== undefined && spec.audiences !== null) {
    if (!Array.isArray(spec.audiences) || !spec.audiences.every((a: unknown) => typeof a === "string")) {
      throw decodeError(spec.audiences, "TokenRequestSpec.spec.audiences", "[]string");
    }
    audiences = spec.audiences;
  }
  let expirationSeconds = DEFAULT_EXPIRATION_SECONDS;
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds !== null) {
    if (typeof spec.expirationSeconds !== "number" || !Number.isInteger(spec.expirationSeconds)) {
      throw decodeError(spec.expirationSeconds, "TokenRequestSpec.spec.expirationSeconds", "int64");
    }
    expirationSeconds = spec.expirationSeconds;
  }
  let boundObjectRef: BoundObjectRef | undefined;
  const r = spec.boundObjectRef;
  if (r !== undefined && r !== null) {
    if (typeof r !== "object" || Array.isArray(r)) {
      throw decodeError(r, "TokenRequestSpec.spec.boundObjectRef", "v1.BoundObjectReference");
    }
    boundObjectRef = {};
    for (const k of ["kind", "apiVersion", "name", "uid"] as const) {
      const v = optionalString(r[k], `BoundObjectReference.spec.boundObjectRef.${k}`);
      if (v) boundObjectRef[k] = v;
    }
  }
  return { audiences, expirationSeconds, boundObjectRef };
}

/** ValidateTokenRequest. */
function validateTokenRequest(expirationSeconds: number): FieldError[] {
  const p = newPath("spec", "expirationSeconds");
  const errs: FieldError[] = [];
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) {
    errs.push(invalid(p, expirationSeconds, "may not specify a duration less than 10 minutes"));
  }
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    errs.push(invalid(p, expirationSeconds, "may not specify a duration larger than 2^32 seconds"));
  }
  return errs;
}

/** schema.FromAPIVersionAndKind: the group of "apps/v1", "" for "v1" or a malformed version. */
function groupOf(apiVersion: string | undefined): { group: string; version: string } {
  if (!apiVersion) return { group: "", version: "" };
  const parts = apiVersion.split("/");
  if (parts.length === 1) return { group: "", version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return { group: "", version: "" };
}

const TOKEN_REQUEST_GVK = { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" };
const BODY_TYPES = ["application/json", "application/yaml", protobufContentType];

/**
 * The request body as a TokenRequest: JSON, YAML or protobuf (what kubectl's
 * typed client sends), with upstream's decoding errors.
 */
async function decodeTokenRequest(req: IncomingMessage): Promise<Obj> {
  const data = await readBody(req);
  const media = (req.headers["content-type"] ?? "application/json").split(";")[0].trim().toLowerCase();
  if (media !== "" && !BODY_TYPES.includes(media)) throw newUnsupportedMediaType(BODY_TYPES);
  let obj: unknown;
  try {
    obj =
      media === protobufContentType
        ? decodeProtobufBody(data, TOKEN_REQUEST_GVK).object
        : decodeBody(data, media || "application/json", TOKEN_REQUEST_GVK).object;
  } catch (e) {
    if (e instanceof ProtobufDecodeError) throw newBadRequest(e.message);
    if (e instanceof DecodeError) {
      throw newBadRequest(
        cannotBeHandledMessage({
          kind: "TokenRequest",
          version: "v1",
          intoKind: "TokenRequest",
          error: e.message,
          body: data,
          beforeKind: e.beforeKind,
        }),
      );
    }
    throw e;
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw newBadRequest(
      cannotBeHandledMessage({
        intoKind: "TokenRequest",
        error: "json: cannot unmarshal non-object into Go value",
        body: data,
        beforeKind: true,
      }),
    );
  }
  return obj as Obj;
}

export function tokenRequestHandler(opts: TokenRequestOptions): SubresourceHandler {
  const now = opts.now ?? (() => new Date());
  const extend = opts.extendExpiration ?? true;
  const apiAudiences = new Set(opts.apiAudiences);
  const get = (resource: string, ns: string | undefined, name: string) => {
    const s = opts.registry.byResource("", "v1", resource);
    if (!s) throw new Error(`no store for ${resource}`);
    return s.get(ns, name);
  };

  return async (req, res, ctx) => {
    const namespace = ctx.info.namespace;
    const name = ctx.info.name;
    if (!namespace) throw newBadRequest("namespace is required");
    // Not ctx.decode(): it reads JSON only, and kubectl sends TokenRequests as protobuf.
    const body = await decodeTokenRequest(req);
    const metadata: Obj = body.metadata && typeof body.metadata === "object" ? { ...body.metadata } : {};

    // A name or namespace in the body must match the URL's.
    const reqName = optionalString(metadata.name, "ObjectMeta.metadata.name");
    const reqNamespace = optionalString(metadata.namespace, "ObjectMeta.metadata.namespace");
    if (reqName && reqName !== name) {
      throw newInvalid(TOKEN_REQUEST_KIND, name, [
        invalid(newPath("metadata", "name"), reqName, "must match the service account name if specified"),
      ]);
    }
    if (reqNamespace && reqNamespace !== namespace) {
      throw newInvalid(TOKEN_REQUEST_KIND, name, [
        invalid(
          newPath("metadata", "namespace"),
          reqNamespace,
          "must match the service account namespace if specified",
        ),
      ]);
    }
    const spec = specOf(body);

    const sa = await ctx.store.get(namespace, name);
    if (spec.audiences.length === 0) spec.audiences = [...opts.apiAudiences];
    metadata.name = sa.metadata?.name;
    metadata.namespace = sa.metadata?.namespace;
    // The time is taken before the token so that status.expirationTimestamp is never after exp.
    const issuedAt = now();
    metadata.creationTimestamp = formatTime(issuedAt);

    const errs = validateTokenRequest(spec.expirationSeconds);
    if (errs.length > 0) throw newInvalid(TOKEN_REQUEST_KIND, "", errs);

    let pod: Obj | undefined;
    let secret: Obj | undefined;
    let node: Obj | undefined;
    const ref = spec.boundObjectRef;
    if (ref) {
      const { group, version } = groupOf(ref.apiVersion);
      const kind = ref.kind ?? "";
      let uid: string | undefined;
      if (group === "" && kind === "Pod") {
        pod = await get("pods", namespace, ref.name ?? "");
        if (name !== pod.spec?.serviceAccountName) {
          throw newBadRequest(
            `cannot bind token for serviceaccount ${goQuote(name)} to pod running with different serviceaccount name.`,
          );
        }
        uid = pod.metadata?.uid;
        const nodeName = pod.spec?.nodeName;
        // The pod's node goes into the token when it can be read; its absence is no error.
        if (nodeName) node = await get("nodes", undefined, nodeName).catch(() => undefined);
      } else if (group === "" && kind === "Node") {
        node = await get("nodes", undefined, ref.name ?? "");
        uid = node.metadata?.uid;
      } else if (group === "" && kind === "Secret") {
        secret = await get("secrets", namespace, ref.name ?? "");
        uid = secret.metadata?.uid;
      } else {
        throw newBadRequest(`cannot bind token to object of type ${group}/${version}, Kind=${kind}`);
      }
      if (ref.uid && uid !== ref.uid) {
        throw newConflict(
          { group, resource: kind },
          ref.name ?? "",
          `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
        );
      }
    }

    const max = opts.maxExpirationSeconds ?? 0;
    if (max > 0 && spec.expirationSeconds > max) {
      addWarnings(res, [
        `requested expiration of ${spec.expirationSeconds} seconds shortened to ${max} seconds`,
      ]);
      spec.expirationSeconds = max;
    }

    // A kubelet's pod-bound token for the apiserver lives a year but is reported stale after its hour.
    let exp = spec.expirationSeconds;
    let warnAfter = 0;
    if (
      extend &&
      pod &&
      spec.expirationSeconds === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS &&
      spec.audiences.every((a) => apiAudiences.has(a))
    ) {
      warnAfter = exp;
      exp = EXPIRATION_EXTENSION_SECONDS;
    }

    const claims = claimsFor({
      serviceAccount: sa,
      pod,
      secret,
      node,
      expirationSeconds: exp,
      warnAfter,
      audiences: spec.audiences,
      now: issuedAt,
    });
    const token = opts.generator.generateToken(claims);
    const out: Obj = {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata,
      spec: {
        audiences: spec.audiences,
        expirationSeconds: spec.expirationSeconds,
        boundObjectRef: spec.boundObjectRef ?? null,
      },
      status: {
        token,
        expirationTimestamp: formatTime(new Date(issuedAt.getTime() + spec.expirationSeconds * 1000)),
      },
    };
    writeJson(res, 201, out);
  };
}
