/**
 * The closed, ordered list of build phases, owned by the core. It is bootstrap-vz's list
 * (common/phases.py) with kebab-case ids; a task belongs to exactly one phase, and every task of an
 * earlier phase runs before every task of a later one.
 */
export const PHASES = [
  {
    id: 'validation',
    name: 'Validation',
    description: 'Check the manifest and the host before any work starts',
  },
  { id: 'preparation', name: 'Preparation', description: 'Gather information and create the workspace' },
  { id: 'volume-creation', name: 'Volume creation', description: 'Create the volume and attach it' },
  { id: 'volume-preparation', name: 'Volume preparation', description: 'Partition and format the volume' },
  { id: 'volume-mounting', name: 'Volume mounting', description: 'Mount the filesystems of the volume' },
  { id: 'os-installation', name: 'OS installation', description: 'Bootstrap the Debian base system' },
  {
    id: 'package-installation',
    name: 'Package installation',
    description: 'Configure apt and install packages',
  },
  { id: 'system-modification', name: 'System modification', description: 'Configure the installed system' },
  { id: 'user-modification', name: 'User modification', description: 'Run user-supplied changes' },
  { id: 'system-cleaning', name: 'System cleaning', description: 'Remove build traces from the image' },
  { id: 'volume-unmounting', name: 'Volume unmounting', description: 'Unmount and detach the volume' },
  {
    id: 'image-registration',
    name: 'Image registration',
    description: 'Convert, upload or register the image',
  },
  { id: 'cleaning', name: 'Cleaning', description: 'Remove temporary resources' },
] as const;

export type Phase = (typeof PHASES)[number]['id'];

export const PHASE_IDS: readonly Phase[] = PHASES.map((p) => p.id);

/** Position of a phase in execution order (0-based). */
export function phaseIndex(phase: Phase): number {
  return PHASE_IDS.indexOf(phase);
}

export function isPhase(value: string): value is Phase {
  return (PHASE_IDS as readonly string[]).includes(value);
}
