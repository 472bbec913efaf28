// Secret defaults (SetDefaults_Secret).

import type { Secret } from "kubernetes-types/core/v1.d.ts";
import { defaultString, type JsonObject } from "./json.ts";

export function defaultSecret(secret: Secret | JsonObject): void {
  defaultString(secret as JsonObject, "type", "Opaque");
}
