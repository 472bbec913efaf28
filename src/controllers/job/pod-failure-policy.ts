// upstream's pod_failure_policy.go: a failed pod is matched against the Job's
// podFailurePolicy rules in order; the first rule that matches decides
// whether the Job fails at once (FailJob), the index fails (FailIndex), the
// failure is not counted against backoffLimit (Ignore), or counted (Count).
import type {
  PodFailurePolicy,
  PodFailurePolicyOnExitCodesRequirement,
} from "kubernetes-types/batch/v1.d.ts";
import type { ContainerStatus, Pod, PodCondition, PodStatus } from "kubernetes-types/core/v1.d.ts";

export type PodFailurePolicyAction = "FailJob" | "FailIndex" | "Ignore" | "Count";

export interface PodFailurePolicyMatch {
  /** Set when a FailJob rule matched: the message of the Job's failure condition. */
  failJobMessage?: string;
  /** Whether the failure counts towards backoffLimit (and backoffLimitPerIndex). */
  countFailed: boolean;
  /** The action of the matching rule, if any. */
  action?: PodFailurePolicyAction;
}

export function matchPodFailurePolicy(
  policy: PodFailurePolicy | undefined | null,
  failedPod: Pod,
): PodFailurePolicyMatch {
  if (!policy) return { countFailed: true };
  const status = failedPod.status ?? {};
  const ns = failedPod.metadata?.namespace;
  const name = failedPod.metadata?.name;
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    if (rule.onExitCodes) {
      const cs = matchOnExitCodes(status, rule.onExitCodes);
      if (!cs) continue;
      switch (rule.action) {
        case "Ignore":
          return { countFailed: false, action: "Ignore" };
        case "FailIndex":
          return { countFailed: true, action: "FailIndex" };
        case "Count":
          return { countFailed: true, action: "Count" };
        case "FailJob":
          return {
            failJobMessage: `Container ${cs.name} for pod ${ns}/${name} failed with exit code ${cs.state?.terminated?.exitCode} matching ${rule.action} rule at index ${index}`,
            countFailed: true,
            action: "FailJob",
          };
      }
    } else if (rule.onPodConditions) {
      const cond = matchOnPodConditions(status, rule.onPodConditions);
      if (!cond) continue;
      switch (rule.action) {
        case "Ignore":
          return { countFailed: false, action: "Ignore" };
        case "FailIndex":
          return { countFailed: true, action: "FailIndex" };
        case "Count":
          return { countFailed: true, action: "Count" };
        case "FailJob":
          return {
            failJobMessage: `Pod ${ns}/${name} has condition ${cond.type} matching ${rule.action} rule at index ${index}`,
            countFailed: true,
            action: "FailJob",
          };
      }
    }
  }
  return { countFailed: true };
}

/** A terminated container (regular first, then init) whose non-zero exit code matches. */
function matchOnExitCodes(
  status: PodStatus,
  req: PodFailurePolicyOnExitCodesRequirement,
): ContainerStatus | undefined {
  return (
    matchingContainer(status.containerStatuses ?? [], req) ??
    matchingContainer(status.initContainerStatuses ?? [], req)
  );
}

function matchingContainer(
  statuses: readonly ContainerStatus[],
  req: PodFailurePolicyOnExitCodesRequirement,
): ContainerStatus | undefined {
  for (const cs of statuses) {
    const terminated = cs.state?.terminated;
    // Still terminating: no exit code to match yet.
    if (!terminated) continue;
    if (req.containerName != null && req.containerName !== cs.name) continue;
    if (terminated.exitCode !== 0 && exitCodeMatches(terminated.exitCode, req)) return cs;
  }
  return undefined;
}

function exitCodeMatches(code: number, req: PodFailurePolicyOnExitCodesRequirement): boolean {
  switch (req.operator) {
    case "In":
      return req.values.includes(code);
    case "NotIn":
      return !req.values.includes(code);
    default:
      return false;
  }
}

function matchOnPodConditions(
  status: PodStatus,
  patterns: readonly { type: string; status?: string }[],
): PodCondition | undefined {
  for (const c of status.conditions ?? []) {
    for (const p of patterns) if (c.type === p.type && c.status === p.status) return c;
  }
  return undefined;
}
