// The meta.k8s.io/v1 Table shapes the apiserver returns for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`
// (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/types.go). Field order follows the Go structs so the
// JSON we serialise reads like upstream's.
import type { ListMeta, ObjectMeta } from "kubernetes-types/meta/v1.d.ts";

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** A cell holds a string, an integer or a boolean, as upstream's printers emit; null where a custom column found nothing. */
export type Cell = string | number | boolean | null;

export interface PartialObjectMetadata {
  kind: "PartialObjectMetadata";
  apiVersion: string;
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: Cell[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata (includeObject=Metadata), the object itself (Object) or null (None). */
  object: PartialObjectMetadata | object | null;
}

export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: ListMeta;
  /** null when headers are suppressed (TableOptions.NoHeaders, as watches do after the first event). */
  columnDefinitions: TableColumnDefinition[] | null;
  /** null only where upstream leaves the slice nil: the default convertor over zero objects. */
  rows: TableRow[] | null;
}

/** What a printer returns for one object: its cells, plus row conditions (pods only). */
export interface PrintedRow {
  cells: Cell[];
  conditions?: TableRowCondition[];
}

export interface PrintContext {
  now: Date;
}

/** One kind's column set and row function, like an upstream TableHandler registration. */
export interface TablePrinter<T = never> {
  columns: TableColumnDefinition[];
  print(obj: T, ctx: PrintContext): PrintedRow;
  /** How the List handler sorts rows, when it does (FlowSchemas); storage order otherwise. */
  compare?(a: T, b: T): number;
}

/** Builds a column definition; format and priority default as in the Go literals. */
export function column(
  name: string,
  type: string,
  description: string,
  opts: { format?: string; priority?: number } = {},
): TableColumnDefinition {
  return { name, type, format: opts.format ?? "", description, priority: opts.priority ?? 0 };
}
