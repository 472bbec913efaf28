// The references k8ts's locally built images are imported under.
export const IMAGES = {
  busybox: "k8ts.local/busybox:latest",
  pause: "k8ts.local/pause:3.10",
} as const;
