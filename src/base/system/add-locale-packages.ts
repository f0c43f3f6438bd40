/**
 * Preparation: `locales` (not in minbase) unless the locale is C/POSIX, and `tzdata` so that
 * /usr/share/zoneinfo/<zone> exists for the timezone link (tzdata left the required set in trixie).
 */
import { PACKAGES, type Task } from '../../api/index.js';
import { isCLocale } from './locale-name.js';

export const addLocalePackages: Task = {
  id: 'base/add-locale-packages',
  phase: 'preparation',
  description: 'Add the locale and timezone packages',
  async run(ctx) {
    const packages = ctx.state.get(PACKAGES);
    if (!isCLocale(ctx.manifest.data.system.locale)) packages.add('locales');
    packages.add('tzdata');
  },
};
