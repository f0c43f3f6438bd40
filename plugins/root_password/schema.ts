/**
 * Settings of the `root_password` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/root_password/manifest-schema.yml (andsens/bootstrap-vz at fcdc699): exactly one
 * of `password` (clear text) and `password-crypted` (a crypt(3) hash, upstream's later addition).
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'root_password plugin',
  description:
    "Set root's password (console logins) and leave SSH password authentication on, as bootstrap-vz did. " +
    'For test images: the password is in the manifest.',
  properties: {
    password: {
      type: 'string',
      minLength: 1,
      description:
        'The root password in clear text. It is hashed (SHA-512 crypt) before it reaches the image and never logged.',
    },
    'password-crypted': {
      type: 'string',
      // A modular crypt hash ($6$..., $y$..., $5$..., $1$...) or a 13-character DES hash.
      pattern: '^(\\$[0-9a-z]+\\$[^:\\s]+|[./0-9A-Za-z]{13})$',
      description:
        'The root password as a crypt(3) hash, e.g. from `openssl passwd -6` or `mkpasswd -m yescrypt`; stored as is.',
    },
  },
  oneOf: [{ required: ['password'] }, { required: ['password-crypted'] }],
  additionalProperties: false,
};
