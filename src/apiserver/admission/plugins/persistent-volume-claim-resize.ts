// PersistentVolumeClaimResize (plugin/pkg/admission/storage/persistentvolume/resize):
// a claim may ask for more storage only once it is bound, and only when its
// StorageClass, unchanged, says allowVolumeExpansion: true.
import type { Obj } from "../../../api/registry.ts";
import { Quantity } from "../../../machinery/quantity.ts";
import type { Registry } from "../../registry/index.ts";
import type { AdmissionAttributes, Operation, ValidatingPlugin } from "../admission.ts";
import { BETA_STORAGE_CLASS_ANNOTATION } from "./default-storage-class.ts";
import { admissionForbidden } from "./errors.ts";
import type { ObjectCache } from "./object-cache.ts";

/** GetPersistentVolumeClaimClass: the beta annotation first, then spec.storageClassName. */
function claimClass(pvc: Obj): string {
  const beta = pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  if (beta !== undefined) return beta;
  return pvc.spec?.storageClassName ?? "";
}

function requestedStorage(pvc: Obj): Quantity {
  return Quantity.parse(String(pvc.spec?.resources?.requests?.storage ?? "0"));
}

export class PersistentVolumeClaimResize implements ValidatingPlugin {
  readonly name = "PersistentVolumeClaimResize";

  constructor(private readonly opts: { registry: Registry; cache?: ObjectCache }) {}

  handles(op: Operation): boolean {
    return op === "UPDATE";
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.resource.group !== "" || a.resource.resource !== "persistentvolumeclaims") return;
    if (a.subresource !== "") return;
    const pvc = a.object;
    const old = a.oldObject;
    if (!pvc || !old) return;
    if (requestedStorage(pvc).cmp(requestedStorage(old)) <= 0) return;
    if (old.status?.phase !== "Bound") {
      throw admissionForbidden(a, "Only bound persistent volume claims can be expanded");
    }
    if (!(await this.allowResize(pvc, old))) {
      throw admissionForbidden(
        a,
        "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize",
      );
    }
  }

  private async allowResize(pvc: Obj, old: Obj): Promise<boolean> {
    const name = claimClass(pvc);
    if (name === "" || name !== claimClass(old)) return false;
    let sc: Obj | undefined;
    if (this.opts.cache?.synced) sc = this.opts.cache.get(undefined, name);
    else {
      const classes = this.opts.registry.byResource("storage.k8s.io", "v1", "storageclasses")!;
      sc = await classes.get(undefined, name).catch(() => undefined);
    }
    return sc?.allowVolumeExpansion === true;
  }
}
