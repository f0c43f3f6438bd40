/**
 * What a boot test reads from the running guest, in one SSH session: a fixed shell script that prints
 * sections, parsed here into plain facts that the checks judge (see checks.ts).
 */
export const MARKER_FILE = '/var/lib/boot-test/user-data-runs';

/** The user-data script: counts its own runs, so a second run (a re-applied first boot) is seen. */
export const USER_DATA = [
  '#!/bin/sh',
  '# boot-test: counts how often user-data ran on this instance',
  `mkdir -p ${MARKER_FILE.slice(0, MARKER_FILE.lastIndexOf('/'))}`,
  `n=$(cat ${MARKER_FILE} 2>/dev/null || echo 0)`,
  `echo $((n + 1)) > ${MARKER_FILE}`,
  '',
].join('\n');

const SECTIONS: readonly (readonly [string, string])[] = [
  ['cmdline', 'cat /proc/cmdline'],
  ['fstab', 'cat /etc/fstab'],
  // Every fstab source must resolve: systemd does not complain about a wrong root UUID, findmnt does.
  // (findmnt prints its verdict on stderr; sudo's own warnings must not mix in.)
  ['fstab-verify', "sudo -n sh -c 'findmnt --verify 2>&1' || findmnt --verify 2>&1"],
  ['machine-id', 'cat /etc/machine-id'],
  ['btime', "awk '/^btime/ {print $2}' /proc/stat"],
  ['host-keys', "stat -c '%Y %n' /etc/ssh/ssh_host_*_key"],
  ['host-key-pub', 'cat /etc/ssh/ssh_host_ed25519_key.pub'],
  // What acts on a first boot beyond systemd (decides whether user-data and root growth apply).
  [
    'agents',
    'command -v cloud-init; ls /etc/systemd/system /usr/lib/systemd/system /lib/systemd/system 2>/dev/null | ' +
      "grep -E '^(ec2-[a-z0-9-]+|expand-root)[.]service$' | sort -u; " +
      '[ -e /usr/share/initramfs-tools/scripts/local-bottom/growroot ] && echo growroot; ' +
      "grep -qs 'x-systemd[.]growfs' /etc/fstab && echo x-systemd.growfs",
  ],
  ['user-data-runs', `cat ${MARKER_FILE}`],
  ['cloud-init-status', 'cloud-init status --long'],
  ['root', 'findmnt -bnro SOURCE,SIZE /'],
  ['lsblk', 'lsblk -bnro NAME,SIZE,TYPE,PKNAME'],
  // dmesg is often restricted to root; the image's user has passwordless sudo or is root.
  [
    'kernel-log',
    'sudo -n dmesg || dmesg || sudo -n journalctl -k -b --no-pager || journalctl -k -b --no-pager',
  ],
];

/**
 * The probe script. It first waits for cloud-init to finish (user-data runs in its last stage, after
 * SSH is already up), bounded so an image without cloud-init does not hang.
 */
export function probeScript(waitSeconds: number): string {
  const n = Math.max(1, Math.floor(waitSeconds));
  // boot-finished is written by cloud-init's last module, after the user-data scripts ran.
  const wait =
    `if command -v cloud-init >/dev/null 2>&1; then i=0; while [ ! -e /var/lib/cloud/instance/boot-finished ] && [ $i -lt ${n} ]; ` +
    'do sleep 1; i=$((i + 1)); done; fi';
  const body = SECTIONS.map(([name, cmd]) => `echo '### ${name}'; (${cmd}) 2>/dev/null`);
  return [wait, ...body].join('\n');
}

export type GuestFacts = Readonly<Record<string, string>>;

export function parseProbe(stdout: string): GuestFacts {
  const facts: Record<string, string> = {};
  let current: string | undefined;
  const lines: string[] = [];
  const flush = () => {
    if (current !== undefined) facts[current] = lines.join('\n').trim();
    lines.length = 0;
  };
  for (const line of stdout.split('\n')) {
    const m = /^### ([\w-]+)$/.exec(line);
    if (m) {
      flush();
      current = m[1];
    } else if (current !== undefined) {
      lines.push(line);
    }
  }
  flush();
  return facts;
}
