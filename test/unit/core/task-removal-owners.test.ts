/**
 * One owner for each task removal: base and the ec2 provider plan the SSH hardening, the first-boot
 * host key unit and the EC2 init scripts whatever the plugins; root_password and cloud_init, which
 * replace them, are the only ones that leave them out (through the real loader and resolver).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Task, TaskSet } from '../../../src/api/index.js';
import { basePlugin } from '../../../src/base/base-plugin.js';
import { activePlugins, selectTasks } from '../../../src/core/select-tasks.js';
import { loadManifest } from '../../../src/manifest/load-manifest.js';
import { BUILTIN_PLUGINS, createRegistry } from '../../../src/registry/builtin-registry.js';
import { REPLACED_TASKS } from '../../../plugins/cloud_init/index.js';
import { INIT_SCRIPT_TASK_IDS } from '../../../plugins/ec2/guest/index.js';
import { REMOVED_TASKS } from '../../../plugins/root_password/index.js';

const registry = createRegistry(BUILTIN_PLUGINS, [basePlugin]);
const NOW = new Date('2026-01-01T00:00:00Z');

async function load(file: string, set: string[]) {
  const r = await loadManifest(file, { registry, set, now: NOW });
  assert.ok(r.manifest, JSON.stringify(r.errors));
  return r.manifest;
}

async function planned(file: string, set: string[] = []): Promise<string[]> {
  const manifest = await load(file, set);
  const plugins = activePlugins(manifest, basePlugin, registry);
  return selectTasks(manifest, plugins, [basePlugin, ...registry.all()]).tasks.map((t) => t.id);
}

/** The ids each active plugin removes from the plan of this manifest. */
async function removalsBy(file: string, set: string[]): Promise<Map<string, string[]>> {
  const manifest = await load(file, set);
  const out = new Map<string, string[]>();
  for (const p of activePlugins(manifest, basePlugin, registry)) {
    const removed: string[] = [];
    const tasks: TaskSet = {
      add: (..._t: Task[]) => undefined,
      remove: (...ids) => void removed.push(...ids),
      has: () => false,
    };
    p.resolveTasks(manifest, tasks);
    if (removed.length > 0) out.set(p.name, removed);
  }
  return out;
}

const ROOT_PASSWORD = ['plugins.root_password.password=test'];

describe('task removals have one owner', () => {
  it('root_password alone leaves out the base hardening it defeats', async () => {
    const plain = await planned('manifests/debian-qemu.yml');
    for (const id of REMOVED_TASKS) assert.ok(plain.includes(id), `${id} is planned without root_password`);
    const withPassword = await planned('manifests/debian-qemu.yml', ROOT_PASSWORD);
    for (const id of REMOVED_TASKS) assert.ok(!withPassword.includes(id), `${id} is left out`);
    assert.deepEqual(
      await removalsBy('manifests/debian-qemu.yml', ROOT_PASSWORD),
      new Map([['root_password', REMOVED_TASKS]]),
    );
  });

  it('cloud_init alone leaves out the host key unit and every EC2 init-script task', async () => {
    for (const id of INIT_SCRIPT_TASK_IDS) assert.ok(REPLACED_TASKS.includes(id), `cloud_init removes ${id}`);
    const scripts = await planned('manifests/debian-hvm-init-scripts.yml', ['provider.publish=false']);
    for (const id of REPLACED_TASKS) assert.ok(scripts.includes(id), `${id} is planned without cloud_init`);
    const cloudInit = await planned('manifests/debian-hvm-raw.yml', ['provider.publish=false']);
    for (const id of REPLACED_TASKS) assert.ok(!cloudInit.includes(id), `${id} is left out with cloud_init`);
    const removals = await removalsBy('manifests/debian-hvm-raw.yml', ['provider.publish=false']);
    assert.deepEqual([...removals.keys()], ['cloud_init']);
  });
});
