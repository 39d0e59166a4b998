/**
 * The `parse --format text` summary: a few lines per patch for a human.
 */
import type { FunctionChange, PatchModel, ReviewResult } from '../model.js';

export function summarizeModel(result: Omit<ReviewResult, 'kb'>): string {
  const out: string[] = [];
  for (const p of result.patches) out.push(...patchLines(p), '');
  for (const e of result.errors) out.push(`error: ${e.source}: ${e.message}`);
  if (result.patches.length === 0 && result.errors.length === 0) out.push('no messages');
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

function patchLines(p: PatchModel): string[] {
  const out = [`${position(p)}${p.series?.title || p.subject || p.source}`];
  const facts = [p.kind, p.from && `from ${p.from}`, p.baseCommit && `base ${p.baseCommit.slice(0, 12)}`];
  if (p.analysis) facts.push(`${p.analysis.mode} analysis`);
  out.push(`  ${facts.filter(Boolean).join(', ')}`);
  if (p.mangled) out.push(`  MANGLED: ${p.mangledReason ?? 'transport damage'} (code not analysed)`);
  if (p.analysis?.treeNote) out.push(`  note: ${p.analysis.treeNote}`);
  for (const f of p.files) {
    const from = f.oldPath ? ` (from ${f.oldPath})` : '';
    const mode = f.oldMode && f.newMode && f.oldMode !== f.newMode ? ` mode ${f.oldMode} -> ${f.newMode}` : '';
    out.push(`  ${f.status.padEnd(8)} ${f.path}${from}${f.binary ? ' [binary]' : ''}${mode}`);
    for (const fn of p.functions.filter((x) => x.file === f.path || x.file === f.oldPath)) out.push(`    ${functionLine(fn)}`);
  }
  for (const cb of p.callbacks.filter((c) => c.change !== 'unchanged')) {
    const owner = cb.variable ? ` in ${cb.structType ? `struct ${cb.structType} ` : ''}${cb.variable}` : '';
    out.push(`    callback ${cb.change}: .${cb.field} = ${cb.value}${owner}`);
  }
  return out;
}

function position(p: PatchModel): string {
  const s = p.series;
  if (!s) return '';
  const v = s.version > 1 ? `v${s.version} ` : '';
  return s.total > 1 || s.index === 0 ? `[${v}${s.index}/${s.total}] ` : v ? `[${v.trim()}] ` : '';
}

function functionLine(fn: FunctionChange): string {
  const at = fn.newLine ?? fn.oldLine;
  const parts = [`${fn.change} ${fn.name}()${at ? ` line ${at}` : ''}`];
  if (fn.addedCalls.length) parts.push(`+calls ${fn.addedCalls.join(', ')}`);
  if (fn.removedCalls.length) parts.push(`-calls ${fn.removedCalls.join(', ')}`);
  if (fn.assignedTo.length) parts.push(`as ${fn.assignedTo.map((r) => `.${r}`).join(', ')}`);
  return parts.join('; ');
}
