/**
 * Plugin `minimize_size`: a smaller image. dpkg path filters keep documentation and unwanted locales
 * out (and what the bootstrap already installed is removed), apt is told to fetch fewer translations,
 * keep its indexes gzipped and clean up after itself, and once the volume is unmounted zerofree
 * zeroes the free blocks and shrinking deallocates them. The space saved goes to the log and the
 * report.
 */
import { definePlugin } from '../../src/api/index.js';
import { checkMinimizeSize } from './check.js';
import { removeFilteredFiles, writeAptAutoclean, writeAptConfig, writeDpkgFilters } from './package-tasks.js';
import { schema } from './schema.js';
import { hasAptSettings, hasDpkgFilters, minimizeSettings, shrinkTool } from './settings.js';
import { measureImage, reportSavings, shrinkImage, zerofree } from './volume-tasks.js';

export const minimizeSizePlugin = definePlugin({
  name: 'minimize_size',
  kind: 'plugin',
  description: 'Smaller images: dpkg filters for docs and locales, apt settings, zerofree and shrinking',
  schema,
  tasks: [
    writeDpkgFilters,
    removeFilteredFiles,
    writeAptConfig,
    writeAptAutoclean,
    measureImage,
    zerofree,
    shrinkImage,
    reportSavings,
  ],
  check: checkMinimizeSize,
  resolveTasks(manifest, tasks) {
    const s = minimizeSettings({ manifest });
    if (hasDpkgFilters(s)) tasks.add(writeDpkgFilters, removeFilteredFiles);
    if (hasAptSettings(s)) tasks.add(writeAptConfig);
    if (s.apt?.autoclean === true) tasks.add(writeAptAutoclean);
    if (s.zerofree === true) tasks.add(zerofree);
    if (shrinkTool(s) !== undefined) tasks.add(shrinkImage);
    if (s.zerofree === true || shrinkTool(s) !== undefined) tasks.add(measureImage, reportSavings);
  },
});
