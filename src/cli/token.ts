// `k8ts token create`: a bootstrap token (kubeadm's format) for a kubelet to
// join from another machine with `k8ts kubelet --token`.
import { randomInt } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadClientConfig } from "../client/kubeconfig.ts";
import { Resources } from "../client/resources.ts";
import { RestClient } from "../client/rest-client.ts";
import { parseDuration } from "../machinery/duration.ts";
import type { Command } from "./flags.ts";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** The group kubeadm gives its node tokens; the bootstrap RBAC bindings name it. */
const NODE_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";

function randomString(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export const tokenCommand: Command = {
  name: "token",
  summary: "Create a bootstrap token for joining kubelets: k8ts token create",
  description:
    "k8ts token create makes a bootstrap token (a kube-system Secret, as kubeadm's) that lets a kubelet\nrequest its client certificate: k8ts kubelet --token <token> --server URL --certificate-authority CA.",
  flags: [
    { name: "kubeconfig", type: "string", help: "Admin kubeconfig of the cluster (required)" },
    { name: "ttl", type: "string", default: "24h", help: "How long the token is valid (0 never expires)" },
    { name: "description", type: "string", default: "", help: "A note stored with the token" },
    {
      name: "print-join-command",
      type: "boolean",
      default: false,
      help: "Print the k8ts kubelet command that joins with it",
    },
  ],
  async run(flags, args) {
    if (args[0] !== "create") throw new Error("usage: k8ts token create [--ttl 24h] [--print-join-command]");
    if (!flags.kubeconfig) throw new Error("--kubeconfig is required");
    const config = loadClientConfig({ kubeconfig: String(flags.kubeconfig) });
    const client = new RestClient(config, { userAgent: "k8ts-token" });
    const id = randomString(6);
    const secret = randomString(16);
    const ttlMs = parseDuration(String(flags.ttl));
    try {
      await client.create(Resources.secrets, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: `bootstrap-token-${id}`, namespace: "kube-system" },
        type: "bootstrap.kubernetes.io/token",
        stringData: {
          "token-id": id,
          "token-secret": secret,
          "usage-bootstrap-authentication": "true",
          "usage-bootstrap-signing": "true",
          "auth-extra-groups": NODE_TOKEN_GROUP,
          ...(ttlMs > 0
            ? { expiration: new Date(Date.now() + ttlMs).toISOString().replace(/\.\d{3}Z$/, "Z") }
            : {}),
          ...(flags.description ? { description: String(flags.description) } : {}),
        },
      } as { metadata: object });
    } finally {
      client.close();
    }
    const token = `${id}.${secret}`;
    if (!flags["print-join-command"]) {
      process.stdout.write(`${token}\n`);
      return 0;
    }
    // k8ts up keeps the CA beside the admin kubeconfig.
    const ca = join(dirname(String(flags.kubeconfig)), "pki", "ca.crt");
    process.stdout.write(
      `k8ts kubelet --server ${config.server} --token ${token} --certificate-authority ${existsSync(ca) ? ca : "<cluster CA file>"}\n`,
    );
    return 0;
  },
};
