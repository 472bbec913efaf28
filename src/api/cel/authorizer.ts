// Kubernetes' authz CEL library (k8s.io/apiserver/pkg/cel/library/authz.go):
// the `authorizer` of admission policies and webhook match conditions asks
// the apiserver's authorizer about the requesting user, or about a service
// account, e.g.
//   authorizer.group('apps').resource('deployments').namespace('x').check('update').allowed()
//   authorizer.serviceAccount('ns', 'sa').path('/healthz').check('get').reason()
//   authorizer.requestResource.check('approve').allowed()
// A check is asynchronous; cel-js awaits it.
import type { Environment } from "@marcbachmann/cel-js";

export interface AuthzUser {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** What one check asks (authorizer.Attributes without the user, which the Authorizer carries). */
export interface AuthzCheck {
  verb: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface AuthzAnswer {
  decision: "Allow" | "Deny" | "NoOpinion";
  reason: string;
  error?: string;
}

export type AuthorizeFn = (user: AuthzUser, check: AuthzCheck) => Promise<AuthzAnswer>;

export class ResourceCheck {
  constructor(
    readonly authorizer: Authorizer,
    readonly apiGroup: string,
    readonly resource: string,
    readonly subresource = "",
    readonly namespace = "",
    readonly name = "",
  ) {}
}

export class Authorizer {
  constructor(
    readonly authorize: AuthorizeFn,
    readonly user: AuthzUser,
    /** The request's own resource, for `authorizer.requestResource`. */
    readonly request?: {
      apiGroup: string;
      resource: string;
      subresource: string;
      namespace: string;
      name: string;
    },
  ) {}

  get requestResource(): ResourceCheck {
    const r = this.request ?? { apiGroup: "", resource: "", subresource: "", namespace: "", name: "" };
    return new ResourceCheck(this, r.apiGroup, r.resource, r.subresource, r.namespace, r.name);
  }
}

class GroupCheck {
  constructor(
    readonly authorizer: Authorizer,
    readonly apiGroup: string,
  ) {}
}

class PathCheck {
  constructor(
    readonly authorizer: Authorizer,
    readonly path: string,
  ) {}
}

class Decision {
  constructor(readonly answer: AuthzAnswer) {}
}

const blank = { path: "", apiGroup: "", resource: "", subresource: "", namespace: "", name: "" };

async function decide(a: Authorizer, check: AuthzCheck): Promise<Decision> {
  try {
    return new Decision(await a.authorize(a.user, check));
  } catch (e) {
    return new Decision({ decision: "NoOpinion", reason: "", error: (e as Error).message });
  }
}

export function registerAuthzLibrary(env: Environment): void {
  const withResource = (r: ResourceCheck, change: Partial<ResourceCheck>) =>
    new ResourceCheck(
      r.authorizer,
      r.apiGroup,
      r.resource,
      change.subresource ?? r.subresource,
      change.namespace ?? r.namespace,
      change.name ?? r.name,
    );
  env
    .registerType("ResourceCheck", ResourceCheck as never)
    .registerType("Authorizer", { ctor: Authorizer, fields: { requestResource: "ResourceCheck" } } as never)
    .registerType("GroupCheck", GroupCheck as never)
    .registerType("PathCheck", PathCheck as never)
    .registerType("Decision", Decision as never)
    .registerFunction("Authorizer.path(string): PathCheck", (a: Authorizer, p: string) => new PathCheck(a, p))
    .registerFunction(
      "Authorizer.group(string): GroupCheck",
      (a: Authorizer, g: string) => new GroupCheck(a, g),
    )
    .registerFunction(
      "Authorizer.serviceAccount(string, string): Authorizer",
      (a: Authorizer, namespace: string, name: string) =>
        new Authorizer(a.authorize, {
          name: `system:serviceaccount:${namespace}:${name}`,
          groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`],
        }),
    )
    .registerFunction(
      "GroupCheck.resource(string): ResourceCheck",
      (g: GroupCheck, resource: string) => new ResourceCheck(g.authorizer, g.apiGroup, resource),
    )
    .registerFunction("ResourceCheck.subresource(string): ResourceCheck", (r: ResourceCheck, s: string) =>
      withResource(r, { subresource: s }),
    )
    .registerFunction("ResourceCheck.namespace(string): ResourceCheck", (r: ResourceCheck, s: string) =>
      withResource(r, { namespace: s }),
    )
    .registerFunction("ResourceCheck.name(string): ResourceCheck", (r: ResourceCheck, s: string) =>
      withResource(r, { name: s }),
    )
    .registerFunction("ResourceCheck.check(string): Decision", (r: ResourceCheck, verb: string) =>
      decide(r.authorizer, {
        ...blank,
        verb,
        isResourceRequest: true,
        apiGroup: r.apiGroup,
        resource: r.resource,
        subresource: r.subresource,
        namespace: r.namespace,
        name: r.name,
      }),
    )
    .registerFunction("PathCheck.check(string): Decision", (p: PathCheck, verb: string) =>
      decide(p.authorizer, { ...blank, verb, isResourceRequest: false, path: p.path }),
    )
    .registerFunction("Decision.allowed(): bool", (d: Decision) => d.answer.decision === "Allow")
    .registerFunction("Decision.reason(): string", (d: Decision) => d.answer.reason ?? "")
    .registerFunction("Decision.errored(): bool", (d: Decision) => d.answer.error !== undefined)
    .registerFunction("Decision.error(): string", (d: Decision) => d.answer.error ?? "");
}
