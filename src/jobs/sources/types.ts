/**
 * What every archive reader hands the job: units, oldest first. A unit is the smallest step
 * after which the cursor may move (one git commit, one mbox message, one Maildir file).
 */
export interface RawItem {
  /** Unique and stable: the git blob id, or the sha1 of the raw bytes, or the Maildir file name. */
  key: string;
  /** Where an operator finds it: `kvm/git/0.git@<commit>`, `list.mbox@<offset>`. */
  origin: string;
  /** A deletion recorded by the archive (public-inbox `d`, or a v1 blob removed). */
  deletion?: boolean;
  /** Read lazily: the job skips the read when the key is already known. */
  read(): Promise<Buffer>;
}

export interface Unit {
  /** Cursor namespace inside the source: the epoch (`0`, `1`, ...), or `mbox`, `maildir`. */
  epoch: string;
  /** The cursor value once this unit is recorded; undefined when the source keeps no cursor. */
  position?: string;
  items: RawItem[];
}

export type SourceKind = 'public-inbox-v2' | 'public-inbox-v1' | 'maildir' | 'mbox';

export interface ReadContext {
  getCursor(epoch: string): string | undefined;
  /** Told when a cursor is no longer an ancestor: the archive was rewritten. */
  warn(text: string): void;
  /** Told how many units this pass will read (for the progress bar), per epoch. */
  planned(units: number): void;
  /**
   * Whether a total is wanted when counting costs a walk of its own (a progress bar is drawn):
   * cron's progress lines go without one rather than spend a core on it.
   */
  wantsCount: boolean;
  /** Keys already recorded (to skip reading Maildir files that were seen). */
  seen(key: string): boolean;
}

export interface Source {
  /** Absolute path: the state's name for this source. */
  id: string;
  kind: SourceKind;
  /** Follow the archive's remote (watch mode): `git fetch` per epoch that has one. */
  fetch(): Promise<void>;
  units(ctx: ReadContext): AsyncGenerator<Unit>;
  close(): void;
}
