/**
 * The golden form of a patch model: FileChange[] (hunk lines compacted to one string each,
 * "<kind><old>/<new> <text>", so a person can check them against the .diff), FunctionChange[]
 * (body reduced to its first line and length) and callbacks.
 */
import type { PatchModel } from '../../src/model.js';

export function goldenOf(m: PatchModel): unknown {
  return {
    kind: m.kind,
    mangled: m.mangled,
    ...(m.mangledReason ? { mangledReason: m.mangledReason } : {}),
    ...(m.analysis ? { analysis: m.analysis } : {}),
    files: m.files.map(({ hunks, ...f }) => ({
      ...f,
      hunks: hunks.map((h) => ({
        header: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@ ${h.section}`.trim(),
        lines: h.lines.map(
          (l) => `${l.kind}${l.oldLine ?? '-'}/${l.newLine ?? '-'}${l.noNewlineAtEnd ? ' (no newline)' : ''} ${l.text}`,
        ),
      })),
    })),
    functions: m.functions.map(({ body, ...f }) => ({
      ...f,
      ...(body !== undefined ? { bodyFirstLine: body.split('\n')[0], bodyLines: body.split('\n').length } : {}),
    })),
    callbacks: m.callbacks,
  };
}
