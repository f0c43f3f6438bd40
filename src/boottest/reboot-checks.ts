/**
 * Checks of a second boot of the same instance (same disk, same instance id): what the first boot made
 * must be kept. Fresh host keys or a new machine id at every boot would break known_hosts and the
 * journal; a second user-data run is caught by the user-data-once check, whose count is cumulative.
 */
import type { CheckResult } from './checks.js';
import type { GuestFacts } from './guest-probe.js';

const check = (name: string, ok: boolean, seconds: number, detail: string): CheckResult => ({
  name,
  status: ok ? 'pass' : 'fail',
  seconds: Math.round(seconds * 10) / 10,
  detail,
});

function keyBody(pub: string | undefined): string | undefined {
  return pub?.trim().split(/\s+/)[1];
}

export function checkHostKeysKept(facts: GuestFacts, previous: GuestFacts, seconds: number): CheckResult {
  const now = keyBody(facts['host-key-pub']);
  const before = keyBody(previous['host-key-pub']);
  if (!now || !before) return check('host-keys-kept', false, seconds, 'no ed25519 host key to compare');
  return now === before
    ? check('host-keys-kept', true, seconds, 'the ed25519 host key is the one made at the first boot')
    : check('host-keys-kept', false, seconds, 'the host keys changed across the reboot');
}

export function checkMachineIdKept(facts: GuestFacts, previous: GuestFacts, seconds: number): CheckResult {
  const now = (facts['machine-id'] ?? '').trim();
  const before = (previous['machine-id'] ?? '').trim();
  return check(
    'machine-id-kept',
    now !== '' && now === before,
    seconds,
    now === before ? `${now}, as at the first boot` : `was ${before}, now ${now}`,
  );
}
