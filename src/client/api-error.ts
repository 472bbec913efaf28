// A failed API call, carrying the server's metav1.Status as client-go's
// StatusError does, so callers switch on reason rather than on messages.
import type { Status, StatusDetails } from "../machinery/status.ts";

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details?: StatusDetails;

  constructor(readonly status: Status) {
    super(status.message ?? `the server responded with code ${status.code}`);
    this.name = "ApiError";
    this.code = status.code ?? 0;
    this.reason = status.reason ?? "";
    this.details = status.details;
  }

  /** A Status for a response whose body was not one, as client-go's newUnstructuredResponseError. */
  static fromResponse(code: number, body: string, verb: string): ApiError {
    try {
      const parsed = JSON.parse(body) as Partial<Status>;
      if (parsed?.kind === "Status")
        return new ApiError({ ...(parsed as Status), code: parsed.code ?? code });
    } catch {
      // not JSON: fall through
    }
    const reason = reasonForCode(code);
    const message = body.trim()
      ? `the server responded with the status code ${code} but did not return more information (${verb})`
      : `the server responded with the status code ${code} but did not return more information`;
    return new ApiError({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      code,
    });
  }
}

function reasonForCode(code: number): Status["reason"] {
  switch (code) {
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return code >= 400 && code < 500 ? "BadRequest" : "";
  }
}

const reasonOf = (e: unknown): string | undefined => (e instanceof ApiError ? e.reason : undefined);
export const isNotFound = (e: unknown) => reasonOf(e) === "NotFound";
export const isAlreadyExists = (e: unknown) => reasonOf(e) === "AlreadyExists";
export const isConflict = (e: unknown) => reasonOf(e) === "Conflict";
export const isInvalid = (e: unknown) => reasonOf(e) === "Invalid";
/** A watch or list from a compacted resourceVersion: the reflector relists. */
export const isResourceExpired = (e: unknown) =>
  e instanceof ApiError && (e.reason === "Expired" || e.reason === "Gone" || e.code === 410);
