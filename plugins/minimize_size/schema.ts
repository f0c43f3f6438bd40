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
    'Keep the image small: bind-mount caches from the host, zero free blocks, shrink, filter apt and dpkg.',
  properties: {
    zerofree: {
      type: 'boolean',
      default: false,
      description: 'Zero unused blocks of the root filesystem (zerofree) so it shrinks well.',
    },
    shrink: {
      description:
        'Shrink the image file: false (default), `qemu-img` (raw, qcow2, vmdk, vdi), or `vmware-vdiskmanager` / true (vmdk).',
      default: false,
      anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['vmware-vdiskmanager', 'qemu-img'] }],
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
          items: { type: 'string' },
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
          items: { type: 'string' },
          description:
            'Locales (and translated man pages) to keep; all others are not installed. [] keeps none.',
        },
        exclude_docs: { type: 'boolean', default: false, description: 'Do not install /usr/share/doc.' },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};
