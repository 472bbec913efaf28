import { startApiServer } from "../apiserver/index.ts";
import { apiserverFlags, apiserverOptions } from "./apiserver-flags.ts";
import type { Command } from "./flags.ts";
import { untilSignal } from "./signals.ts";

export const apiserverCommand: Command = {
  name: "apiserver",
  summary: "Run the Kubernetes API server",
  description:
    "Run the Kubernetes API server over HTTPS. At first start it makes a cluster CA and a serving\ncertificate in <data-dir>/pki; clients authenticate with certificates from that CA.",
  flags: [
    ...apiserverFlags,
    { name: "bind-address", type: "string", default: "0.0.0.0", help: "Address to listen on" },
  ],
  async run(flags) {
    const running = await startApiServer(apiserverOptions(flags));
    const signalled = untilSignal();
    process.stderr.write(`k8ts apiserver: serving on ${running.url} (store: ${flags.store})\n`);
    await signalled;
    await running.stop();
    return 0;
  },
};
