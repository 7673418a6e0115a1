import { HealthRegistry } from './health.registry';

describe('HealthRegistry', () => {
  it('lists registered checks and removes them again', () => {
    const registry = new HealthRegistry();
    const remove = registry.register({ name: 'database', readiness: true, check: () => undefined });
    registry.register({ name: 'cache', readiness: false, check: () => undefined });

    expect(registry.list().map((check) => check.name)).toEqual(['database', 'cache']);
    remove();
    expect(registry.list().map((check) => check.name)).toEqual(['cache']);
  });

  it('refuses duplicate and badly named checks', () => {
    const registry = new HealthRegistry();
    registry.register({ name: 'database', readiness: true, check: () => undefined });

    expect(() => registry.register({ name: 'database', readiness: false, check: () => undefined })).toThrow(
      'health check "database" is already registered',
    );
    expect(() => registry.register({ name: 'Data Base', readiness: false, check: () => undefined })).toThrow(/snake_case/);
  });

  it('starts not started and not shutting down, and remembers both transitions', () => {
    const registry = new HealthRegistry();
    expect([registry.isStarted, registry.isShuttingDown]).toEqual([false, false]);

    registry.markStarted();
    registry.markShuttingDown();

    expect([registry.isStarted, registry.isShuttingDown]).toEqual([true, true]);
  });
});
