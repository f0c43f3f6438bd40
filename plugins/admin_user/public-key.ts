/**
 * `admin_user.pubkey` is either the text of an OpenSSH public key (`ssh-ed25519 AAAA... comment`) or
 * the path of a file holding one or more (bootstrap-vz took a path only, relative to the manifest).
 * Keys are checked here without ssh-keygen: the base64 blob must decode and name the same key type
 * as the line, which catches truncated pastes, private keys and the wrong file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

/** True when the setting is key text rather than a path. */
export function isKeyText(value: string): boolean {
  return KEY_TYPES.some((t) => value.trimStart().startsWith(`${t} `));
}

/** Why one authorized_keys line is not a public key, or undefined when it is one. */
export function keyLineProblem(line: string): string | undefined {
  if (line.includes('PRIVATE KEY')) return 'this is a private key; give the public key (the .pub file)';
  const [type, blob] = line.trim().split(/\s+/);
  if (type === undefined || !KEY_TYPES.includes(type))
    return `not an OpenSSH public key (type "${type ?? ''}")`;
  if (blob === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return 'the key data is not base64';
  const raw = Buffer.from(blob, 'base64');
  const length = raw.length >= 4 ? raw.readUInt32BE(0) : -1;
  const inner = length > 0 && raw.length >= 4 + length ? raw.subarray(4, 4 + length).toString('latin1') : '';
  if (inner !== type) return `the key data does not match its type ${type} (truncated or mangled?)`;
  return undefined;
}

/** The non-empty, non-comment lines of a key file or key text. */
export function keyLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Every problem of a key text, one per bad line (empty when all lines are public keys). */
export function keyTextProblems(text: string): string[] {
  const lines = keyLines(text);
  if (lines.length === 0) return ['no public key in it'];
  return lines.flatMap((line, i) => {
    const problem = keyLineProblem(line);
    return problem === undefined ? [] : [lines.length > 1 ? `key ${i + 1}: ${problem}` : problem];
  });
}

/** A path setting is relative to the manifest's directory, as bootstrap-vz's rel_path made it. */
export function keyFilePath(setting: string, manifestFile: string): string {
  return resolve(dirname(manifestFile), setting);
}

/** The key lines the setting stands for; throws with a readable message when the file cannot be read. */
export function readPublicKeys(setting: string, manifestFile: string): string[] {
  if (isKeyText(setting)) return keyLines(setting);
  const path = keyFilePath(setting, manifestFile);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(
      `cannot read the public key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const problems = keyTextProblems(text);
  if (problems.length > 0) throw new Error(`${path}: ${problems.join('; ')}`);
  return keyLines(text);
}

/** authorized_keys with `keys` appended, each key once (a re-run or an existing file keeps its lines). */
export function mergeAuthorizedKeys(existing: string, keys: readonly string[]): string {
  const lines = existing.split('\n').filter((l) => l.trim() !== '');
  const have = new Set(lines.map((l) => l.trim()));
  for (const k of keys) {
    if (have.has(k)) continue;
    lines.push(k);
    have.add(k);
  }
  return lines.join('\n') + '\n';
}
