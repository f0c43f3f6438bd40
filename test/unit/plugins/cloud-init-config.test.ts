import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  datasources,
  disableModules,
  enableModules,
  renderDropIn,
} from '../../../plugins/cloud_init/cloud-cfg.js';

const CLOUD_CFG = `users:
   - default
cloud_init_modules:
 - migrator
 - seed_random
 - bootcmd
 - write-files
cloud_config_modules:
 - locale
 - ntp
 - timezone
`;

describe('cloud_init configuration', () => {
  it('maps the ec2 provider to the Ec2 datasource when none is given, as bootstrap-vz did', () => {
    assert.deepEqual(datasources({}, 'ec2'), ['Ec2']);
    assert.equal(datasources({}, 'kvm'), undefined);
    assert.deepEqual(datasources({ metadata_sources: 'NoCloud, Ec2' }, 'kvm'), ['NoCloud', 'Ec2']);
  });

  it('writes the default user with sudo and extra groups in the drop-in', () => {
    const text = renderDropIn({ username: 'admin', groups: ['docker'], metadata_sources: 'Ec2' }, 'ec2');
    assert.match(text, /^datasource_list: \[Ec2, None\]$/m);
    assert.match(text, /^ {4}name: "admin"$/m);
    assert.match(text, /^ {4}groups: \[.*"video", "docker"\]$/m);
    assert.match(text, /NOPASSWD:ALL/);
    assert.doesNotMatch(text, /renderers/);
    assert.match(text, /^ssh_genkeytypes: \[rsa, ecdsa, ed25519\]$/m);
  });

  it('pins the network renderer to networkd when the build configures networkd', () => {
    const text = renderDropIn({ username: 'admin' }, 'ec2', true);
    assert.match(text, /^system_info:\n {2}network:\n {4}renderers: \[networkd\]\n {2}default_user:\n/m);
    assert.equal(
      renderDropIn({}, 'kvm', true),
      '# Written by bootstrap from the manifest (plugins.cloud_init).\nssh_genkeytypes: [rsa, ecdsa, ed25519]\nsystem_info:\n  network:\n    renderers: [networkd]\n',
    );
  });

  it('removes disabled modules from every list and nothing else', () => {
    const out = disableModules(CLOUD_CFG, ['ntp', 'seed_random']);
    assert.doesNotMatch(out, /- ntp$/m);
    assert.doesNotMatch(out, /- seed_random$/m);
    assert.match(out, /- locale$/m);
    assert.match(out, /^ {3}- default$/m);
  });

  it('inserts enabled modules at their 1-based position in the named section', () => {
    const out = enableModules(CLOUD_CFG, {
      cloud_config_modules: [{ module: 'apt-configure', position: 2 }],
    });
    const section = out.split('cloud_config_modules:\n')[1]?.split('\n').slice(0, 4);
    assert.deepEqual(section, [' - locale', ' - apt-configure', ' - ntp', ' - timezone']);
  });

  it('fails clearly on a section cloud.cfg does not have', () => {
    assert.throws(
      () => enableModules(CLOUD_CFG, { nope: [{ module: 'x', position: 1 }] }),
      /no section nope/,
    );
  });
});
