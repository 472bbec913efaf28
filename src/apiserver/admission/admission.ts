// Admission (k8s.io/apiserver/pkg/admission): after authorization, mutating
// plugins may change the object, then (after the strategy's own defaults and
// validation) validating plugins may refuse it. Order as upstream: managed
// fields → mutating admission → strategy prepare + validate → validating
// admission → store.
import type { UserInfo } from "../authentication/user.ts";

export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

// biome-ignore lint/suspicious/noExplicitAny: objects of every kind pass through admission.
export type Obj = Record<string, any>;

export interface AdmissionAttributes {
  operation: Operation;
  /** Group, version and kind of the object (e.g. "", "v1", "Pod"). */
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subresource: string;
  namespace: string;
  name: string;
  /** The new object (CREATE, UPDATE; CONNECT options); mutating plugins change it in place. */
  object?: Obj;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: Obj;
  user: UserInfo;
  dryRun: boolean;
  /** CreateOptions / UpdateOptions / DeleteOptions of the request. */
  options?: Obj;
  /** Warnings for the response's Warning headers (PodSecurity warn mode, …). */
  warnings: string[];
  /** Adds an annotation to the request's audit event (upstream's Attributes.AddAnnotation). */
  addAnnotation?: (key: string, value: string) => void;
}

export interface AdmissionPlugin {
  readonly name: string;
  handles(op: Operation): boolean;
}

export interface MutatingPlugin extends AdmissionPlugin {
  /** Changes attrs.object in place, or throws a StatusError. */
  admit(attrs: AdmissionAttributes): Promise<void> | void;
}

export interface ValidatingPlugin extends AdmissionPlugin {
  /** Throws a StatusError to refuse. */
  validate(attrs: AdmissionAttributes): Promise<void> | void;
}

export class AdmissionChain {
  constructor(
    readonly mutating: MutatingPlugin[] = [],
    readonly validating: ValidatingPlugin[] = [],
  ) {}

  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.mutating) if (p.handles(a.operation)) await p.admit(a);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.validating) if (p.handles(a.operation)) await p.validate(a);
  }
}
