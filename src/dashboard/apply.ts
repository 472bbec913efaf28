// The dashboard's "create from YAML": every document of a manifest is
// server-side applied as the signed-in user, as `kubectl apply --server-side`
// does, each found through discovery of its group-version. One document's
// failure is reported beside the others' results, not instead of them.
import { parseAllDocuments } from "yaml";
import { makeStatus, type Status, StatusError, statusOf } from "../machinery/status.ts";

export const FIELD_MANAGER = "k8ts-dashboard";

export interface ApplyResult {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  /** <resource> for the core group, <resource>.<group> otherwise. */
  resource?: string;
  action?: "created" | "configured";
  error?: Status;
}

export interface ApplyOptions {
  /** The namespace of documents that name none (the UI's selected namespace). */
  namespace: string;
  /** A request to the apiserver as the user; rejects with a StatusError for an error answer. */
  request(
    method: string,
    target: string,
    body?: string,
    contentType?: string,
  ): Promise<{ code: number; body: Record<string, unknown> }>;
}

interface DiscoveredResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

function badRequest(message: string): Status {
  return makeStatus({ status: "Failure", code: 400, reason: "BadRequest", message });
}

export async function applyDocuments(text: string, o: ApplyOptions): Promise<ApplyResult[]> {
  const docs = parseAllDocuments(text);
  const parsed: unknown[] = [];
  for (const [i, d] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    if (d.errors.length) {
      throw new StatusError(badRequest(`document ${i + 1} is not valid YAML: ${d.errors[0].message}`));
    }
    const v = d.toJS();
    // kubectl skips empty documents (a trailing ---, comments only).
    if (v !== null && v !== undefined) parsed.push(v);
  }
  if (!parsed.length) throw new StatusError(badRequest("the manifest has no objects"));

  const discovery = new Map<string, Promise<DiscoveredResource[]>>();
  const resourcesOf = (apiVersion: string) => {
    let p = discovery.get(apiVersion);
    if (!p) {
      const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      p = o.request("GET", path).then((r) => (r.body.resources as DiscoveredResource[]) ?? []);
      discovery.set(apiVersion, p);
    }
    return p;
  };

  const results: ApplyResult[] = [];
  for (const [i, obj] of parsed.entries()) {
    results.push(await applyOne(obj, i + 1, o, resourcesOf));
  }
  return results;
}

async function applyOne(
  obj: unknown,
  index: number,
  o: ApplyOptions,
  resourcesOf: (apiVersion: string) => Promise<DiscoveredResource[]>,
): Promise<ApplyResult> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj))
    return { error: badRequest(`document ${index} is not an object`) };
  const o2 = obj as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
  };
  const apiVersion = typeof o2.apiVersion === "string" ? o2.apiVersion : "";
  const kind = typeof o2.kind === "string" ? o2.kind : "";
  const name = typeof o2.metadata?.name === "string" ? o2.metadata.name : "";
  const result: ApplyResult = { apiVersion, kind, name };
  // kubectl's own wording for the same mistakes.
  const missing = [!apiVersion && "apiVersion not set", !kind && "kind not set"].filter(Boolean);
  if (missing.length) return { ...result, error: badRequest(`document ${index}: [${missing.join(", ")}]`) };
  if (!name) return { ...result, error: badRequest(`document ${index}: ${kind} has no metadata.name`) };
  try {
    const res = (await resourcesOf(apiVersion)).find((r) => r.kind === kind && !r.name.includes("/"));
    if (!res) {
      return {
        ...result,
        error: makeStatus({
          status: "Failure",
          code: 404,
          reason: "NotFound",
          message: `no matches for kind "${kind}" in version "${apiVersion}"`,
        }),
      };
    }
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    result.resource = group ? `${res.name}.${group}` : res.name;
    let path = group ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (res.namespaced) {
      result.namespace = typeof o2.metadata?.namespace === "string" ? o2.metadata.namespace : o.namespace;
      path += `/namespaces/${encodeURIComponent(result.namespace)}`;
      (obj as { metadata: Record<string, unknown> }).metadata.namespace = result.namespace;
    }
    path += `/${res.name}/${encodeURIComponent(name)}?fieldManager=${FIELD_MANAGER}`;
    // JSON is YAML: the apply patch needs no re-serialising of the user's text per document.
    const r = await o.request("PATCH", path, JSON.stringify(obj), "application/apply-patch+yaml");
    return { ...result, action: r.code === 201 ? "created" : "configured" };
  } catch (e) {
    return { ...result, error: statusOf(e) };
  }
}
