// The runtime as the kubelet sees it, timed: every call counts into
// kubelet_runtime_operations_total / _duration_seconds / _errors_total by
// operation_type, as upstream's instrumentedRuntimeService
// (pkg/kubelet/kuberuntime/instrumented_services.go) does.
import { Histogram, Scalar } from "../../machinery/metrics.ts";

export class RuntimeMetrics {
  readonly operations = new Scalar(
    "kubelet_runtime_operations_total",
    "Cumulative number of runtime operations by operation type.",
    "counter",
  );
  readonly errors = new Scalar(
    "kubelet_runtime_operations_errors_total",
    "Cumulative number of runtime operation errors by operation type.",
    "counter",
  );
  readonly duration = new Histogram(
    "kubelet_runtime_operations_duration_seconds",
    "Duration in seconds of runtime operations. Broken down by operation type.",
    [
      0.005, 0.0125, 0.03125, 0.078125, 0.1953125, 0.48828125, 1.220703125, 3.0517578125, 7.62939453125,
      19.073486328125,
    ],
  );

  render(): string {
    return [this.operations.render(), this.errors.render(), this.duration.render()].join("\n");
  }
}

/** runPodSandbox → run_podsandbox, listContainers → list_containers: upstream's operation_type values. */
export function operationType(method: string): string {
  return method
    .replace(/[pP]odSandbox/g, (m) => `${m[0]}odsandbox`)
    .replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
    .replace(/^_/, "");
}

/** The same runtime, each async method timed; other members pass through untouched. */
export function instrumentRuntime<T extends object>(runtime: T, metrics: RuntimeMetrics): T {
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      const op = operationType(prop);
      return function (this: unknown, ...args: unknown[]) {
        const start = performance.now();
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        const labels = { operation_type: op };
        metrics.operations.inc(labels);
        return result.then(
          (v) => {
            metrics.duration.observe(labels, (performance.now() - start) / 1000);
            return v;
          },
          (e: unknown) => {
            metrics.duration.observe(labels, (performance.now() - start) / 1000);
            metrics.errors.inc(labels);
            throw e;
          },
        );
      };
    },
  });
}
