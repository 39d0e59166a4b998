/**
 * Only sourced facts in notes (issue 9, item 4): the text of the risk rules (messages,
 * suggestion, description, the .md documentation) carries no free-text citation: no person's
 * name as a source, no date, no "vN thread" or "dropped in vN" outcome, no bug or PR number
 * without a link. A reference is something a reader can open: an http(s) link, a commit id
 * with its subject, or a kernel source file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRules } from '../src/rules/load.js';
import type { RuleDefinition } from '../src/rules/types.js';
import { RULES_DIR } from '../src/kb/index.js';

/** What a free-text citation looks like; each pattern says why it is not allowed. */
const CITATIONS: { re: RegExp; why: string }[] = [
  { re: /\b(19|20)\d\d-\d\d-\d\d\b/, why: 'a date' },
  { re: /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]* (19|20)\d\d\b/, why: 'a date' },
  { re: /\bv\d+ (thread|series|review)\b|\b(thread|review) of v\d+\b/i, why: 'a thread named by version, not by link' },
  { re: /\b(dropped|merged|applied|rejected|reverted) in v\d+\b/i, why: 'a version outcome' },
  { re: /\bbug\s*#?\d{3,}\b/i, why: 'a bug number' },
  { re: /\b(PR|pull request|series)\s*#?\d{2,}\b/i, why: 'a PR or series number' },
  { re: /\b[A-Z][a-z]+ [A-Z][a-z]+(?:'s)? (saw|described|found|said|wrote|called|reported|noted|pointed out)\b/, why: 'a person as the source' },
  { re: /\(\s*[A-Z][a-z]+ [A-Z][a-z]+,\s*[^)]*\d{4}[^)]*\)/, why: 'a person and a date as the source' },
];

const LINK = /https?:\/\/\S+/;

/** Free-text citations in a text: lines that cite without a link on the same line. */
export function freeCitations(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    if (LINK.test(line)) continue;
    for (const { re, why } of CITATIONS) {
      const m = re.exec(line);
      if (m) found.push(`${why}: "${m[0]}"`);
    }
  }
  return found;
}

/** Every piece of a rule that ends up in a note, `explain` or SARIF help. */
function ruleTexts(r: RuleDefinition): { where: string; text: string }[] {
  const out = [
    { where: 'title', text: r.title },
    { where: 'description', text: r.description },
    ...Object.entries(r.messages ?? {}).map(([k, v]) => ({ where: `messages.${k}`, text: String(v) })),
  ];
  if (typeof r.suggestion === 'string') out.push({ where: 'suggestion', text: r.suggestion });
  if (typeof r.doc === 'string') out.push({ where: r.docFile ?? 'doc', text: r.doc });
  for (const v of r.variants ?? []) for (const k of ['what', 'fixWith'] as const) if (v[k]) out.push({ where: `variant.${k}`, text: String(v[k]) });
  return out;
}

test('citations: the checker rejects the free-text citations the rules used to carry', () => {
  for (const bad of [
    'Farhan Ali saw exactly this Unsupported Request in the v18 thread (2026-06-08).',
    'the reset_done callback was dropped in v19.',
    'DPC containment of the root port (seen as NVIDIA bug 6375598).',
    "Re: [PATCH v18 3/4] vfio/pci: Add a reset_done callback (Alex Williamson, 2026-06-04: restore-source table)",
    'vfio/pci: Add PCIe TPH support (Chengwen Feng, patchwork linux-pci series 501135)',
    'This is the hazard Alex Williamson described in the v18 thread',
  ]) {
    assert.ok(freeCitations(bad).length > 0, `not caught: ${bad}`);
  }
  // A cited link on the line, or plain technical prose, passes.
  assert.deepEqual(freeCitations('UR and DPC containment (https://github.com/NVIDIA/NV-Kernels/pull/475)'), []);
  assert.deepEqual(freeCitations('pci_restore_config_space() writes PCI_COMMAND before pci_restore_msi_state() runs.'), []);
});

test('citations: no rule text cites without a link or commit', async () => {
  const rules = (await loadRules(RULES_DIR)).rules as RuleDefinition[];
  assert.ok(rules.length >= 5);
  const problems: string[] = [];
  for (const r of rules) {
    for (const { where, text } of ruleTexts(r)) for (const c of freeCitations(text)) problems.push(`${r.file} ${where}: ${c}`);
  }
  assert.deepEqual(problems, []);
});

test('citations: every reference is something a reader can open', async () => {
  const rules = (await loadRules(RULES_DIR)).rules as RuleDefinition[];
  const problems: string[] = [];
  for (const r of rules) {
    for (const ref of r.references) {
      const x = ref as { title: string; url?: string; commit?: string; file?: string };
      const link = typeof x.url === 'string' && /^https?:\/\/\S+$/.test(x.url);
      const commit = typeof x.commit === 'string' && /^[0-9a-f]{7,40}$/.test(x.commit) && x.title.trim().length > 0;
      const file = typeof x.file === 'string' && /^[\w.-]+(\/[\w.-]+)+$/.test(x.file);
      if (!link && !commit && !file) problems.push(`${r.file}: "${x.title}" has no link, commit or source file`);
      for (const c of freeCitations(x.title)) if (!link) problems.push(`${r.file}: reference "${x.title}": ${c}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('notes never ask the patch author to edit our own files or run our commands', async () => {
  const rules = (await loadRules(RULES_DIR)).rules as RuleDefinition[];
  const problems: string[] = [];
  for (const r of rules) {
    const parts = [...Object.entries(r.messages ?? {}).map(([k, v]) => [`messages.${k}`, String(v)]), ['suggestion', String(r.suggestion ?? '')]];
    for (const [where, text] of parts) {
      if (/\brules\/|\bkb verify\b|\bvfio-review (review|explain|kb)\b|--(tree|kernel|ignore)\b/.test(text)) problems.push(`${r.file} ${where}: ${text.slice(0, 80)}`);
    }
  }
  assert.deepEqual(problems, []);
});
