// Field ownership bookkeeping (structured-merge-diff merge/update.go):
// Update records who changed what on ordinary writes; Apply merges a
// configuration, prunes what its applier stopped applying and reports
// conflicts with other owners.
//
// Left out: conversion between API versions. Every manager's set is read as
// if it were in the request's version (upstream converts the object to each
// manager's version first), and reconcileManagedFieldsWithSchemaChanges,
// which only matters when a type changes between atomic and granular.

import { type Comparison, excludeFields } from "./compare.ts";
import { conflictsFromManagers } from "./conflict.ts";
import { FieldSet } from "./field-set.ts";
import type { TypedValue } from "./typed.ts";
import { valuesEqual } from "./value.ts";

/** fieldpath.VersionedSet: a manager's fields, the version they are in, and whether they were applied. */
export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  readonly applied: boolean;
}

/** fieldpath.ManagedFields: manager identifier → its fields. */
export type ManagedFields = Map<string, VersionedSet>;

export class Updater {
  /**
   * @param ignoredFields fields the strategy resets (ResetFieldsStrategy): they
   * never change owners here.
   */
  constructor(private readonly ignoredFields?: FieldSet) {}

  private update(
    oldObject: TypedValue,
    newObject: TypedValue,
    managers: ManagedFields,
    workflow: string,
    force: boolean,
  ): { managers: ManagedFields; compare: Comparison } {
    const compare = excludeFields(oldObject.compare(newObject, this.ignoredFields), this.ignoredFields);
    const conflicts = new Map<string, FieldSet>();
    const removed = new Map<string, FieldSet>();
    const changed = compare.modified.union(compare.added);
    for (const [manager, managerSet] of managers) {
      if (manager === workflow) continue;
      const conflictSet = managerSet.set.intersection(changed);
      if (!conflictSet.empty()) conflicts.set(manager, conflictSet);
      if (!compare.removed.empty()) removed.set(manager, compare.removed);
    }
    if (!force && conflicts.size > 0) throw conflictsFromManagers(conflicts);
    for (const [manager, conflictSet] of conflicts) {
      const vs = managers.get(manager)!;
      managers.set(manager, { ...vs, set: vs.set.difference(conflictSet) });
    }
    for (const [manager, removedSet] of removed) {
      const vs = managers.get(manager)!;
      managers.set(manager, { ...vs, set: vs.set.difference(removedSet) });
    }
    for (const [manager, vs] of [...managers]) if (vs.set.empty()) managers.delete(manager);
    return { managers, compare };
  }

  /** Update: after a create, update or patch; the manager takes every field it changed. */
  updateFields(
    liveObject: TypedValue,
    newObject: TypedValue,
    version: string,
    managed: ManagedFields,
    manager: string,
  ): ManagedFields {
    const { managers, compare } = this.update(liveObject, newObject, new Map(managed), manager, true);
    const previous = managers.get(manager)?.set ?? new FieldSet();
    const set = previous
      .union(compare.modified)
      .union(compare.added)
      .difference(compare.removed)
      .recursiveDifference(this.ignoredFields ?? new FieldSet());
    if (set.empty()) managers.delete(manager);
    else managers.set(manager, { set, apiVersion: version, applied: false });
    return managers;
  }

  /**
   * Apply: merges configObject into liveObject. Returns the new object, or
   * undefined when nothing changed, and the new ownership. Throws Conflicts
   * unless forced.
   */
  apply(
    liveObject: TypedValue,
    configObject: TypedValue,
    version: string,
    managed: ManagedFields,
    manager: string,
    force: boolean,
  ): { object: TypedValue | undefined; managers: ManagedFields } {
    let managers: ManagedFields = new Map(managed);
    let newObject = liveObject.merge(configObject);
    const lastSet = managers.get(manager);
    let set = configObject.toFieldSet();
    if (this.ignoredFields) set = set.recursiveDifference(this.ignoredFields);
    managers.set(manager, { set, apiVersion: version, applied: true });
    newObject = this.prune(newObject, managers, lastSet);
    managers = this.update(liveObject, newObject, managers, manager, force).managers;
    const object = valuesEqual(liveObject.value, newObject.value) ? undefined : newObject;
    return { object, managers };
  }

  // prune removes a field, list or map item iff the applier applied it last
  // time, did not apply it this time, and no other manager owns it.
  private prune(merged: TypedValue, managers: ManagedFields, lastSet: VersionedSet | undefined): TypedValue {
    if (!lastSet || lastSet.set.empty()) return merged;
    const last = merged.ensureNamedFieldsAreMembers(lastSet.set);
    let pruned = merged.removeItems(last);
    // Both steps below need the merged object's fields; they are computed once.
    const mergedSet = merged.ensureNamedFieldsAreMembers(merged.toFieldSet());
    pruned = this.addBackOwnedItems(merged, mergedSet, pruned, managers);
    return this.addBackDanglingItems(merged, mergedSet, pruned, last);
  }

  // addBackOwnedItems puts back what any manager (the applier's new set included) owns.
  private addBackOwnedItems(
    merged: TypedValue,
    mergedSet: FieldSet,
    pruned: TypedValue,
    managers: ManagedFields,
  ): TypedValue {
    let managed = new FieldSet();
    for (const vs of managers.values()) managed = managed.union(vs.set);
    const prunedSet = merged.ensureNamedFieldsAreMembers(pruned.toFieldSet());
    return merged.removeItems(
      mergedSet.difference(prunedSet.union(merged.ensureNamedFieldsAreMembers(managed))),
    );
  }

  // addBackDanglingItems makes sure only fields the applier owned last time were removed.
  private addBackDanglingItems(
    merged: TypedValue,
    mergedSet: FieldSet,
    pruned: TypedValue,
    last: FieldSet,
  ): TypedValue {
    const prunedSet = merged.ensureNamedFieldsAreMembers(pruned.toFieldSet());
    return merged.removeItems(mergedSet.difference(prunedSet).intersection(last));
  }
}
