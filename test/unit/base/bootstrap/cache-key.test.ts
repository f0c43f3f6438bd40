import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ManifestData } from '../../../../src/api/index.js';
import { baseManifestData, testManifest } from '../../../helpers/fake-context.js';
import {
  bootstrapCacheKey,
  canonicalJson,
  type BootstrapHostInfo,
} from '../../../../src/base/bootstrap/cache-key.js';

const host: BootstrapHostInfo = {
  toolVersion: 'mmdebstrap 1.3.5',
  defaultMirror: 'http://deb.debian.org/debian/',
};

function key(
  bootstrapper: Partial<ManifestData['bootstrapper']> = {},
  rest: Partial<ManifestData> = {},
  h: BootstrapHostInfo = host,
  extra: string[] = [],
): string {
  const data: ManifestData = {
    ...baseManifestData,
    ...rest,
    bootstrapper: { ...baseManifestData.bootstrapper, ...bootstrapper },
  };
  return bootstrapCacheKey(testManifest(data), h, extra);
}

test('the key is a sha256 hex digest and stable', () => {
  assert.match(key(), /^[0-9a-f]{64}$/);
  assert.equal(key(), key());
});

test('the order of include and exclude packages does not change the key', () => {
  const pkgs = ['curl', 'sudo', 'locales', 'vim', 'less'];
  const base = key({ include_packages: pkgs, exclude_packages: ['a', 'b', 'c'] });
  // Every rotation and the reverse of the list give the same key.
  for (let i = 0; i < pkgs.length; i++) {
    const rotated = [...pkgs.slice(i), ...pkgs.slice(0, i)];
    assert.equal(key({ include_packages: rotated, exclude_packages: ['c', 'a', 'b'] }), base);
    assert.equal(key({ include_packages: [...rotated].reverse(), exclude_packages: ['b', 'c', 'a'] }), base);
  }
  // State includes merge with the manifest's, in any order, with duplicates.
  assert.equal(
    key({ include_packages: ['curl', 'sudo'] }, {}, host, ['locales']),
    key({ include_packages: ['locales', 'sudo'] }, {}, host, ['curl', 'sudo']),
  );
});

test('things that do not change the tree do not change the key', () => {
  assert.equal(key({ workspace: '/other' }), key());
  assert.equal(key({}, { name: 'another-name' }), key());
  // Trailing slash on the mirror is normalised.
  assert.equal(key({ mirror: 'http://m/debian' }), key({ mirror: 'http://m/debian/' }));
});

test('every input that changes the tree changes the key', () => {
  const base = key({ keyring: '/k' }, {}, { ...host, keyringSha256: 'aa' });
  const variants: string[] = [
    key({ keyring: '/k' }, {}, { ...host, keyringSha256: 'bb' }), // keyring content
    key({ keyring: '/k', tool: 'debootstrap' }, {}, { ...host, keyringSha256: 'aa' }),
    key({ keyring: '/k' }, {}, { ...host, keyringSha256: 'aa', toolVersion: 'mmdebstrap 1.4.0' }),
    key({ keyring: '/k', variant: 'minbase' }, {}, { ...host, keyringSha256: 'aa' }),
    key({ keyring: '/k', mirror: 'http://other/debian/' }, {}, { ...host, keyringSha256: 'aa' }),
    key({ keyring: '/k' }, {}, { ...host, keyringSha256: 'aa', defaultMirror: 'http://local/debian/' }),
    key({ keyring: '/k', include_packages: ['curl'] }, {}, { ...host, keyringSha256: 'aa' }),
    key({ keyring: '/k' }, {}, { ...host, keyringSha256: 'aa' }, ['locales']),
    key({ keyring: '/k', exclude_packages: ['nano'] }, {}, { ...host, keyringSha256: 'aa' }),
    key({ keyring: '/k', 'no-check-gpg': true }, {}, { ...host, keyringSha256: 'aa' }),
    key(
      { keyring: '/k' },
      { packages: { components: ['main', 'contrib'] } },
      { ...host, keyringSha256: 'aa' },
    ),
    key(
      { keyring: '/k' },
      { system: { ...baseManifestData.system, release: 'trixie' } },
      { ...host, keyringSha256: 'aa' },
    ),
    key(
      { keyring: '/k' },
      { system: { ...baseManifestData.system, architecture: 'arm64' } },
      { ...host, keyringSha256: 'aa' },
    ),
  ];
  for (const [i, k] of variants.entries()) assert.notEqual(k, base, `variant ${i} should change the key`);
  assert.equal(new Set(variants).size, variants.length, 'all variants differ from each other');
});

test('canonicalJson sorts keys at every level and drops undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }),
    '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
  );
});
