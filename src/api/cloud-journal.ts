/**
 * The cloud resource journal: what a build created outside this machine (snapshots, AMIs, volumes,
 * S3 objects), written to disk before and right after each create call. Rollback undoes resources
 * through the tasks' `undo`; the journal is for what rollback never got to run for (SIGKILL, power
 * cut, expired credentials): `bootstrap cleanup` reads it and calls the plugin's cleaner per kind.
 *
 * Protocol for a plugin: `intend` before the create call (so a crash during the call still leaves a
 * line naming the run, region and client token), `created` as soon as the id is known, `released`
 * when its undo deleted it. Resources recorded with `product: true` (the AMI and its snapshot) are
 * marked kept by the engine when the build succeeds; anything else still open after a build is a leak
 * that `cleanup` removes.
 */

/** A resource outside the host; `key` is unique in the run (use the create call's client token). */
export interface CloudResourceIntent {
  /** Plugin that owns the cleaner for this kind (e.g. `ec2`). */
  readonly plugin: string;
  /** Resource kind, matching a cleaner's `kind` (e.g. `snapshot`, `image`, `volume`, `s3-object`). */
  readonly kind: string;
  readonly key: string;
  readonly region?: string;
  /** Custom endpoint the resource lives behind (an emulator, a compatible cloud); never credentials. */
  readonly endpoint?: string;
  /** Part of the build's product: kept, not cleaned, once the build succeeds. */
  readonly product?: boolean;
  /** Anything else the cleaner needs (bucket name, parent id...); never secrets. */
  readonly detail?: Readonly<Record<string, string>>;
}

export interface CloudJournal {
  readonly runId: string;
  /** Records the intent to create a resource; resolves once the line is on disk. */
  intend(resource: CloudResourceIntent): Promise<void>;
  /** Records the id the create call returned for the resource with this key. */
  created(key: string, id: string): Promise<void>;
  /** Records that the resource is gone (undone, or deleted by design such as a build volume). */
  released(key: string): Promise<void>;
}

/** The journal's view of one resource, after replaying its lines. */
export interface CloudResourceRecord extends CloudResourceIntent {
  readonly runId: string;
  id?: string;
  state: 'intended' | 'created' | 'released' | 'kept';
}

/** Where cleanup looks for one resource kind; credentials come from the environment or a profile. */
export interface CleanupScope {
  readonly runId: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly profile?: string;
  readonly log: (message: string) => void;
}

/**
 * Deletes leftovers of one kind. Declared on the Plugin (`cleaners`), in deletion order: a plugin lists
 * its images before their snapshots, since a snapshot an image uses cannot be deleted.
 */
export interface CloudCleaner {
  readonly kind: string;
  /**
   * Ids of resources of this kind tagged with the run (the build tag), so a resource whose id never
   * reached the journal is still found. Resources marked kept are filtered out by the caller.
   */
  findTagged?(scope: CleanupScope): Promise<string[]>;
  /** Deletes one resource; `absent` when it was already gone. */
  remove(id: string, scope: CleanupScope): Promise<'deleted' | 'absent'>;
  /** Closes connections the cleaner opened (called once cleanup is done; may run more than once). */
  dispose?(): Promise<void>;
}

/** Tag key on every cloud resource a build creates; its value is the run id. */
export const BUILD_TAG_KEY = 'debian-image-bootstrap:run';
