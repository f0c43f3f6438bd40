/**
 * The manifest as tasks see it: bootstrap-vz's sections, validated, after `extends` and `--set`.
 * Keys keep bootstrap-vz's spelling (including its dashes) so its manifests load unchanged; keys this
 * project adds are marked "added" and are optional.
 */
import type { Backing } from './backing.js';

export type Architecture = 'i386' | 'amd64' | 'arm64';
export type Bootloader = 'pvgrub' | 'grub' | 'extlinux' | 'none';
/** Added: which firmware the image boots with. `hybrid` installs grub for BIOS and UEFI. */
export type BootMode = 'bios' | 'uefi' | 'hybrid';
export type Filesystem = 'ext2' | 'ext3' | 'ext4' | 'xfs' | 'btrfs';

export interface PartitionSpec {
  readonly filesystem: Filesystem;
  /** bootstrap-vz size syntax: `8GiB`, `512MiB`, `1024KiB`, `100B`. */
  readonly size: string;
  readonly format_command?: readonly string[];
  readonly mountopts?: readonly string[];
  readonly mode?: string;
}

export interface SwapSpec {
  readonly size: string;
}

export interface PartitionsSpec {
  readonly type: 'none' | 'msdos' | 'gpt';
  readonly root: PartitionSpec;
  readonly boot?: PartitionSpec;
  readonly swap?: SwapSpec;
  /** gpt only: named extra partitions (bootstrap-vz), e.g. `var: {filesystem, size, ...}`. */
  readonly [extra: string]: unknown;
}

export interface ManifestData {
  readonly name: string;
  readonly provider: { readonly name: string; readonly [key: string]: unknown };
  readonly bootstrapper: {
    readonly workspace: string;
    readonly tarball?: boolean;
    readonly mirror?: string;
    readonly include_packages?: readonly string[];
    readonly exclude_packages?: readonly string[];
    readonly variant?: string;
    readonly keyring?: string;
    readonly 'no-check-gpg'?: boolean;
    readonly 'force-check-gpg'?: boolean;
    /** Added: which bootstrapper runs (default mmdebstrap). */
    readonly tool?: 'mmdebstrap' | 'debootstrap';
    readonly [key: string]: unknown;
  };
  readonly system: {
    readonly release: string;
    readonly architecture: Architecture;
    readonly userspace_architecture?: string;
    readonly bootloader: Bootloader;
    readonly timezone: string;
    readonly locale: string;
    readonly charmap: string;
    readonly hostname?: string;
    /** Added: firmware the image boots with (default bios). */
    readonly boot_mode?: BootMode;
  };
  readonly volume: {
    /** One of the provider's `backings` (its manifest schema allows no other). */
    readonly backing: Backing;
    readonly partitions: PartitionsSpec;
    readonly [key: string]: unknown;
  };
  readonly packages?: {
    readonly mirror?: string;
    readonly security?: string;
    readonly components?: readonly string[];
    readonly install?: readonly string[];
    readonly install_standard?: boolean;
    readonly sources?: Readonly<Record<string, readonly string[]>>;
    readonly preferences?: Readonly<Record<string, readonly Readonly<Record<string, unknown>>[]>>;
    readonly 'apt.conf.d'?: Readonly<Record<string, string>>;
    readonly 'trusted-keys'?: readonly string[];
    readonly 'include-source-type'?: boolean;
    readonly [key: string]: unknown;
  };
  readonly plugins?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly tags?: Readonly<Record<string, string>>;
}

/** One Debian release, from the data table (data/releases.yml), never from code. */
export interface ReleaseInfo {
  readonly codename: string;
  /** Numeric version for comparisons ("12", "11", "3.1"); sid sorts above all. */
  readonly version: string;
  /** What the manifest said: a codename or an alias such as `stable`. */
  readonly requested: string;
  /** The suite name to pass to the bootstrapper and apt (the codename). */
  readonly suite: string;
}

export interface Manifest {
  /** Absolute path of the manifest file that was loaded. */
  readonly file: string;
  readonly data: ManifestData;
  readonly release: ReleaseInfo;
  /** Settings of an enabled plugin, or undefined when the manifest does not enable it. */
  pluginSettings<T = Readonly<Record<string, unknown>>>(name: string): T | undefined;
  isPluginEnabled(name: string): boolean;
  /**
   * Expands bootstrap-vz's manifest variables in a string: `{system.release}`, `{provider.name}`,
   * strftime keys such as `{%Y}`, `{apt_mirror}`; `{{` and `}}` are literal braces. The time is fixed
   * once per build so every expansion agrees.
   */
  expand(template: string): string;
}
