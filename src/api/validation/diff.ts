// A short rendering of how two specs differ, appended to "may not change"
// messages the way upstream appends cmp.Diff output. go-cmp's exact layout is
// deliberately unstable upstream, so only the top-level changed fields are
// shown, in its +/- style.

import type { DecodeType } from "../strict-decode.ts";
import { semanticEqual } from "./equality.ts";
import { goFieldName, goLiteral } from "./gofmt.ts";

function fieldOf(t: DecodeType | undefined, key: string): DecodeType | undefined {
  return t?.kind === "struct" ? t.field(key) : undefined;
}

/** `  core.PodSpec{\n- \tField: old,\n+ \tField: new,\n  }` for the changed fields. */
export function specDiff(
  typeName: string,
  oldSpec: Record<string, unknown>,
  newSpec: Record<string, unknown>,
  t?: DecodeType,
): string {
  const keys: string[] = [];
  for (const k of [...Object.keys(oldSpec), ...Object.keys(newSpec)]) if (!keys.includes(k)) keys.push(k);
  const lines = [`  ${typeName}{`];
  let identical = 0;
  const flush = () => {
    if (identical > 0)
      lines.push(`  \t... // ${identical} identical ${identical === 1 ? "field" : "fields"}`);
    identical = 0;
  };
  for (const k of keys) {
    if (semanticEqual(oldSpec[k], newSpec[k], fieldOf(t, k))) {
      identical++;
      continue;
    }
    flush();
    const name = goFieldName(k);
    const ft = fieldOf(t, k);
    if (oldSpec[k] !== undefined) lines.push(`- \t${name}: ${goLiteral(oldSpec[k], ft)},`);
    if (newSpec[k] !== undefined) lines.push(`+ \t${name}: ${goLiteral(newSpec[k], ft)},`);
  }
  flush();
  lines.push("  }");
  return `${lines.join("\n")}\n`;
}
