export * from './oms.config';
export { OMS_CONFIG } from './config.token';
export { ConfigError, type ConfigIssue } from './config.error';
export {
  loadConfig,
  loadConfigOrExit,
  parseConfig,
  type Environment,
  type LoadConfigOptions,
  type LoadedConfig,
  type ReadFile,
} from './load-config';
export type { Listener } from './listener-clashes';
export { ConfigModule, type ConfigModuleOptions } from './config.module';
export { redactConfig, redactSecrets, redactDsn, configSecrets } from './config.redaction';
export { configVariables, renderConfigurationDoc, type ConfigVariable } from './config.variables';
export {
  KAFKA_SASL_MECHANISMS,
  type KafkaConsumerTuning,
  type KafkaExtendedConfig,
  type KafkaProducerConfig,
  type KafkaSaslConfig,
  type KafkaSaslMechanism,
  type KafkaTlsConfig,
  type KafkaTopicSettings,
  type KafkaTopicsConfig,
} from './kafka.config';
