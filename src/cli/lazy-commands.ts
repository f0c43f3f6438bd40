/**
 * The commands, each loaded on first call. A command's module brings the plugins' task code, the AWS
 * SDK, execa and nunjucks with it; loading them only for the command that runs is what keeps
 * `bootstrap --version`, `--help` and `validate` fast (issue 17, item 6; scripts/bench-startup.mjs).
 */
import type * as BootTest from './commands/boot-test.js';
import type * as Build from './commands/build.js';
import type * as Cleanup from './commands/cleanup.js';
import type * as Doctor from './commands/doctor.js';
import type * as Plan from './commands/plan.js';
import type * as Run from './commands/run.js';
import type * as Schema from './commands/schema.js';
import type * as Unbundle from './commands/unbundle.js';
import type * as Validate from './commands/validate.js';

export const bootTestCommand = async (...a: Parameters<typeof BootTest.bootTestCommand>): Promise<number> =>
  (await import('./commands/boot-test.js')).bootTestCommand(...a);

export const buildCommand = async (...a: Parameters<typeof Build.buildCommand>): Promise<number> =>
  (await import('./commands/build.js')).buildCommand(...a);

export const cleanupCommand = async (...a: Parameters<typeof Cleanup.cleanupCommand>): Promise<number> =>
  (await import('./commands/cleanup.js')).cleanupCommand(...a);

export const doctorCommand = async (...a: Parameters<typeof Doctor.doctorCommand>): Promise<number> =>
  (await import('./commands/doctor.js')).doctorCommand(...a);

export const planCommand = async (...a: Parameters<typeof Plan.planCommand>): Promise<number> =>
  (await import('./commands/plan.js')).planCommand(...a);

export const runCommand = async (...a: Parameters<typeof Run.runCommand>): Promise<number> =>
  (await import('./commands/run.js')).runCommand(...a);

export const schemaCommand = async (...a: Parameters<typeof Schema.schemaCommand>): Promise<number> =>
  (await import('./commands/schema.js')).schemaCommand(...a);

export const unbundleCommand = async (...a: Parameters<typeof Unbundle.unbundleCommand>): Promise<number> =>
  (await import('./commands/unbundle.js')).unbundleCommand(...a);

export const validateCommand = async (...a: Parameters<typeof Validate.validateCommand>): Promise<number> =>
  (await import('./commands/validate.js')).validateCommand(...a);
