// An in-memory stand-in for the apiserver's nodes and leases, for the unit
// tests of this folder (client-go's fake clientset in spirit): enough of
// get/create/update/patch to count writes and inject failures. Integration
// tests use the real apiserver (test/support/apiserver.ts).
import { randomUUID } from "node:crypto";
import { ApiError } from "../../client/api-error.ts";
import type {
  KubeObject,
  ObjectOptions,
  PatchOptions,
  ResourceRef,
  RestClient,
} from "../../client/rest-client.ts";
import { type JSONObject, strategicMergePatch } from "../../machinery/patch/strategic-merge.ts";
import type { Status } from "../../machinery/status.ts";
import { nodePatchSchema } from "./node-status-patch.ts";

export interface FakeCall {
  verb: "get" | "create" | "update" | "patch";
  resource: string;
  name: string;
  subresource?: string;
  body?: unknown;
}

const REASONS: Record<number, Status["reason"]> = {
  404: "NotFound",
  409: "Conflict",
  500: "InternalError",
  503: "ServiceUnavailable",
};

function apiError(code: number, message: string, reason?: Status["reason"]): ApiError {
  return new ApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: reason ?? REASONS[code] ?? "",
    code,
  });
}

export class FakeApi {
  readonly objects = new Map<string, KubeObject & Record<string, unknown>>();
  readonly calls: FakeCall[] = [];
  private rv = 0;
  private failures: Array<{ match: (c: FakeCall) => boolean; code: number }> = [];

  /** Makes the next n calls that match fail with the HTTP code (503 by default). */
  failNext(n: number, match: (c: FakeCall) => boolean = () => true, code = 503): void {
    for (let i = 0; i < n; i++) this.failures.push({ match, code });
  }

  writes(resource?: string): FakeCall[] {
    return this.calls.filter((c) => c.verb !== "get" && (!resource || c.resource === resource));
  }

  private key(res: ResourceRef, name: string, namespace?: string): string {
    return `${res.resource}/${res.namespaced ? (namespace ?? "") : ""}/${name}`;
  }

  private record(c: FakeCall): void {
    this.calls.push(c);
    const i = this.failures.findIndex((f) => f.match(c));
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      throw apiError(f.code, `injected failure ${f.code}`);
    }
  }

  private stored<T>(res: ResourceRef, name: string, namespace?: string): T {
    const o = this.objects.get(this.key(res, name, namespace));
    if (!o) throw apiError(404, `${res.resource} "${name}" not found`);
    return structuredClone(o) as T;
  }

  private put(
    res: ResourceRef,
    obj: KubeObject & Record<string, unknown>,
  ): KubeObject & Record<string, unknown> {
    obj.metadata = { ...obj.metadata, resourceVersion: String(++this.rv) };
    this.objects.set(this.key(res, obj.metadata.name ?? "", obj.metadata.namespace), structuredClone(obj));
    return obj;
  }

  /** A RestClient whose calls land here. */
  get client(): RestClient {
    const api = this;
    const fake = {
      async get<T>(res: ResourceRef, name: string, opts: ObjectOptions = {}): Promise<T> {
        api.record({ verb: "get", resource: res.resource, name, subresource: opts.subresource });
        return api.stored<T>(res, name, opts.namespace);
      },
      async create<T extends KubeObject>(res: ResourceRef, obj: T, opts: ObjectOptions = {}): Promise<T> {
        const name = obj.metadata?.name ?? "";
        api.record({ verb: "create", resource: res.resource, name, body: structuredClone(obj) });
        const ns = opts.namespace ?? obj.metadata?.namespace;
        if (api.objects.has(api.key(res, name, ns))) {
          throw apiError(409, `${res.resource} "${name}" already exists`, "AlreadyExists");
        }
        const o = structuredClone(obj) as T & Record<string, unknown>;
        o.metadata = { ...o.metadata, namespace: res.namespaced ? ns : undefined, uid: randomUUID() };
        return api.put(res, o) as T;
      },
      async update<T extends KubeObject>(res: ResourceRef, obj: T, opts: ObjectOptions = {}): Promise<T> {
        const name = obj.metadata?.name ?? "";
        api.record({ verb: "update", resource: res.resource, name, body: structuredClone(obj) });
        const ns = opts.namespace ?? obj.metadata?.namespace;
        const old = api.stored<KubeObject>(res, name, ns);
        if (obj.metadata?.resourceVersion && obj.metadata.resourceVersion !== old.metadata?.resourceVersion) {
          throw apiError(
            409,
            "the object has been modified; please apply your changes to the latest version and try again",
          );
        }
        return api.put(res, structuredClone(obj) as T & Record<string, unknown>) as T;
      },
      async patch<T>(res: ResourceRef, name: string, patch: unknown, opts: PatchOptions): Promise<T> {
        api.record({
          verb: "patch",
          resource: res.resource,
          name,
          subresource: opts.subresource,
          body: patch,
        });
        const old = api.stored<JSONObject>(res, name, opts.namespace);
        const merged = strategicMergePatch(old, patch, nodePatchSchema) as KubeObject &
          Record<string, unknown>;
        // nodes/status keeps the spec (nodeStatusStrategy); metadata may change, as upstream.
        if (opts.subresource === "status") merged.spec = old.spec;
        return api.put(res, merged) as T;
      },
    };
    return fake as unknown as RestClient;
  }
}
