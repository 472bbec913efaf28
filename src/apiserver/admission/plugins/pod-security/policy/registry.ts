// The evaluator: for every policy version, the ordered list of checks that a
// baseline or restricted pod must pass. Port of policy/registry.go (v1.32):
// versions are inflated once up front, restricted includes the baseline
// checks it does not override, and checks run in ID order (baseline first)
// so that messages are stable.
import type { PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { type LevelVersion, majorMinor, older, type Version, versionString, versionsEqual } from "../api.ts";
import type { Check, CheckPodFn, CheckResult, VersionedCheck } from "./check.ts";
import { defaultChecks } from "./checks.ts";

export interface Evaluator {
  /** The results of every check of the level and version, in order (none for privileged). */
  evaluatePod(lv: LevelVersion, podMetadata: ObjectMeta, podSpec: PodSpec): CheckResult[];
}

function nextMinor(v: Version): Version {
  return v.latest ? v : majorMinor(v.major, v.minor + 1);
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

class CheckRegistry implements Evaluator {
  /** Keyed by minor version (only major 1 exists). */
  readonly baselineChecks = new Map<number, CheckPodFn[]>();
  readonly restrictedChecks = new Map<number, CheckPodFn[]>();

  constructor(public maxVersion: Version) {}

  evaluatePod(lv: LevelVersion, podMetadata: ObjectMeta, podSpec: PodSpec): CheckResult[] {
    if (lv.level === "privileged") return [];
    const version = older(this.maxVersion, lv.version) ? this.maxVersion : lv.version;
    const checks =
      (lv.level === "baseline" ? this.baselineChecks : this.restrictedChecks).get(version.minor) ?? [];
    return checks.map((check) => check(podMetadata, podSpec));
  }
}

function validateChecks(checks: readonly Check[]): void {
  const ids = new Map<string, string>();
  for (const check of checks) {
    if (ids.has(check.id)) throw new Error(`multiple checks registered for ID ${check.id}`);
    ids.set(check.id, check.level);
    if (check.level !== "baseline" && check.level !== "restricted") {
      throw new Error(`check ${check.id}: invalid level ${check.level}`);
    }
    if (check.versions.length === 0) throw new Error(`check ${check.id}: empty`);
    let maxVersion: Version | undefined;
    for (const c of check.versions) {
      if (c.minimumVersion.latest) throw new Error(`check ${check.id}: version cannot be 'latest'`);
      if (maxVersion && versionsEqual(maxVersion, c.minimumVersion)) {
        throw new Error(`check ${check.id}: duplicate version ${versionString(c.minimumVersion)}`);
      }
      if (maxVersion && !older(maxVersion, c.minimumVersion)) {
        throw new Error(`check ${check.id}: versions must be strictly increasing`);
      }
      maxVersion = c.minimumVersion;
    }
  }
  for (const check of checks) {
    for (const c of check.versions) {
      if (!c.overrideCheckIDs?.length) continue;
      if (check.level !== "restricted")
        throw new Error(`check ${check.id}: only restricted checks may set overrides`);
      for (const override of c.overrideCheckIDs) {
        const level = ids.get(override);
        if (level !== undefined && level !== "baseline") {
          throw new Error(`check ${check.id}: overrides ${level} check ${override}`);
        }
      }
    }
  }
}

/** Every minor version from each revision's minimum up to the next revision (or past the max). */
function inflateVersions(
  check: Check,
  versions: Map<number, Map<string, VersionedCheck>>,
  maxVersion: Version,
) {
  check.versions.forEach((c, i) => {
    const next = i + 1 < check.versions.length ? check.versions[i + 1].minimumVersion : nextMinor(maxVersion);
    for (let v = c.minimumVersion; older(v, next); v = nextMinor(v)) {
      let m = versions.get(v.minor);
      if (!m) {
        m = new Map();
        versions.set(v.minor, m);
      }
      m.set(check.id, c);
    }
  });
}

/**
 * NewEvaluator: validates the checks and precomputes the check lists.
 * emulationVersion lowers what "latest" means (e.g. to behave as v1.31).
 */
export function newEvaluator(
  checks: readonly Check[] = defaultChecks(),
  emulationVersion?: Version,
): Evaluator {
  validateChecks(checks);
  let maxVersion = majorMinor(1, 0);
  for (const c of checks) {
    const last = c.versions[c.versions.length - 1].minimumVersion;
    if (older(maxVersion, last)) maxVersion = last;
  }
  const r = new CheckRegistry(maxVersion);

  const restrictedVersioned = new Map<number, Map<string, VersionedCheck>>();
  const baselineVersioned = new Map<number, Map<string, VersionedCheck>>();
  const baselineIDs: string[] = [];
  const restrictedIDs: string[] = [];
  for (const c of checks) {
    if (c.level === "restricted") {
      restrictedIDs.push(c.id);
      inflateVersions(c, restrictedVersioned, maxVersion);
    } else {
      baselineIDs.push(c.id);
      inflateVersions(c, baselineVersioned, maxVersion);
    }
  }
  const orderedIDs = [...baselineIDs.sort(byteOrder), ...restrictedIDs.sort(byteOrder)];
  const ordered = (m: Map<string, VersionedCheck> | undefined): CheckPodFn[] =>
    orderedIDs.filter((id) => m?.has(id)).map((id) => m!.get(id)!.checkPod);

  for (let v = majorMinor(1, 0); older(v, nextMinor(maxVersion)); v = nextMinor(v)) {
    const overrides = new Set<string>();
    for (const c of restrictedVersioned.get(v.minor)?.values() ?? []) {
      for (const id of c.overrideCheckIDs ?? []) overrides.add(id);
    }
    let restricted = restrictedVersioned.get(v.minor);
    for (const [id, c] of baselineVersioned.get(v.minor) ?? []) {
      if (overrides.has(id)) continue;
      if (!restricted) {
        restricted = new Map();
        restrictedVersioned.set(v.minor, restricted);
      }
      restricted.set(id, c);
    }
    r.restrictedChecks.set(v.minor, ordered(restricted));
    r.baselineChecks.set(v.minor, ordered(baselineVersioned.get(v.minor)));
  }

  if (emulationVersion && older(emulationVersion, r.maxVersion)) r.maxVersion = emulationVersion;
  return r;
}
