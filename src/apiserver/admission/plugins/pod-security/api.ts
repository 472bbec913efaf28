// Pod Security levels, policy versions and the namespace labels that choose
// them: a port of k8s.io/pod-security-admission/api (constants.go,
// helpers.go) as of v1.32.
import { type FieldError, invalid, newPath } from "../../../../machinery/field-errors.ts";

export type Level = "privileged" | "baseline" | "restricted";

export const LEVELS: readonly Level[] = ["privileged", "baseline", "restricted"];

const LABEL_PREFIX = "pod-security.kubernetes.io/";
export const ENFORCE_LEVEL_LABEL = `${LABEL_PREFIX}enforce`;
export const ENFORCE_VERSION_LABEL = `${LABEL_PREFIX}enforce-version`;
export const AUDIT_LEVEL_LABEL = `${LABEL_PREFIX}audit`;
export const AUDIT_VERSION_LABEL = `${LABEL_PREFIX}audit-version`;
export const WARN_LEVEL_LABEL = `${LABEL_PREFIX}warn`;
export const WARN_VERSION_LABEL = `${LABEL_PREFIX}warn-version`;

/** Audit annotations are sent as pod-security.kubernetes.io/<key>. */
export const AUDIT_ANNOTATION_PREFIX = LABEL_PREFIX;
export const EXEMPTION_REASON_ANNOTATION_KEY = "exempt";
export const AUDIT_VIOLATIONS_ANNOTATION_KEY = "audit-violations";
export const ENFORCED_POLICY_ANNOTATION_KEY = "enforce-policy";

/** A policy version: "latest" or v<major>.<minor>. */
export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly latest: boolean;
}

export const LATEST: Version = Object.freeze({ major: 0, minor: 0, latest: true });

export function majorMinor(major: number, minor: number): Version {
  return { major, minor, latest: false };
}

export function versionString(v: Version): string {
  return v.latest ? "latest" : `v${v.major}.${v.minor}`;
}

/** Version.Older: latest is newer than every numbered version, even future ones. */
export function older(v: Version, other: Version): boolean {
  if (v.latest) return false;
  if (other.latest) return true;
  if (v.major !== other.major) return v.major < other.major;
  return v.minor < other.minor;
}

export function versionsEqual(a: Version, b: Version): boolean {
  return a.latest === b.latest && a.major === b.major && a.minor === b.minor;
}

export interface LevelVersion {
  readonly level: Level;
  readonly version: Version;
}

export function levelVersionString(lv: LevelVersion): string {
  return `${lv.level}:${versionString(lv.version)}`;
}

export function levelVersionsEqual(a: LevelVersion, b: LevelVersion): boolean {
  return a.level === b.level && versionsEqual(a.version, b.version);
}

/** LevelVersion.Equivalent: privileged is the same at every version. */
export function levelVersionsEquivalent(a: LevelVersion, b: LevelVersion): boolean {
  return (a.level === "privileged" && b.level === "privileged") || levelVersionsEqual(a, b);
}

export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

export function policiesEquivalent(a: Policy, b: Policy): boolean {
  return (
    levelVersionsEquivalent(a.enforce, b.enforce) &&
    levelVersionsEquivalent(a.audit, b.audit) &&
    levelVersionsEquivalent(a.warn, b.warn)
  );
}

export function fullyPrivileged(p: Policy): boolean {
  return p.enforce.level === "privileged" && p.audit.level === "privileged" && p.warn.level === "privileged";
}

/** The configuration defaults: privileged:latest in every mode. */
export const PRIVILEGED_POLICY: Readonly<Policy> = Object.freeze({
  enforce: { level: "privileged" as const, version: LATEST },
  audit: { level: "privileged" as const, version: LATEST },
  warn: { level: "privileged" as const, version: LATEST },
});

/** ParseLevel: an unknown level means restricted (fail closed) plus an error. */
export function parseLevel(level: string): { level: Level; error?: string } {
  if ((LEVELS as readonly string[]).includes(level)) return { level: level as Level };
  return { level: "restricted", error: `must be one of ${LEVELS.join(", ")}` };
}

const VERSION_RE = /^v1\.([0-9]|[1-9][0-9]*)$/;

/** ParseVersion: "latest" or "v1.x"; anything else means latest plus an error. */
export function parseVersion(version: string): { version: Version; error?: string } {
  if (version === "latest") return { version: LATEST };
  const m = VERSION_RE.exec(version);
  const minor = m ? Number(m[1]) : Number.NaN;
  if (!Number.isSafeInteger(minor)) return { version: LATEST, error: 'must be "latest" or "v1.x"' };
  return { version: majorMinor(1, minor) };
}

/** CompareLevels: -1 if a is less strict than b, 0 if equal, +1 if stricter. */
export function compareLevels(a: Level, b: Level): number {
  if (a === b) return 0;
  switch (a) {
    case "privileged":
      return -1;
    case "restricted":
      return 1;
    default:
      return b === "privileged" ? 1 : -1;
  }
}

const labelsPath = newPath("metadata", "labels");

/**
 * PolicyToEvaluate: the namespace's policy from its labels, falling back to
 * the defaults for unset labels. A usable policy is always returned; bad
 * labels also yield field errors (enforce fails closed to restricted, audit
 * and warn fail open to privileged, a bad version means latest).
 */
export function policyToEvaluate(
  labels: Record<string, string> | undefined,
  defaults: Policy,
): { policy: Policy; errors: FieldError[] } {
  const p: Policy = { enforce: defaults.enforce, audit: defaults.audit, warn: defaults.warn };
  const errors: FieldError[] = [];
  if (!labels || Object.keys(labels).length === 0) return { policy: p, errors };
  const has = (k: string) => Object.hasOwn(labels, k);
  const fail = (label: string, value: string, error: string | undefined) => {
    if (error !== undefined) errors.push(invalid(labelsPath.key(label), value, error));
  };

  let hasEnforceLevel = false;
  let hasWarnLevel = false;
  let hasWarnVersion = false;
  if (has(ENFORCE_LEVEL_LABEL)) {
    const value = labels[ENFORCE_LEVEL_LABEL];
    const r = parseLevel(value);
    p.enforce = { ...p.enforce, level: r.level };
    hasEnforceLevel = r.error === undefined; // a bad enforce label does not default warn
    fail(ENFORCE_LEVEL_LABEL, value, r.error);
  }
  if (has(ENFORCE_VERSION_LABEL)) {
    const value = labels[ENFORCE_VERSION_LABEL];
    const r = parseVersion(value);
    p.enforce = { ...p.enforce, version: r.version };
    fail(ENFORCE_VERSION_LABEL, value, r.error);
  }
  if (has(AUDIT_LEVEL_LABEL)) {
    const value = labels[AUDIT_LEVEL_LABEL];
    const r = parseLevel(value);
    p.audit = { ...p.audit, level: r.error === undefined ? r.level : "privileged" };
    fail(AUDIT_LEVEL_LABEL, value, r.error);
  }
  if (has(AUDIT_VERSION_LABEL)) {
    const value = labels[AUDIT_VERSION_LABEL];
    const r = parseVersion(value);
    p.audit = { ...p.audit, version: r.version };
    fail(AUDIT_VERSION_LABEL, value, r.error);
  }
  if (has(WARN_LEVEL_LABEL)) {
    hasWarnLevel = true;
    const value = labels[WARN_LEVEL_LABEL];
    const r = parseLevel(value);
    p.warn = { ...p.warn, level: r.error === undefined ? r.level : "privileged" };
    fail(WARN_LEVEL_LABEL, value, r.error);
  }
  if (has(WARN_VERSION_LABEL)) {
    hasWarnVersion = true;
    const value = labels[WARN_VERSION_LABEL];
    const r = parseVersion(value);
    p.warn = { ...p.warn, version: r.version };
    fail(WARN_VERSION_LABEL, value, r.error);
  }

  // Since v1.26 an explicit enforce level stricter than warn also warns, so
  // workload resources (never enforced) still tell their authors.
  if (!hasWarnLevel && hasEnforceLevel && compareLevels(p.enforce.level, p.warn.level) > 0) {
    p.warn = { level: p.enforce.level, version: hasWarnVersion ? p.warn.version : p.enforce.version };
  }
  return { policy: p, errors };
}
