import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Where the operator console is served on the REST listener. */
export const CONSOLE_PATH = '/console/';

/**
 * Where a built app finds the console's build: `console/` beside its bundle (the image copies it
 * there), else `dist/apps/console` beside `dist/apps/<app>` (a workspace build).
 */
export function consoleAssetCandidates(bundleDir: string): string[] {
  return [join(bundleDir, 'console'), join(bundleDir, '..', 'console')];
}

/**
 * Serves the built operator console (apps/console) at /console/ with @fastify/static, registered
 * on Nest's Fastify instance (imported here, not loaded by name, so the app's pruned package.json
 * keeps it). Refuses to start when no build is found, so OMS_CONSOLE_ENABLED=true never yields a
 * console that answers 404.
 */
export async function serveConsole(app: NestFastifyApplication, candidates: readonly string[]): Promise<string> {
  const root = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!root) {
    throw new Error(`OMS_CONSOLE_ENABLED=true but no console build was found (looked in ${candidates.join(', ')}); build it with: npx nx build console`);
  }
  await app.register(fastifyStatic, {
    root,
    prefix: CONSOLE_PATH,
    // Our own cache headers below: hashed asset names change with their content, the page is
    // always revalidated.
    cacheControl: false,
    setHeaders: (response, path) => {
      response.setHeader('cache-control', path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
  return root;
}
