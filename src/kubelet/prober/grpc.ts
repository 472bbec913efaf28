// grpc probes (pkg/probe/grpc): grpc.health.v1.Health/Check over plaintext to
// the pod IP; success only when the service answers SERVING. The two tiny
// messages are encoded by hand rather than loading a .proto.
import { Client, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { goDuration, joinHostPort } from "./port.ts";
import type { ProbeOutcome } from "./result.ts";
import { probeUserAgent } from "./result.ts";

const servingStatus = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

/** grpc-go's codes.Code String(). */
const codeNames: Record<number, string> = {
  0: "OK",
  1: "Canceled",
  2: "Unknown",
  3: "InvalidArgument",
  4: "DeadlineExceeded",
  5: "NotFound",
  6: "AlreadyExists",
  7: "PermissionDenied",
  8: "ResourceExhausted",
  9: "FailedPrecondition",
  10: "Aborted",
  11: "OutOfRange",
  12: "Unimplemented",
  13: "Internal",
  14: "Unavailable",
  15: "DataLoss",
  16: "Unauthenticated",
};

/** HealthCheckRequest { string service = 1; } (an empty service is an empty message). */
export function encodeHealthCheckRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const bytes = Buffer.from(service, "utf8");
  const len: number[] = [];
  let n = bytes.length;
  while (n > 0x7f) {
    len.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), bytes]);
}

/** HealthCheckResponse { ServingStatus status = 1; } — the status number (0 when absent). */
export function decodeHealthCheckResponse(buf: Buffer): number {
  let i = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    while (i < buf.length) {
      const b = buf[i++];
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    return v;
  };
  let result = 0;
  while (i < buf.length) {
    const tag = varint();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === 0) result = varint();
    else if (wire === 0) varint();
    else if (wire === 2) i += varint();
    else if (wire === 5) i += 4;
    else if (wire === 1) i += 8;
    else break;
  }
  return result;
}

export function grpcProbe(
  host: string,
  service: string,
  port: number,
  timeoutSeconds: number,
): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const timeout = goDuration(timeoutSeconds);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const client = new Client(addr, credentials.createInsecure(), {
    "grpc.primary_user_agent": probeUserAgent,
  });
  return new Promise<ProbeOutcome>((resolve) => {
    client.waitForReady(deadline, (err) => {
      if (err) {
        resolve({
          result: "failure",
          output: `timeout: failed to connect service ${JSON.stringify(addr)} within ${timeout}: context deadline exceeded`,
        });
        return;
      }
      client.makeUnaryRequest(
        "/grpc.health.v1.Health/Check",
        (s: string) => encodeHealthCheckRequest(s),
        (b: Buffer) => decodeHealthCheckResponse(b),
        service,
        new Metadata(),
        { deadline },
        (e: ServiceError | null, value?: number) => {
          if (e) {
            if (e.code === status.UNIMPLEMENTED) {
              resolve({
                result: "failure",
                output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${e.details}`,
              });
            } else if (e.code === status.DEADLINE_EXCEEDED) {
              resolve({
                result: "failure",
                output: `timeout: health rpc did not complete within ${timeout}`,
              });
            } else {
              resolve({
                result: "failure",
                output: `error: health rpc probe failed: rpc error: code = ${codeNames[e.code] ?? `Code(${e.code})`} desc = ${e.details}`,
              });
            }
            return;
          }
          const s = value ?? 0;
          if (s !== 1) {
            resolve({
              result: "failure",
              output: `service unhealthy (responded with "${servingStatus[s] ?? String(s)}")`,
            });
            return;
          }
          resolve({ result: "success", output: "service healthy" });
        },
      );
    });
  }).finally(() => client.close());
}
