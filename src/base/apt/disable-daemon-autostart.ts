/**
 * base/disable-daemon-autostart: a policy-rc.d that answers 101 ("action forbidden"), so packages
 * installed in the chroot do not start their daemons on the build host. Undo removes it; the
 * system-cleaning hygiene task removes it from a successful build.
 */
import { join } from 'node:path';
import { imageRoot, ROOT_DIR, type Task } from '../../api/index.js';

export const POLICY_RC_D = 'usr/sbin/policy-rc.d';
export const POLICY_RC_D_CONTENT =
  '#!/bin/sh\n# Written by the image build: no daemon starts in the chroot.\nexit 101\n';

export const disableDaemonAutostart: Task = {
  id: 'base/disable-daemon-autostart',
  phase: 'package-installation',
  description: 'Disabling daemon autostart in the chroot',
  before: ['base/apt-update'],
  async run(ctx) {
    const root = imageRoot(ctx);
    await ctx.fs.mkdir(join(root, 'usr/sbin'));
    await ctx.fs.writeFile(join(root, POLICY_RC_D), POLICY_RC_D_CONTENT, { mode: 0o755 });
  },
  async undo(ctx) {
    const root = ctx.state.get(ROOT_DIR);
    if (root === undefined) return;
    await ctx.fs.remove(join(root, POLICY_RC_D));
  },
};
