/**
 * The restore-step table in reports. The table itself is the knowledge base's
 * (src/kb/table.ts renderStepTable), so `kb table`, notes and comments show the same thing;
 * this module only chooses the kernel line and the steps to mark.
 */
import type { Finding, ReviewResult } from '../model.js';
import type { KnowledgeBase } from '../kb/types.js';
import { renderStepTable } from '../kb/table.js';
import { stepsOf, targetLineId } from './common.js';

/** The restore-step table of the target (a --tree's own steps, else its line) with the findings' steps marked. */
export function stepTable(
  result: ReviewResult,
  kb: KnowledgeBase,
  findings: readonly Finding[],
  format: 'text' | 'markdown',
  only = false,
): string {
  const lineId = targetLineId(result, kb);
  return renderStepTable(kb, lineId, { format, mark: stepsOf(findings), steps: result.target?.steps, only }).replace(/\s+$/, '');
}

/** Whether a table is worth showing: some finding names restore steps. */
export function hasSteps(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.steps.length > 0);
}

/**
 * The noted steps grouped by source, in call order, as a short list for a mail reply (a table
 * of the same rows costs three times the lines a list reply has):
 *   from the snapshot: pci_restore_pcie_state, ..., pci_restore_tph_state (if tph_enabled)
 *   from live state: __pci_restore_msix_state (if msix_enabled)
 */
export function stepSummary(result: ReviewResult, kb: KnowledgeBase, findings: readonly Finding[]): { source: string; steps: string[] }[] {
  const line = kb.line(targetLineId(result, kb));
  if (!line) return [];
  const mark = new Set(stepsOf(findings));
  const order = result.target?.steps?.filter((id) => kb.steps.has(id)) ?? line.restore;
  const ids = order.flatMap((id) => [id, ...(line.nested?.[id] ?? [])]).filter((id) => mark.has(id));
  const groups: { source: string; steps: string[] }[] = [];
  for (const id of ids) {
    const st = kb.steps.get(id)!;
    const source = st.source === 'snapshot' ? 'from the snapshot' : st.source === 'live' ? 'from live state' : 'clearing hardware status';
    const name = `${st.function}${st.liveGate ? ` (if ${st.liveGate})` : ''}`;
    const g = groups.find((x) => x.source === source);
    if (g) g.steps.push(name);
    else groups.push({ source, steps: [name] });
  }
  return groups;
}
