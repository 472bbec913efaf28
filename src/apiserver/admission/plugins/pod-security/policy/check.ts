// What a Pod Security check is and what it returns, with the helpers every
// check shares: a port of k8s.io/pod-security-admission/policy (checks.go,
// helpers.go, visitor.go) as of v1.32.
import type { Container, PodSpec } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import type { Version } from "../api.ts";

/**
 * The outcome of one check. forbiddenReason is short and always shown;
 * forbiddenDetail names the offending containers or values and is shown
 * when a single object is evaluated.
 */
export interface CheckResult {
  allowed: boolean;
  forbiddenReason?: string;
  forbiddenDetail?: string;
}

export type CheckPodFn = (podMetadata: ObjectMeta, podSpec: PodSpec) => CheckResult;

export interface VersionedCheck {
  /** The first policy version this revision of the check applies to. */
  minimumVersion: Version;
  checkPod: CheckPodFn;
  /** Baseline checks this (restricted) check supersedes, so a violation is reported once. */
  overrideCheckIDs?: string[];
}

export interface Check {
  id: string;
  level: "baseline" | "restricted";
  /** Strictly increasing minimum versions. */
  versions: VersionedCheck[];
}

export const ALLOWED: CheckResult = Object.freeze({ allowed: true });

export function forbiddenResult(reason: string, detail: string): CheckResult {
  return { allowed: false, forbiddenReason: reason, forbiddenDetail: detail };
}

/** Placeholder reason for checks that forbid without saying why. */
export const UNKNOWN_FORBIDDEN_REASON = "unknown forbidden reason";

/** The forbidden results of several checks, in check order. */
export interface AggregateCheckResult {
  allowed: boolean;
  forbiddenReasons: string[];
  /** Same length as forbiddenReasons; "" where a check gave no detail. */
  forbiddenDetails: string[];
}

export function aggregateCheckResults(results: readonly CheckResult[]): AggregateCheckResult {
  const forbiddenReasons: string[] = [];
  const forbiddenDetails: string[] = [];
  for (const r of results) {
    if (r.allowed) continue;
    forbiddenReasons.push(r.forbiddenReason ? r.forbiddenReason : UNKNOWN_FORBIDDEN_REASON);
    forbiddenDetails.push(r.forbiddenDetail ?? "");
  }
  return { allowed: forbiddenReasons.length === 0, forbiddenReasons, forbiddenDetails };
}

/** `host ports, privileged`: the reasons alone (namespace-wide warnings). */
export function forbiddenReason(a: AggregateCheckResult): string {
  return a.forbiddenReasons.join(", ");
}

/** `host ports (8080, 9090), privileged (container "c" ...)`: reasons with their details. */
export function forbiddenDetail(a: AggregateCheckResult): string {
  return a.forbiddenReasons
    .map((reason, i) => (a.forbiddenDetails[i] ? `${reason} (${a.forbiddenDetails[i]})` : reason))
    .join(", ");
}

/** joinQuote: `"a", "b"` (no escaping, as upstream). */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? "" : `"${items.join('", "')}"`;
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** sets.String.List(): the distinct values in byte order. */
export function sortedList(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Init containers, then containers, then ephemeral containers, as upstream visits them. */
export function visitContainers(podSpec: PodSpec, visitor: (container: Container) => void): void {
  for (const c of podSpec.initContainers ?? []) visitor(c);
  for (const c of podSpec.containers ?? []) visitor(c);
  for (const c of podSpec.ephemeralContainers ?? []) visitor(c);
}

export function isWindowsPod(podSpec: PodSpec): boolean {
  return podSpec.os?.name === "windows";
}

let relaxForUserNamespacePods = false;

/**
 * RelaxPolicyForUserNamespacePods (the UserNamespacesPodSecurityStandards
 * feature gate, off by default in v1.32): runAsUser, runAsNonRoot and
 * procMount allow pods with hostUsers=false.
 */
export function setRelaxPolicyForUserNamespacePods(relax: boolean): void {
  relaxForUserNamespacePods = relax;
}

export function relaxPolicyForUserNamespacePod(podSpec: PodSpec): boolean {
  return relaxForUserNamespacePods && podSpec.hostUsers === false;
}
