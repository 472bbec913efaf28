// flowcontrol.apiserver.k8s.io/v1 defaults (pkg/apis/flowcontrol/v1/defaults.go), chained as
// zz_generated.defaults.go chains them: a FlowSchema's spec always; a priority level's limited
// and exempt members, and the queuing of limited.limitResponse, only where the object has them.

import type { FlowSchema, PriorityLevelConfiguration } from "kubernetes-types/flowcontrol/v1.d.ts";
import { defaultNumber, defaultPointer, type JsonObject, objectAt, structAt } from "./json.ts";

/** FlowSchemaDefaultMatchingPrecedence. */
export const flowSchemaDefaultMatchingPrecedence = 1000;
/** PriorityLevelConfigurationDefault*: shares, queues, hand size, queue length limit. */
export const priorityLevelDefaultNominalConcurrencyShares = 30;
export const priorityLevelDefaultQueues = 64;
export const priorityLevelDefaultHandSize = 8;
export const priorityLevelDefaultQueueLengthLimit = 50;

/** SetObjectDefaults_FlowSchema: SetDefaults_FlowSchemaSpec (an int32, so 0 counts as unset). */
export function defaultFlowSchema(flowSchema: FlowSchema | JsonObject): void {
  const spec = structAt(flowSchema as JsonObject, "spec");
  if (spec) defaultNumber(spec, "matchingPrecedence", flowSchemaDefaultMatchingPrecedence);
}

/**
 * SetObjectDefaults_PriorityLevelConfiguration. The v1 shares are a pointer:
 * only nil becomes 30, an explicit 0 stays 0. Queuing is defaulted only when
 * present; a Queue response without it is left for validation to refuse.
 */
export function defaultPriorityLevelConfiguration(plc: PriorityLevelConfiguration | JsonObject): void {
  const spec = objectAt(plc as JsonObject, "spec");
  if (!spec) return;
  const limited = objectAt(spec, "limited");
  if (limited) {
    defaultPointer(limited, "nominalConcurrencyShares", priorityLevelDefaultNominalConcurrencyShares);
    defaultPointer(limited, "lendablePercent", 0);
    const limitResponse = objectAt(limited, "limitResponse");
    const queuing = limitResponse ? objectAt(limitResponse, "queuing") : undefined;
    if (queuing) {
      // Fields added in the Go struct's order (upstream sets handSize first; the values are independent).
      defaultNumber(queuing, "queues", priorityLevelDefaultQueues);
      defaultNumber(queuing, "handSize", priorityLevelDefaultHandSize);
      defaultNumber(queuing, "queueLengthLimit", priorityLevelDefaultQueueLengthLimit);
    }
  }
  const exempt = objectAt(spec, "exempt");
  if (exempt) {
    defaultPointer(exempt, "nominalConcurrencyShares", 0);
    defaultPointer(exempt, "lendablePercent", 0);
  }
}
