// StorageClass printer: port of printStorageClass (NAME gets " (default)" for the default class).
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

const IS_DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";

function printStorageClass(obj: StorageClass, ctx: PrintContext): PrintedRow {
  const annotations = obj.metadata?.annotations ?? {};
  let name = obj.metadata?.name ?? "";
  if (
    annotations[IS_DEFAULT_STORAGE_CLASS_ANNOTATION] === "true" ||
    annotations[BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION] === "true"
  ) {
    name += " (default)";
  }
  return {
    cells: [
      name,
      obj.provisioner ?? "",
      obj.reclaimPolicy ?? "Delete",
      obj.volumeBindingMode ?? "Immediate",
      obj.allowVolumeExpansion ?? false,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

const sc = swaggerDoc["storagev1.StorageClass"];

export const storageClassPrinter: TablePrinter<StorageClass> = {
  columns: [
    nameColumn(),
    column("Provisioner", "string", sc.provisioner),
    column("ReclaimPolicy", "string", sc.reclaimPolicy),
    column("VolumeBindingMode", "string", sc.volumeBindingMode),
    column("AllowVolumeExpansion", "string", sc.allowVolumeExpansion),
    ageColumn(),
  ],
  print: printStorageClass,
};
