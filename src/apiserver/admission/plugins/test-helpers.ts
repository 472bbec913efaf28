// Shared by the plugins' unit tests: a registry on in-memory SQLite and
// admission attributes for a request.
import type { Obj } from "../../../api/registry.ts";
import { findResource } from "../../../api/registry.ts";
import type { StatusError } from "../../../machinery/status.ts";
import { SqliteStore } from "../../../storage/sqlite.ts";
import type { UserInfo } from "../../authentication/user.ts";
import { Registry } from "../../registry/index.ts";
import type { AdmissionAttributes, Operation } from "../admission.ts";

export function newRegistry(): Registry {
  return new Registry(new SqliteStore({ path: ":memory:" }));
}

export const admin: UserInfo = { name: "admin", groups: ["system:masters", "system:authenticated"] };

export interface AttrsInit {
  operation?: Operation;
  group?: string;
  version?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  object?: Obj;
  oldObject?: Obj;
  user?: UserInfo;
  dryRun?: boolean;
}

/** Attributes as the REST handler builds them, kind looked up from the resource. */
export function attrs(init: AttrsInit): AdmissionAttributes {
  const group = init.group ?? "";
  const version = init.version ?? "v1";
  const type = findResource(group, version, init.resource);
  if (!type) throw new Error(`no resource ${group}/${version}/${init.resource}`);
  const obj = init.object;
  const old = init.oldObject;
  return {
    operation: init.operation ?? "CREATE",
    kind: { group, version, kind: type.kind },
    resource: { group, version, resource: init.resource },
    subresource: init.subresource ?? "",
    namespace: init.namespace ?? obj?.metadata?.namespace ?? old?.metadata?.namespace ?? "",
    name: init.name ?? obj?.metadata?.name ?? old?.metadata?.name ?? "",
    object: obj,
    oldObject: old,
    user: init.user ?? admin,
    dryRun: init.dryRun ?? false,
    warnings: [],
  };
}

/** The Status of a refusal, for assert.rejects. */
export function status(e: unknown): StatusError["status"] {
  return (e as StatusError).status;
}

export function pod(name: string, namespace = "default", spec: Obj = {}, metadata: Obj = {}): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, ...metadata },
    spec: { containers: [{ name: "c", image: "busybox" }], ...spec },
  };
}
