// upstream's QuotaMonitor (pkg/controller/resourcequota/resource_quota_monitor.go):
// a handler on the shared informer of every quotable resource that discovery
// reports. A delete, or an update the filter says can change usage, tells the
// controller which group/resource changed in which namespace (replenishment);
// the controller then queues the quotas of that namespace that track it.
// Resources without an evaluator get an object-count one, so that
// count/<resource>.<group> works for any listable resource.
import type { GroupResource } from "../../api/quota/evaluator.ts";
import { ObjectCountEvaluator } from "../../api/quota/object-count.ts";
import type { QuotaRegistry } from "../../api/quota/registry.ts";
import type { Obj } from "../../api/registry.ts";
import type { SharedInformerFactory } from "../../client/informer-factory.ts";
import type { KubeObject, ResourceRef } from "../../client/rest-client.ts";
import type { HandlerRegistration } from "../../client/shared-informer.ts";
import { resourceKey } from "../garbagecollector/discovery.ts";
import type { UpdateFilter } from "./update-filter.ts";

export interface QuotaMonitorOptions {
  informers: SharedInformerFactory;
  registry: QuotaRegistry;
  /** "group/resource" keys never monitored (DefaultIgnoredResources). */
  ignoredResources: ReadonlySet<string>;
  updateFilter: UpdateFilter;
  /** ReplenishmentFunc: a counted object of gr changed in namespace. */
  replenish(gr: GroupResource, namespace: string): void;
  /** A new object-count evaluator lists objects of this resource. */
  onEvaluatorAdded?(gr: GroupResource, ref: ResourceRef): void;
  log(msg: string): void;
}

interface Monitor {
  ref: ResourceRef;
  registration: HandlerRegistration;
}

export class QuotaMonitor {
  private monitors = new Map<string, Monitor>();
  private running = false;

  constructor(private readonly opts: QuotaMonitorOptions) {}

  /**
   * SyncMonitors: a handler on each resource's shared informer, removed for
   * resources no longer reported. Informers of new monitors start with
   * startMonitors (before run, the controller-manager starts them).
   */
  syncMonitors(resources: ResourceRef[]): { added: number; kept: number; removed: number } {
    const toRemove = this.monitors;
    const current = new Map<string, Monitor>();
    let added = 0;
    let kept = 0;
    for (const ref of resources) {
      if (this.opts.ignoredResources.has(`${ref.group}/${ref.resource}`)) continue;
      const key = resourceKey(ref);
      const m = toRemove.get(key);
      if (m) {
        current.set(key, m);
        toRemove.delete(key);
        kept++;
        continue;
      }
      current.set(key, this.monitorFor(ref));
      const gr = { group: ref.group, resource: ref.resource };
      if (!this.opts.registry.get(gr)) {
        this.opts.registry.add(new ObjectCountEvaluator(gr));
        this.opts.onEvaluatorAdded?.(gr, ref);
        this.opts.log(
          `QuotaMonitor created object count evaluator for ${ref.group ? `${ref.resource}.${ref.group}` : ref.resource}`,
        );
      }
      added++;
    }
    this.monitors = current;
    // The shared informer stays (others may use it); only our handler goes.
    for (const m of toRemove.values()) m.registration.remove();
    return { added, kept, removed: toRemove.size };
  }

  private monitorFor(ref: ResourceRef): Monitor {
    const gr = { group: ref.group, resource: ref.resource };
    const informer = this.opts.informers.forResource<KubeObject>(ref);
    const namespaceOf = (obj: KubeObject) => obj.metadata?.namespace ?? "";
    const registration = informer.addEventHandler({
      onUpdate: (oldObj, newObj) => {
        if (this.opts.updateFilter(gr, oldObj as Obj, newObj as Obj)) {
          this.opts.replenish(gr, namespaceOf(newObj));
        }
      },
      onDelete: (obj) => this.opts.replenish(gr, namespaceOf(obj)),
    });
    return { ref, registration };
  }

  /** StartMonitors: starts the informers of monitors added since (a no-op until run). */
  startMonitors(): void {
    if (this.running) this.opts.informers.start();
  }

  /** IsSynced: there are monitors and every one has synced. */
  isSynced(): boolean {
    if (this.monitors.size === 0) return false;
    for (const m of this.monitors.values()) if (!m.registration.hasSynced()) return false;
    return true;
  }

  monitoredResources(): string[] {
    return [...this.monitors.keys()];
  }

  /** Starts the monitors; on abort removes every handler. */
  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.startMonitors();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    this.running = false;
    for (const m of this.monitors.values()) m.registration.remove();
    this.monitors = new Map();
  }
}
