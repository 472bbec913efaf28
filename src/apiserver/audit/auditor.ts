// The audit filter (upstream's endpoints/filters/audit.go and audit/context.go):
// after authentication, a request's attributes pick a level from the policy;
// unless None, an Event is written at RequestReceived, at ResponseStarted for
// long-running requests (watch, exec, logs…), and at ResponseComplete, with
// the request and response objects at the Request and RequestResponse levels.
// Auditing never fails a request: errors are logged and the event dropped.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { parse as parseYaml } from "yaml";
import type { UserInfo } from "../authentication/user.ts";
import { log } from "../log.ts";
import type { RequestInfo } from "../request-info.ts";
import { type AuditAttributes, PolicyRuleEvaluator, type RequestAuditConfig } from "./checker.ts";
import { eventJSON, eventUser, microTime, sourceIPsOf, userAgentOf } from "./event.ts";
import { type AuditBackend, LogBackend } from "./log-backend.ts";
import { loadPolicyFile } from "./policy.ts";
import { type Event, levelAtLeast, type Policy, type ResponseStatus } from "./types.ts";

/** Annotation keys upstream's authorization filter sets on every audited request. */
export const DECISION_ANNOTATION = "authorization.k8s.io/decision";
export const REASON_ANNOTATION = "authorization.k8s.io/reason";

/** upstream's BasicLongRunningRequestCheck(["watch", "proxy"], ["attach", "exec", "proxy", "log", "portforward"]). */
const LONG_RUNNING_VERBS = new Set(["watch", "proxy"]);
const LONG_RUNNING_SUBRESOURCES = new Set(["attach", "exec", "proxy", "log", "portforward"]);

export function isLongRunning(info: RequestInfo): boolean {
  return (
    info.isResourceRequest &&
    (LONG_RUNNING_VERBS.has(info.verb) || LONG_RUNNING_SUBRESOURCES.has(info.subresource))
  );
}

const contexts = new WeakMap<IncomingMessage, AuditContext>();

/** The audit context of a request, for handlers that add to its event (annotations, impersonation). */
export function auditContextOf(req: IncomingMessage): AuditContext | undefined {
  return contexts.get(req);
}

/** To call where a request body has been read (http.ts readBody): its object, or for a patch, the patch. */
export function recordRequestBody(req: IncomingMessage, body: Uint8Array): void {
  const ctx = contexts.get(req);
  if (!ctx) return;
  guard(ctx, () => {
    const obj = parseBody(body);
    if (obj === undefined) return;
    if (ctx.verb === "patch") ctx.logRequestPatch(obj);
    else ctx.logRequestObject(obj);
  });
}

/** To call where a request body has been decoded (RestHandler.decode): covers protobuf bodies too. */
export function recordRequestObject(req: IncomingMessage, obj: unknown): void {
  const ctx = contexts.get(req);
  if (ctx) guard(ctx, () => ctx.logRequestObject(obj));
}

/** To call where an object is written as the response (http.ts writeJson). */
export function recordResponseObject(res: ServerResponse, obj: unknown): void {
  const ctx = res.req ? contexts.get(res.req) : undefined;
  if (ctx) guard(ctx, () => ctx.logResponseObject(obj));
}

function guard(ctx: AuditContext, f: () => void): void {
  try {
    f();
  } catch (e) {
    log.error("audit: failed to record", { auditID: ctx.auditID, err: (e as Error).message });
  }
}

/** JSON, else YAML (apply patches); protobuf and garbage are left to the decoded-object hook. */
function parseBody(body: Uint8Array): unknown {
  if (body.length === 0) return undefined;
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    // fall through
  }
  if (text.startsWith("k8s\u0000")) return undefined;
  try {
    const v = parseYaml(text);
    return v !== null && typeof v === "object" ? v : undefined;
  } catch {
    return undefined;
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** copyWithoutManagedFields: the object, a list's items, or a table's row objects without metadata.managedFields. */
function withoutManagedFields(obj: unknown): unknown {
  if (!isObj(obj)) return obj;
  const strip = (o: unknown): unknown => {
    if (!isObj(o) || !isObj(o.metadata) || !("managedFields" in o.metadata)) return o;
    const { managedFields: _m, ...metadata } = o.metadata;
    return { ...o, metadata };
  };
  let out = strip(obj) as Obj;
  if (Array.isArray(out.items)) out = { ...out, items: out.items.map(strip) };
  if (out.kind === "Table" && Array.isArray(out.rows)) {
    out = {
      ...out,
      rows: out.rows.map((r) => (isObj(r) && "object" in r ? { ...r, object: strip(r.object) } : r)),
    };
  }
  return out;
}

/** getAuthMethods: what a request that failed authentication tried. */
function authMethods(req: IncomingMessage): string {
  const methods: string[] = [];
  const auth = (req.headers.authorization ?? "").trim();
  if (/^basic\s+\S/i.test(auth)) methods.push("basic");
  const parts = auth.split(" ");
  if (parts.length > 1 && parts[0].toLowerCase() === "bearer") methods.push("bearer");
  if ((new URL(req.url ?? "/", "https://x").searchParams.get("access_token") ?? "").trim()) {
    methods.push("access_token");
  }
  const peer = (req.socket as Partial<TLSSocket>).getPeerCertificate?.();
  if (peer && Object.keys(peer).length > 0) methods.push("x509");
  return methods.length > 0
    ? `Authentication failed, attempted: ${methods.join(", ")}`
    : "Authentication failed, no credentials provided";
}

/** One audited request: its event, filled in as the request goes, and written at each stage. */
export class AuditContext {
  readonly auditID: string;
  readonly verb: string;
  private codeWritten = false;
  private done = false;

  constructor(
    private readonly auditor: Auditor,
    private readonly config: RequestAuditConfig,
    private readonly ev: Event,
    /** Long-running requests also log ResponseStarted; a failed authentication logs only that. */
    private readonly responseStartedSink: boolean,
  ) {
    this.auditID = ev.auditID;
    this.verb = ev.verb;
  }

  get level() {
    return this.config.level;
  }

  /** AddAuditAnnotation; a key keeps its first value, as upstream. */
  addAnnotation(key: string, value: string): void {
    this.ev.annotations ??= {};
    if (key in this.ev.annotations && this.ev.annotations[key] !== value) {
      log.error("audit: annotation already set", { auditID: this.auditID, key });
      return;
    }
    this.ev.annotations[key] = value;
  }

  /** The authorization filter's annotations: decision "allow" or "forbid", and the authorizer's reason. */
  authorized(decision: "allow" | "forbid", reason: string): void {
    this.addAnnotation(DECISION_ANNOTATION, decision);
    this.addAnnotation(REASON_ANNOTATION, reason);
  }

  impersonated(user: UserInfo): void {
    this.ev.impersonatedUser = { ...eventUser(user), username: user.name };
  }

  /** LogRequestObject: fills the object reference from the object; keeps the object from the Request level on. */
  logRequestObject(obj: unknown): void {
    const meta = isObj(obj) && isObj(obj.metadata) ? obj.metadata : undefined;
    this.ev.objectRef ??= {};
    const ref = this.ev.objectRef;
    if (meta) {
      if (!ref.namespace && typeof meta.namespace === "string") ref.namespace = meta.namespace;
      if (!ref.name && typeof meta.name === "string") ref.name = meta.name;
      if (!ref.uid && typeof meta.uid === "string") ref.uid = meta.uid;
      if (!ref.resourceVersion && typeof meta.resourceVersion === "string")
        ref.resourceVersion = meta.resourceVersion;
    }
    if (!levelAtLeast(this.level, "Request")) return;
    // A snapshot: admission may change the object after this.
    const copy = structuredClone(obj);
    this.ev.requestObject = this.config.omitManagedFields ? withoutManagedFields(copy) : copy;
  }

  /** LogRequestPatch: the patch as sent, from the Request level on. */
  logRequestPatch(patch: unknown): void {
    if (levelAtLeast(this.level, "Request")) this.ev.requestObject = patch;
  }

  /** LogResponseObject: a Status's bounded fields at every level; the object itself at RequestResponse. */
  logResponseObject(obj: unknown): void {
    if (isObj(obj) && obj.kind === "Status") {
      const s = obj as Partial<ResponseStatus>;
      this.ev.responseStatus = {
        metadata: {},
        status: s.status,
        message: s.message,
        reason: s.reason,
        details: s.details,
        code: this.ev.responseStatus?.code ?? s.code,
      };
    }
    if (!levelAtLeast(this.level, "RequestResponse")) return;
    this.ev.responseObject = this.config.omitManagedFields ? withoutManagedFields(obj) : obj;
  }

  /** The response's status code is known (WriteHeader): the event moves to ResponseStarted. */
  responseStarted(code: number): void {
    if (this.codeWritten) return;
    this.codeWritten = true;
    this.ev.responseStatus = { ...(this.ev.responseStatus ?? { metadata: {} }), code };
    this.ev.stage = "ResponseStarted";
    if (this.responseStartedSink) this.process();
  }

  /** The handler is done: ResponseComplete (once). */
  complete(): void {
    if (this.done) return;
    this.done = true;
    const faked: ResponseStatus = {
      metadata: {},
      status: "Success",
      message: "Connection closed early",
      code: 200,
    };
    if (!this.ev.responseStatus && this.responseStartedSink) {
      this.ev.responseStatus = faked;
      this.ev.stage = "ResponseStarted";
      this.process();
    }
    this.ev.stage = "ResponseComplete";
    this.ev.responseStatus ??= faked;
    this.process();
  }

  /** processAuditEvent: skips omitted stages, stamps the time, hands the event to the backend. */
  process(): void {
    if (this.config.omitStages.includes(this.ev.stage)) return;
    this.ev.stageTimestamp =
      this.ev.stage === "RequestReceived" ? this.ev.requestReceivedTimestamp : microTime(this.auditor.now());
    this.auditor.emit(this.ev);
  }

  /** For a failed authentication: no later stage is written. */
  markDone(): void {
    this.done = true;
  }
}

export interface AuditorOptions {
  policy: Policy;
  backend: AuditBackend;
  /** Milliseconds since the epoch, with a fraction: the events' microseconds. */
  now?: () => number;
  newAuditID?: () => string;
}

export interface BeginOptions {
  /** When the request arrived (same clock as `now`); by default, now. */
  receivedAt?: number;
}

export class Auditor {
  readonly now: () => number;
  private readonly evaluator: PolicyRuleEvaluator;
  private readonly backend: AuditBackend;
  private readonly newAuditID: () => string;

  constructor(opts: AuditorOptions) {
    this.evaluator = new PolicyRuleEvaluator(opts.policy);
    this.backend = opts.backend;
    this.now = opts.now ?? (() => performance.timeOrigin + performance.now());
    this.newAuditID = opts.newAuditID ?? randomUUID;
  }

  /**
   * Starts auditing an authenticated request: sets the Audit-Id response
   * header, and unless the policy says None, writes RequestReceived and
   * follows the response to ResponseComplete. Call before authorization.
   */
  begin(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    user: UserInfo,
    opts: BeginOptions = {},
  ): AuditContext | undefined {
    try {
      return this.start(req, res, info, user, opts, false);
    } catch (e) {
      log.error("audit: failed to create audit event", { err: (e as Error).message });
      return undefined;
    }
  }

  /**
   * A request whose credentials were refused (WithFailedAuthenticationAudit):
   * one ResponseStarted event with the 401 and what was attempted. Call before writing the 401.
   */
  failedAuthentication(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    opts: BeginOptions = {},
  ): void {
    try {
      const ctx = this.start(req, res, info, undefined, opts, true);
      if (!ctx) return;
      ctx.markDone();
    } catch (e) {
      log.error("audit: failed to create audit event", { err: (e as Error).message });
    }
  }

  private start(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    user: UserInfo | undefined,
    opts: BeginOptions,
    failedAuthn: boolean,
  ): AuditContext | undefined {
    const header = req.headers["audit-id"];
    const auditID = (Array.isArray(header) ? header[0] : header) || this.newAuditID();
    if (!res.headersSent && !res.hasHeader("Audit-Id")) res.setHeader("Audit-Id", auditID);
    const attrs: AuditAttributes = {
      user: user ?? { name: "", groups: [] },
      verb: info.verb,
      isResourceRequest: info.isResourceRequest,
      path: info.path,
      namespace: info.namespace,
      apiGroup: info.apiGroup,
      resource: info.resource,
      subresource: info.subresource,
      name: info.name,
    };
    const config = this.evaluator.evaluate(attrs);
    if (config.level === "None") return undefined;
    const received = microTime(opts.receivedAt ?? this.now());
    const ev: Event = {
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      level: config.level,
      auditID,
      stage: "RequestReceived",
      requestURI: req.url ?? "/",
      verb: info.verb,
      user: eventUser(user),
      sourceIPs: sourceIPsOf(req),
      userAgent: userAgentOf(req),
      objectRef: info.isResourceRequest
        ? {
            namespace: info.namespace,
            name: info.name,
            resource: info.resource,
            subresource: info.subresource,
            apiGroup: info.apiGroup,
            apiVersion: info.apiVersion,
          }
        : undefined,
      requestReceivedTimestamp: received,
      stageTimestamp: received,
    };
    if (failedAuthn) ev.responseStatus = { metadata: {}, message: authMethods(req) };
    const ctx = new AuditContext(this, config, ev, failedAuthn || isLongRunning(info));
    contexts.set(req, ctx);
    if (!failedAuthn) ctx.process();
    this.followResponse(res, ctx, failedAuthn);
    return ctx;
  }

  /** Sees the status code as it is written (upstream's auditResponseWriter) and the end of the response. */
  private followResponse(res: ServerResponse, ctx: AuditContext, onlyStart: boolean): void {
    const writeHead = res.writeHead;
    // writeHead is also what write() and end() call when no header was written yet.
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      guard(ctx, () => ctx.responseStarted(typeof args[0] === "number" ? args[0] : res.statusCode));
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof res.writeHead;
    if (onlyStart) return;
    const done = () => guard(ctx, () => ctx.complete());
    res.once("finish", done);
    res.once("close", done);
  }

  /** Hands an event to the backend as one JSON line; never throws. */
  emit(ev: Event): void {
    let line: string;
    try {
      line = eventJSON(ev);
    } catch (e) {
      log.error("audit: failed to encode event", { auditID: ev.auditID, err: (e as Error).message });
      return;
    }
    this.backend.process(line);
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

export interface AuditFlags {
  /** --audit-policy-file */
  policyFile?: string;
  /** --audit-log-path ("-" for stdout) */
  logPath?: string;
}

/**
 * The auditor the flags ask for, or undefined when auditing is off: without a
 * policy nothing is recorded; without a log path there is nowhere to write.
 * A bad policy or an unwritable log path is an error, as upstream's startup.
 */
export function createAuditor(flags: AuditFlags): Auditor | undefined {
  if (!flags.policyFile) {
    if (flags.logPath) log.info("No audit policy file provided, no events will be recorded for log backend");
    return undefined;
  }
  let policy: Policy;
  try {
    policy = loadPolicyFile(flags.policyFile);
  } catch (e) {
    throw new Error(`loading audit policy file: ${(e as Error).message}`);
  }
  if (!flags.logPath) return undefined;
  return new Auditor({ policy, backend: new LogBackend({ path: flags.logPath }) });
}
