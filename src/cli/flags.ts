// A small flag parser with upstream-style `--name value` / `--name=value` flags and generated help.

export interface FlagSpec {
  name: string;
  help: string;
  /** "string" flags take a value; "boolean" flags may be given bare. */
  type: "string" | "number" | "boolean" | "list";
  default?: string | number | boolean | string[];
}

export interface Command {
  name: string;
  summary: string;
  /** Longer text shown by `k8ts <command> --help`. */
  description?: string;
  flags: FlagSpec[];
  run(flags: Record<string, unknown>, args: string[]): Promise<number | undefined> | number | undefined;
}

export class UsageError extends Error {
  override name = "UsageError";
}

export function parseFlags(cmd: Command, argv: string[]): { flags: Record<string, unknown>; args: string[] } {
  const flags: Record<string, unknown> = {};
  for (const f of cmd.flags) if (f.default !== undefined) flags[f.name] = f.default;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("--")) {
      args.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq === -1 ? undefined : eq);
    const spec = cmd.flags.find((f) => f.name === name);
    if (!spec)
      throw new UsageError(`unknown flag --${name} for "k8ts ${cmd.name}"; see k8ts ${cmd.name} --help`);
    let value: string | undefined = eq === -1 ? undefined : a.slice(eq + 1);
    if (spec.type === "boolean") {
      flags[name] = value === undefined ? true : value !== "false";
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`flag --${name} needs a value`);
    }
    if (spec.type === "number") {
      const n = Number(value);
      if (!Number.isFinite(n))
        throw new UsageError(`flag --${name} needs a number, got ${JSON.stringify(value)}`);
      flags[name] = n;
    } else if (spec.type === "list") {
      flags[name] = value.split(",").filter(Boolean);
    } else {
      flags[name] = value;
    }
  }
  return { flags, args };
}

export function commandHelp(cmd: Command): string {
  const lines = [`Usage: k8ts ${cmd.name} [flags]`, "", cmd.description ?? cmd.summary, ""];
  if (cmd.flags.length > 0) {
    lines.push("Flags:");
    const width = Math.max(...cmd.flags.map((f) => f.name.length + (f.type === "boolean" ? 0 : 6))) + 4;
    for (const f of cmd.flags) {
      const left = `  --${f.name}${f.type === "boolean" ? "" : " VALUE"}`;
      const def =
        f.default !== undefined &&
        f.default !== false &&
        !(Array.isArray(f.default) && f.default.length === 0)
          ? ` (default ${Array.isArray(f.default) ? f.default.join(",") : f.default})`
          : "";
      lines.push(`${left.padEnd(width + 2)}${f.help}${def}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
