// The aggregation layer (kube-aggregator) over apiregistration.k8s.io/v1
// APIServices, in one loop over a cache of them:
// - autoregistration: a Local APIService for every group-version this
//   apiserver serves, built-in (automanaged "onstart") and from CRDs
//   (automanaged "true", removed when the CRD's version goes);
// - availability: Local ones are always Available; one backed by a service is
//   checked every 30 s (the service, its endpoints, then a discovery GET of
//   /apis/<group>/<version> at an endpoint), with upstream's reasons;
// - the discovery document each available one answered, for /apis.
import type { Obj, ResourceCatalog } from "../../api/registry.ts";
import { type HttpsAnswer, httpsGet } from "../../machinery/https-get.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../../machinery/status.ts";
import { ObjectCache } from "../admission/plugins/object-cache.ts";
import { log } from "../log.ts";
import type { Registry } from "../registry/index.ts";
import type { ResourceStore } from "../registry/resource-store.ts";
import { stableJson } from "../registry/strategy.ts";

export const AUTOMANAGED_LABEL = "kube-aggregator.kubernetes.io/automanaged";
const CHECK_INTERVAL_MS = 30_000;
const DISCOVERY_TIMEOUT_MS = 5_000;

/** kube-apiserver's apiVersionPriorities for its built-in group-versions; CRDs get 1000/100. */
const PRIORITIES: Record<string, [number, number]> = {
  "/v1": [18000, 1],
  "apiregistration.k8s.io/v1": [18000, 15],
  "apps/v1": [17800, 15],
  "events.k8s.io/v1": [17750, 15],
  "authentication.k8s.io/v1": [17700, 15],
  "authorization.k8s.io/v1": [17600, 15],
  "autoscaling/v1": [17500, 15],
  "autoscaling/v2": [17500, 30],
  "batch/v1": [17400, 15],
  "certificates.k8s.io/v1": [17300, 15],
  "networking.k8s.io/v1": [17200, 15],
  "policy/v1": [17100, 15],
  "rbac.authorization.k8s.io/v1": [17000, 15],
  "storage.k8s.io/v1": [16800, 15],
  "apiextensions.k8s.io/v1": [16700, 15],
  "admissionregistration.k8s.io/v1": [16700, 15],
  "scheduling.k8s.io/v1": [16600, 15],
  "coordination.k8s.io/v1": [16500, 15],
  "node.k8s.io/v1": [16300, 15],
  "discovery.k8s.io/v1": [16200, 15],
  "flowcontrol.apiserver.k8s.io/v1": [16100, 21],
};

/** Where an APIService's service answers, and how to talk TLS to it. */
export interface RemoteEndpoint {
  host: string;
  port: number;
  ca?: string;
  insecure: boolean;
  servername: string;
}

export interface APIServiceControllerOptions {
  /** The client certificate the aggregator presents to extension apiservers (front-proxy-client). */
  proxyClient?: { cert: string; key: string };
  /** The CA that signs client certificates, and the aggregator's: what extension apiservers trust. */
  clientCA?: string;
  now?: () => Date;
  checkIntervalMs?: number;
}

function condition(obj: Obj): Obj | undefined {
  return ((obj.status?.conditions ?? []) as Obj[]).find((c) => c.type === "Available");
}

export class APIServiceController {
  private readonly apiservices: ResourceStore;
  private readonly cache: ObjectCache;
  private readonly catalog: ResourceCatalog;
  private timer: ReturnType<typeof setInterval> | undefined;
  private registered = -1;
  private running = false;
  /** What each available remote group-version's discovery answered (an APIResourceList). */
  private readonly discovered = new Map<string, Obj>();
  private checking: Promise<void> | undefined;
  private again = false;
  /** The resourceVersion each APIService had when it was last checked: a change round skips unchanged ones. */
  private readonly checkedRv = new Map<string, string>();

  constructor(
    private readonly registry: Registry,
    private readonly opts: APIServiceControllerOptions,
  ) {
    this.apiservices = registry.byResource("apiregistration.k8s.io", "v1", "apiservices")!;
    this.catalog = registry.catalog;
    this.cache = new ObjectCache(this.apiservices, () => {
      if (this.running) void this.checkAll();
    });
  }

  async start(): Promise<void> {
    this.running = true;
    if (this.opts.clientCA && this.opts.proxyClient) await this.publishAuthenticationInfo(this.opts.clientCA);
    await this.cache.start();
    await this.autoregister();
    // The Local ones are Available before the first request, as nothing can be wrong with them.
    for (const a of (await this.apiservices.list(undefined)).items as Obj[])
      if (!a.spec?.service) await this.check(a);
    this.catalog.onChange(() => {
      if (this.running) void this.checkAll();
    });
    // Services and endpoints change without the APIService: everything is checked again now and then.
    this.timer = setInterval(() => void this.checkAll(true), this.opts.checkIntervalMs ?? CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.cache.stop();
    await this.cache.stopped();
    await this.checking;
  }

  /** The APIService that sends group/version to a service, when there is one. */
  remote(group: string, version: string): Obj | undefined {
    // The core group's is "v1." (upstream names every APIService version.group).
    const o = this.cache.get(undefined, `${version}.${group}`);
    return o?.spec?.service ? o : undefined;
  }

  isAvailable(apiservice: Obj): boolean {
    return condition(apiservice)?.status === "True";
  }

  /** Available remote group-versions with the resources their discovery listed, by priority. */
  remoteGroups(): Array<{ group: string; version: string; resources: Obj }> {
    const out: Array<{ group: string; version: string; resources: Obj; gpm: number; vp: number }> = [];
    for (const a of this.cache.list()) {
      if (!a.spec?.service || !this.isAvailable(a)) continue;
      const resources = this.discovered.get(a.metadata.name);
      if (!resources) continue;
      out.push({
        group: a.spec.group ?? "",
        version: a.spec.version ?? "",
        resources,
        gpm: a.spec.groupPriorityMinimum ?? 0,
        vp: a.spec.versionPriority ?? 0,
      });
    }
    out.sort((a, b) => b.gpm - a.gpm || a.group.localeCompare(b.group) || b.vp - a.vp);
    return out;
  }

  /**
   * kube-system/extension-apiserver-authentication, as kube-apiserver's
   * cluster-authentication-info controller writes it: how an extension
   * apiserver authenticates clients and trusts the aggregator's headers.
   */
  private async publishAuthenticationInfo(ca: string): Promise<void> {
    const data = {
      "client-ca-file": ca,
      "requestheader-allowed-names": '["front-proxy-client"]',
      "requestheader-client-ca-file": ca,
      "requestheader-extra-headers-prefix": '["X-Remote-Extra-"]',
      "requestheader-group-headers": '["X-Remote-Group"]',
      "requestheader-username-headers": '["X-Remote-User"]',
    };
    const configmaps = this.registry.byResource("", "v1", "configmaps")!;
    const name = "extension-apiserver-authentication";
    try {
      const have = await configmaps.get("kube-system", name);
      if (stableJson(have.data) !== stableJson(data))
        await configmaps.update("kube-system", name, { ...have, data });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await configmaps
        .create("kube-system", {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name, namespace: "kube-system" },
          data,
        })
        .catch((err) => {
          if (!isAlreadyExists(err)) throw err;
        });
    }
  }

  /** Local APIServices for what the catalogue serves, made or brought up to date; gone CRD versions' removed. */
  private async autoregister(): Promise<void> {
    if (this.registered === this.catalog.generation) return;
    const generation = this.catalog.generation;
    const wanted = new Map<string, Obj>();
    for (const t of this.catalog.types()) {
      const name = `${t.version}.${t.group}`;
      if (wanted.has(name)) continue;
      const [gpm, vp] = PRIORITIES[`${t.group}/${t.version}`] ?? (t.custom ? [1000, 100] : [1000, 15]);
      wanted.set(name, {
        apiVersion: "apiregistration.k8s.io/v1",
        kind: "APIService",
        metadata: { name, labels: { [AUTOMANAGED_LABEL]: t.custom ? "true" : "onstart" } },
        spec: { group: t.group, version: t.version, groupPriorityMinimum: gpm, versionPriority: vp },
      });
    }
    try {
      for (const [name, want] of wanted) {
        const have = this.cache.get(undefined, name) ?? (await this.lookup(name));
        if (!have) {
          await this.apiservices.create(undefined, want).catch((e) => {
            if (!isAlreadyExists(e)) throw e;
          });
        } else if (
          have.metadata.labels?.[AUTOMANAGED_LABEL] &&
          stableJson(have.spec) !== stableJson(want.spec)
        ) {
          await this.apiservices.update(undefined, name, { ...have, spec: want.spec });
        }
      }
      for (const a of this.cache.list()) {
        if (a.metadata.labels?.[AUTOMANAGED_LABEL] === "true" && !wanted.has(a.metadata.name))
          await this.apiservices.delete(undefined, a.metadata.name).catch((e) => {
            if (!isNotFound(e)) throw e;
          });
      }
      this.registered = generation;
    } catch (e) {
      if (!isConflict(e))
        log.error("APIService autoregistration failed; retrying", { err: (e as Error).message });
    }
  }

  private async lookup(name: string): Promise<Obj | undefined> {
    try {
      return await this.apiservices.get(undefined, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * One round of registration and checks at a time; a change during one asks for another after it.
   * A round after a change checks the APIServices that changed since their last check; `all` checks all.
   */
  private checkAll(all = false): Promise<void> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      try {
        let everything = all;
        do {
          this.again = false;
          await this.autoregister();
          const current = this.cache.list();
          for (const a of current) {
            if (!this.running) break;
            if (everything || this.checkedRv.get(a.metadata.name) !== a.metadata.resourceVersion)
              await this.check(a);
          }
          const names = new Set(current.map((a) => a.metadata.name));
          for (const name of this.checkedRv.keys()) if (!names.has(name)) this.checkedRv.delete(name);
          everything = false;
        } while (this.again && this.running);
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }

  /** Where an APIService's service can be reached now, or why not (upstream's availability reasons). */
  async endpoint(a: Obj): Promise<RemoteEndpoint | { reason: string; message: string }> {
    const { namespace, name } = a.spec.service;
    const port = a.spec.service.port ?? 443;
    let svc: Obj;
    try {
      svc = await this.registry.byResource("", "v1", "services")!.get(namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return { reason: "ServiceNotFound", message: `service/${name} in "${namespace}" is not present` };
    }
    const svcPort = ((svc.spec?.ports ?? []) as Obj[]).find((p) => p.port === port);
    if (!svcPort)
      return {
        reason: "ServicePortError",
        message: `service/${name} in "${namespace}" is not listening on port ${port}`,
      };
    const portName = svcPort.name ?? "";
    let eps: Obj | undefined;
    try {
      eps = await this.registry.byResource("", "v1", "endpoints")!.get(namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    for (const subset of (eps?.subsets ?? []) as Obj[]) {
      const p = ((subset.ports ?? []) as Obj[]).find((x) => (x.name ?? "") === portName);
      const addr = (subset.addresses ?? [])[0];
      if (p && addr)
        return {
          host: addr.ip,
          port: p.port,
          ca: a.spec.caBundle ? Buffer.from(a.spec.caBundle, "base64").toString("utf8") : undefined,
          insecure: a.spec.insecureSkipTLSVerify === true,
          servername: `${name}.${namespace}.svc`,
        };
    }
    return {
      reason: "MissingEndpoints",
      message: `endpoints for service/${name} in "${namespace}" have no addresses with port name "${portName}"`,
    };
  }

  /** A GET of the group-version's discovery document at the endpoint, as the aggregator's own client. */
  private async discover(ep: RemoteEndpoint, path: string): Promise<Obj> {
    const url = `https://${ep.host}:${ep.port}${path}`;
    let answer: HttpsAnswer;
    try {
      answer = await httpsGet(
        {
          host: ep.host,
          port: ep.port,
          path,
          servername: ep.servername,
          ca: ep.ca,
          rejectUnauthorized: !ep.insecure,
          cert: this.opts.proxyClient?.cert,
          key: this.opts.proxyClient?.key,
          headers: { accept: "application/json", "x-remote-user": "system:kube-aggregator" },
          timeout: DISCOVERY_TIMEOUT_MS,
        },
        () => new Error("context deadline exceeded"),
      );
    } catch (e) {
      throw new Error(`failing or missing response from ${url}: ${(e as Error).message}`);
    }
    if (answer.status < 200 || answer.status > 299)
      throw new Error(`bad status from ${url}: ${answer.status}`);
    return JSON.parse(answer.body);
  }

  private async check(a: Obj): Promise<void> {
    let cond: Obj;
    if (!a.spec?.service) {
      cond = {
        type: "Available",
        status: "True",
        reason: "Local",
        message: "Local APIServices are always available",
      };
    } else {
      const ep = await this.endpoint(a);
      if ("reason" in ep) {
        cond = { type: "Available", status: "False", ...ep };
        this.discovered.delete(a.metadata.name);
      } else {
        const path = a.spec.group ? `/apis/${a.spec.group}/${a.spec.version}` : `/api/${a.spec.version}`;
        try {
          this.discovered.set(a.metadata.name, await this.discover(ep, path));
          cond = { type: "Available", status: "True", reason: "Passed", message: "all checks passed" };
        } catch (e) {
          this.discovered.delete(a.metadata.name);
          cond = {
            type: "Available",
            status: "False",
            reason: "FailedDiscoveryCheck",
            message: (e as Error).message,
          };
        }
      }
    }
    const old = condition(a);
    if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message) {
      this.checkedRv.set(a.metadata.name, a.metadata.resourceVersion);
      return;
    }
    const now = `${(this.opts.now?.() ?? new Date()).toISOString().slice(0, 19)}Z`;
    const stamped = {
      ...cond,
      lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : now,
    };
    const others = ((a.status?.conditions ?? []) as Obj[]).filter((c) => c.type !== "Available");
    try {
      const written = await this.apiservices.update(
        undefined,
        a.metadata.name,
        { ...a, status: { ...(a.status ?? {}), conditions: [...others, stamped] } },
        { subresource: "status" },
      );
      // Its own write is no change to look at again.
      this.checkedRv.set(a.metadata.name, written.object.metadata.resourceVersion);
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e))
        log.error("APIService status not written", {
          apiservice: a.metadata.name,
          err: (e as Error).message,
        });
    }
  }
}
