/**
 * The data that flows between the pipeline stages:
 *   ingest (Message) -> patch (PatchModel) -> analyze (Finding) -> report / post / jobs.
 *
 * The JSON field names marked "contract" are read by other tools (issue #2's JSON
 * contract): add fields freely, never rename these.
 *
 * Line numbers are 1-based everywhere. `newLine` counts lines of the post-patch file,
 * `oldLine` lines of the pre-patch file. A range is inclusive at both ends.
 */

/** Severity levels, mildest last; the names checkpatch users already know. */
export type Severity = 'error' | 'warning' | 'check';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'check'];

/** One mail (or one commit, or one bare diff) as read from the outside world. */
export interface Message {
  /** Where it came from: a path, `path#N` for the Nth message of an mbox, `stdin`, a URL, a commit. */
  source: string;
  messageId?: string; // without angle brackets
  subject: string; // decoded, folded onto one line
  from?: string; // "Name <addr>"
  /** Bare address of the author, for replies. */
  fromAddress?: string;
  date?: string; // ISO 8601
  inReplyTo?: string; // without angle brackets
  references: string[]; // without angle brackets, oldest first
  to: string[];
  cc: string[];
  /** The decoded text/plain body (commit message + diff for a patch mail). */
  body: string;
  /** Patch texts carried in attachments (text/x-patch, *.diff, ...), decoded. */
  attachments: { filename?: string; contentType: string; text: string }[];
  /** Set when the transport corrupted the text (format=flowed, ...): do not analyse the code. */
  mangled?: string;
  /** The raw message as received (for b4 and for quoting), when available. */
  raw?: Buffer;
  /** It came after an mbox `From ` line (a format-patch file, an mbox member, on stdin too), which `raw` does not keep and checkpatch's `#N` counts. */
  postmarked?: boolean;
  /** Set by ingest's threading: messages of one series (one version) share it. */
  seriesKey?: string;
}

/** Parsed `[RFC PATCH net-next v2 3/7]` subject tags. */
export interface SeriesInfo {
  version: number; // 1 when no vN tag
  index: number; // 0 for a cover letter; 1 when no N/M tag
  total: number; // 1 when no N/M tag
  prefixes: string[]; // e.g. ["RFC", "PATCH", "net-next"]; RESEND included when present
  resend?: boolean;
  /** Subject with tags stripped; with the author it keys the versions of one series. */
  title?: string;
}

export interface Trailer {
  key: string; // as written, e.g. "Signed-off-by", "base-commit", "Fixes"
  value: string;
}

export type FileStatus = 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';

/** One line of a hunk. `oldLine` is set for ' ' and '-', `newLine` for ' ' and '+'. */
export interface DiffLine {
  kind: ' ' | '+' | '-';
  text: string; // without the leading marker and without line terminator
  oldLine?: number;
  newLine?: number;
  /** The line is followed by "\ No newline at end of file". */
  noNewlineAtEnd?: boolean;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The text after the second `@@` (git's function context), trimmed; "" when absent. */
  section: string;
  lines: DiffLine[];
  /**
   * Line of the `@@` header in the patch file, as checkpatch numbers it (`#N`); set by the
   * patch stage (src/patch/lines.ts) when it knows where the diff sits in the file.
   */
  patchLine?: number;
  /**
   * With --tree: where the hunk applied to the tree, in lines from its header's position, and
   * with how many outer context lines ignored (fuzz); `placed: false` when it could not be
   * placed, and was analysed as a fragment on its own.
   */
  applied?: { placed: true; offset: number; fuzz: number } | { placed: false };
}

export interface FileChange {
  path: string; // contract: post-image path (pre-image path for a deleted file), without a/ b/
  oldPath?: string; // contract: set for renames and copies
  status: FileStatus; // contract
  binary: boolean; // contract
  oldMode?: string;
  newMode?: string;
  similarity?: number;
  hunks: Hunk[];
}

/** A struct initialiser field that a patch assigns a function to: `.reset_done = foo`. */
export interface CallbackAssignment {
  file: string;
  /** The field name, i.e. the role: "reset_done", "error_detected", "release", ... */
  field: string;
  /** The function assigned. */
  value: string;
  /** The struct type when the declaration names it: "pci_error_handlers". */
  structType?: string;
  /** The variable being initialised: "vfio_pci_core_err_handlers". */
  variable?: string;
  change: 'added' | 'removed' | 'unchanged';
  newLine?: number;
  oldLine?: number;
}

/** A C function the patch adds, changes or removes. */
export interface FunctionChange {
  file: string; // contract
  name: string; // contract
  change: 'added' | 'modified' | 'removed'; // contract
  newLine?: number; // contract: first line of the definition in the post-image
  oldLine?: number; // contract: first line of the definition in the pre-image
  newEndLine?: number;
  oldEndLine?: number;
  addedCalls: string[]; // contract: callee names on '+' lines, unique, in order of appearance
  removedCalls: string[]; // contract: callee names on '-' lines
  /** Every callee in the post-patch body we could see (whole body with --tree, else the fragment). */
  calls: string[];
  /** Roles this function is wired to, from struct initialisers in the patch or tree. */
  assignedTo: string[]; // contract
  /** Identifiers (fields, macros, variables) that appear on '+' lines: state_saved, PCI_COMMAND_MEMORY... */
  addedIdentifiers: string[];
  removedIdentifiers: string[];
  /** Post-patch lines of the function that the patch adds. */
  addedLines: number[];
  /** True when the whole post-patch body was parsed (--tree, or the hunk shows all of it). */
  complete: boolean;
  /** The post-patch source of the function, or of the fragment seen. */
  body?: string;
  /** Kernel annotations seen on the definition: static, __init, __must_check, ... */
  annotations?: string[];
}

/** A risk found by a rule. Reporters render it; nothing downstream re-derives it. */
export interface Finding {
  rule: string; // rule id, e.g. "snapshot/stale-restore"
  type: string; // checkpatch-style TYPE, e.g. "SNAPSHOT_STALE_RESTORE"
  severity: Severity;
  file: string;
  /** A line of the post-image that is in the diff when possible (an added line). */
  line: number;
  /** Set when `line` is not on a line of the diff (reporters then cannot anchor inline). */
  outsideDiff?: boolean;
  function?: string;
  title: string;
  /** What was seen and why it matters, plain text, paragraphs separated by "\n\n". */
  message: string;
  /** How to fix it, plain text. */
  suggestion: string;
  /** Restore-step ids the note is about. */
  steps: string[];
  /** Stable across re-runs and versions of the patch: rule + function + normalised code. */
  fingerprint: string;
  references: { title: string; url?: string; commit?: string }[];
  /** Which kernel the note assumed, e.g. "6.19+ (default: newest known)". */
  target?: string;
  /** Findings merged into this one because they share a root cause. */
  related?: { rule: string; title: string }[];
  /**
   * The root cause this finding shares with others (same restore call, same trace): reporters
   * render all findings of one cause as one note with sub-points, while JSON/SARIF keep each
   * finding as its own result. Absent: the finding is its own cause.
   */
  cause?: string;
  /**
   * The witness: the shortest event sequence from a lifecycle entry point to the risk, in
   * order. Absent only for notes about the patch's code itself (a change to the MSI-X restore
   * path, an unknown restore step), which need no path to be shown.
   */
  trace?: TraceStep[];
  /**
   * Premises the tool could not see (TPH enabled by code outside the patch and tree), each one
   * sentence; the note states them as conditions, never as facts.
   */
  conditions?: string[];
  /** Message keys of the rule that built this finding (what, why, vfio, ...), for rule tests. */
  messageKeys?: string[];
  /**
   * When the fix is a concrete change of `line`: the text (one or more lines, without diff
   * markers) to put in its place. GitHub comments offer it as a ```suggestion block.
   */
  replacement?: string;
}

/** One numbered step of a witness trace. */
export interface TraceStep {
  /** The lifecycle or user event: "open", "user: VFIO_DEVICE_RESET", "close", "call". */
  event: string;
  /** The function that performs the step. */
  function: string;
  /** Where that code is, when known: a kernel or patch file and its line. */
  file?: string;
  line?: number;
  /** What the step does to the model, one short phrase: "snapshot open-time saved (TPH off)". */
  effect: string;
}

export interface PatchModel {
  source: string; // contract
  messageId?: string; // contract
  subject: string; // contract
  from?: string; // contract
  date?: string; // contract
  kind: 'patch' | 'cover-letter' | 'reply'; // contract
  series?: SeriesInfo; // contract
  inReplyTo?: string; // contract
  references?: string[];
  baseCommit?: string; // contract
  changeId?: string;
  trailers: Trailer[];
  /** The commit message, without trailers' section separator or diff. */
  commitMessage?: string;
  mangled: boolean; // contract
  mangledReason?: string;
  files: FileChange[]; // contract
  functions: FunctionChange[]; // contract
  callbacks: CallbackAssignment[];
  findings: Finding[]; // contract
  /** How the functions were found: "tree" when whole pre/post files were parsed. */
  analysis?: { mode: 'fragment' | 'tree'; treeNote?: string };
  /** Position in a series group, for ordering; set by ingest's threading. */
  seriesKey?: string;
}

/** One function of the post-patch call graph (a --tree file as the patch leaves it). */
export interface GraphFunction {
  name: string;
  file: string;
  calls: string[];
  text: string;
  startLine: number;
}

/**
 * The post-patch call graph of the C files a patch touches, from a --tree: built by the patch
 * stage (src/patch/callgraph.ts), read by the analyzer. Not part of the JSON output.
 */
export interface CallGraph {
  functions: GraphFunction[];
  /** Struct initialisers seen in those files: function name -> roles (`.reset_done = foo`). */
  roles: Map<string, string[]>;
}

export interface InputError {
  source: string; // contract
  message: string; // contract
  line?: number;
  messageIndex?: number;
}

/** The whole output of `parse`/`review --format json`. */
export interface ReviewResult {
  tool: 'vfio-review'; // contract
  version: string; // contract
  target?: TargetInfo;
  patches: PatchModel[]; // contract
  errors: InputError[]; // contract
}

/**
 * Where a restore step takes its values from: the snapshot's save buffers, live kernel state,
 * or nothing (it clears hardware status). Knowledge-base data that rules select steps by.
 */
export type StepSource = 'snapshot' | 'live' | 'clears-hw';

/** The kernel a review assumed. */
export interface TargetInfo {
  /** Kernel line id from rules/kb, e.g. "6.19+". */
  line: string;
  /** How it was chosen. */
  how: 'tree' | 'kernel-option' | 'default';
  /** Human text for notes: "6.12 (from --tree /src/linux, Debian 6.12.117)". */
  description: string;
  /** Known fixes present in the target: fix id -> true/false/undefined (unknown). */
  fixes: Record<string, boolean | undefined>;
  /**
   * With --tree: the step ids of the tree's own pci_restore_state(), in call order (calls the
   * knowledge base does not know are left out). When set, the engine uses these rather than
   * the restore list of `line`; absent for --kernel and the default target.
   */
  steps?: string[];
}
