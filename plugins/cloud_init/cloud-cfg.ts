/**
 * Pure edits of cloud-init's configuration, kept apart from the tasks so they are unit-tested on text.
 * bootstrap-vz edited /etc/cloud/cloud.cfg with sed; the user and datasources go to a drop-in here (it
 * survives package upgrades), while module lists, which cloud-init's merge cannot shorten, are still
 * edited in cloud.cfg as bootstrap-vz did. Every manifest value goes in as a YAML scalar (bare when it
 * is a plain word, else JSON-quoted), so none can end its scalar, add a key or a list entry.
 */
import { yamlScalar } from '../../src/api/index.js';

export interface CloudInitSettings {
  readonly username?: string;
  readonly groups?: readonly string[];
  readonly metadata_sources?: string;
  readonly disable_modules?: readonly string[];
  readonly enable_modules?: Readonly<Record<string, readonly { module: string; position: number }[]>>;
}

/** Debian's default user groups in cloud.cfg, which bootstrap-vz's `groups` extended. */
export const DEFAULT_GROUPS = ['adm', 'audio', 'cdrom', 'dialout', 'dip', 'floppy', 'plugdev', 'video'];

/** Datasources by provider when the manifest names none (bootstrap-vz's source_mapping). */
const PROVIDER_SOURCES: Readonly<Record<string, string>> = { ec2: 'Ec2' };

export function datasources(settings: CloudInitSettings, provider: string): string[] | undefined {
  const text = settings.metadata_sources ?? PROVIDER_SOURCES[provider];
  if (!text) return undefined;
  return text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const yamlString = (s: string): string => JSON.stringify(s);

/**
 * The host key types cloud-init generates at first boot. Never DSA: bookworm's cloud-init (22.4) still
 * generates a DSA key by default, which OpenSSH has refused to use since 7.0 and removed in 10.0
 * (trixie); Debian's own images list the same three.
 */
const HOST_KEY_TYPES = ['ssh_genkeytypes: [rsa, ecdsa, ed25519]'];

/**
 * The drop-in /etc/cloud/cloud.cfg.d/90_bootstrap.cfg. With `networkd` (the image boots, so the build
 * configured systemd-networkd), cloud-init renders its network config for networkd only: left to
 * choose, it prefers ifupdown (eni) whenever ifupdown is installed, which the debootstrap variant
 * does (priority important), and the interface would then get two DHCP clients.
 * Every drop-in also names the host key types (no DSA, whatever the release's cloud-init defaults to).
 */
export function renderDropIn(settings: CloudInitSettings, provider: string, networkd = false): string {
  const lines = ['# Written by bootstrap from the manifest (plugins.cloud_init).', ...HOST_KEY_TYPES];
  const sources = datasources(settings, provider);
  if (sources)
    lines.push(
      `datasource_list: [${[...sources, ...(sources.includes('None') ? [] : ['None'])].map(yamlScalar).join(', ')}]`,
    );
  if (settings.username !== undefined || networkd) lines.push('system_info:');
  if (networkd) lines.push('  network:', '    renderers: [networkd]');
  if (settings.username !== undefined) {
    const groups = [...DEFAULT_GROUPS, ...(settings.groups ?? []).filter((g) => !DEFAULT_GROUPS.includes(g))];
    lines.push(
      '  default_user:',
      `    name: ${yamlString(settings.username)}`,
      `    groups: [${groups.map(yamlString).join(', ')}]`,
      '    sudo: ["ALL=(ALL) NOPASSWD:ALL"]',
      '    shell: /bin/bash',
      '    lock_passwd: true',
    );
  }
  return lines.join('\n') + '\n';
}

/** Removes `  - module` entries named in `modules` from every module list of cloud.cfg. */
export function disableModules(cloudCfg: string, modules: readonly string[]): string {
  const names = new Set(modules);
  return cloudCfg
    .split('\n')
    .filter((line) => {
      const m = /^\s+-\s+(\S+)\s*$/.exec(line);
      return !(m && names.has(m[1] ?? ''));
    })
    .join('\n');
}

/**
 * Inserts `- module` into the named section (`cloud_init_modules`, `cloud_config_modules`...) at a
 * 1-based position among that section's entries, as bootstrap-vz's `enable_modules` did.
 */
export function enableModules(
  cloudCfg: string,
  sections: Readonly<Record<string, readonly { module: string; position: number }[]>>,
): string {
  let lines = cloudCfg.split('\n');
  for (const [section, entries] of Object.entries(sections)) {
    for (const entry of entries) {
      const start = lines.findIndex((l) => l.startsWith(`${section}:`));
      if (start < 0) throw new Error(`cloud.cfg has no section ${section}`);
      let end = start + 1;
      while (end < lines.length && /^\s+-\s/.test(lines[end] ?? '')) end++;
      const items = lines.slice(start + 1, end);
      if (items.some((l) => l.trim() === `- ${entry.module}`)) continue;
      const indent = /^(\s+)-/.exec(items[0] ?? '')?.[1] ?? ' ';
      const at = Math.min(Math.max(entry.position - 1, 0), items.length);
      lines = [
        ...lines.slice(0, start + 1 + at),
        `${indent}- ${yamlScalar(entry.module)}`,
        ...lines.slice(start + 1 + at),
      ];
    }
  }
  return lines.join('\n');
}
