/**
 * Run-time proofs for the plugins image, as boot-test guest checks: they run over the boot test's SSH
 * login as the admin_user user, after the built-in checks (root-fills-disk proves expand_root).
 */
import type { CheckResult, GuestShell } from '../../../src/boottest/index.js';

export interface ProofInput {
  /** ntp's servers from the manifest, in order. */
  readonly ntpServers: readonly string[];
  /** The root partition's size in the built image, bytes: the booted one must be bigger. */
  readonly imageRootBytes: number;
  /** docker_opts' log driver. */
  readonly dockerLogDriver: string;
}

type Verdict = Omit<CheckResult, 'seconds'>;

const pass = (name: string, detail: string): Verdict => ({ name, status: 'pass', detail });
const fail = (name: string, detail: string): Verdict => ({ name, status: 'fail', detail });

export function pluginProofs(p: ProofInput): (guest: GuestShell) => Promise<CheckResult[]> {
  return async (guest) => {
    const results: CheckResult[] = [];
    const proofs = [adminSudo, rootSshRefused, expandRoot(p), dockerRunning(p), ntpConfigured(p)];
    for (const proof of proofs) {
      const v = await proof(guest);
      results.push({ ...v, seconds: guest.elapsed?.() ?? 0 });
    }
    return results;
  };
}

const out = (r: { code: number; stdout: string; stderr: string }) =>
  `exit ${r.code}: ${(r.stdout + r.stderr).trim().slice(0, 300)}`;

async function adminSudo(g: GuestShell): Promise<Verdict> {
  const r = await g.ssh('sudo -n id -u');
  return r.code === 0 && r.stdout.trim() === '0'
    ? pass('admin-passwordless-sudo', 'sudo -n id -u printed 0 without a password')
    : fail('admin-passwordless-sudo', out(r));
}

/**
 * Root is given the very key the admin logs in with, so a refusal can only come from sshd's
 * PermitRootLogin no, not from a missing key.
 */
async function rootSshRefused(g: GuestShell): Promise<Verdict> {
  const copy = await g.ssh(
    'sudo -n install -D -m 0600 -o root -g root "$HOME/.ssh/authorized_keys" /root/.ssh/authorized_keys',
  );
  if (copy.code !== 0) return fail('root-ssh-refused', `could not give root the key: ${out(copy)}`);
  const effective = await g.ssh('sudo -n sshd -T');
  const permit = /^permitrootlogin (\S+)$/m.exec(effective.stdout)?.[1];
  const root = await g.ssh('id -u', { user: 'root' });
  if (root.code !== 255) return fail('root-ssh-refused', `root logged in with the admin's key: ${out(root)}`);
  if (permit !== 'no') return fail('root-ssh-refused', `sshd -T says permitrootlogin ${permit ?? '?'}`);
  return pass(
    'root-ssh-refused',
    `root with an authorized key refused (${root.stderr.trim()}); permitrootlogin no`,
  );
}

function expandRoot(p: ProofInput) {
  return async (g: GuestShell): Promise<Verdict> => {
    const unit = await g.ssh(
      'systemctl show -p Result --value expand-root.service; journalctl -b -u expand-root.service --no-pager -o cat 2>/dev/null | tail -3',
    );
    const size = await g.ssh('lsblk -bno SIZE "$(findmnt -no SOURCE /)"');
    const rootBytes = Number(size.stdout.trim());
    if (!(rootBytes > p.imageRootBytes))
      return fail(
        'expand-root-grew',
        `root partition ${rootBytes} bytes, not more than the image's ${p.imageRootBytes}; ${out(unit)}`,
      );
    if (!unit.stdout.startsWith('success'))
      return fail('expand-root-grew', `expand-root.service: ${out(unit)}`);
    return pass(
      'expand-root-grew',
      `root partition ${p.imageRootBytes} -> ${rootBytes} bytes; expand-root.service: success`,
    );
  };
}

function dockerRunning(p: ProofInput) {
  return async (g: GuestShell): Promise<Verdict> => {
    // dockerd starts late and slowly under software emulation: wait for systemd to settle on it.
    const active = await g.ssh(
      'for i in $(seq 1 90); do s=$(systemctl is-active docker); [ "$s" = activating ] || break; sleep 2; done; echo "$s"',
      { timeoutMs: 240_000 },
    );
    if (active.stdout.trim() !== 'active')
      return fail('docker-running', `systemctl is-active docker: ${out(active)}`);
    const info = await g.ssh("sudo -n docker info --format '{{.ServerVersion}} {{.LoggingDriver}}'", {
      timeoutMs: 60_000,
    });
    const [version = '', driver = ''] = info.stdout.trim().split(/\s+/);
    if (info.code !== 0 || !version) return fail('docker-running', `docker info: ${out(info)}`);
    if (driver !== p.dockerLogDriver)
      return fail(
        'docker-running',
        `docker info: logging driver ${driver}, docker_opts asked for ${p.dockerLogDriver}`,
      );
    return pass(
      'docker-running',
      `docker.service active; docker info: server ${version}, logging driver ${driver}`,
    );
  };
}

function ntpConfigured(p: ProofInput) {
  return async (g: GuestShell): Promise<Verdict> => {
    const active = await g.ssh('systemctl is-active systemd-timesyncd');
    const servers = await g.ssh('timedatectl show-timesync --property=SystemNTPServers --value');
    const want = p.ntpServers.join(' ');
    if (active.stdout.trim() !== 'active') return fail('ntp-configured', `systemd-timesyncd: ${out(active)}`);
    if (servers.stdout.trim() !== want)
      return fail(
        'ntp-configured',
        `SystemNTPServers "${servers.stdout.trim()}", the manifest says "${want}"`,
      );
    return pass('ntp-configured', `systemd-timesyncd active with servers ${want}`);
  };
}
