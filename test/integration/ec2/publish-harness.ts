/**
 * Runs only the EC2 publishing steps (connect, check-ami-name, upload-snapshot, register-image) of a
 * raw-backed build through the real engine (rollback, journal), against moto, on an image file made
 * for the test: the full build is tested once; the many rollback cases do not need one each.
 * Also the entry point of a child process for the SIGKILL test (see the bottom of the file).
 */
import { pathToFileURL } from 'node:url';
import {
  VOLUME,
  defineTask,
  plannedVolume,
  volumeImageCreated,
  type BuildEvent,
  type ManifestData,
} from '../../../src/api/index.js';
import { createFileJournal } from '../../../src/engine/cloud-journal-file.js';
import { runPlan, type BuildResult } from '../../../src/engine/run-plan.js';
import { createHostFs, createRecordingRunner } from '../../../src/runner/index.js';
import * as ec2 from '../../../plugins/ec2/tasks.js';
import { publishImage } from '../../../plugins/ec2_publish/index.js';
import { baseManifestData, testManifest } from '../../helpers/fake-context.js';

export interface PublishStepsOptions {
  readonly image: string;
  readonly runId: string;
  /** moto, or the fault proxy in front of it. */
  readonly endpoint: string;
  readonly journalDir: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: BuildEvent) => void;
  /** Settings of the ec2_publish plugin; its task runs after registration when given. */
  readonly publish?: Record<string, unknown>;
}

export const TEST_AMI_PREFIX = 'debian-h1-publish';

export async function runPublishSteps(o: PublishStepsOptions): Promise<BuildResult> {
  const data: ManifestData = {
    ...baseManifestData,
    name: `${TEST_AMI_PREFIX}-${o.runId}`,
    tags: { Name: 'debian-{system.release}' },
    provider: {
      name: 'ec2',
      virtualization: 'hvm',
      description: 'Debian {system.release} publishing test',
      enhanced_networking: 'simple',
      region: 'us-east-1',
      // The manifest route for endpoints and credentials (a build with the environment is tested too).
      endpoints: { ec2: o.endpoint, ebs: o.endpoint, sts: o.endpoint },
      credentials: { 'access-key': 'AKIAMOTOTESTKEY00002', 'secret-key': 'moto-manifest-secret-not-real' },
      snapshot_upload: { concurrency: 4 },
    },
    volume: { ...baseManifestData.volume, backing: 'raw' },
    ...(o.publish ? { plugins: { ec2_publish: o.publish } } : {}),
  };
  const manifest = testManifest(data);
  const seed = defineTask({
    id: 'test/seed-image-file',
    phase: 'preparation',
    description: 'Point the volume state at the test image file',
    async run(ctx) {
      const volume = plannedVolume({ backing: 'raw', sizeBytes: 0, partitionMap: 'gpt', partitions: [] });
      volumeImageCreated(volume, o.image);
      ctx.state.set(VOLUME, volume);
    },
  });
  const plan = {
    tasks: [
      seed,
      ec2.connect,
      ec2.checkAmiName,
      ec2.uploadSnapshot,
      ec2.registerImage,
      ...(o.publish ? [publishImage] : []),
    ].map((task) => ({
      task,
      plugin: task.id.split('/')[0] as string,
    })),
  };
  return runPlan(plan, {
    manifest,
    workspace: '/nonexistent',
    runner: createRecordingRunner(),
    fs: createHostFs(),
    events: { emit: (e) => o.onEvent?.(e) },
    signal: o.signal ?? new AbortController().signal,
    dryRun: false,
    runId: o.runId,
    journal: createFileJournal(o.runId, o.journalDir),
  });
}

// Child-process entry for the SIGKILL test: publish-harness.ts IMAGE RUNID ENDPOINT JOURNALDIR
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [image, runId, endpoint, journalDir] = process.argv.slice(2) as [string, string, string, string];
  const result = await runPublishSteps({
    image,
    runId,
    endpoint,
    journalDir,
    onEvent: (e) => {
      if (e.type === 'log') process.stderr.write(`${e.message}\n`);
    },
  });
  process.exitCode = result.status === 'success' ? 0 : 1;
}
