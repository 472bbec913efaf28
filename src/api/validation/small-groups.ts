// Validation for the small API groups: storage.k8s.io StorageClass,
// policy PodDisruptionBudget, scheduling.k8s.io PriorityClass,
// coordination.k8s.io Lease, discovery.k8s.io EndpointSlice and node.k8s.io
// RuntimeClass (v1.32).

import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import type { Condition } from "kubernetes-types/meta/v1.d.ts";
import type { RuntimeClass } from "kubernetes-types/node/v1.d.ts";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.d.ts";
import type { PriorityClass } from "kubernetes-types/scheduling/v1.d.ts";
import type { StorageClass } from "kubernetes-types/storage/v1.d.ts";
import {
  duplicate,
  type FieldError,
  forbidden,
  GoValue,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
  tooLong,
  tooMany,
} from "../../machinery/field-errors.ts";
import { nameIsDNSLabel, nameIsDNSSubdomain, validateLabelName } from "../../machinery/object-meta.ts";
import {
  isFullyQualifiedDomainName,
  isQualifiedName,
  isValidIP,
  isValidIPv4Address,
  isValidIPv6Address,
  isValidLabelValue,
  regexError,
} from "../../machinery/validation.ts";
import { validateTolerations } from "./affinity.ts";
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from "./apps.ts";
import {
  byteLen,
  stringValue,
  validateDNS1123Label,
  validateImmutable,
  validateLabelSelector,
  validateLabelsMap,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from "./common.ts";
import { goPointer } from "./gofmt.ts";
import { validatePreemptionPolicy } from "./pod-spec.ts";
import { validateContainerResourceRequirements } from "./resources.ts";
import { validateNonSpecialIP } from "./service.ts";

const metaPath = newPath("metadata");

// --- StorageClass -------------------------------------------------------------------------

const maxProvisionerParameterSize = 256 * (1 << 10);
const maxProvisionerParameterLen = 512;

type TopologyTerm = { matchLabelExpressions?: Array<{ key?: string; values?: string[] }> };

/** ValidateTopologySelectorTerm: the term as key -> set of values, and its errors. */
function validateTopologySelectorTerm(
  term: TopologyTerm,
  path: Path,
): { map: Map<string, Set<string>>; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const map = new Map<string, Set<string>>();
  const exprPath = path.child("matchLabelExpressions");
  (term.matchLabelExpressions ?? []).forEach((req, i) => {
    const idx = exprPath.index(i);
    const values = new Set<string>();
    const vp = idx.child("values");
    if ((req.values ?? []).length === 0) errs.push(required(vp, ""));
    (req.values ?? []).forEach((v, j) => {
      if (values.has(v)) errs.push(duplicate(vp.index(j), v));
      values.add(v);
    });
    errs.push(...validateLabelName(req.key ?? "", idx.child("key")));
    if (map.has(req.key ?? "")) errs.push(duplicate(idx.child("key"), req.key ?? ""));
    map.set(req.key ?? "", values);
  });
  return { map, errs };
}

function sameTopology(a: Map<string, Set<string>>, b: Map<string, Set<string>>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.size !== v.size || [...v].some((x) => !w.has(x))) return false;
  }
  return true;
}

/** ValidateStorageClass. */
export function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain, metaPath);
  const provisioner = sc.provisioner ?? "";
  const pp = newPath("provisioner");
  if (provisioner.length === 0) errs.push(required(pp, provisioner));
  else errs.push(...validateQualifiedName(provisioner.toLowerCase(), pp));
  const params = sc.parameters ?? {};
  const paramPath = newPath("parameters");
  const keys = Object.keys(params);
  if (keys.length > maxProvisionerParameterLen) {
    errs.push(tooLong(paramPath, "", maxProvisionerParameterLen));
  } else {
    let total = 0;
    for (const k of keys) {
      if (k.length < 1) errs.push(invalid(paramPath, k, "field can not be empty."));
      total += byteLen(k) + byteLen(params[k] ?? "");
    }
    if (total > maxProvisionerParameterSize) errs.push(tooLong(paramPath, "", maxProvisionerParameterSize));
  }
  const reclaim = sc.reclaimPolicy ?? "";
  if (reclaim.length > 0 && reclaim !== "Delete" && reclaim !== "Retain") {
    errs.push(notSupported(newPath("reclaimPolicy"), reclaim, ["Delete", "Retain"]));
  }
  if (sc.volumeBindingMode == null) errs.push(required(newPath("volumeBindingMode"), ""));
  else if (sc.volumeBindingMode !== "Immediate" && sc.volumeBindingMode !== "WaitForFirstConsumer") {
    errs.push(
      notSupported(newPath("volumeBindingMode"), sc.volumeBindingMode, ["Immediate", "WaitForFirstConsumer"]),
    );
  }
  const topologies = (sc.allowedTopologies ?? []) as TopologyTerm[];
  if (topologies.length > 0) {
    const tp = newPath("allowedTopologies");
    // Upstream starts the list with one empty entry per term, so an empty term is reported as a duplicate.
    const raw: Array<Map<string, Set<string>>> = topologies.map(() => new Map());
    topologies.forEach((term, i) => {
      const { map, errs: termErrs } = validateTopologySelectorTerm(term, tp.index(i));
      errs.push(...termErrs);
      for (const t of raw)
        if (sameTopology(map, t)) errs.push(duplicate(tp.index(i).child("matchLabelExpressions"), ""));
      raw.push(map);
    });
  }
  return errs;
}

/** The StorageClass strategy's ValidateUpdate: ValidateStorageClass plus ValidateStorageClassUpdate. */
export function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs = validateStorageClass(sc);
  errs.push(...validateObjectMetaUpdate(sc.metadata, old.metadata, metaPath));
  const a = sc.parameters ?? {};
  const b = old.parameters ?? {};
  if (Object.keys(a).length !== Object.keys(b).length || Object.entries(a).some(([k, v]) => b[k] !== v)) {
    errs.push(forbidden(newPath("parameters"), "updates to parameters are forbidden."));
  }
  if ((sc.provisioner ?? "") !== (old.provisioner ?? ""))
    errs.push(forbidden(newPath("provisioner"), "updates to provisioner are forbidden."));
  if ((sc.reclaimPolicy ?? "") !== (old.reclaimPolicy ?? "")) {
    errs.push(forbidden(newPath("reclaimPolicy"), "updates to reclaimPolicy are forbidden."));
  }
  errs.push(
    ...validateImmutable(
      sc.volumeBindingMode ?? null,
      old.volumeBindingMode ?? null,
      newPath("volumeBindingMode"),
      (v) => (v == null ? null : String(v)),
    ),
  );
  return errs;
}

// --- PodDisruptionBudget ---------------------------------------------------------------------

const conditionReasonFmt = "[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?";
const conditionReasonRegexp = new RegExp(`^${conditionReasonFmt}$`);

/** metav1 ValidateConditions. */
export function validateConditions(conditions: readonly Condition[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    const p = path.index(i);
    const type = c.type ?? "";
    if (seen.has(type)) errs.push(duplicate(p.child("type"), type));
    else seen.add(type);
    errs.push(...validateLabelName(type, p.child("type")));
    if (!["False", "True", "Unknown"].includes(c.status ?? "")) {
      errs.push(notSupported(p.child("status"), c.status ?? "", ["False", "True", "Unknown"]));
    }
    if ((c.observedGeneration ?? 0) < 0) {
      errs.push(
        invalid(
          p.child("observedGeneration"),
          c.observedGeneration ?? 0,
          "must be greater than or equal to zero",
        ),
      );
    }
    if (c.lastTransitionTime == null || c.lastTransitionTime === "")
      errs.push(required(p.child("lastTransitionTime"), "must be set"));
    const reason = c.reason ?? "";
    if (reason.length === 0) {
      errs.push(required(p.child("reason"), "must be set"));
    } else {
      if (!conditionReasonRegexp.test(reason)) {
        errs.push(
          invalid(
            p.child("reason"),
            reason,
            regexError(
              "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'",
              conditionReasonFmt,
              "my_name",
              "MY_NAME",
              "MyName",
              "ReasonA,ReasonB",
              "ReasonA:ReasonB",
            ),
          ),
        );
      }
      if (byteLen(reason) > 1024) errs.push(tooLong(p.child("reason"), reason, 1024));
    }
    if (byteLen(c.message ?? "") > 32 * 1024)
      errs.push(tooLong(p.child("message"), c.message ?? "", 32 * 1024));
  });
  return errs;
}

function goPDBSpec(spec: NonNullable<PodDisruptionBudget["spec"]>): GoValue {
  const ptr = (v: unknown, t: string) => (v == null ? `(${t})(nil)` : `(${t})(${goPointer})`);
  return new GoValue(
    `policy.PodDisruptionBudgetSpec{MinAvailable:${ptr(spec.minAvailable, "*intstr.IntOrString")}, Selector:${ptr(spec.selector, "*v1.LabelSelector")}, ` +
      `MaxUnavailable:${ptr(spec.maxUnavailable, "*intstr.IntOrString")}, UnhealthyPodEvictionPolicy:${ptr(spec.unhealthyPodEvictionPolicy, "*policy.UnhealthyPodEvictionPolicyType")}}`,
  );
}

/** ValidatePodDisruptionBudget (the strategy checks only the spec; object meta is left to the generic checks). */
export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): FieldError[] {
  const spec = pdb.spec ?? {};
  const path = newPath("spec");
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) {
    errs.push(invalid(path, goPDBSpec(spec), "minAvailable and maxUnavailable cannot be both set"));
  }
  if (spec.minAvailable != null) {
    errs.push(...validatePositiveIntOrPercent(spec.minAvailable, path.child("minAvailable")));
    errs.push(...isNotMoreThan100Percent(spec.minAvailable, path.child("minAvailable")));
  }
  if (spec.maxUnavailable != null) {
    errs.push(...validatePositiveIntOrPercent(spec.maxUnavailable, path.child("maxUnavailable")));
    errs.push(...isNotMoreThan100Percent(spec.maxUnavailable, path.child("maxUnavailable")));
  }
  errs.push(...validateLabelSelector(spec.selector, {}, path.child("selector")));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy != null && policy !== "AlwaysAllow" && policy !== "IfHealthyBudget") {
    errs.push(
      notSupported(path.child("unhealthyPodEvictionPolicy"), policy, ["AlwaysAllow", "IfHealthyBudget"]),
    );
  }
  return errs;
}

/** ValidatePodDisruptionBudgetStatusUpdate (policy/v1). */
export function validatePodDisruptionBudgetStatusUpdate(
  pdb: PodDisruptionBudget,
  old: PodDisruptionBudget,
): FieldError[] {
  const errs = validateObjectMetaUpdate(pdb.metadata, old.metadata, metaPath);
  const s = pdb.status ?? ({} as NonNullable<PodDisruptionBudget["status"]>);
  const p = newPath("status");
  errs.push(...validateConditions(s.conditions ?? [], p.child("conditions")));
  errs.push(...validateNonnegative(s.disruptionsAllowed, p.child("disruptionsAllowed")));
  errs.push(...validateNonnegative(s.currentHealthy, p.child("currentHealthy")));
  errs.push(...validateNonnegative(s.desiredHealthy, p.child("desiredHealthy")));
  errs.push(...validateNonnegative(s.expectedPods, p.child("expectedPods")));
  return errs;
}

// --- PriorityClass ----------------------------------------------------------------------------

const highestUserDefinablePriority = 1000000000;
const systemCriticalPriority = 2 * highestUserDefinablePriority;
const systemPriorityClasses = [
  { name: "system-node-critical", value: systemCriticalPriority + 1000, globalDefault: false },
  { name: "system-cluster-critical", value: systemCriticalPriority, globalDefault: false },
];

function knownSystemPriorityClassError(name: string, value: number, globalDefault: boolean): string | null {
  for (const spc of systemPriorityClasses) {
    if (spc.name !== name) continue;
    if (spc.value !== value) return `value of ${spc.name} PriorityClass must be ${spc.value}`;
    if (spc.globalDefault !== globalDefault)
      return `globalDefault of ${spc.name} PriorityClass must be ${spc.globalDefault}`;
    return null;
  }
  return `${name} is not a known system priority class`;
}

/** ValidatePriorityClass. */
export function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain, metaPath);
  const name = pc.metadata?.name ?? "";
  const value = pc.value ?? 0;
  if (name.startsWith("system-")) {
    const err = knownSystemPriorityClassError(name, value, pc.globalDefault ?? false);
    if (err !== null) {
      errs.push(
        forbidden(
          newPath("metadata", "name"),
          `priority class names with 'system-' prefix are reserved for system use only. error: ${err}`,
        ),
      );
    }
  } else if (value > highestUserDefinablePriority) {
    errs.push(
      forbidden(
        newPath("value"),
        `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`,
      ),
    );
  }
  if (pc.preemptionPolicy != null)
    errs.push(...validatePreemptionPolicy(pc.preemptionPolicy, newPath("preemptionPolicy")));
  return errs;
}

/** ValidatePriorityClassUpdate: value and preemptionPolicy are immutable. */
export function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata, metaPath);
  if ((pc.value ?? 0) !== (old.value ?? 0))
    errs.push(forbidden(newPath("value"), "may not be changed in an update."));
  errs.push(
    ...validateImmutable(
      pc.preemptionPolicy ?? null,
      old.preemptionPolicy ?? null,
      newPath("preemptionPolicy"),
      (v) => (v == null ? null : String(v)),
    ),
  );
  return errs;
}

// --- Lease ------------------------------------------------------------------------------------

type LeaseSpec = NonNullable<Lease["spec"]> & { strategy?: string | null; preferredHolder?: string | null };

function validateLeaseSpec(spec: LeaseSpec, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
    errs.push(
      invalid(path.child("leaseDurationSeconds"), spec.leaseDurationSeconds, "must be greater than 0"),
    );
  }
  if (spec.leaseTransitions != null && spec.leaseTransitions < 0) {
    errs.push(
      invalid(path.child("leaseTransitions"), spec.leaseTransitions, "must be greater than or equal to 0"),
    );
  }
  if (spec.strategy != null) {
    const sp = path.child("strategy").child("strategy");
    if (spec.strategy.split("/").length === 1) {
      if (spec.strategy !== "OldestEmulationVersion")
        errs.push(notSupported(sp, spec.strategy, ["OldestEmulationVersion"]));
    } else {
      for (const msg of isQualifiedName(spec.strategy)) errs.push(invalid(sp, spec.strategy, msg));
    }
  }
  if (
    spec.preferredHolder != null &&
    spec.preferredHolder !== "" &&
    (spec.strategy == null || spec.strategy === "")
  ) {
    errs.push(forbidden(path.child("preferredHolder"), "may only be specified if `strategy` is defined"));
  }
  return errs;
}

/** ValidateLease. */
export function validateLease(lease: Lease): FieldError[] {
  return [
    ...validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain, metaPath),
    ...validateLeaseSpec(lease.spec ?? {}, newPath("spec")),
  ];
}

/** ValidateLeaseUpdate. */
export function validateLeaseUpdate(lease: Lease, old: Lease): FieldError[] {
  return [
    ...validateObjectMetaUpdate(lease.metadata, old.metadata, metaPath),
    ...validateLeaseSpec(lease.spec ?? {}, newPath("spec")),
  ];
}

// --- EndpointSlice ------------------------------------------------------------------------------

const supportedAddressTypes = ["FQDN", "IPv4", "IPv6"];
const maxTopologyLabels = 16;
const maxAddresses = 100;
const maxPorts = 100;
const maxEndpoints = 1000;
const maxForZones = 8;

function validateEndpointSlice(slice: EndpointSlice, validAddressTypes: string[]): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, true, nameIsDNSSubdomain, metaPath);
  const addrType = slice.addressType ?? "";
  if (addrType === "") errs.push(required(newPath("addressType"), ""));
  else if (!validAddressTypes.includes(addrType))
    errs.push(notSupported(newPath("addressType"), addrType, validAddressTypes));
  const endpoints = slice.endpoints ?? [];
  const ep = newPath("endpoints");
  if (endpoints.length > maxEndpoints) {
    errs.push(tooMany(ep, endpoints.length, maxEndpoints));
  } else {
    endpoints.forEach((endpoint, i) => {
      const idx = ep.index(i);
      const ap = idx.child("addresses");
      const addresses = endpoint.addresses ?? [];
      if (addresses.length === 0) errs.push(required(ap, "must contain at least 1 address"));
      else if (addresses.length > maxAddresses) errs.push(tooMany(ap, addresses.length, maxAddresses));
      addresses.forEach((address, j) => {
        const p = ap.index(j);
        switch (addrType) {
          case "IP":
            for (const msg of isValidIP(address)) errs.push(invalid(p, address, msg));
            break;
          case "IPv4":
            for (const msg of isValidIPv4Address(address)) errs.push(invalid(p, address, msg));
            errs.push(...validateNonSpecialIP(address, p));
            break;
          case "IPv6":
            for (const msg of isValidIPv6Address(address)) errs.push(invalid(p, address, msg));
            errs.push(...validateNonSpecialIP(address, p));
            break;
          case "FQDN":
            errs.push(...isFullyQualifiedDomainName(p, address));
            break;
        }
      });
      if (endpoint.nodeName != null) {
        for (const msg of nameIsDNSSubdomain(endpoint.nodeName, false))
          errs.push(invalid(idx.child("nodeName"), endpoint.nodeName, msg));
      }
      const topo = endpoint.deprecatedTopology ?? {};
      const tp = idx.child("deprecatedTopology");
      if (Object.keys(topo).length > maxTopologyLabels)
        errs.push(tooMany(tp, Object.keys(topo).length, maxTopologyLabels));
      errs.push(...validateLabelsMap(topo, tp));
      if (endpoint.hostname != null)
        errs.push(...validateDNS1123Label(endpoint.hostname, idx.child("hostname")));
      if (endpoint.hints != null) {
        const fz = idx.child("hints").child("forZones");
        const zones = endpoint.hints.forZones ?? [];
        if (zones.length > maxForZones) {
          errs.push(tooMany(fz, zones.length, maxForZones));
        } else {
          const seen = new Set<string>();
          zones.forEach((z, j) => {
            const zp = fz.index(j).child("name");
            const name = z.name ?? "";
            if (seen.has(name)) errs.push(duplicate(zp, name));
            else seen.add(name);
            for (const msg of isValidLabelValue(name)) errs.push(invalid(zp, name, msg));
          });
        }
      }
    });
  }
  const ports = slice.ports ?? [];
  const pp = newPath("ports");
  if (ports.length > maxPorts) {
    errs.push(tooMany(pp, ports.length, maxPorts));
  } else {
    const names = new Set<string>();
    ports.forEach((port, i) => {
      const idx = pp.index(i);
      const name = port.name ?? "";
      if (name.length > 0) errs.push(...validateDNS1123Label(name, idx.child("name")));
      if (names.has(name)) errs.push(duplicate(idx.child("name"), name));
      else names.add(name);
      if (port.protocol == null) errs.push(required(idx.child("protocol"), ""));
      else if (!["SCTP", "TCP", "UDP"].includes(port.protocol)) {
        errs.push(notSupported(idx.child("protocol"), port.protocol, ["SCTP", "TCP", "UDP"]));
      }
      if (port.appProtocol != null) {
        for (const msg of isQualifiedName(port.appProtocol))
          errs.push(invalid(idx.child("appProtocol"), port.appProtocol, msg));
      }
    });
  }
  return errs;
}

/** ValidateEndpointSliceCreate. */
export function validateEndpointSliceCreate(slice: EndpointSlice): FieldError[] {
  return validateEndpointSlice(slice, supportedAddressTypes);
}

/** ValidateEndpointSliceUpdate: the deprecated "IP" type is tolerated, and addressType is immutable. */
export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  const errs = validateEndpointSlice(slice, ["FQDN", "IP", "IPv4", "IPv6"]);
  errs.push(
    ...validateImmutable(slice.addressType ?? "", old.addressType ?? "", newPath("addressType"), (v) =>
      String(v ?? ""),
    ),
  );
  return errs;
}

// --- RuntimeClass -----------------------------------------------------------------------------

/** ValidateRuntimeClass: a DNS-label handler; overhead as a container's limits; scheduling's labels and tolerations. */
export function validateRuntimeClass(rc: RuntimeClass): FieldError[] {
  const errs = validateObjectMeta(rc.metadata, false, nameIsDNSSubdomain, metaPath);
  const handler = rc.handler ?? "";
  for (const msg of nameIsDNSLabel(handler, false)) errs.push(invalid(newPath("handler"), handler, msg));
  if (rc.overhead != null) {
    errs.push(
      ...validateContainerResourceRequirements(
        { limits: rc.overhead.podFixed },
        new Set(),
        newPath("overhead"),
        {},
      ),
    );
  }
  if (rc.scheduling != null) {
    const path = newPath("scheduling");
    if (rc.scheduling.nodeSelector != null)
      errs.push(...validateLabelsMap(rc.scheduling.nodeSelector, path.child("nodeSelector")));
    errs.push(...validateTolerations(rc.scheduling.tolerations ?? [], path.child("tolerations")));
  }
  return errs;
}

/** The strategy's ValidateUpdate: the whole object again, and an immutable handler. */
export function validateRuntimeClassUpdate(rc: RuntimeClass, old: RuntimeClass): FieldError[] {
  return [
    ...validateRuntimeClass(rc),
    ...validateObjectMetaUpdate(rc.metadata, old.metadata, metaPath),
    ...validateImmutable(rc.handler ?? "", old.handler ?? "", newPath("handler"), stringValue),
  ];
}
