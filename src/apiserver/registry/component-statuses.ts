// core/v1 componentstatuses (pkg/registry/core/componentstatus, deprecated
// upstream since v1.19 but still served): nothing is stored; each read probes
// the scheduler's and the controller-manager's /healthz on this machine's
// default secure ports, as kube-apiserver does, and the store ("etcd-0", the
// name upstream gives its first storage backend, whatever k8ts' store is).
import { request } from "node:https";
import type { Obj } from "../../api/registry.ts";
import { newInternalError } from "../../machinery/status.ts";

/** What every answer carries (upstream's deprecation warning for v1 ComponentStatus). */
export const COMPONENT_STATUS_WARNING = "v1 ComponentStatus is deprecated in v1.19+";

const PROBE_TIMEOUT_MS = 20_000;

type Probe = () => Promise<{ status: "True" | "False" | "Unknown"; message: string; error: string }>;

/** An HTTPS GET as the kubelet's HTTP prober does it: 2xx and 3xx succeed; the body is the message. */
function httpProbe(port: number, path: string): Probe {
  const url = `https://127.0.0.1:${port}${path}`;
  return () =>
    new Promise((resolve) => {
      const req = request(url, { rejectUnauthorized: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          if (body.length < 10_240) body += c;
        });
        res.on("end", () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 400) resolve({ status: "True", message: body, error: "" });
          else
            resolve({ status: "False", message: body, error: `HTTP probe failed with statuscode: ${code}` });
        });
      });
      const fail = (detail: string) =>
        resolve({ status: "Unknown", message: "", error: `Get "${url}": ${detail}` });
      req.on("timeout", () => {
        req.destroy();
        fail("context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
      });
      req.on("error", (e: NodeJS.ErrnoException) =>
        fail(
          e.code === "ECONNREFUSED" ? `dial tcp 127.0.0.1:${port}: connect: connection refused` : e.message,
        ),
      );
      req.end();
    });
}

export interface ComponentStatusOptions {
  /** A read through the store: throws when it cannot be read. */
  checkStore: () => Promise<void>;
  /** The ports probed; upstream's defaults (10259, 10257). */
  schedulerPort?: number;
  controllerManagerPort?: number;
}

export class ComponentStatuses {
  private readonly servers: Map<string, Probe>;

  constructor(opts: ComponentStatusOptions) {
    const store: Probe = async () => {
      try {
        await opts.checkStore();
        return { status: "True", message: "ok", error: "" };
      } catch (e) {
        return { status: "Unknown", message: "", error: (e as Error).message };
      }
    };
    this.servers = new Map([
      ["scheduler", httpProbe(opts.schedulerPort ?? 10259, "/healthz")],
      ["controller-manager", httpProbe(opts.controllerManagerPort ?? 10257, "/healthz")],
      ["etcd-0", store],
    ]);
  }

  private async status(name: string, probe: Probe): Promise<Obj> {
    const r = await probe();
    const condition: Obj = { type: "Healthy", status: r.status };
    if (r.message) condition.message = r.message;
    if (r.error) condition.error = r.error;
    return { metadata: { name, creationTimestamp: null }, conditions: [condition] };
  }

  async list(): Promise<Obj> {
    const items = await Promise.all([...this.servers].map(([name, probe]) => this.status(name, probe)));
    return { kind: "ComponentStatusList", apiVersion: "v1", metadata: {}, items };
  }

  async get(name: string): Promise<Obj> {
    const probe = this.servers.get(name);
    // Upstream's REST answers a plain error, which reaches the client as an internal one.
    if (!probe) throw newInternalError(`Component not found: ${name}`);
    return { kind: "ComponentStatus", apiVersion: "v1", ...(await this.status(name, probe)) };
  }
}
