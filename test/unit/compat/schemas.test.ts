/**
 * The provider and plugin schemas ported from bootstrap-vz: each compiles, accepts what bootstrap-vz
 * accepted (its own manifests, unchanged) and rejects what it should. The core schema is another module's;
 * here each schema is applied to its own part of a manifest, as the combined schema does.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import type { JsonSchema } from '../../../src/api/index.js';
import * as ec2 from '../../../plugins/ec2/schema.js';
import * as kvm from '../../../plugins/kvm/schema.js';
import { schema as adminUser } from '../../../plugins/admin_user/schema.js';
import { schema as ansible } from '../../../plugins/ansible/schema.js';
import { schema as aptProxy } from '../../../plugins/apt_proxy/schema.js';
import { schema as cloudInit } from '../../../plugins/cloud_init/schema.js';
import { schema as commands } from '../../../plugins/commands/schema.js';
import { schema as debconf } from '../../../plugins/debconf/schema.js';
import { schema as dockerDaemon } from '../../../plugins/docker_daemon/schema.js';
import { schema as ec2Launch } from '../../../plugins/ec2_launch/schema.js';
import { schema as ec2Publish } from '../../../plugins/ec2_publish/schema.js';
import { schema as expandRoot } from '../../../plugins/expand_root/schema.js';
import { schema as fileCopy } from '../../../plugins/file_copy/schema.js';
import { schema as minimizeSize } from '../../../plugins/minimize_size/schema.js';
import { schema as ntp } from '../../../plugins/ntp/schema.js';
import { schema as pipInstall } from '../../../plugins/pip_install/schema.js';
import { schema as prebootstrapped } from '../../../plugins/prebootstrapped/schema.js';
import { schema as puppet } from '../../../plugins/puppet/schema.js';
import { schema as rootPassword } from '../../../plugins/root_password/schema.js';
import { schema as tmpfsWorkspace } from '../../../plugins/tmpfs_workspace/schema.js';
import { schema as unattendedUpgrades } from '../../../plugins/unattended_upgrades/schema.js';
// boot_test is ours (it lives in src/boottest), but its example ships with the others.
import { schema as bootTest } from '../../../src/boottest/boot-test-plugin.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const CORPUS = join(ROOT, 'test/fixtures/bootstrap-vz');

const PLUGINS: Readonly<Record<string, JsonSchema>> = {
  admin_user: adminUser,
  ansible,
  boot_test: bootTest,
  apt_proxy: aptProxy,
  cloud_init: cloudInit,
  commands,
  debconf,
  docker_daemon: dockerDaemon,
  ec2_launch: ec2Launch,
  ec2_publish: ec2Publish,
  expand_root: expandRoot,
  file_copy: fileCopy,
  minimize_size: minimizeSize,
  ntp,
  pip_install: pipInstall,
  prebootstrapped,
  puppet,
  root_password: rootPassword,
  tmpfs_workspace: tmpfsWorkspace,
  unattended_upgrades: unattendedUpgrades,
};
const PROVIDERS = { kvm, ec2 } as const;

const ajv = new Ajv({ strict: false, allErrors: true });
const compiled = new Map<JsonSchema, ValidateFunction>();
function validator(schema: JsonSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = ajv.compile(schema)));
  return v;
}

/** Errors of `data` against `schema`, as "pointer message" lines ([] when valid). */
function errors(schema: JsonSchema, data: unknown): string[] {
  const v = validator(schema);
  return v(data) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

type Doc = Record<string, unknown> & { provider: { name: string }; plugins?: Record<string, unknown> };

/** Every error of a manifest against the provider's and the enabled plugins' schemas. */
function manifestErrors(doc: Doc): string[] {
  const provider = PROVIDERS[doc.provider.name as keyof typeof PROVIDERS];
  if (!provider) return [`/provider/name unknown provider ${doc.provider.name}`];
  const out = [
    ...errors(provider.schema, doc.provider).map((e) => `/provider${e}`),
    ...errors(provider.manifestSchema, doc),
  ];
  for (const [name, settings] of Object.entries(doc.plugins ?? {})) {
    const schema = PLUGINS[name];
    if (!schema) out.push(`/plugins/${name} unknown plugin`);
    else out.push(...errors(schema, settings).map((e) => `/plugins/${name}${e}`));
  }
  return out;
}

function files(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      // manifests/examples/files/ holds data the examples use (playbooks, puppet code), not manifests.
      if (statSync(path).isDirectory()) return name === 'files' ? [] : files(path, pattern);
      return pattern.test(name) ? [path] : [];
    });
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `extends` as the loader does it, enough for our manifests: mappings merge, everything else replaces. */
function merge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}
function loadShipped(path: string): Doc {
  const doc = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const ext = doc['extends'];
  if (typeof ext !== 'string') return doc as Doc;
  const { extends: _e, ...rest } = doc;
  return merge(loadShipped(join(dirname(path), ext)), rest) as Doc;
}

describe('ported schemas compile', () => {
  for (const [name, p] of Object.entries(PROVIDERS)) {
    it(`provider ${name}: schema and manifestSchema`, () => {
      assert.equal(typeof validator(p.schema), 'function');
      assert.equal(typeof validator(p.manifestSchema), 'function');
      assert.equal(p.schema['additionalProperties'], false, 'the provider section is closed');
    });
  }
  for (const [name, schema] of Object.entries(PLUGINS)) {
    it(`plugin ${name}`, () => assert.equal(typeof validator(schema), 'function'));
  }

  it("compile under the project's strict draft-2019 settings too (no unknown keywords)", () => {
    const strict = new Ajv2019({ strict: false, strictSchema: true, allErrors: true });
    // The annotation the project's validator knows (schema-validator.ts): what a pattern means.
    strict.addKeyword({ keyword: 'x-pattern-message', schemaType: 'string' });
    for (const schema of [
      ...Object.values(PLUGINS),
      kvm.schema,
      kvm.manifestSchema,
      ec2.schema,
      ec2.manifestSchema,
    ]) {
      assert.doesNotThrow(() => strict.compile(schema));
    }
  });

  it('every property of every schema has a description (editors show them)', () => {
    const missing: string[] = [];
    const walk = (s: unknown, at: string): void => {
      if (!isMap(s)) return;
      const props = s['properties'];
      if (isMap(props)) {
        for (const [k, v] of Object.entries(props)) {
          if (isMap(v) && v['description'] === undefined && v['const'] === undefined)
            missing.push(`${at}.${k}`);
          walk(v, `${at}.${k}`);
        }
      }
      for (const key of ['items', 'additionalProperties', 'then']) walk(s[key], `${at}[${key}]`);
    };
    for (const [name, p] of Object.entries(PROVIDERS)) walk(p.schema, `provider ${name}`);
    for (const [name, s] of Object.entries(PLUGINS)) walk(s, `plugin ${name}`);
    assert.deepEqual(missing, []);
  });
});

describe('bootstrap-vz corpus loads unchanged', () => {
  const corpus = files(join(CORPUS, 'manifests'), /\.ya?ml$/);

  it('has the kvm and ec2 manifests', () => {
    const rel = corpus.map((f) => relative(CORPUS, f));
    assert.ok(rel.includes('manifests/official/ec2/ebs-stretch-amd64-hvm.yml'));
    assert.ok(rel.includes('manifests/examples/kvm/stretch-virtio-partitions.yml'));
    assert.ok(corpus.length >= 20, `only ${corpus.length} files`);
  });

  for (const file of corpus) {
    it(relative(CORPUS, file), () => {
      assert.deepEqual(manifestErrors(parse(readFileSync(file, 'utf8')) as Doc), []);
    });
  }

  it('rejects the lvm example, pointing at the backing', () => {
    const doc = parse(
      readFileSync(join(CORPUS, 'rejected/manifests/examples/kvm/jessie-lvm.yml'), 'utf8'),
    ) as Doc;
    assert.deepEqual(manifestErrors(doc), ['/volume/backing must be equal to one of the allowed values']);
  });
});

describe('shipped manifests are valid against these schemas', () => {
  const shipped = files(join(ROOT, 'manifests'), /\.ya?ml$/);
  it('there is one example per ported plugin', () => {
    const examples = files(join(ROOT, 'manifests/examples'), /\.yml$/).map((f) =>
      f.replace(/^.*\//, '').replace(/\.yml$/, ''),
    );
    assert.deepEqual(examples.sort(), Object.keys(PLUGINS).sort());
  });
  for (const file of shipped) {
    it(relative(ROOT, file), () => {
      const text = readFileSync(file, 'utf8');
      assert.match(
        text.split('\n')[0] ?? '',
        /^# yaml-language-server: \$schema=(\.\.\/)+schemas\/bootstrap-manifest\.schema\.json$/,
      );
      const doc = loadShipped(file);
      assert.deepEqual(manifestErrors(doc), []);
      const example = /examples\/(\w+)\.yml$/.exec(file)?.[1];
      if (example) assert.ok(doc.plugins && example in doc.plugins, `${example}.yml enables ${example}`);
    });
  }
});

describe('kvm provider', () => {
  const ok = (provider: unknown): string[] => errors(kvm.schema, provider);
  it('accepts upstream keys', () => {
    assert.deepEqual(ok({ name: 'kvm', virtio: ['virtio_pci', 'virtio_blk'], console: 'virtual' }), []);
  });
  it('rejects an unknown virtio module, an unknown key and another name', () => {
    assert.notDeepEqual(ok({ name: 'kvm', virtio: ['virtio_gpu_x'] }), []);
    assert.notDeepEqual(ok({ name: 'kvm', virtoi: ['virtio_blk'] }), []);
    assert.notDeepEqual(ok({ name: 'ec2' }), []);
    assert.notDeepEqual(ok({ name: 'kvm', virtio: [] }), [], 'upstream: minItems 1');
  });
  it('restricts backings and bootloaders over the whole manifest', () => {
    const m = (backing: string, bootloader: string): string[] =>
      errors(kvm.manifestSchema, {
        system: { bootloader },
        volume: { backing, partitions: { type: 'gpt' } },
      });
    for (const b of ['raw', 'qcow2', 'vmdk', 'vdi']) assert.deepEqual(m(b, 'grub'), []);
    assert.notDeepEqual(m('lvm', 'grub'), []);
    assert.notDeepEqual(m('ebs', 'grub'), []);
    assert.notDeepEqual(m('raw', 'pvgrub'), []);
  });
});

describe('ec2 provider', () => {
  const base = { name: 'ec2', virtualization: 'hvm', description: 'Debian {system.release}' };
  const ok = (extra: Record<string, unknown>): string[] => errors(ec2.schema, { ...base, ...extra });
  it('accepts upstream and added keys', () => {
    assert.deepEqual(
      ok({
        enhanced_networking: 'simple',
        credentials: {
          'access-key': 'AKIA',
          'secret-key': 's',
          certificate: '/c.pem',
          'private-key': '/k.pem',
          'user-id': '1234-5678-9012',
        },
        profile: 'default',
        encrypted: true,
        kms_key_id: 'alias/images',
        'amzn-driver-version': '2.8.0',
        install_init_scripts: false,
        region: 'eu-central-2',
        endpoints: { ec2: 'http://127.0.0.1:5000', ebs: 'https://ebs.eu-central-2.amazonaws.com' },
        imds_support: 'v2.0',
        tpm_support: 'v2.0',
        ena_support: true,
        snapshot_upload: { concurrency: 32 },
      }),
      [],
    );
  });
  it('requires virtualization and description, as upstream', () => {
    assert.notDeepEqual(errors(ec2.schema, { name: 'ec2', description: 'x' }), []);
    assert.notDeepEqual(errors(ec2.schema, { name: 'ec2', virtualization: 'hvm' }), []);
  });
  it('rejects bad values', () => {
    assert.notDeepEqual(ok({ virtualization: 'hvm2' }), []);
    assert.notDeepEqual(ok({ enhanced_networking: 'sriov' }), []);
    assert.notDeepEqual(ok({ imds_support: 'v1.0' }), []);
    assert.notDeepEqual(ok({ region: 'Europe' }), []);
    assert.notDeepEqual(ok({ endpoints: { ec2: 'ftp://x' } }), []);
    assert.notDeepEqual(ok({ snapshot_upload: { concurrency: 0 } }), []);
    assert.notDeepEqual(ok({ credentials: { 'user-id': 'me' } }), []);
    assert.notDeepEqual(ok({ 'amzn-driver-version': 'latest' }), []);
    assert.notDeepEqual(ok({ kms_key_id: 'alias/x' }), [], 'kms_key_id needs encrypted: true');
    assert.notDeepEqual(ok({ kms_key_id: 'alias/x', encrypted: false }), []);
  });
  it('needs bucket and region for S3 backing, and allows ebs, s3 and raw backings', () => {
    const m = (backing: string, provider: Record<string, unknown>): string[] =>
      errors(ec2.manifestSchema, {
        provider: { ...base, ...provider },
        volume: { backing, partitions: { type: 'none' } },
      });
    assert.notDeepEqual(m('s3', {}), []);
    assert.deepEqual(m('s3', { bucket: 'amis', region: 'us-west-1' }), []);
    assert.deepEqual(m('ebs', {}), []);
    assert.deepEqual(m('raw', {}), []);
    assert.notDeepEqual(m('qcow2', {}), []);
  });
});

describe('plugins', () => {
  it("cloud_init accepts upstream's example settings and rejects a bad module entry", () => {
    const upstream = {
      metadata_sources: 'Ec2',
      username: 'admin',
      enable_modules: { cloud_init_modules: [{ module: 'growpart', position: 4 }] },
    };
    assert.deepEqual(errors(cloudInit, upstream), []);
    assert.deepEqual(
      errors(cloudInit, { username: 'admin', disable_modules: ['landscape', 'byobu', 'ssh-import-id'] }),
      [],
    );
    assert.notDeepEqual(errors(cloudInit, { metadata_sources: 'Ec2' }), [], 'username is required upstream');
    assert.notDeepEqual(
      errors(cloudInit, { username: 'a', enable_modules: { cloud_init_modules: [{ module: 'growpart' }] } }),
      [],
    );
  });
  it('admin_user rejects an unknown key', () => {
    assert.deepEqual(errors(adminUser, { username: 'administrator', password: 'something' }), []);
    assert.deepEqual(errors(adminUser, { username: 'a', shell: '/bin/zsh' }), [
      '/ must NOT have additional properties',
    ]);
  });
  it('puppet takes [name] or [name, version] modules', () => {
    assert.deepEqual(
      errors(puppet, { install_modules: [['puppetlabs-apt'], ['puppetlabs-concat', '3.0.0']] }),
      [],
    );
    assert.notDeepEqual(errors(puppet, { install_modules: [['a', '1', 'x']] }), []);
    assert.notDeepEqual(errors(puppet, {}), [], 'upstream: minProperties 1');
    // Relative paths are allowed now: they resolve against the manifest file (plugins/puppet/README.md).
    assert.deepEqual(errors(puppet, { manifest: 'relative/site.pp' }), []);
  });
  it('minimize_size takes shrink as a boolean or a tool name', () => {
    for (const shrink of [true, false, 'qemu-img', 'vmware-vdiskmanager'])
      assert.deepEqual(errors(minimizeSize, { shrink }), []);
    assert.notDeepEqual(errors(minimizeSize, { shrink: 'zstd' }), []);
  });
  it('debconf is a string, commands a list of argv lists, tmpfs_workspace takes only a size', () => {
    assert.deepEqual(errors(debconf, 'tzdata tzdata/Areas select Etc\n'), []);
    assert.notDeepEqual(errors(debconf, { selections: 'x' }), []);
    assert.deepEqual(errors(commands, { commands: [['touch', '{root}/x']] }), []);
    // A single shell string is refused by the plugin's check, with a hint (test/unit/plugins/commands).
    assert.deepEqual(errors(tmpfsWorkspace, {}), []);
    // `size` is an addition of ours (plugins/tmpfs_workspace/README.md); other keys stay unknown.
    assert.deepEqual(errors(tmpfsWorkspace, { size: '1GiB' }), []);
    assert.notDeepEqual(errors(tmpfsWorkspace, { sise: '1GiB' }), []);
  });
  it('expand_root and unattended_upgrades require all their keys, as upstream', () => {
    assert.notDeepEqual(errors(expandRoot, { filesystem_type: 'ext4', root_device: '/dev/vda' }), []);
    assert.notDeepEqual(errors(unattendedUpgrades, { update_interval: 1 }), []);
  });
});
