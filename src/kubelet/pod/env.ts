// A container's environment and its $(VAR) expansion (upstream's
// makeEnvironmentVariables in pkg/kubelet/kubelet_pods.go, the downward API
// helpers in pkg/fieldpath and pkg/api/v1/resource, and
// third_party/forked/golang/expansion). envFrom and configMap/secret key
// references are read through injected lookups; service links are not added.
import type { Quantity as QuantityString } from "kubernetes-types/api/resource.d.ts";
import type { ConfigMap, Container, Pod, Secret } from "kubernetes-types/core/v1.d.ts";
import { Quantity } from "../../machinery/quantity.ts";
import type { KeyValue } from "../runtime/interface.ts";

export interface EnvLookups {
  /** undefined when the ConfigMap does not exist. */
  configMap?(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret?(namespace: string, name: string): Promise<Secret | undefined>;
}

export interface EnvContext {
  pod: Pod;
  container: Container;
  podIP: string;
  podIPs: readonly string[];
  hostIPs: readonly string[];
  /** The node's allocatable: the downward API's limits.* when a container has no limit. */
  nodeAllocatable?: Record<string, QuantityString>;
  lookups?: EnvLookups;
}

/** A container config error: the container waits with CreateContainerConfigError and this message. */
export class ContainerConfigError extends Error {}

const OPERATOR = "$";
const OPENER = "(";
const CLOSER = ")";

/** expansion.MappingFuncFor: the first context that has the name, else "$(name)" unchanged. */
export function mappingFuncFor(...contexts: ReadonlyMap<string, string>[]): (name: string) => string {
  return (name) => {
    for (const ctx of contexts) {
      const v = ctx.get(name);
      if (v !== undefined) return v;
    }
    return `${OPERATOR}${OPENER}${name}${CLOSER}`;
  };
}

/** expansion.Expand: replaces $(VAR) by mapping(VAR); "$$" is a literal "$"; anything else stays. */
export function expand(input: string, mapping: (name: string) => string): string {
  let out = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== OPERATOR || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let read: string;
    let isVar = false;
    let advance = 1;
    if (rest[0] === OPERATOR) {
      read = OPERATOR;
    } else if (rest[0] === OPENER) {
      const close = rest.indexOf(CLOSER, 1);
      if (close === -1) {
        // Incomplete reference: keep it as written.
        read = OPERATOR + OPENER;
      } else {
        read = rest.slice(1, close);
        isVar = true;
        advance = close + 1;
      }
    } else {
      read = OPERATOR + rest[0];
    }
    out += isVar ? mapping(read) : read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** ExpandContainerCommandAndArgs: $(VAR) in command and args from the container's environment. */
export function expandContainerCommandAndArgs(
  c: Container,
  envs: readonly KeyValue[],
): { command: string[]; args: string[] } {
  const mapping = mappingFuncFor(new Map(envs.map((e) => [e.key, e.value])));
  return {
    command: (c.command ?? []).map((s) => expand(s, mapping)),
    args: (c.args ?? []).map((s) => expand(s, mapping)),
  };
}

/** metav1.FormatMap: sorted key="value" lines, the downward API form of all labels or annotations. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join("\n");
}

/** fieldpath.ExtractFieldPathAsString plus the kubelet's spec.* and status.* fields. */
export function podFieldValue(ctx: EnvContext, fieldPath: string): string {
  const { pod } = ctx;
  const m = pod.metadata ?? {};
  const sub = /^(metadata\.(?:annotations|labels))\['(.*)'\]$/.exec(fieldPath);
  if (sub) {
    const map = sub[1] === "metadata.annotations" ? m.annotations : m.labels;
    return map?.[sub[2]] ?? "";
  }
  switch (fieldPath) {
    case "spec.nodeName":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.hostIP":
      return ctx.hostIPs[0] ?? "";
    case "status.hostIPs":
      return ctx.hostIPs.join(",");
    case "status.podIP":
      return ctx.podIP;
    case "status.podIPs":
      return ctx.podIPs.join(",");
    case "metadata.annotations":
      return formatMap(m.annotations);
    case "metadata.labels":
      return formatMap(m.labels);
    case "metadata.name":
      return m.name ?? "";
    case "metadata.namespace":
      return m.namespace ?? "";
    case "metadata.uid":
      return m.uid ?? "";
  }
  throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  return a % b === 0n || a < 0n ? q : q + 1n;
}

/** resource.ExtractContainerResourceValue, with limits defaulted to the node's allocatable. */
export function containerResourceValue(
  ctx: EnvContext,
  resource: string,
  containerName: string | undefined,
  divisor: QuantityString | undefined,
): string {
  let c = ctx.container;
  if (containerName) {
    const named = [...(ctx.pod.spec?.containers ?? []), ...(ctx.pod.spec?.initContainers ?? [])].find(
      (x) => x.name === containerName,
    );
    if (!named) throw new ContainerConfigError(`container ${containerName} not found`);
    c = named;
  }
  const div =
    divisor !== undefined && String(divisor) !== "0" ? Quantity.parse(String(divisor)) : Quantity.parse("1");
  const dot = resource.indexOf(".");
  const kind = resource.slice(0, dot);
  const name = resource.slice(dot + 1);
  if (kind !== "limits" && kind !== "requests") {
    throw new ContainerConfigError(`unsupported container resource : ${resource}`);
  }
  const list: Record<string, QuantityString> = {
    ...(kind === "limits" ? (c.resources?.limits ?? {}) : (c.resources?.requests ?? {})),
  };
  if (kind === "limits") {
    // MergeContainerResourceLimits: no limit means the node's allocatable.
    for (const r of ["cpu", "memory", "ephemeral-storage"]) {
      if (list[r] === undefined && ctx.nodeAllocatable?.[r] !== undefined) list[r] = ctx.nodeAllocatable[r];
    }
  }
  if (name !== "cpu" && name !== "memory" && name !== "ephemeral-storage" && !name.startsWith("hugepages-")) {
    throw new ContainerConfigError(`unsupported container resource : ${resource}`);
  }
  const q = list[name] !== undefined ? Quantity.parse(String(list[name])) : Quantity.parse("0");
  if (name === "cpu") return String(ceilDiv(q.milliValue(), div.milliValue()));
  return String(ceilDiv(q.value(), div.value()));
}

function decodeSecret(v: string): string {
  return Buffer.from(v, "base64").toString("utf8");
}

/**
 * makeEnvironmentVariables: envFrom first, then env (later wins), each value
 * expanded against the variables before it. Throws ContainerConfigError as
 * upstream fails the container (e.g. `configmap "x" not found`).
 */
export async function makeEnvironmentVariables(ctx: EnvContext): Promise<KeyValue[]> {
  const { pod, container } = ctx;
  const ns = pod.metadata?.namespace ?? "";
  const env = new Map<string, string>();
  const lookups = ctx.lookups ?? {};

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? "";
      const cm = await lookups.configMap?.(ns, name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmaps "${name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? "";
      const secret = await lookups.secret?.(ns, name);
      if (!secret) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secrets "${name}" not found`);
      }
      for (const [k, v] of Object.entries(secret.data ?? {})) env.set(prefix + k, decodeSecret(v));
    }
  }

  const mapping = mappingFuncFor(env);
  for (const e of container.env ?? []) {
    let value = "";
    const from = e.valueFrom;
    if (e.value) {
      value = expand(e.value, mapping);
    } else if (from?.fieldRef) {
      value = podFieldValue(ctx, from.fieldRef.fieldPath);
    } else if (from?.resourceFieldRef) {
      const r = from.resourceFieldRef;
      value = containerResourceValue(ctx, r.resource, r.containerName, r.divisor);
    } else if (from?.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const name = ref.name ?? "";
      const cm = await lookups.configMap?.(ns, name);
      if (!cm) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`configmaps "${name}" not found`);
      }
      const v = cm.data?.[ref.key] ?? cm.binaryData?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${name}`);
      }
      value = v;
    } else if (from?.secretKeyRef) {
      const ref = from.secretKeyRef;
      const name = ref.name ?? "";
      const secret = await lookups.secret?.(ns, name);
      if (!secret) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`secrets "${name}" not found`);
      }
      const v = secret.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${name}`);
      }
      value = decodeSecret(v);
    }
    env.set(e.name, value);
  }
  return [...env].map(([key, value]) => ({ key, value }));
}
