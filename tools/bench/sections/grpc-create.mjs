// 6. The same CreateOrder over gRPC (oms.v1.OrderService), same concurrency levels.
import { join } from 'node:path';
import { runLoad } from '../lib/load-process.mjs';

export async function grpcCreate({ topology, scale, root, log }) {
  const protoRoot = join(root, 'libs/contracts/src/proto');
  const levels = [];
  for (const concurrency of scale.createLevels) {
    const result = await runLoad(
      'grpc-create.mjs',
      { address: topology.grpcAddress, concurrency, channels: scale.grpcChannels, seconds: scale.grpcSeconds, protoRoot },
      { log },
    );
    log(`  gRPC ${concurrency} in flight: ${result.callsPerSecond} calls/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, errors ${result.errors}`);
    levels.push(result);
  }
  return { levels };
}
