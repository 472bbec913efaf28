// ConfigMap, Secret and ServiceAccount validation (pkg/apis/core/validation,
// v1.32): data keys, the 1 MiB size limit, immutable objects, and the
// key requirements of the typed Secrets.

import type { ConfigMap, Secret, ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import {
  type FieldError,
  forbidden,
  invalid,
  newPath,
  required,
  tooLong,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import { isConfigMapKey } from "../../machinery/validation.ts";
import { DecodeError, decodeJSON } from "../strict-decode.ts";
import { byteLen, validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from "./common.ts";

export const maxSecretSize = 1024 * 1024;
const metaPath = newPath("metadata");

/** Bytes of a base64 []byte field as the apiserver decodes it. */
function decodedLength(v: unknown): number {
  return typeof v === "string" ? Buffer.from(v, "base64").length : 0;
}

function decoded(v: unknown): Buffer {
  return typeof v === "string" ? Buffer.from(v, "base64") : Buffer.alloc(0);
}

// --- ConfigMap ------------------------------------------------------------------

/** ValidateConfigMap. */
export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain, metaPath);
  let total = 0;
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  for (const [key, value] of Object.entries(data)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(newPath("data").key(key), key, msg));
    if (Object.hasOwn(binary, key)) {
      errs.push(invalid(newPath("data").key(key), key, "duplicate of key present in binaryData"));
    }
    total += byteLen(String(value ?? ""));
  }
  for (const [key, value] of Object.entries(binary)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(newPath("binaryData").key(key), key, msg));
    total += decodedLength(value);
  }
  if (total > maxSecretSize) errs.push(tooLong(newPath(""), "", maxSecretSize));
  return errs;
}

/** ValidateConfigMapUpdate. */
export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs = validateObjectMetaUpdate(cm.metadata, old.metadata, metaPath);
  if (old.immutable === true) {
    if (cm.immutable !== true)
      errs.push(forbidden(newPath("immutable"), "field is immutable when `immutable` is set"));
    if (!sameMap(cm.data, old.data))
      errs.push(forbidden(newPath("data"), "field is immutable when `immutable` is set"));
    if (!sameMap(cm.binaryData, old.binaryData)) {
      errs.push(forbidden(newPath("binaryData"), "field is immutable when `immutable` is set"));
    }
  }
  errs.push(...validateConfigMap(cm));
  return errs;
}

/**
 * reflect.DeepEqual of two maps. A nil map and an empty one are taken as
 * equal: a stored object written by Go omits empty maps, so the distinction
 * does not survive storage.
 */
function sameMap(
  x: Record<string, unknown> | null | undefined,
  y: Record<string, unknown> | null | undefined,
): boolean {
  const a = x ?? {};
  const b = y ?? {};
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

// --- Secret ---------------------------------------------------------------------

/** What encoding/json says about bytes that should hold a JSON object, or null when they do. */
export function jsonObjectError(bytes: Buffer): string | null {
  try {
    decodeJSON(bytes);
    return null;
  } catch (e) {
    if (!(e instanceof DecodeError)) return (e as Error).message;
    const msg = e.message;
    const marker = "json parse error: ";
    const i = msg.indexOf(marker);
    const rest = i >= 0 ? msg.slice(i + marker.length) : msg;
    return rest.replace(/Go value of type struct \{.*\}$/, "Go value of type map[string]interface {}");
  }
}

/**
 * The data the internal Secret has: v1 conversion writes stringData over data,
 * so keys given only in stringData are validated (and satisfy typed secrets).
 */
function secretData(secret: Secret): Record<string, string> {
  const data = { ...(secret.data ?? {}) };
  for (const [k, v] of Object.entries(secret.stringData ?? {}))
    data[k] = Buffer.from(v, "utf8").toString("base64");
  return data;
}

/** ValidateSecret. */
export function validateSecret(secret: Secret): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, true, nameIsDNSSubdomain, metaPath);
  const dataPath = newPath("data");
  const data = secretData(secret);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const msg of isConfigMapKey(key)) errs.push(invalid(dataPath.key(key), key, msg));
    total += decodedLength(value);
  }
  if (total > maxSecretSize) errs.push(tooLong(dataPath, "", maxSecretSize));
  const has = (k: string) => Object.hasOwn(data, k);
  switch (secret.type ?? "") {
    case "kubernetes.io/service-account-token":
      if ((secret.metadata?.annotations?.["kubernetes.io/service-account.name"] ?? "").length === 0) {
        errs.push(required(newPath("metadata", "annotations").key("kubernetes.io/service-account.name"), ""));
      }
      break;
    case "Opaque":
    case "":
      break;
    case "kubernetes.io/dockercfg": {
      if (!has(".dockercfg")) {
        errs.push(required(dataPath.key(".dockercfg"), ""));
        break;
      }
      const err = jsonObjectError(decoded(data[".dockercfg"]));
      if (err !== null) errs.push(invalid(dataPath.key(".dockercfg"), "<secret contents redacted>", err));
      break;
    }
    case "kubernetes.io/dockerconfigjson": {
      if (!has(".dockerconfigjson")) {
        errs.push(required(dataPath.key(".dockerconfigjson"), ""));
        break;
      }
      const err = jsonObjectError(decoded(data[".dockerconfigjson"]));
      if (err !== null)
        errs.push(invalid(dataPath.key(".dockerconfigjson"), "<secret contents redacted>", err));
      break;
    }
    case "kubernetes.io/basic-auth":
      if (!has("username") && !has("password")) {
        errs.push(required(dataPath.key("username"), ""));
        errs.push(required(dataPath.key("password"), ""));
      }
      break;
    case "kubernetes.io/ssh-auth":
      if (decodedLength(data["ssh-privatekey"]) === 0)
        errs.push(required(dataPath.key("ssh-privatekey"), ""));
      break;
    case "kubernetes.io/tls":
      if (!has("tls.crt")) errs.push(required(dataPath.key("tls.crt"), ""));
      if (!has("tls.key")) errs.push(required(dataPath.key("tls.key"), ""));
      break;
    default:
      break;
  }
  return errs;
}

/** ValidateSecretUpdate. */
export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata, metaPath);
  errs.push(...validateImmutable(secret.type ?? "", old.type ?? "", newPath("type"), (v) => String(v ?? "")));
  if (old.immutable === true) {
    if (secret.immutable !== true)
      errs.push(forbidden(newPath("immutable"), "field is immutable when `immutable` is set"));
    if (!sameSecretData(secretData(secret), secretData(old))) {
      errs.push(forbidden(newPath("data"), "field is immutable when `immutable` is set"));
    }
  }
  errs.push(...validateSecret(secret));
  return errs;
}

function sameSecretData(
  x: Record<string, string> | null | undefined,
  y: Record<string, string> | null | undefined,
): boolean {
  const a = x ?? {};
  const b = y ?? {};
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && decoded(a[k]).equals(decoded(b[k])));
}

// --- ServiceAccount ----------------------------------------------------------------

/** ValidateServiceAccount. */
export function validateServiceAccount(sa: ServiceAccount): FieldError[] {
  return validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain, metaPath);
}

/** ValidateServiceAccountUpdate. */
export function validateServiceAccountUpdate(sa: ServiceAccount, old: ServiceAccount): FieldError[] {
  const errs = validateObjectMetaUpdate(sa.metadata, old.metadata, metaPath);
  errs.push(...validateServiceAccount(sa));
  return errs;
}
