/**
 * The AWS side of `--dry-run` (issue 17, item 2): clients whose requests never leave the process. A
 * middleware at the end of the initialize step, after the call recorder, answers each call with what
 * the task's code needs to go on: placeholder ids (`<ami>`, `<root snapshot>`), resources that are
 * at once `available`, `completed` or `running`, and no existing AMI of the build's name. A build's
 * volume moves through its states (created, attached, detached), so the EBS route's waits end as in
 * a real build. Tasks run the same code in a dry run as in a build, and the report lists the calls
 * with the parameters the build would send.
 */
type Input = Record<string, unknown>;
type Answer = Record<string, unknown>;

interface Stack {
  add(
    middleware: (
      next: unknown,
      context: { commandName?: string },
    ) => (args: { input: Input }) => Promise<unknown>,
    options: { step: 'initialize'; name: string; priority: 'low' },
  ): void;
}

/** Placeholders standing for the ids a real build gets back. */
export const DRY_RUN_IDS = {
  account: '<account>',
  image: '<ami>',
  snapshot: '<root snapshot>',
  volume: '<volume>',
  instance: '<instance>',
} as const;

/** Answers calls without sending them; one per client set, so the volume's state is the build's. */
export function createDryRunResponder(): (operation: string, input: Input) => Answer {
  const volume = { state: 'available', attachedTo: undefined as string | undefined };
  return (operation, input) => {
    switch (operation) {
      case 'GetCallerIdentity':
        return { Account: DRY_RUN_IDS.account, Arn: '<caller>', UserId: '<caller>' };
      case 'DescribeImages': {
        const ids = input['ImageIds'] as string[] | undefined;
        if (!ids) return { Images: [] }; // a lookup by name or tag: nothing is registered yet
        return {
          Images: ids.map((ImageId) => ({
            ImageId,
            State: 'available',
            BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: DRY_RUN_IDS.snapshot } }],
          })),
        };
      }
      case 'RegisterImage':
        return { ImageId: DRY_RUN_IDS.image };
      case 'CopyImage':
        return { ImageId: '<ami copy>' };
      case 'StartSnapshot':
        return {
          SnapshotId: DRY_RUN_IDS.snapshot,
          BlockSize: 524288,
          VolumeSize: input['VolumeSize'],
          Status: 'pending',
        };
      case 'CompleteSnapshot':
        return { Status: 'completed' };
      case 'CreateSnapshot':
        return { SnapshotId: DRY_RUN_IDS.snapshot, State: 'pending' };
      case 'DescribeSnapshots': {
        const ids = input['SnapshotIds'] as string[] | undefined;
        return { Snapshots: (ids ?? []).map((SnapshotId) => ({ SnapshotId, State: 'completed' })) };
      }
      case 'CreateVolume':
        volume.state = 'available';
        return { VolumeId: DRY_RUN_IDS.volume, State: 'creating' };
      case 'AttachVolume':
        volume.state = 'in-use';
        volume.attachedTo = input['InstanceId'] as string | undefined;
        return { State: 'attaching' };
      case 'DetachVolume':
        volume.state = 'available';
        volume.attachedTo = undefined;
        return { State: 'detaching' };
      case 'DescribeVolumes': {
        const ids = input['VolumeIds'] as string[] | undefined;
        return {
          Volumes: (ids ?? []).map((VolumeId) => ({
            VolumeId,
            State: volume.state,
            Attachments: volume.attachedTo
              ? [{ InstanceId: volume.attachedTo, State: 'attached', VolumeId }]
              : [],
          })),
        };
      }
      case 'RunInstances':
        return { Instances: [{ InstanceId: DRY_RUN_IDS.instance }] };
      case 'DescribeInstances': {
        const ids = (input['InstanceIds'] as string[] | undefined) ?? [];
        return {
          Reservations: ids.length
            ? [
                {
                  Instances: ids.map((InstanceId) => ({
                    InstanceId,
                    State: { Name: 'running' },
                    PublicIpAddress: '<public ip>',
                    BlockDeviceMappings: [{ DeviceName: '/dev/xvda' }],
                  })),
                },
              ]
            : [],
        };
      }
      default:
        // Tagging, permissions, deprecation, deletes, uploads: an empty success.
        return {};
    }
  };
}

/** Makes a client answer every call with `respond` instead of sending it. */
export function answerWithoutSending(
  client: { middlewareStack: unknown },
  respond: (operation: string, input: Input) => Answer,
): void {
  (client.middlewareStack as Stack).add(
    (_next, context) => async (args) => {
      const operation = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      return { output: { $metadata: {}, ...respond(operation, args.input) }, response: {} };
    },
    { step: 'initialize', name: 'debianImageBootstrapDryRun', priority: 'low' },
  );
}
