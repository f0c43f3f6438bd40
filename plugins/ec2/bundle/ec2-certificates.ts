/**
 * The public EC2 certificate a bundle's key and IV are encrypted for, by region (see certs/README.md for
 * where they come from). The files live next to the sources, so they are found from this module's path
 * whether it runs from plugins/ (tsx) or dist/plugins/ (compiled): both sit under the package root.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/api/index.js';

/** Certificate file name for a region: gov and China have their own, every other region the default. */
export function ec2CertificateFile(region: string): string {
  if (region === 'us-gov-west-1') return 'cert-ec2-gov.pem';
  if (region === 'cn-north-1') return 'cert-ec2-cn-north-1.pem';
  return 'cert-ec2.pem';
}

/** PEM text of the EC2 certificate for `region`. */
export function ec2CertificatePem(region: string): string {
  const file = join(packageRoot(), 'plugins', 'ec2', 'bundle', 'certs', ec2CertificateFile(region));
  return readFileSync(file, 'utf8');
}
