import { trace } from '@opentelemetry/api';

interface FlushableProvider {
  forceFlush?(): Promise<void>;
  shutdown?(): Promise<void>;
}

/**
 * Exports the spans still buffered and stops the tracer provider the app's tracing.ts
 * registered (no-op when tracing is off). For the last step of a graceful shutdown, before
 * the process exits: a batch span processor would otherwise lose the spans of the drain.
 */
export async function flushTracing(timeoutMs = 2_000): Promise<void> {
  const registered = trace.getTracerProvider() as { getDelegate?(): unknown };
  const provider = (registered.getDelegate?.() ?? registered) as FlushableProvider;
  if (typeof provider.shutdown !== 'function') return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  try {
    // An unreachable collector must not hold the exit: give up after timeoutMs.
    await Promise.race([provider.shutdown().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
