/** `service_name` discovery (pkg/loghttp/push/push.go, default `discover_service_name` list of Loki 3.4.6). */
import type { LabelPair } from './label-parser.js';

/** Label names Loki looks at, in order, to derive `service_name`. */
export const SERVICE_NAME_DISCOVERY_LABELS: readonly string[] = [
  'service',
  'app',
  'application',
  'app_name',
  'name',
  'app_kubernetes_io_name',
  'container',
  'container_name',
  'k8s_container_name',
  'component',
  'workload',
  'job',
  'k8s_job_name',
];

/** Value used when none of the discovery labels is present. */
export const UNKNOWN_SERVICE = 'unknown_service';

/**
 * Returns the labels with `service_name` added (sorted), unless the stream already has it or carries
 * `__aggregated_metric__`. The value is the first present discovery label, else `unknown_service`.
 */
export function addServiceName(labels: readonly LabelPair[]): LabelPair[] {
  if (labels.some((l) => l.name === 'service_name' || l.name === '__aggregated_metric__')) return [...labels];
  let value = UNKNOWN_SERVICE;
  for (const name of SERVICE_NAME_DISCOVERY_LABELS) {
    const found = labels.find((l) => l.name === name);
    if (found && found.value !== '') {
      value = found.value;
      break;
    }
  }
  const out = [...labels, { name: 'service_name', value }];
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
