/**
 * Issue 13 item 1: the way in needs nothing in the image (the systemd credential), so no check is
 * skipped for want of a login: a login that cannot work fails with the reason, and `skipped` is left
 * for checks that do not apply (user-data, root growth, IMDSv2 on an image with nothing to judge).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkRootFillsDiskIfApplies,
  checkUserDataIfApplies,
  parseAgents,
} from '../../../src/boottest/checks.js';
import type { ConsoleWatch } from '../../../src/boottest/console-watch.js';
import { sshGiveUp, systemdVersion } from '../../../src/boottest/guest-session.js';
import type { ImdsRequest } from '../../../src/boottest/imds-server.js';

const serial = (text: string): ConsoleWatch => ({
  text: () => text,
  waitFor: () => Promise.reject(new Error('unused')),
  ended: new Promise<void>(() => {}),
  close: () => Promise.resolve(),
});
const TRIXIE = '[   54.7] systemd[1]: systemd 257.13-1~deb13u1 running in system mode (+PAM +AUDIT)';
const BOOKWORM = '[    3.1] systemd[1]: systemd 252.39-1~deb12u2 running in system mode (+PAM)';
const REFUSED = 'root@127.0.0.1: Permission denied (publickey).';
const CLOSED = 'kex_exchange_identification: read: Connection reset by peer';
const keyRequest: ImdsRequest = {
  method: 'GET',
  path: '/latest/meta-data/public-keys/0/openssh-key',
  status: 200,
} as ImdsRequest;

describe('the way in', () => {
  const input = (text: string, requests: ImdsRequest[] = [], user = 'root') => ({
    ssh: { user, port: 2222, key: '/k' },
    requests,
    console: serial(text),
    sshGraceMs: 60_000,
  });

  it("reads systemd's version from its start-up line", () => {
    assert.equal(systemdVersion(TRIXIE), 257);
    assert.equal(systemdVersion(BOOKWORM), 252);
    assert.equal(systemdVersion('Welcome to Debian'), undefined);
  });

  it('keeps waiting within the grace after the login prompt', () => {
    assert.equal(sshGiveUp(input(TRIXIE), [CLOSED], 59_000), undefined);
  });

  it('gives up when nothing answered on port 22 after the grace: sshd is not running', () => {
    const why = sshGiveUp(input(TRIXIE), [CLOSED, CLOSED], 61_000);
    assert.match(
      why ?? '',
      /nothing answered on the guest's port 22 for 61 s after the login prompt \(is sshd running and enabled\?\)/,
    );
  });

  it('gives up when sshd refuses the key and no route gave it, saying why (bookworm: systemd 252)', () => {
    const why = sshGiveUp(input(BOOKWORM), [CLOSED, REFUSED], 61_000);
    assert.match(why ?? '', /sshd refused the boot test's key as root/);
    assert.match(why ?? '', /nothing in the guest fetched the key from the metadata service/);
    assert.match(why ?? '', /systemd 252 does not import SMBIOS credentials \(254 or later does\)/);
    assert.match(sshGiveUp(input(TRIXIE, [], 'admin'), [REFUSED], 61_000) ?? '', /root's only, not admin's/);
  });

  it('keeps waiting while a metadata client fetched the key (cloud-init may install it, or start sshd, late)', () => {
    assert.equal(sshGiveUp(input(BOOKWORM, [keyRequest]), [REFUSED], 300_000), undefined);
    assert.equal(sshGiveUp(input(TRIXIE, [keyRequest]), [CLOSED], 300_000), undefined);
  });
});

describe('checks that do not apply are skipped with the reason; the others run', () => {
  const bare = { agents: '' };
  const cloudInit = { agents: '/usr/bin/cloud-init', 'user-data-runs': '1' };

  it('reads cloud-init, ec2-* units and root growers from the probe', () => {
    assert.deepEqual(
      parseAgents({ agents: '/usr/bin/cloud-init\nec2-grow-root.service\nec2-user-data.service' }),
      {
        cloudInit: true,
        ec2Units: ['ec2-grow-root.service', 'ec2-user-data.service'],
        growers: ['cloud-init growpart', 'ec2-grow-root.service'],
      },
    );
    assert.deepEqual(parseAgents({ agents: 'x-systemd.growfs' }).growers, ['x-systemd.growfs']);
    // The expand_root plugin's unit grows the root too (seen in CI: its image's check was called N/A).
    assert.deepEqual(parseAgents({ agents: 'expand-root.service' }), {
      cloudInit: false,
      ec2Units: [],
      growers: ['expand-root.service'],
    });
  });

  it('user-data does not apply to an image with nothing that runs it and no request for it', () => {
    const c = checkUserDataIfApplies(bare, [], 3);
    assert.equal(c.status, 'skipped');
    assert.match(c.detail, /^does not apply: nothing in the image runs user-data/);
    assert.equal(checkUserDataIfApplies(cloudInit, [], 3).status, 'pass');
    // cloud-init present but the script never ran: a failure, not a skip.
    assert.equal(checkUserDataIfApplies({ agents: '/usr/bin/cloud-init' }, [], 3).status, 'fail');
  });

  it('root growth does not apply without a grower, and is judged with one', () => {
    const c = checkRootFillsDiskIfApplies(bare, 3);
    assert.equal(c.status, 'skipped');
    assert.match(c.detail, /does not apply: nothing in the image grows the root/);
    const grown = checkRootFillsDiskIfApplies(
      {
        agents: 'ec2-grow-root.service',
        root: '/dev/vda1 3000000000',
        lsblk: 'vda 3221225472 disk \nvda1 3220176896 part vda',
      },
      3,
    );
    assert.equal(grown.status, 'pass', grown.detail);
    assert.match(grown.detail, /\(grown by ec2-grow-root.service\)$/);
  });
});
