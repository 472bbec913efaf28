// The bridge from the strategies to src/api/validation: kinds with a full
// validator get it; the others get object-metadata validation only.
import type { Obj, ResourceType } from "../../api/registry.ts";
import type { FieldError } from "../../machinery/field-errors.ts";
import {
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  type ValidateNameFunc,
} from "../../machinery/object-meta.ts";

type Validator = (group: string, kind: string, obj: Obj, old?: Obj) => FieldError[] | undefined;

let createValidator: Validator = () => undefined;
let updateValidator: Validator = () => undefined;
let statusValidator: Validator = () => undefined;

/** Installs the per-kind validators (src/api/validation). */
export function setValidators(v: { create: Validator; update: Validator; status: Validator }): void {
  createValidator = v.create;
  updateValidator = v.update;
  statusValidator = v.status;
}

export function validateCreate(group: string, kind: string, obj: Obj): FieldError[] | undefined {
  return createValidator(group, kind, obj);
}

export function validateUpdate(group: string, kind: string, obj: Obj, old: Obj): FieldError[] | undefined {
  return updateValidator(group, kind, obj, old);
}

export function validateStatusUpdate(
  group: string,
  kind: string,
  obj: Obj,
  old: Obj,
): FieldError[] | undefined {
  return statusValidator(group, kind, obj, old);
}

/** The name rule upstream uses for each kind's metadata.name. */
export function nameRuleFor(type: ResourceType): ValidateNameFunc {
  if (type.group === "" && type.kind === "Namespace") return nameIsDNSLabel;
  if (type.group === "" && type.kind === "Service") return nameIsDNS1035Label;
  return nameIsDNSSubdomain;
}
