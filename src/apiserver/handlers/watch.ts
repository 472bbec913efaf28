// Watch: a chunked stream of {"type","object"} JSON events, as upstream's
// apiserver/pkg/endpoints/handlers/watch.go serves it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Obj } from "../../api/registry.ts";
import type { FieldSelector } from "../../machinery/fields.ts";
import type { Selector } from "../../machinery/labels.ts";
import { newBadRequest, newInternalError, StatusError } from "../../machinery/status.ts";
import { drainedOrClosed } from "../http.ts";
import { negotiate } from "../negotiation.ts";
import type { ResourceStore, WatchEvent } from "../registry/resource-store.ts";
import { type IncludeObject, renderWatchObject } from "./output.ts";
import type { Converter } from "./rest.ts";

/** Upstream's --min-request-timeout: watches without timeoutSeconds end after 30–60 minutes. */
const MIN_REQUEST_TIMEOUT_S = 1800;
const DEFAULT_BOOKMARK_INTERVAL_MS = 60_000;

/** JSON of watch objects, shared by every watch that sends the same (read-only) decoded event. */
const encoded = new WeakMap<object, string>();

function encodeShared(obj: Obj): string {
  let s = encoded.get(obj);
  if (s === undefined) {
    s = JSON.stringify(obj);
    encoded.set(obj, s);
  }
  return s;
}

/** What to do once a watch has sent its initial events (priority and fairness gives its seat back then). */
const initializedHooks = new WeakMap<ServerResponse, () => void>();

/** Upstream's watch initialization signal: `hook` runs once the watch on `res` has sent its initial events. */
export function onWatchInitialized(res: ServerResponse, hook: () => void): void {
  initializedHooks.set(res, hook);
}

function initialized(res: ServerResponse): void {
  const hook = initializedHooks.get(res);
  initializedHooks.delete(res);
  hook?.();
}

export interface ServeWatchOptions {
  labelSelector?: Selector;
  fieldSelector?: FieldSelector;
  bookmarkIntervalMs?: number;
  includeObject?: IncludeObject;
  /** A webhook-converted CRD version: each batch's objects are converted to it before they are sent. */
  conversion?: Pick<Converter, "type" | "out">;
}

export async function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: ResourceStore,
  namespace: string | undefined,
  q: URLSearchParams,
  opts: ServeWatchOptions,
): Promise<void> {
  const rep = negotiate(req.headers.accept, { list: false });
  const timeoutParam = q.get("timeoutSeconds");
  let timeoutSeconds: number;
  if (timeoutParam !== null && timeoutParam !== "") {
    if (!/^\d+$/.test(timeoutParam))
      throw newBadRequest(`invalid timeoutSeconds: ${JSON.stringify(timeoutParam)}`);
    timeoutSeconds = Number(timeoutParam);
  } else {
    timeoutSeconds = MIN_REQUEST_TIMEOUT_S * (1 + Math.random());
  }
  const allowBookmarks = q.get("allowWatchBookmarks") === "true";
  const watch = await store.watch(namespace, {
    labelSelector: opts.labelSelector,
    fieldSelector: opts.fieldSelector,
    resourceVersion: q.get("resourceVersion") ?? undefined,
  });

  res.writeHead(200, {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private",
  });
  res.flushHeaders();

  const type = opts.conversion?.type ?? store.type;
  const kind = type.kind;
  let first = true;
  let lastRv = q.get("resourceVersion") || String(await store.currentRevision());
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    if (bookmarks) clearInterval(bookmarks);
    watch.cancel();
    res.end();
  };
  const timer = setTimeout(end, timeoutSeconds * 1000);
  req.on("close", end);
  res.on("close", end);

  const write = (type: string, object: Obj): boolean => {
    return res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const bookmarks = allowBookmarks
    ? setInterval(() => {
        if (ended) return;
        write("BOOKMARK", {
          kind,
          apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
          metadata: { resourceVersion: lastRv },
        });
      }, opts.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS)
    : undefined;
  // A client gone while the watch was set up closed before the listeners above existed.
  if (res.closed) end();
  // Without initial events (a watch from a resourceVersion, or nothing to list) it is initialized now;
  // with them, once their batch is written.
  let initializing = watch.initialEvents === true;
  if (!initializing) initialized(res);

  try {
    for await (const batch of watch) {
      if (ended) break;
      let events = batch;
      if (opts.conversion) {
        // One review for the batch, into new events: other watchers share these.
        const carries = (ev: WatchEvent) => ev.type !== "ERROR" && ev.type !== "BOOKMARK";
        let converted: Obj[];
        try {
          converted = await opts.conversion.out(batch.filter(carries).map((ev) => ev.object));
        } catch (e) {
          // As upstream's watch: the failure ends the stream with an ERROR event.
          write("ERROR", e instanceof StatusError ? e.status : newInternalError(String(e)).status);
          end();
          break;
        }
        let i = 0;
        events = batch.map((ev) => (carries(ev) ? { ...ev, object: converted[i++], stored: undefined } : ev));
        if (ended) break;
      }
      // One write (one chunk, one TLS record) per batch, not per event: under load a batch holds many.
      let out = "";
      for (const ev of events) {
        if (ev.type === "ERROR") {
          out += `${JSON.stringify({ type: "ERROR", object: ev.object })}\n`;
          continue;
        }
        lastRv = ev.stored ? String(ev.stored.rv) : (ev.object.metadata?.resourceVersion ?? lastRv);
        // A plain JSON watch sends the stored JSON as it is (spliced with its resourceVersion).
        const json =
          rep.kind === "object" && ev.stored ? store.storedJSON(ev.stored.kv, ev.stored.rv) : undefined;
        const object =
          json ?? encodeShared(renderWatchObject(type, ev.object, rep, first, opts.includeObject));
        out += `{"type":${JSON.stringify(ev.type)},"object":${object}}\n`;
        first = false;
      }
      const ok = out === "" || res.write(out);
      if (initializing) {
        initializing = false;
        initialized(res);
      }
      // Backpressure: a client that does not read makes us wait, and the store's queue bounds it.
      if (!ok && !ended) await drainedOrClosed(res);
    }
  } finally {
    end();
  }
}
