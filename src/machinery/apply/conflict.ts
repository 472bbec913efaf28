// Apply conflicts: structured-merge-diff's merge.Conflict(s) and the 409
// StatusError the apiserver builds from them
// (apimachinery/pkg/util/managedfields/internal/conflict.go).

import { goQuote } from "../field-errors.ts";
import { newApplyConflict, type StatusCause, type StatusError } from "../status.ts";
import type { FieldSet } from "./field-set.ts";
import { type Path, pathString } from "./path-element.ts";

/** A field another manager owns; manager is the manager identifier (JSON). */
export interface Conflict {
  readonly manager: string;
  readonly path: Path;
}

/** merge.Conflicts: thrown by the updater when an apply is not forced. */
export class Conflicts extends Error {
  constructor(readonly conflicts: readonly Conflict[]) {
    super(conflictsString(conflicts));
    this.name = "Conflicts";
  }
}

function conflictsString(conflicts: readonly Conflict[]): string {
  if (conflicts.length === 1)
    return `conflict with ${goQuote(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  return groupByManager(conflicts)
    .flatMap(([m, paths]) => [`conflicts with ${goQuote(m)}:`, ...paths.map((p) => `- ${pathString(p)}`)])
    .join("\n");
}

function groupByManager(conflicts: readonly Conflict[]): [string, Path[]][] {
  const m = new Map<string, Path[]>();
  for (const c of conflicts) m.set(c.manager, [...(m.get(c.manager) ?? []), c.path]);
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** ConflictsFromManagers: one conflict per field, managers in identifier order. */
export function conflictsFromManagers(sets: ReadonlyMap<string, FieldSet>): Conflicts {
  const conflicts: Conflict[] = [];
  for (const manager of [...sets.keys()].sort()) {
    sets.get(manager)!.iterate((path) => conflicts.push({ manager, path }));
  }
  return new Conflicts(conflicts);
}

/** printManager: `"kubectl" using apps/v1`, `"mgr" with subresource "status" using v1`, `"applier"`. */
export function printManager(manager: string): string {
  let entry: {
    manager?: string;
    operation?: string;
    apiVersion?: string;
    subresource?: string;
    time?: string;
  };
  try {
    entry = JSON.parse(manager);
  } catch {
    return goQuote(manager);
  }
  let s = goQuote(entry.manager ?? "");
  if (entry.subresource) s = `${s} with subresource ${goQuote(entry.subresource)}`;
  if (entry.operation === "Update") {
    if (entry.time === undefined) return `${s} using ${entry.apiVersion ?? ""}`;
    return `${s} using ${entry.apiVersion ?? ""} at ${entry.time}`;
  }
  return s;
}

/** NewConflictError: 409 Conflict with one FieldManagerConflict cause per field. */
export function newConflictError(conflicts: Conflicts): StatusError {
  const list = conflicts.conflicts;
  const causes: StatusCause[] = list.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (list.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(list[0].manager)}: ${pathString(list[0].path)}`;
  } else {
    const lines = groupByManager(list).flatMap(([m, paths]) => [
      `conflicts with ${printManager(m)}:`,
      ...paths.map((p) => `- ${pathString(p)}`),
    ]);
    message = `Apply failed with ${list.length} conflicts: ${lines.join("\n")}`;
  }
  return newApplyConflict(causes, message);
}
