import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Static assets only: order-api serves them at /console/ (OMS_CONSOLE_ENABLED=true). Everything
// is bundled (no CDN, no web fonts), so the console works in a cluster without internet access.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(import.meta.dirname, '../../dist/apps/console'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
});
