// VolumeAttachment printer: port of printVolumeAttachment (PV is empty for an inline volume spec).
import type { VolumeAttachment } from "kubernetes-types/storage/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

// The storagev1 SwaggerDoc() texts the columns quote, as in the v1.32 OpenAPI document.
const doc = {
  attacher:
    "attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().",
  persistentVolumeName: "persistentVolumeName represents the name of the persistent volume to attach.",
  nodeName: "nodeName represents the node that the volume should be attached to.",
  attached:
    "attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.",
};

function printVolumeAttachment(obj: VolumeAttachment, ctx: PrintContext): PrintedRow {
  return {
    cells: [
      obj.metadata?.name ?? "",
      obj.spec?.attacher ?? "",
      obj.spec?.source?.persistentVolumeName ?? "",
      obj.spec?.nodeName ?? "",
      obj.status?.attached ?? false,
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
    ],
  };
}

export const volumeAttachmentPrinter: TablePrinter<VolumeAttachment> = {
  columns: [
    nameColumn(),
    // Upstream gives ATTACHER the "name" format too.
    column("Attacher", "string", doc.attacher, { format: "name" }),
    column("PV", "string", doc.persistentVolumeName),
    column("Node", "string", doc.nodeName),
    column("Attached", "boolean", doc.attached),
    ageColumn(),
  ],
  print: printVolumeAttachment,
};
