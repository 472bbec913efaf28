// The result of a plugin call, as kube-scheduler's framework.Status. Success is
// `null` (upstream's nil *Status), so the hot path allocates nothing.

export const Code = {
  Error: "Error",
  /** The pod does not fit, but preemption might help. */
  Unschedulable: "Unschedulable",
  /** The pod does not fit and preempting pods on this node would not help. */
  UnschedulableAndUnresolvable: "UnschedulableAndUnresolvable",
  /** Permit: hold the pod until allowed or timed out. */
  Wait: "Wait",
  /** PreFilter/PreScore/Bind: this plugin has nothing to do for this pod. */
  Skip: "Skip",
  /** The pod waits for something outside the scheduler (e.g. a volume); retried on a matching event. */
  Pending: "Pending",
} as const;
export type Code = (typeof Code)[keyof typeof Code];

export class Status {
  /** Set by the framework to the plugin that returned it. */
  plugin = "";
  constructor(
    readonly code: Code,
    readonly reasons: readonly string[] = [],
    readonly err?: Error,
  ) {}

  message(): string {
    return this.reasons.join(", ");
  }

  isRejected(): boolean {
    return (
      this.code === Code.Unschedulable ||
      this.code === Code.UnschedulableAndUnresolvable ||
      this.code === Code.Pending
    );
  }

  withPlugin(plugin: string): this {
    this.plugin = plugin;
    return this;
  }
}

/** Success, or a status. */
export type Result = Status | null;

export const unschedulable = (...reasons: string[]) => new Status(Code.Unschedulable, reasons);
export const unresolvable = (...reasons: string[]) => new Status(Code.UnschedulableAndUnresolvable, reasons);
export const skip = () => new Status(Code.Skip);
export const asStatus = (err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  return new Status(Code.Error, [e.message], e);
};
