// Secrets: stringData is a write-only convenience, folded into data (base64)
// on the way in, as the v1 → internal conversion does upstream.
import type { Obj } from "../../api/registry.ts";
import { GenericStrategy } from "./strategy.ts";

export class SecretStrategy extends GenericStrategy {
  override defaults(secret: Obj): void {
    const sd = secret.stringData;
    if (sd && typeof sd === "object" && !Array.isArray(sd)) {
      secret.data = { ...(secret.data ?? {}) };
      for (const [k, v] of Object.entries(sd)) {
        if (typeof v === "string") secret.data[k] = Buffer.from(v, "utf8").toString("base64");
      }
      delete secret.stringData;
    }
    super.defaults(secret);
  }
}
