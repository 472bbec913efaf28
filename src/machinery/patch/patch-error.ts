// Errors from applying a patch, carrying the HTTP answer the apiserver gives
// for them (apiserver/pkg/endpoints/handlers/patch.go).
//
// - code 400, reason "BadRequest": the patch body is malformed; `message` is
//   upstream's text and becomes Status.message.
// - code 422, reason "Invalid": the patch does not apply. Upstream answers
//   with errors.NewGenericServerResponse(422, …), whose Status.message is the
//   fixed `statusMessage` below; `message` keeps the library's own text (useful
//   in logs, not sent).
// - code 413, reason "RequestEntityTooLarge": a JSON patch with too many
//   operations.
// - code 500, reason "": any other strategic-merge error; upstream sends the
//   error verbatim as Status.message with reason Unknown ("").

export type PatchErrorCode = 400 | 413 | 422 | 500;
export type PatchErrorReason = "BadRequest" | "RequestEntityTooLarge" | "Invalid" | "";

const reasons: Record<PatchErrorCode, PatchErrorReason> = {
  400: "BadRequest",
  413: "RequestEntityTooLarge",
  422: "Invalid",
  500: "",
};

/** Status.message of upstream's 422 answer to a JSON patch that does not apply. */
export const genericInvalidMessage = "the server rejected our request due to an error in our request";

export class PatchError extends Error {
  readonly code: PatchErrorCode;
  readonly reason: PatchErrorReason;
  /** The message to put in the Status object. */
  readonly statusMessage: string;

  constructor(message: string, code: PatchErrorCode, statusMessage: string = message) {
    super(message);
    this.name = "PatchError";
    this.code = code;
    this.reason = reasons[code];
    this.statusMessage = statusMessage;
  }
}
