/**
 * The ansible-playbook command of the `ansible` plugin, as pure functions.
 *
 * The playbook runs on the build host; the image is its only host, reached with the chroot connection
 * (community.general.chroot, shipped in Debian's `ansible` package, not in `ansible-core`), whose host
 * name is the directory to chroot into. Without inventory groups the image is an inline inventory
 * (`-i '<root>,'`); with groups, a YAML inventory in the workspace puts it in each of them.
 */
import { dirname, isAbsolute, resolve } from 'node:path';

export interface AnsibleSettings {
  readonly playbook: string;
  readonly hosts?: readonly string[];
  readonly extra_vars?: string;
  readonly tags?: string | readonly string[];
  readonly skip_tags?: string | readonly string[];
  readonly opt_flags?: readonly string[];
}

/** Inside the image: ansible's per-task files, under /tmp so base/clean-tmp removes what is left. */
export const REMOTE_TEMP = '/tmp/.ansible-bootstrap';

/** bootstrap-vz (rel_path): a relative playbook is relative to the manifest file's directory. */
export function playbookPath(manifestFile: string, playbook: string): string {
  return isAbsolute(playbook) ? playbook : resolve(dirname(manifestFile), playbook);
}

function joinTags(tags: string | readonly string[]): string {
  return typeof tags === 'string' ? tags : tags.join(',');
}

/**
 * The inventory file's content when the image goes into groups. JSON is YAML, and JSON.stringify
 * quotes any path, so a root path with spaces or colons stays one host name.
 */
export function inventoryYaml(root: string, groups: readonly string[]): string {
  const host = { [root]: {} };
  const children = Object.fromEntries(groups.map((g) => [g, { hosts: host }]));
  return JSON.stringify({ all: { children } }, null, 2) + '\n';
}

/**
 * argv run on the build host. `inventory` is the inventory file, or undefined for the inline one.
 * Options go before the playbook's own flags (opt_flags), which come last as in bootstrap-vz.
 */
export function playbookArgv(
  settings: AnsibleSettings,
  playbook: string,
  root: string,
  inventory: string | undefined,
): string[] {
  const argv = ['ansible-playbook', '--connection', 'chroot', '--inventory', inventory ?? `${root},`];
  // bootstrap-vz wrapped extra_vars in literal double quotes (a leftover from a shell); not here.
  if (settings.extra_vars !== undefined) argv.push('--extra-vars', settings.extra_vars);
  if (settings.tags !== undefined) argv.push(`--tags=${joinTags(settings.tags)}`);
  if (settings.skip_tags !== undefined) argv.push(`--skip-tags=${joinTags(settings.skip_tags)}`);
  // `--`: whatever opt_flags hold, the playbook after it is the playbook (argparse honours it).
  argv.push(...(settings.opt_flags ?? []), '--', playbook);
  return argv;
}

/**
 * Environment of the ansible-playbook run. The runner gives commands a minimal environment; these
 * keep ansible's files out of the build host's ~/.ansible and the image's /root, and its output plain.
 */
export function playbookEnv(localTemp: string): Record<string, string> {
  return {
    ANSIBLE_LOCAL_TEMP: localTemp,
    ANSIBLE_REMOTE_TEMP: REMOTE_TEMP,
    // The image's python3 (added by ansible/add-packages); skips interpreter discovery and its warning.
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_NOCOLOR: '1',
  };
}

/** Arguments of opt_flags that would take the run away from the image. */
const REFUSED_FLAGS = ['-i', '--inventory', '--inventory-file', '-c', '--connection', '-l', '--limit'];

/** The opt_flags entries that contradict what the plugin sets, with their index. */
export function refusedOptFlags(flags: readonly string[]): { index: number; flag: string }[] {
  return flags.flatMap((flag, index) => {
    const name = flag.startsWith('--') ? (flag.split('=')[0] ?? flag) : flag.slice(0, 2);
    return REFUSED_FLAGS.includes(name) ? [{ index, flag }] : [];
  });
}
