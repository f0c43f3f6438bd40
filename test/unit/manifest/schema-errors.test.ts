import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildManifestSchema } from '../../../src/manifest/combined-schema.js';
import { loadManifest } from '../../../src/manifest/load-manifest.js';
import { compiledSchema } from '../../../src/manifest/schema-validator.js';
import { FIXTURES, VALID, defaultRegistry, edit, loadText } from './fake-registry.js';

type Json = unknown;

const where = (r: Awaited<ReturnType<typeof loadText>>) =>
  r.errors.map((e) => ({
    line: e.line,
    col: e.col,
    pointer: e.pointer,
    message: e.message,
    ...(e.hint ? { hint: e.hint } : {}),
  }));

test('the valid test manifest loads', async () => {
  const r = await loadText(VALID);
  assert.deepEqual(r.errors, []);
  assert.ok(r.manifest);
});

test('a typo in a key points at the key, with a suggestion', async () => {
  // line 7 is "  release: bookworm"
  const r = await loadText(edit(7, '  relase: bookworm'));
  // Only the typo is reported: "missing required key release" would say the same thing twice.
  assert.deepEqual(where(r), [
    {
      line: 7,
      col: 3,
      pointer: '/system/relase',
      message: 'unknown key "relase"',
      hint: 'did you mean "release"?',
    },
  ]);
  assert.equal(r.errors[0]?.sourceLine, '  relase: bookworm');
});

test('a wrong type names the expected and the actual type', async () => {
  const r = await loadText(edit(5, '  workspace: [a, b]'));
  assert.deepEqual(where(r), [
    { line: 5, col: 3, pointer: '/bootstrapper/workspace', message: 'must be a string, not a list' },
  ]);
});

test('a bad size says what a size looks like', async () => {
  const r = await loadText(edit(19, '      size: 8GB2'));
  assert.deepEqual(where(r), [
    {
      line: 19,
      col: 7,
      pointer: '/volume/partitions/root/size',
      message: 'size "8GB2" must look like 8GiB or 512MiB',
    },
  ]);
});

test('an enum error lists the allowed values and guesses', async () => {
  const r = await loadText(edit(16, '    type: gtp'));
  assert.deepEqual(where(r), [
    {
      line: 16,
      col: 5,
      pointer: '/volume/partitions/type',
      message: 'must be one of: gpt, msdos, none',
      hint: 'did you mean "gpt"?',
    },
  ]);
});

test('an unknown plugin is reported at its key with the closest known name', async () => {
  const r = await loadText(VALID + 'plugins:\n  admin_usr:\n    username: x\n  zzz: {}\n');
  assert.deepEqual(where(r), [
    {
      line: 21,
      col: 3,
      pointer: '/plugins/admin_usr',
      message: 'unknown plugin "admin_usr"',
      hint: 'did you mean "admin_user"?',
    },
    {
      line: 23,
      col: 3,
      pointer: '/plugins/zzz',
      message: 'unknown plugin "zzz"',
      hint: 'known plugins: admin_user, broken_check, commands, root_password',
    },
  ]);
});

test('an unknown provider lists the known providers', async () => {
  const r = await loadText(edit(3, '  name: kvn'));
  assert.deepEqual(where(r), [
    {
      line: 3,
      col: 3,
      pointer: '/provider/name',
      message: 'unknown provider "kvn"',
      hint: 'did you mean "kvm"? known providers: ec2, kvm',
    },
  ]);
});

test("the selected provider's schema closes the provider section and adds whole-manifest rules", async () => {
  const r = await loadText(
    edit(3, '  name: kvm\n  virtio: [virtio_blk]\n  virtualization: hvm').replace(
      'backing: raw',
      'backing: vdi',
    ),
  );
  assert.deepEqual(where(r), [
    {
      line: 5,
      col: 3,
      pointer: '/provider/virtualization',
      message: 'unknown key "virtualization"',
      hint: 'known keys: name, virtio',
    },
    { line: 16, col: 3, pointer: '/volume/backing', message: 'must be one of: qcow2, raw' },
  ]);
  // ec2's schema uses a root-relative $ref to its own $defs, and requires virtualization.
  const ec2 = await loadText(edit(3, '  name: ec2\n  virtualization: xen'));
  assert.deepEqual(where(ec2), [
    { line: 4, col: 3, pointer: '/provider/virtualization', message: 'must be one of: hvm, pvm' },
  ]);
  const missing = await loadText(edit(3, '  name: ec2'));
  assert.deepEqual(where(missing), [
    {
      line: 2,
      col: 1,
      pointer: '/provider/virtualization',
      message: 'missing required key "virtualization"',
    },
  ]);
});

test('plugin settings are validated by the plugin schema', async () => {
  const r = await loadText(VALID + 'plugins:\n  admin_user:\n    username: 3\n    shell: /bin/sh\n');
  assert.deepEqual(where(r), [
    { line: 22, col: 5, pointer: '/plugins/admin_user/username', message: 'must be a string, not 3' },
    {
      line: 23,
      col: 5,
      pointer: '/plugins/admin_user/shell',
      message: 'unknown key "shell"',
      hint: 'known keys: password, username',
    },
  ]);
});

test('a missing section is reported at the top of the file', async () => {
  const r = await loadText(VALID.replace('bootstrapper:\n  workspace: /target\n', ''));
  assert.deepEqual(where(r), [
    { line: 1, col: 1, pointer: '/bootstrapper', message: 'missing required section "bootstrapper"' },
  ]);
});

test('anyOf noise is reduced to the branch that applies', async () => {
  // root_password.password is anyOf [string of 8+ characters, null].
  const short = await loadText(VALID + 'plugins:\n  root_password:\n    password: short\n');
  assert.deepEqual(where(short), [
    {
      line: 22,
      col: 5,
      pointer: '/plugins/root_password/password',
      message: 'must have at least 8 characters',
    },
  ]);
  const number = await loadText(VALID + 'plugins:\n  root_password:\n    password: 3\n');
  assert.deepEqual(where(number), [
    {
      line: 22,
      col: 5,
      pointer: '/plugins/root_password/password',
      message: 'must be a string or empty (null), not 3',
    },
  ]);
  const empty = await loadText(VALID + 'plugins:\n  root_password:\n    password:\n');
  assert.deepEqual(empty.errors, []);
});

test('a list item is reported at the item', async () => {
  const r = await loadText(VALID + 'packages:\n  install:\n    - ok\n    - a/b/c\n');
  assert.deepEqual(where(r), [
    {
      line: 23,
      col: 7,
      pointer: '/packages/install/1',
      message:
        '"a/b/c" must be a package name, name=version, name/target-release, or the absolute path of a .deb',
    },
  ]);
});

test('every problem is reported at once, in file order', async () => {
  const text = VALID.replace('architecture: amd64', 'architecture: sparc')
    .replace('  timezone: UTC', '  timezone: UTC\n  colour: blue')
    .replace('size: 2GiB', 'size: big');
  const r = await loadText(text);
  assert.deepEqual(
    r.errors.map((e) => e.line),
    [8, 13, 20],
  );
});

test('JSON manifests get the same positioned errors', async () => {
  const r = await loadManifest(FIXTURES + 'minimal.json', { registry: defaultRegistry });
  assert.deepEqual(
    r.errors.map((e) => [e.line, e.col, e.message]),
    [[12, 3, 'unknown key "system_typo"']],
  );
});

test('the combined schema closes plugins to known names and selects provider schemas by name', () => {
  // Walks the schema by path; the schema is plain JSON, so unknown-typed access is fine here.
  const schema = JSON.parse(JSON.stringify(buildManifestSchema(defaultRegistry))) as Json;
  const at = (...path: (string | number)[]): Json =>
    path.reduce<Json>((v, k) => (v as Record<string, Json>)[k] as Json, schema);
  assert.deepEqual(Object.keys(at('properties', 'plugins', 'properties') as object), [
    'admin_user',
    'broken_check',
    'commands',
    'root_password',
  ]);
  assert.equal(at('properties', 'plugins', 'additionalProperties'), false);
  assert.deepEqual(at('properties', 'provider', 'properties', 'name', 'enum'), ['ec2', 'kvm']);
  assert.deepEqual(
    [0, 1].map((i) => at('allOf', i, 'if', 'properties', 'provider', 'properties', 'name', 'const')),
    ['ec2', 'kvm'],
  );
  assert.equal(
    at('allOf', 0, 'then', 'properties', 'provider', '$id'),
    'https://schemas.debian-image-bootstrap.invalid/providers/ec2.json',
  );
  assert.equal(
    at('properties', 'system', 'properties', 'release', 'enum'),
    undefined,
    'releases come from the data table',
  );
});

test('the schema compiles once per registry and validation is fast', async () => {
  assert.equal(compiledSchema(defaultRegistry), compiledSchema(defaultRegistry));
  await loadText(VALID);
  const start = performance.now();
  for (let i = 0; i < 10; i++) await loadText(VALID);
  const each = (performance.now() - start) / 10;
  assert.ok(each < 100, `a load took ${each} ms`);
});
