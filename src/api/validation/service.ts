// Service validation (ValidateService, ValidateServiceUpdate,
// ValidateServiceStatusUpdate and the dual-stack clusterIPs rules) from
// pkg/apis/core/validation, v1.32. The strategy's PrepareForUpdate
// normalisation of clusterIP/clusterIPs is not validation and is not here.

import type { Service, ServicePort } from "kubernetes-types/core/v1.d.ts";
import {
  duplicate,
  type FieldError,
  forbidden,
  GoValue,
  goQuote,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { nameIsDNS1035Label } from "../../machinery/object-meta.ts";
import { isValidCIDR, isValidIP, isValidPortNum, parseIPSloppy } from "../../machinery/validation.ts";
import {
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabelsMap,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from "./common.ts";
import { supportedPortProtocols, validatePortNumOrName } from "./containers.ts";
import { goIntOrStringText, goStringSliceText } from "./gofmt.ts";

const metaPath = newPath("metadata");
const specPath = newPath("spec");
const maxClientIPServiceAffinitySeconds = 86400;

const supportedSessionAffinity = ["ClientIP", "None"];
const supportedServiceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const supportedInternalTrafficPolicy = ["Cluster", "Local"];
const supportedIPFamilies = ["IPv4", "IPv6"];
const supportedIPFamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
const loadBalancerSourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges";
const topologyModeAnnotation = "service.kubernetes.io/topology-mode";
const topologyHintsAnnotation = "service.kubernetes.io/topology-aware-hints";

type ServiceSpec = NonNullable<Service["spec"]> & { trafficDistribution?: string | null };

function specOf(svc: Service): ServiceSpec {
  return (svc.spec ?? {}) as ServiceSpec;
}

function isHeadless(svc: Service): boolean {
  const ips = specOf(svc).clusterIPs ?? [];
  return ips.length === 1 && ips[0] === "None";
}

function isIPv4Bytes(ip: number[]): boolean {
  return ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
}

/** netutils.IsIPv6String. */
function isIPv6String(ip: string): boolean {
  const parsed = parseIPSloppy(ip);
  return parsed !== null && !isIPv4Bytes(parsed);
}

function ipErrors(path: Path, value: string): FieldError[] {
  return isValidIP(value).map((msg) => invalid(path, value, msg));
}

/** ValidateNonSpecialIP: no unspecified, loopback or link-local addresses. */
export function validateNonSpecialIP(address: string, path: Path): FieldError[] {
  const ip = parseIPSloppy(address);
  if (ip === null) return [invalid(path, address, "must be a valid IP address")];
  const errs: FieldError[] = [];
  const v4 = isIPv4Bytes(ip);
  const b = v4 ? ip.slice(12) : ip;
  const unspecified = b.every((x) => x === 0);
  const loopback = v4 ? b[0] === 127 : ip.slice(0, 15).every((x) => x === 0) && ip[15] === 1;
  const linkLocalUnicast = v4 ? b[0] === 169 && b[1] === 254 : ip[0] === 0xfe && (ip[1] & 0xc0) === 0x80;
  const linkLocalMulticast = v4
    ? b[0] === 224 && b[1] === 0 && b[2] === 0
    : ip[0] === 0xff && (ip[1] & 0x0f) === 0x02;
  if (unspecified) errs.push(invalid(path, address, `may not be unspecified (${address})`));
  if (loopback) errs.push(invalid(path, address, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if (linkLocalUnicast)
    errs.push(invalid(path, address, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if (linkLocalMulticast) {
    errs.push(
      invalid(path, address, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"),
    );
  }
  return errs;
}

function goServicePort(p: { protocol?: string; port?: number }): GoValue {
  return new GoValue(
    `core.ServicePort{Name:"", Protocol:${goQuote(p.protocol ?? "")}, AppProtocol:(*string)(nil), Port:${p.port ?? 0}, ` +
      `TargetPort:${goIntOrStringText(0)}, NodePort:0}`,
  );
}

function validateServicePort(
  sp: ServicePort,
  requireName: boolean,
  allNames: Set<string>,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = sp.name ?? "";
  if (requireName && name.length === 0) {
    errs.push(required(path.child("name"), ""));
  } else if (name.length !== 0) {
    errs.push(...validateDNS1123Label(name, path.child("name")));
    if (allNames.has(name)) errs.push(duplicate(path.child("name"), name));
    else allNames.add(name);
  }
  const port = sp.port ?? 0;
  for (const msg of isValidPortNum(port)) errs.push(invalid(path.child("port"), port, msg));
  const protocol = sp.protocol ?? "";
  if (protocol.length === 0) errs.push(required(path.child("protocol"), ""));
  else if (!supportedPortProtocols.includes(protocol))
    errs.push(notSupported(path.child("protocol"), protocol, supportedPortProtocols));
  errs.push(...validatePortNumOrName(sp.targetPort, path.child("targetPort")));
  if (sp.appProtocol != null) errs.push(...validateQualifiedName(sp.appProtocol, path.child("appProtocol")));
  return errs;
}

function externallyAccessible(spec: ServiceSpec): boolean {
  return (
    spec.type === "LoadBalancer" ||
    spec.type === "NodePort" ||
    (spec.type === "ClusterIP" && (spec.externalIPs ?? []).length > 0)
  );
}

/** apiservice.NeedsHealthCheck: a LoadBalancer with externalTrafficPolicy Local gets a health-check node port. */
export function needsHealthCheck(spec: ServiceSpec): boolean {
  return spec.type === "LoadBalancer" && spec.externalTrafficPolicy === "Local";
}

/** ValidateServiceClusterIPsRelatedFields. */
function validateServiceClusterIPsRelatedFields(svc: Service): FieldError[] {
  const spec = specOf(svc);
  if (spec.type === "ExternalName") return [];
  const errs: FieldError[] = [];
  let hasInvalidIPs = false;
  const clusterIPsField = specPath.child("clusterIPs");
  const clusterIP = spec.clusterIP ?? "";
  const clusterIPs = spec.clusterIPs ?? [];
  const ipsValue = () => new GoValue(goStringSliceText(spec.clusterIPs ?? null));
  if (clusterIP.length !== 0) {
    if (clusterIPs.length === 0) errs.push(required(clusterIPsField, ""));
    else if (clusterIPs[0] !== clusterIP)
      errs.push(invalid(clusterIPsField, ipsValue(), "first value must match `clusterIP`"));
  } else if (clusterIPs.length !== 0) {
    errs.push(invalid(clusterIPsField, ipsValue(), "must be empty when `clusterIP` is not specified"));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((fam, i) => {
    if (!supportedIPFamilies.includes(fam))
      errs.push(notSupported(specPath.child("ipFamilies").index(i), fam, supportedIPFamilies));
    if (seen.has(fam)) errs.push(duplicate(specPath.child("ipFamilies").index(i), fam));
    seen.add(fam);
  });
  if (spec.ipFamilyPolicy != null && !supportedIPFamilyPolicies.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported(specPath.child("ipFamilyPolicy"), spec.ipFamilyPolicy, supportedIPFamilyPolicies));
  }
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === "None") {
      if (clusterIPs.length > 1) {
        hasInvalidIPs = true;
        errs.push(invalid(clusterIPsField, ipsValue(), "'None' must be the first and only value"));
      }
      return;
    }
    const e = ipErrors(clusterIPsField.index(i), ip);
    hasInvalidIPs = e.length !== 0 || hasInvalidIPs;
    errs.push(...e);
  });
  if (clusterIPs.length > 2) errs.push(invalid(clusterIPsField, ipsValue(), "may only hold up to 2 values"));
  if (hasInvalidIPs) return errs;
  if (clusterIPs.length > 1) {
    let v4 = false;
    let v6 = false;
    for (const ip of clusterIPs) {
      if (isIPv6String(ip)) v6 = true;
      else v4 = true;
    }
    if (!(v4 && v6))
      errs.push(invalid(clusterIPsField, ipsValue(), "may specify no more than one IP for each IP family"));
  }
  const families = spec.ipFamilies ?? [];
  if (!isHeadless(svc) && clusterIPs.length > 0 && families.length > 0) {
    for (let i = 0; i < clusterIPs.length && i <= families.length - 1; i++) {
      const ip = clusterIPs[i];
      if (families[i] === "IPv4" && isIPv6String(ip)) {
        errs.push(
          invalid(
            clusterIPsField.index(i),
            ip,
            `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
      }
      if (families[i] === "IPv6" && !isIPv6String(ip)) {
        errs.push(
          invalid(
            clusterIPsField.index(i),
            ip,
            `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
      }
    }
  }
  return errs;
}

function validateLoadBalancerClassField(old: Service | null, svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = specOf(svc);
  const path = specPath.child("loadBalancerClass");
  if (old !== null && specOf(old).type === "LoadBalancer" && spec.type === "LoadBalancer") {
    if ((specOf(old).loadBalancerClass ?? null) !== (spec.loadBalancerClass ?? null)) {
      errs.push(invalid(path, spec.loadBalancerClass ?? null, "may not change once set"));
    }
  }
  if (spec.type === "LoadBalancer") {
    if (spec.loadBalancerClass != null) errs.push(...validateQualifiedName(spec.loadBalancerClass, path));
  } else if (spec.loadBalancerClass != null) {
    errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

/** ValidateService. */
export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label, metaPath);
  const spec = specOf(svc);
  const annotations = svc.metadata?.annotations ?? {};
  if (
    Object.hasOwn(annotations, topologyModeAnnotation) &&
    Object.hasOwn(annotations, topologyHintsAnnotation) &&
    annotations[topologyModeAnnotation] !== annotations[topologyHintsAnnotation]
  ) {
    errs.push(
      invalid(
        metaPath.child("annotations").key(topologyModeAnnotation),
        annotations[topologyModeAnnotation],
        `must match annotations[${topologyHintsAnnotation}] when both are specified`,
      ),
    );
  }
  const ports = spec.ports ?? [];
  const headless = isHeadless(svc);
  if (ports.length === 0 && !headless && spec.type !== "ExternalName")
    errs.push(required(specPath.child("ports"), ""));
  switch (spec.type) {
    case "LoadBalancer":
      if (headless)
        errs.push(
          invalid(
            specPath.child("clusterIPs").index(0),
            "None",
            "may not be set to 'None' for LoadBalancer services",
          ),
        );
      break;
    case "NodePort":
      if (headless)
        errs.push(
          invalid(
            specPath.child("clusterIPs").index(0),
            "None",
            "may not be set to 'None' for NodePort services",
          ),
        );
      break;
    case "ExternalName": {
      if ((spec.clusterIPs ?? []).length > 0)
        errs.push(forbidden(specPath.child("clusterIPs"), "may not be set for ExternalName services"));
      if ((spec.ipFamilies ?? []).length > 0)
        errs.push(forbidden(specPath.child("ipFamilies"), "may not be set for ExternalName services"));
      if (spec.ipFamilyPolicy != null)
        errs.push(forbidden(specPath.child("ipFamilyPolicy"), "may not be set for ExternalName services"));
      const cname = (spec.externalName ?? "").replace(/\.$/, "");
      if (cname.length > 0) errs.push(...validateDNS1123Subdomain(cname, specPath.child("externalName")));
      else errs.push(required(specPath.child("externalName"), ""));
      break;
    }
  }
  const allNames = new Set<string>();
  ports.forEach((p, i) => {
    errs.push(...validateServicePort(p, ports.length > 1, allNames, specPath.child("ports").index(i)));
  });
  if (spec.selector != null) errs.push(...validateLabelsMap(spec.selector, specPath.child("selector")));
  const affinity = spec.sessionAffinity ?? "";
  if (affinity.length === 0) errs.push(required(specPath.child("sessionAffinity"), ""));
  else if (!supportedSessionAffinity.includes(affinity)) {
    errs.push(notSupported(specPath.child("sessionAffinity"), affinity, supportedSessionAffinity));
  }
  const cfgPath = specPath.child("sessionAffinityConfig");
  if (affinity === "ClientIP") {
    const cfg = spec.sessionAffinityConfig;
    if (cfg == null) errs.push(required(cfgPath, "when session affinity type is ClientIP"));
    else if (cfg.clientIP == null)
      errs.push(required(cfgPath.child("clientIP"), "when session affinity type is ClientIP"));
    else if (cfg.clientIP.timeoutSeconds == null) {
      errs.push(
        required(cfgPath.child("clientIP").child("timeoutSeconds"), "when session affinity type is ClientIP"),
      );
    } else {
      const t = cfg.clientIP.timeoutSeconds;
      if (t <= 0 || t > maxClientIPServiceAffinitySeconds) {
        errs.push(
          invalid(
            cfgPath.child("clientIP").child("timeoutSeconds"),
            t,
            `must be greater than 0 and less than ${maxClientIPServiceAffinitySeconds}`,
          ),
        );
      }
    }
  } else if (affinity === "None" && spec.sessionAffinityConfig != null) {
    errs.push(forbidden(cfgPath, "must not be set when session affinity is None"));
  }
  errs.push(...validateServiceClusterIPsRelatedFields(svc));
  (spec.externalIPs ?? []).forEach((ip, i) => {
    const p = specPath.child("externalIPs").index(i);
    const e = ipErrors(p, ip);
    if (e.length !== 0) errs.push(...e);
    else errs.push(...validateNonSpecialIP(ip, p));
  });
  const type = spec.type ?? "";
  if (type.length === 0) errs.push(required(specPath.child("type"), ""));
  else if (!supportedServiceTypes.includes(type))
    errs.push(notSupported(specPath.child("type"), type, supportedServiceTypes));
  if (type === "ClusterIP") {
    ports.forEach((p, i) => {
      if ((p.nodePort ?? 0) !== 0) {
        errs.push(
          forbidden(
            specPath.child("ports").index(i).child("nodePort"),
            "may not be used when `type` is 'ClusterIP'",
          ),
        );
      }
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const np = p.nodePort ?? 0;
    if (np === 0) return;
    const key = `${p.protocol ?? ""}/${np}`;
    if (nodePorts.has(key)) errs.push(duplicate(specPath.child("ports").index(i).child("nodePort"), np));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol ?? ""}/${p.port ?? 0}`;
    if (portKeys.has(key)) errs.push(duplicate(specPath.child("ports").index(i), goServicePort(p)));
    portKeys.add(key);
  });
  const ranges = spec.loadBalancerSourceRanges ?? [];
  if (ranges.length > 0) {
    const p = specPath.child("LoadBalancerSourceRanges");
    if (type !== "LoadBalancer") errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((value, idx) => {
      const v = value.trim();
      for (const msg of isValidCIDR(v)) errs.push(invalid(p.index(idx), v, msg));
    });
  } else if (Object.hasOwn(annotations, loadBalancerSourceRangesAnnotation)) {
    const p = newPath("metadata", "annotations").key(loadBalancerSourceRangesAnnotation);
    if (type !== "LoadBalancer") errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    const val = annotations[loadBalancerSourceRangesAnnotation].trim();
    if (val !== "") {
      for (const c of val.split(",")) {
        const v = c.trim();
        for (const msg of isValidCIDR(v)) errs.push(invalid(p, v, msg));
      }
    }
  }
  if (spec.allocateLoadBalancerNodePorts != null && type !== "LoadBalancer") {
    errs.push(
      forbidden(
        specPath.child("allocateLoadBalancerNodePorts"),
        "may only be used when `type` is 'LoadBalancer'",
      ),
    );
  }
  if (type === "LoadBalancer" && spec.allocateLoadBalancerNodePorts == null) {
    errs.push(required(newPath("allocateLoadBalancerNodePorts"), ""));
  }
  errs.push(...validateLoadBalancerClassField(null, svc));
  // External traffic policy.
  const etp = spec.externalTrafficPolicy ?? "";
  if (!externallyAccessible(spec)) {
    if (etp !== "") {
      errs.push(
        invalid(
          specPath.child("externalTrafficPolicy"),
          etp,
          "may only be set for externally-accessible services",
        ),
      );
    }
  } else if (etp === "") {
    errs.push(required(specPath.child("externalTrafficPolicy"), ""));
  } else if (etp !== "Cluster" && etp !== "Local") {
    errs.push(notSupported(specPath.child("externalTrafficPolicy"), etp, ["Cluster", "Local"]));
  }
  const hc = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(spec)) {
    if (hc !== 0) {
      errs.push(
        invalid(
          specPath.child("healthCheckNodePort"),
          hc,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
    }
  } else if (hc === 0) {
    errs.push(required(specPath.child("healthCheckNodePort"), ""));
  } else {
    for (const msg of isValidPortNum(hc)) errs.push(invalid(specPath.child("healthCheckNodePort"), hc, msg));
  }
  // Internal traffic policy.
  if (spec.internalTrafficPolicy == null) {
    if (type === "NodePort" || type === "LoadBalancer" || type === "ClusterIP") {
      errs.push(required(specPath.child("internalTrafficPolicy"), ""));
    }
  } else if (!supportedInternalTrafficPolicy.includes(spec.internalTrafficPolicy)) {
    errs.push(
      notSupported(
        specPath.child("internalTrafficPolicy"),
        spec.internalTrafficPolicy,
        supportedInternalTrafficPolicy,
      ),
    );
  }
  if (spec.trafficDistribution != null && spec.trafficDistribution !== "PreferClose") {
    errs.push(notSupported(specPath.child("trafficDistribution"), spec.trafficDistribution, ["PreferClose"]));
  }
  return errs;
}

function validateUpgradeDowngradeClusterIPs(old: Service, svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const o = specOf(old);
  const n = specOf(svc);
  if (n.type === "ExternalName" || o.type === "ExternalName") return errs;
  if (isHeadless(old) && isHeadless(svc)) return errs;
  const oldIPs = o.clusterIPs ?? [];
  const newIPs = n.clusterIPs ?? [];
  const value = () => new GoValue(goStringSliceText(n.clusterIPs ?? null));
  const p = specPath.child("clusterIPs");
  if (oldIPs.length === newIPs.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== newIPs[i]) errs.push(invalid(p.index(i), value(), "may not change once set"));
    });
  } else if (oldIPs.length > newIPs.length) {
    if (newIPs.length === 0) errs.push(invalid(p.index(0), value(), "primary clusterIP can not be unset"));
    if (oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
      errs.push(invalid(p.index(0), value(), "may not change once set"));
    }
    if (newIPs.length === 1 && n.ipFamilyPolicy !== "SingleStack") {
      errs.push(
        invalid(
          specPath.child("ipFamilyPolicy"),
          n.ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary clusterIP",
        ),
      );
    }
  } else if (oldIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
    errs.push(invalid(p.index(0), value(), "may not change once set"));
  }
  return errs;
}

function validateUpgradeDowngradeIPFamilies(old: Service, svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const o = specOf(old);
  const n = specOf(svc);
  if (n.type === "ExternalName" || o.type === "ExternalName") return errs;
  if (isHeadless(old) !== isHeadless(svc) || isHeadless(svc)) return errs;
  const oldF = o.ipFamilies ?? [];
  const newF = n.ipFamilies ?? [];
  const p = specPath.child("ipFamilies").index(0);
  const families = () => new GoValue(goStringSliceText(n.ipFamilies ?? null, "core.IPFamily"));
  const ips = () => new GoValue(goStringSliceText(n.clusterIPs ?? null));
  if (oldF.length === newF.length) {
    oldF.forEach((f, i) => {
      if (f !== newF[i]) errs.push(invalid(p, families(), "may not change once set"));
    });
  } else if (oldF.length > newF.length) {
    if ((n.clusterIPs ?? []).length === 0)
      errs.push(invalid(p, families(), "primary ipFamily can not be unset"));
    if (newF.length > 0 && newF[0] !== oldF[0]) errs.push(invalid(p, ips(), "may not change once set"));
    if (newF.length === 1 && n.ipFamilyPolicy !== "SingleStack") {
      errs.push(
        invalid(
          specPath.child("ipFamilyPolicy"),
          n.ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary ipFamily",
        ),
      );
    }
  } else if (oldF.length > 0 && newF.length > 0 && newF[0] !== oldF[0]) {
    errs.push(invalid(p, ips(), "may not change once set"));
  }
  return errs;
}

/** ValidateServiceUpdate. */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata, metaPath);
  errs.push(...validateUpgradeDowngradeClusterIPs(old, svc));
  errs.push(...validateUpgradeDowngradeIPFamilies(old, svc));
  errs.push(...validateLoadBalancerClassField(old, svc));
  if (needsHealthCheck(specOf(old)) && needsHealthCheck(specOf(svc))) {
    if ((specOf(svc).healthCheckNodePort ?? 0) !== (specOf(old).healthCheckNodePort ?? 0)) {
      errs.push(forbidden(specPath.child("healthCheckNodePort"), "field is immutable"));
    }
  }
  errs.push(...validateService(svc));
  return errs;
}

/** ValidateServiceStatusUpdate. */
export function validateServiceStatusUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata, metaPath);
  const ingrPath = newPath("status", "loadBalancer").child("ingress");
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (specOf(svc).type !== "LoadBalancer" && ingress.length !== 0) {
    errs.push(forbidden(ingrPath, "may only be used when `spec.type` is 'LoadBalancer'"));
    return errs;
  }
  ingress.forEach((ing, i) => {
    const p = ingrPath.index(i);
    const ip = ing.ip ?? "";
    if (ip.length > 0) errs.push(...ipErrors(p.child("ip"), ip));
    const ipMode = (ing as { ipMode?: string | null }).ipMode;
    if (ipMode == null) {
      if (ip.length > 0) errs.push(required(p.child("ipMode"), "must be specified when `ip` is set"));
    } else if (ip.length === 0) {
      errs.push(forbidden(p.child("ipMode"), "may not be specified when `ip` is not set"));
    } else if (ipMode !== "Proxy" && ipMode !== "VIP") {
      errs.push(notSupported(p.child("ipMode"), ipMode, ["Proxy", "VIP"]));
    }
    const hostname = ing.hostname ?? "";
    if (hostname.length > 0) {
      errs.push(...validateDNS1123Subdomain(hostname, p.child("hostname")));
      if (parseIPSloppy(hostname) !== null) {
        errs.push(invalid(p.child("hostname"), hostname, "must be a DNS name, not an IP address"));
      }
    }
  });
  return errs;
}
