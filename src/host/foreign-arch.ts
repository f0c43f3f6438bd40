/**
 * Building an image of another architecture than the build host's (arm64 on amd64): every program of
 * the image that the build runs (mmdebstrap's maintainer scripts, apt, update-grub, update-initramfs in
 * the chroot) is an arm64 ELF, which the kernel hands to qemu-user through binfmt_misc. Needed on the
 * host:
 * - `qemu-user-static` (the interpreter, static so it also works inside the chroot) and `arch-test`
 *   (mmdebstrap refuses a foreign architecture without it);
 * - binfmt_misc mounted at /proc/sys/fs/binfmt_misc (systemd does that at boot; these hosts have no
 *   systemd as PID 1);
 * - the qemu-aarch64 entry registered with the F (fix binary) flag: the kernel opens the interpreter
 *   once at registration, so it runs inside a chroot that has no qemu in it.
 * checkEmulation() says what is missing (the build refuses to start, doctor reports it);
 * setupEmulation() (`bootstrap doctor --fix`) mounts binfmt_misc and registers the entry: through
 * binfmt-support's `update-binfmts` when it is installed, else by writing the line of
 * qemu-user-static's /usr/lib/binfmt.d/qemu-<cpu>.conf into the register file (what
 * systemd-binfmt would do), with the F flag added when it lacks it.
 * An arm64 host builds arm64 natively and needs none of this; amd64 hosts run i386 natively.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';
export const BINFMT_CONF_DIRS = ['/usr/lib/binfmt.d', '/lib/binfmt.d'];

/** Image architectures (Debian names) and the CPU name qemu-user and binfmt use for them. */
const QEMU_CPU: Readonly<Record<string, string>> = { arm64: 'aarch64', amd64: 'x86_64', i386: 'i386' };

/** The build host's architecture in Debian's names (amd64, arm64...), from Node's. */
export function hostArchitecture(nodeArch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: 'i386' };
  return map[nodeArch] ?? nodeArch;
}

/** True when programs of `target` cannot run natively on `host`. amd64 runs i386 natively. */
export function needsEmulation(target: string, host: string = hostArchitecture()): boolean {
  if (target === host) return false;
  if (host === 'amd64' && target === 'i386') return false;
  return true;
}

/** The binfmt_misc entry name for an architecture, e.g. qemu-aarch64. */
export function binfmtEntry(target: string): string {
  return `qemu-${QEMU_CPU[target] ?? target}`;
}

/** Host commands a foreign build needs on top of the plan's (names from host-commands.ts). */
export function emulationCommands(target: string, tool: string | undefined): string[] {
  const cpu = QEMU_CPU[target] ?? target;
  return [`qemu-${cpu}-static`, ...((tool ?? 'mmdebstrap') === 'mmdebstrap' ? ['arch-test'] : [])];
}

export interface EmulationStatus {
  /** False on a native build: nothing else applies. */
  readonly needed: boolean;
  readonly target: string;
  readonly host: string;
  readonly entry: string;
  readonly mounted: boolean;
  /** The entry exists, is enabled, has the F flag and its interpreter exists. */
  readonly registered: boolean;
  /** What is wrong, one line each; empty when emulation works (or is not needed). */
  readonly problems: readonly string[];
}

export interface EmulationOptions {
  readonly host?: string;
  readonly binfmtDir?: string;
  readonly confDirs?: readonly string[];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

interface EntryInfo {
  readonly enabled: boolean;
  readonly flags: string;
  readonly interpreter: string;
}

/** Parses /proc/sys/fs/binfmt_misc/<entry> (`enabled`, `interpreter X`, `flags: PF`...). */
export function parseBinfmtEntry(text: string): EntryInfo {
  const lines = text.split('\n').map((l) => l.trim());
  const value = (prefix: string) =>
    lines
      .find((l) => l.startsWith(prefix))
      ?.slice(prefix.length)
      .trim() ?? '';
  return { enabled: lines[0] === 'enabled', flags: value('flags:'), interpreter: value('interpreter') };
}

export async function checkEmulation(target: string, opts: EmulationOptions = {}): Promise<EmulationStatus> {
  const host = opts.host ?? hostArchitecture();
  const dir = opts.binfmtDir ?? BINFMT_DIR;
  const entry = binfmtEntry(target);
  const base = { target, host, entry };
  if (!needsEmulation(target, host)) {
    return { ...base, needed: false, mounted: true, registered: true, problems: [] };
  }
  const problems: string[] = [];
  const mounted = await exists(join(dir, 'register'));
  let registered = false;
  if (!mounted) {
    problems.push(`binfmt_misc is not mounted at ${dir}`);
  } else {
    const text = await readFile(join(dir, entry), 'utf8').catch(() => undefined);
    if (text === undefined) {
      problems.push(`no ${entry} interpreter is registered with binfmt_misc`);
    } else {
      const info = parseBinfmtEntry(text);
      if (!info.enabled) problems.push(`the ${entry} binfmt_misc entry is disabled`);
      if (!info.flags.includes('F')) {
        problems.push(
          `the ${entry} binfmt_misc entry lacks the F flag (flags "${info.flags}"), so it cannot run inside the image's chroot`,
        );
      }
      registered = info.enabled && info.flags.includes('F');
    }
  }
  return { ...base, needed: true, mounted, registered, problems };
}

/** One paragraph for the build's refusal and doctor: what is missing and the command that fixes it. */
export function formatEmulationProblems(status: EmulationStatus, manifestFile?: string): string {
  const a = anArticle(status.target);
  return (
    `this ${status.host} host cannot run ${status.target} programs, which the build of ${a} ${status.target} image runs in its chroot:\n` +
    status.problems.map((p) => `  ${p}`).join('\n') +
    `\nhint: run \`bootstrap doctor --fix${manifestFile ? ` ${manifestFile}` : ''}\` (installs qemu-user-static, ` +
    `mounts binfmt_misc, registers the ${status.entry} interpreter), or build on ${a} ${status.target} host`
  );
}

/** "an arm64", "an amd64", "a riscv64". */
export function anArticle(word: string): 'a' | 'an' {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

export interface SetupDeps {
  /** Runs a host command (argv), throwing when it fails. */
  readonly run: (argv: readonly string[]) => Promise<unknown>;
  /** Finds a command on PATH (host-commands.ts findCommand). */
  readonly findCommand: (command: string) => Promise<string | undefined>;
  /** Writes a /proc file (binfmt_misc register and entries); injectable for tests. */
  readonly writeProc?: (path: string, text: string) => Promise<void>;
}

/** The registration line from qemu-user-static's binfmt.d file, with the F flag added when missing. */
export async function registrationLine(target: string, confDirs: readonly string[]): Promise<string> {
  const entry = binfmtEntry(target);
  for (const dir of confDirs) {
    const path = join(dir, `${entry}.conf`);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    const line = text
      ?.split('\n')
      .map((l) => l.trim())
      .find((l) => l.startsWith(`:${entry}:`));
    if (line === undefined) continue;
    // :name:type:offset:magic:mask:interpreter:flags
    const fields = line.split(':');
    const flags = fields[7] ?? '';
    if (!flags.includes('F')) fields[7] = `${flags}F`;
    return fields.join(':');
  }
  throw new Error(
    `no ${entry}.conf in ${confDirs.join(' or ')}: install qemu-user-static (apt-get install qemu-user-static)`,
  );
}

/**
 * Makes `target` programs runnable on this host; returns what it did, one line each (empty when
 * nothing was needed). Throws when it could not.
 */
export async function setupEmulation(
  target: string,
  deps: SetupDeps,
  opts: EmulationOptions = {},
): Promise<string[]> {
  const dir = opts.binfmtDir ?? BINFMT_DIR;
  const confDirs = opts.confDirs ?? BINFMT_CONF_DIRS;
  const writeProc = deps.writeProc ?? ((path: string, text: string) => writeFile(path, text));
  const entry = binfmtEntry(target);
  const done: string[] = [];
  let status = await checkEmulation(target, opts);
  if (!status.needed || status.problems.length === 0) return done;
  if (!status.mounted) {
    await deps.run(['mount', '-t', 'binfmt_misc', 'binfmt_misc', dir]);
    done.push(`mounted binfmt_misc at ${dir}`);
    status = await checkEmulation(target, opts);
  }
  // binfmt-support keeps its own database of formats; enabling through it keeps that database right.
  if (!status.registered && (await deps.findCommand('update-binfmts')) !== undefined) {
    try {
      if (!(await exists(join(dir, entry)))) {
        await deps.run(['update-binfmts', '--import', entry]).catch(() => undefined);
        await deps.run(['update-binfmts', '--enable', entry]);
      }
      status = await checkEmulation(target, opts);
      if (status.registered) done.push(`enabled ${entry} with update-binfmts (binfmt-support)`);
    } catch {
      // fall through to registering by hand
    }
  }
  if (!status.registered) {
    // An entry without F (or disabled) is replaced by one with it; -1 removes an entry.
    if (await exists(join(dir, entry))) {
      await writeProc(join(dir, entry), '-1');
      done.push(`removed the ${entry} entry without the F flag`);
    }
    const line = await registrationLine(target, confDirs);
    await writeProc(join(dir, 'register'), `${line}\n`);
    done.push(`registered ${entry} in ${dir}/register (flags ${line.split(':')[7] ?? ''})`);
    status = await checkEmulation(target, opts);
  }
  if (status.problems.length > 0) {
    throw new Error(`${target} emulation is still not working:\n  ${status.problems.join('\n  ')}`);
  }
  return done;
}
