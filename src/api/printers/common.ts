// Pieces many printers share: the Name/Age/Containers/Images columns and layoutContainerCells.
import type { Container } from "kubernetes-types/core/v1.d.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column } from "./table.ts";

const objectMeta = swaggerDoc["metav1.ObjectMeta"];

export function nameColumn(priority = 0) {
  return column("Name", "string", objectMeta.name, { format: "name", priority });
}

export function ageColumn() {
  return column("Age", "string", objectMeta.creationTimestamp);
}

export function containersColumn(priority = 1) {
  return column("Containers", "string", "Names of each container in the template.", { priority });
}

export function imagesColumn(priority = 1) {
  return column("Images", "string", "Images referenced by each container in the template.", { priority });
}

/** layoutContainerCells: container names and images, each comma-joined. */
export function layoutContainerCells(containers: Container[] | null | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? "").join(","), list.map((c) => c.image ?? "").join(",")];
}

/** listWithMoreString: "a,b,c + 2 more...", or "<unset>" for an empty list. */
export function listWithMoreString(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(",");
  if (more) return `${ret} + ${count - max} more...`;
  return ret === "" ? "<unset>" : ret;
}
