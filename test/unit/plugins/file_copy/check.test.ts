import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ManifestData } from '../../../../src/api/index.js';
import { loadManifest } from '../../../../src/manifest/load-manifest.js';
import { BUILTIN_PLUGINS, createRegistry } from '../../../../src/registry/builtin-registry.js';
import { checkFileCopy } from '../../../../plugins/file_copy/check-file-copy.js';
import { fileCopyPlugin } from '../../../../plugins/file_copy/index.js';
import { baseManifestData, tempDir, testManifest } from '../../../helpers/fake-context.js';

const BASE_MANIFEST = new URL('../../../../manifests/debian-qemu.yml', import.meta.url).pathname;

function errorsFor(settings: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const data: ManifestData = { ...baseManifestData, plugins: { file_copy: settings } };
  checkFileCopy(testManifest(data), { error: (p, m) => errors.push(`${p}: ${m}`), warn: () => {} });
  return errors;
}

describe('file_copy: manifest checks', () => {
  it('accepts absolute destinations and chmod, chown and chgrp values', () => {
    assert.deepEqual(
      errorsFor({
        mkdirs: [{ dir: '/srv/app', permissions: '2775', owner: 'www-data', group: 'www-data' }],
        files: [
          { src: 'a', dst: '/etc/a', permissions: '0644', owner: 'root:root' },
          { src: 'b', dst: '/etc/b', permissions: 'u=rwX,go=rX', owner: '1000', group: 'adm' },
          { src: 'c', dst: '/etc/c', permissions: 'a+x' },
        ],
      }),
      [],
    );
  });

  it('refuses destinations that are relative, climb with "..", or are / itself', () => {
    assert.deepEqual(
      errorsFor({
        mkdirs: [{ dir: 'srv' }],
        files: [
          { src: 'a', dst: '/etc/../../root/.ssh/authorized_keys' },
          { src: 'b', dst: 'etc/b' },
          { src: 'c', dst: '/' },
        ],
      }).map((e) => e.split(':')[0]),
      [
        '/plugins/file_copy/mkdirs/0/dir',
        '/plugins/file_copy/files/0/dst',
        '/plugins/file_copy/files/1/dst',
        '/plugins/file_copy/files/2/dst',
      ],
    );
  });

  it('refuses modes, owners and groups the tools would misread', () => {
    assert.deepEqual(
      errorsFor({
        files: [
          { src: 'a', dst: '/a', permissions: 'rw-r--r--' },
          { src: 'b', dst: '/b', owner: '--reference=/etc' },
          { src: 'c', dst: '/c', group: 'a b' },
          { src: 'd', dst: '/d', owner: 'a:b:c' },
          { src: ' ', dst: '/e' },
        ],
      }).map((e) => e.split(':')[0]),
      [
        '/plugins/file_copy/files/0/permissions',
        '/plugins/file_copy/files/1/owner',
        '/plugins/file_copy/files/2/group',
        '/plugins/file_copy/files/3/owner',
        '/plugins/file_copy/files/4/src',
      ],
    );
  });

  it('reports a bad destination at its file and line when the manifest is loaded', async () => {
    const dir = await tempDir();
    try {
      const file = join(dir.path, 'm.yml');
      await writeFile(
        file,
        `extends: ${BASE_MANIFEST}\nplugins:\n  file_copy:\n    files:\n      - src: motd\n        dst: ../etc/motd\n`,
      );
      const registry = createRegistry([...BUILTIN_PLUGINS, fileCopyPlugin]);
      const result = await loadManifest(file, { registry, now: new Date('2025-01-01T00:00:00Z') });
      const issue = result.errors.find((e) => e.pointer === '/plugins/file_copy/files/0/dst');
      assert.ok(issue, JSON.stringify(result.errors));
      assert.deepEqual([issue.file, issue.line], [file, 6]);
    } finally {
      await dir.cleanup();
    }
  });

  it('plans mkdirs only when there are directories to create', () => {
    const planned = (settings: Record<string, unknown>) => {
      const ids: string[] = [];
      fileCopyPlugin.resolveTasks(testManifest({ ...baseManifestData, plugins: { file_copy: settings } }), {
        add: (...t) => ids.push(...t.map((x) => x.id)),
        remove: () => {},
        has: () => false,
      });
      return ids.sort();
    };
    assert.deepEqual(planned({ files: [{ src: 'a', dst: '/a' }] }), [
      'file_copy/check-sources',
      'file_copy/copy-files',
    ]);
    assert.deepEqual(planned({ mkdirs: [{ dir: '/x' }], files: [{ src: 'a', dst: '/a' }] }), [
      'file_copy/check-sources',
      'file_copy/copy-files',
      'file_copy/create-directories',
    ]);
  });
});
