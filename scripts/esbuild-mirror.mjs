// An esbuild plugin shared by the two bundles (scripts/build-action.mjs, scripts/build-cli.mjs).
// Sources find their data relative to themselves (new URL('../../rules/', import.meta.url)). In
// a bundle every module shares its chunk's URL, so each source's import.meta.url is replaced by
// where that source would sit in a mirror of the tree: `base` (relative to the chunk) + its path
// with .js. The Action mirrors into dist/ ('./': dist/src/kb/index.js, rules in dist/rules/);
// the CLI, built into build/, points back at the package itself ('../': <pkg>/src/kb/index.js,
// so ../../rules/ is the package's rules/ and createRequire finds its node_modules).
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';

/** @param {{ root: string, base: string, keep?: string[] }} o  keep: sources left as they are */
export function mirrorImportMeta({ root, base, keep = [] }) {
  return {
    name: 'mirror-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
        const rel = relative(root, args.path).split('\\').join('/');
        if (!rel.startsWith('src/')) return undefined; // a dependency's own src/
        let text = await readFile(args.path, 'utf8');
        if (!keep.includes(rel)) {
          const url = `new URL(${JSON.stringify(base + rel.replace(/\.ts$/, '.js'))}, import.meta.url).href`;
          text = text.replaceAll('import.meta.url', url);
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
}
