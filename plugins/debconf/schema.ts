/**
 * Settings of the `debconf` plugin, ported from bootstrap-vz's
 * bootstrapvz/plugins/debconf/manifest-schema.yml (andsens/bootstrap-vz at fcdc699).
 *
 * Upstream quirk kept: unlike every other plugin, the value under `plugins.debconf` is a string, not an
 * object.
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'string',
  title: 'debconf plugin',
  description:
    'Debconf selections to preseed before packages are installed, as one string in the input format of ' +
    'debconf-set-selections(1): one "package question type value" per line.',
  minLength: 1,
};
