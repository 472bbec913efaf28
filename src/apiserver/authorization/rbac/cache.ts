// Roles, ClusterRoles, RoleBindings and ClusterRoleBindings in memory, kept
// current from the store: what upstream's RBAC authorizer reads from its
// informer listers, so authorization never reads the store per request.
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "kubernetes-types/rbac/v1.d.ts";
import type { Registry } from "../../registry/index.ts";
import { StoreMirror } from "../store-mirror.ts";
import type { RoleSource } from "./resolver.ts";
import { RBAC_GROUP } from "./rule.ts";

export interface RbacCacheOptions {
  registry: Registry;
  onError?: (e: unknown) => void;
}

export class RbacCache implements RoleSource {
  readonly roles: StoreMirror<Role>;
  readonly clusterRoles: StoreMirror<ClusterRole>;
  readonly roleBindings: StoreMirror<RoleBinding>;
  readonly clusterRoleBindings: StoreMirror<ClusterRoleBinding>;
  private readonly clusterRoleListeners = new Set<() => void>();

  constructor(opts: RbacCacheOptions) {
    const mirror = <T>(resource: string, onChange?: () => void) => {
      const rs = opts.registry.byResource(RBAC_GROUP, "v1", resource);
      if (!rs) throw new Error(`${resource}.${RBAC_GROUP} is not served`);
      return new StoreMirror<T>({
        store: opts.registry.store,
        prefix: rs.prefix(),
        decode: (kv) => rs.decode(kv),
        onChange,
        onError: opts.onError,
      });
    };
    this.roles = mirror<Role>("roles");
    this.clusterRoles = mirror<ClusterRole>("clusterroles", () => {
      for (const l of this.clusterRoleListeners) l();
    });
    this.roleBindings = mirror<RoleBinding>("rolebindings");
    this.clusterRoleBindings = mirror<ClusterRoleBinding>("clusterrolebindings");
  }

  private get mirrors() {
    return [this.roles, this.clusterRoles, this.roleBindings, this.clusterRoleBindings];
  }

  async start(): Promise<void> {
    await Promise.all(this.mirrors.map((m) => m.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.mirrors.map((m) => m.stop()));
  }

  /** Calls `fn` after every change to ClusterRoles (the aggregation loop's trigger). */
  onClusterRoleChange(fn: () => void): () => void {
    this.clusterRoleListeners.add(fn);
    return () => this.clusterRoleListeners.delete(fn);
  }

  getRole(namespace: string, name: string): Role | undefined {
    return this.roles.get(namespace, name);
  }

  getClusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.get("", name);
  }

  listRoleBindings(namespace: string): RoleBinding[] {
    return this.roleBindings.list(namespace);
  }

  listClusterRoleBindings(): ClusterRoleBinding[] {
    return this.clusterRoleBindings.list("");
  }

  listClusterRoles(): ClusterRole[] {
    return this.clusterRoles.list("");
  }
}
