/** `bootstrap validate MANIFEST...`: exit 0 when every manifest is valid and its plan resolves. */
import { makePlan } from '../../core/make-plan.js';
import { PlanError } from '../../graph/resolve-plan.js';
import { CliExit, EXIT_OK, EXIT_USAGE, withErrorCode } from '../exit-codes.js';
import { loadForCli, offline } from '../load-for-cli.js';
import type { Output } from '../output.js';

export async function validateCommand(
  files: readonly string[],
  opts: { set?: string[]; offline?: boolean },
  out: Output,
): Promise<number> {
  let failed = 0;
  for (const file of files) {
    try {
      const manifest = await loadForCli(file, out, {
        ...(opts.set ? { set: opts.set } : {}),
        preflight: !offline(opts),
      });
      const { plan } = makePlan(manifest);
      out.out(`ok ${file}: valid, ${plan.tasks.length} tasks`);
    } catch (error) {
      failed++;
      if (error instanceof CliExit) out.err(withErrorCode(error));
      else if (error instanceof PlanError)
        out.err(`${file}: the task graph cannot be ordered:\n  ${error.problems.join('\n  ')}`);
      else throw error;
    }
  }
  if (files.length > 1) out.err(`${files.length - failed} of ${files.length} manifests valid`);
  return failed === 0 ? EXIT_OK : EXIT_USAGE;
}
