import { describeOrderLifecycle } from './testing/lifecycle.behaviour';
import { lifecycleConfig } from './testing/lifecycle.scenarios';

describeOrderLifecycle('memory drivers', async () => ({
  config: lifecycleConfig({ OMS_STORAGE_DRIVER: 'memory', OMS_BROKER_DRIVER: 'memory' }),
  cleanup: async () => undefined,
}));
