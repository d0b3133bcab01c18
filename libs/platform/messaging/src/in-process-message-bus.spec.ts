import { silentLogger } from '@klaxon/platform/observability';
import { describeMessageBusContract } from './bus.contract-suite';
import { InProcessMessageBus } from './in-process-message-bus';

describeMessageBusContract('in-process', {
  createBus: async () => new InProcessMessageBus({ logger: silentLogger }),
  waitMs: 10_000,
});
