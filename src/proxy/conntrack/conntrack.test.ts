// Ported from pkg/proxy/conntrack/conntrack_test.go (v1.28, exec-based): the exact
// command lines, and "0 flow entries have been deleted" (exit 1) counting as success.
// A shell prefix stands in for the binary: it prints the command it was given.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { conntrackVersion, ExecConntrack } from "./conntrack.ts";

/** Echoes "conntrack ARGS" (stdout), exits 0: upstream's `success`. */
const success = new ExecConntrack(["sh", "-c", 'echo "$*"', "sh"]);
/** What conntrack v1.4.7 does when nothing matched. */
const nothingToDelete = new ExecConntrack([
  "sh",
  "-c",
  'echo "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted." >&2; exit 1',
  "sh",
]);
const failing = new ExecConntrack([
  "sh",
  "-c",
  'echo "conntrack v1.4.7 (conntrack-tools): Operation failed: invalid parameters" >&2; exit 1',
  "sh",
]);

describe("ExecConntrack", () => {
  it("exec runs conntrack with the parameters; a failure carries its output", async () => {
    assert.equal(
      (await success.exec("-D", "-p", "udp", "-d", "10.0.240.1")).trim(),
      "conntrack -D -p udp -d 10.0.240.1",
    );
    await assert.rejects(
      nothingToDelete.exec("-D", "-p", "udp", "--orig-dst", "10.240.0.2", "--dst-nat", "10.0.10.2"),
      {
        message:
          'conntrack command returned: "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\\n", error message: exit status 1',
      },
    );
  });

  /** The command line a clear operation ran, through a recording prefix. */
  async function commandOf(run: (ct: ExecConntrack) => Promise<void>): Promise<string> {
    const ct = new ExecConntrack();
    let cmd = "";
    ct.exec = async (...p: string[]) => {
      cmd = ["conntrack", ...p].join(" ");
      return "1 flow entries have been deleted";
    };
    await run(ct);
    return cmd;
  }

  it("ClearEntriesForIP", async () => {
    assert.equal(
      await commandOf((ct) => ct.clearEntriesForIP("10.240.0.3", "UDP")),
      "conntrack -D --orig-dst 10.240.0.3 -p udp",
    );
    assert.equal(
      await commandOf((ct) => ct.clearEntriesForIP("2001:db8::10", "UDP")),
      "conntrack -D --orig-dst 2001:db8::10 -p udp -f ipv6",
    );
    await nothingToDelete.clearEntriesForIP("10.240.0.3", "UDP");
  });

  it("ClearEntriesForPort", async () => {
    assert.equal(
      await commandOf((ct) => ct.clearEntriesForPort(8080, false, "UDP")),
      "conntrack -D -p udp --dport 8080",
    );
    assert.equal(
      await commandOf((ct) => ct.clearEntriesForPort(6666, true, "UDP")),
      "conntrack -D -p udp --dport 6666 -f ipv6",
    );
    await nothingToDelete.clearEntriesForPort(8080, false, "UDP");
    await assert.rejects(success.clearEntriesForPort(0, false, "UDP"), {
      message: "wrong port number. The port number must be greater than zero",
    });
  });

  it("ClearEntriesForNAT", async () => {
    assert.equal(
      await commandOf((ct) => ct.clearEntriesForNAT("1.2.3.4", "10.20.30.40", "UDP")),
      "conntrack -D --orig-dst 1.2.3.4 --dst-nat 10.20.30.40 -p udp",
    );
    assert.equal(
      await commandOf((ct) => ct.clearEntriesForNAT("fd00::600d:f00d", "2001:db8::5", "UDP")),
      "conntrack -D --orig-dst fd00::600d:f00d --dst-nat 2001:db8::5 -p udp -f ipv6",
    );
    await nothingToDelete.clearEntriesForNAT("1.2.3.4", "10.20.30.40", "UDP");
  });

  it("ClearEntriesForPortNAT", async () => {
    assert.equal(
      await commandOf((ct) => ct.clearEntriesForPortNAT("1.2.3.4", 30211, "UDP")),
      "conntrack -D -p udp --dport 30211 --dst-nat 1.2.3.4",
    );
    assert.equal(
      await commandOf((ct) => ct.clearEntriesForPortNAT("2600:5200::7800", 30212, "UDP")),
      "conntrack -D -p udp --dport 30212 --dst-nat 2600:5200::7800 -f ipv6",
    );
    await nothingToDelete.clearEntriesForPortNAT("1.2.3.4", 30211, "UDP");
  });

  it("other failures are errors, with upstream's message", async () => {
    await assert.rejects(failing.clearEntriesForIP("10.240.0.3", "UDP"), (e: Error) =>
      e.message.startsWith(
        "error deleting connection tracking state for UDP service IP: 10.240.0.3, error: conntrack command returned: ",
      ),
    );
    await assert.rejects(failing.clearEntriesForNAT("1.2.3.4", "10.20.30.40", "UDP"), (e: Error) =>
      e.message.startsWith("error deleting conntrack entries for UDP peer {1.2.3.4, 10.20.30.40}, error: "),
    );
    await assert.rejects(
      new ExecConntrack(["/nonexistent/k8ts"]).clearEntriesForIP("10.0.0.1", "UDP"),
      (e: Error) => e.message.includes("error looking for path of conntrack"),
    );
  });
});

describe("conntrackVersion", () => {
  it("is the version line, or undefined when the binary is missing", async () => {
    assert.equal(
      await conntrackVersion(["sh", "-c", 'echo "conntrack v1.4.7 (conntrack-tools)"', "sh"]),
      "conntrack v1.4.7 (conntrack-tools)",
    );
    assert.equal(await conntrackVersion(["/nonexistent/k8ts"]), undefined);
  });
});
