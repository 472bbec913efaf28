// The pods the API binds to this node (upstream's pkg/kubelet/config/apiserver.go,
// v1.32): one list+watch of pods in all namespaces with the field selector
// spec.nodeName=<node>. Upstream feeds an UndeltaStore that sends the whole set
// on every change; here a (re)list is a SET and each watch event is an ADD,
// UPDATE or DELETE (the pod is gone from the API), which PodConfig merges the
// same way. The reflector writes straight into this source, with no informer
// cache: PodConfig already keeps the pods, and hollow nodes must stay small.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import { type ListerWatcher, listerWatcher, Reflector, type ReflectorState } from "../../client/reflector.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { PodUpdate } from "../types.ts";

export interface ApiPodSourceOptions {
  client: RestClient;
  nodeName: string;
  onUpdate(update: PodUpdate): void;
  clock?: Clock;
  random?: () => number;
  /** Replaces the list+watch of the client (tests). */
  listerWatcher?: ListerWatcher<Pod>;
  onStateChange?(state: ReflectorState): void;
}

/** The field selector of the pods bound to a node. */
export function nodePodsFieldSelector(nodeName: string): string {
  return `spec.nodeName=${nodeName}`;
}

export class ApiPodSource {
  private readonly reflector: Reflector<Pod>;
  private abort?: AbortController;
  private running?: Promise<void>;
  private synced = false;

  constructor(private readonly opts: ApiPodSourceOptions) {
    const lw =
      opts.listerWatcher ??
      listerWatcher<Pod>(opts.client, Resources.pods, {
        fieldSelector: nodePodsFieldSelector(opts.nodeName),
      });
    this.reflector = new Reflector<Pod>({
      name: `pods@${opts.nodeName}`,
      listerWatcher: lw,
      clock: opts.clock,
      random: opts.random,
      onStateChange: opts.onStateChange,
      // Upstream's reflector for this source never resyncs.
      resyncPeriodMs: 0,
      store: {
        replace: (items) => {
          this.synced = true;
          this.send({ op: "SET", source: "api", pods: items });
        },
        add: (pod) => this.send({ op: "ADD", source: "api", pod }),
        update: (pod) => this.send({ op: "UPDATE", source: "api", pod }),
        delete: (pod) => this.send({ op: "DELETE", source: "api", pod }),
      },
    });
  }

  /** Starts the list+watch (upstream starts it once the node is registered). */
  start(): void {
    if (this.abort) return;
    this.abort = new AbortController();
    this.running = this.reflector.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
    this.abort = undefined;
    this.running = undefined;
  }

  /** True once the first list was sent. */
  hasSynced(): boolean {
    return this.synced;
  }

  get state(): ReflectorState {
    return this.reflector.state;
  }

  private send(update: PodUpdate): void {
    if (this.abort?.signal.aborted) return;
    this.opts.onUpdate(update);
  }
}
