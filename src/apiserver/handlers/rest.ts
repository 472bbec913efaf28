// The REST verbs on resources (upstream's apiserver/pkg/endpoints/handlers):
// get, list, create, update, patch, delete, deletecollection, and the status,
// scale and binding subresources. Watch lives in watch.ts.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { pruneObject } from "../../api/apiextensions/schema.ts";
import { applySchemaFor, emptyObjectFor, resetFieldsFor } from "../../api/apply-schema.ts";
import { patchSchemaFor } from "../../api/openapi.ts";
import { decodeProtobufBody } from "../../api/protobuf/body.ts";
import { ProtobufDecodeError } from "../../api/protobuf/errors.ts";
import { apiVersionOf, type Obj, type ResourceType } from "../../api/registry.ts";
import {
  cannotBeHandledMessage,
  DecodeError,
  decodeBody,
  decodeTypeFor,
  findUnknownFields,
  strictDecodingError,
} from "../../api/strict-decode.ts";
import {
  apply,
  type FieldManagerOptions,
  managerFromUserAgent,
  updateManagedFields,
} from "../../machinery/apply/field-manager.ts";
import { FieldSet } from "../../machinery/apply/field-set.ts";
import { fieldPath } from "../../machinery/apply/path-element.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { invalid, newPath, required } from "../../machinery/field-errors.ts";
import {
  type FieldSelector,
  fieldLabelConversion,
  parseAndTransformSelector,
} from "../../machinery/fields.ts";
import { parse as parseLabels, type Selector } from "../../machinery/labels.ts";
import { applyJSONPatch, decodeJSONPatch } from "../../machinery/patch/json-patch.ts";
import { applyMergePatch } from "../../machinery/patch/merge-patch.ts";
import { PatchError } from "../../machinery/patch/patch-error.ts";
import { strategicMergePatch } from "../../machinery/patch/strategic-merge.ts";
import {
  makeStatus,
  newBadRequest,
  newConflict,
  newInternalError,
  newInvalid,
  newMethodNotSupported,
  newNotFound,
  newUnsupportedMediaType,
  StatusError,
  StatusReason,
} from "../../machinery/status.ts";
import type { AdmissionAttributes, AdmissionChain, Operation } from "../admission/admission.ts";
import type { ConversionWebhooks } from "../apiextensions/conversion-webhook.ts";
import { auditContextOf, recordRequestObject } from "../audit/auditor.ts";
import type { UserInfo } from "../authentication/user.ts";
import { addWarnings, readBody, writeJson } from "../http.ts";
import { negotiate } from "../negotiation.ts";
import { COMPONENT_STATUS_WARNING, type ComponentStatuses } from "../registry/component-statuses.ts";
import { setAtPath, valueAtPath } from "../registry/custom-resources.ts";
import { serveEviction } from "../registry/eviction.ts";
import type { Registry } from "../registry/index.ts";
import type { ResourceStore, WriteOptions, WriteSubresource } from "../registry/resource-store.ts";
import type { RequestInfo } from "../request-info.ts";
import { type IncludeObject, renderList, renderObject } from "./output.ts";
import { serveWatch } from "./watch.ts";

/** Who asks, for handlers that answer from the request alone (reviews, tokens). */
export interface VirtualContext {
  user: UserInfo;
  info: RequestInfo;
  query: URLSearchParams;
}

/** A create-only resource that is not stored (TokenReview, SubjectAccessReview…): the answer to a decoded body. */
export type VirtualCreate = (obj: Obj, ctx: VirtualContext) => Promise<Obj> | Obj;

/** A subresource served outside the registry's own handlers (serviceaccounts/token, …). */
export type SubresourceHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: VirtualContext & { store: ResourceStore; decode: () => Promise<Obj> },
) => Promise<void>;

export interface RestOptions {
  registry: Registry;
  admission?: AdmissionChain;
  /** Keyed "group/resource" (core group ""): e.g. "authentication.k8s.io/tokenreviews". */
  virtual?: Map<string, VirtualCreate>;
  /** core/v1 componentstatuses, probed on each read. */
  componentStatuses?: ComponentStatuses;
  /** Calls CRDs' conversion webhooks. */
  conversionWebhooks?: ConversionWebhooks;
  /** Keyed "group/resource/subresource": e.g. "/serviceaccounts/token". */
  subresources?: Map<string, SubresourceHandler>;
  /** How often a watch with allowWatchBookmarks gets a BOOKMARK. */
  bookmarkIntervalMs?: number;
}

/**
 * A version of a CRD whose conversion is a webhook: requests go to the
 * storage version's store, what is written is converted to the storage
 * version first, and what is answered to the request's version.
 */
export interface Converter {
  /** The request's version. */
  type: ResourceType;
  store: ResourceStore;
  /** Objects as the request's version shows them; `what` names a list in errors. */
  out(objs: Obj[], what?: string): Promise<Obj[]>;
  one(obj: Obj): Promise<Obj>;
  /** An object as the storage version holds it. */
  in(obj: Obj): Promise<Obj>;
}

/** Prunes what a custom resource's schema does not declare, as strict decoding reports each field. */
function unknownFields(obj: Obj, schema: Obj): string[] {
  return pruneObject(obj, schema).map((p) => `unknown field "${p}"`);
}

/** What k8ts does not route through a conversion webhook: a clear refusal instead of unconverted objects. */
function notConverted(type: ResourceType, what: string): StatusError {
  return newInternalError(
    `conversion webhook for ${apiVersionOf(type)}, Kind=${type.kind} failed: k8ts converts every verb but ${what} through the webhook; use the storage version ${type.group}/${type.custom!.storageVersion}`,
  );
}

const PATCH_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
];

/** What a custom resource may be patched with: no strategic merge without a Go type's merge keys. */
const CUSTOM_RESOURCE_PATCH_TYPES = PATCH_TYPES.filter((t) => t !== "application/strategic-merge-patch+json");

type FieldValidation = "Strict" | "Warn" | "Ignore";

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const BODY_TYPES = ["application/json", "application/yaml", PROTOBUF];

/** A protobuf request body as the JSON object it encodes: 415 for kinds the decoder lacks, 400 for bad bytes. */
function decodeProtobuf(
  data: Buffer,
  gvk: { group: string; version: string; kind: string },
): { object: Obj; typeMeta: { apiVersion?: string; kind?: string } } {
  try {
    const r = decodeProtobufBody(data, gvk);
    return { object: r.object as Obj, typeMeta: { apiVersion: r.apiVersion, kind: r.kind } };
  } catch (e) {
    if (e instanceof ProtobufDecodeError) {
      if (e.reason === "UnknownKind") throw newUnsupportedMediaType(["application/json", "application/yaml"]);
      throw newBadRequest(e.message);
    }
    throw e;
  }
}

function notFoundResource(): StatusError {
  return new StatusError(
    makeStatus({
      status: "Failure",
      code: 404,
      reason: StatusReason.NotFound,
      message: "the server could not find the requested resource",
      details: {},
    }),
  );
}

function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw newBadRequest(`invalid ${name}: ${JSON.stringify(v)}`);
  return Number(v);
}

function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get("fieldValidation");
  if (v === null || v === "") return "Warn";
  if (v === "Strict" || v === "Warn" || v === "Ignore") return v;
  throw newBadRequest(
    `fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(v)}`,
  );
}

function dryRun(q: URLSearchParams): boolean {
  const values = q.getAll("dryRun");
  for (const v of values) {
    if (v !== "All")
      throw newBadRequest(`Invalid dry run value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  return values.length > 0;
}

export function labelSelectorOf(q: URLSearchParams): Selector | undefined {
  const s = q.get("labelSelector");
  if (!s) return undefined;
  try {
    return parseLabels(s);
  } catch (e) {
    // labels.Parse's errors already read as upstream's ("unable to parse requirement: …").
    throw newBadRequest((e as Error).message);
  }
}

export function fieldSelectorOf(q: URLSearchParams, type: ResourceType): FieldSelector | undefined {
  const s = q.get("fieldSelector");
  if (!s) return undefined;
  const supported = [
    "metadata.name",
    ...(type.namespaced ? ["metadata.namespace"] : []),
    ...Object.keys(type.selectableFields),
  ];
  try {
    return parseAndTransformSelector(s, fieldLabelConversion(supported, {}));
  } catch (e) {
    throw newBadRequest((e as Error).message);
  }
}

function includeObjectOf(q: URLSearchParams): IncludeObject | undefined {
  const v = q.get("includeObject");
  if (!v) return undefined;
  if (v === "None" || v === "Object" || v === "Metadata") return v;
  throw newBadRequest(`includeObject must be one of None, Metadata, or Object, got ${JSON.stringify(v)}`);
}

/**
 * Who made a request being served, for admission. Kept by request rather than
 * in an AsyncLocalStorage: that turns on promise hooks for every promise in the process.
 */
interface RequestContext {
  user: UserInfo;
  info: RequestInfo;
  res: ServerResponse;
}
const requestContexts = new WeakMap<IncomingMessage, RequestContext>();

export class RestHandler {
  constructor(private readonly opts: RestOptions) {}

  /**
   * dryRun and admission for a write to `store`: the admission chain bound to
   * this request's user, resource and subresource (none when no plugin runs).
   */
  private writeOptions(
    req: IncomingMessage,
    store: ResourceStore,
    q: URLSearchParams,
    subresource = "",
  ): WriteOptions {
    const chain = this.opts.admission;
    const ctx = requestContexts.get(req);
    if (!chain || !ctx || chain.mutating.length + chain.validating.length === 0) return { dryRun: dryRun(q) };
    const type = store.type;
    const attrs = (op: Operation, obj: Obj | undefined, old: Obj | undefined): AdmissionAttributes => ({
      operation: op,
      kind: { group: type.group, version: type.version, kind: type.kind },
      resource: { group: type.group, version: type.version, resource: type.resource },
      subresource,
      namespace: obj?.metadata?.namespace ?? old?.metadata?.namespace ?? ctx.info.namespace,
      name: obj?.metadata?.name ?? old?.metadata?.name ?? ctx.info.name,
      object: obj,
      oldObject: old,
      user: ctx.user,
      dryRun: dryRun(q),
      warnings: [],
      addAnnotation: (key, value) => auditContextOf(req)?.addAnnotation(key, value),
    });
    const run = async (a: AdmissionAttributes, f: (a: AdmissionAttributes) => Promise<void>) => {
      await f(a);
      if (a.warnings.length > 0 && !ctx.res.headersSent) addWarnings(ctx.res, a.warnings);
    };
    return {
      dryRun: dryRun(q),
      admission: {
        admit: (op, obj, old) => run(attrs(op, obj, old), (a) => chain.admit(a)),
        validate: (op, obj, old) => run(attrs(op, obj, old), (a) => chain.validate(a)),
      },
    };
  }

  private get registry(): Registry {
    return this.opts.registry;
  }

  handle(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    query: URLSearchParams,
    user: UserInfo,
  ): Promise<void> {
    requestContexts.set(req, { user, info, res });
    return this.serve(req, res, info, query);
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    query: URLSearchParams,
  ): Promise<void> {
    const type = this.registry.catalog.findResource(info.apiGroup, info.apiVersion, info.resource);
    if (!type) throw notFoundResource();
    if (type.custom) checkCustomResourceRequest(res, type, info.verb);
    if (!type.namespaced && info.namespace && info.resource !== "namespaces") throw notFoundResource();
    if (
      type.namespaced &&
      !info.namespace &&
      !["list", "watch", "deletecollection"].includes(info.verb) &&
      type.resource !== "bindings"
    ) {
      // Namespaced objects are addressed inside their namespace.
      throw notFoundResource();
    }
    if (info.subresource) {
      await this.handleSubresource(req, res, info, query, type);
      return;
    }
    if (!type.verbs.includes(info.verb))
      throw newMethodNotSupported({ group: type.group, resource: type.resource }, info.verb);
    if (type.group === "" && type.resource === "componentstatuses" && this.opts.componentStatuses) {
      return this.componentStatuses(req, res, this.opts.componentStatuses, info, query);
    }
    const virtual = type.virtual ? this.opts.virtual?.get(`${type.group}/${type.resource}`) : undefined;
    if (virtual && info.verb === "create") {
      const obj = await this.decode(req, res, type, query);
      if (type.namespaced && info.namespace) {
        if (obj.metadata?.namespace && obj.metadata.namespace !== info.namespace) {
          throw newBadRequest(
            "the namespace of the provided object does not match the namespace sent on the request",
          );
        }
        obj.metadata = { ...obj.metadata, namespace: info.namespace };
      }
      const ctx = requestContexts.get(req)!;
      this.send(res, 201, await virtual(obj, { user: ctx.user, info, query }));
      return;
    }
    const conv = type.custom?.conversionStrategy === "Webhook" ? this.converterFor(type) : undefined;
    const store = conv ? conv.store : this.registry.storeFor(type);
    if (!store) throw notFoundResource();
    const ns = type.namespaced ? info.namespace || undefined : undefined;
    switch (info.verb) {
      case "get":
        return this.get(req, res, store, ns, info.name, query, conv);
      case "list":
        return this.list(req, res, store, ns, query, conv);
      case "watch":
        return serveWatch(req, res, store, ns, query, {
          labelSelector: labelSelectorOf(query),
          fieldSelector: fieldSelectorOf(query, type),
          bookmarkIntervalMs: this.opts.bookmarkIntervalMs,
          includeObject: includeObjectOf(query),
          conversion: conv,
        });
      case "create":
        return this.create(req, res, store, ns, query, conv);
      case "update":
        return this.update(req, res, store, ns, info.name, query, undefined, conv);
      case "patch":
        return this.patch(req, res, store, ns, info.name, query, undefined, conv);
      case "delete":
        return this.delete(req, res, store, ns, info.name, query, conv);
      case "deletecollection":
        return this.deleteCollection(req, res, store, ns, query, conv);
      default:
        throw newMethodNotSupported({ group: type.group, resource: type.resource }, info.verb);
    }
  }

  /** The conversion around a webhook-converted CRD's versions (none when no webhook client or storage type). */
  private converterFor(type: ResourceType): Converter | undefined {
    const custom = type.custom!;
    const webhooks = this.opts.conversionWebhooks;
    const storageType = this.registry.catalog
      .customTypes(custom.crd)
      .find((t) => t.version === custom.storageVersion);
    const store = storageType && this.registry.storeFor(storageType);
    if (!webhooks || !store) return undefined;
    const out = (objs: Obj[], what?: string) => webhooks.convert(type, objs, type.version, what);
    return {
      type,
      store,
      out,
      one: async (obj) => (await out([obj]))[0],
      in: async (obj) => (await webhooks.convert(type, [obj], custom.storageVersion))[0],
    };
  }

  // ---- reads

  private async componentStatuses(
    req: IncomingMessage,
    res: ServerResponse,
    statuses: ComponentStatuses,
    info: RequestInfo,
    q: URLSearchParams,
  ) {
    const type = this.registry.catalog.findResource("", "v1", "componentstatuses")!;
    addWarnings(res, [COMPONENT_STATUS_WARNING]);
    if (info.verb === "get") {
      const rep = negotiate(req.headers.accept, { list: false });
      this.send(
        res,
        200,
        renderObject(type, await statuses.get(info.name), rep, includeObjectOf(q)),
        rep.kind === "yaml",
      );
      return;
    }
    const rep = negotiate(req.headers.accept, { list: true });
    this.send(
      res,
      200,
      renderList(type, await statuses.list(), rep, includeObjectOf(q)),
      rep.kind === "yaml",
    );
  }

  private async get(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    ns: string | undefined,
    name: string,
    q: URLSearchParams,
    conv?: Converter,
  ) {
    const rep = negotiate(req.headers.accept, { list: false });
    const obj = await store.get(ns, name, { resourceVersion: q.get("resourceVersion") ?? undefined });
    if (conv)
      this.send(
        res,
        200,
        renderObject(conv.type, await conv.one(obj), rep, includeObjectOf(q)),
        rep.kind === "yaml",
      );
    else if (rep.kind === "object") this.sendWritten(res, 200, store, obj);
    else this.send(res, 200, renderObject(store.type, obj, rep, includeObjectOf(q)), rep.kind === "yaml");
  }

  private async list(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    ns: string | undefined,
    q: URLSearchParams,
    conv?: Converter,
  ) {
    const rep = negotiate(req.headers.accept, { list: true });
    const list = await store.list(ns, {
      labelSelector: labelSelectorOf(q),
      fieldSelector: fieldSelectorOf(q, store.type),
      limit: queryInt(q, "limit"),
      continue: q.get("continue") ?? undefined,
      resourceVersion: q.get("resourceVersion") ?? undefined,
      resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined,
    });
    if (conv) {
      list.items = await conv.out(list.items, `${apiVersionOf(conv.type)}, Kind=${conv.type.kind}List`);
      list.apiVersion = apiVersionOf(conv.type);
    }
    this.send(
      res,
      200,
      renderList(conv?.type ?? store.type, list, rep, includeObjectOf(q)),
      rep.kind === "yaml",
    );
  }

  private send(res: ServerResponse, code: number, body: unknown, yaml = false): void {
    writeJson(res, code, body, yaml ? "application/yaml" : "application/json");
  }

  /** Sends an object a write or a get of store just returned, as stored. */
  private sendWritten(res: ServerResponse, code: number, store: ResourceStore, obj: Obj): void {
    writeJson(res, code, obj, "application/json", {}, store.responseJSON(obj));
  }

  // ---- decoding

  /**
   * Decodes a body into an object of the resource's kind, with defaults, honouring
   * fieldValidation (Strict: 400 on unknown or duplicate fields; Warn: warnings).
   */
  async decode(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    q: URLSearchParams,
    body?: Buffer,
  ): Promise<Obj> {
    const data = body ?? (await readBody(req));
    const contentType = req.headers["content-type"];
    const media = (contentType ?? "application/json").split(";")[0].trim().toLowerCase();
    if (media !== "application/json" && media !== "application/yaml" && media !== PROTOBUF && media !== "") {
      throw newUnsupportedMediaType(BODY_TYPES);
    }
    const validation = fieldValidation(q);
    const gvk = { group: type.group, version: type.version, kind: type.kind };
    let decoded: ReturnType<typeof decodeBody>;
    try {
      // kubectl's typed clients (create configmap/deployment…, auth can-i, create token) send protobuf.
      decoded =
        media === PROTOBUF
          ? { ...decodeProtobuf(data, gvk), strictErrors: [], warnings: [] }
          : decodeBody(data, media, gvk);
    } catch (e) {
      if (e instanceof DecodeError) {
        throw newBadRequest(
          cannotBeHandledMessage({
            kind: type.kind,
            version: type.version,
            intoKind: type.kind,
            error: e.message,
            body: data,
            beforeKind: e.beforeKind,
          }),
        );
      }
      throw e;
    }
    const obj = decoded.object;
    recordRequestObject(req, obj);
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
      throw newBadRequest(
        cannotBeHandledMessage({
          intoKind: type.kind,
          error: "json: cannot unmarshal non-object into Go value",
          body: data,
          beforeKind: true,
        }),
      );
    }
    const o = obj as Obj;
    // A custom resource's unknown fields are those its schema prunes (upstream's schemaCoercingDecoder).
    if (type.custom?.schema) {
      const unknown = unknownFields(o, type.custom.schema);
      decoded.strictErrors.push(...unknown);
      decoded.warnings.push(...unknown);
    }
    const wantVersion = apiVersionOf(type);
    if (o.apiVersion !== undefined && o.apiVersion !== wantVersion) {
      throw newBadRequest(
        `the API version in the data (${o.apiVersion}) does not match the expected API version (${wantVersion})`,
      );
    }
    if (o.kind !== undefined && o.kind !== type.kind) {
      throw newBadRequest(
        `${o.kind} in version "${type.version}" cannot be handled as a ${type.kind}: no kind "${o.kind}" is registered for version "${wantVersion}" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`,
      );
    }
    if (decoded.strictErrors.length > 0) {
      if (validation === "Strict") {
        throw newBadRequest(
          cannotBeHandledMessage({
            kind: type.kind,
            version: type.version,
            intoKind: type.kind,
            error: strictDecodingError(decoded.strictErrors),
            body: data,
          }),
        );
      }
      if (validation === "Warn") addWarnings(res, decoded.warnings);
    }
    o.apiVersion = wantVersion;
    o.kind = type.kind;
    if (
      o.metadata !== undefined &&
      (o.metadata === null || typeof o.metadata !== "object" || Array.isArray(o.metadata))
    ) {
      throw newBadRequest(
        `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: metadata must be an object`,
      );
    }
    o.metadata ??= {};
    this.registry.storeFor(type)?.strategy.defaults(o);
    return o;
  }

  // ---- writes

  private async create(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    ns: string | undefined,
    q: URLSearchParams,
    conv?: Converter,
  ) {
    const type = conv?.type ?? store.type;
    const obj = await this.decode(req, res, type, q);
    if (store.type.namespaced && obj.metadata.namespace && ns && obj.metadata.namespace !== ns) {
      throw newBadRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    if (store.type.group === "certificates.k8s.io" && store.type.kind === "CertificateSigningRequest") {
      // Who asks is the apiserver's to say (upstream's csrStrategy.PrepareForCreate), never the client's.
      const user = requestContexts.get(req)?.user;
      obj.spec = { ...(obj.spec ?? {}), username: user?.name ?? "", groups: user?.groups ?? [] };
      if (user?.uid) obj.spec.uid = user.uid;
      else delete obj.spec.uid;
      if (user?.extra) obj.spec.extra = user.extra;
      else delete obj.spec.extra;
    }
    const stored = conv ? await conv.in(obj) : obj;
    const tracked = updateManagedFields(undefined, stored, this.fieldManagerOptions(req, q, type));
    const created = await store.create(ns, tracked, this.writeOptions(req, store, q));
    if (conv) this.send(res, 201, await conv.one(created));
    else this.sendWritten(res, 201, store, created);
  }

  private async update(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    ns: string | undefined,
    name: string,
    q: URLSearchParams,
    subresource?: WriteSubresource,
    conv?: Converter,
  ) {
    const type = conv?.type ?? store.type;
    const obj = await this.decode(req, res, type, q);
    const fm = this.fieldManagerOptions(req, q, type, subresource);
    const r = await store.update(
      ns,
      name,
      conv ? await conv.in(obj) : obj,
      { ...this.writeOptions(req, store, q, subresource), subresource },
      (next, current) => updateManagedFields(current, next, fm),
    );
    if (conv) this.send(res, r.created ? 201 : 200, await conv.one(r.object));
    else this.sendWritten(res, r.created ? 201 : 200, store, r.object);
  }

  /** Applies a patch of any supported type to the current object. */
  private async applyPatch(
    res: ServerResponse,
    type: ResourceType,
    current: Obj,
    patchType: string,
    body: Buffer,
    q: URLSearchParams,
  ): Promise<Obj> {
    const gvk = { group: type.group, version: type.version, kind: type.kind };
    let patched: unknown;
    try {
      if (patchType === "application/json-patch+json") {
        patched = applyJSONPatch(current as never, decodeJSONPatch(JSON.parse(body.toString("utf8"))));
      } else {
        let patch: unknown;
        try {
          patch = JSON.parse(body.toString("utf8"));
        } catch (e) {
          throw newBadRequest(`error decoding patch: ${(e as Error).message}`);
        }
        if (patch === null || typeof patch !== "object" || Array.isArray(patch)) {
          throw newBadRequest(
            "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}",
          );
        }
        patched =
          patchType === "application/merge-patch+json"
            ? applyMergePatch(current as never, patch)
            : strategicMergePatch(current as never, patch as never, patchSchemaFor(gvk));
      }
    } catch (e) {
      if (e instanceof PatchError) {
        throw new StatusError(
          makeStatus({
            status: "Failure",
            code: e.code,
            reason: (e.reason || undefined) as StatusReason | undefined,
            message: e.statusMessage,
          }),
        );
      }
      if (e instanceof SyntaxError) throw newBadRequest(`error decoding patch: ${e.message}`);
      throw e;
    }
    if (patched === null || typeof patched !== "object" || Array.isArray(patched)) {
      throw newBadRequest("the patched object is not an object");
    }
    const obj = patched as Obj;
    const validation = fieldValidation(q);
    if (type.custom?.schema) {
      const unknown = unknownFields(obj, type.custom.schema);
      if (unknown.length > 0 && validation === "Strict") throw newBadRequest(strictDecodingError(unknown));
      if (validation === "Warn") addWarnings(res, unknown);
    } else if (validation !== "Ignore") {
      const t = decodeTypeFor(gvk);
      const unknown = t ? findUnknownFields(obj, t) : [];
      if (unknown.length > 0) {
        // Upstream's patcher: Strict answers 400 with the strict decoding error; Warn adds warnings.
        if (validation === "Strict") throw newBadRequest(strictDecodingError(unknown));
        addWarnings(res, unknown);
      }
    }
    if (obj.apiVersion !== apiVersionOf(type) || obj.kind !== type.kind) {
      throw newBadRequest(`the patch changed apiVersion/kind of the object to ${obj.apiVersion}/${obj.kind}`);
    }
    return obj;
  }

  private async patch(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    ns: string | undefined,
    name: string,
    q: URLSearchParams,
    subresource?: WriteSubresource,
    conv?: Converter,
  ) {
    const type = conv?.type ?? store.type;
    const patchType = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    // Custom resources have no Go type to take strategic merge keys from.
    const accepted = store.type.custom ? CUSTOM_RESOURCE_PATCH_TYPES : PATCH_TYPES;
    if (!accepted.includes(patchType)) throw newUnsupportedMediaType(accepted);
    if (patchType === "application/apply-patch+yaml") {
      return this.serverSideApply(req, res, store, ns, name, q, subresource, conv);
    }
    const body = await readBody(req);
    const r = await store.guaranteedUpdate(
      ns,
      name,
      async (current, deferred) => {
        if (!current) throw newNotFound({ group: store.type.group, resource: store.type.resource }, name);
        // A version only the CRD's webhook converts to is patched as that version shows the object.
        const shown = conv ? await conv.one(current) : current;
        const patched = await this.applyPatch(res, type, shown, patchType, body, q);
        store.checkResourceVersion(name, patched.metadata?.resourceVersion, current, deferred);
        if (patched.metadata?.name !== undefined && patched.metadata.name !== name) {
          throw newBadRequest(
            `the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`,
          );
        }
        patched.metadata.name = name;
        const tracked = updateManagedFields(
          current,
          conv ? await conv.in(patched) : patched,
          this.fieldManagerOptions(req, q, type, subresource),
        );
        return store.prepareUpdate(tracked, current, subresource, deferred);
      },
      this.writeOptions(req, store, q, subresource),
    );
    if (conv) this.send(res, 200, await conv.one(r.object));
    else this.sendWritten(res, 200, store, r.object);
  }

  /** Server-side apply (PATCH application/apply-patch+yaml); creates the object when it does not exist. */
  private async serverSideApply(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    ns: string | undefined,
    name: string,
    q: URLSearchParams,
    subresource?: WriteSubresource,
    conv?: Converter,
  ): Promise<void> {
    const body = await readBody(req);
    let applied: unknown;
    try {
      applied = parseYaml(body.toString("utf8"));
    } catch (e) {
      throw newBadRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    if (applied === null || typeof applied !== "object" || Array.isArray(applied)) {
      throw newBadRequest("error decoding YAML: the apply patch must be an object");
    }
    const type = conv?.type ?? store.type;
    // Defaults are the request version's: its own store's strategy holds its schema.
    const strategy = (conv && this.registry.storeFor(conv.type)?.strategy) || store.strategy;
    const opts = this.fieldManagerOptions(req, q, type, subresource);
    const force = q.get("force") === "true";
    if (force === false && q.has("force") && q.get("force") !== "false") {
      throw newBadRequest(`invalid force: ${JSON.stringify(q.get("force"))}`);
    }
    const r = await store.guaranteedUpdate(
      ns,
      name,
      async (current, deferred) => {
        const shown = current && conv ? await conv.one(current) : current;
        const object: Obj = apply(shown, applied as Obj, {
          ...opts,
          manager: q.get("fieldManager") ?? "",
          force,
          name,
          namespace: ns,
          emptyObject: current ? undefined : opts.emptyObject,
        }).object;
        object.metadata ??= {};
        // What a custom resource's schema does not declare is not kept (upstream's typed apply refuses it).
        if (type.custom?.schema) pruneObject(object, type.custom.schema);
        if (!current) {
          if (subresource) throw newNotFound({ group: type.group, resource: type.resource }, name);
          if (type.namespaced) object.metadata.namespace = ns;
          strategy.defaults(object);
          return store.prepareCreate(conv ? await conv.in(object) : object, deferred);
        }
        strategy.defaults(object);
        return store.prepareUpdate(conv ? await conv.in(object) : object, current, subresource, deferred);
      },
      this.writeOptions(req, store, q, subresource),
    );
    if (conv) this.send(res, r.created ? 201 : 200, await conv.one(r.object));
    else this.sendWritten(res, r.created ? 201 : 200, store, r.object);
  }

  /** Who owns the fields a write sets: the fieldManager parameter, else the User-Agent's product. */
  private fieldManagerOptions(
    req: IncomingMessage,
    q: URLSearchParams,
    type: ResourceType,
    subresource?: string,
  ): FieldManagerOptions {
    const gvk = { group: type.group, version: type.version, kind: type.kind };
    return {
      manager: q.get("fieldManager") || managerFromUserAgent(String(req.headers["user-agent"] ?? "")),
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      subresource,
      now: new Date(),
      schema: applySchemaFor(gvk),
      resetFields: type.custom ? customResetFields(type, subresource) : resetFieldsFor(gvk, subresource),
      emptyObject: emptyObjectFor(gvk),
    };
  }

  private async deleteOptions(
    req: IncomingMessage,
    q: URLSearchParams,
  ): Promise<{
    gracePeriodSeconds?: number;
    propagationPolicy?: "Orphan" | "Background" | "Foreground";
    preconditions?: { uid?: string; resourceVersion?: string };
    dryRun?: boolean;
  }> {
    const body = await readBody(req);
    let opts: Obj = {};
    if (body.length > 0) {
      try {
        const media = String(req.headers["content-type"] ?? "")
          .split(";")[0]
          .trim()
          .toLowerCase();
        opts =
          media === PROTOBUF
            ? decodeProtobuf(body, { group: "meta.k8s.io", version: "v1", kind: "DeleteOptions" }).object
            : JSON.parse(body.toString("utf8"));
      } catch (e) {
        if (e instanceof StatusError) throw e;
        throw newBadRequest(`error decoding DeleteOptions: ${(e as Error).message}`);
      }
      if (opts === null || typeof opts !== "object" || Array.isArray(opts))
        throw newBadRequest("DeleteOptions must be an object");
    }
    const grace = queryInt(q, "gracePeriodSeconds") ?? opts.gracePeriodSeconds;
    let policy = q.get("propagationPolicy") ?? opts.propagationPolicy;
    const orphan = q.get("orphanDependents") ?? opts.orphanDependents;
    if (policy === undefined && orphan !== undefined && orphan !== null) {
      policy = orphan === true || orphan === "true" ? "Orphan" : "Background";
    }
    if (policy !== undefined && policy !== null && !["Orphan", "Background", "Foreground"].includes(policy)) {
      throw newInvalid({ group: "meta.k8s.io", kind: "DeleteOptions" }, "", [
        invalid(newPath("propagationPolicy"), policy, 'must be one of "Background", "Foreground", "Orphan"'),
      ]);
    }
    if (grace !== undefined && (typeof grace !== "number" || !Number.isInteger(grace))) {
      throw newBadRequest(`invalid gracePeriodSeconds: ${JSON.stringify(grace)}`);
    }
    return {
      gracePeriodSeconds: grace,
      propagationPolicy: policy ?? undefined,
      preconditions: opts.preconditions ?? undefined,
      dryRun: dryRun(q) || (Array.isArray(opts.dryRun) && opts.dryRun.includes("All")),
    };
  }

  private async delete(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    ns: string | undefined,
    name: string,
    q: URLSearchParams,
    conv?: Converter,
  ) {
    const opts = {
      ...(await this.deleteOptions(req, q)),
      admission: this.writeOptions(req, store, q).admission,
    };
    if (!opts.propagationPolicy && store.type.group === "batch" && store.type.kind === "Job") {
      // batch/v1 Jobs orphan their pods by default, which surprises people.
      addWarnings(res, [
        "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning",
      ]);
    }
    const deletion = await store.delete(ns, name, opts);
    const { deleted } = deletion;
    const result = conv ? await conv.one(deletion.result) : deletion.result;
    // Immediate deletions answer with a Success Status; pending ones (graceful, finalizers) with the object.
    if (deleted) {
      const rep = negotiate(req.headers.accept, { list: false });
      this.send(
        res,
        200,
        rep.kind === "object" || rep.kind === "yaml"
          ? store.deletedStatus(result)
          : renderObject(conv?.type ?? store.type, result, rep),
      );
      return;
    }
    this.send(res, 200, result);
  }

  private async deleteCollection(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    ns: string | undefined,
    q: URLSearchParams,
    conv?: Converter,
  ) {
    const opts = {
      ...(await this.deleteOptions(req, q)),
      admission: this.writeOptions(req, store, q).admission,
    };
    const list = await store.list(ns, {
      labelSelector: labelSelectorOf(q),
      fieldSelector: fieldSelectorOf(q, store.type),
    });
    const items: Obj[] = [];
    for (const item of list.items as Obj[]) {
      try {
        const { result } = await store.delete(item.metadata.namespace, item.metadata.name, opts);
        items.push(result);
      } catch (e) {
        if (e instanceof StatusError && e.reason === StatusReason.NotFound) continue;
        throw e;
      }
    }
    if (conv) {
      list.apiVersion = apiVersionOf(conv.type);
      this.send(res, 200, { ...list, items: await conv.out(items) });
      return;
    }
    this.send(res, 200, { ...list, items });
  }

  // ---- subresources

  private async handleSubresource(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    q: URLSearchParams,
    type: ResourceType,
  ) {
    const sub = type.subresources.find((s) => s.name === info.subresource);
    if (!sub || !info.name) throw notFoundResource();
    if (!sub.verbs.includes(info.verb))
      throw newMethodNotSupported({ group: type.group, resource: `${type.resource}/${sub.name}` }, info.verb);
    const conv = type.custom?.conversionStrategy === "Webhook" ? this.converterFor(type) : undefined;
    const store = conv ? conv.store : this.registry.storeFor(type);
    if (!store) throw notFoundResource();
    const ns = type.namespaced ? info.namespace : undefined;
    const handler = this.opts.subresources?.get(`${type.group}/${type.resource}/${sub.name}`);
    if (handler) {
      const ctx = requestContexts.get(req)!;
      const subKind = sub.kind;
      return handler(req, res, {
        user: ctx.user,
        info,
        query: q,
        store,
        decode: async () => {
          // A subresource kind in the catalogue decodes strictly; others (TokenRequest) as plain JSON.
          const t = subKind ? this.registry.catalog.findKind(subKind.group, subKind.kind) : undefined;
          if (t) return this.decode(req, res, t, q);
          const body = await readBody(req);
          try {
            const obj = JSON.parse(body.toString("utf8") || "{}");
            if (obj === null || typeof obj !== "object" || Array.isArray(obj))
              throw new Error("not an object");
            return obj as Obj;
          } catch (e) {
            throw newBadRequest(`error decoding request body: ${(e as Error).message}`);
          }
        },
      });
    }
    switch (sub.name) {
      // Written through with a strategy of their own. certificatesigningrequests/approval:
      // `kubectl certificate approve|deny` sets the conditions; pods/ephemeralcontainers:
      // `kubectl debug` adds a container to a running pod.
      case "status":
      case "approval":
      case "ephemeralcontainers":
        if (info.verb === "get") return this.get(req, res, store, ns, info.name, q, conv);
        if (info.verb === "update") return this.update(req, res, store, ns, info.name, q, sub.name, conv);
        return this.patch(req, res, store, ns, info.name, q, sub.name, conv);
      case "scale":
        if (conv && type.version !== store.type.version) throw notConverted(type, "the scale subresource");
        return this.scale(req, res, store, ns, info.name, info.verb, q);
      case "binding":
        return this.bind(req, res, store, ns!, info.name, q);
      case "eviction":
        return serveEviction(req, res, {
          registry: this.registry,
          pods: store,
          namespace: ns ?? "",
          name: info.name,
          query: q,
          admission: this.writeOptions(req, store, q, "eviction").admission,
        });
      case "finalize":
        return this.finalizeNamespace(req, res, store, info.name, q);
      default:
        throw notFoundResource();
    }
  }

  private async finalizeNamespace(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    name: string,
    q: URLSearchParams,
  ) {
    const obj = await this.decode(req, res, store.type, q);
    const r = await store.guaranteedUpdate(
      undefined,
      name,
      (current) => {
        if (!current) throw newNotFound({ group: "", resource: "namespaces" }, name);
        current.spec = { ...(current.spec ?? {}), finalizers: obj.spec?.finalizers ?? [] };
        if (current.spec.finalizers.length === 0) delete current.spec.finalizers;
        return current;
      },
      this.writeOptions(req, store, q, "finalize"),
    );
    this.sendWritten(res, 200, store, r.object);
  }

  /** pods/binding: sets spec.nodeName once, as the scheduler's Bind does. */
  private async bind(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    ns: string,
    name: string,
    q: URLSearchParams,
  ) {
    const body = await readBody(req);
    let binding: Obj;
    try {
      binding = JSON.parse(body.toString("utf8"));
    } catch (e) {
      throw newBadRequest(`error decoding Binding: ${(e as Error).message}`);
    }
    const target = binding?.target;
    if (!target?.name)
      throw newInvalid({ group: "", kind: "Binding" }, name, [required(newPath("target", "name"), "")]);
    if (binding.metadata?.name && binding.metadata.name !== name) {
      throw newBadRequest(
        `the name of the object (${binding.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    // Admission sees the Binding being created (pods/binding), not the pod update it causes.
    const admission = this.writeOptions(req, store, q, "binding").admission;
    const bindingObj = { ...binding, metadata: { ...binding.metadata, name, namespace: ns } };
    await admission?.admit("CREATE", bindingObj, undefined);
    await admission?.validate("CREATE", bindingObj, undefined);
    await store.guaranteedUpdate(
      ns,
      name,
      (pod) => {
        if (!pod) throw newNotFound({ group: "", resource: "pods" }, name);
        if (pod.metadata.deletionTimestamp) {
          throw newConflict(
            { group: "", resource: "pods" },
            name,
            `pod ${name} is being deleted, cannot be assigned to a host`,
          );
        }
        if (pod.spec?.nodeName) {
          throw newConflict(
            { group: "", resource: "pods" },
            name,
            `pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
          );
        }
        if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata.uid) {
          throw newConflict(
            { group: "", resource: "pods" },
            name,
            `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${pod.metadata.uid}`,
          );
        }
        pod.spec.nodeName = target.name;
        pod.status ??= {};
        pod.status.conditions ??= [];
        const conditions: Obj[] = pod.status.conditions;
        const now = `${new Date().toISOString().slice(0, 19)}Z`;
        const existing = conditions.find((c) => c.type === "PodScheduled");
        const scheduled = {
          type: "PodScheduled",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: now,
        };
        if (existing) Object.assign(existing, scheduled, { reason: undefined, message: undefined });
        else conditions.push(scheduled);
        for (const c of conditions) {
          if (c.reason === undefined) delete c.reason;
          if (c.message === undefined) delete c.message;
        }
        if (binding.metadata?.annotations) {
          pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...binding.metadata.annotations };
        }
        return pod;
      },
      { dryRun: dryRun(q) },
    );
    this.send(res, 201, makeStatus({ status: "Success", code: 201 }));
  }

  /** The autoscaling/v1 Scale view of a resource with replicas. */
  private scaleOf(type: ResourceType, obj: Obj): Obj {
    const custom = type.custom?.scale;
    let selector = "";
    const sel = obj.spec?.selector;
    if (custom) {
      // upstream's scaleFromCustomResource: the CRD says where replicas and the selector are.
      const s = custom.labelSelectorPath ? valueAtPath(obj, custom.labelSelectorPath) : undefined;
      if (typeof s === "string") selector = s;
    } else if (sel && typeof sel === "object") {
      if (type.kind === "ReplicationController") {
        selector = Object.entries(sel as Record<string, string>)
          .map(([k, v]) => `${k}=${v}`)
          .join(",");
      } else {
        const parts: string[] = Object.entries((sel.matchLabels ?? {}) as Record<string, string>).map(
          ([k, v]) => `${k}=${v}`,
        );
        for (const e of (sel.matchExpressions ?? []) as Obj[]) {
          const vals = (e.values ?? []).join(",");
          if (e.operator === "In") parts.push(`${e.key} in (${vals})`);
          else if (e.operator === "NotIn") parts.push(`${e.key} notin (${vals})`);
          else if (e.operator === "Exists") parts.push(e.key);
          else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
        }
        selector = parts.join(",");
      }
    }
    const replicasAt = (path: string) => {
      const v = valueAtPath(obj, path);
      return typeof v === "number" ? v : 0;
    };
    const status: Obj = {
      replicas: custom ? replicasAt(custom.statusReplicasPath) : (obj.status?.replicas ?? 0),
    };
    if (selector) status.selector = selector;
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: custom ? replicasAt(custom.specReplicasPath) : (obj.spec?.replicas ?? 0) },
      status,
    };
  }

  private async scale(
    req: IncomingMessage,
    res: ServerResponse,
    store: ResourceStore,
    ns: string | undefined,
    name: string,
    verb: string,
    q: URLSearchParams,
  ) {
    const type = store.type;
    if (verb === "get") {
      this.send(res, 200, this.scaleOf(type, await store.get(ns, name)));
      return;
    }
    const scaleType = findResourceScale();
    const body = await readBody(req);
    const patchType = (req.headers["content-type"] ?? "application/json").split(";")[0].trim().toLowerCase();
    const r = await store.guaranteedUpdate(
      ns,
      name,
      async (current, deferred) => {
        if (!current) throw newNotFound({ group: type.group, resource: type.resource }, name);
        const currentScale = this.scaleOf(type, current);
        let scale: Obj;
        if (verb === "update") {
          scale = await this.decode(req, res, scaleType, q, body);
        } else {
          if (!PATCH_TYPES.includes(patchType) || patchType === "application/apply-patch+yaml")
            throw newUnsupportedMediaType(PATCH_TYPES.slice(0, 3));
          scale = await this.applyPatch(res, scaleType, currentScale, patchType, body, q);
        }
        store.checkResourceVersion(name, scale.metadata?.resourceVersion, current, deferred);
        const replicas = scale.spec?.replicas;
        if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
          throw newInvalid({ group: "autoscaling", kind: "Scale" }, name, [
            invalid(newPath("spec", "replicas"), replicas ?? null, "must be greater than or equal to 0"),
          ]);
        }
        const next = deepCopyJson(current);
        if (type.custom?.scale) setAtPath(next, type.custom.scale.specReplicasPath, replicas);
        else next.spec = { ...(next.spec ?? {}), replicas };
        const tracked = updateManagedFields(current, next, this.fieldManagerOptions(req, q, type, "scale"));
        return store.prepareUpdate(tracked, current, undefined, deferred);
      },
      this.writeOptions(req, store, q, "scale"),
    );
    this.send(res, 200, this.scaleOf(type, r.object));
  }
}

let scaleTypeCache: ResourceType | undefined;

/** A pseudo resource type for decoding autoscaling/v1 Scale bodies. */
function findResourceScale(): ResourceType {
  scaleTypeCache ??= {
    group: "autoscaling",
    version: "v1",
    kind: "Scale",
    resource: "scale",
    singular: "scale",
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: [],
    subresources: [],
    storageResource: "scale",
    selectableFields: {},
    virtual: true,
  };
  return scaleTypeCache;
}

/**
 * What upstream's crdHandler checks of a custom resource request before it is
 * served: no creates while the CRD is being deleted; a deprecated version's warning.
 */
function checkCustomResourceRequest(res: ServerResponse, type: ResourceType, verb: string): void {
  const custom = type.custom!;
  if (custom.terminating && verb === "create") {
    throw new StatusError(
      makeStatus({
        status: "Failure",
        code: 405,
        reason: StatusReason.MethodNotAllowed,
        message: `${verb} not allowed while custom resource definition is terminating`,
        details: { group: type.group, kind: type.resource },
      }),
    );
  }
  if (custom.deprecationWarning) addWarnings(res, [custom.deprecationWarning]);
}

/** The fields a write to a custom resource never sets: status on the main resource, spec on /status. */
function customResetFields(type: ResourceType, subresource: string | undefined): FieldSet | undefined {
  if (!type.subresources.some((s) => s.name === "status")) return undefined;
  if (!subresource) return FieldSet.of(fieldPath("status"));
  return subresource === "status" ? FieldSet.of(fieldPath("spec")) : undefined;
}
