import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeSourceLine, sourcesMatchBootstrap } from '../../../../src/base/apt/fresh-bootstrap.js';
import { baseManifestData, testManifest } from '../../../helpers/fake-context.js';

const bootstrapSources = [
  'deb http://deb.debian.org/debian/ bookworm main',
  'deb http://deb.debian.org/debian/ bookworm-updates main',
  'deb http://deb.debian.org/debian-security/ bookworm-security main',
];

test('source lines compare without trailing slashes or extra spaces', () => {
  assert.equal(
    normalizeSourceLine('deb  http://deb.debian.org/debian/   bookworm main'),
    'deb http://deb.debian.org/debian bookworm main',
  );
});

test("the image's default sources are the bootstrap's: no second update is needed", () => {
  const m = testManifest(baseManifestData);
  assert.equal(sourcesMatchBootstrap(m, { sources: bootstrapSources, included: new Set() }), true);
});

test('another mirror, extra components or extra source lists need a real update', () => {
  const other = testManifest({
    ...baseManifestData,
    packages: { mirror: 'http://ftp.de.debian.org/debian' },
  });
  assert.equal(sourcesMatchBootstrap(other, { sources: bootstrapSources, included: new Set() }), false);
  const contrib = testManifest({ ...baseManifestData, packages: { components: ['main', 'contrib'] } });
  assert.equal(sourcesMatchBootstrap(contrib, { sources: bootstrapSources, included: new Set() }), false);
  const extra = testManifest({
    ...baseManifestData,
    packages: { sources: { docker: ['deb https://download.example/debian bookworm stable'] } },
  });
  assert.equal(sourcesMatchBootstrap(extra, { sources: bootstrapSources, included: new Set() }), false);
});
