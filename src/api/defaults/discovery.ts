// discovery.k8s.io/v1 EndpointSlice defaults (SetDefaults_EndpointPort).

import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { defaultPointer, type JsonObject, objectsAt } from "./json.ts";

export function defaultEndpointSlice(slice: EndpointSlice | JsonObject): void {
  for (const port of objectsAt(slice as JsonObject, "ports")) {
    defaultPointer(port, "name", "");
    defaultPointer(port, "protocol", "TCP");
  }
}
