import type { OmsConfig } from '@oms/config';
// The workspace manifest, bundled at build time (esbuild keeps only this field): every app reports
// the version it was built from. It belongs to no project, hence the boundary rule's exception.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { version } from '../../../package.json';

/** What `oms_build_info` and /healthz say about the running build. */
export interface BuildInfo {
  readonly version: string;
  readonly commit: string;
}

/** The workspace version (root package.json) this code was built from. */
export const OMS_VERSION: string = version;

/** Version from package.json; commit from OMS_BUILD_COMMIT (the image sets it), `unknown` when unset. */
export function buildInfoOf(config: Pick<OmsConfig, 'buildCommit'>): BuildInfo {
  return { version: OMS_VERSION, commit: config.buildCommit };
}
