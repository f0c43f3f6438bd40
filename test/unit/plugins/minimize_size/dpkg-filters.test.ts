import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileRules,
  dpkgDropIns,
  filterRoots,
  globToRegExp,
  renderDropIn,
} from '../../../../plugins/minimize_size/dpkg-filters.js';

describe('minimize_size: dpkg filter rules', () => {
  it('matches like fnmatch without FNM_PATHNAME: * crosses slashes', () => {
    assert.ok(globToRegExp('/usr/share/doc/*').test('/usr/share/doc/bash/README.gz'));
    assert.ok(globToRegExp('/usr/share/doc/*/copyright').test('/usr/share/doc/bash/copyright'));
    assert.ok(!globToRegExp('/usr/share/doc/*').test('/usr/share/doc'));
    assert.ok(globToRegExp('/usr/share/man/man[1-9]/*').test('/usr/share/man/man8/ip.8.gz'));
    assert.ok(!globToRegExp('/usr/share/man/man[1-9]/*').test('/usr/share/man/mann/x'));
    assert.ok(globToRegExp('/a/[!x]?').test('/a/yz'));
    assert.ok(!globToRegExp('/a/[!x]?').test('/a/xz'));
    assert.ok(globToRegExp('/a.b+c').test('/a.b+c'));
    assert.ok(!globToRegExp('/a.b').test('/aXb'));
  });

  it('lets the last matching rule decide, as dpkg does', () => {
    const { excluded } = compileRules(
      dpkgDropIns({ dpkg: { exclude_docs: true, locales: ['de'] } }).flatMap((d) => d.rules),
    );
    assert.equal(excluded('/usr/share/doc/bash/README.gz'), true);
    assert.equal(excluded('/usr/share/doc/bash/copyright'), false);
    assert.equal(excluded('/usr/share/locale/fr/LC_MESSAGES/apt.mo'), true);
    assert.equal(excluded('/usr/share/locale/de/LC_MESSAGES/apt.mo'), false);
    assert.equal(excluded('/usr/share/locale/locale.alias'), false);
    assert.equal(excluded('/usr/share/man/man1/ls.1.gz'), false);
    assert.equal(excluded('/usr/share/man/fr/man1/ls.1.gz'), true);
    assert.equal(excluded('/usr/share/man/de/man1/ls.1.gz'), false);
    assert.equal(excluded('/usr/bin/ls'), false);
  });

  it('writes bootstrap-vz’s drop-in files', () => {
    const dropIns = dpkgDropIns({ dpkg: { exclude_docs: true, locales: [] } });
    assert.deepEqual(
      dropIns.map((d) => d.name),
      ['10exclude-docs', '10filter-locales', '10filter-manpages'],
    );
    assert.equal(
      renderDropIn(dropIns[0]!),
      '# Written by the minimize_size plugin: dpkg does not install these paths.\n' +
        'path-exclude=/usr/share/doc/*\npath-include=/usr/share/doc/*/copyright\n',
    );
    assert.equal(
      renderDropIn(dropIns[1]!).split('\n').slice(1).join('\n'),
      'path-exclude=/usr/share/locale/*\npath-include=/usr/share/locale/locale.alias\n',
    );
    assert.deepEqual(dpkgDropIns({ dpkg: { exclude_docs: false } }), []);
  });

  it('walks only the directories the excludes can touch', () => {
    const rules = dpkgDropIns({ dpkg: { exclude_docs: true, locales: ['de'] } }).flatMap((d) => d.rules);
    assert.deepEqual(filterRoots(rules), ['/usr/share/doc', '/usr/share/locale', '/usr/share/man']);
  });
});
