// The well-known labels and annotations of Endpoints and EndpointSlices
// (k8s.io/api discovery/v1 and core/v1 well_known_labels.go).

/** discovery.LabelServiceName. */
export const LABEL_SERVICE_NAME = "kubernetes.io/service-name";
/** discovery.LabelManagedBy. */
export const LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
/** discovery.LabelSkipMirror: the EndpointSlice mirroring controller leaves such Endpoints alone. */
export const LABEL_SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";
/** v1.IsHeadlessService: set (to "") on the endpoints of a Service without a cluster IP. */
export const IS_HEADLESS_SERVICE = "service.kubernetes.io/headless";
/** v1.LabelTopologyZone. */
export const LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone";
/** The EndpointSlice controller's value of LABEL_MANAGED_BY (controllerQualifiedName). */
export const ENDPOINTSLICE_CONTROLLER_NAME = "endpointslice-controller.k8s.io";
/** v1.AnnotationTopologyMode and v1.DeprecatedAnnotationTopologyAwareHints. */
export const ANNOTATION_TOPOLOGY_MODE = "service.kubernetes.io/topology-mode";
export const DEPRECATED_ANNOTATION_TOPOLOGY_AWARE_HINTS = "service.kubernetes.io/topology-aware-hints";
