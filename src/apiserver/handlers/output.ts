// Shapes a response object for the representation the client negotiated:
// the object itself, a meta.k8s.io Table, or PartialObjectMetadata.
import { customResourcePrinter } from "../../api/printers/custom-resource.ts";
import { printTable } from "../../api/printers/index.ts";
import type { TablePrinter } from "../../api/printers/table.ts";
import type { Obj, ResourceType } from "../../api/registry.ts";
import type { Representation } from "../negotiation.ts";

export type IncludeObject = "None" | "Object" | "Metadata";

function partial(obj: Obj, version: string): Obj {
  return {
    kind: "PartialObjectMetadata",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: obj.metadata ?? {},
  };
}

const customPrinters = new WeakMap<ResourceType, TablePrinter<never>>();

/** A custom resource's printer, from its version's columns; built-in kinds print by kind. */
function printerOf(type: ResourceType): TablePrinter<never> | undefined {
  if (!type.custom) return undefined;
  let p = customPrinters.get(type);
  if (!p) {
    p = customResourcePrinter(type.custom.columns) as TablePrinter<never>;
    customPrinters.set(type, p);
  }
  return p;
}

export function renderObject(
  type: ResourceType,
  obj: Obj,
  rep: Representation,
  includeObject?: IncludeObject,
): Obj {
  switch (rep.kind) {
    case "table": {
      const t = printTable(type.kind, [obj], {
        includeObject,
        metadata: { resourceVersion: obj.metadata?.resourceVersion },
        printer: printerOf(type),
      });
      return { ...t, apiVersion: `meta.k8s.io/${rep.version}` } as unknown as Obj;
    }
    case "partial":
      return partial(obj, rep.version);
    default:
      return obj;
  }
}

export function renderList(
  type: ResourceType,
  list: Obj,
  rep: Representation,
  includeObject?: IncludeObject,
): Obj {
  switch (rep.kind) {
    case "table": {
      const t = printTable(type.kind, list.items, {
        includeObject,
        metadata: list.metadata,
        printer: printerOf(type),
      });
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
  type: ResourceType,
  obj: Obj,
  rep: Representation,
  first: boolean,
  includeObject?: IncludeObject,
): Obj {
  if (rep.kind !== "table") return renderObject(type, obj, rep, includeObject);
  const t = printTable(type.kind, [obj], {
    includeObject,
    noHeaders: !first,
    printer: printerOf(type),
    metadata: { resourceVersion: obj.metadata?.resourceVersion },
  });
  return { ...t, apiVersion: `meta.k8s.io/${rep.version}` } as unknown as Obj;
}
