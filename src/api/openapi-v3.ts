// The /openapi/v3 discovery document and the per-group-version OpenAPI 3.0
// documents, derived from the v2 document as kube-openapi's handler3 serves
// them. kubectl reads them for `apply`/`create` (does the PATCH operation of
// the kind declare `fieldValidation`? then validation is left to the server)
// and for `explain` (the kind's schema in components.schemas, found by
// x-kubernetes-group-version-kind). Every document is built once, on first use.

import { parseAccept } from "../machinery/accept.ts";
import {
  computeETag,
  type Operation,
  openAPIDocument,
  openAPIV2Bytes,
  openAPIV2ETag,
  type Parameter,
  type PathItem,
  refName,
  type Schema,
} from "./openapi.ts";
import { openAPIV2Proto } from "./openapi-v2-proto.ts";

const methods = ["get", "put", "post", "delete", "patch", "head", "options"] as const;

/**
 * The discovery key of a v2 path, which is the root path of the web service
 * serving it: "api/v1", "apis/apps/v1", "apis/apps" (group discovery), "api",
 * "apis", "version", "logs", ".well-known/openid-configuration", "openid/v1/jwks".
 */
export function groupVersionOfPath(path: string): string {
  const segs = path.split("/").filter((s) => s !== "");
  if (segs[0] === "api") return segs.slice(0, 2).join("/");
  if (segs[0] === "apis") return segs.slice(0, 3).join("/");
  const fixed: string[] = [];
  for (const s of segs) {
    if (s.startsWith("{")) break;
    fixed.push(s);
  }
  return fixed.join("/");
}

let pathsByGroupVersion: Map<string, string[]> | undefined;

function groupPaths(): Map<string, string[]> {
  if (pathsByGroupVersion) return pathsByGroupVersion;
  const m = new Map<string, string[]>();
  for (const path of Object.keys(openAPIDocument().paths)) {
    const gv = groupVersionOfPath(path);
    const list = m.get(gv);
    if (list) list.push(path);
    else m.set(gv, [path]);
  }
  pathsByGroupVersion = m;
  return m;
}

/** Every key of the discovery document, sorted. */
export function openAPIV3GroupVersions(): string[] {
  return [...groupPaths().keys()].sort();
}

export interface OpenAPIV3Discovery {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** "/openapi/v3/apis/apps/v1?hash=…", as constructServerRelativeURL writes it. */
export function serverRelativeURL(groupVersion: string, hash: string): string {
  const path = `/openapi/v3/${groupVersion}`.split("/").map(encodeURIComponent).join("/");
  return `${path}?hash=${encodeURIComponent(hash)}`;
}

export interface OpenAPIV3DocumentOptions {
  /** Serve only these discovery keys (e.g. the enabled group-versions); default all. */
  include?: (groupVersion: string) => boolean;
  /** Documents beside the built-in ones, by discovery key: the custom resources' group-versions. */
  custom?: ReadonlyMap<string, OpenAPIV3Built>;
}

/** The discovery document object: every served group-version with its hashed URL. */
export function openAPIV3Discovery(options: OpenAPIV3DocumentOptions = {}): OpenAPIV3Discovery {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of openAPIV3GroupVersions()) {
    if (options.include && !options.include(gv)) continue;
    paths[gv] = { serverRelativeURL: serverRelativeURL(gv, openAPIV3Document(gv)!.etag) };
  }
  if (!options.custom?.size) return { paths };
  for (const [gv, doc] of options.custom) paths[gv] = { serverRelativeURL: serverRelativeURL(gv, doc.etag) };
  const sorted: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of Object.keys(paths).sort()) sorted[gv] = paths[gv];
  return { paths: sorted };
}

/** The discovery document as served, with its ETag (unquoted). */
export function openAPIV3DiscoveryBytes(options: OpenAPIV3DocumentOptions = {}): {
  body: Buffer;
  etag: string;
} {
  const body = Buffer.from(JSON.stringify(openAPIV3Discovery(options)));
  return { body, etag: computeETag(body) };
}

export interface OpenAPIV3Built {
  document: Record<string, unknown>;
  body: Buffer;
  /** SHA-512 of body in upper-case hex: the ETag and the `hash` query parameter. */
  etag: string;
}

const built = new Map<string, OpenAPIV3Built>();

/** The OpenAPI 3.0 document of one discovery key ("api/v1", "apis/apps/v1", …), or undefined. */
export function openAPIV3Document(groupVersion: string): OpenAPIV3Built | undefined {
  const cached = built.get(groupVersion);
  if (cached) return cached;
  const paths = groupPaths().get(groupVersion);
  if (!paths) return undefined;
  const v2 = openAPIDocument();
  const result = buildOpenAPIV3(Object.fromEntries(paths.map((p) => [p, v2.paths[p]])));
  built.set(groupVersion, result);
  return result;
}

/**
 * The OpenAPI 3.0 document of v2 path items, with every definition they reach
 * as components.schemas: from `definitions` first (a custom resource's kinds),
 * else the built-in document's.
 */
export function buildOpenAPIV3(
  pathItems: Record<string, PathItem>,
  definitions: Record<string, Schema> = {},
): OpenAPIV3Built {
  const document = buildDocument(pathItems, definitions);
  const body = Buffer.from(JSON.stringify(document));
  return { document, body, etag: computeETag(body) };
}

function buildDocument(pathItems: Record<string, PathItem>, definitions: Record<string, Schema>) {
  const v2 = openAPIDocument();
  const refs = new Set<string>();
  const paths: Record<string, unknown> = {};
  for (const p of Object.keys(pathItems).sort()) paths[p] = convertPathItem(pathItems[p], refs);

  // components.schemas: every definition the paths reach.
  const schemas: Record<string, unknown> = {};
  const queue = [...refs];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const name = queue.pop()!;
    const def = definitions[name] ?? v2.definitions[name];
    if (!def) continue;
    const found = new Set<string>();
    schemas[name] = convertSchema(def, found, true);
    for (const r of found) {
      if (!seen.has(r)) {
        seen.add(r);
        queue.push(r);
      }
    }
  }
  const sortedSchemas: Record<string, unknown> = {};
  for (const name of Object.keys(schemas).sort()) sortedSchemas[name] = schemas[name];

  const bearer = v2.securityDefinitions.BearerToken;
  return {
    openapi: "3.0.0",
    info: { ...v2.info },
    paths,
    components: {
      schemas: sortedSchemas,
      securitySchemes: {
        BearerToken: { type: bearer.type, description: bearer.description, name: bearer.name, in: bearer.in },
      },
    },
    security: v2.security,
  };
}

function convertPathItem(item: PathItem, refs: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of methods) {
    const op = item[m];
    if (op) out[m] = convertOperation(op, refs);
  }
  if (item.parameters)
    out.parameters = item.parameters.map((p) => convertParameter(resolveParameter(p), refs));
  return out;
}

function resolveParameter(p: Parameter): Parameter {
  const prefix = "#/parameters/";
  if (p.$ref?.startsWith(prefix)) return openAPIDocument().parameters[p.$ref.slice(prefix.length)] ?? p;
  return p;
}

function convertOperation(op: Operation, refs: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (op.description !== undefined) out.description = op.description;
  if (op.operationId !== undefined) out.operationId = op.operationId;
  const params: unknown[] = [];
  for (const raw of op.parameters ?? []) {
    const p = resolveParameter(raw);
    if (p.in === "body") {
      // OpenAPI 3 moves the body into requestBody, one entry per consumed type.
      const schema = convertSchema(p.schema ?? {}, refs, false);
      const content: Record<string, unknown> = {};
      for (const type of op.consumes ?? ["*/*"]) content[type] = { schema };
      out.requestBody = { content };
    } else {
      params.push(convertParameter(p, refs));
    }
  }
  if (params.length > 0) out.parameters = params;
  if (op.responses) {
    const responses: Record<string, unknown> = {};
    for (const [code, r] of Object.entries(op.responses)) {
      const resp: Record<string, unknown> = {};
      if (r.schema) {
        const schema = convertSchema(r.schema, refs, false);
        const content: Record<string, unknown> = {};
        for (const type of op.produces ?? ["application/json"]) content[type] = { schema };
        resp.content = content;
      }
      resp.description = r.description ?? "";
      responses[code] = resp;
    }
    out.responses = responses;
  }
  if (op.tags) out.tags = op.tags;
  for (const [k, v] of Object.entries(op)) if (k.startsWith("x-")) out[k] = v;
  return out;
}

// A v2 non-body parameter keeps name/in/description/required; its type goes into schema.
function convertParameter(p: Parameter, refs: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (p.description !== undefined) out.description = p.description;
  if (p.in !== undefined) out.in = p.in;
  if (p.name !== undefined) out.name = p.name;
  if (p.required) out.required = true;
  const schema: Record<string, unknown> = {};
  for (const k of ["type", "format", "enum", "default", "uniqueItems"] as const) {
    if (p[k] !== undefined) schema[k] = p[k];
  }
  if (p.items) schema.items = convertSchema(p.items, refs, false);
  out.schema = schema;
  for (const [k, v] of Object.entries(p)) if (k.startsWith("x-")) out[k] = v;
  return out;
}

// Rewrites #/definitions/ refs to #/components/schemas/ and records them. As
// upstream's v3 does, a property that is a $ref with siblings (description,
// patch extensions) becomes allOf:[{$ref}] beside those siblings.
function convertSchema(s: Schema, refs: Set<string>, top: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    switch (k) {
      case "$ref": {
        const name = refName(v as string);
        if (name !== undefined) refs.add(name);
        out.$ref = name !== undefined ? `#/components/schemas/${name}` : v;
        break;
      }
      case "properties": {
        const props: Record<string, unknown> = {};
        for (const [pk, pv] of Object.entries(v as Record<string, Schema>))
          props[pk] = convertSchema(pv, refs, false);
        out.properties = props;
        break;
      }
      case "items":
      case "additionalProperties":
        out[k] = typeof v === "object" && v !== null ? convertSchema(v as Schema, refs, false) : v;
        break;
      default:
        out[k] = v;
    }
  }
  if (!top && typeof out.$ref === "string" && Object.keys(out).length > 1) {
    const { $ref, ...rest } = out;
    return { allOf: [{ $ref }], ...rest };
  }
  return out;
}

/** A response for the lead's HTTP route: status, headers and body. */
export interface OpenAPIResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface OpenAPIRequest {
  /** Request headers, lower-case names. */
  headers?: Record<string, string | undefined>;
  /** The `hash` query parameter, for group-version documents. */
  hash?: string;
  now?: Date;
}

/**
 * Serves GET /openapi/v3 (groupVersion undefined) or /openapi/v3/<groupVersion>
 * as handler3 does: quoted ETag, 304 on If-None-Match, JSON only (406 when the
 * client accepts only protobuf), and for a matching `hash` the immutable
 * caching headers; a stale `hash` is redirected (301) to the current URL.
 * Unknown group-versions get 404.
 */
export function serveOpenAPIV3(
  groupVersion: string | undefined,
  request: OpenAPIRequest = {},
  options: OpenAPIV3DocumentOptions = {},
): OpenAPIResponse {
  const now = request.now ?? new Date();
  if (groupVersion === undefined || groupVersion === "") {
    const { body, etag } = openAPIV3DiscoveryBytes(options);
    return conditional(request, body, etag, { "Content-Type": "application/json" }, now);
  }
  const doc =
    options.include && !options.include(groupVersion)
      ? undefined
      : (openAPIV3Document(groupVersion) ?? options.custom?.get(groupVersion));
  const headers: Record<string, string> = { Vary: "Accept" };
  if (!doc) return { status: 404, headers, body: Buffer.alloc(0) };
  if (negotiateFormat(request.headers?.accept) !== "json")
    return { status: 406, headers, body: Buffer.alloc(0) };
  headers["Content-Type"] = "application/json";
  if (request.hash) {
    if (request.hash !== doc.etag) {
      return {
        status: 301,
        headers: { ...headers, Location: serverRelativeURL(groupVersion, doc.etag) },
        body: Buffer.alloc(0),
      };
    }
    headers["Cache-Control"] = "public, immutable";
    const expires = new Date(now);
    expires.setUTCFullYear(expires.getUTCFullYear() + 1);
    headers.Expires = expires.toUTCString();
  }
  return conditional(request, doc.body, doc.etag, headers, now);
}

/** The media type /openapi/v2 answers in protobuf. */
export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
// Accepted for it, as kube-openapi's handler accepts them (the first is what client-go asks for).
const V2_PROTOBUF_SUBTYPES = [
  "com.github.proto-openapi.spec.v2@v1.0+protobuf",
  "com.github.proto-openapi.spec.v2.v1.0+protobuf",
];

let v2Proto: { body: Buffer; etag: string } | undefined;

/**
 * Serves GET /openapi/v2 as kube-openapi's handler does: JSON, or gnostic's protobuf (which kubectl's
 * client-side validation reads), whichever the Accept header's clauses name first (in order of q); 406 for
 * neither.
 */
export function serveOpenAPIV2(request: OpenAPIRequest = {}): OpenAPIResponse {
  const headers: Record<string, string> = { Vary: "Accept" };
  const format = negotiateFormat(request.headers?.accept, V2_PROTOBUF_SUBTYPES);
  if (!format) return { status: 406, headers, body: Buffer.alloc(0) };
  const now = request.now ?? new Date();
  if (format === "json") {
    headers["Content-Type"] = "application/json";
    return conditional(request, openAPIV2Bytes(), openAPIV2ETag(), headers, now);
  }
  v2Proto ??= (() => {
    const body = openAPIV2Proto(openAPIDocument() as unknown as Record<string, unknown>);
    return { body, etag: computeETag(body) };
  })();
  headers["Content-Type"] = OPENAPI_V2_PROTOBUF;
  return conditional(request, v2Proto.body, v2Proto.etag, headers, now);
}

function conditional(
  request: OpenAPIRequest,
  body: Buffer,
  etag: string,
  headers: Record<string, string>,
  now: Date,
): OpenAPIResponse {
  const quoted = `"${etag}"`;
  lastModified ??= now;
  const h = { ...headers, Etag: quoted, "Last-Modified": lastModified.toUTCString() };
  const tags = request.headers?.["if-none-match"]?.split(",").map((t) => t.trim()) ?? [];
  if (tags.includes(quoted) || tags.includes("*")) {
    return { status: 304, headers: h, body: Buffer.alloc(0) };
  }
  return { status: 200, headers: { ...h, "Content-Length": String(body.length) }, body };
}

// The documents never change while the process runs.
let lastModified: Date | undefined;

/**
 * goautoneg over Accept, as kube-openapi's handlers negotiate: the media ranges by weight, each against JSON
 * (application/json, application/* and *\/*), then against the protobuf subtypes given.
 */
function negotiateFormat(
  accept: string | undefined,
  protobufSubtypes: readonly string[] = [],
): "json" | "protobuf" | undefined {
  const ranges = parseAccept(accept)
    .map((m, i) => ({ type: m.type, q: Number(m.params.q ?? 1), i }))
    .filter((m) => m.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { type } of ranges) {
    const [main = "", sub = ""] = type.split("/");
    if (main !== "application" && main !== "*") continue;
    if (sub === "json" || sub === "*") return "json";
    if (protobufSubtypes.includes(sub)) return "protobuf";
  }
  return undefined;
}
