// The slice of pkg/util/iptables's Interface the proxier uses, run through
// the iptables binaries (iptables-nft here). `prefix` runs them elsewhere,
// e.g. ["ip", "netns", "exec", "k8ts-test-1"] in a test's network namespace.
import { execFile, spawn } from "node:child_process";

export type Table = "filter" | "nat" | "mangle";

export interface Iptables {
  /** Creates the chain if it does not exist; true if it already did. */
  ensureChain(table: Table, chain: string): Promise<boolean>;
  /** Adds the rule (at the top with "prepend") unless an identical one exists; true if it already did. */
  ensureRule(position: "prepend" | "append", table: Table, chain: string, args: string[]): Promise<boolean>;
  /** Deletes the rule if present. */
  deleteRule(table: Table, chain: string, args: string[]): Promise<void>;
  chainExists(table: Table, chain: string): Promise<boolean>;
  /** iptables-save -t TABLE */
  saveInto(table: Table): Promise<string>;
  /** iptables-restore --noflush --counters of input holding one or more "*table ... COMMIT" blocks. */
  restoreAll(data: string): Promise<void>;
  /** MASQUERADE --random-fully is there from iptables 1.6.2. */
  hasRandomFully(): boolean;
}

export class IptablesError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** upstream's WaitSecondsValue: wait for the xtables lock rather than failing. */
const WAIT = ["-w", "5"];

export class ExecIptables implements Iptables {
  constructor(private readonly prefix: string[] = []) {}

  private run(cmd: string, args: string[], stdin?: string): Promise<string> {
    const argv = [...this.prefix, cmd, ...args];
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), {
        stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout?.setEncoding("utf8").on("data", (d: string) => {
        out += d;
      });
      child.stderr?.setEncoding("utf8").on("data", (d: string) => {
        err += d;
      });
      child.on("error", (e) => reject(new IptablesError(`${cmd}: ${e.message}`, null, "")));
      child.on("close", (code) => {
        if (code === 0) resolve(out);
        else
          reject(
            new IptablesError(`${cmd} ${args.join(" ")} failed (exit ${code}): ${err.trim()}`, code, err),
          );
      });
      if (child.stdin) {
        // A command that fails early closes its stdin: its exit code tells what happened.
        child.stdin.on("error", () => {});
        child.stdin.end(stdin);
      }
    });
  }

  private async ok(cmd: string, args: string[]): Promise<boolean> {
    try {
      await this.run(cmd, args);
      return true;
    } catch (e) {
      if (e instanceof IptablesError && e.exitCode === 1) return false;
      throw e;
    }
  }

  async ensureChain(table: Table, chain: string): Promise<boolean> {
    if (await this.chainExists(table, chain)) return true;
    await this.run("iptables", [...WAIT, "-N", chain, "-t", table]);
    return false;
  }

  async ensureRule(
    position: "prepend" | "append",
    table: Table,
    chain: string,
    args: string[],
  ): Promise<boolean> {
    if (await this.ok("iptables", [...WAIT, "-C", chain, ...args, "-t", table])) return true;
    await this.run("iptables", [...WAIT, position === "prepend" ? "-I" : "-A", chain, ...args, "-t", table]);
    return false;
  }

  async deleteRule(table: Table, chain: string, args: string[]): Promise<void> {
    if (!(await this.chainExists(table, chain))) return;
    if (!(await this.ok("iptables", [...WAIT, "-C", chain, ...args, "-t", table]))) return;
    await this.run("iptables", [...WAIT, "-D", chain, ...args, "-t", table]);
  }

  chainExists(table: Table, chain: string): Promise<boolean> {
    return this.ok("iptables", [...WAIT, "-t", table, "-S", chain, "1"]);
  }

  saveInto(table: Table): Promise<string> {
    return this.run("iptables-save", ["-t", table]);
  }

  async restoreAll(data: string): Promise<void> {
    await this.run("iptables-restore", [...WAIT, "--noflush", "--counters"], data);
  }

  hasRandomFully(): boolean {
    return true;
  }
}

/** Whether the iptables binary is there at all (the proxier refuses to start without it). */
export function iptablesVersion(prefix: string[] = []): Promise<string> {
  const argv = [...prefix, "iptables", "--version"];
  return new Promise((resolve, reject) => {
    execFile(argv[0], argv.slice(1), (err, stdout) => (err ? reject(err) : resolve(stdout.trim())));
  });
}
