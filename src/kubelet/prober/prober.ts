// Runs one probe of a container and records what upstream's prober records
// (pkg/kubelet/prober/prober.go): exec, httpGet, tcpSocket or grpc; errors are
// retried up to three times, then reported and the run thrown away.
import type { Container, Pod, PodStatus, Probe } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import type { RuntimeService } from "../runtime/interface.ts";
import { execProbe, expandCommand } from "./exec.ts";
import { grpcProbe } from "./grpc.ts";
import { httpProbe, newRequestForHTTPGetAction } from "./http.ts";
import { resolveContainerPort } from "./port.ts";
import type { ProbeOutcome } from "./result.ts";
import { tcpProbe } from "./tcp.ts";

export type ProbeType = "readiness" | "liveness" | "startup";

/** probeType.String(), as events say it. */
export const probeTypeName: Record<ProbeType, string> = {
  readiness: "Readiness",
  liveness: "Liveness",
  startup: "Startup",
};

const maxProbeRetries = 3;

export interface ProberOptions {
  runtime: Pick<RuntimeService, "execSync">;
  clock: Clock;
  event(pod: Pod, type: "Normal" | "Warning", reason: string, message: string): void;
  /** Probes of the fake runtime: every probe succeeds without running. */
  fake?: boolean;
}

/** format.Pod: name_namespace(uid). */
function formatPod(pod: Pod): string {
  return `${pod.metadata?.name ?? ""}_${pod.metadata?.namespace ?? ""}(${pod.metadata?.uid ?? ""})`;
}

export function probeSpecOf(container: Container, type: ProbeType): Probe | undefined {
  return type === "readiness"
    ? container.readinessProbe
    : type === "liveness"
      ? container.livenessProbe
      : container.startupProbe;
}

export class Prober {
  constructor(private readonly opts: ProberOptions) {}

  /**
   * One probe run: "success" or "failure", or undefined when the probe could not
   * run (an error, already reported as an event), which the worker ignores.
   */
  async probe(
    type: ProbeType,
    pod: Pod,
    status: PodStatus,
    container: Container,
    containerId: string,
  ): Promise<"success" | "failure" | undefined> {
    const spec = probeSpecOf(container, type);
    if (!spec || this.opts.fake) return "success";
    let outcome: ProbeOutcome | undefined;
    let error: unknown;
    for (let i = 0; i < maxProbeRetries; i++) {
      try {
        outcome = await this.runProbe(spec, pod, status, container, containerId);
        error = undefined;
        break;
      } catch (e) {
        error = e;
      }
    }
    const name = probeTypeName[type];
    if (error !== undefined || !outcome) {
      const msg = error instanceof Error ? error.message : String(error);
      this.opts.event(
        pod,
        "Warning",
        "Unhealthy",
        `${name} probe errored and resulted in unknown state: ${msg}`,
      );
      return undefined;
    }
    switch (outcome.result) {
      case "success":
        return "success";
      case "warning":
        this.opts.event(pod, "Warning", "ProbeWarning", `${name} probe warning: ${outcome.output}`);
        return "success";
      case "failure":
        this.opts.event(pod, "Warning", "Unhealthy", `${name} probe failed: ${outcome.output}`);
        return "failure";
      default:
        return "failure";
    }
  }

  /** Throws when the probe cannot run (upstream's probe.Unknown with an error). */
  private runProbe(
    p: Probe,
    pod: Pod,
    status: PodStatus,
    container: Container,
    containerId: string,
  ): Promise<ProbeOutcome> {
    const timeoutSeconds = p.timeoutSeconds || 1;
    const podIP = status.podIP ?? "";
    if (p.exec) {
      const id = containerId.replace(/^[^:]*:\/\//, "");
      return execProbe(
        this.opts.runtime,
        id,
        expandCommand(p.exec.command ?? [], container.env),
        timeoutSeconds,
      );
    }
    if (p.httpGet) {
      const req = newRequestForHTTPGetAction(p.httpGet, container, podIP);
      return httpProbe(req, timeoutSeconds * 1000, this.opts.clock);
    }
    if (p.tcpSocket) {
      const port = resolveContainerPort(p.tcpSocket.port, container);
      return tcpProbe(p.tcpSocket.host || podIP, port, timeoutSeconds * 1000, this.opts.clock);
    }
    if (p.grpc) return grpcProbe(podIP, p.grpc.service ?? "", p.grpc.port, timeoutSeconds);
    return Promise.reject(new Error(`missing probe handler for ${formatPod(pod)}:${container.name}`));
  }
}
