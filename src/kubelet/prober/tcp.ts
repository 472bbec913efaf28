// tcpSocket probes (pkg/probe/tcp): success when a TCP connection opens.
import { connect } from "node:net";
import type { Clock } from "../../client/clock.ts";
import { dialErrorText } from "./http.ts";
import { joinHostPort } from "./port.ts";
import type { ProbeOutcome } from "./result.ts";

/** DoTCPProbe. Never throws: errors are failures with Go's text. */
export function tcpProbe(host: string, port: number, timeoutMs: number, clock: Clock): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    let settled = false;
    const socket = connect({ host, port });
    const finish = (o: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      cancel();
      socket.destroy();
      resolve(o);
    };
    const cancel = clock.after(timeoutMs, () =>
      finish({ result: "failure", output: `dial tcp ${addr}: i/o timeout` }),
    );
    socket.once("connect", () => finish({ result: "success", output: "" }));
    socket.once("error", (err) => finish({ result: "failure", output: dialErrorText("tcp", addr, err) }));
  });
}
