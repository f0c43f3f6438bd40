/**
 * Checks over a booted guest of what differs between Debian releases, so a test proves the image got
 * its release's layout rather than one that happens to work: apt sources format (deb822
 * debian.sources from trixie on, one-line sources.list before), /tmp (a tmpfs from trixie on, with
 * nothing of the image hidden under it), SSH host key types (never DSA) and the network stack
 * (systemd-networkd; ifupdown, when installed, manages no Ethernet interface). The judges are pure; releaseGuestChecks runs the commands.
 */
import type { CheckResult } from './checks.js';
import type { GuestChecks, GuestShell } from './guest-session.js';

const pass = (name: string, _seconds: number, detail: string): CheckResult => ({
  name,
  status: 'pass',
  seconds: 0,
  detail,
});
const fail = (name: string, _seconds: number, detail: string): CheckResult => ({
  name,
  status: 'fail',
  seconds: 0,
  detail,
});

export interface ReleaseExpectations {
  /** deb822 /etc/apt/sources.list.d/debian.sources and no sources.list (trixie and later). */
  readonly deb822Sources: boolean;
  /** /tmp is a tmpfs (systemd's tmp.mount, trixie and later). */
  readonly tmpOnTmpfs: boolean;
}

export function judgeAptSources(listing: string, deb822: boolean): CheckResult {
  const files = listing
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const hasDeb822 = files.includes('/etc/apt/sources.list.d/debian.sources');
  const hasList = files.includes('/etc/apt/sources.list');
  const ok = deb822 ? hasDeb822 && !hasList : hasList && !hasDeb822;
  const detail = `${deb822 ? 'deb822 debian.sources expected' : 'one-line sources.list expected'}; found: ${files.join(', ') || 'nothing'}`;
  return ok ? pass('apt-sources-format', 0, detail) : fail('apt-sources-format', 0, detail);
}

/**
 * `fstype` of /tmp (empty when not a mount point) and what the root filesystem holds under /tmp. What
 * the root filesystem holds only matters under a tmpfs, where it is hidden and wasted; without one
 * (bookworm), /tmp is the root filesystem's own directory and its runtime files are expected.
 */
export function judgeTmp(fstype: string, hidden: string, tmpfs: boolean): CheckResult {
  const type = fstype.trim();
  const under = hidden
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const mountOk = tmpfs ? type === 'tmpfs' : type !== 'tmpfs';
  const detail = tmpfs
    ? `/tmp: ${type || 'not a mount point'} (tmpfs expected); hidden under it in the root filesystem: ${under.join(', ') || 'nothing'}`
    : `/tmp: ${type || 'not a mount point'} (no tmpfs expected)`;
  const ok = mountOk && (!tmpfs || under.length === 0);
  return ok ? pass('tmp-layout', 0, detail) : fail('tmp-layout', 0, detail);
}

export function judgeHostKeyTypes(listing: string): CheckResult {
  const keys = listing
    .split('\n')
    .map((l) => /ssh_host_(\w+)_key$/.exec(l.trim())?.[1])
    .filter((k): k is string => k !== undefined);
  const detail = `host key types: ${keys.join(', ') || 'none'}`;
  return keys.includes('ed25519') && !keys.includes('dsa')
    ? pass('host-key-types', 0, detail)
    : fail('host-key-types', 0, `${detail} (ed25519 expected, never dsa)`);
}

/**
 * `systemctl is-active systemd-networkd`, `networkctl list`, and what ifupdown has: `ls /run/network`
 * (its ifstate.<iface> files) and `ls /etc/network/interfaces.d` (where cloud-init's eni renderer
 * writes). ifupdown itself may be installed (it is priority important, so the debootstrap variant has
 * it) but must manage no Ethernet interface: one DHCP client per interface, networkd's.
 */
export function judgeNetworkStack(
  active: string,
  links: string,
  ifstate: string,
  interfacesD: string,
): CheckResult {
  const routable = links.split('\n').some((l) => /\b(en|eth)\S*\s+\S+\s+routable\s+configured/.test(l));
  const ifupdownLinks = ifstate.split(/\s+/).filter((f) => /^ifstate\.(en|eth)/.test(f));
  const eni = interfacesD.split(/\s+/).filter(Boolean);
  const detail =
    `systemd-networkd ${active.trim()}; ` +
    (routable ? 'an Ethernet link is routable and configured' : `links: ${links.trim()}`) +
    `; ifupdown manages ${ifupdownLinks.length > 0 ? ifupdownLinks.join(', ') : 'no Ethernet link'}` +
    `; /etc/network/interfaces.d: ${eni.join(', ') || 'empty'}`;
  return active.trim() === 'active' && routable && ifupdownLinks.length === 0 && eni.length === 0
    ? pass('network-stack', 0, detail)
    : fail('network-stack', 0, detail);
}

async function out(guest: GuestShell, command: string): Promise<string> {
  return (await guest.ssh(command, { timeoutMs: 60_000 })).stdout;
}

/** The release checks, over the boot test's SSH login (the user needs passwordless sudo). */
export function releaseGuestChecks(expect: ReleaseExpectations): GuestChecks {
  return async (guest) => {
    const sources = await out(guest, 'ls -d /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null');
    const fstype = await out(guest, 'findmnt -n -o FSTYPE --mountpoint /tmp');
    // What the root filesystem itself holds at /tmp, seen through a bind mount of / (the tmpfs hides it).
    const hidden = await out(
      guest,
      'sudo -n sh -c \'d=$(mktemp -d /run/rootfs.XXXXXX) && mount --bind / "$d" && ls -A "$d/tmp"; umount "$d"; rmdir "$d"\'',
    );
    const keys = await out(guest, 'ls /etc/ssh/ssh_host_*_key');
    const active = await out(guest, 'systemctl is-active systemd-networkd');
    const links = await out(guest, 'networkctl list --no-legend --no-pager');
    const ifstate = await out(guest, 'ls /run/network 2>/dev/null');
    const interfacesD = await out(guest, 'ls /etc/network/interfaces.d 2>/dev/null');
    const seconds = Math.round((guest.elapsed?.() ?? 0) * 10) / 10;
    return [
      judgeAptSources(sources, expect.deb822Sources),
      judgeTmp(fstype, hidden, expect.tmpOnTmpfs),
      judgeHostKeyTypes(keys),
      judgeNetworkStack(active, links, ifstate, interfacesD),
    ].map((c) => ({ ...c, seconds }));
  };
}
