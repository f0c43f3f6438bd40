import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { randomCryptSalt, sha512Crypt } from '../../../../src/api/index.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('sha512Crypt', () => {
  it("matches the test vectors of Drepper's SHA-crypt specification", () => {
    assert.equal(
      sha512Crypt('Hello world!', 'saltstring'),
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
    // Salts are cut to 16 characters and a non-default round count is written into the hash.
    assert.equal(
      sha512Crypt('Hello world!', 'saltstringsaltstring', 10000),
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    );
  });

  it(
    'agrees with openssl passwd -6 on UTF-8, colons and passwords longer than a digest',
    { skip: !hasOpenssl() },
    () => {
      for (const [password, salt] of [
        ['pässwörd:x', 'abcdefgh12345678'],
        ['x'.repeat(200), 'ab'],
        ['a', 'Zz./09'],
      ] as const) {
        const expected = execFileSync('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], {
          input: `${password}\n`,
        })
          .toString()
          .trim();
        assert.equal(sha512Crypt(password, salt), expected);
      }
    },
  );

  it('makes a fresh 16-character salt each time', () => {
    const a = sha512Crypt('secret');
    const b = sha512Crypt('secret');
    assert.match(a, /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    assert.notEqual(a, b);
    assert.match(randomCryptSalt(), /^[./0-9A-Za-z]{16}$/);
  });

  it('refuses salts and round counts that would make a broken hash', () => {
    assert.throws(() => sha512Crypt('x', 'a$b'), /salt/);
    assert.throws(() => sha512Crypt('x', 'a:b'), /salt/);
    assert.throws(() => sha512Crypt('x', 'ab', 10), /rounds/);
  });
});
