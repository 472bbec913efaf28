// `k8ts dashboard`: the web dashboard alone, against any apiserver.
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { loadClientConfig } from "../client/kubeconfig.ts";
import { startDashboard } from "../dashboard/server.ts";
import { type Command, UsageError } from "./flags.ts";
import { untilSignal } from "./signals.ts";

function isLoopback(address: string): boolean {
  return address === "localhost" || address === "::1" || (isIP(address) === 4 && address.startsWith("127."));
}

export const dashboardCommand: Command = {
  name: "dashboard",
  summary: "Run the web dashboard: the cluster's objects, logs and changes in a browser",
  description:
    "Serve the web UI and pass its requests to the apiserver as the user who signed in with a bearer\ntoken (`kubectl create token`), so RBAC applies to each user. Without TLS files it serves plain\nHTTP, which is allowed only on a loopback address.",
  flags: [
    { name: "kubeconfig", type: "string", help: "Kubeconfig of the cluster (required)" },
    { name: "bind-address", type: "string", default: "127.0.0.1", help: "Address to serve the dashboard on" },
    {
      name: "port",
      type: "number",
      default: 8443,
      help: "Port to serve the dashboard on (0 picks a free one)",
    },
    { name: "tls-cert-file", type: "string", help: "PEM serving certificate: HTTPS with --tls-key-file" },
    { name: "tls-key-file", type: "string", help: "PEM key of --tls-cert-file" },
    {
      name: "enable-skip-login",
      type: "boolean",
      default: false,
      help: "Offer a skip button on the login page: who skips acts with the dashboard's own credentials",
    },
    {
      name: "allowed-hosts",
      type: "list",
      help: "Host names the dashboard may be reached by, besides IP addresses, localhost and this machine's name",
    },
  ],
  async run(flags) {
    if (!flags.kubeconfig) throw new UsageError("--kubeconfig is required");
    const certFile = flags["tls-cert-file"] ? String(flags["tls-cert-file"]) : undefined;
    const keyFile = flags["tls-key-file"] ? String(flags["tls-key-file"]) : undefined;
    if (!certFile !== !keyFile) throw new UsageError("--tls-cert-file and --tls-key-file go together");
    const bindAddress = String(flags["bind-address"]);
    // Tokens would cross the network in clear text.
    if (!certFile && !isLoopback(bindAddress))
      throw new UsageError(
        `serving on ${bindAddress} needs TLS: give --tls-cert-file and --tls-key-file, or bind to 127.0.0.1`,
      );
    const dashboard = await startDashboard({
      config: loadClientConfig({ kubeconfig: String(flags.kubeconfig) }),
      bindAddress,
      port: Number(flags.port),
      tls:
        certFile && keyFile
          ? { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") }
          : undefined,
      enableSkipLogin: flags["enable-skip-login"] === true,
      allowedHosts: (flags["allowed-hosts"] as string[] | undefined) ?? [],
    });
    const signalled = untilSignal();
    process.stderr.write(`dashboard: serving ${dashboard.url}\n`);
    const sig = await signalled;
    process.stderr.write(`dashboard: ${sig}: stopping…\n`);
    await dashboard.stop();
    return 0;
  },
};
