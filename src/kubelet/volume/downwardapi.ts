// The downwardAPI plugin (pkg/volume/downwardapi) and fieldpath's formatting:
// labels and annotations as sorted key="value" lines, resources rounded up
// to the divisor.
import type { DownwardAPIVolumeFile, Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { Quantity } from "../../machinery/quantity.ts";
import type { FileProjection } from "./atomic-writer.ts";
import { DEFAULT_MODE } from "./configmap.ts";

/** fieldpath.FormatMap */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join("\n");
}

function fieldValue(pod: Pod, path: string): string {
  const md = pod.metadata ?? {};
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return (sub[1] === "labels" ? md.labels : md.annotations)?.[sub[2]] ?? "";
  switch (path) {
    case "metadata.name":
      return md.name ?? "";
    case "metadata.namespace":
      return md.namespace ?? "";
    case "metadata.uid":
      return md.uid ?? "";
    case "metadata.labels":
      return formatMap(md.labels);
    case "metadata.annotations":
      return formatMap(md.annotations);
    case "spec.nodeName":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.podIP":
      return pod.status?.podIP ?? "";
    case "status.podIPs":
      return (pod.status?.podIPs ?? []).map((p) => p.ip).join(",");
    case "status.hostIP":
      return pod.status?.hostIP ?? "";
    case "status.hostIPs":
      return (pod.status?.hostIPs ?? []).map((p) => p.ip).join(",");
    default:
      throw new Error(`unsupported fieldPath: ${path}`);
  }
}

/** ExtractContainerResourceValue, with limits defaulted to the node's allocatable. */
export function resourceValue(
  pod: Pod,
  containerName: string,
  resource: string,
  divisor: string | number | undefined,
  node: Node | undefined,
): string {
  const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
    (x) => x.name === containerName,
  );
  if (!c) throw new Error(`container ${containerName} not found`);
  const [kind, name] = resource.split(".") as [string, string];
  let q = (kind === "limits" ? c.resources?.limits : c.resources?.requests)?.[name];
  if (q === undefined && kind === "limits") q = node?.status?.allocatable?.[name];
  const qty = Quantity.parse(String(q ?? "0"));
  const div = Quantity.parse(String(divisor ?? "1"));
  if (name === "cpu") {
    return String(Math.ceil(Number(qty.milliValue()) / Number(div.milliValue())));
  }
  if (name === "memory" || name === "ephemeral-storage" || name.startsWith("hugepages-")) {
    return String(Math.ceil(Number(qty.value()) / Number(div.value())));
  }
  throw new Error(`unsupported container resource : ${resource}`);
}

export function downwardAPIPayload(
  items: readonly DownwardAPIVolumeFile[] | undefined,
  pod: Pod,
  defaultMode: number | undefined,
  node: Node | undefined,
): Map<string, FileProjection> {
  const payload = new Map<string, FileProjection>();
  for (const it of items ?? []) {
    let v: string;
    if (it.fieldRef) v = fieldValue(pod, it.fieldRef.fieldPath);
    else if (it.resourceFieldRef) {
      const r = it.resourceFieldRef;
      v = resourceValue(pod, r.containerName ?? "", r.resource, r.divisor, node);
    } else continue;
    payload.set(it.path, { data: Buffer.from(v), mode: it.mode ?? defaultMode ?? DEFAULT_MODE });
  }
  return payload;
}
