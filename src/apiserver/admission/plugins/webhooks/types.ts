// admission.k8s.io AdmissionReview (k8s.io/api/admission/v1): what the
// apiserver POSTs to a webhook and what the webhook answers. kubernetes-types
// has no admission group, so the shapes are written out here in Go's field order.
import type { Obj } from "../../admission.ts";

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface AdmissionUserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  requestResource?: GroupVersionResource;
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  userInfo: AdmissionUserInfo;
  /** null when there is none (DELETE), as a nil RawExtension marshals. */
  object: Obj | null;
  oldObject: Obj | null;
  dryRun: boolean;
  options: Obj | null;
}

/** metav1.Status as a webhook may send it in response.status. */
export interface WebhookStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: Obj;
  code?: number;
}

export interface AdmissionResponse {
  uid?: string;
  allowed?: boolean;
  status?: WebhookStatus;
  /** base64 of a JSON patch. */
  patch?: string;
  patchType?: string;
  auditAnnotations?: Record<string, string>;
  warnings?: string[];
}

export interface AdmissionReview {
  kind?: string;
  apiVersion?: string;
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

/** The API group of AdmissionReview. */
export const ADMISSION_GROUP = "admission.k8s.io";
