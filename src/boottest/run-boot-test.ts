/**
 * `boot-test` as a library call: boots a throw-away overlay of IMAGE in QEMU against a local metadata
 * service, runs the checks, and releases everything (QEMU, its socat relays, the metadata server,
 * ports, the overlay and the temp dir) on success, failure, timeout and abort. The temp dir, with the
 * serial log, is kept when a check failed or `keep` is set.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CommandRunner } from '../api/index.js';
import type { CheckResult } from './checks.js';
import { runGuestSession, type GuestChecks, type SessionResult } from './guest-session.js';
import { readImageFacts } from './image-facts.js';
import { metadataTree, type InstanceIdentity } from './imds-data.js';
import { startImdsServer, type ImdsServer } from './imds-server.js';
import { USER_DATA } from './guest-probe.js';
import { createOverlay, detectAccel, freePort, prepareUefi, startQemu, type QemuProcess } from './qemu.js';
import { ec2Uuid, GUEST_NET, qemuArgv, type Accel, type Firmware, type GuestArch } from './qemu-argv.js';
import { passed, type BootTestReport } from './report.js';
import { generateKey } from './ssh.js';

export interface BootTestOptions {
  readonly image: string;
  readonly runner: CommandRunner;
  readonly firmware?: Firmware;
  readonly arch?: GuestArch;
  /** Seconds for the whole boot and every check (default 300). */
  readonly timeoutSeconds?: number;
  /** The user SSH logs in as (default root). */
  readonly user?: string;
  /** v2: the metadata service rejects requests without a token, and the check requires tokens. */
  readonly imds?: 'v1' | 'v2';
  /** The image claims IMDSv2 support (e.g. the manifest registers it with ImdsSupport v2.0). */
  readonly imageClaimsImdsV2?: boolean;
  /** true: SSH must work; false: console checks only; undefined: SSH if the guest fetched the key. */
  readonly expectSsh?: boolean;
  /** Keep the temp dir even when every check passed. */
  readonly keep?: boolean;
  /** Skip detection and use this accelerator. */
  readonly accel?: Accel;
  readonly signal?: AbortSignal;
  readonly onCheck?: (c: CheckResult) => void;
  readonly onStatus?: (message: string) => void;
  /** Told the QEMU PID and temp dir as soon as they exist, for a last-resort cleanup on a second Ctrl-C. */
  readonly onResources?: (r: { pid?: number; dir: string }) => void;
  /** Caller's checks, run in the guest after the built-in SSH checks; their results join the report. */
  readonly guestChecks?: GuestChecks;
  /**
   * An existing private key (its public half at KEY.pub) instead of a fresh one, for images that already
   * authorize it (e.g. admin_user's pubkey) rather than fetching it from the metadata service.
   */
  readonly sshKey?: string;
}

export const DEFAULT_TIMEOUT_SECONDS = 300;

export async function runBootTest(o: BootTestOptions): Promise<BootTestReport> {
  const began = Date.now();
  const image = resolve(o.image);
  const firmware = o.firmware ?? 'bios';
  const arch = o.arch ?? 'amd64';
  const imds = o.imds ?? 'v1';
  const user = o.user ?? 'root';
  const dir = await mkdtemp(join(tmpdir(), 'boot-test-'));
  o.onResources?.({ dir });
  let server: ImdsServer | undefined;
  let qemu: QemuProcess | undefined;
  let accel: Accel = o.accel ?? 'tcg';
  let session: SessionResult = { checks: [], timeToLoginPrompt: null, timeToSsh: null };
  let ok = false;
  let finished = false;
  try {
    const key = o.sshKey
      ? { privateKey: resolve(o.sshKey), publicKey: `${resolve(o.sshKey)}.pub` }
      : await generateKey(o.runner, dir);
    const overlay = await createOverlay(o.runner, image, dir);
    const imageFacts = await readImageFacts(o.runner, image, overlay.backingFormat);
    const identity: InstanceIdentity = {
      instanceId: 'i-0b00715e57000000a',
      imageId: 'ami-0b00715e57000000a',
      instanceType: 't3.micro',
      region: 'us-east-1',
      availabilityZone: 'us-east-1a',
      mac: '52:54:00:b0:07:01',
      localIpv4: GUEST_NET.dhcpStart,
      architecture: arch === 'arm64' ? 'arm64' : 'x86_64',
      publicKey: await readFile(key.publicKey, 'utf8'),
      userData: USER_DATA,
    };
    server = await startImdsServer({ tree: metadataTree(identity), requireV2: imds === 'v2' });
    accel = o.accel ?? (await detectAccel(arch));
    const uefi = firmware === 'uefi' ? await prepareUefi(arch, dir) : undefined;
    const sshPort = await freePort();
    const argv = qemuArgv({
      arch,
      accel,
      firmware,
      overlay: overlay.path,
      ...(uefi ? { uefiCode: uefi.code, uefiVars: uefi.vars } : {}),
      sshPort,
      imdsPort: server.port,
      mac: identity.mac,
      smbiosUuid: ec2Uuid(randomUUID()),
    });
    o.onStatus?.(`booting ${image} (${firmware}, ${accel}), serial log ${join(dir, 'serial.log')}`);
    const startedAt = Date.now();
    qemu = startQemu(argv, join(dir, 'serial.log'));
    if (qemu.pid !== undefined) o.onResources?.({ pid: qemu.pid, dir });
    session = await runGuestSession({
      runner: o.runner,
      console: qemu.console,
      requests: server.requests,
      ssh: { user, port: sshPort, key: key.privateKey },
      image: imageFacts,
      startedAt,
      deadline: startedAt + (o.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      expectSsh: o.expectSsh,
      expectImdsV2: imds === 'v2' || Boolean(o.imageClaimsImdsV2),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onCheck ? { onCheck: o.onCheck } : {}),
      ...(o.guestChecks ? { guestChecks: o.guestChecks } : {}),
    });
    if (o.signal?.aborted)
      throw o.signal.reason instanceof Error ? o.signal.reason : new Error('interrupted');
    const qemuError = qemu.stderr().trim();
    if (session.checks[0]?.status === 'fail' && qemuError) {
      session.checks.push({
        name: 'qemu',
        status: 'fail',
        seconds: 0,
        detail: qemuError.split('\n').slice(-3).join(' | '),
      });
    }
    ok = passed(session.checks);
    finished = true;
  } finally {
    await qemu?.stop();
    await server?.close();
    // Kept: everything with --keep; the serial log of a failed run. An aborted or crashed run leaves nothing.
    if (!o.keep && (ok || !finished)) await rm(dir, { recursive: true, force: true });
    else if (!o.keep) await rm(join(dir, 'overlay.qcow2'), { force: true });
  }
  const kept = !ok || Boolean(o.keep);
  return {
    image,
    firmware,
    accel,
    seconds: Math.round((Date.now() - began) / 100) / 10,
    timeToLoginPrompt: session.timeToLoginPrompt,
    timeToSsh: session.timeToSsh,
    user,
    imds,
    checks: session.checks,
    imdsRequests: server ? [...server.requests] : [],
    ...(kept ? { serialLog: join(dir, 'serial.log'), workDir: dir } : {}),
    ok,
  };
}
