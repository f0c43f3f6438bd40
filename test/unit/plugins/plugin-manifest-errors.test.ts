/**
 * Issue #8: two real plugins that contradict each other, or a plugin key used wrongly, stop the
 * CLI before any work with a manifest error at the file and line of the key (exit 2, no stack trace).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'plugin-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));
copyFileSync('manifests/debian-qemu.yml', join(dir, 'base.yml'));

const cases: { name: string; yaml: string; expect: RegExp }[] = [
  {
    name: 'expand-root-and-cloud-init-growpart.yml',
    yaml: [
      'extends: base.yml',
      'plugins:',
      '  cloud_init:',
      '    username: admin',
      '    enable_modules:',
      '      cloud_init_modules:',
      '        - { module: growpart, position: 4 }',
      '  expand_root:',
      '    filesystem_type: ext4',
      '    root_device: /dev/vda',
      '    root_partition: 3',
    ].join('\n'),
    expect: /:8:3 \/plugins\/expand_root: expand_root and cloud_init's growpart module would both grow/,
  },
  {
    name: 'ntp-server-string.yml',
    yaml: 'extends: base.yml\nplugins:\n  ntp:\n    servers: 0.debian.pool.ntp.org\n',
    expect: /:4:5 \/plugins\/ntp\/servers: must be a list, not "0\.debian\.pool\.ntp\.org"/,
  },
  {
    name: 'admin-user-typo.yml',
    yaml: 'extends: base.yml\nplugins:\n  admin_user:\n    user: admin\n',
    expect:
      /:4:5 \/plugins\/admin_user\/user: unknown key "user"\n[\s\S]*known keys: password, pubkey, username/,
  },
  {
    name: 'file-copy-mode.yml',
    yaml: [
      'extends: base.yml',
      'plugins:',
      '  file_copy:',
      '    files:',
      '      - src: base.yml',
      '        dst: /etc/x',
      '        permissions: "999"',
    ].join('\n'),
    expect: /:7:9 \/plugins\/file_copy\/files\/0\/permissions: "999" is not a mode chmod accepts/,
  },
  {
    name: 'expand-root-wrong-filesystem.yml',
    yaml: 'extends: base.yml\nplugins:\n  expand_root:\n    filesystem_type: xfs\n    root_device: /dev/vda\n    root_partition: 3\n',
    expect:
      /:4:\d+ \/plugins\/expand_root\/filesystem_type: filesystem_type is xfs, but the root partition is formatted ext4/,
  },
];

describe('real plugins used wrongly or together wrongly', () => {
  for (const c of cases) {
    it(`${c.name}: error at the file and line, exit 2, before any work`, async () => {
      const file = join(dir, c.name);
      writeFileSync(file, c.yaml + '\n');
      const r = await runCli([file, '--dry-run']);
      assert.equal(r.status, 2, r.stderr);
      assert.ok(r.stderr.includes(c.name), `names the file: ${r.stderr}`);
      assert.match(r.stderr, c.expect);
      assert.match(r.stderr, /nothing was built/);
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
    });
  }
});
