import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import {
  BuildState,
  ENABLED_UNITS,
  PACKAGES,
  ROOT_DIR,
  type CheckReporter,
  type Manifest,
  type ManifestData,
  type Task,
  type TaskSet,
} from '../../../../src/api/index.js';
import { baseManifestData, tempDir, testContext, testManifest } from '../../../helpers/fake-context.js';
import { ntpPlugin } from '../../../../plugins/ntp/index.js';
import { schema } from '../../../../plugins/ntp/schema.js';
import { addTimesyncd, writeNtpServers } from '../../../../plugins/ntp/tasks.js';
import { renderTimesyncdDropIn, TIMESYNCD_DROP_IN } from '../../../../plugins/ntp/timesyncd.js';

function manifest(
  settings: Record<string, unknown>,
  version = '12',
  extra: Partial<ManifestData> = {},
): Manifest {
  const m = testManifest({ ...baseManifestData, ...extra, plugins: { ntp: settings } });
  return { ...m, release: { ...m.release, version } };
}

function check(m: Manifest): string[] {
  const out: string[] = [];
  const report: CheckReporter = {
    error: (p, msg) => void out.push(`error ${p}: ${msg}`),
    warn: (p, msg) => void out.push(`warn ${p}: ${msg}`),
  };
  ntpPlugin.check?.(m, report);
  return out;
}

describe('ntp tasks', () => {
  it('adds systemd-timesyncd from bullseye on (buster has it in systemd) and enables it', async () => {
    for (const [version, packages] of [
      ['12', ['systemd-timesyncd']],
      ['11', ['systemd-timesyncd']],
      ['', ['systemd-timesyncd']], // sid
      ['10', []],
    ] as const) {
      const ctx = testContext({ manifest: manifest({}, version) });
      await addTimesyncd.run(ctx);
      assert.deepEqual([...ctx.state.get(PACKAGES)], packages, `release ${version}`);
      assert.deepEqual([...ctx.state.get(ENABLED_UNITS)], ['systemd-timesyncd.service']);
    }
  });

  it('writes the servers into a timesyncd.conf.d drop-in, space separated under [Time]', async () => {
    const { path: root, cleanup } = await tempDir();
    try {
      const state = new BuildState();
      state.set(ROOT_DIR, root);
      const servers = ['0.debian.pool.ntp.org', '169.254.169.123', 'fd00:ec2::123'];
      const ctx = testContext({ manifest: manifest({ servers }), state });
      await writeNtpServers.run(ctx);
      const file = join(root, TIMESYNCD_DROP_IN);
      assert.equal(
        await readFile(file, 'utf8'),
        '# Written by the image bootstrapper (plugins.ntp).\n[Time]\nNTP=0.debian.pool.ntp.org 169.254.169.123 fd00:ec2::123\n',
      );
      assert.equal((await stat(file)).mode & 0o777, 0o644);
      assert.equal(TIMESYNCD_DROP_IN, '/etc/systemd/timesyncd.conf.d/90-bootstrap-ntp.conf');
      assert.deepEqual(ctx.runner.calls, []);
    } finally {
      await cleanup();
    }
  });

  it('renders exactly one NTP= line', () => {
    assert.equal(renderTimesyncdDropIn(['a', 'b']).match(/^NTP=/gm)?.length, 1);
  });
});

describe('ntp plugin', () => {
  it('plans the servers task only with servers', () => {
    const plan = (s: Record<string, unknown>) => {
      const ids: string[] = [];
      const set: TaskSet = {
        add: (...t: Task[]) => void ids.push(...t.map((x) => x.id)),
        remove: () => {},
        has: () => false,
      };
      ntpPlugin.resolveTasks(manifest(s), set);
      return ids;
    };
    assert.deepEqual(plan({}), ['ntp/add-timesyncd']);
    assert.deepEqual(plan({ servers: ['a'] }), ['ntp/add-timesyncd', 'ntp/write-servers']);
  });

  it('refuses releases before buster and other time daemons in packages.install', () => {
    assert.deepEqual(check(manifest({})), []);
    assert.deepEqual(check(manifest({}, '9')), [
      'error /plugins/ntp: the ntp plugin configures systemd-timesyncd, which needs Debian 10 (buster) or later, not bookworm',
    ]);
    const packages = {
      packages: {
        install: ['curl', 'chrony', 'ntp=1:4.2.8p15+dfsg-2~1.2.2+deb12u1', 'ntpsec/bookworm-backports'],
      },
    };
    assert.deepEqual(check(manifest({}, '12', packages)), [
      'error /packages/install/1: chrony is another time daemon: it conflicts with systemd-timesyncd, which the ntp plugin installs',
      'error /packages/install/2: ntp is another time daemon: it conflicts with systemd-timesyncd, which the ntp plugin installs',
      'error /packages/install/3: ntpsec is another time daemon: it conflicts with systemd-timesyncd, which the ntp plugin installs',
    ]);
  });

  it('schema: server names and addresses, at least one, no blanks', () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    assert.ok(validate({}));
    assert.ok(validate({ servers: ['169.254.169.123', 'time.aws.com', 'fd00:ec2::123'] }));
    assert.ok(!validate({ servers: [] }));
    assert.ok(!validate({ servers: ['a b'] }));
    assert.ok(!validate({ servers: ['a', 'a'] }));
  });
});
