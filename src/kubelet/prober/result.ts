// The outcome of one probe run (pkg/probe Result): success, warning (e.g. an
// HTTP redirect not followed), failure, or unknown when the probe could not run.
export type ProbeResult = "success" | "warning" | "failure" | "unknown";

export interface ProbeOutcome {
  result: ProbeResult;
  /** What the probe saw: a response body, command output, or the error as text. */
  output: string;
}

/** Bytes of probe output kept (pkg/probe maxReadLength / http maxRespBodyLength: 10 KiB). */
export const maxProbeOutput = 10 * 1024;

/** kube-probe/<major>.<minor>, the User-Agent of HTTP and gRPC probes. */
export const probeUserAgent = "kube-probe/1.32";
