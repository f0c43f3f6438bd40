import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  judgeAptSources,
  judgeHostKeyTypes,
  judgeNetworkStack,
  judgeTmp,
} from '../../../src/boottest/release-checks.js';

describe('release checks (pure judges)', () => {
  it('apt sources: deb822 for trixie, one-line for bookworm, never both', () => {
    const deb822 = '/etc/apt/sources.list.d/debian.sources\n';
    const oneLine = '/etc/apt/sources.list\n';
    assert.equal(judgeAptSources(deb822, true).status, 'pass');
    assert.equal(judgeAptSources(oneLine, true).status, 'fail');
    assert.equal(judgeAptSources(deb822 + oneLine, true).status, 'fail');
    assert.equal(judgeAptSources(oneLine, false).status, 'pass');
    assert.equal(judgeAptSources(deb822, false).status, 'fail');
  });

  it('/tmp: tmpfs when expected, and nothing of the image hidden under it', () => {
    assert.equal(judgeTmp('tmpfs\n', '', true).status, 'pass');
    assert.equal(judgeTmp('', '', true).status, 'fail');
    assert.equal(judgeTmp('tmpfs', '.ansible-bootstrap\n', true).status, 'fail');
    assert.equal(judgeTmp('', '', false).status, 'pass');
    assert.equal(judgeTmp('tmpfs', '', false).status, 'fail');
    // Without a tmpfs, the root filesystem's /tmp is /tmp itself: runtime files are expected there.
    assert.equal(judgeTmp('', 'systemd-private-x\n', false).status, 'pass');
  });

  it('host keys: ed25519 present, no dsa', () => {
    const keys = ['rsa', 'ecdsa', 'ed25519'].map((k) => `/etc/ssh/ssh_host_${k}_key`).join('\n');
    assert.equal(judgeHostKeyTypes(keys).status, 'pass');
    assert.equal(judgeHostKeyTypes(`${keys}\n/etc/ssh/ssh_host_dsa_key`).status, 'fail');
    assert.equal(judgeHostKeyTypes('').status, 'fail');
  });

  it('network: networkd active with a routable Ethernet link; ifupdown manages no Ethernet link', () => {
    const links = '1 lo loopback carrier unmanaged\n2 ens3 ether routable configured\n';
    assert.equal(judgeNetworkStack('active\n', links, 'ifstate.lo\n', '').status, 'pass');
    assert.equal(judgeNetworkStack('active\n', links, '', '').status, 'pass');
    assert.equal(judgeNetworkStack('inactive\n', links, '', '').status, 'fail');
    assert.equal(judgeNetworkStack('active', '2 ens3 ether off unmanaged', '', '').status, 'fail');
    assert.equal(judgeNetworkStack('active', links, 'ifstate.ens3\nifstate.lo', '').status, 'fail');
    assert.equal(judgeNetworkStack('active', links, 'ifstate.lo', '50-cloud-init').status, 'fail');
  });
});
