/**
 * Checks of an EC2 image's guest side, run over the boot test's SSH login through the `guestChecks`
 * hook: enhanced networking drivers available and in the initramfs, time sync on the Amazon Time Sync
 * Service, the NVMe udev rules, the serial console, and (init scripts) what the scripts logged. The
 * verdicts are pure functions of the command outputs, unit tested from recorded outputs.
 */
import type { CheckResult } from './checks.js';
import type { GuestChecks, GuestShell } from './guest-session.js';
import type { ImdsFaults, ImdsRequest } from './imds-server.js';

export const TIME_SYNC_ADDRESS = '169.254.169.123';
/**
 * The enhanced networking drivers an instance of the architecture can meet: ENA, and on x86 also the
 * Intel 82599 VF (ixgbevf, older instance types). Graviton instances have ENA only.
 */
export function nicModules(arch: 'amd64' | 'arm64' = 'amd64'): readonly string[] {
  return arch === 'arm64' ? ['ena'] : ['ena', 'ixgbevf'];
}

const result = (name: string, ok: boolean, detail: string): CheckResult => ({
  name,
  status: ok ? 'pass' : 'fail',
  seconds: 0,
  detail,
});

/** modinfo found each module, modprobe loaded it (lsmod), and the initramfs holds it. */
export function judgeNicDrivers(
  modinfo: string,
  lsmod: string,
  initramfs: string,
  modules: readonly string[] = nicModules(),
): CheckResult {
  const problems: string[] = [];
  for (const m of modules) {
    if (!new RegExp(`/${m}\\.ko(\\.[a-z]+)?$`, 'm').test(modinfo)) problems.push(`modinfo: no ${m}`);
    if (!new RegExp(`^${m}\\s`, 'm').test(lsmod)) problems.push(`${m} not loaded after modprobe`);
    if (!new RegExp(`/${m}\\.ko(\\.[a-z]+)?$`, 'm').test(initramfs))
      problems.push(`${m} not in the initramfs`);
  }
  return problems.length === 0
    ? result(
        'nic-drivers',
        true,
        `${modules.join(' and ')}: modinfo finds ${modules.length > 1 ? 'them' : 'it'}, modprobe loads ${modules.length > 1 ? 'them' : 'it'}, in the initramfs`,
      )
    : result('nic-drivers', false, problems.join('; '));
}

/** timesyncd is enabled and its configured servers include the Amazon Time Sync Service. */
export function judgeTimeSync(servers: string, enabled: string): CheckResult {
  const list = servers.trim().split(/\s+/).filter(Boolean);
  const ok = list.includes(TIME_SYNC_ADDRESS) && enabled.trim() === 'enabled';
  return result(
    'time-sync',
    ok,
    `systemd-timesyncd ${enabled.trim() || 'not installed'}, NTP servers: ${list.join(' ') || 'none'}`,
  );
}

export function judgeNvmeRules(listing: string): CheckResult {
  const ok = /70-ec2-nvme-devices\.rules/.test(listing) && /ebsnvme-id/.test(listing);
  return result(
    'nvme-udev-rules',
    ok,
    ok ? 'amazon-ec2-utils rules and ebsnvme-id present' : `missing: ${listing.trim()}`,
  );
}

/**
 * console=ttyS0 (EC2's serial console, x86 and Graviton alike) on the kernel command line, and a
 * getty on the serial port the machine has: ttyS0, or ttyAMA0 on QEMU's arm64 virt machine (PL011).
 */
export function judgeSerialConsole(cmdline: string, getty: string, tty = 'ttyS0'): CheckResult {
  const ok = /(^|\s)console=ttyS0\b/.test(cmdline) && getty.trim() === 'active';
  return result(
    'serial-console',
    ok,
    `console=ttyS0 ${/console=ttyS0/.test(cmdline) ? 'on' : 'not on'} the command line, serial-getty@${tty} ${getty.trim()}`,
  );
}

/** What the init scripts must have logged on this boot (journal, SyslogIdentifier ec2-init). */
export function judgeInitScriptLog(journal: string, expected: readonly RegExp[]): CheckResult {
  const missing = expected.filter((p) => !p.test(journal));
  return missing.length === 0
    ? result('init-scripts-log', true, journal.trim().split('\n').slice(-4).join(' | '))
    : result(
        'init-scripts-log',
        false,
        `not in the journal: ${missing.map(String).join(', ')}; got: ${journal.trim().split('\n').slice(-6).join(' | ')}`,
      );
}

async function out(guest: GuestShell, command: string): Promise<string> {
  return (await guest.ssh(command, { timeoutMs: 60_000 })).stdout;
}

export interface Ec2CheckOptions {
  /** Patterns the init scripts' journal must show on this boot; none: the log is not checked. */
  readonly initScriptLog?: readonly RegExp[];
  /** More checks of this boot (e.g. user-data saved and not run). */
  readonly extra?: GuestChecks;
  /** arm64: ENA only, and the serial getty on QEMU virt's ttyAMA0. Default amd64. */
  readonly arch?: 'amd64' | 'arm64';
}

/** The EC2 guest checks, for `runBootTest({ guestChecks })`. The user has passwordless sudo or is root. */
export function ec2GuestChecks(o: Ec2CheckOptions = {}): GuestChecks {
  return async (guest) => {
    const modules = nicModules(o.arch);
    const tty = o.arch === 'arm64' ? 'ttyAMA0' : 'ttyS0';
    const modinfo = await out(guest, `for m in ${modules.join(' ')}; do /sbin/modinfo -n $m; done`);
    const lsmod = await out(guest, `sudo -n /sbin/modprobe -a ${modules.join(' ')}; /sbin/lsmod`);
    const initramfs = await out(guest, 'sudo -n lsinitramfs /boot/initrd.img-$(uname -r)');
    const servers = await out(guest, 'timedatectl show-timesync --property=SystemNTPServers --value');
    const enabled = await out(guest, 'systemctl is-enabled systemd-timesyncd');
    const rules = await out(
      guest,
      // ebsnvme-id is in /usr/sbin, not on an unprivileged user's PATH.
      'ls /usr/lib/udev/rules.d/70-ec2-nvme-devices.rules /usr/sbin/ebsnvme-id',
    );
    const cmdline = await out(guest, 'cat /proc/cmdline');
    const getty = await out(guest, `systemctl is-active serial-getty@${tty}.service`);
    const checks = [
      judgeNicDrivers(modinfo, lsmod, initramfs, modules),
      judgeTimeSync(servers, enabled),
      judgeNvmeRules(rules),
      judgeSerialConsole(cmdline, getty, tty),
    ];
    if (o.initScriptLog) {
      const journal = await out(guest, 'sudo -n journalctl -b -t ec2-init -o cat --no-pager');
      checks.push(judgeInitScriptLog(journal, o.initScriptLog));
    }
    if (o.extra) checks.push(...(await o.extra(guest)));
    // The judges are pure; the time of the verdict is when the last command came back.
    const seconds = Math.round((guest.elapsed?.() ?? 0) * 10) / 10;
    return checks.map((c) => (c.seconds === 0 ? { ...c, seconds } : c));
  };
}

/**
 * The metadata service misbehaved as asked (every fault was served) and the guest still got its key
 * afterwards: the init scripts or cloud-init retried through 5xx and slow answers.
 */
export function judgeImdsFaults(requests: readonly ImdsRequest[], faults: ImdsFaults): CheckResult {
  const failed = requests.filter((r) => r.status === (faults.failStatus ?? 503) && !r.slow).length;
  const slow = requests.filter((r) => r.slow).length;
  // Requests are logged when answered, so a held-back (slow) answer can be logged after a parallel
  // script already fetched the key: what must precede the key is the last error answer. The slow
  // answers only have to have been served (the guest's per-request timeout moved on without them).
  const lastFault = Math.max(
    -1,
    ...requests.map((r, i) => (!r.slow && i < (faults.failFirst ?? 0) ? i : -1)),
  );
  const keyAfter = requests
    .slice(lastFault + 1)
    .some((r) => r.path.endsWith('/openssh-key') && r.status === 200);
  const ok = failed >= (faults.failFirst ?? 0) && slow >= (faults.slowFirst ?? 0) && keyAfter;
  return result(
    'imds-faults-survived',
    ok,
    `${failed} answers ${faults.failStatus ?? 503} and ${slow} slow answers first; ` +
      (keyAfter ? 'the key was fetched after them' : 'the key was never fetched after them'),
  );
}

/** Init scripts: the user-data of this boot was saved as sent and, not being a script, not run. */
export function savedUserDataChecks(
  expected: string,
  trace: string,
  savedPath = '/var/lib/ec2-init/user-data',
): GuestChecks {
  return async (guest) => {
    // The runner trims command output, so the comparison ignores surrounding whitespace.
    const saved = (await guest.ssh(`sudo -n cat ${savedPath}`)).stdout.trim();
    const ran = (await guest.ssh(`test -e ${trace} && echo yes || echo no`)).stdout.trim();
    return [
      result(
        'user-data-saved-not-run',
        saved === expected.trim() && ran === 'no',
        saved !== expected.trim()
          ? `${savedPath} is not the user-data sent (${JSON.stringify(saved.slice(0, 80))})`
          : ran === 'no'
            ? `saved to ${savedPath}, not run (${trace} absent)`
            : `it ran: ${trace} exists`,
      ),
    ];
  };
}

/** What the init scripts log on a first boot with the boot test's user-data script. */
export const FIRST_BOOT_LOG = [/SSH keys for admin: \d+ added/, /running user-data on instance i-/];

/** The guest checks a manifest's EC2 image gets by default (`bootstrap boot-test --manifest`, boot_test). */
export function ec2ChecksFor(ec2: { readonly initScripts: boolean } | undefined): GuestChecks | undefined {
  if (!ec2) return undefined;
  return ec2GuestChecks(ec2.initScripts ? { initScriptLog: FIRST_BOOT_LOG } : {});
}
