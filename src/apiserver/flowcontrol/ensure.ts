// Keeps the bootstrap FlowSchemas and PriorityLevelConfigurations in the store
// (upstream's registry/flowcontrol/ensurer): each is created when missing and
// its spec put back when the apf.kubernetes.io/autoupdate-spec annotation says
// so; an object that annotation marks and the bootstrap no longer has is
// removed. The apiserver runs it at start and every minute after.

import { applyDefaults } from "../../api/defaults/apply-defaults.ts";
import {
  AUTO_UPDATE_ANNOTATION,
  FLOWCONTROL_GROUP as GROUP,
  mandatoryFlowSchemas,
  mandatoryPriorityLevels,
  suggestedFlowSchemas,
  suggestedPriorityLevels,
} from "../../api/flowcontrol/bootstrap.ts";
import type { Obj } from "../../api/registry.ts";
import { valuesEqual } from "../../machinery/apply/value.ts";
import { StatusError, StatusReason } from "../../machinery/status.ts";
import type { Registry } from "../registry/index.ts";
import type { ResourceStore } from "../registry/resource-store.ts";

export async function ensureBootstrapConfiguration(registry: Registry): Promise<void> {
  const pls = registry.byResource(GROUP, "v1", "prioritylevelconfigurations")!;
  const fss = registry.byResource(GROUP, "v1", "flowschemas")!;
  // Levels first, so that no schema is dangling for a moment.
  await ensureAll(pls, [...mandatoryPriorityLevels(), ...suggestedPriorityLevels()]);
  await ensureAll(fss, [...mandatoryFlowSchemas(), ...suggestedFlowSchemas()]);
}

async function ensureAll(rs: ResourceStore, wanted: Obj[]): Promise<void> {
  const names = new Set(wanted.map((o) => o.metadata.name));
  // At once: the store commits them together (a first start writes 21 objects).
  await Promise.all(wanted.map((want) => ensureOne(rs, want)));
  const list = await rs.list(undefined);
  const obsolete = (list.items as Obj[]).filter(
    (o) => !names.has(o.metadata.name) && o.metadata.annotations?.[AUTO_UPDATE_ANNOTATION] === "true",
  );
  await Promise.all(
    obsolete.map((o) => rs.delete(undefined, o.metadata.name, {}).catch(ignore(StatusReason.NotFound))),
  );
}

async function ensureOne(rs: ResourceStore, want: Obj): Promise<void> {
  const name = want.metadata.name;
  const current = await rs.get(undefined, name).catch(ignore(StatusReason.NotFound));
  if (!current) {
    await rs.create(undefined, want).catch(ignore(StatusReason.AlreadyExists));
    return;
  }
  if (!shouldUpdateSpec(current)) return;
  // `want` is this round's own object (the bootstrap builds new ones each time): defaulted in place,
  // it compares with the stored spec, and is what an update would store.
  applyDefaults(GROUP, want.kind, want);
  const annotated = current.metadata.annotations?.[AUTO_UPDATE_ANNOTATION] === "true";
  if (annotated && valuesEqual(current.spec, want.spec)) return;
  const next = {
    ...current,
    metadata: {
      ...current.metadata,
      annotations: { ...current.metadata.annotations, [AUTO_UPDATE_ANNOTATION]: "true" },
    },
    spec: want.spec,
  };
  // A conflict means someone else just wrote it: the next round looks again.
  await rs.update(undefined, name, next).catch(ignore(StatusReason.Conflict));
}

/** Upstream's shouldUpdateSpec: as the annotation says; without it, only an object never changed. */
function shouldUpdateSpec(o: Obj): boolean {
  const v = o.metadata.annotations?.[AUTO_UPDATE_ANNOTATION];
  if (v === "true" || v === "false") return v === "true";
  return o.metadata.generation === 1;
}

const ignore =
  (reason: StatusReason) =>
  (e: unknown): undefined => {
    if (!(e instanceof StatusError && e.reason === reason)) throw e;
    return undefined;
  };
