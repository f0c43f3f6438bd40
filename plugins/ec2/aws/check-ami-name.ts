/**
 * ec2/check-ami-name: RegisterImage fails when the account already has an AMI of that name in the
 * region; this asks first (DescribeImages, owner self) so the build stops before the image is built.
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { BuildError, type TaskContext } from '../../../src/api/index.js';
import { amiName, awsFor } from './context.js';

/** RegisterImage's rule: 3–128 characters from letters, digits and ( ) [ ] space . / - ' @ _. */
const AMI_NAME = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/;

export async function checkAmiNameIsFree(ctx: TaskContext): Promise<void> {
  const name = amiName(ctx.manifest);
  if (!AMI_NAME.test(name)) {
    throw new BuildError(
      `the AMI name "${name}" is not valid for EC2`,
      "use 3 to 128 characters from letters, digits, spaces and ( ) [ ] . / - ' @ _ in the manifest's name",
    );
  }
  const input = { Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] };
  const { ec2, region } = await awsFor(ctx);
  const found = await ec2.send(new DescribeImagesCommand(input), { abortSignal: ctx.signal });
  const existing = found.Images?.[0];
  if (existing) {
    throw new BuildError(
      `an AMI named "${name}" already exists in ${region}: ${existing.ImageId ?? '?'}`,
      'change the manifest name (e.g. add {%H}{%M}), or deregister the old AMI',
    );
  }
}
