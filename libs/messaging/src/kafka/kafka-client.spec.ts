import { loadConfig } from '@oms/config';
import type { KafkaConfig } from 'kafkajs';

// Records what the factory hands to kafkajs; the real client connects lazily, so nothing is dialled.
const constructed: KafkaConfig[] = [];
jest.mock('kafkajs', () => {
  const actual = jest.requireActual<typeof import('kafkajs')>('kafkajs');
  return {
    ...actual,
    Kafka: class extends actual.Kafka {
      constructor(config: KafkaConfig) {
        super(config);
        constructed.push(config);
      }
    },
  };
});

// Imported after jest.mock, so that it sees the recording Kafka class.
import { createKafkaClient } from './kafka-client';

describe('createKafkaClient', () => {
  beforeEach(() => constructed.splice(0));

  it('builds the client from KAFKA_BROKERS, the client id, TLS and SASL of the config', () => {
    const config = loadConfig({
      OMS_BROKER_DRIVER: 'kafka',
      KAFKA_BROKERS: 'b-1.example:9096,b-2.example:9096',
      OMS_KAFKA_CLIENT_ID: 'oms-relay',
      OMS_KAFKA_TLS_ENABLED: 'true',
      OMS_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      OMS_KAFKA_SASL_USERNAME: 'oms',
      OMS_KAFKA_SASL_PASSWORD: 'secret',
    });
    createKafkaClient(config);
    expect(constructed).toHaveLength(1);
    expect(constructed[0]).toMatchObject({
      clientId: 'oms-relay',
      brokers: ['b-1.example:9096', 'b-2.example:9096'],
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'oms', password: 'secret' },
    });
  });

  it('leaves ssl and sasl out for a plaintext cluster, and refuses an empty broker list', () => {
    createKafkaClient(loadConfig({ OMS_BROKER_DRIVER: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092' }));
    expect(constructed[0]).not.toHaveProperty('ssl');
    expect(constructed[0]).not.toHaveProperty('sasl');
    expect(() => createKafkaClient(loadConfig({}))).toThrow('KAFKA_BROKERS is empty');
  });
});
