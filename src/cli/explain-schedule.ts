// `k8ts explain-schedule POD`: why the scheduler put a pod where it did, or
// why it could not: every node's filter verdict and score from the last attempt.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { loadKubeconfigFile } from "../client/kubeconfig.ts";
import type { Explanation } from "../scheduler/index.ts";
import { type Command, UsageError } from "./flags.ts";

export const SCHEDULER_ADDRESS_FILE = "scheduler.address";

function render(e: Explanation): string {
  const lines = [
    `Pod:       ${e.namespace}/${e.name}`,
    `Profile:   ${e.profile}`,
    `Attempt:   ${e.attempts} at ${e.time}`,
    `Result:    ${e.result}${e.selectedNode ? ` on ${e.selectedNode}` : ""}${e.nominatedNode ? ` (nominated ${e.nominatedNode} after preemption)` : ""}`,
  ];
  if (e.message) lines.push(`Message:   ${e.message}`);
  lines.push(`Nodes:     ${e.evaluatedNodes} of ${e.totalNodes} evaluated`);
  if (e.rejected.length) {
    lines.push("", "Rejected:");
    for (const r of e.rejected) {
      const shown =
        r.nodes.slice(0, 10).join(", ") + (r.nodes.length > 10 ? `, … (${r.nodes.length} nodes)` : "");
      lines.push(`  ${r.plugin} (${r.code}): ${r.reasons.join(", ")}`, `    ${shown}`);
    }
  }
  if (e.feasible.length) {
    const plugins = Object.keys(e.feasible[0].scores ?? {});
    lines.push("", "Feasible (best first):");
    const header = ["NODE", "TOTAL", ...plugins];
    const rows = e.feasible
      .slice(0, 20)
      .map((f) => [f.node, String(f.totalScore ?? "-"), ...plugins.map((p) => String(f.scores?.[p] ?? "-"))]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [header, ...rows])
      lines.push(
        `  ${r
          .map((c, i) => c.padEnd(widths[i]))
          .join("  ")
          .trimEnd()}`,
      );
    if (e.feasible.length > 20) lines.push(`  … ${e.feasible.length - 20} more`);
  }
  return `${lines.join("\n")}\n`;
}

export const explainScheduleCommand: Command = {
  name: "explain-schedule",
  summary: "Show why the scheduler placed (or could not place) a pod, node by node",
  description:
    "Ask the scheduler for its last attempt at POD: which filter rejected each node and why,\nand how each feasible node scored. The scheduler keeps this for pending pods and the\nmost recently scheduled ones.",
  flags: [
    { name: "namespace", type: "string", default: "default", help: "The pod's namespace" },
    {
      name: "scheduler",
      type: "string",
      help: "The scheduler's address, e.g. https://127.0.0.1:10259 (default: from <data-dir>/scheduler.address)",
    },
    { name: "data-dir", type: "string", default: join(homedir(), ".k8ts"), help: "Data dir of `k8ts up`" },
    {
      name: "kubeconfig",
      type: "string",
      help: "Whose client certificate to show the scheduler (default <data-dir>/kubeconfig)",
    },
    { name: "output", type: "string", default: "text", help: "text or json" },
  ],
  async run(flags, args) {
    let pod = args[0];
    if (!pod) throw new UsageError("which pod? usage: k8ts explain-schedule POD [--namespace NS]");
    let ns = String(flags.namespace);
    if (pod.includes("/")) [ns, pod] = pod.split("/", 2);
    let base = flags.scheduler ? String(flags.scheduler) : "";
    if (!base) {
      const file = join(String(flags["data-dir"]), SCHEDULER_ADDRESS_FILE);
      try {
        base = readFileSync(file, "utf8").trim();
      } catch {
        throw new Error(
          `no scheduler address: ${file} is missing; is \`k8ts up\` running? Or pass --scheduler URL`,
        );
      }
    }
    const url = `${base}/debug/explain?namespace=${encodeURIComponent(ns)}&name=${encodeURIComponent(pod)}`;
    // The scheduler's secure port trusts the cluster CA's client certificates (and asks the apiserver about the user).
    const kc = loadKubeconfigFile(
      flags.kubeconfig ? String(flags.kubeconfig) : join(String(flags["data-dir"]), "kubeconfig"),
    );
    // Loaded here: the other commands do not pay for undici.
    const { Agent, fetch: undiciFetch } = await import("undici");
    const dispatcher = new Agent({ connect: { ca: kc.ca, cert: kc.cert, key: kc.key } });
    let res: Response;
    try {
      res = (await undiciFetch(url, { dispatcher })) as unknown as Response;
    } catch (e) {
      throw new Error(`cannot reach the scheduler at ${base}: ${(e as Error).cause ?? (e as Error).message}`);
    }
    const body = await res.text();
    if (!res.ok) throw new Error(body.trim());
    const e = JSON.parse(body) as Explanation;
    process.stdout.write(flags.output === "json" ? `${JSON.stringify(e, null, 2)}\n` : render(e));
    return 0;
  },
};
