import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  isKeyText,
  keyLineProblem,
  keyTextProblems,
  mergeAuthorizedKeys,
  readPublicKeys,
} from '../../../../plugins/admin_user/public-key.js';
import { tempDir } from '../../../helpers/fake-context.js';

const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAiDwXk60x0DXPdj03txsZB85HIuyyFRYyRByXmOxAe9 example-key-replace-me';
/** A blob whose embedded type is ssh-rsa (a minimal, valid-looking RSA public key encoding). */
const RSA_BLOB = Buffer.concat([
  Buffer.from([0, 0, 0, 7]),
  Buffer.from('ssh-rsa'),
  Buffer.from([0, 0, 0, 1, 3, 0, 0, 0, 2, 0xc1, 0x01]),
]).toString('base64');

describe('admin_user public keys', () => {
  it('tells key text from a path', () => {
    assert.ok(isKeyText(ED25519));
    assert.ok(isKeyText(`  ssh-rsa ${RSA_BLOB}`));
    assert.ok(!isKeyText('/home/me/.ssh/id_ed25519.pub'));
    assert.ok(!isKeyText('keys/ssh-ed25519.pub'));
  });

  it('accepts well-formed keys of any type, with or without a comment', () => {
    assert.equal(keyLineProblem(ED25519), undefined);
    assert.equal(keyLineProblem(`ssh-rsa ${RSA_BLOB}`), undefined);
  });

  it('rejects private keys, unknown types, bad base64, truncated data and a blob of another type', () => {
    assert.match(keyLineProblem('-----BEGIN OPENSSH PRIVATE KEY-----') ?? '', /private key/);
    assert.match(keyLineProblem('ssh-foo AAAA') ?? '', /not an OpenSSH public key/);
    assert.match(keyLineProblem('ssh-ed25519 not*base64') ?? '', /base64/);
    assert.match(keyLineProblem('ssh-ed25519 AAAAC3NzaC1lZDI1') ?? '', /does not match/);
    assert.match(keyLineProblem(`ssh-ed25519 ${RSA_BLOB}`) ?? '', /does not match its type ssh-ed25519/);
    assert.deepEqual(keyTextProblems('# only a comment\n'), ['no public key in it']);
    assert.deepEqual(keyTextProblems(`${ED25519}\nssh-foo AAAA\n`), [
      'key 2: not an OpenSSH public key (type "ssh-foo")',
    ]);
  });

  it('reads a key file relative to the manifest, skipping comments and blank lines', async () => {
    const dir = await tempDir();
    try {
      await writeFile(join(dir.path, 'admin.pub'), `# team keys\n${ED25519}\n\nssh-rsa ${RSA_BLOB} other\n`);
      assert.deepEqual(readPublicKeys('admin.pub', join(dir.path, 'image.yml')), [
        ED25519,
        `ssh-rsa ${RSA_BLOB} other`,
      ]);
      assert.deepEqual(readPublicKeys(ED25519, '/nowhere/x.yml'), [ED25519]);
      assert.throws(
        () => readPublicKeys('missing.pub', join(dir.path, 'image.yml')),
        /cannot read.*missing\.pub: ENOENT/,
      );
      await writeFile(join(dir.path, 'id_ed25519'), '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n');
      assert.throws(() => readPublicKeys('id_ed25519', join(dir.path, 'image.yml')), /private key/);
    } finally {
      await dir.cleanup();
    }
  });

  it('appends keys to authorized_keys once', () => {
    assert.equal(mergeAuthorizedKeys('', [ED25519]), `${ED25519}\n`);
    assert.equal(
      mergeAuthorizedKeys(`ssh-rsa ${RSA_BLOB}\n`, [ED25519, ED25519]),
      `ssh-rsa ${RSA_BLOB}\n${ED25519}\n`,
    );
    assert.equal(mergeAuthorizedKeys(`${ED25519}\n`, [ED25519]), `${ED25519}\n`);
  });
});
