// Endpoints defaults (SetDefaults_Endpoints).

import type { Endpoints } from "kubernetes-types/core/v1.d.ts";
import { defaultString, type JsonObject, objectsAt } from "./json.ts";

export function defaultEndpoints(endpoints: Endpoints | JsonObject): void {
  for (const subset of objectsAt(endpoints as JsonObject, "subsets")) {
    for (const port of objectsAt(subset, "ports")) defaultString(port, "protocol", "TCP");
  }
}
