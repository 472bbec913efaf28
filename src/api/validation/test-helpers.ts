// Shared fixtures for the validation tests: objects are built as a client
// would send them, then defaulted as the apiserver does before validating.

import type { FieldError } from "../../machinery/field-errors.ts";
import { applyDefaults } from "../defaults/index.ts";
import { validateCreate, validateStatusUpdate, validateUpdate } from "./index.ts";

// biome-ignore lint/suspicious/noExplicitAny: test fixtures are free-form JSON
export type J = Record<string, any>;

/** The Go error strings of a list, in order. */
export function messages(errs: readonly FieldError[]): string[] {
  return errs.map((e) => e.error());
}

/** A deep copy with defaults applied. */
export function defaulted(group: string, kind: string, obj: J): J {
  const copy = structuredClone(obj);
  applyDefaults(group, kind, copy);
  return copy;
}

/** Messages of validateCreate on the defaulted object. */
export function createErrors(group: string, kind: string, obj: J): string[] {
  return messages(validateCreate(group, kind, defaulted(group, kind, obj)));
}

/** Messages of validateUpdate on the defaulted objects. */
export function updateErrors(group: string, kind: string, obj: J, old: J): string[] {
  return messages(validateUpdate(group, kind, defaulted(group, kind, obj), defaulted(group, kind, old)));
}

/** Messages of validateStatusUpdate on the defaulted objects. */
export function statusErrors(group: string, kind: string, obj: J, old: J): string[] {
  return messages(
    validateStatusUpdate(group, kind, defaulted(group, kind, obj), defaulted(group, kind, old)),
  );
}

/** Unique messages, as ToAggregate reports them. */
export function unique(msgs: readonly string[]): string[] {
  return [...new Set(msgs)];
}

/** A minimal valid pod. */
export function pod(spec: J = {}, meta: J = {}): J {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", ...meta },
    spec: { containers: [{ name: "c", image: "nginx" }], ...spec },
  };
}

/** Metadata a stored object has, for updates. */
export function stored(meta: J = {}): J {
  return {
    resourceVersion: "1",
    uid: "11111111-2222-3333-4444-555555555555",
    creationTimestamp: "2024-01-01T00:00:00Z",
    ...meta,
  };
}

/** A pod as read back from storage. */
export function storedPod(spec: J = {}, meta: J = {}): J {
  return pod(spec, stored(meta));
}

/** A valid pod template with the given labels. */
export function template(labels: Record<string, string>, spec: J = {}): J {
  return { metadata: { labels }, spec: { containers: [{ name: "c", image: "nginx" }], ...spec } };
}
