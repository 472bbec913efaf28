// Kubernetes Status errors, as k8s.io/apimachinery/pkg/api/errors (errors.go)
// and the apiserver's negotiation errors build them (v1.32): the HTTP code,
// reason, message and details clients such as kubectl switch on.

import { type FieldError, goQuote, toAggregate } from "./field-errors.ts";

/** metav1.StatusReason values. */
export const StatusReason = {
  Unknown: "",
  Unauthorized: "Unauthorized",
  Forbidden: "Forbidden",
  NotFound: "NotFound",
  AlreadyExists: "AlreadyExists",
  Conflict: "Conflict",
  Gone: "Gone",
  Invalid: "Invalid",
  ServerTimeout: "ServerTimeout",
  StoreReadError: "StorageReadError",
  Timeout: "Timeout",
  TooManyRequests: "TooManyRequests",
  BadRequest: "BadRequest",
  MethodNotAllowed: "MethodNotAllowed",
  NotAcceptable: "NotAcceptable",
  RequestEntityTooLarge: "RequestEntityTooLarge",
  UnsupportedMediaType: "UnsupportedMediaType",
  InternalError: "InternalError",
  Expired: "Expired",
  ServiceUnavailable: "ServiceUnavailable",
} as const;
export type StatusReason = (typeof StatusReason)[keyof typeof StatusReason];

export interface StatusCause {
  /** metav1.CauseType; for field errors this is the field.ErrorType (e.g. FieldValueInvalid). */
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  /** For errors about a resource this holds the resource (e.g. "pods"), as upstream does. */
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** metav1.Status as the apiserver serialises it (keys in Go's order, empty fields omitted). */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: { selfLink?: string; resourceVersion?: string; continue?: string; remainingItemCount?: number };
  status?: "Success" | "Failure";
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code?: number;
}

export interface GroupResource {
  group: string;
  resource: string;
}

export interface GroupKind {
  group: string;
  kind: string;
}

/** GroupResource.String(): `pods`, `deployments.apps`. */
export function groupResourceString(gr: GroupResource): string {
  return gr.group.length === 0 ? gr.resource : `${gr.resource}.${gr.group}`;
}

/** GroupKind.String(): `Pod`, `Deployment.apps`. */
export function groupKindString(gk: GroupKind): string {
  return gk.group.length === 0 ? gk.kind : `${gk.kind}.${gk.group}`;
}

/** An error that carries the Status to send back. */
export class StatusError extends Error {
  readonly status: Status;

  constructor(status: Status) {
    super(status.message ?? "");
    this.name = "StatusError";
    this.status = status;
  }

  get code(): number {
    return this.status.code ?? 0;
  }

  get reason(): StatusReason {
    return this.status.reason ?? StatusReason.Unknown;
  }

  toJSON(): Status {
    return this.status;
  }
}

interface StatusInit {
  status: "Success" | "Failure";
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

function compactDetails(d: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) {
    out.causes = d.causes.map((c) => {
      const cc: StatusCause = {};
      if (c.reason) cc.reason = c.reason;
      if (c.message) cc.message = c.message;
      if (c.field) cc.field = c.field;
      return cc;
    });
  }
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** Builds a Status with Go's field order and omitempty behaviour. */
export function makeStatus(init: StatusInit): Status {
  const s: Status = { kind: "Status", apiVersion: "v1", metadata: {} };
  s.status = init.status;
  if (init.message) s.message = init.message;
  if (init.reason) s.reason = init.reason;
  if (init.details) s.details = compactDetails(init.details);
  if (init.code) s.code = init.code;
  return s;
}

function failure(code: number, reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  return new StatusError(makeStatus({ status: "Failure", code, reason, message, details }));
}

function errText(err: Error | string): string {
  return typeof err === "string" ? err : err.message;
}

/** The optimistic-concurrency message the registry puts in a Conflict. */
export const OptimisticLockErrorMsg =
  "the object has been modified; please apply your changes to the latest version and try again";

/** NewNotFound: 404 `pods "x" not found`. */
export function newNotFound(qr: GroupResource, name: string): StatusError {
  return failure(404, StatusReason.NotFound, `${groupResourceString(qr)} ${goQuote(name)} not found`, {
    group: qr.group,
    kind: qr.resource,
    name,
  });
}

/** NewAlreadyExists: 409 `pods "x" already exists`. */
export function newAlreadyExists(qr: GroupResource, name: string): StatusError {
  return failure(
    409,
    StatusReason.AlreadyExists,
    `${groupResourceString(qr)} ${goQuote(name)} already exists`,
    {
      group: qr.group,
      kind: qr.resource,
      name,
    },
  );
}

/** NewUnauthorized: 401; an empty reason reads "not authorized". */
export function newUnauthorized(reason: string): StatusError {
  return failure(401, StatusReason.Unauthorized, reason.length === 0 ? "not authorized" : reason);
}

/** NewForbidden: 403 `pods "x" is forbidden: <err>`. */
export function newForbidden(qr: GroupResource, name: string, err: Error | string): StatusError {
  let message: string;
  if (qr.group === "" && qr.resource === "") message = `forbidden: ${errText(err)}`;
  else if (name === "") message = `${groupResourceString(qr)} is forbidden: ${errText(err)}`;
  else message = `${groupResourceString(qr)} ${goQuote(name)} is forbidden: ${errText(err)}`;
  return failure(403, StatusReason.Forbidden, message, { group: qr.group, kind: qr.resource, name });
}

/** NewConflict: 409 `Operation cannot be fulfilled on pods "x": <err>`. */
export function newConflict(qr: GroupResource, name: string, err: Error | string): StatusError {
  return failure(
    409,
    StatusReason.Conflict,
    `Operation cannot be fulfilled on ${groupResourceString(qr)} ${goQuote(name)}: ${errText(err)}`,
    { group: qr.group, kind: qr.resource, name },
  );
}

/** NewApplyConflict: 409 with the conflicting fields as causes. */
export function newApplyConflict(causes: StatusCause[], message: string): StatusError {
  return failure(409, StatusReason.Conflict, message, { causes });
}

/** NewGone: 410 Gone. */
export function newGone(message: string): StatusError {
  return failure(410, StatusReason.Gone, message);
}

/** NewResourceExpired: 410 Expired (a resourceVersion too old to watch or list from). */
export function newResourceExpired(message: string): StatusError {
  return failure(410, StatusReason.Expired, message);
}

/**
 * NewInvalid: 422 `<Kind> "<name>" is invalid: <aggregate>`, one cause per
 * field error with the error type as the cause reason.
 */
export function newInvalid(qk: GroupKind, name: string, errs: readonly FieldError[]): StatusError {
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.errorBody(), field: e.field }));
  const agg = toAggregate(errs);
  const message =
    agg === null
      ? `${groupKindString(qk)} ${goQuote(name)} is invalid`
      : `${groupKindString(qk)} ${goQuote(name)} is invalid: ${agg.error()}`;
  return failure(422, StatusReason.Invalid, message, { group: qk.group, kind: qk.kind, name, causes });
}

/** NewBadRequest: 400. */
export function newBadRequest(reason: string): StatusError {
  return failure(400, StatusReason.BadRequest, reason);
}

/** NewTooManyRequests: 429 with retryAfterSeconds. */
export function newTooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return failure(429, StatusReason.TooManyRequests, message, { retryAfterSeconds });
}

/** NewTooManyRequestsError: 429 "Too many requests: <message>". */
export function newTooManyRequestsError(message: string): StatusError {
  return failure(429, StatusReason.TooManyRequests, `Too many requests: ${message}`);
}

/** NewServiceUnavailable: 503. */
export function newServiceUnavailable(reason: string): StatusError {
  return failure(503, StatusReason.ServiceUnavailable, reason);
}

/** NewMethodNotSupported: 405 `<action> is not supported on resources of kind "<resource>"`. */
export function newMethodNotSupported(qr: GroupResource, action: string): StatusError {
  return failure(
    405,
    StatusReason.MethodNotAllowed,
    `${action} is not supported on resources of kind ${goQuote(groupResourceString(qr))}`,
    { group: qr.group, kind: qr.resource },
  );
}

/** NewServerTimeout: 500 ServerTimeout, the client should retry. */
export function newServerTimeout(
  qr: GroupResource,
  operation: string,
  retryAfterSeconds: number,
): StatusError {
  return failure(
    500,
    StatusReason.ServerTimeout,
    `The ${operation} operation against ${groupResourceString(qr)} could not be completed at this time, please try again.`,
    { group: qr.group, kind: qr.resource, name: operation, retryAfterSeconds },
  );
}

/** NewInternalError: 500 "Internal error occurred: <err>". */
export function newInternalError(err: Error | string): StatusError {
  const msg = errText(err);
  return failure(500, StatusReason.InternalError, `Internal error occurred: ${msg}`, {
    causes: [{ message: msg }],
  });
}

/** The Status an error carries; any other error is a 500 InternalError naming it. */
export function statusOf(e: unknown): Status {
  return e instanceof StatusError ? e.status : newInternalError(e as Error).status;
}

/** NewTimeoutError: 504 "Timeout: <message>". */
export function newTimeout(message: string, retryAfterSeconds: number): StatusError {
  return failure(504, StatusReason.Timeout, `Timeout: ${message}`, { retryAfterSeconds });
}

/** NewRequestEntityTooLargeError: 413 "Request entity too large: <message>". */
export function newRequestEntityTooLarge(message: string): StatusError {
  return failure(413, StatusReason.RequestEntityTooLarge, `Request entity too large: ${message}`);
}

/** negotiation.NewNotAcceptableError: 406 for an Accept header the server cannot serve. */
export function newNotAcceptable(accepted: readonly string[]): StatusError {
  return failure(
    406,
    StatusReason.NotAcceptable,
    `only the following media types are accepted: ${accepted.join(", ")}`,
  );
}

/** negotiation.NewNotAcceptableConversionError: 406 for e.g. Table as protobuf. */
export function newNotAcceptableConversion(target: string, accepted: readonly string[]): StatusError {
  return failure(
    406,
    StatusReason.NotAcceptable,
    `only the following media types are accepted when converting to ${target}: ${accepted.join(", ")}`,
  );
}

/** negotiation.NewUnsupportedMediaTypeError: 415 for a Content-Type the server cannot read. */
export function newUnsupportedMediaType(accepted: readonly string[]): StatusError {
  return failure(
    415,
    StatusReason.UnsupportedMediaType,
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );
}

/** The Success Status a DELETE returns when there is no object to return. */
export function statusSuccess(details?: StatusDetails): Status {
  return makeStatus({ status: "Success", code: 200, details });
}

export function isStatusError(e: unknown): e is StatusError {
  return e instanceof StatusError;
}

/** The reason of a StatusError, or "" for any other error. */
export function reasonForError(e: unknown): StatusReason {
  return e instanceof StatusError ? e.reason : StatusReason.Unknown;
}

export const isNotFound = (e: unknown) => reasonForError(e) === StatusReason.NotFound;
export const isAlreadyExists = (e: unknown) => reasonForError(e) === StatusReason.AlreadyExists;
export const isConflict = (e: unknown) => reasonForError(e) === StatusReason.Conflict;
export const isInvalid = (e: unknown) => reasonForError(e) === StatusReason.Invalid;
export const isForbidden = (e: unknown) => reasonForError(e) === StatusReason.Forbidden;
export const isBadRequest = (e: unknown) => reasonForError(e) === StatusReason.BadRequest;
export const isGone = (e: unknown) => reasonForError(e) === StatusReason.Gone;
export const isResourceExpired = (e: unknown) => reasonForError(e) === StatusReason.Expired;

/**
 * ErrorToAPIStatus: the Status to send for any error. A StatusError keeps its
 * Status (a missing code becomes 500, or 200 for Success); anything else is a
 * 500 with an empty reason and the error's message.
 */
export function errorToAPIStatus(err: unknown): Status {
  if (err instanceof StatusError) {
    const st = err.status;
    const status = st.status ?? "Failure";
    const code = st.code ? st.code : status === "Success" ? 200 : 500;
    return makeStatus({ status, message: st.message, reason: st.reason, details: st.details, code });
  }
  const message = err instanceof Error ? err.message : String(err);
  return makeStatus({ status: "Failure", code: 500, reason: StatusReason.Unknown, message });
}
