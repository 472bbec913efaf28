// What the kubelet last learned about its container runtime (upstream's
// pkg/kubelet/runtime.go runtimeState, fed by Kubelet.updateRuntimeUp). Its
// errors become the Ready condition's message, so the texts are upstream's.
import type { Clock } from "../../client/clock.ts";
import type { RuntimeService, RuntimeStatus } from "../runtime/interface.ts";

/** The kubelet's maxWaitForContainerRuntime: a runtime not heard from for this long is down. */
export const MAX_WAIT_FOR_CONTAINER_RUNTIME_MS = 30_000;

/** ErrNetworkUnknown: the network state before the first runtime status. */
export const ERR_NETWORK_UNKNOWN = "network state unknown";

type RuntimeCondition = RuntimeStatus["conditions"][number];

/** kubecontainer.RuntimeCondition.String(), "<nil>" for a missing condition as %v prints it. */
export function runtimeConditionString(c: RuntimeCondition | undefined): string {
  if (!c) return "<nil>";
  return `${c.type}=${c.status} reason:${c.reason} message:${c.message}`;
}

/**
 * utilerrors.NewAggregate(errs).Error(): nested aggregates flattened, repeats
 * dropped, "[a, b]" for more than one message; undefined when there is none.
 */
export function aggregateMessage(
  errs: ReadonlyArray<string | readonly string[] | undefined>,
): string | undefined {
  const seen: string[] = [];
  for (const e of errs.flat()) {
    if (e !== undefined && !seen.includes(e)) seen.push(e);
  }
  if (seen.length === 0) return undefined;
  return seen.length === 1 ? seen[0] : `[${seen.join(", ")}]`;
}

export class RuntimeState {
  /** 0: never synced. */
  private lastBaseRuntimeSync = 0;
  private networkError: string | undefined = ERR_NETWORK_UNKNOWN;
  private runtimeError: string | undefined;
  private storageError: string | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly baseRuntimeSyncThresholdMs = MAX_WAIT_FOR_CONTAINER_RUNTIME_MS,
  ) {}

  get synced(): boolean {
    return this.lastBaseRuntimeSync !== 0;
  }

  setRuntimeSync(t: number): void {
    this.lastBaseRuntimeSync = t;
  }

  setNetworkState(err: string | undefined): void {
    this.networkError = err;
  }

  setRuntimeState(err: string | undefined): void {
    this.runtimeError = err;
  }

  setStorageState(err: string | undefined): void {
    this.storageError = err;
  }

  runtimeErrors(): string[] {
    const errs: string[] = [];
    if (this.lastBaseRuntimeSync === 0) {
      errs.push("container runtime status check may not have completed yet");
    } else if (this.lastBaseRuntimeSync + this.baseRuntimeSyncThresholdMs <= this.clock.now()) {
      errs.push("container runtime is down");
    }
    if (this.runtimeError !== undefined) errs.push(this.runtimeError);
    return errs;
  }

  networkErrors(): string[] {
    return this.networkError === undefined ? [] : [this.networkError];
  }

  storageErrors(): string[] {
    return this.storageError === undefined ? [] : [this.storageError];
  }

  /**
   * Kubelet.updateRuntimeUp: asks the runtime for its status and records its
   * RuntimeReady and NetworkReady conditions. A runtime that does not answer
   * leaves the state as it was, so it turns "down" once the threshold passes.
   */
  async update(runtime: Pick<RuntimeService, "status">): Promise<void> {
    let s: RuntimeStatus;
    try {
      s = await runtime.status();
    } catch {
      return;
    }
    const networkReady = s.conditions.find((c) => c.type === "NetworkReady");
    if (!networkReady?.status) {
      this.setNetworkState(`container runtime network not ready: ${runtimeConditionString(networkReady)}`);
    } else {
      this.setNetworkState(undefined);
    }
    const runtimeReady = s.conditions.find((c) => c.type === "RuntimeReady");
    if (!runtimeReady?.status) {
      this.setRuntimeState(`container runtime not ready: ${runtimeConditionString(runtimeReady)}`);
      return;
    }
    this.setRuntimeState(undefined);
    this.setRuntimeSync(this.clock.now());
  }
}
