import { startEtcd } from "../../test/support/etcd.ts";
import { runConformance } from "./conformance.ts";
import { EtcdStore } from "./etcd.ts";

let cluster: Awaited<ReturnType<typeof startEtcd>> | undefined;

runConformance("etcd", {
  async open(opts) {
    cluster ??= await startEtcd();
    return new EtcdStore({ endpoints: cluster.endpoints, watchBuffer: opts?.watchBuffer });
  },
  async teardown() {
    await cluster?.stop();
  },
});
