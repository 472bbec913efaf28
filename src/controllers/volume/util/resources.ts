// Resources the volume controllers use that src/client/resources.ts does not list.
import type { ResourceRef } from "../../../client/rest-client.ts";

export const STORAGE_CLASSES: ResourceRef = {
  group: "storage.k8s.io",
  version: "v1",
  resource: "storageclasses",
  namespaced: false,
};
