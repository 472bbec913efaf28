// The controller-manager's core (upstream's StartControllers): choose the
// controllers --controllers enables, give each its identity, informers,
// event recorder and worker count, start the shared informers, wait for their
// caches, then run every controller until the signal aborts.
import { setMaxListeners } from "node:events";
import { type Clock, realClock } from "../client/clock.ts";
import { EventRecorder } from "../client/event-recorder.ts";
import { SharedInformerFactory, type SharedInformerFactoryOptions } from "../client/informer-factory.ts";
import type { RestClient } from "../client/rest-client.ts";
import { trimManagedFields } from "../client/shared-informer.ts";
import type {
  ControllerContext,
  ControllerDescriptor,
  ControllerManagerConfig,
  InitializedController,
} from "./context.ts";

export interface StartControllersOptions {
  /** The manager's own client: shared informers, and identities when credentials are per controller. */
  client: RestClient;
  descriptors: ControllerDescriptor[];
  /** --controllers: "*", "name", "-name" (default ["*"]). */
  controllers?: string[];
  /** Settings of particular controllers. */
  config?: ControllerManagerConfig;
  /** Workers per --concurrent-*-syncs flag name, e.g. {"concurrent-deployment-syncs": 5}. */
  concurrency?: Record<string, number>;
  /** The client a controller uses; default: the manager's (upstream's --use-service-account-credentials=false). */
  clientFor?(d: ControllerDescriptor): Promise<RestClient> | RestClient;
  signal: AbortSignal;
  clock?: Clock;
  random?: () => number;
  /** Resync of the shared informers (upstream's --min-resync-period is 12 h; 0 disables). */
  resyncMs?: number;
  /**
   * Informers this process keeps running (`k8ts up`: shared with the
   * scheduler); the controllers join them through a scope of their own.
   */
  informers?: SharedInformerFactory;
  log?(msg: string): void;
}

export interface StartedControllers {
  /** The canonical names of the running controllers. */
  names: string[];
  initialized: Map<string, InitializedController>;
  informers: SharedInformerFactory;
  /** Resolves when every controller has stopped (after the signal aborted). */
  done: Promise<void>;
}

/**
 * The controller-manager's shared informers: as kube-controller-manager's,
 * without managedFields, which no controller reads. Its own, or its process's
 * (`k8ts up` hands them to the scheduler too).
 */
export function controllerManagerInformers(opts: SharedInformerFactoryOptions): SharedInformerFactory {
  return new SharedInformerFactory({ ...opts, transform: () => trimManagedFields });
}

/** upstream's IsControllerEnabled: the first of "name" or "-name" that matches decides; then "*" enables the default set. */
export function isControllerEnabled(d: ControllerDescriptor, controllers: string[]): boolean {
  const names = [d.name, ...d.aliases];
  let star = false;
  for (const c of controllers) {
    if (names.includes(c)) return true;
    if (c.startsWith("-") && names.includes(c.slice(1))) return false;
    if (c === "*") star = true;
  }
  return star && !d.disabledByDefault;
}

/** Checks --controllers names against the known controllers; an unknown one is an error naming the known ones. */
export function validateControllers(controllers: string[], descriptors: ControllerDescriptor[]): void {
  const known = new Set(descriptors.flatMap((d) => [d.name, ...d.aliases]));
  for (const c of controllers) {
    const name = c.startsWith("-") ? c.slice(1) : c;
    if (c === "*" || known.has(name)) continue;
    throw new Error(
      `"${c}" is not in the list of known controllers: ${descriptors
        .map((d) => d.name)
        .sort()
        .join(", ")}`,
    );
  }
}

export async function startControllers(o: StartControllersOptions): Promise<StartedControllers> {
  const controllers = o.controllers ?? ["*"];
  // Every informer and controller listens for the same stop (the GC alone watches dozens of resources).
  setMaxListeners(0, o.signal);
  validateControllers(controllers, o.descriptors);
  const clock = o.clock ?? realClock;
  const log = o.log ?? ((m: string) => process.stderr.write(`controller-manager: ${m}\n`));
  const informers =
    o.informers?.scoped() ??
    controllerManagerInformers({
      client: o.client,
      defaultResyncMs: o.resyncMs ?? 0,
      clock,
      random: o.random,
    });
  const initialized = new Map<string, InitializedController>();
  const contexts = new Map<string, ControllerContext>();
  const recorders: EventRecorder[] = [];
  const enabled = o.descriptors.filter((d) => isControllerEnabled(d, controllers));
  // All at once: each controller's credentials (a service account and its token) and its init (the
  // garbage collector, quota and namespace controllers start with discovery) wait on the apiserver.
  const started = await Promise.all(
    enabled.map(async (d) => {
      const client = o.clientFor && !d.rootClient ? await o.clientFor(d) : o.client;
      const recorder = new EventRecorder({ client, component: d.eventSource, clock });
      recorders.push(recorder);
      const ctx: ControllerContext = {
        client,
        informers,
        recorder,
        clock,
        random: o.random ?? Math.random,
        workers: (d.concurrency && o.concurrency?.[d.concurrency.flag]) ?? d.concurrency?.default ?? 1,
        signal: o.signal,
        config: o.config ?? {},
        log: (m) => log(`${d.name}: ${m}`),
      };
      return { d, ctx, controller: await d.init(ctx) };
    }),
  );
  for (const { d, ctx, controller } of started) {
    initialized.set(d.name, controller);
    contexts.set(d.name, ctx);
  }
  informers.start();
  const synced = await informers.waitForCacheSync(o.signal);
  const notSynced = Object.entries(synced).filter(([, ok]) => !ok);
  if (notSynced.length > 0 && !o.signal.aborted) {
    throw new Error(`caches did not sync: ${notSynced.map(([k]) => k).join(", ")}`);
  }
  const runs = [...initialized].map(async ([name, c]) => {
    const ctx = contexts.get(name)!;
    try {
      if (c.run) await c.run();
      else await Promise.all(c.controllers.map((ctl) => ctl.run(ctx.workers, o.signal)));
    } catch (e) {
      log(`${name} stopped with an error: ${(e as Error).message}`);
    }
  });
  log(`started ${[...initialized.keys()].join(", ") || "no controllers"}`);
  const done = (async () => {
    await Promise.all(runs);
    await informers.shutdown();
    await Promise.all(recorders.map((r) => r.flush()));
  })();
  return { names: [...initialized.keys()], initialized, informers, done };
}
