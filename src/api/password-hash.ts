/**
 * SHA-512 crypt (`$6$`), the format `openssl passwd -6` and glibc's crypt(3) produce and that
 * `chpasswd --encrypted` stores as is. Plugins that set passwords in the image (root_password,
 * admin_user) hash in-process: the clear-text password then only exists in this process, never on a
 * command line, in a command's output (which the runner logs) or in the image's tools.
 * Algorithm: Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512" (2008), checked against its test
 * vectors and `openssl passwd -6` in test/unit/api/password-hash.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_ROUNDS = 5000;

/** Byte triples of the final digest, in the order the spec encodes them (then byte 63 alone). */
const ORDER: readonly (readonly [number, number, number])[] = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

function sha512(...parts: readonly Buffer[]): Buffer {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** `length` bytes made of `digest` repeated (the spec's P and S sequences). */
function stretch(digest: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += 64) digest.copy(out, i, 0, Math.min(64, length - i));
  return out;
}

function encode24(b2: number, b1: number, b0: number, chars: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < chars; i++) {
    out += ALPHABET[w & 0x3f];
    w >>= 6;
  }
  return out;
}

/** 16 random characters of the crypt alphabet (the longest salt SHA-crypt uses). */
export function randomCryptSalt(): string {
  return [...randomBytes(16)].map((b) => ALPHABET[b & 0x3f]).join('');
}

/**
 * `$6$[rounds=N$]salt$hash` for `password`. The salt is cut to 16 characters as the spec says; a salt
 * with `$`, `:` or a newline is refused (it would break the hash string or chpasswd's input).
 */
export function sha512Crypt(password: string, salt = randomCryptSalt(), rounds = DEFAULT_ROUNDS): string {
  if (/[$:\n]/.test(salt)) throw new RangeError('a crypt salt cannot contain "$", ":" or a newline');
  if (!Number.isInteger(rounds) || rounds < 1000 || rounds > 999_999_999) {
    throw new RangeError(`crypt rounds must be an integer from 1000 to 999999999, not ${rounds}`);
  }
  const P = Buffer.from(password, 'utf8');
  const S = Buffer.from(salt.slice(0, 16), 'utf8');
  const B = sha512(P, S, P);
  const a = createHash('sha512').update(P).update(S).update(stretch(B, P.length));
  for (let n = P.length; n > 0; n >>= 1) a.update(n & 1 ? B : P);
  const A = a.digest();

  const pBytes = stretch(sha512(...Array<Buffer>(P.length).fill(P)), P.length);
  const sBytes = stretch(sha512(...Array<Buffer>(16 + (A[0] ?? 0)).fill(S)), S.length);

  let C = A;
  for (let i = 0; i < rounds; i++) {
    const h = createHash('sha512');
    h.update(i & 1 ? pBytes : C);
    if (i % 3 !== 0) h.update(sBytes);
    if (i % 7 !== 0) h.update(pBytes);
    h.update(i & 1 ? C : pBytes);
    C = h.digest();
  }

  const byte = (i: number): number => C[i] ?? 0;
  const hash =
    ORDER.map(([x, y, z]) => encode24(byte(x), byte(y), byte(z), 4)).join('') + encode24(0, 0, byte(63), 2);
  const roundsPart = rounds === DEFAULT_ROUNDS ? '' : `rounds=${rounds}$`;
  return `$6$${roundsPart}${S.toString('utf8')}$${hash}`;
}
