// SelfSubjectReview (pkg/registry/authentication/selfsubjectreview): the
// caller's own user as the apiserver sees it, after impersonation.
// `kubectl auth whoami` prints it.
import { formatTime } from "../../machinery/apply/managed-fields.ts";
import type { VirtualCreate } from "../handlers/rest.ts";
import { userInfoJSON } from "./token-review.ts";

export function selfSubjectReviewHandler(now: () => Date = () => new Date()): VirtualCreate {
  return (_obj, ctx) => ({
    kind: "SelfSubjectReview",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { creationTimestamp: formatTime(now()) },
    status: { userInfo: userInfoJSON(ctx.user) },
  });
}
