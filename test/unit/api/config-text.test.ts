/**
 * Issue 16, item 2: the writers' own guard. Hostile manifest values (as if validate had let them
 * through) reach each writer of a file in the image or an argv, and come out escaped for the format
 * or refused with a BuildError: never an extra line, field, key or option.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  deb822Value,
  fstabField,
  oneLineValue,
  positionalArg,
  systemdValue,
  userName,
  yamlScalar,
} from '../../../src/api/index.js';
import { sudoersRule } from '../../../plugins/admin_user/tasks.js';
import { enableModules, renderDropIn } from '../../../plugins/cloud_init/cloud-cfg.js';
import { renderTimesyncdDropIn } from '../../../plugins/ntp/timesyncd.js';
import { pipInstallArgv } from '../../../plugins/pip_install/pip-argv.js';
import { playbookArgv } from '../../../plugins/ansible/playbook-argv.js';
import { moduleInstallArgv } from '../../../plugins/puppet/puppet-argv.js';
import { rootPasswordHash } from '../../../plugins/root_password/tasks.js';
import { DEBIAN, type ReleaseInfo } from '../../../src/api/index.js';

const buildError = (re: RegExp) => (e: Error) => e.name === 'BuildError' && re.test(e.message);

test('oneLineValue and deb822Value refuse newlines and control characters', () => {
  assert.equal(oneLineValue('a b', 'x'), 'a b');
  for (const v of ['a\nb', 'a\rb', 'a\u0000', 'a\u001b[2J'])
    assert.throws(() => oneLineValue(v, 'x'), buildError(/control character/), JSON.stringify(v));
  assert.throws(() => deb822Value(' ', 'the field'), buildError(/is empty/));
});

test('positionalArg refuses a leading - (for programs without --)', () => {
  assert.equal(positionalArg('bookworm', 'the suite'), 'bookworm');
  assert.throws(() => positionalArg('--help', 'the suite'), buildError(/starts with "-"/));
  assert.throws(() => positionalArg('', 'the suite'), buildError(/is empty/));
});

test('fstabField: octal escapes for blanks and backslashes; newlines refused', () => {
  assert.equal(fstabField('/mnt/a b\tc\\d', 'f'), '/mnt/a\\040b\\011c\\134d');
  assert.throws(() => fstabField('/a\n/b', 'f'), buildError(/control character/));
  assert.throws(() => fstabField('', 'f'), buildError(/is empty/));
});

test('systemdValue: one line, % doubled, no trailing backslash', () => {
  assert.equal(systemdValue('100%', 'v'), '100%%');
  assert.throws(() => systemdValue('a\n[Service]\nExecStart=/bin/sh', 'v'), buildError(/control character/));
  assert.throws(() => systemdValue('a\\', 'v'), buildError(/backslash/));
});

test('yamlScalar: plain words bare, anything else JSON-quoted, read back unchanged', () => {
  assert.equal(yamlScalar('Ec2'), 'Ec2');
  assert.equal(yamlScalar('yes'), '"yes"');
  for (const v of ['a: b', 'x\n- evil', '[1]', '#c', '*alias', 'ünï', "it's", 'a"b\\c', 'null', '']) {
    const doc = parse(`k: ${yamlScalar(v)}\n`) as Record<string, unknown>;
    assert.deepEqual(doc, { k: v }, JSON.stringify(v));
  }
});

test('userName: only what useradd takes without --badname', () => {
  assert.equal(userName('admin_1', 'u'), 'admin_1');
  for (const v of ['-r', 'root ALL', 'a\nb ALL=(ALL) ALL', '%sudo', 'Admin', 'a:b'])
    assert.throws(() => userName(v, 'u'), buildError(/not a user name/), JSON.stringify(v));
});

test('sudoers: one rule for a plain user name; a hostile name is refused', () => {
  assert.equal(sudoersRule('admin'), 'admin ALL=(ALL) NOPASSWD:ALL\n');
  for (const v of ['admin\nALL ALL=(ALL) NOPASSWD: ALL', 'ALL,admin', '%sudo', '#0'])
    assert.throws(() => sudoersRule(v), buildError(/not a user name/), JSON.stringify(v));
});

test('cloud.cfg drop-in: hostile datasources, user and groups stay scalars', () => {
  const text = renderDropIn(
    {
      metadata_sources: 'Ec2,[x]: y',
      username: 'admin\nusers: [evil]',
      groups: ['wheel\nruncmd: [reboot]', 'ok'],
    },
    'ec2',
    true,
  );
  const doc = parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc).sort(), ['datasource_list', 'ssh_genkeytypes', 'system_info']);
  assert.deepEqual(doc['datasource_list'], ['Ec2', '[x]:', 'y', 'None']);
  const user = (doc['system_info'] as Record<string, Record<string, unknown>>)['default_user'];
  assert.equal(user?.['name'], 'admin\nusers: [evil]');
  assert.ok((user?.['groups'] as string[]).includes('wheel\nruncmd: [reboot]'));
});

test('cloud.cfg module lists: a hostile module name is one list entry', () => {
  const cfg = 'cloud_init_modules:\n - seed_random\n - growpart\nusers: []\n';
  const out = enableModules(cfg, { cloud_init_modules: [{ module: 'x\nruncmd: [reboot]', position: 1 }] });
  const doc = parse(out) as Record<string, unknown>;
  assert.deepEqual(doc['cloud_init_modules'], ['x\nruncmd: [reboot]', 'seed_random', 'growpart']);
  assert.deepEqual(Object.keys(doc), ['cloud_init_modules', 'users']);
});

test('timesyncd drop-in: an NTP server cannot add a line or a specifier', () => {
  assert.match(renderTimesyncdDropIn(['169.254.169.123']), /^NTP=169\.254\.169\.123$/m);
  assert.throws(() => renderTimesyncdDropIn(['a\n[Time]\nNTP=evil']), buildError(/control character/));
  assert.match(renderTimesyncdDropIn(['%H']), /^NTP=%%H$/m);
});

const bookworm = { codename: 'bookworm', suite: 'bookworm', version: String(DEBIAN.bookworm) } as ReleaseInfo;

test('pip: requirements after --, so --index-url or -r in a value is a requirement', () => {
  const argv = pipInstallArgv(['--index-url=http://evil/', '-rfile'], bookworm);
  assert.deepEqual(argv.slice(argv.indexOf('--')), ['--', '--index-url=http://evil/', '-rfile']);
});

test('ansible-playbook: the playbook after --, whatever opt_flags hold', () => {
  const argv = playbookArgv({ playbook: 'x', opt_flags: ['-v'] }, '-e@/etc/shadow', '/r', undefined);
  assert.deepEqual(argv.slice(-3), ['-v', '--', '-e@/etc/shadow']);
});

test('puppet module install (no --): a name or version starting with - is refused', () => {
  assert.throws(() => moduleInstallArgv(['--modulepath=/']), buildError(/starts with "-"/));
  assert.throws(() => moduleInstallArgv(['puppetlabs-stdlib', '--force']), buildError(/starts with "-"/));
  assert.deepEqual(moduleInstallArgv(['puppetlabs-stdlib', '9.0.0']).slice(-3), [
    'puppetlabs-stdlib',
    '--version',
    '9.0.0',
  ]);
});

test("root_password: a crypted hash cannot add a chpasswd line or another user's field", () => {
  for (const h of ['$6$a$b\nadmin:$6$x$y', '$6$a$b:extra'])
    assert.throws(() => rootPasswordHash({ 'password-crypted': h }), buildError(/control character|":"/));
  assert.equal(rootPasswordHash({ 'password-crypted': '$6$salt$hash' }), '$6$salt$hash');
});
