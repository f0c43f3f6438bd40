/** Gathers the host facts the cache key depends on (see cache-key.ts). */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BuildError, type TaskContext } from '../../api/index.js';
import type { BootstrapHostInfo } from './cache-key.js';
import type { BootstrapTool } from './bootstrap-plan.js';
import { hostDefaultMirror } from './mirror.js';

export async function toolVersion(ctx: TaskContext, tool: BootstrapTool): Promise<string> {
  const result = await ctx.runner.run([tool, '--version'], {
    dryRunResult: { stdout: `${tool} (dry run)\n` },
  });
  return (result.stdout || result.stderr).trim();
}

export async function gatherHostInfo(ctx: TaskContext, tool: BootstrapTool): Promise<BootstrapHostInfo> {
  const keyring = ctx.manifest.data.bootstrapper.keyring;
  let keyringSha256: string | undefined;
  if (keyring !== undefined && !ctx.dryRun) {
    const content = await readFile(keyring).catch((e: unknown) => {
      throw new BuildError(`cannot read bootstrapper.keyring ${keyring}: ${(e as Error).message}`);
    });
    keyringSha256 = createHash('sha256').update(content).digest('hex');
  }
  return {
    toolVersion: await toolVersion(ctx, tool),
    defaultMirror: await hostDefaultMirror(),
    ...(keyringSha256 !== undefined ? { keyringSha256 } : {}),
  };
}
