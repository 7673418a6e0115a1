import { Logger } from '@nestjs/common';
import { logLevel, type logCreator } from 'kafkajs';

/** Routes kafkajs log lines (warnings and errors only) to the application logger. */
export const kafkaLogCreator: logCreator = () => {
  const logger = new Logger('Kafka');
  return ({ namespace, level, log }) => {
    const { message, error, broker, groupId, topic } = log as Record<string, unknown>;
    const context = Object.entries({ broker, groupId, topic, error })
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${name}=${String(value)}`)
      .join(' ');
    const line = `${namespace ? `${namespace}: ` : ''}${String(message)}${context ? ` (${context})` : ''}`;
    // kafkajs logs every error response of a connection (a rebalance in progress, a moved
    // leader) as an error, though the client handles them; only the layers above decide.
    if (level <= logLevel.ERROR && namespace !== 'Connection') logger.error(line);
    else if (level <= logLevel.WARN) logger.warn(line);
  };
};
