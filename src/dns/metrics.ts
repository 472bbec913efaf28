// CoreDNS's request metrics (plugin/metrics/vars), with its names and labels,
// kept in plain maps keyed by the rendered label set: counting must cost
// next to nothing on the query path.
import { processMetrics } from "../machinery/metrics.ts";

/** prometheus.ExponentialBuckets(0.00025, 2, 16): CoreDNS's plugin.TimeBuckets. */
const BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);

/** The types CoreDNS counts by name; everything else is "other" (plugin/metrics/vars/monitor.go). */
const MONITORED = new Set([
  "A",
  "AAAA",
  "NS",
  "PTR",
  "SOA",
  "MX",
  "TXT",
  "SRV",
  "CNAME",
  "DS",
  "DNSKEY",
  "RRSIG",
  "NSEC",
  "NSEC3",
  "HTTPS",
  "IXFR",
  "AXFR",
  "ANY",
]);

const RCODE_NAMES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

export class DnsMetrics {
  private readonly requests = new Map<string, number>();
  private readonly responses = new Map<string, number>();
  private readonly durations = new Map<string, { counts: number[]; sum: number; count: number }>();
  private base: string;

  /** server is CoreDNS's label for the listener, dns://<address>:<port>. */
  constructor(server: string) {
    this.base = `server="${server}",zone=".",view=""`;
  }

  /** The label once the port is known (a listener on port 0). */
  setServer(server: string): void {
    this.base = `server="${server}",zone=".",view=""`;
  }

  /** One request answered: its transport, address family (1 IPv4, 2 IPv6), type, rcode, the plugin that answered and the time taken. */
  observe(
    proto: "udp" | "tcp",
    family: 1 | 2,
    qtype: string,
    rcode: number,
    plugin: string,
    seconds: number,
  ): void {
    const type = MONITORED.has(qtype) ? qtype : "other";
    const rk = `${this.base},proto="${proto}",family="${family}",type="${type}"`;
    this.requests.set(rk, (this.requests.get(rk) ?? 0) + 1);
    const sk = `${this.base},rcode="${RCODE_NAMES[rcode] ?? String(rcode)}",plugin="${plugin}"`;
    this.responses.set(sk, (this.responses.get(sk) ?? 0) + 1);
    const dk = `${this.base},type="${type}"`;
    let d = this.durations.get(dk);
    if (!d) {
      d = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.durations.set(dk, d);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) d.counts[i]++;
    d.sum += seconds;
    d.count++;
  }

  requestCount(): number {
    let n = 0;
    for (const v of this.requests.values()) n += v;
    return n;
  }

  render(): string {
    const lines = [
      "# HELP coredns_dns_requests_total Counter of DNS requests made per zone, protocol and family.",
      "# TYPE coredns_dns_requests_total counter",
    ];
    for (const [k, v] of this.requests) lines.push(`coredns_dns_requests_total{${k}} ${v}`);
    lines.push(
      "# HELP coredns_dns_responses_total Counter of response status codes.",
      "# TYPE coredns_dns_responses_total counter",
    );
    for (const [k, v] of this.responses) lines.push(`coredns_dns_responses_total{${k}} ${v}`);
    lines.push(
      "# HELP coredns_dns_request_duration_seconds Histogram of the time (in seconds) each request took per zone.",
      "# TYPE coredns_dns_request_duration_seconds histogram",
    );
    const n = "coredns_dns_request_duration_seconds";
    for (const [k, d] of this.durations) {
      for (let i = 0; i < BUCKETS.length; i++)
        lines.push(`${n}_bucket{${k},le="${BUCKETS[i]}"} ${d.counts[i]}`);
      lines.push(
        `${n}_bucket{${k},le="+Inf"} ${d.count}`,
        `${n}_sum{${k}} ${d.sum}`,
        `${n}_count{${k}} ${d.count}`,
      );
    }
    return `${lines.join("\n")}\n${processMetrics()}\n`;
  }
}
