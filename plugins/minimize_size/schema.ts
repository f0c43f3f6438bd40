/**
 * Settings of the `minimize_size` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/minimize_size/manifest-schema.yml and README (andsens/bootstrap-vz at fcdc699).
 *
 * Upstream's `shrink` began as a boolean (true = vmware-vdiskmanager) and later also took a tool name;
 * both forms are accepted, as upstream did.
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'minimize_size plugin',
  description:
    'Keep the image small: filter what dpkg installs, configure apt, zero free blocks and shrink the image file.',
  properties: {
    zerofree: {
      type: 'boolean',
      default: false,
      description: 'Zero the unused blocks of the ext filesystems (zerofree) so the image shrinks well.',
    },
    shrink: {
      description:
        'Deallocate the zeroed blocks of the image file: false (default), `qemu-img` (raw, qcow2, vmdk, vdi; ' +
        '`qemu-img-no-compression` is read the same), or `vmware-vdiskmanager` / true (vmdk only, done the same way).',
      default: false,
      anyOf: [
        { type: 'boolean' },
        { type: 'string', enum: ['vmware-vdiskmanager', 'qemu-img', 'qemu-img-no-compression'] },
      ],
    },
    apt: {
      type: 'object',
      description: 'apt settings written to the image.',
      properties: {
        autoclean: {
          type: 'boolean',
          default: false,
          description: 'Clean the package cache after every apt run.',
        },
        languages: {
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: '^[A-Za-z0-9_.@-]+$' },
          description: 'Translation languages apt downloads; [none] for none.',
        },
        gzip_indexes: { type: 'boolean', default: false, description: "Keep apt's package indexes gzipped." },
        autoremove_suggests: {
          type: 'boolean',
          default: false,
          description: 'Let autoremove remove packages only suggested by others.',
        },
      },
      additionalProperties: false,
    },
    dpkg: {
      type: 'object',
      description: 'dpkg path filters, applied while bootstrapping too.',
      properties: {
        locales: {
          type: 'array',
          // Directory names under /usr/share/locale and /usr/share/man; no glob characters or slashes.
          items: { type: 'string', pattern: '^[A-Za-z0-9_.@-]+$' },
          description:
            'Locales (and translated man pages) to keep, as named under /usr/share/locale (de, pt_BR); all ' +
            'others are not installed. [] keeps none.',
        },
        exclude_docs: {
          type: 'boolean',
          default: false,
          description: 'Do not install /usr/share/doc (copyright files are kept).',
        },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};
