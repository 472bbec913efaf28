// Endpoints validation (pkg/apis/core/validation, v1.32).

import type { EndpointAddress, EndpointPort, Endpoints } from "kubernetes-types/core/v1.d.ts";
import {
  type FieldError,
  invalid,
  newPath,
  notSupported,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain } from "../../machinery/object-meta.ts";
import { isValidIP, isValidPortNum } from "../../machinery/validation.ts";
import {
  validateDNS1123Label,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from "./common.ts";
import { supportedPortProtocols } from "./containers.ts";
import { validateNonSpecialIP } from "./service.ts";

function validateEndpointAddress(address: EndpointAddress, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const ip = address.ip ?? "";
  for (const msg of isValidIP(ip)) errs.push(invalid(path.child("ip"), ip, msg));
  if ((address.hostname ?? "").length > 0)
    errs.push(...validateDNS1123Label(address.hostname ?? "", path.child("hostname")));
  if (address.nodeName != null) {
    for (const msg of nameIsDNSSubdomain(address.nodeName, false))
      errs.push(invalid(path.child("nodeName"), address.nodeName, msg));
  }
  errs.push(...validateNonSpecialIP(ip, path.child("ip")));
  return errs;
}

function validateEndpointPort(port: EndpointPort, requireName: boolean, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = port.name ?? "";
  if (requireName && name.length === 0) errs.push(required(path.child("name"), ""));
  else if (name.length !== 0) errs.push(...validateDNS1123Label(name, path.child("name")));
  const p = port.port ?? 0;
  for (const msg of isValidPortNum(p)) errs.push(invalid(path.child("port"), p, msg));
  const protocol = port.protocol ?? "";
  if (protocol.length === 0) errs.push(required(path.child("protocol"), ""));
  else if (!supportedPortProtocols.includes(protocol))
    errs.push(notSupported(path.child("protocol"), protocol, supportedPortProtocols));
  if (port.appProtocol != null)
    errs.push(...validateQualifiedName(port.appProtocol, path.child("appProtocol")));
  return errs;
}

/** ValidateEndpoints (create and update). */
export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain, newPath("metadata"));
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = newPath("subsets").index(i);
    const addresses = ss.addresses ?? [];
    const notReady = ss.notReadyAddresses ?? [];
    if (addresses.length === 0 && notReady.length === 0) {
      errs.push(required(p, "must specify `addresses` or `notReadyAddresses`"));
    }
    addresses.forEach((a, j) => {
      errs.push(...validateEndpointAddress(a, p.child("addresses").index(j)));
    });
    notReady.forEach((a, j) => {
      errs.push(...validateEndpointAddress(a, p.child("notReadyAddresses").index(j)));
    });
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => {
      errs.push(...validateEndpointPort(port, ports.length > 1, p.child("ports").index(j)));
    });
  });
  return errs;
}

/** ValidateEndpointsUpdate. */
export function validateEndpointsUpdate(ep: Endpoints, old: Endpoints): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ep.metadata, old.metadata, newPath("metadata")),
    ...validateEndpoints(ep),
  ];
}
