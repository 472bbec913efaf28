// A value together with its type (structured-merge-diff typed.TypedValue):
// the entry point to the typed walks used by the updater.

import { type Comparison, compareTyped } from "./compare.ts";
import type { FieldSet } from "./field-set.ts";
import { TypedValidationError } from "./helpers.ts";
import { mergeValues } from "./merge.ts";
import { removeItems } from "./remove.ts";
import type { TypedSchema } from "./schema.ts";
import { toFieldSet } from "./to-field-set.ts";
import { type ValidateOptions, validateValue } from "./validate.ts";
import type { JsonValue } from "./value.ts";

export class TypedValue {
  constructor(
    readonly typed: TypedSchema,
    readonly value: JsonValue,
  ) {}

  /** AsTyped: the value, validated against the schema (throws TypedValidationError). */
  static asTyped(typed: TypedSchema, value: JsonValue, opts?: ValidateOptions): TypedValue {
    const errs = validateValue(typed.schema, typed.root, value, opts);
    if (errs.length > 0) throw new TypedValidationError(errs);
    return new TypedValue(typed, value);
  }

  /** Merge: this object with a partially specified object merged over it. */
  merge(pso: TypedValue): TypedValue {
    return new TypedValue(this.typed, mergeValues(this.typed.schema, this.typed.root, this.value, pso.value));
  }

  /**
   * Compare: the fields rhs added, modified and removed relative to this
   * value; with `excluded`, for a caller that drops those fields from the
   * result, their unchanged values may not be walked (compareTyped).
   */
  compare(rhs: TypedValue, excluded?: FieldSet): Comparison {
    return compareTyped(this.typed.schema, this.typed.root, this.value, rhs.value, excluded);
  }

  /** ToFieldSet: every field this value sets. */
  toFieldSet(): FieldSet {
    return toFieldSet(this.typed.schema, this.typed.root, this.value);
  }

  /** RemoveItems: a copy without the given fields. */
  removeItems(items: FieldSet): TypedValue {
    return new TypedValue(this.typed, removeItems(this.typed.schema, this.typed.root, this.value, items));
  }

  /** The set with the struct fields leading to its members made members too. */
  ensureNamedFieldsAreMembers(set: FieldSet): FieldSet {
    return set.ensureNamedFieldsAreMembers(this.typed.schema, this.typed.root);
  }
}
