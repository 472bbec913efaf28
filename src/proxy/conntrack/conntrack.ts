// pkg/proxy/conntrack/conntrack.go (v1.28's exec-based execCT): deletes
// conntrack entries with the `conntrack` CLI (conntrack-tools). `prefix` runs
// it elsewhere, e.g. ["ip", "netns", "exec", "k8ts-test-1"] in a test's
// network namespace, as ExecIptables does.
import { execFile, spawn } from "node:child_process";
import { isIPv6 } from "node:net";

/** upstream's conntrack.Interface (the four clear operations). */
export interface Conntrack {
  /** Deletes entries for connections of the protocol to the IP. */
  clearEntriesForIP(ip: string, protocol: string): Promise<void>;
  /** Deletes entries for connections of the protocol and IP family to the port. */
  clearEntriesForPort(port: number, isIPv6: boolean, protocol: string): Promise<void>;
  /** Deletes entries for connections of the protocol that were DNATted from origin to dest. */
  clearEntriesForNAT(origin: string, dest: string, protocol: string): Promise<void>;
  /** Deletes entries for connections of the protocol that were DNATted from the port (on any IP) to dest. */
  clearEntriesForPortNAT(dest: string, port: number, protocol: string): Promise<void>;
}

/** What conntrack prints (exit status 1) when no entry matched: not an error, as upstream. */
export const NO_CONNECTION_TO_DELETE = "0 flow entries have been deleted";

const protoStr = (protocol: string): string => protocol.toLowerCase();

function parametersWithFamily(ipv6: boolean, ...parameters: string[]): string[] {
  return ipv6 ? [...parameters, "-f", "ipv6"] : parameters;
}

export class ExecConntrack implements Conntrack {
  constructor(private readonly prefix: string[] = []) {}

  /** Runs `conntrack ARGS`; rejects with upstream's message, its combined output quoted. */
  exec(...parameters: string[]): Promise<string> {
    const argv = [...this.prefix, "conntrack", ...parameters];
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      const collect = (d: string) => {
        output += d;
      };
      child.stdout.setEncoding("utf8").on("data", collect);
      child.stderr.setEncoding("utf8").on("data", collect);
      child.on("error", (e) => reject(new Error(`error looking for path of conntrack: ${e.message}`)));
      child.on("close", (code) => {
        if (code === 0) resolve(output);
        else
          reject(
            new Error(
              `conntrack command returned: ${JSON.stringify(output)}, error message: exit status ${code}`,
            ),
          );
      });
    });
  }

  /** Runs the deletion; "0 flow entries have been deleted" is success, anything else `describe(err)`. */
  private async delete(parameters: string[], describe: (err: string) => string): Promise<void> {
    try {
      await this.exec(...parameters);
    } catch (e) {
      const msg = (e as Error).message;
      if (!msg.includes(NO_CONNECTION_TO_DELETE)) throw new Error(describe(msg));
    }
  }

  clearEntriesForIP(ip: string, protocol: string): Promise<void> {
    return this.delete(
      parametersWithFamily(isIPv6(ip), "-D", "--orig-dst", ip, "-p", protoStr(protocol)),
      (err) => `error deleting connection tracking state for UDP service IP: ${ip}, error: ${err}`,
    );
  }

  async clearEntriesForPort(port: number, ipv6: boolean, protocol: string): Promise<void> {
    if (port <= 0) throw new Error("wrong port number. The port number must be greater than zero");
    return this.delete(
      parametersWithFamily(ipv6, "-D", "-p", protoStr(protocol), "--dport", String(port)),
      (err) => `error deleting conntrack entries for UDP port: ${port}, error: ${err}`,
    );
  }

  clearEntriesForNAT(origin: string, dest: string, protocol: string): Promise<void> {
    return this.delete(
      parametersWithFamily(
        isIPv6(origin),
        "-D",
        "--orig-dst",
        origin,
        "--dst-nat",
        dest,
        "-p",
        protoStr(protocol),
      ),
      (err) => `error deleting conntrack entries for UDP peer {${origin}, ${dest}}, error: ${err}`,
    );
  }

  async clearEntriesForPortNAT(dest: string, port: number, protocol: string): Promise<void> {
    if (port <= 0) throw new Error("wrong port number. The port number must be greater than zero");
    return this.delete(
      parametersWithFamily(
        isIPv6(dest),
        "-D",
        "-p",
        protoStr(protocol),
        "--dport",
        String(port),
        "--dst-nat",
        dest,
      ),
      (err) => `error deleting conntrack entries for UDP port: ${port}, error: ${err}`,
    );
  }
}

/** The conntrack binary's version line, or undefined when it is not installed. */
export function conntrackVersion(prefix: string[] = []): Promise<string | undefined> {
  const argv = [...prefix, "conntrack", "--version"];
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });
}
