/**
 * Everything a guest needs before QEMU starts, shared by the boot test (`run-boot-test.ts`) and
 * `bootstrap run` (`run-guest.ts`): this run's SSH key (or the caller's), the disk (a throw-away
 * overlay, or the image itself when `persist`), the local metadata service serving the fake instance,
 * the accelerator, the UEFI variable store, swtpm, the SSH port and the QEMU command line. The key
 * also goes in as the systemd credential `ssh.authorized_keys.root`, the way in that needs nothing in
 * the image. `release()` stops swtpm and the metadata service; the caller stops QEMU first.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandRunner } from '../api/index.js';
import { fakeInstance, metadataTree, type InstanceIdentity } from './imds-data.js';
import { startImdsServer, type ImdsFaults, type ImdsServer } from './imds-server.js';
import {
  createOverlay,
  detectAccel,
  freePort,
  imageFormat,
  prepareUefi,
  startSwtpm,
  type SwtpmProcess,
} from './qemu.js';
import { ec2Uuid, qemuArgv, type Accel, type Firmware, type GuestArch } from './qemu-argv.js';
import { generateKey, type SshKey } from './ssh.js';

export interface GuestOptions {
  readonly image: string;
  readonly runner: CommandRunner;
  /** The run's own directory (key, overlay, variable store, TPM state); the caller removes it. */
  readonly dir: string;
  readonly arch: GuestArch;
  readonly firmware: Firmware;
  readonly secureBoot?: boolean;
  readonly tpm?: boolean;
  /** Skip detection and use this accelerator. */
  readonly accel?: Accel;
  /** An existing private key (public half at KEY.pub) instead of a fresh one in `dir`. */
  readonly sshKey?: string;
  /** The instance's user-data; none when undefined. */
  readonly userData?: string | Buffer;
  /** v2: the metadata service rejects requests without a token. */
  readonly imds?: 'v1' | 'v2';
  readonly imdsFaults?: ImdsFaults;
  /** Boot the image itself, not an overlay: what the guest writes stays in the image. */
  readonly persist?: boolean;
  readonly memoryMiB?: number;
  readonly cpus?: number;
  /** A reboot in the guest restarts it instead of ending QEMU. */
  readonly allowReboot?: boolean;
  /** Told swtpm's PID as soon as it runs. */
  readonly onSwtpm?: (pid: number) => void;
}

export interface PreparedGuest {
  readonly key: SshKey;
  /** What QEMU boots: the overlay, or the image itself with `persist`. */
  readonly disk: string;
  /** The image's own format (the overlay's backing format). */
  readonly imageFormat: 'raw' | 'qcow2';
  readonly identity: InstanceIdentity;
  readonly server: ImdsServer;
  readonly accel: Accel;
  readonly sshPort: number;
  readonly swtpm: SwtpmProcess | undefined;
  readonly argv: string[];
  /** Stops swtpm and closes the metadata service. Safe to call twice. */
  release(): Promise<void>;
}

export async function prepareGuest(o: GuestOptions): Promise<PreparedGuest> {
  const image = resolve(o.image);
  const key = o.sshKey
    ? { privateKey: resolve(o.sshKey), publicKey: `${resolve(o.sshKey)}.pub` }
    : await generateKey(o.runner, o.dir);
  const disk = o.persist
    ? { path: image, backingFormat: (await imageFormat(o.runner, image)).format }
    : await createOverlay(o.runner, image, o.dir);
  const identity = fakeInstance(o.arch, await readFile(key.publicKey, 'utf8'), o.userData);
  const server = await startImdsServer({
    tree: metadataTree(identity),
    requireV2: o.imds === 'v2',
    ...(o.imdsFaults ? { faults: o.imdsFaults } : {}),
  });
  let swtpm: SwtpmProcess | undefined;
  let released: Promise<void> | undefined;
  const release = () =>
    (released ??= (async () => {
      await swtpm?.stop();
      await server.close();
    })());
  try {
    const accel = o.accel ?? (await detectAccel(o.arch));
    const uefi = o.firmware === 'uefi' ? await prepareUefi(o.arch, o.dir, o.secureBoot) : undefined;
    if (o.tpm) {
      swtpm = await startSwtpm(o.dir);
      if (swtpm.pid !== undefined) o.onSwtpm?.(swtpm.pid);
    }
    const sshPort = await freePort();
    const argv = qemuArgv({
      arch: o.arch,
      accel,
      firmware: o.firmware,
      overlay: disk.path,
      ...(o.persist ? { diskFormat: disk.backingFormat, persistent: true } : {}),
      ...(uefi ? { uefiCode: uefi.code, uefiVars: uefi.vars } : {}),
      sshPort,
      imdsPort: server.port,
      mac: identity.mac,
      smbiosUuid: ec2Uuid(randomUUID()),
      // The way in that needs nothing in the image: systemd 254+ provisions root's key from it.
      credentials: { 'ssh.authorized_keys.root': identity.publicKey.trim() + '\n' },
      ...(o.secureBoot ? { secureBoot: true } : {}),
      ...(swtpm ? { tpmSocket: swtpm.socket } : {}),
      ...(o.memoryMiB !== undefined ? { memoryMiB: o.memoryMiB } : {}),
      ...(o.cpus !== undefined ? { cpus: o.cpus } : {}),
      ...(o.allowReboot ? { allowReboot: true } : {}),
    });
    return {
      key,
      disk: disk.path,
      imageFormat: disk.backingFormat,
      identity,
      server,
      accel,
      sshPort,
      swtpm,
      argv,
      release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}
