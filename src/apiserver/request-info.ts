// Turns a request path and method into what it asks for, as upstream's
// RequestInfoFactory (apiserver/pkg/endpoints/request/requestinfo.go).

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection; or the HTTP verb in lower case for non-resource paths. */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the subresource (a proxy path). */
  parts: string[];
}

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/** fields.Selector.RequiresExactMatch("metadata.name"), for a name that is a valid path segment. */
function exactName(selector: string | null): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(",")) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (!m) continue;
    const name = m[1];
    if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("%"))
      return undefined;
    return name;
  }
  return undefined;
}

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: "",
    apiGroup: "",
    apiVersion: "",
    namespace: "",
    resource: "",
    subresource: "",
    name: "",
    parts: [],
  };
  const segments = path.replace(/^\/+|\/+$/g, "").split("/");
  if (segments.length === 0 || (segments[0] !== "api" && segments[0] !== "apis")) return info;
  info.apiPrefix = segments[0];
  let rest = segments.slice(1);
  if (info.apiPrefix === "apis") {
    if (rest.length < 2) return info; // /apis or /apis/<group>: discovery
    info.apiGroup = rest[0];
    rest = rest.slice(1);
  } else if (rest.length < 1 || rest[0] === "") {
    return info; // /api
  }
  info.apiVersion = rest[0];
  rest = rest.slice(1);
  if (rest.length === 0 || rest[0] === "") return info; // /api/v1: discovery
  info.isResourceRequest = true;

  const methodVerb: Record<string, string> = {
    POST: "create",
    GET: "get",
    HEAD: "get",
    PUT: "update",
    PATCH: "patch",
    DELETE: "delete",
  };
  info.verb = methodVerb[method] ?? method.toLowerCase();
  // Deprecated /watch/ paths still exist in the API.
  if (rest[0] === "watch") {
    if (info.verb === "get") info.verb = "watch";
    rest = rest.slice(1);
  }
  if (rest[0] === "namespaces") {
    if (rest.length > 1) {
      info.namespace = rest[1];
      if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
    }
  }
  info.resource = rest[0] ?? "";
  if (rest.length >= 2) info.name = rest[1];
  if (rest.length >= 3) info.subresource = rest[2];
  if (rest.length > 3) info.parts = rest.slice(3);

  if (rest.length < 2 && info.verb === "get") {
    const watch = query.get("watch");
    info.verb = watch === "true" || watch === "1" ? "watch" : "list";
    // A list or watch of one object by field selector is authorized as that object (a kubelet's secret watch).
    const name = exactName(query.get("fieldSelector"));
    if (name !== undefined) info.name = name;
  }
  if (info.verb === "delete" && rest.length < 2) info.verb = "deletecollection";
  return info;
}
