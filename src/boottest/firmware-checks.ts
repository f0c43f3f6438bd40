/**
 * Checks of the boot's trust chain, run in the guest over the boot test's login: Secure Boot
 * (`--secure-boot`: the firmware enforced it and shim -> grub -> kernel was the chain) and a TPM 2.0
 * (`--tpm`: the guest sees it and the firmware measured the boot). The guest's answers are parsed into
 * facts and judged by pure functions, so every verdict is unit tested from recorded outputs.
 */
import type { CheckResult } from './checks.js';
import { parseProbe, type GuestFacts } from './guest-probe.js';
import type { GuestChecks, GuestShell } from './guest-session.js';

const EFI_GLOBAL = '8be4df61-93ca-11d2-aa0d-00e098032b8c';
/** shim's vendor GUID: MokListRT, MokListXRT and SbatLevelRT exist only when shim loaded the boot. */
const SHIM_GUID = '605dab50-e046-4300-abb6-3dd810dd8b23';

/** Runs as root (directly or through passwordless sudo): efivars, securityfs and dmesg need it. */
function asRoot(script: string): string {
  const quoted = `'${script.replace(/'/g, `'\\''`)}'`;
  return `if [ "$(id -u)" = 0 ]; then sh -c ${quoted}; else sudo -n sh -c ${quoted}; fi`;
}

export const SECURE_BOOT_PROBE = asRoot(
  [
    `echo '### secure-boot-var'; od -An -tu1 /sys/firmware/efi/efivars/SecureBoot-${EFI_GLOBAL} 2>/dev/null`,
    `echo '### efi'; [ -d /sys/firmware/efi ] && echo yes`,
    `echo '### shim-vars'; ls /sys/firmware/efi/mok-variables 2>/dev/null; ls /sys/firmware/efi/efivars 2>/dev/null | grep -- '-${SHIM_GUID}$'`,
    "echo '### lockdown'; cat /sys/kernel/security/lockdown 2>/dev/null",
    "echo '### cmdline'; cat /proc/cmdline",
    "echo '### kernel-log'; dmesg 2>/dev/null | grep -iE 'secure ?boot|lockdown|MokListRT|X\\.509' | head -30",
  ].join('\n'),
);

export const TPM_PROBE = asRoot(
  [
    "echo '### tpm-devices'; ls /dev/tpm0 /dev/tpmrm0 2>/dev/null",
    "echo '### tpm-version'; cat /sys/class/tpm/tpm0/tpm_version_major 2>/dev/null",
    "echo '### event-log-bytes'; wc -c < /sys/kernel/security/tpm0/binary_bios_measurements 2>/dev/null",
    "echo '### pcrs'; for i in 0 1 2 3 4 5 6 7; do printf '%s ' $i; cat /sys/class/tpm/tpm0/pcr-sha256/$i 2>/dev/null || echo; done",
    "echo '### kernel-log'; dmesg 2>/dev/null | grep -iE 'tpm' | head -10",
  ].join('\n'),
);

const result = (name: string, ok: boolean, seconds: number, detail: string): CheckResult => ({
  name,
  status: ok ? 'pass' : 'fail',
  seconds,
  detail,
});

/** The last byte of an efivar read with `od -An -tu1` (the first four are its attributes). */
function efivarValue(od: string | undefined): number | undefined {
  const bytes = (od ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
  return bytes.length > 4 ? bytes.at(-1) : undefined;
}

export function judgeSecureBoot(f: GuestFacts, seconds: number): CheckResult {
  const name = 'secure-boot';
  if (f['efi'] !== 'yes') return result(name, false, seconds, 'the guest did not boot with UEFI');
  const value = efivarValue(f['secure-boot-var']);
  const kernel = (f['kernel-log'] ?? '')
    .split('\n')
    .map((l) => l.replace(/^\[\s*[\d.]+\]\s*/, '').trim())
    .find((l) => /secure ?boot (enabled|disabled)/i.test(l));
  if (value === undefined) return result(name, false, seconds, 'no SecureBoot variable in the guest');
  if (value !== 1) {
    return result(name, false, seconds, `SecureBoot=${value}: the firmware did not enforce Secure Boot`);
  }
  return result(name, true, seconds, `SecureBoot=1${kernel ? `, kernel: "${kernel}"` : ''}`);
}

/**
 * shim -> grub -> kernel: shim leaves its MokListRT/SbatLevelRT variables, grub puts BOOT_IMAGE= on
 * the kernel command line, and a kernel that verified it was booted securely locks itself down.
 */
export function judgeSecureBootChain(f: GuestFacts, seconds: number): CheckResult {
  const name = 'secure-boot-chain';
  const shimVars = (f['shim-vars'] ?? '')
    .split('\n')
    .map((l) => l.trim().replace(`-${SHIM_GUID}`, ''))
    .filter(Boolean);
  const shim = shimVars.some((v) => /^(MokListRT|MokListXRT|SbatLevelRT)/.test(v));
  const grub = /(^|\s)BOOT_IMAGE=/.test(f['cmdline'] ?? '');
  const lockdown = /\[(integrity|confidentiality)\]/.exec(f['lockdown'] ?? '')?.[1];
  const missing = [
    shim ? undefined : 'no shim variables (MokListRT, SbatLevelRT): shim did not load the boot',
    grub ? undefined : 'no BOOT_IMAGE= on the kernel command line: grub did not start the kernel',
    lockdown
      ? undefined
      : `the kernel is not locked down (${(f['lockdown'] ?? '').trim() || 'no /sys/kernel/security/lockdown'})`,
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) return result(name, false, seconds, missing.join('; '));
  const uniq = [...new Set(shimVars.filter((v) => /^(MokListRT|MokListXRT|SbatLevelRT)/.test(v)))];
  return result(
    name,
    true,
    seconds,
    `shim (${uniq.join(', ')}) -> grub (BOOT_IMAGE=) -> kernel (lockdown ${lockdown})`,
  );
}

export function judgeTpmDevice(f: GuestFacts, seconds: number): CheckResult {
  const name = 'tpm-device';
  const devices = (f['tpm-devices'] ?? '').split('\n').map((l) => l.trim());
  const version = (f['tpm-version'] ?? '').trim();
  if (!devices.includes('/dev/tpmrm0')) {
    const log = (f['kernel-log'] ?? '').split('\n')[0]?.trim();
    return result(name, false, seconds, `no /dev/tpmrm0 in the guest${log ? ` (kernel: "${log}")` : ''}`);
  }
  if (version !== '2')
    return result(name, false, seconds, `the TPM is version ${version || 'unknown'}, not 2`);
  return result(name, true, seconds, `${devices.filter(Boolean).join(', ')}, TPM 2.0`);
}

const ZERO_PCR = /^0+$/;

export function judgeMeasuredBoot(f: GuestFacts, seconds: number): CheckResult {
  const name = 'tpm-measured-boot';
  const bytes = Number((f['event-log-bytes'] ?? '').trim());
  const pcrs = (f['pcrs'] ?? '')
    .split('\n')
    .map((l) => /^(\d+) ([0-9A-Fa-f]*)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ index: Number(m[1]), value: m[2] ?? '' }));
  const extended = pcrs.filter((p) => p.value !== '' && !ZERO_PCR.test(p.value)).map((p) => p.index);
  if (!Number.isFinite(bytes) || bytes <= 0) {
    return result(
      name,
      false,
      seconds,
      'no TPM event log (/sys/kernel/security/tpm0/binary_bios_measurements)',
    );
  }
  if (pcrs.length > 0 && extended.length === 0)
    return result(name, false, seconds, `event log of ${bytes} bytes, but PCRs 0-7 are all zero`);
  return result(
    name,
    true,
    seconds,
    `event log of ${bytes} bytes` +
      (pcrs.length > 0 ? `, sha256 PCRs extended: ${extended.join(', ')}` : ' (PCRs not readable in sysfs)'),
  );
}

async function probe(guest: GuestShell, script: string): Promise<GuestFacts> {
  const r = await guest.ssh(script, { timeoutMs: 60_000 });
  return parseProbe(r.stdout);
}

export const secureBootChecks: GuestChecks = async (guest) => {
  const f = await probe(guest, SECURE_BOOT_PROBE);
  const t = guest.elapsed?.() ?? 0;
  return [judgeSecureBoot(f, t), judgeSecureBootChain(f, t)];
};

export const tpmChecks: GuestChecks = async (guest) => {
  const f = await probe(guest, TPM_PROBE);
  const t = guest.elapsed?.() ?? 0;
  return [judgeTpmDevice(f, t), judgeMeasuredBoot(f, t)];
};

/** Runs each set of guest checks in turn over the same login. */
export function combineGuestChecks(...sets: readonly (GuestChecks | undefined)[]): GuestChecks | undefined {
  const present = sets.filter((g): g is GuestChecks => g !== undefined);
  if (present.length === 0) return undefined;
  return async (guest) => {
    const all: CheckResult[] = [];
    for (const g of present) all.push(...(await g(guest)));
    return all;
  };
}
