// apiregistration.k8s.io/v1 APIService validation, as kube-aggregator's
// pkg/apis/apiregistration/validation: the name is <version>.<group>, the
// priorities are bounded, and a service reference needs a usable name and port.
import { type FieldError, forbidden, invalid, newPath, required } from "../../machinery/field-errors.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "../../machinery/object-meta.ts";
import { isDNS1035Label, isDNS1123Subdomain, isValidPortNum } from "../../machinery/validation.ts";
import type { Obj } from "../registry.ts";

/** The name must be the version and group it serves (ValidateAPIServiceName). */
function nameIsVersionDotGroup(name: string, prefix: boolean): string[] {
  if (prefix) return [];
  const i = name.indexOf(".");
  if (i < 0) return [`couldn't parse name into version.group: ${name}`];
  const errs = isDNS1035Label(name.slice(0, i)).map((m) => m);
  if (name.slice(i + 1) !== "") errs.push(...isDNS1123Subdomain(name.slice(i + 1)));
  return errs;
}

function validateSpec(obj: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  const path = newPath("spec");
  const group: string = spec.group ?? "";
  const version: string = spec.version ?? "";
  if (group === "" && version !== "v1")
    errs.push(required(path.child("group"), "only v1 may have an empty group and it better be legacy kube"));
  if (group !== "")
    for (const m of isDNS1123Subdomain(group)) errs.push(invalid(path.child("group"), group, m));
  for (const m of isDNS1035Label(version)) errs.push(invalid(path.child("version"), version, m));
  const name = obj.metadata?.name ?? "";
  const wanted = `${version}.${group}`;
  if (name !== wanted) errs.push(invalid(newPath("metadata", "name"), name, `must be ${wanted}`));
  const gpm = spec.groupPriorityMinimum ?? 0;
  if (gpm <= 0)
    errs.push(invalid(path.child("groupPriorityMinimum"), gpm, "must be positive and less than 20000"));
  if (gpm > 20000)
    errs.push(invalid(path.child("groupPriorityMinimum"), gpm, "must be positive and less than 20000"));
  const vp = spec.versionPriority ?? 0;
  if (vp <= 0) errs.push(invalid(path.child("versionPriority"), vp, "must be positive and less than 1000"));
  if (vp > 1000) errs.push(invalid(path.child("versionPriority"), vp, "must be positive and less than 1000"));
  const svc = spec.service;
  if (!svc) {
    if (spec.insecureSkipTLSVerify)
      errs.push(invalid(path.child("insecureSkipTLSVerify"), true, "must not be true if service is nil"));
    if (spec.caBundle)
      errs.push(
        invalid(
          path.child("caBundle"),
          `${String(spec.caBundle).length} bytes`,
          "must not be set if service is nil",
        ),
      );
    return errs;
  }
  const sp = path.child("service");
  if (!svc.namespace) errs.push(required(sp.child("namespace"), ""));
  if (!svc.name) errs.push(required(sp.child("name"), ""));
  if (svc.port !== undefined)
    for (const m of isValidPortNum(svc.port))
      errs.push(invalid(sp.child("port"), svc.port, `port is not valid: ${m}`));
  if (spec.insecureSkipTLSVerify && spec.caBundle)
    errs.push(invalid(path.child("insecureSkipTLSVerify"), true, "may not be true if caBundle is present"));
  if (version === "" && group === "") errs.push(forbidden(path, "a service needs a group or version"));
  return errs;
}

export function validateAPIService(obj: Obj): FieldError[] {
  return [
    ...validateObjectMeta(obj.metadata, false, nameIsVersionDotGroup, newPath("metadata")),
    ...validateSpec(obj),
  ];
}

export function validateAPIServiceUpdate(obj: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMeta(obj.metadata, false, nameIsVersionDotGroup, newPath("metadata")),
    ...validateObjectMetaUpdate(obj.metadata, old.metadata, newPath("metadata")),
    ...validateSpec(obj),
  ];
}

export function validateAPIServiceStatusUpdate(obj: Obj, old: Obj): FieldError[] {
  return validateObjectMetaUpdate(obj.metadata, old.metadata, newPath("metadata"));
}
