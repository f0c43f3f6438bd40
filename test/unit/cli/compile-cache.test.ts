/**
 * Where the CLI keeps Node's compile cache (src/cli/compile-cache.ts): under the user's cache
 * directory, and only when the deepest existing directory on the way there is the user's own and no
 * one else can write to it.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compileCacheDir } from '../../../src/cli/compile-cache.js';

describe('compileCacheDir', () => {
  const base = mkdtempSync(join(tmpdir(), 'compile-cache-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  const sub = (name: string, mode = 0o755): string => {
    const dir = join(base, name);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, mode);
    return dir;
  };

  it('is under XDG_CACHE_HOME, else ~/.cache', () => {
    const xdg = sub('xdg');
    assert.equal(
      compileCacheDir({ XDG_CACHE_HOME: xdg, HOME: '/nonexistent' }),
      join(xdg, 'debian-image-bootstrap', 'node-compile-cache'),
    );
    const home = sub('home');
    assert.equal(
      compileCacheDir({ HOME: home }),
      join(home, '.cache', 'debian-image-bootstrap', 'node-compile-cache'),
    );
  });

  it('checks the deepest directory that exists', () => {
    const home = sub('home2');
    sub('home2/.cache/debian-image-bootstrap', 0o777);
    assert.equal(compileCacheDir({ HOME: home }), undefined);
  });

  it('is not used in a directory others can write to, or a relative one', () => {
    assert.equal(compileCacheDir({ HOME: sub('shared', 0o777) }), undefined);
    assert.equal(compileCacheDir({ HOME: sub('group', 0o775) }), undefined);
    assert.equal(compileCacheDir({ HOME: 'relative/home' }), undefined);
  });

  it('ignores a relative XDG_CACHE_HOME, as the XDG spec says', () => {
    const home = sub('home3');
    assert.equal(
      compileCacheDir({ XDG_CACHE_HOME: 'relative/cache', HOME: home }),
      join(home, '.cache', 'debian-image-bootstrap', 'node-compile-cache'),
    );
  });
});
