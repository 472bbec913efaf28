// client-go's SharedInformerFactory: one informer (so one watch) per resource,
// whoever asks for it; start them all, wait for all caches.
import type { Clock } from "./clock.ts";
import { listerWatcher } from "./reflector.ts";
import type { KubeObject, ResourceRef, RestClient } from "./rest-client.ts";
import { SharedInformer } from "./shared-informer.ts";

export interface SharedInformerFactoryOptions {
  client: RestClient;
  /** Resync period of every informer; 0 disables. */
  defaultResyncMs?: number;
  /** Watch only this namespace (all by default). */
  namespace?: string;
  /** Passed to every reflector; tests make it short. */
  watchTimeoutSeconds?: number;
  clock?: Clock;
  random?: () => number;
  /** informers.WithTransform, given the resource: each informer's transform, if any. */
  transform?: (res: ResourceRef) => ((obj: KubeObject) => KubeObject) | undefined;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private readonly started = new Set<string>();

  constructor(
    private readonly opts: SharedInformerFactoryOptions,
    /** For a scoped factory: the factory whose informers it joins. */
    private readonly parent?: SharedInformerFactory,
  ) {}

  /**
   * A factory for one term of a component over this one's informers: the
   * same watches and caches, with handlers of its own that its shutdown()
   * removes, leaving the informers running. Components that share a process
   * (`k8ts up`'s scheduler and controller-manager) share one watch a resource.
   */
  scoped(): SharedInformerFactory {
    return new SharedInformerFactory(this.opts, this);
  }

  /** The shared informer of a resource, made on first use. */
  forResource<T extends KubeObject>(res: ResourceRef): SharedInformer<T> {
    const key = `${res.group}/${res.version}/${res.resource}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = this.parent
        ? SharedInformer.childOf(this.parent.forResource<KubeObject>(res))
        : new SharedInformer<KubeObject>({
            name: key,
            listerWatcher: listerWatcher(this.opts.client, res, {
              namespace: res.namespaced ? this.opts.namespace : undefined,
            }),
            resyncPeriodMs: this.opts.defaultResyncMs ?? 0,
            watchTimeoutSeconds: this.opts.watchTimeoutSeconds,
            clock: this.opts.clock,
            random: this.opts.random,
            transform: this.opts.transform?.(res),
          });
      this.informers.set(key, inf);
    }
    return inf as unknown as SharedInformer<T>;
  }

  /** Starts every informer asked for so far that is not running yet. */
  start(): void {
    this.parent?.start();
    for (const [key, inf] of this.informers) {
      if (this.started.has(key)) continue;
      this.started.add(key);
      inf.start();
    }
  }

  /** Resolves with each started informer's sync result (false when the signal aborted first). */
  async waitForCacheSync(signal?: AbortSignal): Promise<Record<string, boolean>> {
    const out: Record<string, boolean> = {};
    await Promise.all(
      [...this.started].map(async (key) => {
        out[key] = await this.informers.get(key)!.waitForSync(signal);
      }),
    );
    return out;
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
