// PersistentVolume printer: port of printPersistentVolume.
import type { PersistentVolume } from "kubernetes-types/core/v1.d.ts";
import { accessModesAsString, storageClassOf } from "./accessmodes.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { formatQuantity } from "./quantity.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printPersistentVolume(obj: PersistentVolume, ctx: PrintContext): PrintedRow {
  const spec = obj.spec ?? {};
  const claimRef = spec.claimRef ? `${spec.claimRef.namespace ?? ""}/${spec.claimRef.name ?? ""}` : "";
  const phase = obj.metadata?.deletionTimestamp ? "Terminating" : (obj.status?.phase ?? "");
  return {
    cells: [
      obj.metadata?.name ?? "",
      formatQuantity(spec.capacity?.storage),
      accessModesAsString(spec.accessModes),
      spec.persistentVolumeReclaimPolicy ?? "",
      phase,
      claimRef,
      storageClassOf(obj.metadata, spec.storageClassName),
      spec.volumeAttributesClassName ?? "<unset>",
      obj.status?.reason ?? "",
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      spec.volumeMode ?? "<unset>",
    ],
  };
}

const pvSpec = swaggerDoc["apiv1.PersistentVolumeSpec"];
const pvStatus = swaggerDoc["apiv1.PersistentVolumeStatus"];

export const persistentVolumePrinter: TablePrinter<PersistentVolume> = {
  columns: [
    nameColumn(),
    column("Capacity", "string", pvSpec.capacity),
    column("Access Modes", "string", pvSpec.accessModes),
    column("Reclaim Policy", "string", pvSpec.persistentVolumeReclaimPolicy),
    column("Status", "string", pvStatus.phase),
    column("Claim", "string", pvSpec.claimRef),
    column("StorageClass", "string", "StorageClass of the pv"),
    column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
    column("Reason", "string", pvStatus.reason),
    ageColumn(),
    column("VolumeMode", "string", pvSpec.volumeMode, { priority: 1 }),
  ],
  print: printPersistentVolume,
};
