// The kubelet flags that shape its Node: --node-labels (cliflag's
// MapStringString) and --register-with-taints (pkg/util/taints' taintsVar).
// Errors carry upstream's texts.
import type { Taint } from "kubernetes-types/core/v1.d.ts";
import { isQualifiedName, isValidLabelValue } from "../../machinery/validation.ts";

/** --node-labels "k1=v1,k2=v2". */
export function parseNodeLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.trim() === "") return out;
  for (const pair of s.split(",")) {
    const kv = pair.split("=");
    if (kv.length !== 2) throw new Error(`malformed pair, expect string=string`);
    out[kv[0].trim()] = kv[1].trim();
  }
  return out;
}

const EFFECTS = new Set(["NoSchedule", "PreferNoSchedule", "NoExecute"]);

/** taints.parseTaint: "key=value:effect", "key:effect" or "key". */
export function parseTaint(st: string): Taint {
  let key: string;
  let value = "";
  let effect = "";
  const parts = st.split(":");
  switch (parts.length) {
    case 1:
      key = parts[0];
      break;
    case 2: {
      effect = parts[1];
      if (!EFFECTS.has(effect)) throw new Error(`invalid taint effect: ${effect}, unsupported taint effect`);
      const kv = parts[0].split("=");
      if (kv.length > 2) throw new Error(`invalid taint spec: ${st}`);
      key = kv[0];
      if (kv.length === 2) {
        value = kv[1];
        const errs = isValidLabelValue(value);
        if (errs.length > 0) throw new Error(`invalid taint spec: ${st}, ${errs.join("; ")}`);
      }
      break;
    }
    default:
      throw new Error(`invalid taint spec: ${st}`);
  }
  const errs = isQualifiedName(key);
  if (errs.length > 0) throw new Error(`invalid taint spec: ${st}, ${errs.join("; ")}`);
  const taint: Taint = { key, effect };
  if (value !== "") taint.value = value;
  return taint;
}

/** --register-with-taints "k=v:NoSchedule,k2:NoExecute". */
export function parseRegisterWithTaints(s: string): Taint[] {
  if (s === "") return [];
  return s.split(",").map(parseTaint);
}
