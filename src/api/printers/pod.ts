// Pod printer: port of printPod (pkg/printers/internalversion/printers.go), including the STATUS reason
// computation kubectl users know (Init:0/1, CrashLoopBackOff, Completed, Terminating, SchedulingGated...).
import type { Container, ContainerStatus, Pod, PodCondition } from "kubernetes-types/core/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintedRow, type TablePrinter, type TableRowCondition } from "./table.ts";
import {
  isZeroTime,
  parseTime,
  translateTimeSince,
  translateTimestampSince,
  ZERO_TIME,
} from "./timestamp.ts";

const NODE_UNREACHABLE_POD_REASON = "NodeLost";
const POD_REASON_SCHEDULING_GATED = "SchedulingGated";

const podSuccessConditions: TableRowCondition[] = [
  { type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." },
];
const podFailedConditions: TableRowCondition[] = [
  { type: "Completed", status: "True", reason: "Failed", message: "The pod failed." },
];

function isRestartableInitContainer(container: Container | undefined): boolean {
  return container?.restartPolicy === "Always";
}

function hasPodReadyCondition(conditions: PodCondition[]): boolean {
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

function isPodInitializedConditionTrue(conditions: PodCondition[]): boolean {
  const initialized = conditions.find((c) => c.type === "Initialized");
  return initialized?.status === "True";
}

/** The finish time of the container's previous run, or the zero time. */
function lastTerminationFinishedAt(status: ContainerStatus): number | null {
  const terminated = status.lastState?.terminated;
  return terminated ? parseTime(terminated.finishedAt) : null;
}

function printPod(pod: Pod, ctx: { now: Date }): PrintedRow {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const conditions = status.conditions ?? [];
  const initContainerSpecs = spec?.initContainers ?? [];
  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = spec?.containers?.length ?? 0;
  let readyContainers = 0;
  let lastRestartDate = ZERO_TIME;
  let lastRestartableInitContainerRestartDate = ZERO_TIME;

  const podPhase = status.phase ?? "";
  let reason = podPhase;
  if (status.reason) reason = status.reason;

  // A PodScheduled condition with reason SchedulingGated overrides the phase.
  for (const condition of conditions) {
    if (condition.type === "PodScheduled" && condition.reason === POD_REASON_SCHEDULING_GATED) {
      reason = POD_REASON_SCHEDULING_GATED;
    }
  }

  let rowConditions: TableRowCondition[] | undefined;
  if (podPhase === "Succeeded") rowConditions = podSuccessConditions;
  else if (podPhase === "Failed") rowConditions = podFailedConditions;

  const initContainers = new Map<string, Container>();
  for (const c of initContainerSpecs) {
    initContainers.set(c.name, c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i];
    const restartable = isRestartableInitContainer(initContainers.get(container.name));
    restarts += container.restartCount ?? 0;
    const finishedAt = lastTerminationFinishedAt(container);
    if (finishedAt !== null && lastRestartDate < finishedAt) lastRestartDate = finishedAt;
    if (restartable) {
      restartableInitContainerRestarts += container.restartCount ?? 0;
      if (finishedAt !== null && lastRestartableInitContainerRestartDate < finishedAt) {
        lastRestartableInitContainerRestartDate = finishedAt;
      }
    }
    const terminated = container.state?.terminated;
    const waiting = container.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable && container.started === true) {
      if (container.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      // Initialization failed.
      if (!terminated.reason) {
        reason = terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainerSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || isPodInitializedConditionTrue(conditions)) {
    restarts = restartableInitContainerRestarts;
    lastRestartDate = lastRestartableInitContainerRestartDate;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i];
      restarts += container.restartCount ?? 0;
      const finishedAt = lastTerminationFinishedAt(container);
      if (finishedAt !== null && lastRestartDate < finishedAt) lastRestartDate = finishedAt;
      const waiting = container.state?.waiting;
      const terminated = container.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (terminated?.reason) {
        reason = terminated.reason;
      } else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (container.ready && container.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose last container completed is still Running while another container runs.
    if (reason === "Completed" && hasRunning) {
      reason = hasPodReadyCondition(conditions) ? "Running" : "NotReady";
    }
  }

  const deleting = Boolean(pod.metadata?.deletionTimestamp);
  if (deleting && status.reason === NODE_UNREACHABLE_POD_REASON) {
    reason = "Unknown";
  } else if (deleting && podPhase !== "Succeeded" && podPhase !== "Failed") {
    reason = "Terminating";
  }

  let restartsStr = String(restarts);
  if (restarts !== 0 && !isZeroTime(lastRestartDate)) {
    restartsStr = `${restarts} (${translateTimeSince(lastRestartDate, ctx.now)} ago)`;
  }

  // The internal PodIPs: v1 podIP is authoritative, podIPs[0] otherwise.
  const podIP = status.podIP || status.podIPs?.[0]?.ip || "<none>";
  const nodeName = spec?.nodeName || "<none>";
  const nominatedNodeName = status.nominatedNodeName || "<none>";
  let readinessGates = "<none>";
  const gates = spec?.readinessGates ?? [];
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const condition = conditions.find((c) => c.type === gate.conditionType);
      if (condition?.status === "True") trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  const row: PrintedRow = {
    cells: [
      pod.metadata?.name ?? "",
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsStr,
      translateTimestampSince(pod.metadata?.creationTimestamp, ctx.now),
      podIP,
      nodeName,
      nominatedNodeName,
      readinessGates,
    ],
  };
  if (rowConditions) row.conditions = rowConditions;
  return row;
}

export const podPrinter: TablePrinter<Pod> = {
  columns: [
    nameColumn(),
    column("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    column("Status", "string", "The aggregate status of the containers in this pod."),
    column(
      "Restarts",
      "string",
      "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    ),
    ageColumn(),
    column("IP", "string", swaggerDoc["apiv1.PodStatus"].podIP, { priority: 1 }),
    column("Node", "string", swaggerDoc["apiv1.PodSpec"].nodeName, { priority: 1 }),
    column("Nominated Node", "string", swaggerDoc["apiv1.PodStatus"].nominatedNodeName, { priority: 1 }),
    column("Readiness Gates", "string", swaggerDoc["apiv1.PodSpec"].readinessGates, { priority: 1 }),
  ],
  print: printPod,
};
