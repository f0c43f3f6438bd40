import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BuildError, CommandError } from '../../../src/api/index.js';
import { REFUSAL_CODES } from '../../../src/cli/exit-codes.js';
import { describeFailure, FAILURE_CODES } from '../../../src/engine/failure.js';

/** An error shaped like the AWS SDK v3's service exceptions. */
function awsError(): Error {
  return Object.assign(new Error('You are not authorized to perform this operation.'), {
    name: 'UnauthorizedOperation',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  });
}

describe('describeFailure', () => {
  it('keeps a BuildError’s hint, with the default code or its own', () => {
    assert.deepEqual(describeFailure(new BuildError('no space\nmore detail', 'free some')), {
      code: 'ERR_TASK_FAILED',
      bug: false,
      summary: 'no space',
      hint: 'free some',
    });
    assert.equal(
      describeFailure(new BuildError('exists', undefined, 'ERR_OUTPUT_EXISTS')).code,
      'ERR_OUTPUT_EXISTS',
    );
  });

  it('names host commands, cloud calls and system calls as build failures', () => {
    const command = new CommandError(['mkfs.ext4', '/dev/loop0p1'], 1, 'busy', 'exit code 1');
    assert.deepEqual(describeFailure(command), {
      code: 'ERR_COMMAND_FAILED',
      bug: false,
      summary: 'command failed (exit code 1): mkfs.ext4 /dev/loop0p1 [exit 1]',
    });
    assert.equal(describeFailure(awsError()).code, 'ERR_CLOUD');
    assert.equal(describeFailure(awsError()).bug, false);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
    });
    assert.deepEqual(describeFailure(enospc), {
      code: 'ERR_SYSTEM',
      bug: false,
      summary: 'ENOSPC: no space left on device, write',
    });
    assert.equal(describeFailure(new Error('certificate not found')).code, 'ERR_TASK_FAILED');
  });

  it('reports TypeError, RangeError, failed assertions and illegal transitions as bugs', () => {
    const assertion = (() => {
      try {
        assert.equal(1, 2);
      } catch (e) {
        return e;
      }
    })();
    const illegal = Object.assign(new Error('loop device: attach from attached'), {
      name: 'IllegalTransitionError',
    });
    for (const error of [new TypeError('x is undefined'), new RangeError('too deep'), assertion, illegal]) {
      const failure = describeFailure(error);
      assert.equal(failure.code, 'ERR_INTERNAL', String(error));
      assert.equal(failure.bug, true);
    }
    assert.equal(describeFailure(new TypeError('x is undefined')).summary, 'TypeError: x is undefined');
  });

  it('calls whatever ended an interrupted build an interruption, not a bug', () => {
    assert.deepEqual(describeFailure(new TypeError('aborted'), true), {
      code: 'ERR_INTERRUPTED',
      bug: false,
      summary: 'aborted',
    });
    assert.equal(describeFailure('interrupted', true).code, 'ERR_INTERRUPTED');
  });

  it('has every code, of a build failure or a refusal, documented in docs/errors.md', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'errors.md'), 'utf8');
    const codes = [...Object.keys(FAILURE_CODES), ...Object.keys(REFUSAL_CODES)];
    const missing = codes.filter((code) => !doc.includes(`\`${code}\``));
    assert.deepEqual(missing, []);
  });
});
