// The audit API (audit.k8s.io/v1): the Policy read from --audit-policy-file
// and the Events written to --audit-log-path, field for field as upstream's
// k8s.io/apiserver/pkg/apis/audit/v1 types.go.

/** How much of a request is recorded; each level includes the ones before it. */
export type Level = "None" | "Metadata" | "Request" | "RequestResponse";

export const LEVELS: readonly Level[] = ["None", "Metadata", "Request", "RequestResponse"];

/** Level.Less / GreaterOrEqual, by the order above. */
export function levelAtLeast(l: Level, min: Level): boolean {
  return LEVELS.indexOf(l) >= LEVELS.indexOf(min);
}

/** When in a request's life an event is written. Panic cannot happen here: a failing handler answers 500. */
export type Stage = "RequestReceived" | "ResponseStarted" | "ResponseComplete" | "Panic";

export const STAGES: readonly Stage[] = ["RequestReceived", "ResponseStarted", "ResponseComplete", "Panic"];

export interface GroupResources {
  /** "" is the core group. */
  group?: string;
  // "pods", "pods/log", "pods/*", "*", or "*" + "/scale" for a subresource of any resource.
  // Empty: every resource of the group.
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  /** "" matches cluster-scoped resources. */
  namespaces?: string[];
  /** "/healthz", "/api*", "*". */
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

export interface Policy {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
  rules: PolicyRule[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

/** authentication.k8s.io/v1 UserInfo. */
export interface EventUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** The bounded part of a metav1.Status kept in an event (metadata is always `{}`, as Go writes it). */
export interface ResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  code?: number;
}

export interface Event {
  kind: "Event";
  apiVersion: "audit.k8s.io/v1";
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: EventUser;
  impersonatedUser?: EventUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  /** RFC 3339 with microseconds, UTC. */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}
