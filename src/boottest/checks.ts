/**
 * How each boot-test check is judged, from what was captured: the serial console, the metadata
 * service's request log, the probe's output from the guest and facts read from the image file. Pure
 * functions, so every verdict can be unit tested from recorded outputs.
 */
import type { WaitResult } from './console-watch.js';
import type { GuestFacts } from './guest-probe.js';
import type { ImdsRequest } from './imds-server.js';

/**
 * `skipped` means the check does not apply to this image (its detail says why, e.g. no metadata
 * client to judge IMDSv2 tokens on); a check that applies but cannot run (no SSH login) is `fail`.
 */
export type CheckStatus = 'pass' | 'fail' | 'skipped';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  /** When the verdict was reached, in seconds after QEMU started. */
  readonly seconds: number;
  readonly detail: string;
}

/** What the image file itself holds (read without booting it); undefined when it could not be read. */
export interface ImageFacts {
  readonly machineId?: string | undefined;
  readonly hostKeyPub?: string | undefined;
  readonly readable: boolean;
}

const check = (name: string, status: CheckStatus, seconds: number, detail: string): CheckResult => ({
  name,
  status,
  seconds: Math.round(seconds * 10) / 10,
  detail,
});

export function checkLoginPrompt(wait: WaitResult): CheckResult {
  switch (wait.kind) {
    case 'matched':
      return check('login-prompt', 'pass', wait.seconds, `"${wait.line.trim()}"`);
    case 'failed':
      return check('login-prompt', 'fail', wait.seconds, `boot failed: ${wait.line}`);
    case 'exited':
      return check('login-prompt', 'fail', wait.seconds, 'QEMU exited before a login prompt');
    case 'timeout':
      return check(
        'login-prompt',
        'fail',
        wait.seconds,
        'no login prompt on the serial console before the timeout',
      );
  }
}

/** Lines of the console or kernel log that say the root device was not found or is broken. */
export const ROOT_DEVICE_ERRORS: readonly RegExp[] = [
  /ALERT!/,
  /(?:\/dev\/\S+|UUID=\S+|LABEL=\S+) does not exist/,
  /VFS: Cannot open root device/,
  /EXT4-fs error/,
  /Timed out waiting for device/,
  /You are in emergency mode/,
  /Kernel panic - not syncing/,
];

export function checkRootDeviceErrors(seconds: number, ...logs: readonly string[]): CheckResult {
  const hits: string[] = [];
  for (const log of logs) {
    for (const line of log.split('\n')) {
      if (ROOT_DEVICE_ERRORS.some((p) => p.test(line)) && !hits.includes(line.trim())) hits.push(line.trim());
    }
  }
  return hits.length === 0
    ? check('no-root-device-errors', 'pass', seconds, 'no root device errors in the console or kernel log')
    : check('no-root-device-errors', 'fail', seconds, hits.slice(0, 5).join(' | '));
}

/**
 * systemd's "[FAILED] Failed to start X" on the console. A wrong root UUID in fstab, for one, boots to a
 * login prompt but fails systemd-remount-fs, leaving / read-only and cloud-init broken.
 */
export function checkFailedUnits(serial: string, seconds: number): CheckResult {
  const hits = serial
    .split('\n')
    .filter((l) => /\[\s*FAILED\s*\]/.test(l))
    .map((l) => l.trim());
  return hits.length === 0
    ? check('no-failed-units', 'pass', seconds, 'no [FAILED] units on the console')
    : check('no-failed-units', 'fail', seconds, [...new Set(hits)].slice(0, 5).join(' | '));
}

export function checkUserData(
  facts: GuestFacts,
  requests: readonly ImdsRequest[],
  seconds: number,
): CheckResult {
  const runs = (facts['user-data-runs'] ?? '').trim();
  const fetched = requests.some((r) => r.path.endsWith('/user-data') && r.status === 200);
  if (runs === '1') return check('user-data-once', 'pass', seconds, 'the user-data script ran once');
  if (runs === '') {
    const status = (facts['cloud-init-status'] ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, 4)
      .join('; ');
    const why = fetched ? (status ? ` (cloud-init: ${status})` : '') : ' (the guest never fetched user-data)';
    return check('user-data-once', 'fail', seconds, `the user-data script did not run${why}`);
  }
  return check('user-data-once', 'fail', seconds, `the user-data script ran ${runs} times`);
}

interface BlockDevice {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly parent: string;
}

function parseLsblk(text: string): BlockDevice[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3)
    .map(([name = '', size = '0', type = '', parent = '']) => ({ name, size: Number(size), type, parent }));
}

const MiB = 1024 * 1024;
/** Space the root partition may leave unused at the end of the disk (alignment, backup GPT). */
export const MAX_UNUSED = 64 * MiB;
/** ext4 reports its size without metadata (inode tables, journal), a few percent of the partition. */
export const MIN_FS_RATIO = 0.85;

export function checkRootFillsDisk(facts: GuestFacts, seconds: number): CheckResult {
  const name = 'root-fills-disk';
  const [source = '', fsSizeText = ''] = (facts['root'] ?? '').split(/\s+/);
  const fsSize = Number(fsSizeText);
  const devices = parseLsblk(facts['lsblk'] ?? '');
  const rootDev = devices.find((d) => `/dev/${d.name}` === source);
  if (!rootDev || !fsSize)
    return check(name, 'fail', seconds, `cannot tell the root device (findmnt: "${facts['root'] ?? ''}")`);
  const disk =
    rootDev.type === 'disk' ? rootDev : devices.find((d) => d.name === rootDev.parent && d.type === 'disk');
  if (!disk) return check(name, 'fail', seconds, `no disk found for ${source}`);
  const partitions = devices.filter((d) => d.parent === disk.name && d.type === 'part');
  const unused = disk.size - partitions.reduce((sum, p) => sum + p.size, 0);
  const sizes = `disk ${mib(disk.size)}, root partition ${mib(rootDev.size)}, root filesystem ${mib(fsSize)}`;
  if (rootDev !== disk && unused > MAX_UNUSED) {
    return check(name, 'fail', seconds, `the root partition was not grown: ${mib(unused)} unused (${sizes})`);
  }
  if (fsSize < rootDev.size * MIN_FS_RATIO) {
    return check(name, 'fail', seconds, `the root filesystem was not grown to its partition (${sizes})`);
  }
  return check(name, 'pass', seconds, sizes);
}

function mib(bytes: number): string {
  return `${Math.round(bytes / MiB)} MiB`;
}

export function checkHostKeys(facts: GuestFacts, image: ImageFacts, seconds: number): CheckResult {
  const name = 'fresh-host-keys';
  const btime = Number(facts['btime'] ?? NaN);
  const keys = (facts['host-keys'] ?? '')
    .split('\n')
    .map((l) => /^(\d+) (\S+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ mtime: Number(m[1]), path: m[2] ?? '' }));
  if (keys.length === 0) return check(name, 'fail', seconds, 'no SSH host keys in /etc/ssh');
  if (!Number.isFinite(btime)) return check(name, 'fail', seconds, 'boot time unknown (/proc/stat btime)');
  // A minute of slack: btime is rounded and the RTC may lag the first key write by a little.
  const old = keys.filter((k) => k.mtime < btime - 60);
  if (old.length > 0) {
    return check(
      name,
      'fail',
      seconds,
      `host keys older than this boot (baked into the image): ${old.map((k) => k.path).join(', ')}`,
    );
  }
  const pub = keyBody(facts['host-key-pub']);
  if (image.hostKeyPub && pub && keyBody(image.hostKeyPub) === pub) {
    return check(name, 'fail', seconds, 'the ed25519 host key is the one in the image');
  }
  const compared = !image.readable
    ? ' (image not readable, not compared)'
    : image.hostKeyPub
      ? ', differ from the image'
      : ', none in the image';
  return check(name, 'pass', seconds, `${keys.length} host keys generated on this boot${compared}`);
}

function keyBody(pub: string | undefined): string | undefined {
  return pub?.trim().split(/\s+/)[1];
}

export function checkMachineId(facts: GuestFacts, image: ImageFacts, seconds: number): CheckResult {
  const name = 'fresh-machine-id';
  const id = (facts['machine-id'] ?? '').trim();
  if (!/^[0-9a-f]{32}$/.test(id))
    return check(name, 'fail', seconds, `/etc/machine-id is "${id}", not a machine id`);
  const baked = image.machineId?.trim();
  if (baked && baked === id)
    return check(name, 'fail', seconds, '/etc/machine-id is the one baked into the image');
  const compared = !image.readable
    ? ' (image not readable, not compared)'
    : baked
      ? ', differs from the image'
      : ', empty in the image';
  return check(name, 'pass', seconds, `${id}${compared}`);
}

/**
 * /etc/fstab names devices that exist (`findmnt --verify` errors, e.g. "[E] unreachable on boot
 * required source: UUID=..."). A wrong root UUID boots fine today and breaks the next fsck or remount.
 */
export function checkFstab(facts: GuestFacts, seconds: number): CheckResult {
  const name = 'fstab-valid';
  const out = facts['fstab-verify'] ?? '';
  if (!/\d+ parse errors?, \d+ errors?|Success, no errors or warnings/.test(out))
    return check(name, 'fail', seconds, `findmnt --verify gave no verdict: "${out.slice(0, 200)}"`);
  const lines = out.split('\n');
  const errors = lines.flatMap((l, i) => {
    if (!/^\s*\[E\]/.test(l)) return [];
    const target =
      lines
        .slice(0, i)
        .reverse()
        .find((t) => /^\S/.test(t)) ?? '?';
    return [`${target}: ${l.trim().replace(/^\[E\]\s*/, '')}`];
  });
  return errors.length === 0
    ? check(name, 'pass', seconds, 'every /etc/fstab entry resolves (findmnt --verify)')
    : check(name, 'fail', seconds, errors.slice(0, 5).join(' | '));
}

/** Build-host strings that must never reach the image's boot configuration. */
export function buildHostPatterns(hostHostname: string): RegExp[] {
  const patterns = [/\/dev\/loop\d*/, /\/var\/tmp\/bootstrap/];
  const h = hostHostname.trim();
  if (h.length >= 3 && h !== 'localhost' && h !== 'debian') {
    patterns.push(new RegExp(`(?<![\\w.-])${h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`));
  }
  return patterns;
}

export function checkBuildHostPaths(
  files: Readonly<Record<string, string | undefined>>,
  hostHostname: string,
  seconds: number,
): CheckResult {
  const name = 'no-build-host-paths';
  const patterns = buildHostPatterns(hostHostname);
  const hits: string[] = [];
  const looked: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    if (text === undefined) continue;
    looked.push(file);
    for (const line of text.split('\n')) {
      if (line.trimStart().startsWith('#')) continue;
      for (const p of patterns) {
        const m = p.exec(line);
        if (m) hits.push(`${file}: ${m[0]} in "${line.trim()}"`);
      }
    }
  }
  if (looked.length === 0) return check(name, 'fail', seconds, 'nothing to look at');
  return hits.length === 0
    ? check(name, 'pass', seconds, `none in ${looked.join(', ')}`)
    : check(name, 'fail', seconds, hits.slice(0, 5).join(' | '));
}

/** The kernel command line the kernel printed on the console ("Command line: ..."). */
export function consoleCmdline(serial: string): string | undefined {
  const m = /Command line: (.*)/.exec(serial);
  return m?.[1]?.trim();
}

export function checkImdsTokens(
  requests: readonly ImdsRequest[],
  expectV2: boolean,
  seconds: number,
): CheckResult {
  const name = 'imdsv2-tokens';
  const gets = requests.filter((r) => r.method === 'GET');
  const withToken = gets.filter((r) => r.token).length;
  const summary = `${withToken} of ${gets.length} metadata requests used a token`;
  if (!expectV2) return notApplicable(name, `the image does not claim IMDSv2 support (${summary})`, seconds);
  if (gets.length === 0) return check(name, 'fail', seconds, 'the guest never asked the metadata service');
  const without = gets.filter((r) => !r.token);
  return without.length === 0
    ? check(name, 'pass', seconds, summary)
    : check(
        name,
        'fail',
        seconds,
        `${summary}; without: ${[...new Set(without.map((r) => r.path))].slice(0, 5).join(', ')}`,
      );
}

/** A check that does not apply to this image; `reason` says why (the report lists them). */
export function notApplicable(name: string, reason: string, seconds = 0): CheckResult {
  return check(name, 'skipped', seconds, `does not apply: ${reason}`);
}

/** A check that applies but could not run: a failure, never a skip. */
export function cannotRun(name: string, reason: string, seconds = 0): CheckResult {
  return check(name, 'fail', seconds, `could not run: ${reason}`);
}

/**
 * What in the guest acts on a first boot beyond systemd: cloud-init, the EC2 init scripts (units named
 * ec2-*), a root grower (cloud-initramfs-growroot, x-systemd.growfs, the expand_root plugin's
 * expand-root.service). From the probe's `agents` lines.
 */
export interface FirstBootAgents {
  readonly cloudInit: boolean;
  readonly ec2Units: readonly string[];
  readonly growers: readonly string[];
}

export function parseAgents(facts: GuestFacts): FirstBootAgents {
  const lines = (facts['agents'] ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const ec2Units = lines.filter((l) => /^ec2-[\w-]+\.service$/.test(l));
  const cloudInit = lines.some((l) => /(^|\/)cloud-init$/.test(l));
  const growers = [
    ...(cloudInit ? ['cloud-init growpart'] : []),
    ...ec2Units.filter((u) => u === 'ec2-grow-root.service'),
    ...lines.filter((l) => l === 'expand-root.service'),
    ...lines.filter((l) => l === 'growroot' || l === 'x-systemd.growfs'),
  ];
  return { cloudInit, ec2Units, growers };
}

/**
 * user-data applies when something in the guest runs it (cloud-init, the EC2 init scripts) or the guest
 * fetched it; otherwise the image talks to no metadata service and the check does not apply.
 */
export function userDataApplies(agents: FirstBootAgents, requests: readonly ImdsRequest[]): boolean {
  return (
    agents.cloudInit || agents.ec2Units.length > 0 || requests.some((r) => r.path.endsWith('/user-data'))
  );
}

export function checkUserDataIfApplies(
  facts: GuestFacts,
  requests: readonly ImdsRequest[],
  seconds: number,
): CheckResult {
  return userDataApplies(parseAgents(facts), requests)
    ? checkUserData(facts, requests, seconds)
    : notApplicable(
        'user-data-once',
        'nothing in the image runs user-data (no cloud-init, no EC2 init scripts) and the guest never asked for it',
        seconds,
      );
}

/** The root is only expected to fill a bigger disk when something in the image grows it. */
export function checkRootFillsDiskIfApplies(facts: GuestFacts, seconds: number): CheckResult {
  const { growers } = parseAgents(facts);
  if (growers.length === 0) {
    return notApplicable(
      'root-fills-disk',
      'nothing in the image grows the root (no cloud-init, ec2-grow-root, expand-root, growroot or x-systemd.growfs)',
      seconds,
    );
  }
  const c = checkRootFillsDisk(facts, seconds);
  return { ...c, detail: `${c.detail} (grown by ${growers.join(', ')})` };
}
