// The projected plugin (pkg/volume/projected): several sources in one
// directory — service account tokens, configMaps, secrets and the downward API.
// The kube-api-access-* volume ServiceAccount admission adds is one of these.
import type { ConfigMap, Node, Pod, ProjectedVolumeSource, Secret } from "kubernetes-types/core/v1.d.ts";
import type { FileProjection } from "./atomic-writer.ts";
import { configMapPayload, DEFAULT_MODE } from "./configmap.ts";
import { downwardAPIPayload } from "./downwardapi.ts";
import { secretPayload } from "./secret.ts";
import type { TokenManager } from "./token-manager.ts";

export interface ProjectionLookups {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  tokens: TokenManager;
  node(): Node | undefined;
}

/** The SA token's expiry when the pod asks for none (upstream's 1 h). */
const DEFAULT_TOKEN_SECONDS = 3600;

export async function projectedPayload(
  pod: Pod,
  source: ProjectedVolumeSource,
  lookups: ProjectionLookups,
): Promise<Map<string, FileProjection>> {
  const ns = pod.metadata?.namespace ?? "default";
  const mode = source.defaultMode ?? DEFAULT_MODE;
  const payload = new Map<string, FileProjection>();
  const add = (m: Map<string, FileProjection>) => {
    for (const [k, v] of m) payload.set(k, v);
  };
  for (const s of source.sources ?? []) {
    if (s.configMap) {
      const name = s.configMap.name ?? "";
      const optional = s.configMap.optional ?? false;
      const cm = await lookups.configMap(ns, name);
      if (!cm && !optional) throw new Error(`configmap "${name}" not found`);
      add(configMapPayload(s.configMap.items, cm, mode, optional));
    } else if (s.secret) {
      const name = s.secret.name ?? "";
      const optional = s.secret.optional ?? false;
      const secret = await lookups.secret(ns, name);
      if (!secret && !optional) throw new Error(`secret "${name}" not found`);
      add(secretPayload(s.secret.items, secret, mode, optional));
    } else if (s.downwardAPI) {
      add(downwardAPIPayload(s.downwardAPI.items, pod, mode, lookups.node()));
    } else if (s.serviceAccountToken) {
      const t = s.serviceAccountToken;
      const token = await lookups.tokens.getServiceAccountToken({
        namespace: ns,
        serviceAccount: pod.spec?.serviceAccountName || "default",
        audience: t.audience ?? "",
        expirationSeconds: t.expirationSeconds ?? DEFAULT_TOKEN_SECONDS,
        podName: pod.metadata?.name ?? "",
        podUid: pod.metadata?.uid ?? "",
      });
      payload.set(t.path, { data: Buffer.from(token), mode: source.defaultMode ?? 0o644 });
    }
  }
  return payload;
}
