/**
 * A small in-process plugin registry for the manifest tests: two providers and a few plugins whose
 * schemas and checks exercise the combined schema, plugin checks and conflicts.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { definePlugin, type Plugin } from '../../../src/api/index.js';
import type { PluginRegistry } from '../../../src/manifest/registry-types.js';
import { loadManifest, type LoadResult } from '../../../src/manifest/load-manifest.js';

export const kvm = definePlugin({
  name: 'kvm',
  kind: 'provider',
  description: 'Fake KVM provider',
  schema: {
    type: 'object',
    properties: { name: { const: 'kvm' }, virtio: { type: 'array', items: { type: 'string' } } },
    additionalProperties: false,
  },
  manifestSchema: {
    type: 'object',
    properties: { volume: { type: 'object', properties: { backing: { enum: ['raw', 'qcow2'] } } } },
  },
  tasks: [],
  check(manifest, report) {
    if (manifest.data.system.architecture === 'i386')
      report.warn('/system/architecture', 'i386 is slow on kvm');
  },
  resolveTasks() {},
});

export const ec2 = definePlugin({
  name: 'ec2',
  kind: 'provider',
  description: 'Fake EC2 provider',
  schema: {
    type: 'object',
    // Uses its own $defs through a root-relative $ref: must keep working once embedded.
    $defs: { virt: { enum: ['hvm', 'pvm'] } },
    properties: { virtualization: { $ref: '#/$defs/virt' }, description: { type: 'string' } },
    required: ['virtualization'],
    additionalProperties: false,
  },
  tasks: [],
  check(manifest, report) {
    if (manifest.data.volume.backing !== 'ebs') report.error('/volume/backing', 'ec2 needs backing ebs');
  },
  resolveTasks() {},
});

export const adminUser = definePlugin({
  name: 'admin_user',
  kind: 'plugin',
  description: 'Fake admin user',
  schema: {
    type: 'object',
    properties: { username: { type: 'string' }, password: { type: 'string' } },
    required: ['username'],
    additionalProperties: false,
  },
  tasks: [],
  conflicts: ['root_password'],
  check(manifest, report) {
    const s = manifest.pluginSettings<{ username: string }>('admin_user');
    if (s?.username === 'root') report.error('/plugins/admin_user/username', 'the admin user cannot be root');
  },
  resolveTasks() {},
});

export const rootPassword = definePlugin({
  name: 'root_password',
  kind: 'plugin',
  description: 'Fake root password',
  schema: {
    type: 'object',
    properties: { password: { anyOf: [{ type: 'string', minLength: 8 }, { type: 'null' }] } },
    additionalProperties: false,
  },
  tasks: [],
  resolveTasks() {},
});

export const commands = definePlugin({
  name: 'commands',
  kind: 'plugin',
  description: 'Fake commands',
  schema: {
    type: 'object',
    properties: { commands: { type: 'array', items: { type: 'array', items: { type: 'string' } } } },
    additionalProperties: false,
  },
  tasks: [],
  resolveTasks() {},
});

export const broken = definePlugin({
  name: 'broken_check',
  kind: 'plugin',
  description: 'A plugin whose check throws',
  schema: { type: 'object' },
  tasks: [],
  check() {
    throw new Error('boom');
  },
  resolveTasks() {},
});

export function fakeRegistry(
  plugins: readonly Plugin[] = [kvm, ec2, adminUser, rootPassword, commands, broken],
): PluginRegistry {
  return {
    get: (name) => plugins.find((p) => p.name === name),
    all: () => plugins,
    providers: () => plugins.filter((p) => p.kind === 'provider'),
  };
}

/** A temp dir with files written from a name -> text map; returns the dir and a cleanup. */
export async function manifestDir(
  files: Readonly<Record<string, string | Uint8Array>>,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'manifest-test-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const FIXTURES = new URL('../../fixtures/manifests/', import.meta.url).pathname;

/** The text of a valid manifest for the fake kvm provider, with lines easy to count in tests. */
export const VALID = `name: test-{system.release}
provider:
  name: kvm
bootstrapper:
  workspace: /target
system:
  release: bookworm
  architecture: amd64
  bootloader: grub
  charmap: UTF-8
  locale: en_US
  timezone: UTC
volume:
  backing: raw
  partitions:
    type: gpt
    root:
      filesystem: ext4
      size: 2GiB
`;

/** Writes `text` to a temp manifest file and loads it (the temp dir is removed afterwards). */
export async function loadText(
  text: string,
  opts: { registry?: PluginRegistry; set?: readonly string[]; now?: Date; name?: string } = {},
): Promise<LoadResult & { file: string }> {
  const name = opts.name ?? 'manifest.yml';
  const { dir, cleanup } = await manifestDir({ [name]: text });
  try {
    const file = join(dir, name);
    const result = await loadManifest(file, {
      registry: opts.registry ?? defaultRegistry,
      now: opts.now ?? new Date('2025-01-01T12:00:00Z'),
      ...(opts.set ? { set: opts.set } : {}),
    });
    return { ...result, file };
  } finally {
    await cleanup();
  }
}

/** One registry for all tests, so the schema compiles once. */
export const defaultRegistry = fakeRegistry();

/** VALID with one line replaced (1-based line number) or lines appended. */
export function edit(lineNo: number, replacement: string): string {
  const lines = VALID.split('\n');
  lines.splice(lineNo - 1, 1, ...replacement.split('\n'));
  return lines.join('\n');
}
