import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BuildError, PACKAGES, ROOT_DIR, type ManifestData } from '../../../../src/api/index.js';
import { ansiblePlugin } from '../../../../plugins/ansible/index.js';
import {
  inventoryYaml,
  playbookArgv,
  playbookEnv,
  playbookPath,
  refusedOptFlags,
} from '../../../../plugins/ansible/playbook-argv.js';
import { addPython, checkPlaybook, runPlaybook } from '../../../../plugins/ansible/tasks.js';
import {
  baseManifestData,
  tempDir,
  testContext,
  testManifest,
  TestRunner,
} from '../../../helpers/fake-context.js';
import { loadWith, planWith } from '../../../helpers/plan-manifest.js';

const ROOT = '/var/tmp/bootstrap/1234/root';

describe('ansible: the ansible-playbook command', () => {
  it('targets the image root with the chroot connection and an inline inventory', () => {
    assert.deepEqual(playbookArgv({ playbook: 'site.yml' }, '/srv/site.yml', ROOT, undefined), [
      'ansible-playbook',
      '--connection',
      'chroot',
      '--inventory',
      `${ROOT},`,
      '--',
      '/srv/site.yml',
    ]);
  });

  it('passes extra_vars unquoted, tags and skip_tags as strings or lists, opt_flags last before the playbook', () => {
    const argv = playbookArgv(
      {
        playbook: 'site.yml',
        extra_vars: "motd_text='hello world' x=1",
        tags: ['base', 'motd'],
        skip_tags: 'slow',
        opt_flags: ['--diff', '-vv'],
      },
      '/srv/site.yml',
      ROOT,
      '/ws/ansible/inventory.yml',
    );
    assert.deepEqual(argv, [
      'ansible-playbook',
      '--connection',
      'chroot',
      '--inventory',
      '/ws/ansible/inventory.yml',
      '--extra-vars',
      "motd_text='hello world' x=1",
      '--tags=base,motd',
      '--skip-tags=slow',
      '--diff',
      '-vv',
      '--',
      '/srv/site.yml',
    ]);
  });

  it('puts the image in every inventory group, with its root path as the host name', () => {
    const root = '/var/tmp/my build: 1/root';
    assert.deepEqual(JSON.parse(inventoryYaml(root, ['images', 'web'])), {
      all: { children: { images: { hosts: { [root]: {} } }, web: { hosts: { [root]: {} } } } },
    });
  });

  it('resolves a relative playbook against the manifest file, keeps an absolute one', () => {
    assert.equal(playbookPath('/m/examples/x.yml', 'files/site.yml'), '/m/examples/files/site.yml');
    assert.equal(playbookPath('/m/examples/x.yml', '../site.yml'), '/m/site.yml');
    assert.equal(playbookPath('/m/examples/x.yml', '/srv/site.yml'), '/srv/site.yml');
  });

  it('refuses opt_flags that would change the inventory, connection or host limit', () => {
    assert.deepEqual(
      refusedOptFlags([
        '-v',
        '--diff',
        '-i',
        'hosts',
        '--inventory=x',
        '-cssh',
        '--connection',
        '--limit=a',
        '-e',
        'a=1',
      ]),
      [
        { index: 2, flag: '-i' },
        { index: 4, flag: '--inventory=x' },
        { index: 5, flag: '-cssh' },
        { index: 6, flag: '--connection' },
        { index: 7, flag: '--limit=a' },
      ],
    );
  });
});

function manifestWith(settings: Record<string, unknown>, file = '/srv/manifests/image.yml') {
  const data: ManifestData = { ...baseManifestData, plugins: { ansible: settings } };
  return testManifest(data, file);
}

describe('ansible: tasks', () => {
  it('adds python3 to the image packages', async () => {
    const ctx = testContext({ manifest: manifestWith({ playbook: '/x.yml' }) });
    await addPython.run(ctx);
    assert.deepEqual([...ctx.state.get(PACKAGES)], ['python3']);
  });

  it('check-playbook accepts a file relative to the manifest, refuses a missing path or a directory', async () => {
    const dir = await tempDir();
    try {
      await mkdir(join(dir.path, 'files/roles'), { recursive: true });
      await writeFile(join(dir.path, 'files/site.yml'), '- hosts: all\n');
      const file = join(dir.path, 'image.yml');
      await checkPlaybook.run(testContext({ manifest: manifestWith({ playbook: 'files/site.yml' }, file) }));
      for (const playbook of ['files/missing.yml', 'files/roles']) {
        await assert.rejects(
          checkPlaybook.run(testContext({ manifest: manifestWith({ playbook }, file) })),
          (err: unknown) =>
            err instanceof BuildError &&
            err.message.includes(join(dir.path, playbook)) &&
            /relative/.test(err.hint ?? ''),
        );
      }
    } finally {
      await dir.cleanup();
    }
  });

  it('check-playbook refuses a host whose Ansible has no chroot connection (ansible-core alone)', async () => {
    const dir = await tempDir();
    try {
      await writeFile(join(dir.path, 'site.yml'), '- hosts: all\n');
      const manifest = manifestWith({ playbook: 'site.yml' }, join(dir.path, 'image.yml'));
      const missing = new TestRunner((argv) => (argv[0] === 'ansible-doc' ? { exitCode: 1 } : undefined));
      await assert.rejects(
        checkPlaybook.run(testContext({ manifest, runner: missing })),
        (err: unknown) =>
          err instanceof BuildError &&
          /community\.general\.chroot/.test(err.message) &&
          /apt-get install ansible/.test(err.hint ?? ''),
      );
      assert.deepEqual(missing.calls[0]?.argv, [
        'ansible-doc',
        '-t',
        'connection',
        'community.general.chroot',
      ]);
    } finally {
      await dir.cleanup();
    }
  });

  it('runs ansible-playbook from the playbook directory with a group inventory, then removes its files', async () => {
    const dir = await tempDir();
    try {
      const root = join(dir.path, 'root');
      const workspace = join(dir.path, 'ws');
      await mkdir(join(root, 'tmp'), { recursive: true });
      await mkdir(workspace);
      let inventorySeen: string | undefined;
      const runner = new TestRunner((argv) => {
        // What ansible would find while it runs: the inventory, and its remote temp dir in the image.
        inventorySeen = readFileSync(argv[4] ?? '', 'utf8');
        writeFileSyncDir(join(root, 'tmp/.ansible-bootstrap/ansible-tmp-1/x'));
        return undefined;
      });
      const ctx = testContext({
        manifest: manifestWith(
          { playbook: 'files/site.yml', hosts: ['images'], tags: 'motd' },
          '/srv/m/image.yml',
        ),
        runner,
        workspace,
      });
      ctx.state.set(ROOT_DIR, root);
      await runPlaybook.run(ctx);

      const inventory = join(workspace, 'ansible/inventory.yml');
      assert.equal(runner.calls.length, 1);
      assert.deepEqual(runner.calls[0]?.argv, [
        'ansible-playbook',
        '--connection',
        'chroot',
        '--inventory',
        inventory,
        '--tags=motd',
        '--',
        '/srv/m/files/site.yml',
      ]);
      assert.equal(runner.calls[0]?.chrootRoot, undefined, 'ansible-playbook runs on the host');
      assert.deepEqual(runner.calls[0]?.options, {
        cwd: '/srv/m/files',
        env: playbookEnv(join(workspace, 'ansible/tmp')),
      });
      assert.deepEqual(JSON.parse(inventorySeen ?? ''), {
        all: { children: { images: { hosts: { [root]: {} } } } },
      });
      assert.equal(
        existsSync(join(root, 'tmp/.ansible-bootstrap')),
        false,
        'no ansible files left in the image',
      );
      assert.equal(existsSync(join(workspace, 'ansible')), false);
    } finally {
      await dir.cleanup();
    }
  });

  it('uses the inline inventory without groups, and cleans up when the playbook fails', async () => {
    const dir = await tempDir();
    try {
      const root = join(dir.path, 'root');
      await mkdir(join(root, 'tmp/.ansible-bootstrap'), { recursive: true });
      const runner = new TestRunner();
      runner.run = async (argv, options) => {
        runner.calls.push({ argv, options: options ?? {} });
        throw new Error('ansible-playbook failed');
      };
      const ctx = testContext({
        manifest: manifestWith({ playbook: '/srv/site.yml' }),
        runner,
        workspace: dir.path,
      });
      ctx.state.set(ROOT_DIR, root);
      await assert.rejects(runPlaybook.run(ctx), /ansible-playbook failed/);
      assert.deepEqual(runner.calls[0]?.argv.slice(0, 5), [
        'ansible-playbook',
        '--connection',
        'chroot',
        '--inventory',
        `${root},`,
      ]);
      assert.equal(existsSync(join(root, 'tmp/.ansible-bootstrap')), false);
      assert.equal(existsSync(join(dir.path, 'ansible')), false);
    } finally {
      await dir.cleanup();
    }
  });

  it('keeps ansible off the host home and the image /root, and the output plain', () => {
    assert.deepEqual(playbookEnv('/ws/ansible/tmp'), {
      ANSIBLE_LOCAL_TEMP: '/ws/ansible/tmp',
      ANSIBLE_REMOTE_TEMP: '/tmp/.ansible-bootstrap',
      ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
      ANSIBLE_NOCOLOR: '1',
    });
  });
});

/** Synchronous on purpose: the TestRunner's responder is synchronous. */
function writeFileSyncDir(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '');
}

describe('ansible: manifests', () => {
  const example = new URL('../../../../manifests/examples/ansible.yml', import.meta.url).pathname;

  it('the example validates and plans, the playbook runs in user modification and python3 is installed', async () => {
    const { load, plan } = await planWith(example, ansiblePlugin);
    assert.deepEqual(load.errors, []);
    const ids = plan?.tasks.map((t) => t.task.id) ?? [];
    for (const id of ['ansible/check-playbook', 'ansible/add-packages', 'ansible/run-playbook'])
      assert.ok(ids.includes(id), id);
    assert.ok(ids.indexOf('ansible/run-playbook') > ids.indexOf('base/install-packages'));
    assert.ok(ids.indexOf('ansible/run-playbook') < ids.indexOf('base/clean-tmp'));
    assert.ok(existsSync(new URL('../../../../manifests/examples/files/ansible/site.yml', import.meta.url)));
  });

  it('reports contradicting opt_flags and implicit group names at their line', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'm.yml');
      const base = new URL('../../../../manifests/debian-qemu.yml', import.meta.url).pathname;
      await writeFile(
        file,
        `extends: ${base}\nplugins:\n  ansible:\n    playbook: site.yml\n    hosts: [web, all]\n    opt_flags:\n      - --diff\n      - --connection=ssh\n`,
      );
      const result = await loadWith(file, ansiblePlugin);
      const at = (pointer: string) => result.errors.find((e) => e.pointer === pointer);
      assert.equal(at('/plugins/ansible/opt_flags/1')?.line, 8, JSON.stringify(result.errors));
      assert.equal(at('/plugins/ansible/hosts/1')?.line, 5);
      assert.equal(result.errors.length, 2);
    } finally {
      await dir.cleanup();
    }
  });

  it('loads both of bootstrap-vz schema shapes: tags as a string (older) and as a list (newer)', async () => {
    const dir = await tempDir();
    try {
      const base = new URL('../../../../manifests/debian-qemu.yml', import.meta.url).pathname;
      for (const tags of ['"a,b"', '[a, b]']) {
        const file = join(dir.path, 'm.yml');
        await writeFile(
          file,
          `extends: ${base}\nplugins:\n  ansible:\n    playbook: /srv/site.yml\n    tags: ${tags}\n    skip_tags: [c]\n`,
        );
        assert.deepEqual((await loadWith(file, ansiblePlugin)).errors, [], tags);
      }
      const file = join(dir.path, 'bad.yml');
      await writeFile(
        file,
        `extends: ${base}\nplugins:\n  ansible:\n    playbook: /srv/site.yml\n    inventory: x\n`,
      );
      assert.ok(
        (await loadWith(file, ansiblePlugin)).errors.some((e) => e.pointer.startsWith('/plugins/ansible')),
      );
    } finally {
      await dir.cleanup();
    }
  });
});
