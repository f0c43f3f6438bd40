/**
 * Settings of the `docker_daemon` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/docker_daemon/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * Upstream quirks: its version pattern `^\d\.\d{1,2}\.\d$` only fits the old 1.x numbering, so Docker's
 * YY.MM.patch versions (e.g. 24.0.7) are accepted here too. Upstream also required architecture amd64
 * from this schema; that whole-manifest rule belongs to the plugin's check().
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'docker_daemon plugin',
  description: 'Install the Docker daemon in the image.',
  properties: {
    version: {
      type: 'string',
      pattern: '^\\d{1,2}\\.\\d{1,2}\\.\\d{1,2}$',
      description: 'Docker version to install, e.g. 1.13.1 or 24.0.7. Default: the latest.',
    },
    docker_opts: { type: 'string', description: 'Extra options for dockerd (DOCKER_OPTS).' },
  },
  additionalProperties: false,
};
