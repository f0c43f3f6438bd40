/**
 * Semantic checks of `plugins.commands` beyond its schema: bootstrap-vz ran a one-string command
 * through a shell, which this tool never does implicitly, so such a command is reported with the
 * argv it should be written as.
 */
import type { CheckReporter, Manifest } from '../../src/api/index.js';
import { needsShell } from './expand-command.js';

export interface CommandsSettings {
  readonly commands: readonly (readonly string[])[];
}

export function checkCommands(manifest: Manifest, report: CheckReporter): void {
  const settings = manifest.pluginSettings<CommandsSettings>('commands');
  settings?.commands.forEach((argv, i) => {
    if (needsShell(argv)) {
      report.error(
        `/plugins/commands/commands/${i}`,
        'this command is one string that needs a shell; commands run without a shell here (bootstrap-vz used one)',
        `write it as ["sh", "-c", ${JSON.stringify(argv[0])}], or split it into one string per argument`,
      );
    }
  });
}
