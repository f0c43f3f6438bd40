/**
 * Plugin `commands`: arbitrary commands on the build host after the system is configured, with
 * `{root}` for the image root (bootstrap-vz's `commands` plugin, without its implicit shell).
 */
import { definePlugin } from '../../src/api/index.js';
import { checkCommands } from './check-commands.js';
import { runCommands } from './run-commands.js';
import { schema } from './schema.js';

export const commandsPlugin = definePlugin({
  name: 'commands',
  kind: 'plugin',
  description: 'Run commands (argv lists, {root} = image root) on the build host after system configuration',
  schema,
  tasks: [runCommands],
  check: checkCommands,
  resolveTasks(_manifest, tasks) {
    tasks.add(runCommands);
  },
});
