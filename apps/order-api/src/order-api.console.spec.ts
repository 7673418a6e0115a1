import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestOrderApi, testConfig, type TestOrderApi } from './testing/order-api.test-app';

/** A console build as vite lays it out: index.html and hashed assets. */
function fakeConsoleBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oms-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>OMS console</title><script type="module" src="/console/assets/app-1.js"></script>');
  writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log("oms")');
  return dir;
}

describe('order-api /console', () => {
  describe('with OMS_CONSOLE_ENABLED unset', () => {
    let api: TestOrderApi;
    beforeAll(async () => {
      api = await startTestOrderApi(testConfig(), { consoleDir: fakeConsoleBuild() });
    });
    afterAll(() => api.close());

    it.each(['/console', '/console/', '/console/assets/app-1.js', '/console/api/metrics'])('answers 404 problem+json at %s', async (url) => {
      const response = await api.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    });
  });

  describe('with OMS_CONSOLE_ENABLED=true', () => {
    let api: TestOrderApi;
    let dir: string;
    beforeAll(async () => {
      dir = fakeConsoleBuild();
      api = await startTestOrderApi(testConfig({ OMS_CONSOLE_ENABLED: 'true' }), { consoleDir: dir });
    });
    afterAll(async () => {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('serves the page at /console/, revalidated on every load', async () => {
      const response = await api.app.inject({ method: 'GET', url: '/console/' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('<title>OMS console</title>');
    });

    it('redirects /console to /console/ so relative asset URLs resolve', async () => {
      const response = await api.app.inject({ method: 'GET', url: '/console' });
      expect(response.statusCode).toBe(301);
      expect(response.headers['location']).toBe('/console/');
    });

    it('serves hashed assets as immutable and answers 404 for a missing one', async () => {
      const asset = await api.app.inject({ method: 'GET', url: '/console/assets/app-1.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toContain('immutable');
      expect((await api.app.inject({ method: 'GET', url: '/console/assets/missing.js' })).statusCode).toBe(404);
    });

    it("serves the process's Prometheus metrics to the live view on the REST listener", async () => {
      await api.app.inject({ method: 'GET', url: '/v1/orders/missing' });
      const response = await api.app.inject({ method: 'GET', url: '/console/api/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/plain');
      expect(response.body).toContain('oms_outbox_pending_records');
      expect(response.body).toMatch(/oms_http_requests_total\{[^}]*status="404"[^}]*\} 1/);
    });

    it('leaves the order API as it was', async () => {
      expect((await api.app.inject({ method: 'GET', url: '/v1/orders/missing' })).statusCode).toBe(404);
    });
  });

  it('refuses to start enabled without a console build, naming where it looked', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'oms-console-none-'));
    await expect(startTestOrderApi(testConfig({ OMS_CONSOLE_ENABLED: 'true' }), { consoleDir: empty })).rejects.toThrow(
      `OMS_CONSOLE_ENABLED=true but no console build was found (looked in ${empty})`,
    );
  });
});
