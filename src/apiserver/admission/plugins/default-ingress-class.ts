// DefaultIngressClass (plugin/pkg/admission/network/defaultingressclass): a
// new Ingress that names no class, by field or by the old annotation, gets the
// IngressClass annotated ingressclass.kubernetes.io/is-default-class=true (the
// newest if several, then by name).
import type { Obj } from "../../../api/registry.ts";
import type { Registry } from "../../registry/index.ts";
import type { AdmissionAttributes, MutatingPlugin, Operation } from "../admission.ts";
import { defaultClass } from "./default-storage-class.ts";
import { admissionForbidden } from "./errors.ts";
import { ObjectCache } from "./object-cache.ts";

export const IS_DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
/** The class annotation Ingresses used before spec.ingressClassName. */
export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

const isDefaultIngressClass = (c: Obj) =>
  c.metadata?.annotations?.[IS_DEFAULT_INGRESS_CLASS_ANNOTATION] === "true";

export class DefaultIngressClass implements MutatingPlugin {
  readonly name = "DefaultIngressClass";

  private readonly classes: ObjectCache;

  /** Without a running cache, every read goes to the store. */
  constructor(opts: { registry: Registry; cache?: ObjectCache }) {
    this.classes =
      opts.cache ?? new ObjectCache(opts.registry.byResource("networking.k8s.io", "v1", "ingressclasses")!);
  }

  handles(op: Operation): boolean {
    return op === "CREATE";
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.resource.group !== "networking.k8s.io" || a.resource.resource !== "ingresses") return;
    if (a.subresource !== "") return;
    const ingress = a.object;
    if (!ingress || a.kind.kind !== "Ingress") return;
    if (ingress.spec?.ingressClassName != null) return;
    if (Object.hasOwn(ingress.metadata?.annotations ?? {}, INGRESS_CLASS_ANNOTATION)) return;
    let classes: Obj[];
    try {
      classes = await this.classes.listAll();
    } catch (e) {
      throw admissionForbidden(a, e as Error);
    }
    const def = defaultClass(classes, isDefaultIngressClass);
    if (!def) return;
    ingress.spec ??= {};
    ingress.spec.ingressClassName = def.metadata.name;
  }
}
