// The kubelet's streaming URLs (upstream pkg/kubelet/server/server.go) and
// remotecommand's options (kubelet/pkg/cri/streaming/remotecommand NewOptions).
export type StreamingKind = "exec" | "attach" | "portForward" | "run";

export interface StreamingTarget {
  kind: StreamingKind;
  namespace: string;
  pod: string;
  /** The optional {uid} segment: the pod must have it. */
  uid?: string;
  /** Empty for portForward. */
  container: string;
}

/**
 * /exec|attach|run/{ns}/{pod}[/{uid}]/{container}, /portForward/{ns}/{pod}[/{uid}];
 * undefined for any other path.
 */
export function parseStreamingPath(pathname: string): StreamingTarget | undefined {
  const parts = pathname.split("/").slice(1).map(decodeURIComponent);
  const [kind, namespace, pod, ...rest] = parts;
  if (!namespace || !pod || rest.some((p) => p === "")) return undefined;
  switch (kind) {
    case "exec":
    case "attach":
    case "run":
      if (rest.length === 1) return { kind, namespace, pod, container: rest[0] as string };
      if (rest.length === 2) return { kind, namespace, pod, uid: rest[0], container: rest[1] as string };
      return undefined;
    case "portForward":
      if (rest.length === 0) return { kind, namespace, pod, container: "" };
      if (rest.length === 1) return { kind, namespace, pod, uid: rest[0], container: "" };
      return undefined;
    default:
      return undefined;
  }
}

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

// Upstream reads "1" (what the apiserver writes); a proxy that passes kubectl's query through sends "true".
const flag = (q: URLSearchParams, name: string) => q.get(name) === "1" || q.get(name) === "true";

/** The kubelet's query names (k8s.io/api/core/v1 ExecStdinParam…): the apiserver renames stdin, stdout, stderr. */
export const STREAM_PARAMS = { stdin: "input", stdout: "output", stderr: "error", tty: "tty" } as const;

/** remotecommand.NewOptions: tty drops stderr (one stream carries both); at least one stream is needed. */
export function remoteCommandOptions(q: URLSearchParams): RemoteCommandOptions {
  const tty = flag(q, STREAM_PARAMS.tty);
  const stdin = flag(q, STREAM_PARAMS.stdin);
  const stdout = flag(q, STREAM_PARAMS.stdout);
  // Upstream: "Access to exec with tty and stderr is not supported, bypassing stderr".
  const stderr = flag(q, STREAM_PARAMS.stderr) && !tty;
  if (!stdin && !stdout && !stderr) throw new Error("you must specify at least 1 of stdin, stdout, stderr");
  return { stdin, stdout, stderr, tty };
}

/** The command of /exec (repeated "command" params). */
export function execCommand(q: URLSearchParams): string[] {
  return q.getAll("command");
}

/** The command of /run: "For legacy reasons, run uses different query param than exec", split on " ". */
export function runCommand(q: URLSearchParams): string[] {
  return (q.get("cmd") ?? "").split(" ");
}
