// scheduling.k8s.io/v1 PriorityClass defaults (SetDefaults_PriorityClass).

import type { PriorityClass } from "kubernetes-types/scheduling/v1.d.ts";
import { defaultPointer, type JsonObject } from "./json.ts";

export function defaultPriorityClass(priorityClass: PriorityClass | JsonObject): void {
  defaultPointer(priorityClass as JsonObject, "preemptionPolicy", "PreemptLowerPriority");
}
