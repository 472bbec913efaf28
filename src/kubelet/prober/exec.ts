// exec probes (pkg/probe/exec over the runtime's ExecSync): success when the
// command exits 0; its output (stdout then stderr, at most 10 KiB) is what a
// failure reports. A timeout is a failure; any other error leaves the result
// unknown (the prober then throws the run away).
import type { EnvVar } from "kubernetes-types/core/v1.d.ts";
import type { RuntimeService } from "../runtime/interface.ts";
import { maxProbeOutput, type ProbeOutcome } from "./result.ts";

/** An exec that could not run; the prober reports it as "errored". */
export class ProbeError extends Error {}

/** Whether an execSync error is the runtime's deadline (gRPC DEADLINE_EXCEEDED or a timeout message). */
function isTimeout(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (e?.code === 4 || e?.code === "ETIMEDOUT" || e?.code === "DEADLINE_EXCEEDED") return true;
  return typeof e?.message === "string" && /timed out|deadline exceeded/i.test(e.message);
}

export async function execProbe(
  runtime: Pick<RuntimeService, "execSync">,
  containerId: string,
  command: string[],
  timeoutSeconds: number,
): Promise<ProbeOutcome> {
  try {
    const r = await runtime.execSync(containerId, command, timeoutSeconds);
    const output = Buffer.concat([r.stdout, r.stderr]).subarray(0, maxProbeOutput).toString("utf8");
    return { result: r.exitCode === 0 ? "success" : "failure", output };
  } catch (err) {
    // The CRI client's exec.NewTimeoutError text.
    if (isTimeout(err))
      return { result: "failure", output: `command ${JSON.stringify(command.join(" "))} timed out` };
    throw new ProbeError(err instanceof Error ? err.message : String(err));
  }
}

/** ExpandContainerCommandOnlyStatic: $(VAR) from the container's env values, $$ for a literal $. */
export function expandCommand(command: string[], env: EnvVar[] | undefined): string[] {
  const values = new Map<string, string>();
  for (const e of env ?? []) values.set(e.name, e.value ?? "");
  return command.map((arg) => expand(arg, (name) => values.get(name) ?? `$(${name})`));
}

/** third_party/forked/golang/expansion Expand. */
function expand(input: string, mapping: (name: string) => string): string {
  let out = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== "$" || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === "$") out += "$";
    else if (rest[0] === "(") {
      const close = rest.indexOf(")", 1);
      if (close >= 0) {
        out += mapping(rest.slice(1, close));
        advance = close + 1;
      } else out += "$(";
    } else out += `$${rest[0]}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}
