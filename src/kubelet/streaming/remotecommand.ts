// exec and attach over WebSockets: the kubelet ends the client's WebSocket
// (v5.channel.k8s.io, or v4) and speaks remotecommand v4 over SPDY to the
// runtime's streaming server, as upstream's apiserver StreamTranslator
// (staging/src/k8s.io/apiserver/pkg/util/proxy/streamtranslator.go) with
// client-go's SPDY executor (tools/remotecommand/v4.go) does.
import type { Status } from "kubernetes-types/meta/v1.d.ts";
import { SpdyConnection, type SpdyStream } from "../../machinery/spdy.ts";
import type { WebSocket } from "../../machinery/websocket.ts";
import type { RemoteCommandOptions } from "./options.ts";
import { dialStreamingServer } from "./upgrade.ts";

/** The WebSocket subprotocols served, preferred first (v5 adds the close channel). */
export const REMOTE_COMMAND_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/** The SPDY protocol asked of the runtime. */
export const SPDY_REMOTE_COMMAND_PROTOCOL = "v4.channel.k8s.io";

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** How the command ended, as client-go's errorDecoderV4 reads the error stream. */
export type Outcome =
  | { type: "success" }
  | { type: "exit"; code: number }
  | { type: "error"; message: string };

/** errorDecoderV4.decode (plus watchErrorStream: an empty stream is success). */
export function decodeErrorStream(message: Buffer): Outcome {
  if (message.length === 0) return { type: "success" };
  let status: Status;
  try {
    status = JSON.parse(message.toString()) as Status;
  } catch (e) {
    return {
      type: "error",
      message: `error stream protocol error: ${(e as Error).message} in ${JSON.stringify(message.toString())}`,
    };
  }
  switch (status.status) {
    case "Success":
      return { type: "success" };
    case "Failure":
      if (status.reason === "NonZeroExitCode") {
        if (!status.details)
          return { type: "error", message: "error stream protocol error: details must be set" };
        for (const c of status.details.causes ?? []) {
          if (c.reason !== "ExitCode") continue;
          const rc = /^\d+$/.test(c.message ?? "") ? Number(c.message) : Number.NaN;
          if (!(rc >= 0 && rc <= 255))
            return {
              type: "error",
              message: `error stream protocol error: invalid exit code value ${JSON.stringify(c.message ?? "")}`,
            };
          return { type: "exit", code: rc };
        }
        return { type: "error", message: "error stream protocol error: no ExitCode cause given" };
      }
      return { type: "error", message: status.message ?? "" };
    default:
      return { type: "error", message: "error stream protocol error: unknown error" };
  }
}

/** The Status the StreamTranslator writes on channel 3 for an outcome (json.Marshal field order). */
export function outcomeStatus(o: Outcome): Status {
  switch (o.type) {
    case "success":
      return { metadata: {}, status: "Success" };
    case "exit":
      // codeExitToStatusError; the wrapped error is client-go's "command terminated with exit code N".
      return {
        metadata: {},
        status: "Failure",
        message: `command terminated with non-zero exit code: command terminated with exit code ${o.code}`,
        reason: "NonZeroExitCode",
        details: { causes: [{ reason: "ExitCode", message: String(o.code) }] },
      };
    case "error":
      return internalError(o.message);
  }
}

/** apierrors.NewInternalError. */
export function internalError(message: string): Status {
  return {
    metadata: {},
    status: "Failure",
    message: `Internal error occurred: ${message}`,
    reason: "InternalError",
    details: { causes: [{ message }] },
    code: 500,
  };
}

function channelMessage(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([channel]), data]);
}

const STREAM_REPLY_TIMEOUT_MS = 30_000;

/**
 * Serves one exec/attach session on an accepted WebSocket against the
 * runtime's streaming URL; resolves once the status is written and the close
 * frame sent.
 */
export async function translateRemoteCommand(
  ws: WebSocket,
  url: string,
  opts: RemoteCommandOptions,
): Promise<void> {
  const v5 = ws.protocol === "v5.channel.k8s.io";
  // "Send an empty message to the lowest writable channel to notify the client the connection is established".
  ws.send(Buffer.from([opts.stdout ? CHANNEL.stdout : opts.stderr ? CHANNEL.stderr : CHANNEL.error]));

  // What the client sends before the SPDY streams exist waits here.
  const early: Buffer[] = [];
  let stdin: SpdyStream | undefined;
  let resize: SpdyStream | undefined;
  let stdinClosed = false;
  let finished = false;
  let ready = false;
  let conn: SpdyConnection | undefined;
  const onMessage = (data: Buffer) => {
    if (finished || data.length === 0) return;
    if (!ready) {
      early.push(data);
      return;
    }
    const payload = data.subarray(1);
    switch (data[0]) {
      case CHANNEL.stdin:
        if (stdin && !stdinClosed && payload.length > 0) stdin.write(payload);
        return;
      case CHANNEL.resize:
        resize?.write(payload);
        return;
      case CHANNEL.close:
        // v5: ff 00 is the client's stdin EOF, which must reach the command (FIN) so `cat` ends.
        if (v5 && payload[0] === CHANNEL.stdin && stdin && !stdinClosed) {
          stdinClosed = true;
          stdin.end();
        }
        return;
      default:
        return; // channels the client may not write are ignored, as wsstream's IgnoreChannel
    }
  };
  ws.on("message", onMessage);
  const clientGone = new Promise<void>((resolve) => ws.once("close", () => resolve()));

  const finish = (o: Outcome) => {
    if (finished) return;
    finished = true;
    ws.send(channelMessage(CHANNEL.error, Buffer.from(JSON.stringify(outcomeStatus(o)))));
    ws.close(1000);
    conn?.close();
  };

  let upgraded: Awaited<ReturnType<typeof dialStreamingServer>>;
  try {
    upgraded = await dialStreamingServer(url, [SPDY_REMOTE_COMMAND_PROTOCOL]);
  } catch (e) {
    finish({ type: "error", message: (e as Error).message });
    return;
  }
  if (ws.isClosed) {
    upgraded.socket.destroy();
    return;
  }
  conn = new SpdyConnection(upgraded.socket, { server: false });
  conn.on("error", () => {});
  if (upgraded.head.length) upgraded.socket.unshift(upgraded.head);
  const c = conn;
  clientGone.then(() => c.close());

  // streamProtocolV4.createStreams: error first, then stdin, stdout, stderr (not with a tty), resize (tty).
  const errorStream = c.createStream({ streamtype: "error" });
  stdin = opts.stdin ? c.createStream({ streamtype: "stdin" }) : undefined;
  const stdout = opts.stdout ? c.createStream({ streamtype: "stdout" }) : undefined;
  const stderr = opts.stderr && !opts.tty ? c.createStream({ streamtype: "stderr" }) : undefined;
  resize = opts.tty ? c.createStream({ streamtype: "resize" }) : undefined;
  const created = [errorStream, stdin, stdout, stderr, resize].filter(
    (s): s is SpdyStream => s !== undefined,
  );
  for (const s of created) s.on("error", () => {});

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all(created.map((s) => s.waitReply())),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("timeout waiting for the streams' replies")),
          STREAM_REPLY_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (e) {
    finish({ type: "error", message: (e as Error).message });
    return;
  } finally {
    clearTimeout(timer);
  }

  // Replay what came early, now that the streams exist.
  ready = true;
  for (const m of early.splice(0)) onMessage(m);

  const ended = (s: SpdyStream | undefined) =>
    s
      ? new Promise<void>((resolve) => (s.readableEnded ? resolve() : s.once("end", resolve)))
      : Promise.resolve();
  const errorBytes: Buffer[] = [];
  errorStream.on("data", (d: Buffer) => errorBytes.push(d));
  stdout?.on("data", (d: Buffer) => ws.send(channelMessage(CHANNEL.stdout, d)));
  stderr?.on("data", (d: Buffer) => ws.send(channelMessage(CHANNEL.stderr, d)));
  // copyStdout/copyStderr finish, then the error stream's end gives the result.
  await Promise.all([ended(stdout), ended(stderr)]);
  await ended(errorStream);
  finish(decodeErrorStream(Buffer.concat(errorBytes)));
}
