// The pods the kubelet should run (upstream's pkg/kubelet/pod/pod_manager.go,
// basicManager, v1.32): the desired pods by uid and by full name, and the
// mirror pods kept apart. A static pod and its mirror share a full name
// (name_namespace), which links them both ways; the mirror's uid translates to
// the static pod's, so whatever the API says about the mirror reaches the pod
// the kubelet runs.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { buildPodFullName, isMirrorPod, isStaticPod, podFullName } from "./annotations.ts";

export class PodManager {
  /** Regular and static pods by uid. */
  private podByUID = new Map<string, Pod>();
  private mirrorPodByUID = new Map<string, Pod>();
  private podByFullName = new Map<string, Pod>();
  private mirrorPodByFullName = new Map<string, Pod>();
  /** Mirror pod uid → the static pod's uid. */
  private translationByUID = new Map<string, string>();

  /** Replaces everything with these pods (mirror pods among them). */
  setPods(pods: Pod[]): void {
    this.podByUID = new Map();
    this.mirrorPodByUID = new Map();
    this.podByFullName = new Map();
    this.mirrorPodByFullName = new Map();
    this.translationByUID = new Map();
    this.updatePodsInternal(pods);
  }

  addPod(pod: Pod): void {
    this.updatePod(pod);
  }

  updatePod(pod: Pod): void {
    this.updatePodsInternal([pod]);
  }

  removePod(pod: Pod): void {
    const fullName = podFullName(pod);
    const uid = pod.metadata?.uid ?? "";
    if (isMirrorPod(pod)) {
      this.mirrorPodByUID.delete(uid);
      this.mirrorPodByFullName.delete(fullName);
      this.translationByUID.delete(uid);
    } else {
      this.podByUID.delete(uid);
      this.podByFullName.delete(fullName);
    }
  }

  /** The desired pods, without mirror pods. */
  getPods(): Pod[] {
    return [...this.podByUID.values()];
  }

  /** Pods, mirror pods, and the full names of mirror pods whose static pod is gone. */
  getPodsAndMirrorPods(): { pods: Pod[]; mirrorPods: Pod[]; orphanedMirrorPodFullNames: string[] } {
    return {
      pods: this.getPods(),
      mirrorPods: [...this.mirrorPodByUID.values()],
      orphanedMirrorPodFullNames: this.getOrphanedMirrorPodNames(),
    };
  }

  /** Mirror pods with no static pod of the same full name: the kubelet deletes them. */
  getOrphanedMirrorPodNames(): string[] {
    const names: string[] = [];
    for (const fullName of this.mirrorPodByFullName.keys()) {
      if (!this.podByFullName.has(fullName)) names.push(fullName);
    }
    return names;
  }

  /** A pod (not a mirror pod) by uid. */
  getPodByUID(uid: string): Pod | undefined {
    return this.podByUID.get(uid);
  }

  getPodByFullName(fullName: string): Pod | undefined {
    return this.podByFullName.get(fullName);
  }

  getPodByName(namespace: string, name: string): Pod | undefined {
    return this.getPodByFullName(buildPodFullName(name, namespace));
  }

  getMirrorPodByPod(pod: Pod): Pod | undefined {
    return this.mirrorPodByFullName.get(podFullName(pod));
  }

  getPodByMirrorPod(mirrorPod: Pod): Pod | undefined {
    return this.podByFullName.get(podFullName(mirrorPod));
  }

  /** For a pod or a mirror pod: the pod, its mirror, and whether the argument was the mirror. */
  getPodAndMirrorPod(aPod: Pod): { pod?: Pod; mirrorPod?: Pod; wasMirror: boolean } {
    const fullName = podFullName(aPod);
    if (isMirrorPod(aPod)) return { pod: this.podByFullName.get(fullName), mirrorPod: aPod, wasMirror: true };
    return { pod: aPod, mirrorPod: this.mirrorPodByFullName.get(fullName), wasMirror: false };
  }

  /** A mirror pod's uid becomes its static pod's; any other uid is returned as is. */
  translatePodUID(uid: string): string {
    if (uid === "") return uid;
    return this.translationByUID.get(uid) ?? uid;
  }

  /** Both directions of the mirror ↔ static pod uid translation; a static pod without a mirror maps to "". */
  getUIDTranslations(): { podToMirror: Map<string, string>; mirrorToPod: Map<string, string> } {
    const podToMirror = new Map<string, string>();
    const mirrorToPod = new Map<string, string>();
    for (const [uid, pod] of this.podByUID) if (isStaticPod(pod)) podToMirror.set(uid, "");
    for (const [mirrorUID, podUID] of this.translationByUID) {
      mirrorToPod.set(mirrorUID, podUID);
      podToMirror.set(podUID, mirrorUID);
    }
    return { podToMirror, mirrorToPod };
  }

  private updatePodsInternal(pods: Pod[]): void {
    for (const pod of pods) {
      const fullName = podFullName(pod);
      const uid = pod.metadata?.uid ?? "";
      // This relies on a static pod and its mirror having the same full name.
      if (isMirrorPod(pod)) {
        this.mirrorPodByUID.set(uid, pod);
        this.mirrorPodByFullName.set(fullName, pod);
        const p = this.podByFullName.get(fullName);
        if (p) this.translationByUID.set(uid, p.metadata?.uid ?? "");
      } else {
        this.podByUID.set(uid, pod);
        this.podByFullName.set(fullName, pod);
        const mirror = this.mirrorPodByFullName.get(fullName);
        if (mirror) this.translationByUID.set(mirror.metadata?.uid ?? "", uid);
      }
    }
  }
}
