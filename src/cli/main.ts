// The `k8ts` command: one binary, one subcommand per component, plus `up`.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startIdleGC } from "../machinery/idle-gc.ts";
import { apiserverCommand } from "./apiserver.ts";
import { controllerManagerCommand } from "./controller-manager.ts";
import { dashboardCommand } from "./dashboard.ts";
import { dnsCommand } from "./dns.ts";
import { explainScheduleCommand } from "./explain-schedule.ts";
import { type Command, commandHelp, parseFlags, UsageError } from "./flags.ts";
import { imagesCommand } from "./images.ts";
import { kubeletCommand } from "./kubelet.ts";
import { metricsServerCommand } from "./metrics-server.ts";
import { proxyCommand } from "./proxy.ts";
import { schedulerCommand } from "./scheduler.ts";
import { tokenCommand } from "./token.ts";
import { upCommand } from "./up.ts";

const commands: Command[] = [
  upCommand,
  apiserverCommand,
  schedulerCommand,
  controllerManagerCommand,
  tokenCommand,
  kubeletCommand,
  dnsCommand,
  proxyCommand,
  dashboardCommand,
  metricsServerCommand,
  imagesCommand,
  explainScheduleCommand,
];

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    "k8ts: a Kubernetes-compatible container orchestrator",
    "",
    "Usage: k8ts <command> [flags]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    'Run "k8ts <command> --help" for the flags of a command.',
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`k8ts: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(commandHelp(cmd));
    return 0;
  }
  try {
    const { flags, args } = parseFlags(cmd, rest);
    return (await cmd.run(flags, args)) ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`k8ts ${cmd.name}: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`k8ts ${cmd.name}: ${(e as Error).message}\n`);
    return 1;
  }
}

/** Run as a program (not imported by a test): argv[1] may be a symlink to this file (dist/current). */
function isMain(): boolean {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * ./k8ts preloads jemalloc into node alone: what k8ts starts (containerd,
 * runc, iptables, the CNI plugins) gets LD_PRELOAD and MALLOC_CONF as the
 * user set them, which the launcher saved in K8TS_SAVED_*.
 */
export function restoreLauncherEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const name of ["LD_PRELOAD", "MALLOC_CONF"]) {
    const saved = env[`K8TS_SAVED_${name}`];
    if (saved === undefined) continue;
    if (saved === "") delete env[name];
    else env[name] = saved;
    delete env[`K8TS_SAVED_${name}`];
  }
}

if (isMain()) {
  restoreLauncherEnv();
  // Every k8ts process gives back the heap a burst grew once it is quiet (its timer keeps no process alive).
  startIdleGC();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // A command that failed half-way may have left servers and timers running: do not linger.
    if (code !== 0) process.exit(code);
  });
}
