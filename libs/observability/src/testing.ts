// Test data of the operator contract: the metric names dashboards and alerts rely on.
export { REQUIRED_METRICS } from './testing/required-metrics';
