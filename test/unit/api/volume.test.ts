/**
 * The volume record's state machine (src/api/volume.ts): the transitions in build order, each
 * refusing a wrong starting state with a BuildError, rollbacks that never throw, and the raw image
 * path kept apart from the output whatever the format.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BuildError,
  plannedVolume,
  rawImageFile,
  rollBackAttach,
  rollBackExport,
  rollBackMount,
  volumeAttached,
  volumeDetached,
  volumeExported,
  volumeImageCreated,
  volumeMounted,
  volumeOutputMoved,
  volumeUnmounted,
  type Backing,
  type ImageFormat,
  type VolumeInfo,
} from '../../../src/api/index.js';

const RAW = '/ws/run/volume.raw';

function planned(backing: Backing = 'raw'): VolumeInfo {
  return plannedVolume({
    backing,
    sizeBytes: 2 ** 30,
    partitionMap: 'gpt',
    partitions: [{ name: 'root', number: 1, startBytes: 2 ** 20, sizeBytes: 2 ** 29 }],
  });
}

/** A file-backed volume taken through every step up to detached. */
function detached(backing: Backing = 'raw'): VolumeInfo {
  const v = planned(backing);
  volumeImageCreated(v, RAW);
  volumeAttached(v, '/dev/loop0');
  volumeMounted(v);
  volumeUnmounted(v);
  volumeDetached(v);
  return v;
}

function refused(fn: () => void, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof BuildError && message.test(e.message));
}

describe('volume state machine', () => {
  it('goes planned, attached, mounted, attached, detached, exported in build order', () => {
    const v = planned();
    assert.equal(v.state, 'planned');
    volumeImageCreated(v, RAW);
    assert.equal(v.rawImagePath, RAW);
    volumeAttached(v, '/dev/loop0');
    assert.deepEqual([v.state, v.device], ['attached', '/dev/loop0']);
    volumeMounted(v);
    assert.equal(v.state, 'mounted');
    volumeUnmounted(v);
    assert.equal(v.state, 'attached');
    volumeDetached(v);
    assert.deepEqual([v.state, v.device], ['detached', undefined]);
    volumeExported(v, { path: '/ws/img.qcow2', format: 'qcow2' });
    assert.equal(v.state, 'exported');
  });

  it('refuses wrong transitions with a BuildError that names the state', () => {
    refused(() => volumeMounted(planned()), /cannot mount the raw volume: it is planned, not attached/);
    refused(() => volumeAttached(planned(), '/dev/loop0'), /its image file was not created/);
    const attached = planned();
    volumeImageCreated(attached, RAW);
    volumeAttached(attached, '/dev/loop0');
    refused(
      () => volumeAttached(attached, '/dev/loop1'),
      /cannot attach .* it is attached, not planned or detached/,
    );
    refused(() => volumeUnmounted(attached), /cannot unmount .* it is attached, not mounted/);
    refused(() => volumeImageCreated(attached, '/other.raw'), /the volume is attached with the image file/);
    volumeMounted(attached);
    refused(() => volumeDetached(attached), /cannot detach .* it is mounted, not attached/);
    refused(
      () => volumeExported(attached, { path: '/o.raw', format: 'raw' }),
      /cannot export .* it is mounted/,
    );
    refused(() => volumeOutputMoved(attached, '/o.raw'), /cannot move the volume's output/);
    refused(() => volumeImageCreated(planned('ebs'), RAW), /the ebs volume has no image file/);
    const ebs = planned('ebs');
    volumeAttached(ebs, '/dev/nvme1n1');
    volumeMounted(ebs);
    volumeUnmounted(ebs);
    volumeDetached(ebs);
    refused(
      () => volumeExported(ebs, { path: '/o.raw', format: 'raw' }),
      /the ebs volume: it has no image file/,
    );
    const exported = detached();
    volumeExported(exported, { path: '/o.raw', format: 'raw' });
    refused(
      () => volumeExported(exported, { path: '/o.raw', format: 'raw' }),
      /it is exported, not detached/,
    );
    refused(() => volumeAttached(exported, '/dev/loop0'), /it is exported/);
  });

  it('a refused transition changes nothing', () => {
    const v = planned();
    volumeImageCreated(v, RAW);
    assert.throws(() => volumeMounted(v));
    assert.deepEqual([v.state, v.device, v.output], ['planned', undefined, undefined]);
  });

  it('rollbacks step back from where the build stopped and never throw', () => {
    const v = planned();
    rollBackMount(v);
    rollBackAttach(v);
    rollBackExport(v);
    assert.equal(v.state, 'planned');
    volumeImageCreated(v, RAW);
    volumeAttached(v, '/dev/loop0');
    volumeMounted(v);
    rollBackMount(v);
    assert.equal(v.state, 'attached');
    rollBackAttach(v);
    assert.deepEqual([v.state, v.device], ['detached', undefined]);
    volumeExported(v, { path: '/o.qcow2', format: 'qcow2' });
    rollBackExport(v);
    assert.deepEqual([v.state, v.output], ['detached', undefined]);
    // An interrupted mount whose unmount was never reached: the attach undo still detaches.
    volumeAttached(v, '/dev/loop0');
    volumeMounted(v);
    rollBackAttach(v);
    assert.deepEqual([v.state, v.device], ['detached', undefined]);
  });
});

describe('raw image path and output path', () => {
  const cases: [ImageFormat, string][] = [
    ['raw', '/out/debian.raw'],
    ['qcow2', '/out/debian.qcow2'],
    ['vmdk', '/out/debian.vmdk'],
  ];
  for (const [format, path] of cases) {
    it(`${format} output: the raw image path stays the file the build wrote, the output is apart`, () => {
      const v = detached(format === 'raw' ? 'raw' : format === 'qcow2' ? 'qcow2' : 'vmdk');
      assert.equal(rawImageFile(v), RAW);
      volumeExported(v, { path, format });
      assert.equal(v.rawImagePath, RAW);
      assert.deepEqual(v.output, { path, format });
      // Where the raw bytes are now: a raw export moved them to the output; a conversion left them.
      assert.equal(rawImageFile(v), format === 'raw' ? path : RAW);
    });
  }

  it('--force: the output takes its final name at the end; the raw image path is untouched', () => {
    const v = detached('raw');
    volumeExported(v, { path: '/out/debian.raw.new-abcd', format: 'raw' });
    volumeOutputMoved(v, '/out/debian.raw');
    assert.deepEqual(v.output, { path: '/out/debian.raw', format: 'raw' });
    assert.equal(v.rawImagePath, RAW);
    assert.equal(rawImageFile(v), '/out/debian.raw');
  });

  it('a volume without an image file has neither', () => {
    const v = planned('ebs');
    assert.equal(rawImageFile(v), undefined);
  });

  it('the planned record copies the layout: later device and UUID updates stay in the build state', () => {
    const layout = [{ name: 'root', number: 1, startBytes: 0, sizeBytes: 1 }];
    const v = plannedVolume({ backing: 'raw', sizeBytes: 1, partitionMap: 'gpt', partitions: layout });
    v.partitions[0]!.device = '/dev/loop0p1';
    assert.equal((layout[0] as { device?: string }).device, undefined);
  });
});
