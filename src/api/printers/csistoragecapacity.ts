// CSIStorageCapacity printer: port of printCSIStorageCapacity. Upstream registers no AGE
// column for this kind: the table is NAME, STORAGECLASSNAME, CAPACITY.
import type { CSIStorageCapacity } from "kubernetes-types/storage/v1.d.ts";
import { nameColumn } from "./common.ts";
import { formatQuantity } from "./quantity.ts";
import { column, type PrintedRow, type TablePrinter } from "./table.ts";

// storagev1.CSIStorageCapacity{}.SwaggerDoc(), as in the v1.32 OpenAPI document.
const doc = {
  storageClassName:
    "storageClassName represents the name of the StorageClass that the reported capacity applies to. It must meet the same requirements as the name of a StorageClass object (non-empty, DNS subdomain). If that object no longer exists, the CSIStorageCapacity object is obsolete and should be removed by its creator. This field is immutable.",
  capacity:
    "capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.\n\nThe semantic is currently (CSI spec 1.2) defined as: The available capacity, in bytes, of the storage that can be used to provision volumes. If not set, that information is currently unavailable.",
};

function printCSIStorageCapacity(obj: CSIStorageCapacity): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.storageClassName ?? "",
      obj.capacity == null ? "<unset>" : formatQuantity(obj.capacity),
    ],
  };
}

export const csiStorageCapacityPrinter: TablePrinter<CSIStorageCapacity> = {
  columns: [
    nameColumn(),
    column("StorageClassName", "string", doc.storageClassName),
    column("Capacity", "string", doc.capacity),
  ],
  print: printCSIStorageCapacity,
};
