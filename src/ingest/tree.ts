/**
 * A kernel source tree given with --tree: a git checkout (read at HEAD's working files)
 * or plain files (e.g. Debian's linux-source). Read-only.
 */
export interface SourceTree {
  /** Absolute path of the tree. */
  root: string;
  /** One line for notes: "/src/linux (git 1a2b3c4d)" or "/tmp/linux-6.12 (Debian 6.12.117)". */
  describe(): string;
  /** Contents of a file relative to the root, undefined when it does not exist. */
  read(path: string): Promise<string | undefined>;
  /** Relative paths of files under a folder that match a picomatch glob. */
  list(dir: string, glob?: string): Promise<string[]>;
}

/** Open a tree; throws UserError when the folder does not exist or holds no kernel source. */
export async function openTree(dir: string): Promise<SourceTree> {
  void dir;
  throw new Error('openTree: not implemented yet');
}
