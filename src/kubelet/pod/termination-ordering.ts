// The order containers stop in when a pod with sidecars terminates (upstream's
// kuberuntime_termination_order.go, v1.32): regular containers stop at once;
// each sidecar waits for every regular container and for the sidecars declared
// after it, but no longer than its grace period.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import { isRestartableInitContainer } from "./helpers.ts";

interface Signal {
  promise: Promise<void>;
  resolve: () => void;
}

function signal(done: boolean): Signal {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  if (done) resolve();
  return { promise, resolve };
}

export class TerminationOrdering {
  private readonly terminated = new Map<string, Signal>();
  private readonly prereqs = new Map<string, Promise<void>[]>();

  constructor(
    pod: Pod,
    runningContainerNames: readonly string[],
    private readonly clock: Clock,
  ) {
    const running = new Set(runningContainerNames);
    const main: Promise<void>[] = [];
    for (const c of pod.spec?.containers ?? []) {
      // Containers that are not running count as already terminated.
      const s = signal(!running.has(c.name));
      this.terminated.set(c.name, s);
      main.push(s.promise);
    }
    let laterSidecar: string | undefined;
    const inits = pod.spec?.initContainers ?? [];
    for (let i = inits.length - 1; i >= 0; i--) {
      const ic = inits[i];
      this.terminated.set(ic.name, signal(!running.has(ic.name)));
      if (!isRestartableInitContainer(ic)) continue;
      const waits = [...main];
      if (laterSidecar !== undefined) waits.push(this.terminated.get(laterSidecar)!.promise);
      this.prereqs.set(ic.name, waits);
      laterSidecar = ic.name;
    }
  }

  /** Waits until the containers this one must outlive have stopped, or the grace period passed; returns the seconds waited. */
  async waitForTurn(name: string, gracePeriodSeconds: number): Promise<number> {
    const waits = this.prereqs.get(name);
    if (!waits || waits.length === 0) return 0;
    const start = this.clock.now();
    const abort = new AbortController();
    await Promise.race([
      Promise.all(waits).then(() => abort.abort()),
      sleep(this.clock, gracePeriodSeconds * 1000, abort.signal),
    ]);
    abort.abort();
    return Math.floor((this.clock.now() - start) / 1000);
  }

  containerTerminated(name: string): void {
    this.terminated.get(name)?.resolve();
  }
}
