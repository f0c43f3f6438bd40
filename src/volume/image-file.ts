/**
 * The raw image file behind a loop device: a sparse file of the volume's size.
 * States: nonexistent -> creating -> created -> deleted. `delete` is the undo and is idempotent; it
 * only removes a file this object created (it never deletes a file that was there before).
 *
 * BuildFs has no truncate (and writing zeros would make the file non-sparse), so the file is sized
 * with `truncate --size`, through the runner: it is then logged and recorded in a dry run like every
 * other host step.
 */
import type { BuildFs } from '../api/fs.js';
import type { CommandRunner } from '../api/runner.js';
import { BuildError } from '../api/task.js';
import { StateMachine } from './state-machine.js';

type State = 'nonexistent' | 'creating' | 'created' | 'deleted';
type Event = 'begin-create' | 'create' | 'delete';

export class ImageFile {
  readonly #fsm: StateMachine<State, Event>;

  constructor(
    readonly path: string,
    readonly sizeBytes: number,
    private readonly runner: CommandRunner,
    private readonly fs: BuildFs,
  ) {
    this.#fsm = new StateMachine<State, Event>(`image file ${path}`, 'nonexistent', {
      'begin-create': { from: ['nonexistent'], to: 'creating' },
      create: { from: ['creating'], to: 'created' },
      delete: { from: ['creating', 'created'], to: 'deleted' },
    });
  }

  get state(): State {
    return this.#fsm.state;
  }

  async create(): Promise<void> {
    this.#fsm.assert('begin-create');
    if (!this.runner.dryRun && (await this.fs.exists(this.path))) {
      throw new BuildError(`image file ${this.path} already exists`, 'remove it or choose another workspace');
    }
    this.#fsm.fire('begin-create');
    await this.runner.run(['truncate', `--size=${this.sizeBytes}`, this.path]);
    this.#fsm.fire('create');
  }

  /** Removes the file if this object created it (also after a failed create); no-op otherwise. */
  async delete(): Promise<void> {
    if (!this.#fsm.is('creating', 'created')) return;
    await this.fs.remove(this.path);
    this.#fsm.fire('delete');
  }

  /**
   * The file now lives elsewhere (moved or converted into the output): forget it, so `delete` leaves
   * it alone.
   */
  release(): void {
    this.#fsm.fire('delete');
  }
}
