/**
 * Converts the raw image into the output format with `qemu-img convert`. The output is written to
 * `<out>.partial` and renamed into place only when qemu-img succeeded, so an interrupted or failed
 * conversion never leaves a half-written file under the final name; the partial file is removed.
 */
import type { BuildFs } from '../api/fs.js';
import type { ImageFormat } from '../api/backing.js';
import type { CommandRunner } from '../api/runner.js';

export type { ImageFormat };

export interface ConvertOptions {
  readonly format: ImageFormat;
  /** qcow2 only: compress clusters (`-c`); smaller files, slower writes. */
  readonly compress?: boolean;
}

/** The qemu-img argv; vmdk is streamOptimized, the subformat VMware, VirtualBox and EC2 import read. */
export function convertArgv(input: string, output: string, opts: ConvertOptions): string[] {
  if (opts.compress && opts.format !== 'qcow2') {
    throw new Error(`compression is only supported for qcow2, not ${opts.format}`);
  }
  return [
    'qemu-img',
    'convert',
    '-f',
    'raw',
    '-O',
    opts.format,
    ...(opts.compress ? ['-c'] : []),
    ...(opts.format === 'vmdk' ? ['-o', 'subformat=streamOptimized'] : []),
    input,
    output,
  ];
}

/** Converts `input` (raw) to `output`; returns the output path. */
export async function convertImage(
  runner: CommandRunner,
  fs: BuildFs,
  input: string,
  output: string,
  opts: ConvertOptions,
): Promise<string> {
  const partial = `${output}.partial`;
  await fs.remove(partial);
  try {
    await runner.run(convertArgv(input, partial, opts));
    // BuildFs has no rename; mv within one directory is a rename(2), hence atomic.
    await runner.run(['mv', '--no-target-directory', partial, output]);
  } catch (err) {
    await fs.remove(partial);
    throw err;
  }
  return output;
}
