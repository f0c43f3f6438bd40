import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { BuildState, PACKAGES, VOLUME, type CheckReporter } from '../../../../src/api/index.js';
import { checkRootSpace } from '../../../../src/base/space/check-root-space.js';
import {
  fetchPackagesIndex,
  parseDependsField,
  parseReleaseSha256,
} from '../../../../src/base/space/packages-index.js';
import { selectPackages } from '../../../../src/base/space/select-packages.js';
import { baseManifestData, tempDir, testManifest } from '../../../helpers/fake-context.js';

/** A tiny archive: an essential base, a required and an optional package, a virtual, a kernel. */
const PACKAGES_FILE = `Package: base-files
Version: 13
Architecture: amd64
Essential: yes
Priority: required
Installed-Size: 400
Pre-Depends: libc6 (>= 2.36)

Package: libc6
Version: 2.41
Architecture: amd64
Priority: optional
Installed-Size: 12000
Depends: libgcc-s1

Package: libgcc-s1
Version: 14
Architecture: amd64
Priority: optional
Installed-Size: 200

Package: apt
Version: 3.0
Architecture: amd64
Priority: required
Installed-Size: 4000
Depends: libc6, debian-archive-keyring | gpgv-keyring

Package: debian-archive-keyring
Version: 2025
Architecture: all
Priority: important
Installed-Size: 300

Package: sqv
Version: 1
Architecture: amd64
Priority: optional
Installed-Size: 2000
Provides: gpgv-keyring

Package: openssh-server
Version: 1:10
Architecture: amd64
Priority: optional
Installed-Size: 2048
Depends: libc6, default-mta | mail-transport-agent, unknown-lib
Recommends: huge-recommended

Package: huge-recommended
Version: 1
Architecture: amd64
Priority: optional
Installed-Size: 900000

Package: postfix
Version: 3
Architecture: amd64
Priority: optional
Installed-Size: 5000
Provides: mail-transport-agent

Package: linux-image-cloud-amd64
Version: 6.12
Architecture: amd64
Priority: optional
Installed-Size: 10
Depends: linux-image-6.12.1-cloud-amd64

Package: linux-image-6.12.1-cloud-amd64
Version: 6.12.1
Architecture: amd64
Priority: optional
Installed-Size: 60000
`;

async function archive(dir: string): Promise<string> {
  const gz = gzipSync(Buffer.from(PACKAGES_FILE));
  const rel = 'main/binary-amd64/Packages';
  await mkdir(join(dir, 'dists/trixie/main/binary-amd64'), { recursive: true });
  await writeFile(join(dir, 'dists/trixie', `${rel}.gz`), gz);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const plain = Buffer.from(PACKAGES_FILE);
  await writeFile(
    join(dir, 'dists/trixie/Release'),
    `Origin: Debian\nSuite: stable\nMD5Sum:\n 0123 ${gz.length} ${rel}.gz\nSHA256:\n ${sha(gz)} ${gz.length} ${rel}.gz\n ${sha(plain)} ${plain.length} ${rel}\n`,
  );
  return pathToFileURL(dir).href;
}

test('parseReleaseSha256 and parseDependsField read what the estimate needs', () => {
  const r = parseReleaseSha256(
    `MD5Sum:\n abc 1 x\nSHA256:\n ${'a'.repeat(64)}  12 main/binary-amd64/Packages.gz\n`,
  );
  assert.deepEqual([...r], [['main/binary-amd64/Packages.gz', { hash: 'a'.repeat(64), size: 12 }]]);
  assert.deepEqual(parseDependsField('a (>= 1) | b:any, c [amd64], d:amd64 (<< 2)'), [
    ['a', 'b'],
    ['c'],
    ['d'],
  ]);
});

test('the package set: variant seed, named packages, Depends closure; first alternative or a provider; no Recommends', async () => {
  const dir = await tempDir();
  try {
    const index = await fetchPackagesIndex(await archive(dir.path), 'trixie', ['main'], 'amd64');
    const minbase = selectPackages(index, {
      tool: 'mmdebstrap',
      variant: 'minbase',
      include: [],
      exclude: [],
    });
    assert.deepEqual([...minbase.names].sort(), [
      'apt',
      'base-files',
      'debian-archive-keyring',
      'libc6',
      'libgcc-s1',
    ]);
    const full = selectPackages(index, {
      tool: 'mmdebstrap',
      variant: 'minbase',
      include: ['openssh-server', 'not-in-archive'],
      exclude: [],
    });
    assert.ok(full.names.has('postfix'), 'a provider of a virtual package in an alternative');
    assert.ok(!full.names.has('huge-recommended'), 'Recommends are not counted');
    assert.deepEqual(full.unknown, ['not-in-archive']);
    const excluded = selectPackages(index, {
      tool: 'debootstrap',
      variant: undefined,
      include: [],
      exclude: ['debian-archive-keyring'],
    });
    assert.ok(excluded.names.has('sqv'), 'an excluded alternative falls through to a provider');
  } finally {
    await dir.cleanup();
  }
});

function preflight(root: string, rootBytes: number, mirror: string, cache: string) {
  const manifest = testManifest({
    ...baseManifestData,
    system: { ...baseManifestData.system, release: 'trixie' },
    bootstrapper: { workspace: '/tmp/ws', mirror, variant: 'minbase', cache_dir: cache },
  });
  const state = new BuildState();
  state.set(VOLUME, {
    sizeBytes: rootBytes,
    partitions: [{ name: 'root', mountpoint: '/', sizeBytes: rootBytes, filesystem: 'ext4' }],
  } as never);
  state.get(PACKAGES).add(root);
  const errors: string[] = [];
  const warnings: string[] = [];
  const report: CheckReporter = {
    error: (p, m, h) => errors.push(`${p}: ${m} (${h})`),
    warn: (p, m) => warnings.push(`${p}: ${m}`),
  };
  return {
    run: () => checkRootSpace({ manifest, state, report, signal: new AbortController().signal }),
    errors,
    warnings,
  };
}

test('preflight: a root too small for the packages is an error at root.size with the estimate; a big one passes; the index is cached', async () => {
  const dir = await tempDir();
  try {
    const mirror = await archive(join(dir.path, 'mirror'));
    const cache = join(dir.path, 'cache');
    // libc6 + apt + kernel ~ 79 MB installed + 16 MiB initramfs + apt lists: more than 64 MiB.
    const small = preflight('linux-image-cloud-amd64', 64 * 2 ** 20, mirror, cache);
    await small.run();
    assert.equal(small.errors.length, 1, small.errors.join('\n'));
    assert.match(small.errors[0]!, /^\/volume\/partitions\/root\/size: the root partition \(64MiB/);
    assert.match(small.errors[0]!, /need about \d+MiB \(\d+MiB installed/);
    assert.match(small.errors[0]!, /initramfs/);
    assert.match(small.errors[0]!, /raise the root partition to at least \d+MiB/);
    assert.equal((await readdir(join(cache, 'indices'))).length, 1, 'the parsed index is cached by its hash');

    const big = preflight('linux-image-cloud-amd64', 2 ** 30, mirror, cache);
    await big.run();
    assert.deepEqual([...big.errors, ...big.warnings], []);
  } finally {
    await dir.cleanup();
  }
});

test('preflight: an unreachable archive is a warning, never an error', async () => {
  const dir = await tempDir();
  try {
    const p = preflight('x', 2 ** 20, pathToFileURL(join(dir.path, 'nothing')).href, join(dir.path, 'c'));
    await p.run();
    assert.deepEqual(p.errors, []);
    assert.equal(p.warnings.length, 1);
    assert.match(p.warnings[0]!, /could not check that the packages fit/);
  } finally {
    await dir.cleanup();
  }
});
