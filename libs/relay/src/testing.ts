// Test doubles for relay specs: a publisher with simulated outages and refusals, metrics that record.
export { ControlledPublisher } from './testing/controlled-publisher';
export { RecordingMetrics } from './testing/recording-metrics';
