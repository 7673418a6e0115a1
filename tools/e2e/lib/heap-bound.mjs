// The heap bound of the image, for the tools that start the built apps as production would (bench, soak).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The V8 heap bound an app gets in its container by default: deploy/node-start.sh gives the heap
 * half of the memory limit, and the Helm values set the limit per app. Null when the values set none.
 * OMS_NODE_HEAP_MB in the tool's environment overrides it as it does in the image (0 = no bound).
 */
export function defaultHeapMiB(root, app) {
  const override = process.env.OMS_NODE_HEAP_MB;
  if (override !== undefined && override !== '') return Number(override) > 0 ? Number(override) : null;
  const values = join(root, 'deploy/helm/values', `${app}.yaml`);
  if (!existsSync(values)) return null;
  const limit = /^resources:\n(?:\s.*\n)*?\s+limits:\n\s+memory:\s*(\d+)Mi/m.exec(readFileSync(values, 'utf8'));
  return limit ? Math.floor(Number(limit[1]) / 2) : null;
}

/** The node arguments for a heap bound of `heapMiB` (none for null). */
export const maxOldSpaceArgs = (heapMiB) => (heapMiB ? [`--max-old-space-size=${heapMiB}`] : []);

/** The node arguments that give `app` its image's bound. */
export const heapBoundArgs = (root, app) => maxOldSpaceArgs(defaultHeapMiB(root, app));
