/**
 * `bootstrap unbundle MANIFEST_XML --key KEY --out IMAGE`: checks and opens an instance-store bundle
 * (ours, ec2-bundle-image's, euca2ools'), local or `s3://`, and writes its disk image, so a bundle can
 * be compared with the built image and boot-tested (plugins/ec2/bundle/read-bundle.ts does the work).
 * A bundle that fails a check (missing or corrupted part, wrong key, changed manifest) exits 1 with
 * nothing written; wrong arguments (an unreadable key, no such manifest) exit 2.
 */
import { readFile } from 'node:fs/promises';
import { openBundleSource, unbundle, UnbundleError } from '../../../plugins/ec2/public.js';
import { CliExit, EXIT_BUILD_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import type { Output } from '../output.js';

export interface UnbundleCommandOptions {
  readonly key: string;
  readonly out: string;
  readonly cert?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly force?: boolean;
}

async function readArgumentFile(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliExit(EXIT_USAGE, `${option} ${path}: ${(err as Error).message}`);
  }
}

export async function unbundleCommand(
  manifest: string,
  opts: UnbundleCommandOptions,
  out: Output,
): Promise<number> {
  const privateKeyPem = await readArgumentFile(opts.key, '--key');
  const certificatePem = opts.cert === undefined ? undefined : await readArgumentFile(opts.cert, '--cert');
  // Ctrl-C stops between parts and removes the temporary file, as a failure does.
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const opened = await openBundleSource(manifest, {
      ...(opts.region ? { region: opts.region } : {}),
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      signal: interrupt.signal,
    });
    try {
      const result = await unbundle({
        source: opened.source,
        privateKeyPem,
        ...(certificatePem !== undefined ? { certificatePem } : {}),
        outPath: opts.out,
        ...(opts.force ? { overwrite: true } : {}),
        signal: interrupt.signal,
      });
      out.err(
        `${manifest}: signature, ${result.parts} part digests and the image digest verified; ` +
          `${result.entryName} (${result.size} bytes${result.sparse ? ', sparse' : ''}) written to ${opts.out}`,
      );
      return EXIT_OK;
    } finally {
      opened.close();
    }
  } catch (err) {
    if (interrupt.signal.aborted)
      throw new CliExit(EXIT_BUILD_FAILED, 'unbundle: interrupted; nothing was written');
    if (err instanceof UnbundleError)
      throw new CliExit(
        err.usage ? EXIT_USAGE : EXIT_BUILD_FAILED,
        `unbundle: ${err.message}${err.usage ? '' : '; nothing was written'}`,
      );
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
