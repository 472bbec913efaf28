// upstream's resource quota controller
// (pkg/controller/resourcequota/resource_quota_controller.go): keeps every
// ResourceQuota's status.hard equal to spec.hard and status.used equal to what
// the objects of its namespace use, as the quota evaluators measure them from
// the informer caches. A quota is recalculated when its spec.hard changes,
// when the monitor reports a delete (or a usage-changing update) of something
// it tracks, and at every full resync (--resource-quota-sync-period). Quotas
// whose status lacks usage go through a second, priority queue, so a new quota
// is measured before the backlog of recalculations. Creates are charged by
// the ResourceQuota admission plugin, not here.
import type { ResourceQuota } from "kubernetes-types/core/v1.d.ts";
import type { GroupResource, QuotaEvaluator, ScopeSelector } from "../../api/quota/evaluator.ts";
import { groupResourceKey } from "../../api/quota/evaluator.ts";
import { IGNORED_RESOURCES, newCoreEvaluators, QuotaRegistry } from "../../api/quota/registry.ts";
import { equals, mask, type ResourceList, resourceList, toJSON } from "../../api/quota/resources.ts";
import { calculateUsage } from "../../api/quota/usage.ts";
import type { Obj } from "../../api/registry.ts";
import { sleep } from "../../client/clock.ts";
import { type IndexerView, metaNamespaceKey } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { KubeObject, ResourceRef } from "../../client/rest-client.ts";
import type { ControllerContext, InitializedController } from "../context.ts";
import { Controller, type ReconcileResult, splitKey } from "../controller.ts";
import {
  type Discover,
  type DiscoveredResource,
  type DiscoveryResult,
  discoveryFor,
  groupVersionOf,
  resourceKey,
} from "../garbagecollector/discovery.ts";
import { QuotaMonitor } from "./resource-quota-monitor.ts";
import { defaultUpdateFilter } from "./update-filter.ts";

/** --resource-quota-sync-period's default: how often every quota is recalculated. */
export const RESOURCE_QUOTA_SYNC_PERIOD_MS = 5 * 60_000;
/** How often discovery looks for new quotable resources (the controller-manager's Sync period). */
export const QUOTA_DISCOVERY_PERIOD_MS = 30_000;

export interface ResourceQuotaControllerOptions {
  /** --resource-quota-sync-period (5 m); 0 disables the full resync. */
  resyncPeriodMs?: number;
  /** How often discovery runs again (30 s). */
  discoveryPeriodMs?: number;
  /** Discovery; default GET /api, /apis and each group version through ctx.client. */
  discover?: Discover;
  /** "group/resource" keys never counted or monitored; default DefaultIgnoredResources. */
  ignoredResources?: ReadonlySet<string>;
}

/** The resources each core evaluator lists. */
const CORE_RESOURCES: ResourceRef[] = [
  Resources.pods,
  Resources.services,
  Resources.persistentvolumeclaims,
  Resources.configmaps,
  Resources.resourcequotas,
  Resources.replicationcontrollers,
  Resources.secrets,
];

/** GetQuotableResources: the preferred namespaced resources that support create, list, watch and delete. */
export function quotableResources(d: DiscoveryResult): DiscoveredResource[] {
  return d.preferred.filter(
    (r) => r.ref.namespaced && ["create", "list", "watch", "delete"].every((v) => r.verbs.includes(v)),
  );
}

/** spec.scopeSelector.matchExpressions. */
function scopeSelectorOf(quota: ResourceQuota): ScopeSelector[] {
  return (quota.spec?.scopeSelector?.matchExpressions ?? []) as ScopeSelector[];
}

/** A status map as Go writes it: omitted when empty. */
function statusMap(list: ResourceList): Record<string, string> | undefined {
  return list.size === 0 ? undefined : toJSON(list);
}

export class ResourceQuotaController {
  /** upstream's queue ("resourcequota_primary"): recalculations. */
  readonly queue: Controller;
  /** upstream's missingUsageQueue ("resourcequota_priority"): quotas whose status lacks usage. */
  readonly missingUsageQueue: Controller;
  readonly registry: QuotaRegistry;
  readonly monitor: QuotaMonitor;
  private readonly rqIndexer: IndexerView<ResourceQuota & KubeObject>;
  /** The resource each evaluator lists, by "group/resource". */
  private readonly listedResources = new Map<string, ResourceRef>();
  private readonly resyncPeriodMs: number;
  private readonly discoveryPeriodMs: number;
  private readonly discover: Discover;
  /** The quotable resources of the last discovery that changed the monitors. */
  private oldResources = new Map<string, DiscoveredResource>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: ResourceQuotaControllerOptions = {},
  ) {
    this.resyncPeriodMs = opts.resyncPeriodMs ?? RESOURCE_QUOTA_SYNC_PERIOD_MS;
    this.discoveryPeriodMs = opts.discoveryPeriodMs ?? QUOTA_DISCOVERY_PERIOD_MS;
    this.discover = opts.discover ?? discoveryFor(ctx.client);
    const now = () => ctx.clock.now();
    this.registry = new QuotaRegistry(newCoreEvaluators(now));
    for (const ref of CORE_RESOURCES) {
      this.listedResources.set(groupResourceKey(ref), ref);
      ctx.informers.forResource(ref);
    }
    const reconciler = { reconcile: (key: string) => this.reconcile(key) };
    this.queue = new Controller({
      name: "resourcequota_primary",
      reconciler,
      clock: ctx.clock,
      log: ctx.log,
    });
    this.missingUsageQueue = new Controller({
      name: "resourcequota_priority",
      reconciler,
      clock: ctx.clock,
      log: ctx.log,
    });

    const rqInformer = ctx.informers.forResource<ResourceQuota & KubeObject>(Resources.resourcequotas);
    this.rqIndexer = rqInformer.getIndexer();
    rqInformer.addEventHandler({
      onAdd: (quota) => this.addQuota(quota),
      onUpdate: (oldQuota, curQuota) => {
        // Status updates are this controller's own (or admission's); only a new spec.hard needs a recalculation.
        if (equals(resourceList(oldQuota.spec?.hard), resourceList(curQuota.spec?.hard))) return;
        this.addQuota(curQuota);
      },
      // Enters the sync loop and does nothing: the quota is gone from the cache.
      onDelete: (quota) => this.queue.enqueueObject(quota),
    });

    this.monitor = new QuotaMonitor({
      informers: ctx.informers,
      registry: this.registry,
      ignoredResources: opts.ignoredResources ?? IGNORED_RESOURCES,
      updateFilter: defaultUpdateFilter(now),
      replenish: (gr, namespace) => this.replenishQuota(gr, namespace),
      onEvaluatorAdded: (gr, ref) => this.listedResources.set(groupResourceKey(gr), ref),
      log: ctx.log,
    });
  }

  /** Primes the monitors with a first discovery, so the manager starts and syncs their informers. */
  async init(): Promise<InitializedController> {
    try {
      this.resyncMonitors(await this.discover(this.ctx.signal));
    } catch (e) {
      // Not fatal: the discovery loop tries again.
      this.ctx.log(
        `initial discovery check failure, continuing and counting on future sync update: ${(e as Error).message}`,
      );
    }
    return { controllers: [this.queue, this.missingUsageQueue], run: () => this.run() };
  }

  /** Both queues' workers, the monitors, the full resync and rediscovery, until ctx.signal aborts. */
  async run(): Promise<void> {
    const { signal, workers } = this.ctx;
    await Promise.all([
      this.monitor.run(signal),
      this.queue.run(workers, signal),
      this.missingUsageQueue.run(workers, signal),
      this.resyncLoop(signal),
      this.discoveryLoop(signal),
    ]);
  }

  // Event handlers: they only enqueue keys.

  /** addQuota: a quota whose status does not yet reflect its spec, or lacks a usage we can measure, goes first. */
  private addQuota(quota: ResourceQuota & KubeObject): void {
    const key = metaNamespaceKey(quota);
    if (!equals(resourceList(quota.spec?.hard), resourceList(quota.status?.hard))) {
      this.missingUsageQueue.enqueue(key);
      return;
    }
    const used = quota.status?.used ?? {};
    for (const constraint of Object.keys(quota.status?.hard ?? {})) {
      if (Object.hasOwn(used, constraint)) continue;
      if (this.registry.list().some((ev) => ev.matchingResources([constraint]).length > 0)) {
        this.missingUsageQueue.enqueue(key);
        return;
      }
    }
    this.queue.enqueue(key);
  }

  /** replenishQuota: queue the namespace's quotas that track something of gr. */
  replenishQuota(gr: GroupResource, namespace: string): void {
    const evaluator = this.registry.get(gr);
    if (!evaluator) return;
    for (const quota of this.rqIndexer.byNamespace(namespace)) {
      // As upstream: the whole quota is recounted, not only this kind.
      if (evaluator.matchingResources(Object.keys(quota.status?.hard ?? {})).length > 0) {
        this.queue.enqueueObject(quota);
      }
    }
  }

  /** enqueueAll: the full recalculation of every quota, every resync period. */
  private enqueueAll(): void {
    for (const quota of this.rqIndexer.list()) this.queue.enqueueObject(quota);
  }

  private async resyncLoop(signal: AbortSignal): Promise<void> {
    if (this.resyncPeriodMs <= 0) {
      this.ctx.log("periodic quota controller resync disabled");
      return;
    }
    while (!signal.aborted) {
      this.enqueueAll();
      await sleep(this.ctx.clock, this.resyncPeriodMs, signal);
    }
  }

  // Discovery: upstream's Sync.

  private async discoveryLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.ctx.clock, this.discoveryPeriodMs, signal);
      if (signal.aborted) return;
      try {
        this.resyncMonitors(await this.discover(signal));
      } catch (e) {
        if (!signal.aborted) this.ctx.log(`failed to discover resources: ${(e as Error).message}`);
      }
    }
  }

  /** Monitors follow discovery; a group version that failed to answer keeps the monitors it had. */
  private resyncMonitors(d: DiscoveryResult): void {
    const next = new Map(quotableResources(d).map((r) => [resourceKey(r.ref), r]));
    if (d.failedGroupVersions.length > 0) {
      // Short-circuit when discovery returned nothing at all.
      if (next.size === 0) return;
      const failed = new Set(d.failedGroupVersions);
      for (const [k, r] of this.oldResources) if (failed.has(groupVersionOf(r.ref))) next.set(k, r);
    }
    const added = [...next.keys()].filter((k) => !this.oldResources.has(k));
    const removed = [...this.oldResources.keys()].filter((k) => !next.has(k));
    if (added.length === 0 && removed.length === 0) return;
    if (this.oldResources.size > 0) {
      this.ctx.log(
        `syncing resource quota controller with updated resources from discovery: added: [${added.sort().join(" ")}], removed: [${removed.sort().join(" ")}]`,
      );
    }
    this.monitor.syncMonitors([...next.values()].map((r) => r.ref));
    this.monitor.startMonitors();
    this.oldResources = next;
  }

  // The reconcile.

  /** The namespace's objects an evaluator counts; throws while the informer has not synced. */
  private listByNamespace(ev: QuotaEvaluator, namespace: string): readonly Obj[] {
    const ref = this.listedResources.get(groupResourceKey(ev.groupResource));
    if (!ref) throw new Error(`no informer for ${groupResourceKey(ev.groupResource)}`);
    const informer = this.ctx.informers.forResource<KubeObject>(ref);
    if (!informer.hasSynced()) throw new Error(`${resourceKey(ref)} not yet synced`);
    return informer.getIndexer().byNamespace(namespace) as Obj[];
  }

  /** syncResourceQuotaFromKey. */
  async reconcile(key: string): Promise<ReconcileResult | undefined> {
    const quota = this.rqIndexer.get(key);
    if (!quota) return undefined; // deleted
    await this.syncResourceQuota(quota, splitKey(key).namespace);
    return undefined;
  }

  /** syncResourceQuota: status.hard from spec.hard, status.used recalculated; written only when it changed. */
  private async syncResourceQuota(quota: ResourceQuota & KubeObject, namespace: string): Promise<void> {
    const hard = resourceList(quota.spec?.hard);
    const statusUsed = resourceList(quota.status?.used);
    // Dirty when spec.hard moved on, or on the first sync (no status yet).
    let dirty =
      !equals(hard, resourceList(quota.status?.hard)) ||
      quota.status?.hard == null ||
      quota.status?.used == null;

    const { used: newUsage, errors } = calculateUsage({
      namespace,
      scopes: quota.spec?.scopes ?? [],
      scopeSelector: scopeSelectorOf(quota),
      hard,
      registry: this.registry,
      list: (ev, ns) => this.listByNamespace(ev, ns),
    });
    // Usage that could not be measured keeps its last known figure.
    let used: ResourceList = new Map(statusUsed);
    for (const [k, v] of newUsage) used.set(k, v);
    // Only the resources the quota limits.
    used = mask(used, hard.keys());

    dirty = dirty || !equals(used, statusUsed);
    if (dirty) {
      const usage: ResourceQuota & KubeObject = {
        ...quota,
        status: { hard: statusMap(hard), used: statusMap(used) },
      };
      try {
        await this.ctx.client.update(Resources.resourcequotas, usage, {
          namespace,
          subresource: "status",
        });
      } catch (e) {
        errors.push(e as Error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new Error(`[${errors.map((e) => e.message).join(", ")}]`);
  }
}
