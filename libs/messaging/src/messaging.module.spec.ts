import { NestFactory } from '@nestjs/core';
import { loadConfig, type OmsConfig } from '@oms/config';
import { MessageConsumer, MessagePublisher } from '@oms/domain';
import { MemoryBroker } from './memory/memory-broker';
import { MESSAGING_DRIVER, MessagingModule } from './messaging.module';
import type { MessagingDriver } from './messaging-driver';

const brokerConfig = (driver: 'memory' | 'kafka', dlqTopic = 'oms.dlq'): Pick<OmsConfig, 'broker'> =>
  loadConfig({ OMS_BROKER_DRIVER: driver, KAFKA_BROKERS: '127.0.0.1:9092', OMS_KAFKA_DLQ_TOPIC: dlqTopic });

describe('MessagingModule', () => {
  it('provides one MemoryBroker as both publisher and consumer, with the configured topics', async () => {
    const app = await NestFactory.createApplicationContext(MessagingModule.forRoot(brokerConfig('memory', 'custom.dlq')), {
      logger: false,
    });
    const publisher = app.get(MessagePublisher);
    const consumer = app.get(MessageConsumer);
    expect(publisher).toBeInstanceOf(MemoryBroker);
    expect(consumer).toBe(publisher);
    expect((publisher as unknown as MemoryBroker).topicSpecs().map((t) => t.name)).toEqual(['oms.order.events', 'custom.dlq', 'oms.saga.events']);

    const driver = app.get<MessagingDriver>(MESSAGING_DRIVER);
    await expect(driver.ping()).resolves.toBeUndefined();
    await app.close();
    await expect(driver.ping()).rejects.toThrow('closed');
  });

  it('fails start-up clearly when the kafka driver has no brokers', async () => {
    const config = brokerConfig('kafka');
    const noBrokers = { broker: { ...config.broker, kafka: { ...config.broker.kafka, brokers: [] } } };
    await expect(
      NestFactory.createApplicationContext(MessagingModule.forRoot(noBrokers), { logger: false, abortOnError: false }),
    ).rejects.toThrow('KAFKA_BROKERS is empty');
  });
});
