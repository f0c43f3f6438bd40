/**
 * The files the EC2 guest tasks write into the image, as plain data (path, mode, content) so unit tests
 * can render them, run the scripts on the host against a local metadata service, and grep them for
 * build-time device names.
 */
import { renderGuestTemplate } from './render.js';

/** The default user of the init scripts, as on Debian's official AMIs (cloud-init's `admin` there). */
export const DEFAULT_USER = 'admin';
export const LIB_DIR = '/usr/local/lib/ec2-init';
export const STATE_DIR = '/var/lib/ec2-init';
/** The Amazon Time Sync Service: IPv4 link-local everywhere, IPv6 on Nitro instances. */
export const TIME_SERVERS = ['169.254.169.123', 'fd00:ec2::123'];
/** EC2's enhanced networking drivers, in-tree in Debian's kernels (CONFIG_ENA_ETHERNET, CONFIG_IXGBEVF). */
export const NIC_MODULES = ['ena', 'ixgbevf'];

export interface GuestFile {
  readonly path: string;
  readonly mode: number;
  readonly content: string;
}

/** How the scripts talk to the metadata service. Overridable with EC2_IMDS_* in the environment. */
export const IMDS_DEFAULTS = {
  imdsUrl: 'http://169.254.169.254',
  /** 20 attempts with backoff 1, 2, 4, 8, then 10 s: about 2.5 minutes before giving up. */
  attempts: 20,
  maxDelay: 10,
  /** Seconds per request; a slower answer counts as a failed attempt. */
  timeout: 5,
  tokenTtl: 21600,
} as const;

export interface InitScriptUnit {
  readonly name: string;
  readonly description: string;
  readonly script: string;
  readonly network: boolean;
}

export const INIT_SCRIPT_UNITS: readonly InitScriptUnit[] = [
  {
    name: 'ec2-ssh-key.service',
    description: "Install the instance's SSH key from the EC2 metadata service",
    script: 'fetch-ssh-key',
    network: true,
  },
  {
    name: 'ec2-user-data.service',
    description: "Save the instance's EC2 user-data and run it once if it is a script",
    script: 'run-user-data',
    network: true,
  },
];

export const GROW_ROOT_UNIT: InitScriptUnit = {
  name: 'ec2-grow-root.service',
  description: 'Grow the root partition and filesystem to the disk',
  script: 'grow-root',
  network: false,
};

function unitFile(unit: InitScriptUnit): GuestFile {
  return {
    path: `/etc/systemd/system/${unit.name}`,
    mode: 0o644,
    content: renderGuestTemplate('unit.service.njk', {
      description: unit.description,
      exec: `${LIB_DIR}/${unit.script}`,
      network: unit.network,
      before: [],
    }),
  };
}

const vars = { ...IMDS_DEFAULTS, libDir: LIB_DIR, stateDir: STATE_DIR, user: DEFAULT_USER };

/** The metadata library, the key and user-data scripts and their units. */
export function initScriptFiles(): GuestFile[] {
  return [
    { path: `${LIB_DIR}/imds.sh`, mode: 0o644, content: renderGuestTemplate('imds.sh.njk', vars) },
    ...INIT_SCRIPT_UNITS.flatMap((u) => [
      { path: `${LIB_DIR}/${u.script}`, mode: 0o755, content: renderGuestTemplate(`${u.script}.njk`, vars) },
      unitFile(u),
    ]),
    {
      path: `/etc/sudoers.d/90-ec2-${DEFAULT_USER}`,
      mode: 0o440,
      content: renderGuestTemplate('sudoers.njk', { user: DEFAULT_USER }),
    },
  ];
}

export function growRootFiles(): GuestFile[] {
  return [
    {
      path: `${LIB_DIR}/${GROW_ROOT_UNIT.script}`,
      mode: 0o755,
      content: renderGuestTemplate('grow-root.njk', {}),
    },
    unitFile(GROW_ROOT_UNIT),
  ];
}

export function timeSyncFile(): GuestFile {
  return {
    path: '/etc/systemd/timesyncd.conf.d/50-ec2-time-sync.conf',
    mode: 0o644,
    content: renderGuestTemplate('timesyncd.conf.njk', { servers: TIME_SERVERS }),
  };
}

/** /etc/initramfs-tools/modules with `modules` appended once each (comments and order kept). */
export function withInitramfsModules(existing: string, modules: readonly string[]): string {
  const have = new Set(existing.split('\n').map((l) => l.trim()));
  const add = modules.filter((m) => !have.has(m));
  if (add.length === 0) return existing;
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  return `${existing}${sep}# EC2 enhanced networking (added by the image bootstrapper)\n${add.join('\n')}\n`;
}
