// ServiceAccount (plugin/pkg/admission/serviceaccount): a new pod runs as its
// service account ("default" unless named), which must exist; it gets the
// account's image pull secrets and, unless automountServiceAccountToken says
// no, a projected kube-api-access-xxxxx volume (bound token, cluster CA,
// namespace) mounted in every container. Mirror pods are never changed and may
// refer to no service account and no secrets.
import type { Obj } from "../../../api/registry.ts";
import { isNotFound, newNotFound } from "../../../machinery/status.ts";
import type { Registry } from "../../registry/index.ts";
import { randomSuffix } from "../../registry/resource-store.ts";
import type { AdmissionAttributes, MutatingPlugin, Operation, ValidatingPlugin } from "../admission.ts";
import { admissionForbidden, errorMessage } from "./errors.ts";
import type { ObjectCache } from "./object-cache.ts";
import { isMirrorPod, podSecretNames } from "./pod-references.ts";

export const DEFAULT_SERVICE_ACCOUNT_NAME = "default";
export const ENFORCE_MOUNTABLE_SECRETS_ANNOTATION = "kubernetes.io/enforce-mountable-secrets";
export const SERVICE_ACCOUNT_VOLUME_NAME = "kube-api-access";
export const DEFAULT_API_TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
/** serviceaccount.WarnOnlyBoundTokenExpirationSeconds: an hour and 7 s, so kubelets refresh in time. */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 3607;
/** The service account controller creates "default" soon after a namespace: wait longer for it. */
const DEFAULT_ACCOUNT_ATTEMPTS = 10;

export interface ServiceAccountOptions {
  registry: Registry;
  /** ServiceAccounts from a watch; a miss still reads the store, as upstream does. */
  cache?: ObjectCache;
  /** The volume name's random suffix (upstream's SimpleNameGenerator). */
  generateSuffix?: () => string;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The projected volume every automounting pod gets (TokenVolumeSource), defaultMode set as upstream does (#104464). */
export function tokenVolumeSource(): Obj {
  return {
    sources: [
      { serviceAccountToken: { expirationSeconds: WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS, path: "token" } },
      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
      {
        downwardAPI: {
          items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
        },
      },
    ],
    defaultMode: 420,
  };
}

function list(v: unknown): Obj[] {
  return Array.isArray(v) ? (v as Obj[]) : [];
}

export class ServiceAccountAdmission implements MutatingPlugin, ValidatingPlugin {
  readonly name = "ServiceAccount";
  /** LimitSecretReferences: off, as upstream; the enforce-mountable-secrets annotation turns it on per account. */
  readonly limitSecretReferences = false;
  readonly mountServiceAccountToken = true;
  private readonly registry: Registry;
  private readonly cache: ObjectCache | undefined;
  private readonly generateSuffix: () => string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(opts: ServiceAccountOptions) {
    this.registry = opts.registry;
    this.cache = opts.cache;
    this.generateSuffix = opts.generateSuffix ?? (() => randomSuffix());
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
  }

  handles(op: Operation): boolean {
    return op === "CREATE" || op === "UPDATE";
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (shouldIgnore(a) || a.operation !== "CREATE") return;
    const pod = a.object!;
    pod.spec ??= {};
    const spec = pod.spec;
    // v1's deprecated spec.serviceAccount stands in for an empty serviceAccountName.
    if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
    // The kubelet deletes a mirror pod whose spec differs from its manifest: never change one.
    if (isMirrorPod(pod)) return this.validate(a);
    if (!spec.serviceAccountName) spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT_NAME;
    spec.serviceAccount = spec.serviceAccountName;
    const sa = await this.serviceAccountOrForbidden(a, spec.serviceAccountName);
    if (this.mountServiceAccountToken && shouldAutomount(sa, spec)) this.mountToken(spec);
    if (list(spec.imagePullSecrets).length === 0 && list(sa.imagePullSecrets).length > 0) {
      spec.imagePullSecrets = list(sa.imagePullSecrets).map((s) => ({ name: s.name }));
    }
    return this.validate(a);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (shouldIgnore(a)) return;
    const pod = a.object!;
    if (a.operation === "UPDATE" && a.subresource === "ephemeralcontainers") {
      return this.limitEphemeralContainerSecretReferences(a, pod);
    }
    if (a.operation !== "CREATE") return;
    const spec = pod.spec ?? {};
    if (isMirrorPod(pod)) {
      if (spec.serviceAccountName || spec.serviceAccount) {
        throw admissionForbidden(a, "a mirror pod may not reference service accounts");
      }
      if (podSecretNames(pod).length > 0)
        throw admissionForbidden(a, "a mirror pod may not reference secrets");
      for (const v of list(spec.volumes)) {
        for (const src of list(v.projected?.sources)) {
          if (src.serviceAccountToken) {
            throw admissionForbidden(a, "a mirror pod may not use ServiceAccountToken volume projections");
          }
        }
      }
      return;
    }
    if (!spec.serviceAccountName) {
      throw admissionForbidden(
        a,
        `no service account specified for pod ${a.namespace}/${pod.metadata?.name ?? ""}`,
      );
    }
    const sa = await this.serviceAccountOrForbidden(a, spec.serviceAccountName);
    if (this.enforceMountableSecrets(sa)) {
      const err = limitSecretReferences(sa, spec);
      if (err) throw admissionForbidden(a, err);
    }
  }

  private async serviceAccountOrForbidden(a: AdmissionAttributes, name: string): Promise<Obj> {
    try {
      return await this.serviceAccount(a.namespace, name);
    } catch (e) {
      throw admissionForbidden(
        a,
        `error looking up service account ${a.namespace}/${name}: ${errorMessage(e)}`,
      );
    }
  }

  /** The account from the cache, else the store; "default" is retried while its controller creates it. */
  async serviceAccount(namespace: string, name: string): Promise<Obj> {
    const cached = this.cache?.synced ? this.cache.get(namespace, name) : undefined;
    if (cached) return cached;
    const store = this.registry.byResource("", "v1", "serviceaccounts")!;
    const attempts = name === DEFAULT_SERVICE_ACCOUNT_NAME ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
    const retryInterval = Math.floor(this.random() * 100) + 100;
    for (let i = 0; i < attempts; i++) {
      if (i !== 0) await this.sleep(retryInterval);
      try {
        return await store.get(namespace, name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    throw newNotFound({ group: "", resource: "serviceaccount" }, name);
  }

  private enforceMountableSecrets(sa: Obj): boolean {
    if (this.limitSecretReferences) return true;
    const v = sa.metadata?.annotations?.[ENFORCE_MOUNTABLE_SECRETS_ANNOTATION];
    return typeof v === "string" && parseBool(v);
  }

  private mountToken(spec: Obj): void {
    let volumeName = "";
    let hasVolume = false;
    for (const v of list(spec.volumes)) {
      if (typeof v.name === "string" && v.name.startsWith(`${SERVICE_ACCOUNT_VOLUME_NAME}-`)) {
        volumeName = v.name;
        hasVolume = true;
        break;
      }
    }
    if (!volumeName) volumeName = `${SERVICE_ACCOUNT_VOLUME_NAME}-${this.generateSuffix()}`;
    let needsVolume = false;
    for (const c of [...list(spec.initContainers), ...list(spec.containers)]) {
      // A mount already at the token path (the user's own) wins.
      if (list(c.volumeMounts).some((m) => m.mountPath === DEFAULT_API_TOKEN_MOUNT_PATH)) continue;
      c.volumeMounts = [
        ...list(c.volumeMounts),
        { name: volumeName, readOnly: true, mountPath: DEFAULT_API_TOKEN_MOUNT_PATH },
      ];
      needsVolume = true;
    }
    if (!hasVolume && needsVolume) {
      spec.volumes = [...list(spec.volumes), { name: volumeName, projected: tokenVolumeSource() }];
    }
  }

  private async limitEphemeralContainerSecretReferences(a: AdmissionAttributes, pod: Obj): Promise<void> {
    const spec = pod.spec ?? {};
    if (!spec.serviceAccountName) {
      throw admissionForbidden(
        a,
        `no service account specified for pod ${a.namespace}/${pod.metadata?.name ?? ""}`,
      );
    }
    const sa = await this.serviceAccountOrForbidden(a, spec.serviceAccountName);
    if (!this.enforceMountableSecrets(sa)) return;
    const mountable = new Set(list(sa.secrets).map((s) => s.name));
    for (const c of list(spec.ephemeralContainers)) {
      for (const env of list(c.env)) {
        const ref = env.valueFrom?.secretKeyRef?.name;
        if (ref !== undefined && !mountable.has(ref)) {
          throw admissionForbidden(
            a,
            `ephemeral container ${c.name} with envVar ${env.name} referencing secret.secretName="${ref}" is not allowed because service account ${sa.metadata?.name} does not reference that secret`,
          );
        }
      }
      for (const from of list(c.envFrom)) {
        const ref = from.secretRef?.name;
        if (ref !== undefined && !mountable.has(ref)) {
          throw admissionForbidden(
            a,
            `ephemeral container ${c.name} with envFrom referencing secret.secretName="${ref}" is not allowed because service account ${sa.metadata?.name} does not reference that secret`,
          );
        }
      }
    }
  }
}

/** Pods and their ephemeralcontainers subresource, with an object. */
function shouldIgnore(a: AdmissionAttributes): boolean {
  if (a.resource.group !== "" || a.resource.resource !== "pods") return true;
  if (a.subresource !== "" && a.subresource !== "ephemeralcontainers") return true;
  return !a.object || a.kind.kind !== "Pod";
}

/** The pod's automountServiceAccountToken wins, then the account's; true by default. */
function shouldAutomount(sa: Obj, spec: Obj): boolean {
  if (typeof spec.automountServiceAccountToken === "boolean") return spec.automountServiceAccountToken;
  if (typeof sa.automountServiceAccountToken === "boolean") return sa.automountServiceAccountToken;
  return true;
}

/** strconv.ParseBool. */
function parseBool(v: string): boolean {
  return ["1", "t", "T", "TRUE", "true", "True"].includes(v);
}

function limitSecretReferences(sa: Obj, spec: Obj): string | undefined {
  const saName = sa.metadata?.name;
  const mountable = new Set(list(sa.secrets).map((s) => s.name));
  for (const v of list(spec.volumes)) {
    const name = v.secret?.secretName;
    if (v.secret && !mountable.has(name)) {
      return `volume with secret.secretName="${name ?? ""}" is not allowed because service account ${saName} does not reference that secret`;
    }
  }
  const checks: [Obj[], string][] = [
    [list(spec.initContainers), "init container"],
    [list(spec.containers), "container"],
  ];
  for (const [containers, what] of checks) {
    for (const c of containers) {
      for (const env of list(c.env)) {
        const ref = env.valueFrom?.secretKeyRef?.name;
        if (env.valueFrom?.secretKeyRef && !mountable.has(ref)) {
          return `${what} ${c.name} with envVar ${env.name} referencing secret.secretName="${ref ?? ""}" is not allowed because service account ${saName} does not reference that secret`;
        }
      }
      for (const from of list(c.envFrom)) {
        const ref = from.secretRef?.name;
        if (from.secretRef && !mountable.has(ref)) {
          return `${what} ${c.name} with envFrom referencing secret.secretName="${ref ?? ""}" is not allowed because service account ${saName} does not reference that secret`;
        }
      }
    }
  }
  const pullSecrets = new Set(list(sa.imagePullSecrets).map((s) => s.name));
  const refs = list(spec.imagePullSecrets);
  for (let i = 0; i < refs.length; i++) {
    if (!pullSecrets.has(refs[i].name)) {
      return `imagePullSecrets[${i}].name="${refs[i].name ?? ""}" is not allowed because service account ${saName} does not reference that imagePullSecret`;
    }
  }
  return undefined;
}
