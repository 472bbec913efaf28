// The kubelet's streaming endpoints: resolve {ns}/{pod}/{container} to what
// the runtime runs, ask it (CRI Exec/Attach/PortForward) for a streaming URL,
// and serve the client's upgrade against it. Errors before the upgrade are
// answered as upstream's kubelet answers them (getExec, getAttach,
// getPortForward, getRun in pkg/kubelet/server/server.go).

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { RequestTarget } from "../../machinery/request-target.ts";
import { acceptWebSocket, isWebSocketUpgrade, writeHttpError } from "../../machinery/websocket.ts";
import { LABELS, type RuntimeService } from "../runtime/interface.ts";
import {
  execCommand,
  type RemoteCommandOptions,
  remoteCommandOptions,
  runCommand,
  type StreamingTarget,
} from "./options.ts";
import { REMOTE_COMMAND_PROTOCOLS, translateRemoteCommand } from "./remotecommand.ts";
import { proxySpdyUpgrade, tunnelOverWebSocket } from "./tunnel.ts";

export interface StreamingDeps {
  runtime: Pick<RuntimeService, "listContainers" | "getExec" | "getAttach" | "getPortForward"> &
    Partial<Pick<RuntimeService, "listPodSandbox" | "execSync">>;
  getPodByName(namespace: string, name: string): Pod | undefined;
}

/** An answer before any upgrade: the status code and the plain-text body. */
export class StreamingError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** gRPC's status name as Go prints it ("NOT_FOUND" → "NotFound"). */
function goCodeName(name: string): string {
  return name
    .toLowerCase()
    .split("_")
    .map((w) => (w[0] ?? "").toUpperCase() + w.slice(1))
    .join("");
}

/** streaming.WriteError: NotFound → 404, ResourceExhausted → 429, else 500, body err.Error(). */
function runtimeError(e: unknown): StreamingError {
  const err = e as Error & { code?: unknown; codeName?: string };
  const status = err.code === 5 ? 404 : err.code === 8 ? 429 : 500;
  const text = err.codeName
    ? `rpc error: code = ${goCodeName(err.codeName)} desc = ${err.message}`
    : err.message;
  return new StreamingError(status, text);
}

function findPod(deps: StreamingDeps, t: StreamingTarget): Pod {
  const pod = deps.getPodByName(t.namespace, t.pod);
  if (!pod) throw new StreamingError(404, "pod does not exist");
  if (t.uid && pod.metadata?.uid !== t.uid) throw new StreamingError(404, "pod not found");
  return pod;
}

/** The running container of the pod's spec (findContainer); its absence is upstream's 500. */
async function findRunningContainer(deps: StreamingDeps, pod: Pod, name: string): Promise<string> {
  const running = await deps.runtime.listContainers({
    state: "CONTAINER_RUNNING",
    labelSelector: { [LABELS.podUid]: pod.metadata?.uid ?? "", [LABELS.containerName]: name },
  });
  const newest = running.sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!newest) throw new StreamingError(500, `container not found (${JSON.stringify(name)})`);
  return newest.id;
}

const NOT_SUPPORTED = "streaming is not supported by the container runtime";

export interface ResolvedStream {
  url: string;
  /** exec/attach: the streams the session carries. */
  opts?: RemoteCommandOptions;
}

/** The runtime's streaming URL for an exec, attach or portForward target. */
export async function resolveStream(
  deps: StreamingDeps,
  t: StreamingTarget,
  query: URLSearchParams,
): Promise<ResolvedStream> {
  switch (t.kind) {
    case "exec":
    case "attach": {
      let opts: RemoteCommandOptions;
      try {
        opts = remoteCommandOptions(query);
      } catch (e) {
        throw new StreamingError(400, (e as Error).message);
      }
      const pod = findPod(deps, t);
      if (t.kind === "attach") {
        // "The TTY setting for attach must match the TTY setting in the initial container configuration".
        const spec = [
          ...(pod.spec?.containers ?? []),
          ...(pod.spec?.initContainers ?? []),
          ...(pod.spec?.ephemeralContainers ?? []),
        ].find((c) => c.name === t.container);
        const tty = spec?.tty ?? false;
        opts = { ...opts, tty, stderr: opts.stderr && !tty };
      }
      const containerId = await findRunningContainer(deps, pod, t.container);
      const { getExec, getAttach } = deps.runtime;
      if (!getExec || !getAttach) throw new StreamingError(500, NOT_SUPPORTED);
      try {
        const url =
          t.kind === "exec"
            ? await getExec.call(deps.runtime, { containerId, cmd: execCommand(query), ...opts })
            : await getAttach.call(deps.runtime, { containerId, ...opts });
        return { url, opts };
      } catch (e) {
        throw runtimeError(e);
      }
    }
    case "portForward": {
      const pod = findPod(deps, t);
      if (!deps.runtime.listPodSandbox) throw new StreamingError(500, NOT_SUPPORTED);
      const sandboxes = await deps.runtime.listPodSandbox({
        state: "SANDBOX_READY",
        labelSelector: { [LABELS.podUid]: pod.metadata?.uid ?? "" },
      });
      const sandbox = sandboxes.sort((a, b) => b.createdAt - a.createdAt)[0];
      if (!sandbox)
        throw new StreamingError(500, `pod not found (${JSON.stringify(`${t.pod}_${t.namespace}`)})`);
      const { getPortForward } = deps.runtime;
      if (!getPortForward) throw new StreamingError(500, NOT_SUPPORTED);
      try {
        // SPDY clients name the ports in each stream's headers, so none are asked for here.
        return { url: await getPortForward.call(deps.runtime, sandbox.id, []) };
      } catch (e) {
        throw runtimeError(e);
      }
    }
    case "run":
      throw new StreamingError(400, "run is not a streaming request");
  }
}

/** Serves an upgrade request to /exec, /attach or /portForward (authorization already done). */
export async function serveStreamingUpgrade(
  deps: StreamingDeps,
  t: StreamingTarget,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  /** The request's query, as the server that routed it here parsed it. */
  query: URLSearchParams,
): Promise<void> {
  const websocket = isWebSocketUpgrade(req);
  const spdy = (req.headers.upgrade ?? "").toLowerCase().startsWith("spdy/");
  if (!websocket && !spdy) {
    writeHttpError(socket, 400, "unable to upgrade: missing upgrade headers in request\n");
    return;
  }
  let resolved: ResolvedStream;
  try {
    resolved = await resolveStream(deps, t, query);
  } catch (e) {
    const code = e instanceof StreamingError ? e.code : 500;
    writeHttpError(socket, code, (e as Error).message);
    return;
  }
  if (spdy) return proxySpdyUpgrade(req, socket, head, resolved.url);
  if (t.kind === "portForward") return tunnelOverWebSocket(req, socket, head, resolved.url);
  const ws = acceptWebSocket(req, socket, head, REMOTE_COMMAND_PROTOCOLS);
  if (!ws || !resolved.opts) return;
  await translateRemoteCommand(ws, resolved.url, resolved.opts);
}

/** POST /run/{ns}/{pod}/{container}?cmd=…: ExecSync's output (stdout then stderr). */
export async function serveRun(
  deps: StreamingDeps,
  t: StreamingTarget,
  url: RequestTarget,
  res: ServerResponse,
): Promise<void> {
  const text = (code: number, body: string) => {
    res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(body);
  };
  try {
    const pod = findPod(deps, t);
    const containerId = await findRunningContainer(deps, pod, t.container);
    if (!deps.runtime.execSync) throw new StreamingError(500, NOT_SUPPORTED);
    let out: Awaited<ReturnType<RuntimeService["execSync"]>>;
    try {
      out = await deps.runtime.execSync(containerId, runCommand(url.searchParams), 0);
    } catch (e) {
      throw new StreamingError(500, runtimeError(e).message);
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(Buffer.concat([out.stdout, out.stderr]));
  } catch (e) {
    // getRun answers every failure after the pod lookup with 500.
    const code = e instanceof StreamingError ? e.code : 500;
    text(code === 404 ? 404 : 500, (e as Error).message);
  }
}
