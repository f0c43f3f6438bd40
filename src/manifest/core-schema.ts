/**
 * The core manifest schema: bootstrap-vz's base/manifest-schema.yml ported key for key, with its
 * meanings kept. Differences, each deliberate:
 * - sections are closed (unknown keys are typos), except where bootstrap-vz allows arbitrary keys:
 *   named gpt partitions, the `plugins` map (closed later to known plugin names), `tags`, and
 *   `provider` (closed by the selected provider's schema);
 * - `system.release` is any string: releases are checked against data/releases.yml, not an enum;
 * - the volume's `oneOf` (plain volume / lvm, no partitions / partition table) is flattened, and the
 *   rules it encoded are semantic checks with clearer messages (semantic-checks.ts);
 * - additions for this project are optional and say so in their `description`.
 * `x-pattern-message` is an annotation this project adds: what a `pattern` means, for error messages.
 */
import { BACKINGS } from '../api/backing.js';
import { SIZE_PATTERN } from '../api/size.js';
import type { JsonSchema } from '../api/plugin.js';
import {
  APT_FILE_NAME_PATTERN,
  CHARMAP_PATTERN,
  HOSTNAME_PATTERN,
  INSTALL_PATTERN,
  LOCALE_PATTERN,
  MOUNTOPTS_PATTERN,
  NAME_MAX,
  NAME_PATTERN,
  PACKAGE_PATTERN,
  PARTITION_NAME_PATTERN,
  TIMEZONE_PATTERN,
} from '../api/value-patterns.js';

export const SCHEMA_BASE = 'https://schemas.debian-image-bootstrap.invalid/';
export const PATTERN_MESSAGE = 'x-pattern-message';

const path = { type: 'string', pattern: '^[^\\0]+$' } as const;
const bytes = {
  type: 'string',
  pattern: SIZE_PATTERN,
  [PATTERN_MESSAGE]: 'must look like 8GiB or 512MiB',
  description: 'A size: a whole number and a unit, B, KiB, MiB, GiB or TiB (KB, MB... mean the same).',
} as const;
const packageNames = {
  type: 'array',
  items: {
    type: 'string',
    pattern: PACKAGE_PATTERN,
    [PATTERN_MESSAGE]: 'must be a Debian package name, optionally name=version or name/release',
  },
  minItems: 1,
} as const;
const uri = { type: 'string', format: 'uri' } as const;

export const partitionSchema = {
  type: 'object',
  properties: {
    filesystem: { enum: ['ext2', 'ext3', 'ext4', 'xfs', 'btrfs'] },
    size: bytes,
    format_command: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      description: 'Replaces mkfs; {fs}, {device_path} and {size} are substituted.',
    },
    mountopts: {
      type: 'array',
      items: {
        type: 'string',
        pattern: MOUNTOPTS_PATTERN,
        [PATTERN_MESSAGE]: 'must be mount options such as noatime or errors=remount-ro, comma-separated',
      },
      minItems: 1,
    },
    mode: {
      type: 'string',
      pattern: '^[0-7]{3,4}$',
      [PATTERN_MESSAGE]: 'must be an octal mode such as 0755',
      description: 'Permissions of the mount point.',
    },
  },
  required: ['size', 'filesystem'],
  additionalProperties: false,
} as const;

const bootstrapper = {
  type: 'object',
  properties: {
    workspace: { ...path, description: 'Directory for the build; each run works in a subdirectory.' },
    tarball: {
      type: 'boolean',
      description: 'Cache the bootstrapped base system as a tarball and reuse it.',
    },
    mirror: uri,
    include_packages: packageNames,
    exclude_packages: packageNames,
    variant: {
      enum: [
        'minbase',
        'buildd',
        '-',
        'default',
        'important',
        'required',
        'standard',
        'essential',
        'apt',
        'custom',
        'extract',
        'debootstrap',
      ],
      description:
        'Package selection of the bootstrapper. bootstrap-vz knew only minbase; the others are what ' +
        'mmdebstrap accepts (default and - mean its default set). debootstrap takes minbase, buildd and default only.',
    },
    keyring: { ...path, description: 'Keyring used to verify the Release file.' },
    'no-check-gpg': { type: 'boolean', description: 'Skip the Release signature check.' },
    'force-check-gpg': { type: 'boolean', description: 'Fail when the Release file cannot be verified.' },
    tool: {
      enum: ['mmdebstrap', 'debootstrap'],
      description: 'Added: the bootstrapper to run (default mmdebstrap, which is several times faster).',
    },
    cache_dir: {
      ...path,
      description:
        'Added: directory for the base-system tarballs and downloaded .deb files that builds reuse (default /var/cache/debian-image-bootstrap).',
    },
    cache: {
      type: 'boolean',
      description:
        'Added: reuse a cached base system and downloaded packages (default true); false always bootstraps and downloads afresh.',
    },
  },
  required: ['workspace'],
  additionalProperties: false,
} as const;

const system = {
  type: 'object',
  properties: {
    release: {
      type: 'string',
      description: 'A Debian codename (bookworm, trixie, sid) or alias (stable, testing...).',
    },
    architecture: { enum: ['i386', 'amd64', 'arm64'] },
    userspace_architecture: { enum: ['i386'], description: 'i386 userspace on an amd64 kernel.' },
    bootloader: { enum: ['pvgrub', 'grub', 'extlinux', 'none'] },
    charmap: {
      type: 'string',
      pattern: CHARMAP_PATTERN,
      [PATTERN_MESSAGE]: 'must be a character map such as UTF-8',
    },
    hostname: {
      type: 'string',
      pattern: HOSTNAME_PATTERN,
      [PATTERN_MESSAGE]:
        'must be a host name (RFC 1123): letters, digits, inner hyphens, dot-separated labels',
    },
    locale: {
      type: 'string',
      pattern: LOCALE_PATTERN,
      [PATTERN_MESSAGE]: 'must be a locale such as en_US, de_DE.UTF-8 or C',
    },
    timezone: {
      type: 'string',
      pattern: TIMEZONE_PATTERN,
      [PATTERN_MESSAGE]: 'must be a time zone name such as UTC or Europe/Berlin',
    },
    boot_mode: {
      enum: ['bios', 'uefi', 'hybrid'],
      description:
        'Added: firmware the image boots with (default bios); hybrid installs grub for both and needs gpt.',
    },
  },
  required: ['release', 'architecture', 'bootloader', 'timezone', 'locale', 'charmap'],
  additionalProperties: false,
} as const;

const packages = {
  type: 'object',
  properties: {
    components: { type: 'array', items: { type: 'string' }, minItems: 1 },
    install: {
      type: 'array',
      items: {
        type: 'string',
        pattern: INSTALL_PATTERN,
        [PATTERN_MESSAGE]:
          'must be a package name, name=version, name/target-release, or the absolute path of a .deb',
      },
      minItems: 1,
    },
    install_standard: {
      type: 'boolean',
      description: 'Install the packages of priority standard (tasksel standard).',
    },
    install_recommends: {
      type: 'boolean',
      description: 'Added: let apt install recommended packages (default false, as bootstrap-vz).',
    },
    backports: {
      type: 'boolean',
      description:
        'Added: add <release>-backports to the apt sources (also added when a package names it as its target).',
    },
    mirror: uri,
    security: uri,
    preferences: {
      type: 'object',
      propertyNames: {
        pattern: APT_FILE_NAME_PATTERN,
        [PATTERN_MESSAGE]: 'is not a file name (letters, digits, . _ -)',
      },
      patternProperties: {
        '^[^/\\0]+$': {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              package: { type: 'string' },
              pin: { type: 'string' },
              'pin-priority': { type: 'integer' },
            },
            required: ['pin', 'package', 'pin-priority'],
            additionalProperties: false,
          },
          minItems: 1,
        },
      },
      minProperties: 1,
      additionalProperties: false,
      description: 'apt preferences files by name (`main` is /etc/apt/preferences).',
    },
    'apt.conf.d': {
      type: 'object',
      patternProperties: { '^[0-9A-Za-z][0-9A-Za-z_.-]+$': { type: 'string' } },
      minProperties: 1,
      additionalProperties: false,
      description: 'Snippets written to /etc/apt/apt.conf.d/<name>.',
    },
    sources: {
      type: 'object',
      propertyNames: {
        pattern: APT_FILE_NAME_PATTERN,
        [PATTERN_MESSAGE]: 'is not a file name (letters, digits, . _ -)',
      },
      patternProperties: {
        '^[^/\\0]+$': {
          type: 'array',
          items: {
            type: 'string',
            pattern: '^(deb|deb-src)\\s+(\\[\\s*(.+\\S)?\\s*\\]\\s+)?\\S+\\s+\\S+(\\s+(.+\\S))?\\s*$',
            [PATTERN_MESSAGE]: 'must be a sources.list line: deb|deb-src [options] URI SUITE [COMPONENTS]',
          },
          minItems: 1,
        },
      },
      minProperties: 1,
      additionalProperties: false,
      description: 'apt source lists by name (`main` is /etc/apt/sources.list).',
    },
    'trusted-keys': { type: 'array', items: path, minItems: 1 },
    'include-source-type': { type: 'boolean', description: 'Also add deb-src lines for every source.' },
  },
  additionalProperties: false,
} as const;

const volume = {
  type: 'object',
  properties: {
    backing: {
      type: 'string',
      description: `${BACKINGS.join(', ')}: the provider restricts it (its \`backings\`).`,
    },
    volumegroup: { type: 'string', description: "bootstrap-vz's lvm backing, which no provider offers." },
    logicalvolume: { type: 'string', description: "bootstrap-vz's lvm backing, which no provider offers." },
    partitions: {
      type: 'object',
      properties: {
        type: { enum: ['none', 'msdos', 'gpt'] },
        root: partitionSchema,
        boot: partitionSchema,
        swap: {
          type: 'object',
          properties: { size: bytes },
          required: ['size'],
          additionalProperties: false,
        },
        efi: {
          type: 'object',
          properties: { size: bytes },
          required: ['size'],
          additionalProperties: false,
          description: 'Added: size of the EFI system partition (uefi and hybrid boot modes).',
        },
      },
      // Any other key is a named partition; bootstrap-vz allows those on gpt only (semantic check).
      additionalProperties: partitionSchema,
      propertyNames: {
        pattern: PARTITION_NAME_PATTERN,
        [PATTERN_MESSAGE]: 'is not a mount point below / (letters, digits, . _ + -, no "..")',
      },
      required: ['type', 'root'],
    },
  },
  required: ['backing', 'partitions'],
  additionalProperties: false,
} as const;

export const coreSchema = {
  $schema: 'https://json-schema.org/draft/2019-09/schema',
  $id: `${SCHEMA_BASE}manifest.json`,
  title: 'Debian image manifest',
  type: 'object',
  required: ['name', 'provider', 'bootstrapper', 'system', 'volume'],
  properties: {
    $schema: { type: 'string', description: 'Added: the JSON schema of this file, for editors.' },
    extends: {
      description:
        'Added: manifest file(s) this one builds on, relative to this file; mappings merge, lists are replaced.',
      anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
    },
    name: {
      type: 'string',
      pattern: NAME_PATTERN,
      [PATTERN_MESSAGE]: 'may hold only letters, digits, . _ + @ ( ) - and {variables}',
      description: `Image name; manifest variables such as {system.release} and {%Y} expand. At most ${NAME_MAX} characters once expanded.`,
    },
    provider: {
      type: 'object',
      properties: { name: { type: 'string' } },
      required: ['name'],
      additionalProperties: true,
    },
    bootstrapper,
    system,
    volume,
    packages,
    plugins: {
      type: 'object',
      patternProperties: { '^\\w+$': {} },
      additionalProperties: false,
    },
    tags: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Tags of the published image (EC2); manifest variables expand in the values.',
    },
  },
  additionalProperties: false,
} as const satisfies JsonSchema;
