// src/scheduler: the kube-scheduler of k8ts. A Scheduler is one leadership
// term: informers feed the cache and the queue, the loop schedules pods of
// every profile (by spec.schedulerName), and stop() ends it at once.
import { setMaxListeners } from "node:events";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { type Clock, realClock } from "../client/clock.ts";
import { EventRecorder } from "../client/event-recorder.ts";
import { SharedInformerFactory } from "../client/informer-factory.ts";
import { Resources } from "../client/resources.ts";
import type { KubeObject, ResourceRef, RestClient } from "../client/rest-client.ts";
import { type HandlerRegistration, trimManagedFields } from "../client/shared-informer.ts";
import { pluginApi } from "./api.ts";
import { SchedulerCache } from "./cache/cache.ts";
import { defaultConfiguration, type SchedulerConfiguration } from "./config.ts";
import { addAllEventHandlers } from "./event-handlers.ts";
import type { Explanation } from "./explain.ts";
import type { ClusterEvent, Handle, PluginFactory } from "./framework/interface.ts";
import { buildFramework } from "./framework/profile.ts";
import type { Framework } from "./framework/runtime.ts";
import { SchedulerMetrics } from "./metrics.ts";
import { SchedulingQueue } from "./queue/scheduling-queue.ts";
import { inTreeRegistry } from "./registry.ts";
import { SchedulingLoop } from "./scheduler.ts";

export { defaultConfiguration, loadConfiguration, type SchedulerConfiguration } from "./config.ts";
export type { Explanation } from "./explain.ts";

export interface SchedulerOptions {
  client: RestClient;
  config?: SchedulerConfiguration;
  /** The process's informers, shared with other components: joined through a scope of this scheduler's own. */
  informers?: SharedInformerFactory;
  /** Out-of-tree plugins join the in-tree ones. */
  registry?: Map<string, PluginFactory>;
  clock?: Clock;
  log?(msg: string): void;
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly metrics = new SchedulerMetrics();
  readonly frameworks = new Map<string, Framework>();
  /** Its own, or its scope of the process's: shut down with it either way. */
  private readonly informers: SharedInformerFactory;
  private readonly config: SchedulerConfiguration;
  private readonly clock: Clock;
  private readonly recorder: EventRecorder;
  private stopped?: Promise<void>;
  private readonly pluginEvents = new Map<string, ClusterEvent[]>();
  private loop?: SchedulingLoop;
  private abort = new AbortController();
  private running?: Promise<void>;
  private regs: HandlerRegistration[] = [];

  constructor(private readonly opts: SchedulerOptions) {
    // Every informer's cache sync listens on the one stop signal.
    setMaxListeners(64, this.abort.signal);
    this.config = opts.config ?? defaultConfiguration();
    this.clock = opts.clock ?? realClock;
    this.informers =
      opts.informers?.scoped() ??
      new SharedInformerFactory({
        client: opts.client,
        clock: this.clock,
        // As kube-scheduler's pod informer: managedFields dropped to save memory.
        transform: (res) => (res.group === "" && res.resource === "pods" ? trimManagedFields : undefined),
      });
    this.recorder = new EventRecorder({
      client: opts.client,
      component: "default-scheduler",
      clock: this.clock,
      onError: (e) => opts.log?.(`event not recorded: ${(e as Error).message}`),
    });
    this.queue = new SchedulingQueue({
      clock: this.clock,
      less: (a, b) => this.frameworkFor(a.pod)?.queueSortLess(a, b) ?? a.timestamp < b.timestamp,
      initialBackoffMs: this.config.podInitialBackoffMs,
      maxBackoffMs: this.config.podMaxBackoffMs,
      preEnqueue: (pod) => this.frameworkFor(pod)?.runPreEnqueuePlugins(pod) ?? null,
      pluginEvents: (name) => this.pluginEvents.get(name),
    });
    const registry = new Map([...inTreeRegistry(), ...(opts.registry ?? [])]);
    const api = pluginApi(opts.client);
    for (const profile of this.config.profiles) {
      let fwk: Framework | undefined;
      const handle: Handle = {
        snapshot: () => this.cache.snapshot(),
        lister: <T extends KubeObject>(res: ResourceRef) => {
          const inf = this.informers.forResource<T>(res);
          if (this.running) this.informers.start();
          return inf.getIndexer();
        },
        namespaceLabels: (ns) =>
          this.informers.forResource(Resources.namespaces).getIndexer().get(ns)?.metadata?.labels,
        clock: this.clock,
        api,
        runFilterPluginsWithNominatedPods: (s, p, n) => fwk!.runFilterPluginsWithNominatedPods(s, p, n),
        runPreFilterExtensionAddPod: (s, p, a, n) => fwk!.runPreFilterExtensionAddPod(s, p, a, n),
        runPreFilterExtensionRemovePod: (s, p, r, n) => fwk!.runPreFilterExtensionRemovePod(s, p, r, n),
        nominatedPodsForNode: (node) => this.queue.nominator.podsForNode(node),
      };
      fwk = buildFramework(profile, registry, handle);
      this.frameworks.set(profile.schedulerName, fwk);
      for (const ext of fwk.plugins.enqueueExtensions)
        this.pluginEvents.set(ext.name, ext.eventsToRegister());
    }
  }

  private frameworkFor(pod: Pod): Framework | undefined {
    return this.frameworks.get(pod.spec?.schedulerName ?? "default-scheduler");
  }

  /** Fills the caches, then schedules until stop(). */
  async start(): Promise<void> {
    const pods = this.informers.forResource<Pod>(Resources.pods);
    this.regs = addAllEventHandlers({
      informers: this.informers,
      cache: this.cache,
      queue: this.queue,
      responsibleFor: (pod) => this.frameworks.has(pod.spec?.schedulerName ?? "default-scheduler"),
      onPodGone: (pod, deleted) =>
        this.loop?.explanations.forget(pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", deleted),
    });
    this.loop = new SchedulingLoop({
      cache: this.cache,
      queue: this.queue,
      frameworks: this.frameworks,
      api: pluginApi(this.opts.client),
      recorder: this.recorder,
      metrics: this.metrics,
      percentageOfNodesToScore: this.config.percentageOfNodesToScore,
      currentPod: (pod) => {
        const cur = pods.getIndexer().get(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
        return cur as Pod | undefined;
      },
      clock: this.clock,
      log: this.opts.log,
    });
    this.informers.start();
    await this.informers.waitForCacheSync(this.abort.signal);
    if (this.abort.signal.aborted) return;
    this.queue.run();
    this.running = this.loop.run(this.abort.signal);
  }

  /** Stops scheduling, waits for the bindings in flight, then for their events to be written. Every call gets the same promise. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.abort.abort();
      this.queue.close();
      for (const r of this.regs) r.remove();
      await this.running;
      await this.informers.shutdown();
      await this.recorder.flush();
    })();
    return this.stopped;
  }

  explain(namespace: string, name: string): Explanation | undefined {
    return this.loop?.explanations.get(namespace, name);
  }

  metricsText(): string {
    return this.metrics.render(this.queue.pending());
  }
}
