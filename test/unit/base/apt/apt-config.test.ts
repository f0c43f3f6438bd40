import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildState, ROOT_DIR } from '../../../../src/api/index.js';
import {
  aptConfFiles,
  preferenceFiles,
  renderPreferences,
  trustedKeyName,
} from '../../../../src/base/apt/apt-config.js';
import { writeAptPreferences } from '../../../../src/base/apt/write-apt-preferences.js';
import { writeAptSources } from '../../../../src/base/apt/write-apt-sources.js';
import { installTrustedKeys } from '../../../../src/base/apt/install-trusted-keys.js';
import {
  disableDaemonAutostart,
  POLICY_RC_D_CONTENT,
} from '../../../../src/base/apt/disable-daemon-autostart.js';
import { selectAptTasks } from '../../../../src/base/apt/index.js';
import { baseManifestData, tempDir, testContext, testManifest } from '../../../helpers/fake-context.js';

const packages = {
  preferences: {
    main: [{ package: '*', pin: 'release o=Debian', 'pin-priority': 500 }],
    backports: [
      { package: 'linux-image-*', pin: 'release n=bookworm-backports', 'pin-priority': 900 },
      { package: '*', pin: 'release n=bookworm-backports', 'pin-priority': 100 },
    ],
  },
  'apt.conf.d': { main: 'APT::Install-Recommends "false";', '00IPv4': 'Acquire::ForceIPv4 "true";\n' },
};

test('preferences render as blank-line separated blocks; main is /etc/apt/preferences', () => {
  const files = preferenceFiles(testManifest({ ...baseManifestData, packages }));
  assert.deepEqual(files, [
    { path: 'etc/apt/preferences', content: 'Package: *\nPin: release o=Debian\nPin-Priority: 500\n' },
    {
      path: 'etc/apt/preferences.d/backports',
      content:
        'Package: linux-image-*\nPin: release n=bookworm-backports\nPin-Priority: 900\n\n' +
        'Package: *\nPin: release n=bookworm-backports\nPin-Priority: 100\n',
    },
  ]);
  assert.equal(renderPreferences([]), '');
});

test('apt.conf.d snippets: main is /etc/apt/apt.conf, content ends with a newline', () => {
  assert.deepEqual(aptConfFiles(testManifest({ ...baseManifestData, packages })), [
    { path: 'etc/apt/apt.conf', content: 'APT::Install-Recommends "false";\n' },
    { path: 'etc/apt/apt.conf.d/00IPv4', content: 'Acquire::ForceIPv4 "true";\n' },
  ]);
});

test('trusted keys are named .asc when armored and .gpg when binary', () => {
  assert.equal(
    trustedKeyName('docker.key', Buffer.from('-----BEGIN PGP PUBLIC KEY BLOCK-----\n')),
    'docker.asc',
  );
  assert.equal(trustedKeyName('repo.gpg', Uint8Array.from([0x99, 0x01, 0x0d])), 'repo.gpg');
  assert.equal(trustedKeyName('repo.asc', Uint8Array.from([0x99, 0x01])), 'repo.gpg');
});

test('the apt configuration tasks write their files into the image root', async () => {
  const dir = await tempDir();
  try {
    const root = join(dir.path, 'root');
    await mkdir(root);
    await writeFile(join(dir.path, 'vendor.asc'), '-----BEGIN PGP PUBLIC KEY BLOCK-----\nxx\n');
    const manifest = testManifest(
      { ...baseManifestData, packages: { ...packages, 'trusted-keys': ['vendor.asc'] } },
      join(dir.path, 'manifest.yml'),
    );
    const state = new BuildState();
    state.set(ROOT_DIR, root);
    const ctx = testContext({ manifest, state });
    for (const t of selectAptTasks(manifest).filter((t) => !t.hostCommands)) await t.run(ctx);
    assert.deepEqual(
      selectAptTasks(manifest)
        .map((t) => t.id)
        .filter((id) =>
          [
            installTrustedKeys.id,
            writeAptSources.id,
            writeAptPreferences.id,
            disableDaemonAutostart.id,
          ].includes(id),
        ),
      [
        'base/install-trusted-keys',
        'base/write-apt-sources',
        'base/write-apt-preferences',
        'base/disable-daemon-autostart',
      ],
    );
    assert.match(
      await readFile(join(root, 'etc/apt/sources.list'), 'utf8'),
      /^deb http:\/\/deb.debian.org\/debian\/ bookworm main\n/,
    );
    assert.equal(
      await readFile(join(root, 'etc/apt/apt.conf.d/00IPv4'), 'utf8'),
      'Acquire::ForceIPv4 "true";\n',
    );
    assert.equal(
      await readFile(join(root, 'etc/apt/preferences'), 'utf8'),
      'Package: *\nPin: release o=Debian\nPin-Priority: 500\n',
    );
    assert.deepEqual(await readdir(join(root, 'etc/apt/trusted.gpg.d')), ['vendor.asc']);
    assert.equal(await readFile(join(root, 'usr/sbin/policy-rc.d'), 'utf8'), POLICY_RC_D_CONTENT);
    assert.equal((await stat(join(root, 'usr/sbin/policy-rc.d'))).mode & 0o777, 0o755);
    await disableDaemonAutostart.undo!(ctx);
    await assert.rejects(stat(join(root, 'usr/sbin/policy-rc.d')));
  } finally {
    await dir.cleanup();
  }
});

test('selectAptTasks leaves out the keys and preferences tasks when the manifest has none', () => {
  const ids = selectAptTasks(testManifest(baseManifestData)).map((t) => t.id);
  assert.deepEqual(ids, [
    'base/mount-apt-archives',
    'base/unmount-apt-archives',
    'base/write-apt-sources',
    'base/disable-daemon-autostart',
    'base/apt-update',
    'base/apt-upgrade',
    'base/install-packages',
  ]);
});

test('hostile values: a newline in a preference value is refused, never another field or block', () => {
  for (const e of [
    { package: 'x\nPin: release a=unstable', pin: 'release a=stable', 'pin-priority': 500 },
    { package: '*', pin: 'origin ""\n\nPackage: *', 'pin-priority': 1001 },
    { package: '*', pin: 'release', 'pin-priority': '500\r' },
  ]) {
    assert.throws(
      () => renderPreferences([e]),
      (err: Error) => err.name === 'BuildError' && /newline or another control character/.test(err.message),
    );
  }
});
