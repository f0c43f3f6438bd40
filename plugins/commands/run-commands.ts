/**
 * User modification: the manifest's commands, on the build host, in order, each an argv run without a
 * shell. `{root}` is the image root, so `["chroot", "{root}", ...]` runs a command inside the image.
 * They run after every system-modification task (file_copy included, as in bootstrap-vz) and before
 * the image is cleaned. A failing command fails the build and rolls it back; nothing here is undone,
 * since what a user command changed is not known.
 */
import { BuildError, defineTask, formatArgv, imageRoot } from '../../src/api/index.js';
import type { CommandsSettings } from './check-commands.js';
import { expandCommand } from './expand-command.js';

export const runCommands = defineTask({
  id: 'commands/run-commands',
  phase: 'user-modification',
  description: "Run the manifest's commands on the build host",
  async run(ctx) {
    const root = imageRoot(ctx);
    const commands = ctx.manifest.pluginSettings<CommandsSettings>('commands')?.commands ?? [];
    // Expand all of them first: a typo in the last command fails before the first one runs.
    const argvs = commands.map((raw, i) => {
      try {
        return expandCommand(raw, root, (t) => ctx.manifest.expand(t));
      } catch (err) {
        throw new BuildError(`plugins.commands.commands[${i}]: ${(err as Error).message}`);
      }
    });
    for (const [i, argv] of argvs.entries()) {
      ctx.log('info', `command ${i + 1} of ${argvs.length}: ${formatArgv(argv)}`);
      await ctx.runner.run(argv);
    }
  },
});
