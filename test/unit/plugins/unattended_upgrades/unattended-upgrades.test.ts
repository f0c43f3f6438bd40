import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BuildState, PACKAGES, ROOT_DIR, type CheckReporter } from '../../../../src/api/index.js';
import { baseManifestData, tempDir, testContext, testManifest } from '../../../helpers/fake-context.js';
import { unattendedUpgradesPlugin } from '../../../../plugins/unattended_upgrades/index.js';
import { PERIODIC_CONF, renderPeriodic } from '../../../../plugins/unattended_upgrades/periodic.js';
import {
  addUnattendedUpgradesPackage,
  writePeriodicConfig,
} from '../../../../plugins/unattended_upgrades/tasks.js';

const SETTINGS = { update_interval: 1, download_interval: 2, upgrade_interval: 7 };
const manifest = (s: Record<string, unknown>) =>
  testManifest({ ...baseManifestData, plugins: { unattended_upgrades: s } });
const hostHasAptConfig = spawnSync('apt-config', ['--version']).error === undefined;

describe('unattended_upgrades', () => {
  it('adds the package and writes the three intervals with APT::Periodic::Enable', async () => {
    const { path: root, cleanup } = await tempDir();
    try {
      const state = new BuildState();
      state.set(ROOT_DIR, root);
      const ctx = testContext({ manifest: manifest(SETTINGS), state });
      await addUnattendedUpgradesPackage.run(ctx);
      await writePeriodicConfig.run(ctx);
      assert.deepEqual([...ctx.state.get(PACKAGES)], ['unattended-upgrades']);
      const text = await readFile(join(root, PERIODIC_CONF), 'utf8');
      assert.equal(text, renderPeriodic(SETTINGS));
      for (const line of [
        'APT::Periodic::Enable "1";',
        'APT::Periodic::Update-Package-Lists "1";',
        'APT::Periodic::Download-Upgradeable-Packages "2";',
        'APT::Periodic::Unattended-Upgrade "7";',
      ])
        assert.ok(text.includes(line), line);
      assert.deepEqual(ctx.runner.calls, []);
    } finally {
      await cleanup();
    }
  });

  it(
    "wins over the package's own 20auto-upgrades when apt reads the directory (checked with the host's apt-config)",
    { skip: !hostHasAptConfig },
    async () => {
      const { path: dir, cleanup } = await tempDir();
      try {
        const parts = join(dir, 'apt.conf.d');
        await mkdir(parts);
        // What unattended-upgrades' postinst writes (from /usr/share/unattended-upgrades/20auto-upgrades).
        await writeFile(
          join(parts, '20auto-upgrades'),
          'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n',
        );
        await writeFile(
          join(parts, PERIODIC_CONF.split('/').pop() ?? ''),
          renderPeriodic({ ...SETTINGS, update_interval: 3 }),
        );
        // APT_CONFIG is read before the parts directory, so it can point apt at ours.
        await writeFile(join(dir, 'apt.conf'), `Dir::Etc::Parts "${parts}";\n`);
        const out = spawnSync('apt-config', ['dump'], {
          encoding: 'utf8',
          env: { ...process.env, APT_CONFIG: join(dir, 'apt.conf') },
        });
        assert.equal(out.status, 0, out.stderr);
        assert.match(out.stdout, /^APT::Periodic::Update-Package-Lists "3";$/m);
        assert.match(out.stdout, /^APT::Periodic::Unattended-Upgrade "7";$/m);
      } finally {
        await cleanup();
      }
    },
  );

  it('warns when upgrades run but the package lists are never updated', () => {
    const out: string[] = [];
    const report: CheckReporter = {
      error: (p, m) => void out.push(`error ${p}: ${m}`),
      warn: (p, m) => void out.push(`warn ${p}: ${m}`),
    };
    unattendedUpgradesPlugin.check?.(manifest(SETTINGS), report);
    assert.deepEqual(out, []);
    unattendedUpgradesPlugin.check?.(manifest({ ...SETTINGS, update_interval: 0 }), report);
    assert.deepEqual(out, [
      'warn /plugins/unattended_upgrades/update_interval: upgrades are on but package list updates are off: unattended-upgrade will not see new versions',
    ]);
  });
});
