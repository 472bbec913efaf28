// Shapes a response object for the representation the client negotiated:
// the object itself, a meta.k8s.io Table, or PartialObjectMetadata.
import { printTable } from "../../api/printers/index.ts";
import type { Obj } from "../../api/registry.ts";
import type { Representation } from "../negotiation.ts";

export type IncludeObject = "None" | "Object" | "Metadata";

function partial(obj: Obj, version: string): Obj {
  return {
    kind: "PartialObjectMetadata",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: obj.metadata ?? {},
  };
}

export function renderObject(
  kind: string,
  obj: Obj,
  rep: Representation,
  includeObject?: IncludeObject,
): Obj {
  switch (rep.kind) {
    case "table": {
      const t = printTable(kind, [obj], {
        includeObject,
        metadata: { resourceVersion: obj.metadata?.resourceVersion },
      });
      return { ...t, apiVersion: `meta.k8s.io/${rep.version}` } as unknown as Obj;
    }
    case "partial":
      return partial(obj, rep.version);
    default:
      return obj;
  }
}

export function renderList(kind: string, list: Obj, rep: Representation, includeObject?: IncludeObject): Obj {
  switch (rep.kind) {
    case "table": {
      const t = printTable(kind, list.items, { includeObject, metadata: list.metadata });
      return { ...t, apiVersion: `meta.k8s.io/${rep.version}` } as unknown as Obj;
    }
    case "partial":
      return {
        kind: "PartialObjectMetadataList",
        apiVersion: `meta.k8s.io/${rep.version}`,
        metadata: list.metadata,
        items: (list.items as Obj[]).map((o) => partial(o, rep.version)),
      };
    default:
      return list;
  }
}

/** A watch event's object: Tables carry column definitions only in the first event, as upstream. */
export function renderWatchObject(
  kind: string,
  obj: Obj,
  rep: Representation,
  first: boolean,
  includeObject?: IncludeObject,
): Obj {
  if (rep.kind !== "table") return renderObject(kind, obj, rep, includeObject);
  const t = printTable(kind, [obj], {
    includeObject,
    noHeaders: !first,
    metadata: { resourceVersion: obj.metadata?.resourceVersion },
  });
  return { ...t, apiVersion: `meta.k8s.io/${rep.version}` } as unknown as Obj;
}
