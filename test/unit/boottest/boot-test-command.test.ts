import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootTestCommand } from '../../../src/cli/commands/boot-test.js';
import { CliExit, EXIT_USAGE } from '../../../src/cli/exit-codes.js';

const out = { color: false, out: () => undefined, err: () => undefined };

async function usageError(image: string, opts: Parameters<typeof bootTestCommand>[1]): Promise<string> {
  try {
    await bootTestCommand(image, opts, out);
  } catch (error) {
    assert.ok(error instanceof CliExit);
    assert.equal(error.code, EXIT_USAGE);
    return error.message;
  }
  assert.fail('expected a usage error');
}

describe('boot-test command usage errors (exit 2, before anything starts)', () => {
  it('a missing image', async () => {
    assert.match(await usageError('/nonexistent/image.raw', {}), /no such image/);
  });

  it('bad --firmware, --imds and --timeout values', async () => {
    assert.match(
      await usageError('/nonexistent/image.raw', { firmware: 'coreboot' }),
      /--firmware: "coreboot"/,
    );
    assert.match(await usageError('/nonexistent/image.raw', { imds: 'v3' }), /--imds/);
    assert.match(await usageError('/nonexistent/image.raw', { timeout: 'soon' }), /--timeout/);
    assert.match(await usageError('/nonexistent/image.raw', { timeout: '0' }), /--timeout/);
  });

  it('--secure-boot with --firmware bios (Secure Boot is UEFI)', async () => {
    assert.match(
      await usageError('/nonexistent/image.raw', { secureBoot: true, firmware: 'bios' }),
      /--secure-boot boots with UEFI; it cannot go with --firmware bios/,
    );
  });
});
