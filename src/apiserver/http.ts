// HTTP plumbing shared by the handlers: bodies with a size limit, JSON and
// Status answers.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { stringify as toYaml } from "yaml";
import { errorToAPIStatus, newRequestEntityTooLarge, type Status } from "../machinery/status.ts";
import { recordRequestBody, recordResponseObject } from "./audit/auditor.ts";

/**
 * The TLS connection a request came on, one object for all its requests: an HTTP/2 request's own `socket`
 * is a new proxy for each stream, its session's is the same for the connection.
 */
export function connectionOf(req: IncomingMessage): TLSSocket {
  const session = (req as { stream?: { session?: { socket: TLSSocket } } }).stream?.session;
  return session?.socket ?? (req.socket as TLSSocket);
}

/** kube-apiserver's limit on request bodies (3 MiB). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    req.resume();
    throw newRequestEntityTooLarge(`limit is ${limit}`);
  }
  // Listeners rather than for-await: the async iterator's machinery cost more than reading a pod.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", fail);
      req.off("close", onClose);
    };
    const fail = (e: Error) => {
      done();
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        fail(newRequestEntityTooLarge(`limit is ${limit}`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      recordRequestBody(req, body);
      resolve(body);
    };
    // Closed before its end: the client went away in the middle of the body.
    const onClose = () => fail(prematureClose());
    // A body read already (or gone) sends no more events.
    if (req.readableEnded) return onEnd();
    if (req.destroyed) return onClose();
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", fail);
    req.on("close", onClose);
  });
}

function prematureClose(): Error {
  return Object.assign(new Error("the client closed the connection before the request body ended"), {
    code: "ERR_STREAM_PREMATURE_CLOSE",
  });
}

export function writeJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = "application/json",
  headers: Record<string, string> = {},
  /** body's JSON when the caller has it already. */
  json?: string,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  recordResponseObject(res, body);
  // Encoded once: measuring the string's UTF-8 length and then writing it would encode it twice.
  // YAML as kube-apiserver writes it (sigs.k8s.io/yaml goes through a map): keys sorted.
  const data = Buffer.from(
    contentType === "application/yaml"
      ? toYaml(body, { sortMapEntries: true })
      : (json ?? JSON.stringify(body)),
  );
  res.writeHead(code, {
    "Content-Type": contentType,
    "Content-Length": data.length,
    "Cache-Control": "no-cache, private",
    ...headers,
  });
  res.end(data);
}

export function writeStatus(res: ServerResponse, status: Status, headers: Record<string, string> = {}): void {
  writeJson(res, status.code ?? 500, status, "application/json", headers);
}

/** Any error as a Status answer; unknown errors become 500 InternalError. */
export function writeError(res: ServerResponse, err: unknown): Status {
  const status = errorToAPIStatus(err);
  const headers: Record<string, string> = {};
  const retry = status.details?.retryAfterSeconds;
  if (retry) headers["Retry-After"] = String(retry);
  writeStatus(res, status, headers);
  return status;
}

/** Adds `Warning: 299 - "…"` headers, as the apiserver does for fieldValidation=Warn and deprecations. */
export function addWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  const existing = res.getHeader("Warning");
  const list = Array.isArray(existing) ? existing.map(String) : existing ? [String(existing)] : [];
  for (const w of warnings) list.push(`299 - ${JSON.stringify(w.replace(/[\r\n]+/g, " "))}`);
  res.setHeader("Warning", list);
}

/** Waits for `res` to drain or close, leaving no listener behind (a long watch waits many times). */
export function drainedOrClosed(res: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
