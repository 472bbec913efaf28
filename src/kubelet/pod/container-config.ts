// The CRI ContainerConfig of one container attempt (upstream's
// generateContainerConfig and generateLinuxContainerConfig, v1.32): command
// and args expanded from the environment, labels and annotations that carry
// the restart count, the cgroup settings from requests and limits, and the
// namespaces: a PID namespace of its own unless the pod shares one.
// The volume mounts come from the volume manager (makeMounts).
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import { getPodQOS } from "../../api/defaults/qos.ts";
import { Quantity } from "../../machinery/quantity.ts";
import { milliCPUToQuota, milliCPUToShares, QUOTA_PERIOD } from "../cm/helpers.ts";
import type { ContainerConfig, KeyValue, Mount } from "../runtime/interface.ts";
import { expandContainerCommandAndArgs } from "./env.ts";
import { newContainerAnnotations, newContainerLabels } from "./labels.ts";
import { buildContainerLogsPath, namespacesForPod } from "./sandbox-config.ts";
import { generateLinuxContainerSecurityContext, type ImageUser } from "./security-context.ts";

const GUARANTEED_OOM_SCORE_ADJ = -997;
const BEST_EFFORT_OOM_SCORE_ADJ = 1000;

function milli(q: string | number | undefined): number {
  if (q === undefined) return 0;
  return Number(Quantity.parse(String(q)).milliValue());
}

function value(q: string | number | undefined): number {
  if (q === undefined) return 0;
  return Number(Quantity.parse(String(q)).value());
}

/** qos.GetContainerOOMScoreAdjust: Guaranteed pods last, BestEffort first, Burstable by memory request. */
export function containerOOMScoreAdjust(pod: Pod, c: Container, memoryCapacity: number): number {
  const qos = getPodQOS(pod);
  if (qos === "Guaranteed") return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === "BestEffort") return BEST_EFFORT_OOM_SCORE_ADJ;
  if (memoryCapacity <= 0) return BEST_EFFORT_OOM_SCORE_ADJ - 1;
  const request = value(c.resources?.requests?.memory);
  const adj = 1000 - Math.floor((1000 * request) / memoryCapacity);
  // Keep burstable pods above any guaranteed one, and below best-effort ones.
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj === BEST_EFFORT_OOM_SCORE_ADJ) return adj - 1;
  return adj;
}

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  restartCount: number;
  /** The resolved environment (makeEnvironmentVariables). */
  envs: KeyValue[];
  /** The node's memory capacity in bytes, for the OOM score; 0 when unknown. */
  memoryCapacity: number;
  /** The container's CRI mounts (VolumeManager.makeMounts); none when absent. */
  mounts?: Mount[];
  /** The image's user (ImageStatus), for runAsUser when the pod sets none. */
  imageUser?: ImageUser;
  /** An ephemeral container's target: the container whose processes it joins (getTargetID). */
  targetId?: string;
}

export function generateContainerConfig(input: ContainerConfigInput): ContainerConfig {
  const { pod, container: c, restartCount, envs } = input;
  const { command, args } = expandContainerCommandAndArgs(c, envs);
  const requests = c.resources?.requests ?? {};
  const limits = c.resources?.limits ?? {};
  const cpuRequest = milli(requests.cpu);
  const cpuLimit = milli(limits.cpu);
  // A limit without a request means the request is the limit, as the apiserver defaults it.
  const cpuShares = milliCPUToShares(cpuRequest === 0 && cpuLimit !== 0 ? cpuLimit : cpuRequest);
  const resources: NonNullable<NonNullable<ContainerConfig["linux"]>["resources"]> = {
    cpuShares,
    oomScoreAdj: containerOOMScoreAdjust(pod, c, input.memoryCapacity),
  };
  if (cpuLimit !== 0) {
    resources.cpuPeriod = QUOTA_PERIOD;
    resources.cpuQuota = milliCPUToQuota(cpuLimit, QUOTA_PERIOD);
  }
  const memoryLimit = value(limits.memory);
  if (memoryLimit !== 0) resources.memoryLimitInBytes = memoryLimit;

  const securityContext = {
    ...generateLinuxContainerSecurityContext(pod, c, input.imageUser),
    namespaceOptions: namespacesForPod(pod),
  };
  // A debug container sees its target's processes, unless the pod shares one PID namespace anyway.
  if (input.targetId && securityContext.namespaceOptions.pid === "CONTAINER") {
    securityContext.namespaceOptions.pid = "TARGET";
    securityContext.namespaceOptions.targetId = input.targetId;
  }

  return {
    metadata: { name: c.name, attempt: restartCount },
    // The image as the user wrote it: the runtime resolves it again and reports imageRef.
    image: { image: c.image ?? "" },
    command,
    args,
    workingDir: c.workingDir ?? "",
    envs,
    mounts: input.mounts ?? [],
    labels: newContainerLabels(c, pod),
    annotations: newContainerAnnotations(c, pod, restartCount),
    logPath: buildContainerLogsPath(c.name, restartCount),
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: { resources, securityContext },
  };
}
