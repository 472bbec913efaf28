// PersistentVolumeClaim printer: port of printPersistentVolumeClaim. CAPACITY and ACCESS MODES show only once
// the claim names a volume.
import type { PersistentVolumeClaim } from "kubernetes-types/core/v1.d.ts";
import { accessModesAsString, storageClassOf } from "./accessmodes.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { formatQuantity } from "./quantity.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

function printPersistentVolumeClaim(obj: PersistentVolumeClaim, ctx: PrintContext): PrintedRow {
  const spec = obj.spec ?? {};
  const phase = obj.metadata?.deletionTimestamp ? "Terminating" : (obj.status?.phase ?? "");
  let capacity = "";
  let accessModes = "";
  if (spec.volumeName) {
    accessModes = accessModesAsString(obj.status?.accessModes);
    capacity = formatQuantity(obj.status?.capacity?.storage);
  }
  return {
    cells: [
      obj.metadata?.name ?? "",
      phase,
      spec.volumeName ?? "",
      capacity,
      accessModes,
      storageClassOf(obj.metadata, spec.storageClassName),
      spec.volumeAttributesClassName ?? "<unset>",
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      spec.volumeMode ?? "<unset>",
    ],
  };
}

const pvcSpec = swaggerDoc["apiv1.PersistentVolumeClaimSpec"];
const pvcStatus = swaggerDoc["apiv1.PersistentVolumeClaimStatus"];

export const persistentVolumeClaimPrinter: TablePrinter<PersistentVolumeClaim> = {
  columns: [
    nameColumn(),
    column("Status", "string", pvcStatus.phase),
    column("Volume", "string", pvcSpec.volumeName),
    column("Capacity", "string", pvcStatus.capacity),
    column("Access Modes", "string", pvcStatus.accessModes),
    column("StorageClass", "string", "StorageClass of the pvc"),
    column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
    ageColumn(),
    column("VolumeMode", "string", pvcSpec.volumeMode, { priority: 1 }),
  ],
  print: printPersistentVolumeClaim,
};
