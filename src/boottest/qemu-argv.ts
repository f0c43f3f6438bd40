/**
 * The QEMU command line of a boot test, built as an argv array from plain values so it can be unit
 * tested. User networking keeps all guest traffic inside QEMU and on loopback: SSH comes in through a
 * hostfwd on 127.0.0.1, and 169.254.169.254:80 is relayed to the local metadata service by one socat
 * per connection (`guestfwd=...-cmd:`; a `tcp:` chardev would be one shared connection and break HTTP).
 */
export type Firmware = 'bios' | 'uefi';
export type Accel = 'kvm' | 'tcg';
export type GuestArch = 'amd64' | 'arm64';

export interface QemuConfig {
  readonly arch: GuestArch;
  readonly accel: Accel;
  readonly firmware: Firmware;
  /** The disk the guest writes to: the throw-away qcow2 overlay, or the image itself (`persistent`). */
  readonly overlay: string;
  /** The disk's format (default qcow2: the overlay); raw for a raw image booted with `persistent`. */
  readonly diskFormat?: 'qcow2' | 'raw';
  /**
   * The guest writes to a disk that is kept (`bootstrap run --persist`): QEMU flushes it as the guest
   * asks (cache=writeback) instead of the overlay's cache=unsafe, which may lose writes on a crash.
   */
  readonly persistent?: boolean;
  /** A reboot in the guest restarts it (interactive use); by default QEMU exits (-no-reboot). */
  readonly allowReboot?: boolean;
  /** UEFI only: read-only firmware code and this run's writable copy of the variable store. */
  readonly uefiCode?: string;
  readonly uefiVars?: string;
  readonly sshPort: number;
  readonly imdsPort: number;
  readonly mac: string;
  /** Equal SMBIOS serial and UUID starting with `ec2` make cloud-init's ds-identify pick Ec2. */
  readonly smbiosUuid: string;
  readonly memoryMiB?: number;
  readonly cpus?: number;
  /**
   * systemd system credentials, name to value, passed as SMBIOS type 11 strings
   * (`io.systemd.credential.binary:NAME=BASE64`): systemd 254 and later imports them at boot, and its
   * tmpfiles provision.conf writes `ssh.authorized_keys.root` to /root/.ssh/authorized_keys. The way in
   * that needs nothing in the image.
   */
  readonly credentials?: Readonly<Record<string, string>>;
  /**
   * UEFI with Secure Boot: the firmware's SMM must be protected (q35 with smm=on and a secure pflash),
   * or OVMF's Secure Boot build refuses to start. uefiCode/uefiVars are then the secboot code and a
   * variable store with Microsoft's keys enrolled.
   */
  readonly secureBoot?: boolean;
  /** swtpm's control socket: the guest gets a TPM 2.0 on it (tpm-tis). */
  readonly tpmSocket?: string;
}

export const GUEST_NET = {
  net: '169.254.0.0/16',
  host: '169.254.0.1',
  dhcpStart: '169.254.0.15',
  metadata: '169.254.169.254',
} as const;

export function qemuBinary(arch: GuestArch): string {
  return arch === 'arm64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
}

/** An EC2-style SMBIOS UUID: `ec2` followed by the rest of a random UUID (still a valid UUID). */
export function ec2Uuid(random: string): string {
  return 'ec2' + random.toLowerCase().slice(3);
}

export function qemuArgv(c: QemuConfig): string[] {
  const argv = [qemuBinary(c.arch)];
  if (c.secureBoot && (c.arch !== 'amd64' || c.firmware !== 'uefi'))
    throw new Error('Secure Boot is for amd64 guests booted with UEFI');
  if (c.arch === 'arm64') argv.push('-machine', `virt,accel=${c.accel}`);
  else argv.push('-machine', `q35,accel=${c.accel}${c.secureBoot ? ',smm=on' : ''}`);
  argv.push(
    '-cpu',
    cpuModel(c),
    '-m',
    String(c.memoryMiB ?? 1024),
    '-smp',
    String(c.cpus ?? 2),
    // No display, no monitor: the serial console is the process's stdout, which the test reads.
    '-display',
    'none',
    '-monitor',
    'none',
    '-serial',
    'stdio',
    ...(c.allowReboot ? [] : ['-no-reboot']),
    '-smbios',
    `type=1,manufacturer=Amazon EC2,product=boot-test,serial=${c.smbiosUuid},uuid=${c.smbiosUuid}`,
    '-drive',
    `file=${c.overlay},format=${c.diskFormat ?? 'qcow2'},if=virtio,cache=${c.persistent ? 'writeback' : 'unsafe'},discard=unmap`,
    '-netdev',
    netdev(c),
    '-device',
    `virtio-net-pci,netdev=n0,mac=${c.mac}`,
    '-device',
    'virtio-rng-pci',
  );
  if (c.firmware === 'uefi') {
    if (!c.uefiCode || !c.uefiVars) throw new Error('UEFI boot needs firmware code and a variable store');
    argv.push(
      '-drive',
      `if=pflash,format=raw,unit=0,readonly=on,file=${c.uefiCode}`,
      '-drive',
      `if=pflash,format=raw,unit=1,file=${c.uefiVars}`,
    );
    if (c.secureBoot) argv.push('-global', 'driver=cfi.pflash01,property=secure,value=on');
  }
  for (const [name, value] of Object.entries(c.credentials ?? {})) {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`credential name "${name}": letters, digits, . _ - only`);
    // Base64 has no comma, the one character QEMU's option syntax would need doubled.
    const b64 = Buffer.from(value, 'utf8').toString('base64');
    argv.push('-smbios', `type=11,value=io.systemd.credential.binary:${name}=${b64}`);
  }
  if (c.tpmSocket) {
    if (c.tpmSocket.includes(',')) throw new Error(`TPM socket path "${c.tpmSocket}" has a comma`);
    argv.push(
      '-chardev',
      `socket,id=chrtpm,path=${c.tpmSocket}`,
      '-tpmdev',
      'emulator,id=tpm0,chardev=chrtpm',
      '-device',
      `${c.arch === 'arm64' ? 'tpm-tis-device' : 'tpm-tis'},tpmdev=tpm0`,
    );
  }
  return argv;
}

/**
 * `host` with KVM; under TCG the emulated `max` CPU. For arm64, `max` implements pointer
 * authentication with the architected QARMA algorithm, which TCG computes in software on every
 * function entry and return; `pauth-impdef=on` swaps it for QEMU's cheap implementation-defined one
 * (the guest cannot tell, QEMU's docs recommend it for speed).
 */
export function cpuModel(c: Pick<QemuConfig, 'arch' | 'accel'>): string {
  if (c.accel === 'kvm') return 'host';
  return c.arch === 'arm64' ? 'max,pauth-impdef=on' : 'max';
}

function netdev(c: QemuConfig): string {
  return [
    'user',
    'id=n0',
    `net=${GUEST_NET.net}`,
    `host=${GUEST_NET.host}`,
    `dhcpstart=${GUEST_NET.dhcpStart}`,
    `hostfwd=tcp:127.0.0.1:${c.sshPort}-:22`,
    `guestfwd=tcp:${GUEST_NET.metadata}:80-cmd:socat - TCP:127.0.0.1:${c.imdsPort}`,
  ].join(',');
}
