// Validation for networking.k8s.io/v1 Ingress, IngressClass and
// NetworkPolicy (pkg/apis/networking/validation, v1.32), run as the
// registry strategies (pkg/registry/networking/{ingress,ingressclass,
// networkpolicy}/strategy.go) run it:
//
//   Ingress        create ValidateIngressCreate, update ValidateIngressUpdate,
//                  status ValidateIngressStatusUpdate
//   IngressClass   create ValidateIngressClass, update ValidateIngressClassUpdate
//   NetworkPolicy  create ValidateNetworkPolicy, update ValidateNetworkPolicy
//                  followed by ValidateNetworkPolicyUpdate (the spec errors
//                  twice, as upstream appends both lists)

import type {
  HTTPIngressPath,
  Ingress,
  IngressBackend,
  IngressClass,
  IngressClassParametersReference,
  IngressLoadBalancerStatus,
  IngressRule,
  IngressSpec,
  IPBlock,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
} from "kubernetes-types/networking/v1.d.ts";
import {
  type FieldError,
  forbidden,
  GoValue,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
  tooLong,
} from "../../machinery/field-errors.ts";
import {
  nameIsDNS1035Label,
  nameIsDNSSubdomain,
  validateNamespaceName,
} from "../../machinery/object-meta.ts";
import {
  isDNS1123Subdomain,
  isDomainPrefixedPath,
  isValidCIDR,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  parseCIDRSloppy,
  parseIPSloppy,
} from "../../machinery/validation.ts";
import {
  append,
  byteLen,
  type LabelSelectorValidationOptions,
  stringValue,
  validateImmutable,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validatePathSegmentName,
} from "./common.ts";
import { goStringSliceText } from "./gofmt.ts";

const metaPath = newPath("metadata");
const specPath = newPath("spec");

const annotationIngressClass = "kubernetes.io/ingress.class";
const maxLenIngressClassController = 250;

// sets.NewString(...).List() is sorted.
const supportedPathTypes = ["Exact", "ImplementationSpecific", "Prefix"];
const invalidPathSequences = ["//", "/./", "/../", "%2f", "%2F"];
const invalidPathSuffixes = ["/..", "/."];
const supportedIngressClassParametersReferenceScopes = ["Cluster", "Namespace"];
const supportedNetworkPolicyProtocols = ["TCP", "UDP", "SCTP"];
const supportedPolicyTypes = ["Ingress", "Egress"];

/** Errors of a []string check reported as Invalid at path. */
function invalidEach(msgs: readonly string[], path: Path, value: string): FieldError[] {
  return msgs.map((msg) => invalid(path, value, msg));
}

// --- NetworkPolicy ---------------------------------------------------------------------------

/** NetworkPolicyValidationOptions. */
export interface NetworkPolicyValidationOptions {
  allowInvalidLabelValueInSelector: boolean;
}

function selectorOptions(opts: NetworkPolicyValidationOptions): LabelSelectorValidationOptions {
  return { allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector };
}

/** ValidateNetworkPolicyPort. */
export function validateNetworkPolicyPort(port: NetworkPolicyPort, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const protocol = port.protocol;
  if (protocol != null && !supportedNetworkPolicyProtocols.includes(protocol)) {
    errs.push(notSupported(path.child("protocol"), protocol, supportedNetworkPolicyProtocols));
  }
  const endPort = port.endPort;
  if (port.port != null) {
    if (typeof port.port === "number") {
      const num = port.port;
      for (const msg of isValidPortNum(num)) errs.push(invalid(path.child("port"), num, msg));
      if (endPort != null) {
        // Upstream reports the port, not the endPort, as the bad value here.
        if (endPort < num)
          errs.push(invalid(path.child("endPort"), num, "must be greater than or equal to `port`"));
        for (const msg of isValidPortNum(endPort)) errs.push(invalid(path.child("endPort"), endPort, msg));
      }
    } else {
      if (endPort != null) {
        errs.push(invalid(path.child("endPort"), endPort, "may not be specified when `port` is non-numeric"));
      }
      append(errs, invalidEach(isValidPortName(port.port), path.child("port"), port.port));
    }
  } else if (endPort != null) {
    errs.push(invalid(path.child("endPort"), endPort, "may not be specified when `port` is not specified"));
  }
  return errs;
}

/** ValidateNetworkPolicyPeer: a peer names exactly one kind, or pod and namespace selectors together. */
export function validateNetworkPolicyPeer(
  peer: NetworkPolicyPeer,
  opts: NetworkPolicyValidationOptions,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  let numPeers = 0;
  if (peer.podSelector != null) {
    numPeers++;
    append(errs, validateLabelSelector(peer.podSelector, selectorOptions(opts), path.child("podSelector")));
  }
  if (peer.namespaceSelector != null) {
    numPeers++;
    append(
      errs,
      validateLabelSelector(peer.namespaceSelector, selectorOptions(opts), path.child("namespaceSelector")),
    );
  }
  if (peer.ipBlock != null) {
    numPeers++;
    append(errs, validateIPBlock(peer.ipBlock, path.child("ipBlock")));
  }
  if (numPeers === 0) errs.push(required(path, "must specify a peer"));
  else if (numPeers > 1 && peer.ipBlock != null)
    errs.push(forbidden(path, "may not specify both ipBlock and another peer"));
  return errs;
}

interface IPNet {
  /** The masked network number: 4 bytes for IPv4, 16 for IPv6. */
  ip: number[];
  mask: number[];
  ones: number;
}

function cidrMask(ones: number, bits: number): number[] {
  const m: number[] = [];
  for (let i = 0; i < bits / 8; i++) {
    const n = Math.max(0, Math.min(8, ones - i * 8));
    m.push((0xff << (8 - n)) & 0xff);
  }
  return m;
}

/** net.IP.To4: the 4-byte form of an IPv4 (or IPv4-mapped) address, else null. */
function to4(ip: number[]): number[] | null {
  if (ip.length === 4) return ip;
  if (ip.length === 16 && ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff)
    return ip.slice(12);
  return null;
}

/** netutils.ParseCIDRSloppy's *net.IPNet, or null when the value does not parse. */
function parseIPNet(value: string): IPNet | null {
  const parsed = parseCIDRSloppy(value);
  if (parsed === null) return null;
  const mask = cidrMask(parsed.prefix, parsed.ipv4 ? 32 : 128);
  const addr = parsed.ipv4 ? parsed.ip.slice(12) : parsed.ip;
  return { ip: addr.map((b, i) => b & mask[i]), mask, ones: parsed.prefix };
}

/** (*net.IPNet).Contains. */
function netContains(n: IPNet, ip: number[]): boolean {
  const nn = to4(n.ip) ?? n.ip;
  let m = n.mask;
  if (m.length === 4 && nn.length !== 4) return false;
  if (m.length === 16 && nn.length === 4) m = m.slice(12);
  const x = to4(ip) ?? ip;
  if (x.length !== nn.length) return false;
  for (let i = 0; i < x.length; i++) if ((nn[i] & m[i]) !== (x[i] & m[i])) return false;
  return true;
}

/** ValidateIPBlock: cidr and every except entry are CIDRs, and each except lies strictly inside cidr. */
export function validateIPBlock(ipb: IPBlock, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const cidr = ipb.cidr ?? "";
  if (cidr === "") {
    errs.push(required(path.child("cidr"), ""));
    return errs;
  }
  append(errs, invalidEach(isValidCIDR(cidr), path.child("cidr"), cidr));
  const cidrNet = parseIPNet(cidr);
  // A CIDR that does not parse has been reported just above.
  if (cidrNet === null) return errs;
  (ipb.except ?? []).forEach((except, i) => {
    const exceptPath = path.child("except").index(i);
    append(errs, invalidEach(isValidCIDR(except), exceptPath, except));
    const exceptNet = parseIPNet(except);
    if (exceptNet === null) return;
    if (!netContains(cidrNet, exceptNet.ip) || cidrNet.ones >= exceptNet.ones) {
      errs.push(invalid(exceptPath, except, "must be a strict subset of `cidr`"));
    }
  });
  return errs;
}

/** ValidateNetworkPolicySpec. */
export function validateNetworkPolicySpec(
  spec: NetworkPolicySpec,
  opts: NetworkPolicyValidationOptions,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  append(
    errs,
    validateLabelSelector(spec.podSelector ?? {}, selectorOptions(opts), path.child("podSelector")),
  );
  (spec.ingress ?? []).forEach((rule, i) => {
    const rulePath = path.child("ingress").index(i);
    (rule.ports ?? []).forEach((port, j) => {
      append(errs, validateNetworkPolicyPort(port, rulePath.child("ports").index(j)));
    });
    (rule.from ?? []).forEach((peer, j) => {
      append(errs, validateNetworkPolicyPeer(peer, opts, rulePath.child("from").index(j)));
    });
  });
  (spec.egress ?? []).forEach((rule, i) => {
    const rulePath = path.child("egress").index(i);
    (rule.ports ?? []).forEach((port, j) => {
      append(errs, validateNetworkPolicyPort(port, rulePath.child("ports").index(j)));
    });
    (rule.to ?? []).forEach((peer, j) => {
      append(errs, validateNetworkPolicyPeer(peer, opts, rulePath.child("to").index(j)));
    });
  });
  const policyTypes = spec.policyTypes ?? [];
  if (policyTypes.length > supportedPolicyTypes.length) {
    errs.push(
      invalid(
        path.child("policyTypes"),
        new GoValue(goStringSliceText(spec.policyTypes, "networking.PolicyType")),
        "may not specify more than two policyTypes",
      ),
    );
    return errs;
  }
  policyTypes.forEach((t, i) => {
    if (!supportedPolicyTypes.includes(t))
      errs.push(notSupported(path.child("policyTypes").index(i), t, supportedPolicyTypes));
  });
  return errs;
}

/**
 * ValidationOptionsForNetworking: label values that are invalid in selectors
 * stay allowed on update when the stored pod selector already has them.
 */
export function validationOptionsForNetworking(old: NetworkPolicy | null): NetworkPolicyValidationOptions {
  const opts: NetworkPolicyValidationOptions = { allowInvalidLabelValueInSelector: false };
  if (old !== null) {
    const errs = validateLabelSelector(old.spec?.podSelector ?? {}, selectorOptions(opts), specPath);
    if (errs.length > 0) opts.allowInvalidLabelValueInSelector = true;
  }
  return opts;
}

function validateNetworkPolicyWith(np: NetworkPolicy, opts: NetworkPolicyValidationOptions): FieldError[] {
  const errs = validateObjectMeta(np.metadata, true, nameIsDNSSubdomain, metaPath);
  append(errs, validateNetworkPolicySpec(np.spec ?? { podSelector: {} }, opts, specPath));
  return errs;
}

/** The strategy's Validate: ValidateNetworkPolicy. */
export function validateNetworkPolicy(np: NetworkPolicy): FieldError[] {
  return validateNetworkPolicyWith(np, validationOptionsForNetworking(null));
}

/** The strategy's ValidateUpdate: ValidateNetworkPolicy, then ValidateNetworkPolicyUpdate. */
export function validateNetworkPolicyUpdate(np: NetworkPolicy, old: NetworkPolicy): FieldError[] {
  const opts = validationOptionsForNetworking(old);
  const errs = validateNetworkPolicyWith(np, opts);
  append(errs, validateObjectMetaUpdate(np.metadata, old.metadata, metaPath));
  append(errs, validateNetworkPolicySpec(np.spec ?? { podSelector: {} }, opts, specPath));
  return errs;
}

// --- Ingress -----------------------------------------------------------------------------------

/** IngressValidationOptions: leniency for invalid values an older object already holds. */
interface IngressValidationOptions {
  allowInvalidSecretName: boolean;
  allowInvalidWildcardHostRule: boolean;
}

/** validateIngressTypedLocalObjectReference (resource backends and IngressClass parameters). */
function validateTypedLocalObjectReference(
  params: { apiGroup?: string | null; kind?: string; name?: string },
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (params.apiGroup != null) {
    append(errs, invalidEach(isDNS1123Subdomain(params.apiGroup), path.child("apiGroup"), params.apiGroup));
  }
  const kind = params.kind ?? "";
  if (kind === "") errs.push(required(path.child("kind"), "kind is required"));
  else append(errs, invalidEach(validatePathSegmentName(kind, false), path.child("kind"), kind));
  const name = params.name ?? "";
  if (name === "") errs.push(required(path.child("name"), "name is required"));
  else append(errs, invalidEach(validatePathSegmentName(name, false), path.child("name"), name));
  return errs;
}

/** validateIngressBackend: exactly one of a resource or a service with a port name or number. */
function validateIngressBackend(backend: IngressBackend, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const service = backend.service;
  const hasResource = backend.resource != null;
  const hasService = service != null;
  if (hasResource && hasService) {
    errs.push(invalid(path, "", "cannot set both resource and service backends"));
    return errs;
  }
  if (backend.resource != null) {
    append(errs, validateTypedLocalObjectReference(backend.resource, path.child("resource")));
  } else if (service != null) {
    const name = service.name ?? "";
    const namePath = path.child("service", "name");
    if (name === "") errs.push(required(namePath, ""));
    else append(errs, invalidEach(nameIsDNS1035Label(name, false), namePath, name));
    const portName = service.port?.name ?? "";
    const portNumber = service.port?.number ?? 0;
    if (portName.length > 0 && portNumber !== 0) {
      errs.push(invalid(path, "", "cannot set both port name & port number"));
    } else if (portName.length > 0) {
      append(errs, invalidEach(isValidPortName(portName), path.child("service", "port", "name"), portName));
    } else if (portNumber !== 0) {
      for (const msg of isValidPortNum(portNumber))
        errs.push(invalid(path.child("service", "port", "number"), portNumber, msg));
    } else {
      errs.push(required(path, "port name or number is required"));
    }
  } else {
    errs.push(invalid(path, "", "resource or service backend is required"));
  }
  return errs;
}

function validateHTTPIngressPath(p: HTTPIngressPath, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (p.pathType == null) {
    errs.push(required(path.child("pathType"), "pathType must be specified"));
    return errs;
  }
  const value = p.path ?? "";
  const pp = path.child("path");
  switch (p.pathType) {
    case "Exact":
    case "Prefix":
      if (!value.startsWith("/")) errs.push(invalid(pp, value, "must be an absolute path"));
      if (value.length > 0) {
        for (const seq of invalidPathSequences) {
          if (value.includes(seq)) errs.push(invalid(pp, value, `must not contain '${seq}'`));
        }
        for (const suffix of invalidPathSuffixes) {
          if (value.endsWith(suffix)) errs.push(invalid(pp, value, `cannot end with '${suffix}'`));
        }
      }
      break;
    case "ImplementationSpecific":
      if (value.length > 0 && !value.startsWith("/"))
        errs.push(invalid(pp, value, "must be an absolute path"));
      break;
    default:
      errs.push(notSupported(path.child("pathType"), p.pathType, supportedPathTypes));
  }
  append(errs, validateIngressBackend(p.backend ?? {}, path.child("backend")));
  return errs;
}

/** validateIngressRuleValue (only its http member is validated). */
function validateIngressRuleValue(rule: IngressRule, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (rule.http == null) return errs;
  const httpPath = path.child("http");
  const paths = rule.http.paths ?? [];
  if (paths.length === 0) errs.push(required(httpPath.child("paths"), ""));
  paths.forEach((p, i) => {
    append(errs, validateHTTPIngressPath(p, httpPath.child("paths").index(i)));
  });
  return errs;
}

function validateIngressRules(
  rules: readonly IngressRule[],
  path: Path,
  opts: IngressValidationOptions,
): FieldError[] {
  const errs: FieldError[] = [];
  if (rules.length === 0) return [required(path, "")];
  rules.forEach((rule, i) => {
    const host = rule.host ?? "";
    const hostPath = path.index(i).child("host");
    let wildcardHost = false;
    if (host.length > 0) {
      if (parseIPSloppy(host) !== null) {
        errs.push(invalid(hostPath, host, "must be a DNS name, not an IP address"));
      }
      if (host.includes("*")) {
        append(errs, invalidEach(isWildcardDNS1123Subdomain(host), hostPath, host));
        wildcardHost = true;
      } else {
        append(errs, invalidEach(isDNS1123Subdomain(host), hostPath, host));
      }
    }
    if (!wildcardHost || !opts.allowInvalidWildcardHostRule) {
      append(errs, validateIngressRuleValue(rule, path.index(i)));
    }
  });
  return errs;
}

/** validateTLSSecretName: an empty name is allowed. */
function validateTLSSecretName(name: string): string[] {
  if (name.length === 0) return [];
  return nameIsDNSSubdomain(name, false);
}

function validateIngressTLS(spec: IngressSpec, path: Path, opts: IngressValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  (spec.tls ?? []).forEach((tls, tlsIndex) => {
    (tls.hosts ?? []).forEach((host, i) => {
      const hostPath = path.index(tlsIndex).child("hosts").index(i);
      if (host.includes("*")) append(errs, invalidEach(isWildcardDNS1123Subdomain(host), hostPath, host));
      else append(errs, invalidEach(isDNS1123Subdomain(host), hostPath, host));
    });
    if (!opts.allowInvalidSecretName) {
      const secretName = tls.secretName ?? "";
      append(
        errs,
        invalidEach(validateTLSSecretName(secretName), path.index(tlsIndex).child("secretName"), secretName),
      );
    }
  });
  return errs;
}

/** ValidateIngressSpec. */
function validateIngressSpec(spec: IngressSpec, path: Path, opts: IngressValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && spec.defaultBackend == null) {
    const shown = Array.isArray(spec.rules) ? "[]networking.IngressRule{}" : "[]networking.IngressRule(nil)";
    errs.push(invalid(path, new GoValue(shown), "either `defaultBackend` or `rules` must be specified"));
  }
  if (spec.defaultBackend != null) {
    append(errs, validateIngressBackend(spec.defaultBackend, path.child("defaultBackend")));
  }
  if (rules.length > 0) append(errs, validateIngressRules(rules, path.child("rules"), opts));
  if ((spec.tls ?? []).length > 0) append(errs, validateIngressTLS(spec, path.child("tls"), opts));
  if (spec.ingressClassName != null) {
    const name = spec.ingressClassName;
    append(errs, invalidEach(nameIsDNSSubdomain(name, false), path.child("ingressClassName"), name));
  }
  return errs;
}

function validateIngressWith(ingress: Ingress, opts: IngressValidationOptions): FieldError[] {
  const errs = validateObjectMeta(ingress.metadata, true, nameIsDNSSubdomain, metaPath);
  append(errs, validateIngressSpec(ingress.spec ?? {}, specPath, opts));
  return errs;
}

/** ValidateIngressCreate: the class annotation, when set with ingressClassName, must agree with it. */
export function validateIngressCreate(ingress: Ingress): FieldError[] {
  const errs = validateIngressWith(ingress, {
    allowInvalidSecretName: false,
    allowInvalidWildcardHostRule: false,
  });
  const annotations = ingress.metadata?.annotations ?? {};
  const className = ingress.spec?.ingressClassName;
  if (Object.hasOwn(annotations, annotationIngressClass) && className != null) {
    const value = annotations[annotationIngressClass];
    if (value !== className) {
      errs.push(
        invalid(
          newPath("annotations").child(annotationIngressClass),
          value,
          "must match `ingressClassName` when both are specified",
        ),
      );
    }
  }
  return errs;
}

/** allowInvalidSecretName: the stored object already has a TLS secret name that is not valid. */
function allowInvalidSecretName(old: Ingress): boolean {
  return (old.spec?.tls ?? []).some((tls) => validateTLSSecretName(tls.secretName ?? "").length > 0);
}

/** allowInvalidWildcardHostRule: the stored object already has a wildcard-host rule that is not valid. */
function allowInvalidWildcardHostRule(old: Ingress): boolean {
  return (old.spec?.rules ?? []).some(
    (rule) => (rule.host ?? "").includes("*") && validateIngressRuleValue(rule, specPath).length > 0,
  );
}

/** ValidateIngressUpdate. */
export function validateIngressUpdate(ingress: Ingress, old: Ingress): FieldError[] {
  const errs = validateObjectMetaUpdate(ingress.metadata, old.metadata, metaPath);
  append(
    errs,
    validateIngressWith(ingress, {
      allowInvalidSecretName: allowInvalidSecretName(old),
      allowInvalidWildcardHostRule: allowInvalidWildcardHostRule(old),
    }),
  );
  return errs;
}

/** ValidateIngressLoadBalancerStatus: addresses and host names only; ports are not checked upstream. */
export function validateIngressLoadBalancerStatus(
  status: IngressLoadBalancerStatus,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  (status.ingress ?? []).forEach((ingress, i) => {
    const idxPath = path.child("ingress").index(i);
    const ip = ingress.ip ?? "";
    if (ip.length > 0) append(errs, invalidEach(isValidIP(ip), idxPath.child("ip"), ip));
    const hostname = ingress.hostname ?? "";
    if (hostname.length > 0) {
      append(errs, invalidEach(isDNS1123Subdomain(hostname), idxPath.child("hostname"), hostname));
      if (parseIPSloppy(hostname) !== null) {
        errs.push(invalid(idxPath.child("hostname"), hostname, "must be a DNS name, not an IP address"));
      }
    }
  });
  return errs;
}

/** ValidateIngressStatusUpdate. */
export function validateIngressStatusUpdate(ingress: Ingress, old: Ingress): FieldError[] {
  const errs = validateObjectMetaUpdate(ingress.metadata, old.metadata, metaPath);
  append(
    errs,
    validateIngressLoadBalancerStatus(ingress.status?.loadBalancer ?? {}, newPath("status", "loadBalancer")),
  );
  return errs;
}

// --- IngressClass ------------------------------------------------------------------------------

/** validateIngressClassParametersReference. */
function validateIngressClassParametersReference(
  params: IngressClassParametersReference | undefined,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (params == null) return errs;
  append(errs, validateTypedLocalObjectReference(params, path));
  if (params.scope == null) {
    errs.push(required(path.child("scope"), ""));
    return errs;
  }
  const scope = params.scope;
  const nsPath = path.child("namespace");
  if (!supportedIngressClassParametersReferenceScopes.includes(scope)) {
    errs.push(notSupported(path.child("scope"), scope, supportedIngressClassParametersReferenceScopes));
    return errs;
  }
  if (scope === "Namespace") {
    if (params.namespace == null) errs.push(required(nsPath, "`parameters.scope` is set to 'Namespace'"));
    else append(errs, invalidEach(validateNamespaceName(params.namespace, false), nsPath, params.namespace));
  }
  if (scope === "Cluster" && params.namespace != null) {
    errs.push(forbidden(nsPath, "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

/** ValidateIngressClass: a domain-prefixed controller of at most 250 bytes, and valid parameters. */
export function validateIngressClass(ic: IngressClass): FieldError[] {
  const errs = validateObjectMeta(ic.metadata, false, nameIsDNSSubdomain, metaPath);
  const spec = ic.spec ?? {};
  const controller = spec.controller ?? "";
  const controllerPath = specPath.child("controller");
  if (byteLen(controller) > maxLenIngressClassController) {
    errs.push(tooLong(controllerPath, "", maxLenIngressClassController));
  }
  append(errs, isDomainPrefixedPath(controllerPath, controller));
  append(errs, validateIngressClassParametersReference(spec.parameters, specPath.child("parameters")));
  return errs;
}

/** ValidateIngressClassUpdate: the controller is immutable. */
export function validateIngressClassUpdate(ic: IngressClass, old: IngressClass): FieldError[] {
  const errs = validateObjectMetaUpdate(ic.metadata, old.metadata, metaPath);
  append(
    errs,
    validateImmutable(
      ic.spec?.controller ?? "",
      old.spec?.controller ?? "",
      specPath.child("controller"),
      stringValue,
    ),
  );
  append(errs, validateIngressClass(ic));
  return errs;
}
