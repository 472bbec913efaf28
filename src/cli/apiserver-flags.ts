// The flags `k8ts up` and `k8ts apiserver` share, and the options they make.
import { homedir } from "node:os";
import { join } from "node:path";
import type { StartApiServerOptions } from "../apiserver/index.ts";
import { parseDuration } from "../machinery/duration.ts";
import type { FlagSpec } from "./flags.ts";

export const apiserverFlags: FlagSpec[] = [
  {
    name: "data-dir",
    type: "string",
    default: join(homedir(), ".k8ts"),
    help: "Directory holding everything of this cluster (store, certificates, state)",
  },
  { name: "port", type: "number", default: 6443, help: "The apiserver's HTTPS port" },
  {
    name: "store",
    type: "string",
    default: "sqlite",
    help: "sqlite (the data dir's store.db), sqlite:PATH or etcd://host:port[,host:port]",
  },
  {
    name: "max-requests-inflight",
    type: "number",
    default: 400,
    help: "With priority and fairness, added to --max-mutating-requests-inflight: the seats all levels share (must be positive). Without: non-mutating requests served at once, 0 for no limit",
  },
  {
    name: "max-mutating-requests-inflight",
    type: "number",
    default: 200,
    help: "With priority and fairness, added to --max-requests-inflight: the seats all levels share. Without: mutating requests served at once, 0 for no limit",
  },
  {
    name: "enable-priority-and-fairness",
    type: "boolean",
    default: true,
    help: "Queue and limit requests by FlowSchemas and PriorityLevelConfigurations; off: the two max-in-flight limits, 429 beyond them",
  },
  {
    name: "request-timeout",
    type: "string",
    default: "1m0s",
    help: "The longest a request other than a watch, log or exec may take before it is answered 504 (a request's ?timeout= may shorten it)",
  },
  {
    name: "etcd-compaction-interval",
    type: "string",
    default: "5m",
    help: "How often to compact the store's history (0 disables it)",
  },
  {
    name: "advertise-address",
    type: "string",
    help: "The address other machines reach the apiserver on (the kubernetes service's endpoint; default: this host's)",
  },
  {
    name: "service-cluster-ip-range",
    type: "string",
    default: "10.96.0.0/16",
    help: "Service ClusterIPs come from here; the first is the kubernetes service's",
  },
  {
    name: "service-node-port-range",
    type: "string",
    default: "30000-32767",
    help: "NodePorts come from here",
  },
  {
    name: "authorization-mode",
    type: "list",
    default: ["Node", "RBAC"],
    help: "Authorizers in order: Node, RBAC, AlwaysAllow",
  },
  {
    name: "anonymous-auth",
    type: "boolean",
    default: true,
    help: "Let requests without credentials in as system:anonymous (authorization decides what they reach)",
  },
  {
    name: "token-auth-file",
    type: "string",
    help: 'Static bearer tokens, as CSV: token,user,uid,"group1,group2"',
  },
  {
    name: "service-account-issuer",
    type: "string",
    default: "https://kubernetes.default.svc.cluster.local",
    help: "Issuer (iss) of service account tokens",
  },
  {
    name: "service-account-jwks-uri",
    type: "string",
    help: "Where /.well-known/openid-configuration says the token verification keys are (default: https://<advertise-address>:<port>/openid/v1/jwks)",
  },
  { name: "api-audiences", type: "list", help: "Audiences API tokens must carry (default: the issuer)" },
  {
    name: "enable-admission-plugins",
    type: "list",
    default: [],
    help: "Admission plugins to enable besides the defaults (e.g. AlwaysPullImages)",
  },
  {
    name: "disable-admission-plugins",
    type: "list",
    default: [],
    help: "Default admission plugins to turn off",
  },
  {
    name: "encryption-provider-config",
    type: "string",
    help: "An EncryptionConfiguration file: which resources are encrypted at rest, and with which keys",
  },
  {
    name: "audit-policy-file",
    type: "string",
    help: "An audit Policy file: what gets logged, at which level",
  },
  {
    name: "audit-log-path",
    type: "string",
    help: "Where audit events go, one JSON line each ('-' for stdout)",
  },
];

export function apiserverOptions(flags: Record<string, unknown>): StartApiServerOptions {
  return {
    dataDir: String(flags["data-dir"]),
    port: Number(flags.port),
    bindAddress: flags["bind-address"] === undefined ? undefined : String(flags["bind-address"]),
    store: String(flags.store),
    compactionIntervalMs: parseDuration(String(flags["etcd-compaction-interval"])),
    maxRequestsInflight: Number(flags["max-requests-inflight"]),
    maxMutatingRequestsInflight: Number(flags["max-mutating-requests-inflight"]),
    enablePriorityAndFairness: flags["enable-priority-and-fairness"] !== false,
    requestTimeoutMs: parseDuration(String(flags["request-timeout"])),
    authorizationModes: flags["authorization-mode"] as string[],
    serviceClusterIPRange: String(flags["service-cluster-ip-range"]),
    advertiseAddress: flags["advertise-address"] ? String(flags["advertise-address"]) : undefined,
    serviceNodePortRange: String(flags["service-node-port-range"]),
    anonymousAuth: flags["anonymous-auth"] !== false,
    tokenAuthFile: flags["token-auth-file"] ? String(flags["token-auth-file"]) : undefined,
    serviceAccountIssuer: String(flags["service-account-issuer"]),
    serviceAccountJwksURI: flags["service-account-jwks-uri"]
      ? String(flags["service-account-jwks-uri"])
      : undefined,
    apiAudiences: flags["api-audiences"] as string[] | undefined,
    enableAdmissionPlugins: flags["enable-admission-plugins"] as string[],
    disableAdmissionPlugins: flags["disable-admission-plugins"] as string[],
    encryptionProviderConfig: flags["encryption-provider-config"]
      ? String(flags["encryption-provider-config"])
      : undefined,
    auditPolicyFile: flags["audit-policy-file"] ? String(flags["audit-policy-file"]) : undefined,
    auditLogPath: flags["audit-log-path"] ? String(flags["audit-log-path"]) : undefined,
  };
}
