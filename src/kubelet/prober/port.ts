// The port a probe targets (pkg/probe ResolveContainerPort): a number, or the
// name of one of the container's ports, or a number written as a string.
import type { Container } from "kubernetes-types/core/v1.d.ts";

/** Returns the port, or throws with upstream's error text. */
export function resolveContainerPort(param: number | string | undefined, container: Container): number {
  let port: number;
  if (typeof param === "number") port = param;
  else if (typeof param === "string") {
    const named = container.ports?.find((p) => p.name === param);
    if (named) port = named.containerPort;
    else if (/^[+-]?\d+$/.test(param)) port = Number.parseInt(param, 10);
    // strconv.Atoi's error, as upstream's last-ditch attempt reports it.
    else throw new Error(`strconv.Atoi: parsing ${JSON.stringify(param)}: invalid syntax`);
  } else {
    throw new Error(`intOrString had no kind: ${String(param)}`);
  }
  if (port > 0 && port < 65536) return port;
  throw new Error(`invalid port number: ${port}`);
}

/** net.JoinHostPort: brackets around an IPv6 host. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's time.Duration String() for whole seconds: "1s", "1m30s", "1h0m0s". */
export function goDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}
