// The apiserver: HTTPS; every request is authenticated (a chain of
// authenticators), authorized (a union of authorizers), then routed to
// discovery, OpenAPI, health, metrics or the REST API, where admission runs.

import { type IncomingMessage, ServerResponse } from "node:http";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import type { Socket } from "node:net";
import { serveOpenAPIV2, serveOpenAPIV3 } from "../api/openapi-v3.ts";
import { closeAtOnce } from "../machinery/close-server.ts";
import { parseGoDuration } from "../machinery/go-duration.ts";
import { parseTarget, type RequestTarget } from "../machinery/request-target.ts";
import {
  makeStatus,
  newBadRequest,
  newForbidden,
  newTimeout,
  newTooManyRequests,
  StatusError,
  StatusReason,
} from "../machinery/status.ts";
import { Compactor } from "../storage/compactor.ts";
import type { Store } from "../storage/store.ts";
import { AdmissionChain } from "./admission/admission.ts";
import { NamespaceLifecycle } from "./admission/plugins/namespace-lifecycle.ts";
import { WebhookClient } from "./admission/plugins/webhooks/client.ts";
import { clusterIPServiceResolver } from "./admission/plugins/webhooks/service-resolver.ts";
import { APIServiceController } from "./aggregator/apiservice-controller.ts";
import { proxyToAPIService } from "./aggregator/proxy.ts";
import { ConversionWebhooks } from "./apiextensions/conversion-webhook.ts";
import { CustomResourceDefinitionController } from "./apiextensions/crd-controller.ts";
import { CustomResourceOpenAPI } from "./apiextensions/openapi.ts";
import type { AuditContext, Auditor } from "./audit/auditor.ts";
import { AuthenticatorChain } from "./authentication/authenticator.ts";
import {
  JWKS_PATH,
  OPENID_CONFIGURATION_PATH,
  type OpenIDMetadata,
} from "./authentication/openid-metadata.ts";
import { ANONYMOUS, SYSTEM_MASTERS, type UserInfo } from "./authentication/user.ts";
import { X509Authenticator } from "./authentication/x509.ts";
import { type Attributes, type Authorizer, forbiddenMessage } from "./authorization/authorizer.ts";
import { bootstrap } from "./bootstrap.ts";
import type { FlowControl } from "./flowcontrol/flow-control.ts";
import { Rejected, type Seat } from "./flowcontrol/queue-set.ts";
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  discoveryContentType,
} from "./handlers/discovery.ts";
import { RestHandler, type SubresourceHandler, type VirtualCreate } from "./handlers/rest.ts";
import { onWatchInitialized } from "./handlers/watch.ts";
import { type HealthCheck, type HealthEndpoint, serveHealth } from "./healthz.ts";
import { writeError, writeJson } from "./http.ts";
import { log } from "./log.ts";
import { ApiserverMetrics, type RequestLabels } from "./metrics.ts";
import { negotiateDiscovery } from "./negotiation.ts";
import type { ObjectCounts } from "./object-counts.ts";
import { ComponentStatuses } from "./registry/component-statuses.ts";
import { Registry } from "./registry/index.ts";
import { recordUpgradeHead } from "./registry/upgrade-aware-proxy.ts";
import { type RequestInfo, requestInfo } from "./request-info.ts";

export const VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0-k8ts",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-11-26T00:00:00Z",
  goVersion: "go1.23.0",
  compiler: "gc",
  platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
};

export interface ApiServerOptions {
  store: Store;
  /** The registry over `store`, when the caller built it first (authenticators and admission read it). */
  registry?: Registry;
  /** TLS material: the serving certificate and the CA that signs client certificates. */
  tls: { cert: string; key: string; ca: string };
  /** The aggregator's client certificate for extension apiservers (front-proxy-client). */
  proxyClient?: { cert: string; key: string };
  port: number;
  host?: string;
  /** upstream's --max-requests-inflight (400) + --max-mutating-requests-inflight (200). */
  maxRequestsInflight?: number;
  maxMutatingRequestsInflight?: number;
  /** API Priority and Fairness; without it, the two max-in-flight limits. */
  flowControl?: FlowControl;
  /** Stored objects by resource (apiserver_storage_objects). */
  objectCounts?: ObjectCounts;
  /** upstream's --request-timeout (60 s): the longest a request other than a watch or a stream may take. */
  requestTimeoutMs?: number;
  compactionIntervalMs?: number;
  bookmarkIntervalMs?: number;
  /** Who is asking; client certificates of the cluster CA (and anonymous) by default. */
  authenticator?: AuthenticatorChain;
  /** May they? By default anonymous users reach only the public paths and everyone else everything. */
  authorizer?: Authorizer;
  admission?: AdmissionChain;
  /** Writes audit events for requests its policy selects. */
  auditor?: Auditor;
  /** Create-only resources answered without storage (reviews), by "group/resource". */
  virtual?: Map<string, VirtualCreate>;
  /** Subresources served outside the registry (serviceaccounts/token), by "group/resource/subresource". */
  subresources?: Map<string, SubresourceHandler>;
}

export type { UserInfo };

/** The authorizer before RBAC: anonymous users reach only system:public-info-viewer's paths. */
const authenticatedAllowed: Authorizer = {
  authorize: (a) =>
    a.user.name !== ANONYMOUS || (!a.isResourceRequest && isPublicPath(a.path))
      ? { decision: "Allow", reason: "" }
      : { decision: "NoOpinion", reason: "" },
};

const LONG_RUNNING_SUBRESOURCES = new Set(["log", "exec", "attach", "portforward", "proxy"]);
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class ApiServer {
  readonly registry: Registry;
  readonly metrics = new ApiserverMetrics();
  private readonly server: Http2SecureServer;
  private readonly close: () => Promise<void>;
  private readonly rest: RestHandler;
  private readonly compactor: Compactor;
  private readonly authenticator: AuthenticatorChain;
  private readonly authorizer: Authorizer;
  private readonly crdController: CustomResourceDefinitionController;
  private readonly aggregator: APIServiceController;
  /** Calls CRDs' conversion webhooks. */
  private readonly webhookClient: WebhookClient;
  private readonly customOpenAPI = new CustomResourceOpenAPI();
  private inflight = 0;
  private inflightMutating = 0;
  private started = false;
  /** Service account issuer discovery's two documents (set once the port is known); without them neither path is served. */
  openIDMetadata: OpenIDMetadata | undefined;
  private stopping = false;
  /** upstream's checks of each endpoint: the store everywhere; start and shutdown for readiness. */
  private readonly healthChecks: Record<HealthEndpoint, HealthCheck[]>;

  constructor(private readonly opts: ApiServerOptions) {
    this.registry = opts.registry ?? new Registry(opts.store);
    this.crdController = new CustomResourceDefinitionController(this.registry);
    this.aggregator = new APIServiceController(this.registry, {
      proxyClient: opts.proxyClient,
      clientCA: opts.tls.ca,
    });
    const services = this.registry.byResource("", "v1", "services")!;
    this.webhookClient = new WebhookClient({
      serviceResolver: clusterIPServiceResolver((namespace, name) => services.get(namespace, name)),
    });
    this.authenticator = opts.authenticator ?? new AuthenticatorChain([new X509Authenticator()]);
    this.authorizer = opts.authorizer ?? authenticatedAllowed;
    const ping: HealthCheck = { name: "ping", check: () => {} };
    const logged: HealthCheck = { name: "log", check: () => {} };
    // A read through the store, as upstream's etcd check reads the key "health".
    const storeRead = async () => void (await opts.store.get("/registry/health"));
    const etcd: HealthCheck = { name: "etcd", check: storeRead };
    const started: HealthCheck = {
      name: "poststarthook/bootstrap-controller",
      check: () => {
        if (!this.started)
          throw new Error("the default namespaces and the kubernetes service are not in place yet");
      },
    };
    const shutdown: HealthCheck = {
      name: "shutdown",
      check: () => {
        if (this.stopping) throw new Error("the apiserver is shutting down");
      },
    };
    const live = [ping, logged, etcd, started];
    this.healthChecks = {
      healthz: live,
      livez: live,
      readyz: [ping, logged, etcd, { name: "etcd-readiness", check: storeRead }, started, shutdown],
    };
    this.rest = new RestHandler({
      registry: this.registry,
      bookmarkIntervalMs: opts.bookmarkIntervalMs,
      // Without a configured chain, NamespaceLifecycle alone: no objects in missing or terminating namespaces.
      admission:
        opts.admission ?? new AdmissionChain([new NamespaceLifecycle({ registry: this.registry })], []),
      virtual: opts.virtual,
      subresources: opts.subresources,
      componentStatuses: new ComponentStatuses({ checkStore: storeRead }),
      conversionWebhooks: new ConversionWebhooks(this.webhookClient),
    });
    this.compactor = new Compactor({
      store: opts.store,
      intervalMs: opts.compactionIntervalMs,
      onError: (e) => log.error("compaction failed", { err: e.message }),
    });
    // HTTP/2 as kube-apiserver serves it (client-go and kubectl multiplex their requests and watches over one
    // connection), and HTTP/1.1 for clients that ask for it (and for upgrades: exec, attach, port-forward).
    this.server = createSecureServer(
      {
        cert: opts.tls.cert,
        key: opts.tls.key,
        ca: opts.tls.ca,
        requestCert: true,
        // Requests without a certificate go on as anonymous; authorization decides.
        rejectUnauthorized: false,
        allowHTTP1: true,
        // kube-apiserver's --http2-max-streams-per-connection: a client's watches and requests share one connection.
        settings: { maxConcurrentStreams: 1000 },
        // Node's default of 10 MB refuses a connection's new streams while large bodies are in flight.
        maxSessionMemory: 256,
      },
      // The compatibility API gives HTTP/2 streams the shape of http's request and response.
      (req, res) => void this.handle(req as unknown as IncomingMessage, res as unknown as ServerResponse),
    );
    // Upgrade requests (kubectl exec/attach/port-forward) take the same path; a handler that
    // upgrades takes the socket over (registry/upgrade-aware-proxy.ts), any other answer closes it.
    this.server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
      recordUpgradeHead(req, head);
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket);
      res.on("finish", () => socket.end());
      socket.on("error", () => socket.destroy());
      void this.handle(req, res);
    });
    // Requests the HTTP parser refuses (bad framing, oversized headers) still get a Status body.
    this.server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable || socket.destroyed) return;
      const code = err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
      const reason = code === 431 ? "RequestHeaderFieldsTooLarge" : StatusReason.BadRequest;
      const body = JSON.stringify(
        makeStatus({
          status: "Failure",
          code,
          reason: reason as StatusReason,
          message: `malformed HTTP request: ${err.code ?? err.message}`,
        }),
      );
      socket.end(
        `HTTP/1.1 ${code} ${code === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    this.close = closeAtOnce(this.server);
    // HTTP/1.1 connections take http's timeouts from the server (watches must not hit requestTimeout).
    Object.assign(this.server, { keepAliveTimeout: 120_000, headersTimeout: 60_000, requestTimeout: 0 });
  }

  async start(): Promise<void> {
    await bootstrap(this.registry, {
      port: this.opts.port,
      serviceCIDR: this.registry.services.net.serviceCIDR,
    });
    this.compactor.start();
    // Established CRDs are served from the first request on.
    await this.crdController.start();
    await this.aggregator.start();
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", (e: NodeJS.ErrnoException) =>
        reject(
          e.code === "EADDRINUSE"
            ? new Error(
                `port ${this.opts.port} is already in use (another k8ts or apiserver?); choose another with --port`,
              )
            : e,
        ),
      );
      this.server.listen(this.opts.port, this.opts.host ?? "0.0.0.0", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.started = true;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === "object" && a ? a.port : this.opts.port;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.aggregator.stop();
    await this.crdController.stop();
    this.webhookClient.close();
    await this.compactor.stop();
    await this.close();
  }

  /** 403 unless an authorizer allows the request, worded as upstream's responsewriters.Forbidden. */
  private async authorize(
    user: UserInfo,
    info: RequestInfo,
    query: URLSearchParams,
    audit?: AuditContext,
  ): Promise<void> {
    const a: Attributes = {
      user,
      verb: info.verb,
      isResourceRequest: info.isResourceRequest,
      path: info.path,
      namespace: info.namespace,
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      resource: info.resource,
      subresource: info.subresource,
      name: info.name,
      fieldSelector: query.get("fieldSelector") ?? undefined,
      labelSelector: query.get("labelSelector") ?? undefined,
    };
    const r = await this.authorizer.authorize(a);
    audit?.authorized(r.decision === "Allow" ? "allow" : "forbid", r.reason);
    if (r.decision === "Allow") return;
    const msg = r.reason ? `${forbiddenMessage(a)}: ${r.reason}` : forbiddenMessage(a);
    throw newForbidden({ group: a.apiGroup, resource: a.isResourceRequest ? a.resource : "" }, a.name, msg);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = parseTarget(req.url);
    if (!url) {
      writeError(res, newBadRequest(`invalid request target ${JSON.stringify(req.url)}`));
      return;
    }
    const path = url.pathname;
    let info: RequestInfo | undefined;
    let limited: "readonly" | "mutating" | undefined;
    let seat: Seat | undefined;
    let deadline: NodeJS.Timeout | undefined;
    try {
      info = requestInfo(req.method ?? "GET", path, url.searchParams);
      const longRunning = info.verb === "watch" || LONG_RUNNING_SUBRESOURCES.has(info.subresource);
      if (!longRunning) deadline = this.startDeadline(req, res, info, url.searchParams);
      const receivedAt = performance.timeOrigin + started;
      let user: UserInfo;
      try {
        user = (await this.authenticator.authenticate(req)).user;
      } catch (e) {
        this.opts.auditor?.failedAuthentication(req, res, info, { receivedAt });
        throw e;
      }
      const audit = this.opts.auditor?.begin(req, res, info, user, { receivedAt });
      // Where upstream's chain has it: after authentication and audit, before authorization.
      if (this.opts.flowControl) {
        // Other long-running requests bypass it; a watch holds its seat until it has sent its initial events.
        if (!longRunning || info.verb === "watch") {
          seat = await this.admitFlow(req, res, info, user, url.searchParams);
          if (longRunning) onWatchInitialized(res, seat.release);
        }
      } else if (!longRunning) limited = this.admitInflight(req.method ?? "GET", user);
      await this.authorize(user, info, url.searchParams, audit);
      await this.route(req, res, url, info, user);
    } catch (e) {
      const status = writeError(res, e);
      if (status.code === 500)
        log.error("request failed", { method: req.method, path, err: (e as Error)?.stack ?? String(e) });
    } finally {
      clearTimeout(deadline);
      seat?.release();
      if (limited === "mutating") this.inflightMutating--;
      else if (limited === "readonly") this.inflight--;
      if (info?.isResourceRequest) {
        const labels = requestLabels(req, info);
        const done = () =>
          this.metrics.observe(
            labels,
            res.statusCode,
            (performance.now() - started) / 1000,
            url.searchParams.has("dryRun"),
          );
        if (res.writableFinished) done();
        else res.once("finish", done);
      }
    }
  }

  /**
   * Upstream's WithRequestDeadline and WithTimeoutForNonLongRunningRequests: a request ends by
   * ?timeout= when it is shorter than --request-timeout, else by --request-timeout; a handler still
   * busy then is answered 504 (it runs on, and what it writes later is dropped).
   */
  private startDeadline(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    query: URLSearchParams,
  ): NodeJS.Timeout {
    const max = this.opts.requestTimeoutMs ?? 60_000;
    let ms = max;
    const asked = query.get("timeout");
    if (asked) {
      let ns: bigint;
      try {
        ns = parseGoDuration(asked);
      } catch (e) {
        throw newBadRequest(`invalid timeout specified in the request URL - ${(e as Error).message}`);
      }
      if (ns > 0n && ns < BigInt(max) * 1_000_000n) ms = Math.max(1, Number(ns / 1_000_000n));
    }
    const timer = setTimeout(() => {
      if (res.writableEnded) return;
      log.error("Timeout or abort while handling", { method: req.method, URI: req.url, timeoutMs: ms });
      this.metrics.terminations.inc({ ...requestLabels(req, info), code: "504" });
      // A response already under way cannot become a Status: the connection is cut, as upstream does.
      if (res.headersSent) res.destroy();
      else writeError(res, newTimeout("request did not complete within the allotted timeout", 0));
    }, ms);
    timer.unref();
    return timer;
  }

  /**
   * Max-in-flight, as upstream's WithMaxInFlightLimit: beyond the limit (0: none), 429 with Retry-After, except
   * for system:masters ("so powerful that they should always get an answer"), who are served without
   * a slot. Undefined when the request holds no slot.
   */
  private admitInflight(method: string, user: UserInfo): "readonly" | "mutating" | undefined {
    const mutating = MUTATING.has(method);
    const limit = mutating
      ? (this.opts.maxMutatingRequestsInflight ?? 200)
      : (this.opts.maxRequestsInflight ?? 400);
    // A limit of 0 turns that kind's limit off, as upstream's flags say.
    const full = limit > 0 && (mutating ? this.inflightMutating : this.inflight) >= limit;
    if (full) {
      if (user.groups.includes(SYSTEM_MASTERS)) return undefined;
      throw this.tooManyRequests(method);
    }
    if (mutating) this.inflightMutating++;
    else this.inflight++;
    return mutating ? "mutating" : "readonly";
  }

  /**
   * Upstream's WithPriorityAndFairness: the request's flow schema and priority level are named in
   * the response headers (by UID), and it runs once its level gives it a seat, or gets 429.
   */
  private async admitFlow(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    user: UserInfo,
    query: URLSearchParams,
  ): Promise<Seat> {
    const a = this.opts.flowControl!.admit({ user, info, query }, (cancel) => res.once("close", cancel));
    res.setHeader("X-Kubernetes-PF-FlowSchema-UID", a.flowSchemaUID);
    res.setHeader("X-Kubernetes-PF-PriorityLevel-UID", a.priorityLevelUID);
    if (!(a.seat instanceof Promise)) return a.seat;
    try {
      return await a.seat;
    } catch (e) {
      throw e instanceof Rejected ? this.tooManyRequests(req.method ?? "GET") : e;
    }
  }

  /** Upstream's tooManyRequests, counted as apiserver_dropped_requests_total by the request's kind. */
  private tooManyRequests(method: string): StatusError {
    this.metrics.rejected.inc({ request_kind: MUTATING.has(method) ? "mutating" : "readOnly" });
    return newTooManyRequests("Too many requests, please try again later.", 1);
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    url: RequestTarget,
    info: RequestInfo,
    user: UserInfo,
  ): Promise<void> {
    const path = url.pathname.replace(/\/+$/, "") || "/";
    // A group-version an APIService sends to a service: the whole subtree is the extension apiserver's.
    const gv = /^\/apis\/([^/]+)\/([^/]+)(?:\/|$)/.exec(path);
    const apiservice = gv ? this.aggregator.remote(gv[1], gv[2]) : undefined;
    if (apiservice) {
      await proxyToAPIService(req, res, {
        controller: this.aggregator,
        apiservice,
        user,
        proxyClient: this.opts.proxyClient,
      });
      return;
    }
    if (info.isResourceRequest) {
      await this.rest.handle(req, res, info, url.searchParams, user);
      return;
    }
    const health = /^\/(healthz|livez|readyz)(?:\/(.+))?$/.exec(path);
    if (health) {
      const endpoint = health[1] as HealthEndpoint;
      const served = await serveHealth(
        res,
        endpoint,
        this.healthChecks[endpoint],
        health[2],
        url.searchParams,
        (check, err) => log.error(`${endpoint} check failed`, { check, err: err.message }),
      );
      if (served) return;
    }
    switch (path) {
      case "/version":
        return writeJson(res, 200, VERSION);
      case OPENID_CONFIGURATION_PATH:
      case JWKS_PATH: {
        const md = this.openIDMetadata;
        if (!md || req.method !== "GET") break;
        res.writeHead(200, {
          "Content-Type": path === JWKS_PATH ? "application/jwk-set+json" : "application/json",
          "Cache-Control": "public, max-age=3600",
        });
        res.end(path === JWKS_PATH ? md.jwks : md.configuration);
        return;
      }
      case "/metrics":
        this.metrics.inflight.set({ request_kind: "readOnly" }, this.inflight);
        this.metrics.inflight.set({ request_kind: "mutating" }, this.inflightMutating);
        res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
        res.end(
          [this.metrics.render(), this.opts.flowControl?.renderMetrics(), this.opts.objectCounts?.render()]
            .filter(Boolean)
            .join(""),
        );
        return;
      case "/debug/api_priority_and_fairness/dump_priority_levels":
        if (!this.opts.flowControl) break;
        res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(this.opts.flowControl.dumpPriorityLevels());
        return;
      case "/api": {
        const d = negotiateDiscovery(req.headers.accept);
        if (d.aggregated)
          return writeJson(
            res,
            200,
            aggregatedDiscovery(this.registry.catalog, true, d.aggregated),
            discoveryContentType(d.aggregated),
          );
        return writeJson(
          res,
          200,
          apiVersions(`${req.headers.host ?? req.headers[":authority"] ?? "127.0.0.1"}`),
        );
      }
      case "/apis": {
        const d = negotiateDiscovery(req.headers.accept);
        if (d.aggregated)
          return writeJson(
            res,
            200,
            aggregatedDiscovery(this.registry.catalog, false, d.aggregated, this.aggregator.remoteGroups()),
            discoveryContentType(d.aggregated),
          );
        return writeJson(res, 200, apiGroupList(this.registry.catalog, this.aggregator.remoteGroups()));
      }
      case "/openapi/v2": {
        const r = serveOpenAPIV2({ headers: req.headers as Record<string, string | undefined> });
        res.writeHead(r.status, r.headers);
        res.end(r.body);
        return;
      }
    }
    if (path === "/openapi/v3" || path.startsWith("/openapi/v3/")) {
      const gv = path === "/openapi/v3" ? undefined : path.slice("/openapi/v3/".length);
      const r = serveOpenAPIV3(
        gv,
        {
          headers: req.headers as Record<string, string | undefined>,
          hash: url.searchParams.get("hash") ?? undefined,
        },
        { custom: this.customOpenAPI.documents(this.registry.catalog.types()) },
      );
      res.writeHead(r.status, r.headers);
      res.end(r.body);
      return;
    }
    // /api/v1 and /apis/<group>[/<version>] discovery.
    const m = /^\/(api|apis)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
    if (m) {
      let doc: unknown;
      if (m[1] === "api" && m[2] && !m[3]) doc = apiResourceList(this.registry.catalog, "", m[2]);
      else if (m[1] === "apis" && m[2] && !m[3])
        doc = apiGroup(this.registry.catalog, m[2], this.aggregator.remoteGroups());
      else if (m[1] === "apis" && m[2] && m[3]) doc = apiResourceList(this.registry.catalog, m[2], m[3]);
      if (doc) return writeJson(res, 200, doc);
    }
    throw new StatusError(
      makeStatus({
        status: "Failure",
        code: 404,
        reason: StatusReason.NotFound,
        message: "the server could not find the requested resource",
        details: {},
      }),
    );
  }
}

/** Upstream's metric labels; the verb is the HTTP method's, as its CanonicalVerb and CleanVerb make it. */
function requestLabels(req: IncomingMessage, info: RequestInfo): RequestLabels {
  let verb = (req.method ?? "GET").toUpperCase();
  if (info.verb === "watch") verb = "WATCH";
  else if (verb === "HEAD" || verb === "GET") verb = info.name ? "GET" : "LIST";
  else if (verb === "PATCH" && req.headers["content-type"]?.startsWith("application/apply-patch"))
    verb = "APPLY";
  return {
    verb,
    group: info.apiGroup,
    version: info.apiVersion,
    resource: info.resource,
    subresource: info.subresource,
    // Upstream's CleanScope: a create counts as a request on one resource.
    scope: info.name || info.verb === "create" ? "resource" : info.namespace ? "namespace" : "cluster",
    component: "apiserver",
  };
}

/** What system:public-info-viewer lets anyone read. */
function isPublicPath(path: string): boolean {
  return ["/healthz", "/livez", "/readyz", "/version", "/version/"].includes(path);
}
