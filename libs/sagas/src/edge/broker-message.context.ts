import { BaseRpcContext } from '@nestjs/microservices';
import type { ReceivedMessage } from '@oms/domain';

/** The `@Ctx()` of a broker message handler: the message as the MessageConsumer received it. */
export class BrokerMessageContext extends BaseRpcContext<[ReceivedMessage]> {
  get message(): ReceivedMessage {
    return this.args[0];
  }
}
