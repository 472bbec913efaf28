// The errors admission plugins refuse with (k8s.io/apiserver/pkg/admission
// errors.go): 403 on the request's resource, named after the object.
import { isForbidden, newForbidden, type StatusError } from "../../../machinery/status.ts";
import type { AdmissionAttributes } from "../admission.ts";

/**
 * extractResourceName: the request's name, else the object's name, else its
 * generateName (names are not generated yet upstream when admission runs).
 */
export function resourceName(a: AdmissionAttributes): string {
  if (a.name) return a.name;
  if (!a.object) return "Unknown";
  const meta = a.object.metadata;
  if (meta === null || typeof meta !== "object") return "Unknown/errorGettingName";
  if (typeof meta.name === "string" && meta.name) return meta.name;
  if (typeof meta.generateName === "string" && meta.generateName) return meta.generateName;
  return "Unknown";
}

/** admission.NewForbidden: `pods "x" is forbidden: <err>`; a Forbidden error passes through unwrapped. */
export function admissionForbidden(a: AdmissionAttributes, err: Error | string): StatusError {
  if (typeof err !== "string" && isForbidden(err)) return err as StatusError;
  return newForbidden({ group: a.resource.group, resource: a.resource.resource }, resourceName(a), err);
}

/** The message of anything thrown, as Go's err.Error(). */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
