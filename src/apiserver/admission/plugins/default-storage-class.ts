// DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault):
// a new PersistentVolumeClaim that names no class gets the default one, the
// StorageClass annotated storageclass.kubernetes.io/is-default-class=true (the
// newest if several, then by name, as 1.32's GetDefaultClass picks).
import type { Obj } from "../../../api/registry.ts";
import type { Registry } from "../../registry/index.ts";
import type { AdmissionAttributes, MutatingPlugin, Operation } from "../admission.ts";
import { admissionForbidden } from "./errors.ts";
import { ObjectCache } from "./object-cache.ts";

export const IS_DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
export const BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
export const BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

export function isDefaultClass(sc: Obj): boolean {
  const ann = sc.metadata?.annotations ?? {};
  return (
    ann[IS_DEFAULT_STORAGE_CLASS_ANNOTATION] === "true" ||
    ann[BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION] === "true"
  );
}

/** GetDefaultClass: newest creationTimestamp first, then name ascending (DefaultIngressClass picks alike). */
export function defaultClass(
  classes: Obj[],
  isDefault: (c: Obj) => boolean = isDefaultClass,
): Obj | undefined {
  const defaults = classes.filter(isDefault);
  defaults.sort((x, y) => {
    const tx = Date.parse(x.metadata?.creationTimestamp ?? "") || 0;
    const ty = Date.parse(y.metadata?.creationTimestamp ?? "") || 0;
    if (tx !== ty) return ty - tx;
    const nx = x.metadata?.name ?? "";
    const ny = y.metadata?.name ?? "";
    return nx < ny ? -1 : nx > ny ? 1 : 0;
  });
  return defaults[0];
}

export class DefaultStorageClass implements MutatingPlugin {
  readonly name = "DefaultStorageClass";

  private readonly classes: ObjectCache;

  /** Without a running cache, every read goes to the store. */
  constructor(opts: { registry: Registry; cache?: ObjectCache }) {
    this.classes =
      opts.cache ?? new ObjectCache(opts.registry.byResource("storage.k8s.io", "v1", "storageclasses")!);
  }

  handles(op: Operation): boolean {
    return op === "CREATE";
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.resource.group !== "" || a.resource.resource !== "persistentvolumeclaims") return;
    if (a.subresource !== "") return;
    const pvc = a.object;
    if (!pvc || a.kind.kind !== "PersistentVolumeClaim") return;
    // The user asked for a class, even "" (no class at all).
    if (Object.hasOwn(pvc.metadata?.annotations ?? {}, BETA_STORAGE_CLASS_ANNOTATION)) return;
    if (pvc.spec?.storageClassName != null) return;
    let classes: Obj[];
    try {
      classes = await this.classes.listAll();
    } catch (e) {
      throw admissionForbidden(a, e as Error);
    }
    const def = defaultClass(classes);
    if (!def) return;
    pvc.spec ??= {};
    pvc.spec.storageClassName = def.metadata.name;
  }
}
