/**
 * The ansible plugin's tasks: the playbook is checked before any work starts (bootstrap-vz's
 * CheckPlaybookPath), python3 is added to the image's packages (ansible's modules run with the
 * target's Python), and the playbook runs on the build host in user modification, after the base
 * system is configured (so the playbook's changes win) and before the image is cleaned.
 */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  BuildError,
  defineTask,
  imageRoot,
  PACKAGES,
  ROOT_DIR,
  type TaskContext,
} from '../../src/api/index.js';
import {
  inventoryYaml,
  playbookArgv,
  playbookEnv,
  playbookPath,
  REMOTE_TEMP,
  type AnsibleSettings,
} from './playbook-argv.js';

function settings(ctx: TaskContext): AnsibleSettings {
  const s = ctx.manifest.pluginSettings<AnsibleSettings>('ansible');
  if (s === undefined) throw new Error(`${ctx.taskId}: the ansible plugin is not enabled`);
  return s;
}

export const checkPlaybook = defineTask({
  id: 'ansible/check-playbook',
  phase: 'preparation',
  description: 'Check that the Ansible playbook exists and the host has the chroot connection',
  hostCommands: ['ansible-doc'],
  async run(ctx) {
    const { playbook } = settings(ctx);
    const path = playbookPath(ctx.manifest.file, playbook);
    const info = await stat(path).catch(() => undefined);
    const problem = `plugins.ansible.playbook: ${playbook} (${path}) ${info ? 'is not a file' : 'does not exist'}`;
    // The dry run warns, as validate does for files on this host; a build refuses.
    if (!info?.isFile() && ctx.dryRun) ctx.log('warn', `${problem} (a build stops here)`);
    else if (!info?.isFile()) {
      throw new BuildError(
        problem,
        'a relative playbook path is relative to the directory of the manifest file',
      );
    }
    // ansible-core alone has no chroot connection; without this check the build fails only after the
    // bootstrap, with "the connection plugin 'chroot' was not found".
    const doc = await ctx.runner.run(['ansible-doc', '-t', 'connection', CHROOT_CONNECTION], {
      okExitCodes: [0, 1, 2, 3, 4, 5, 250],
    });
    if (doc.exitCode !== 0) {
      throw new BuildError(
        `Ansible on this host has no ${CHROOT_CONNECTION} connection, which the ansible plugin uses`,
        "install Debian's ansible package (apt-get install ansible): ansible-core alone does not include it",
      );
    }
  },
});

/** The connection ansible-playbook reaches the image with (Debian ships it in the `ansible` package). */
export const CHROOT_CONNECTION = 'community.general.chroot';

export const addPython = defineTask({
  id: 'ansible/add-packages',
  phase: 'preparation',
  description: 'Add python3 to the packages to install (Ansible runs its modules with it)',
  async run(ctx) {
    ctx.state.get(PACKAGES).add('python3');
  },
});

/** Where ansible-playbook keeps its files on the build host: the run's workspace. */
function workDir(ctx: TaskContext): string {
  return join(ctx.workspace, 'ansible');
}

export const runPlaybook = defineTask({
  id: 'ansible/run-playbook',
  phase: 'user-modification',
  description: 'Run the Ansible playbook against the image (chroot connection)',
  hostCommands: ['ansible-playbook'],
  async run(ctx) {
    const s = settings(ctx);
    const root = imageRoot(ctx);
    const playbook = playbookPath(ctx.manifest.file, s.playbook);
    const work = workDir(ctx);
    await ctx.fs.mkdir(join(work, 'tmp'), { mode: 0o700 });
    let inventory: string | undefined;
    if (s.hosts !== undefined && s.hosts.length > 0) {
      inventory = join(work, 'inventory.yml');
      await ctx.fs.writeFile(inventory, inventoryYaml(root, s.hosts), { mode: 0o600 });
    }
    try {
      // From the playbook's directory, so its ansible.cfg, roles/ and relative paths are found.
      await ctx.runner.run(playbookArgv(s, playbook, root, inventory), {
        cwd: dirname(playbook),
        env: playbookEnv(join(work, 'tmp')),
      });
    } finally {
      await removeLeftovers(ctx, root, work);
    }
  },
  async undo(ctx) {
    const root = ctx.state.get(ROOT_DIR);
    if (root !== undefined) await removeLeftovers(ctx, root, workDir(ctx));
  },
});

/** ansible removes its per-task directories but not their parent; nothing of the run stays behind. */
async function removeLeftovers(ctx: TaskContext, root: string, work: string): Promise<void> {
  await ctx.fs.remove(join(root, REMOTE_TEMP));
  await ctx.fs.remove(work);
}
