/**
 * Semantic checks of `plugins.file_copy`: destinations are absolute image paths that cannot climb out
 * of the image, and permissions, owner and group are what chmod(1), chown(1) and chgrp(1) accept (an
 * owner starting with "-" would be read as an option). Whether the sources exist is checked by
 * file_copy/check-sources when the build starts, so `validate` does not depend on the host's files.
 */
import type { CheckReporter, Manifest } from '../../src/api/index.js';
import { imagePathProblem } from './image-path.js';
import type { FileCopySettings, Ownership } from './settings.js';

/** Octal (`644`, `0755`, `2775`) or symbolic (`u+x`, `u=rwX,go=rX`) modes. */
const MODE = /^(?:[0-7]{3,4}|[ugoa]*[-+=](?:[rwxXst]*|[ugo])(?:,[ugoa]*[-+=](?:[rwxXst]*|[ugo]))*)$/;
/** A user or group name or number, as useradd and groupadd allow them (with Samba's trailing `$`). */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/;

function checkOwnership(entry: Ownership, pointer: string, report: CheckReporter): void {
  if (entry.permissions !== undefined && !MODE.test(entry.permissions)) {
    report.error(
      `${pointer}/permissions`,
      `"${entry.permissions}" is not a mode chmod accepts`,
      'use octal digits such as "0644", or a symbolic mode such as "u=rwX,go=rX"',
    );
  }
  const [user, group, ...rest] = (entry.owner ?? '').split(':');
  if (
    entry.owner !== undefined &&
    (!NAME.test(user ?? '') || (group !== undefined && !NAME.test(group)) || rest.length > 0)
  ) {
    report.error(`${pointer}/owner`, `"${entry.owner}" is not a user name, or user:group`);
  }
  if (entry.group !== undefined && !NAME.test(entry.group)) {
    report.error(`${pointer}/group`, `"${entry.group}" is not a group name`);
  }
}

export function checkFileCopy(manifest: Manifest, report: CheckReporter): void {
  const settings = manifest.pluginSettings<FileCopySettings>('file_copy');
  if (!settings) return;
  (settings.mkdirs ?? []).forEach((entry, i) => {
    const pointer = `/plugins/file_copy/mkdirs/${i}`;
    const problem = imagePathProblem(entry.dir);
    if (problem) report.error(`${pointer}/dir`, `"${entry.dir}" ${problem}`);
    checkOwnership(entry, pointer, report);
  });
  settings.files.forEach((entry, i) => {
    const pointer = `/plugins/file_copy/files/${i}`;
    const problem = imagePathProblem(entry.dst);
    if (problem) report.error(`${pointer}/dst`, `"${entry.dst}" ${problem}`);
    if (entry.src.trim() === '') report.error(`${pointer}/src`, 'the source path is empty');
    checkOwnership(entry, pointer, report);
  });
}
