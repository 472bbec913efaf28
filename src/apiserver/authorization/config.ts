// The apiserver's authorizer from --authorization-mode (pkg/kubeapiserver/
// authorizer/config.go): system:masters first (always allowed), then each mode
// in order; plus what the modes need running: the RBAC watch cache, the
// bootstrap policy reconciled at start, ClusterRole aggregation, and the
// Node authorizer's pod graph.
import type { ValidatingPlugin } from "../admission/admission.ts";
import { SYSTEM_MASTERS } from "../authentication/user.ts";
import type { VirtualCreate } from "../handlers/rest.ts";
import { log } from "../log.ts";
import type { Registry } from "../registry/index.ts";
import { type Authorizer, allowAll, UnionAuthorizer } from "./authorizer.ts";
import { NodeAuthorizer } from "./node.ts";
import { ClusterRoleAggregator } from "./rbac/aggregation.ts";
import { RBACAuthorizer } from "./rbac/authorizer.ts";
import { RbacCache } from "./rbac/cache.ts";
import { RBACEscalation } from "./rbac/escalation.ts";
import { reconcileBootstrapPolicy } from "./rbac/reconcile.ts";
import { RuleResolver } from "./rbac/resolver.ts";
import { rbacVirtualHandlers } from "./reviews.ts";
import { type RuleResolver as SubjectRuleResolver, UnionRuleResolver } from "./rule-resolver.ts";

export type AuthorizationMode = "Node" | "RBAC" | "AlwaysAllow";

export interface BuildAuthorizerOptions {
  registry: Registry;
  /** --authorization-mode, in order. */
  modes?: AuthorizationMode[];
  /** Reconcile the bootstrap roles and bindings at start (default true). */
  reconcile?: boolean;
  onError?: (e: unknown) => void;
  /** Where reconciliation reports what it created and updated. */
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface BuiltAuthorizer {
  /** For ApiServerOptions.authorizer. */
  authorizer: Authorizer;
  /** The modes' rule resolvers, for SelfSubjectRulesReview. */
  ruleResolver: SubjectRuleResolver;
  /** The RBAC escalation check, for the validating admission chain (undefined without RBAC). */
  escalation?: ValidatingPlugin;
  /** For RestOptions.virtual: the authorization.k8s.io reviews. */
  virtualHandlers: Map<string, VirtualCreate>;
  rbac?: RBACAuthorizer;
  cache?: RbacCache;
  node?: NodeAuthorizer;
  aggregator?: ClusterRoleAggregator;
  /** Reconciles the bootstrap policy, fills the caches and starts aggregation; serve after it resolves. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** authorizerfactory.NewPrivilegedGroups: members of system:masters may do anything, with no reason given. */
export const privilegedGroups = (...groups: string[]): Authorizer => ({
  authorize: (a) =>
    a.user.groups.some((g) => groups.includes(g))
      ? { decision: "Allow", reason: "" }
      : { decision: "NoOpinion", reason: "" },
});

export function buildAuthorizer(opts: BuildAuthorizerOptions): BuiltAuthorizer {
  const modes = opts.modes ?? ["Node", "RBAC"];
  const onError = opts.onError ?? ((e: unknown) => log.error("authorization cache", { err: String(e) }));
  const authorizers: Authorizer[] = [privilegedGroups(SYSTEM_MASTERS)];
  const resolvers: SubjectRuleResolver[] = [];
  let cache: RbacCache | undefined;
  let rbac: RBACAuthorizer | undefined;
  let node: NodeAuthorizer | undefined;
  let aggregator: ClusterRoleAggregator | undefined;
  for (const mode of modes) {
    switch (mode) {
      case "Node":
        node = new NodeAuthorizer({ registry: opts.registry, onError });
        authorizers.push(node);
        resolvers.push(node);
        break;
      case "RBAC":
        cache = new RbacCache({ registry: opts.registry, onError });
        rbac = new RBACAuthorizer(new RuleResolver(cache));
        aggregator = new ClusterRoleAggregator({ registry: opts.registry, cache, onError });
        authorizers.push(rbac);
        resolvers.push(rbac);
        break;
      case "AlwaysAllow":
        authorizers.push(allowAll);
        break;
    }
  }
  const authorizer = new UnionAuthorizer(authorizers);
  const ruleResolver = new UnionRuleResolver(resolvers);
  return {
    authorizer,
    ruleResolver,
    escalation: rbac ? new RBACEscalation({ registry: opts.registry, authorizer }) : undefined,
    virtualHandlers: rbacVirtualHandlers({ authorizer, ruleResolver }),
    rbac,
    cache,
    node,
    aggregator,
    async start() {
      if (rbac && opts.reconcile !== false) {
        // As upstream, one object failing does not stop the others, nor the apiserver.
        await reconcileBootstrapPolicy({ registry: opts.registry, log: opts.log }).catch(onError);
      }
      await Promise.all([cache?.start(), node?.start()]);
      await aggregator?.start();
    },
    async stop() {
      await aggregator?.stop();
      await Promise.all([cache?.stop(), node?.stop()]);
    },
  };
}
