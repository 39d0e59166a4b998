/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Rule
 * metadata comes from the knowledge base (rules/); results point at the post-image line
 * (uri relative to the tree root) and carry the finding's fingerprint in partialFingerprints,
 * so code scanning tracks a note across pushes the way our PR comments do.
 * Levels: error -> error, warning -> warning, check -> note.
 */
import type { CodeFlow, Location, Log, Notification, ReportingDescriptor, Result, ThreadFlowLocation } from 'sarif';
import type { Finding, ReviewResult, Severity } from '../model.js';
import type { RuleDefinition } from '../rules/types.js';
import type { ReportContext } from './context.js';
import { reviewedPatches, targetSentence } from './common.js';
import { causeKey } from './causes.js';
import { TOOL, VERSION } from '../version.js';

const SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', check: 'note' };
/** partialFingerprints key: versioned, so a change of fingerprint scheme is a new key. */
export const FINGERPRINT_KEY = 'vfioReviewFingerprint/v1';

export function renderSarif(result: ReviewResult, ctx: ReportContext): string {
  return JSON.stringify(buildSarif(result, ctx), null, 2) + '\n';
}

export function buildSarif(result: ReviewResult, ctx: ReportContext): Log {
  const findings = reviewedPatches(result).flatMap((p) => p.findings.map((f) => ({ f, p, cause: causeKey(p, f) })));
  const rules = ruleDescriptors(ctx.kb.rules, findings.map((x) => x.f));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL, version: VERSION, semanticVersion: VERSION, rules } },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: result.errors.map(inputErrorNotification),
          },
        ],
        results: findings.map(({ f, p, cause }) => {
          const res = sarifResult(f, index.get(f.rule) ?? -1, p.subject, p.messageId);
          // One cause, several results: each names the others as related locations.
          const others = findings.filter((x) => x.p === p && x.cause === cause && x.f !== f);
          if (others.length) res.relatedLocations = others.map((x, i) => relatedLocation(x.f, i + 1));
          res.properties = { ...res.properties, cause };
          return res;
        }),
        properties: { target: targetSentence(result, ctx.kb) },
      },
    ],
  };
}

/** Every rule the knowledge base knows, plus any rule a finding names that it does not. */
function ruleDescriptors(rules: readonly RuleDefinition[], findings: readonly Finding[]): ReportingDescriptor[] {
  const out = rules.map(ruleDescriptor);
  const known = new Set(out.map((r) => r.id));
  for (const f of findings) {
    if (known.has(f.rule)) continue;
    known.add(f.rule);
    out.push({ id: f.rule, name: f.type, shortDescription: { text: f.title }, defaultConfiguration: { level: LEVEL[f.severity] } });
  }
  return out;
}

function ruleDescriptor(r: RuleDefinition): ReportingDescriptor {
  const d: ReportingDescriptor = {
    id: r.id,
    name: r.type,
    shortDescription: { text: r.title },
    fullDescription: { text: r.description },
    // The rule's own markdown documentation (what `explain` prints), when it has one.
    help: typeof r.doc === 'string' && r.doc.trim() ? { text: helpText(r), markdown: r.doc } : { text: helpText(r) },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: ['pci', 'vfio', r.id.split('/')[0]] },
  };
  const uri = typeof r.helpUri === 'string' ? r.helpUri : r.references.find((x) => x.url)?.url;
  if (uri && /^https?:\/\/\S+$/.test(uri)) d.helpUri = uri;
  return d;
}

/** Help text: what the rule is about, the fix in short, references, and how to read more. */
function helpText(r: RuleDefinition): string {
  const parts = [r.description];
  if (typeof r.suggestion === 'string') parts.push(`Fix: ${r.suggestion}`);
  const refs = r.references.map((x) => `- ${x.title}${x.commit ? ` (commit ${x.commit})` : ''}${x.url ? ` ${x.url}` : ''}`);
  if (refs.length) parts.push(`References:\n${refs.join('\n')}`);
  parts.push(`More: vfio-review explain ${r.id}`);
  return parts.join('\n\n');
}

function sarifResult(f: Finding, ruleIndex: number, subject: string, messageId?: string): Result {
  const text = [f.title, f.message, f.suggestion ? `Fix: ${f.suggestion}` : ''].filter(Boolean).join('\n\n');
  const res: Result = {
    ruleId: f.rule,
    level: LEVEL[f.severity],
    message: { text },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: relativeUri(f.file) }, region: { startLine: Math.max(1, f.line) } },
        ...(f.function ? { logicalLocations: [{ name: f.function, kind: 'function' }] } : {}),
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    properties: { steps: f.steps, patch: subject, ...(messageId ? { messageId } : {}), ...(f.outsideDiff ? { outsideDiff: true } : {}) },
  };
  if (ruleIndex >= 0) res.ruleIndex = ruleIndex;
  if (f.trace?.length) res.codeFlows = [codeFlow(f.trace)];
  if (f.conditions?.length) res.properties = { ...res.properties, conditions: f.conditions };
  return res;
}

/** The witness as a SARIF code flow: one thread-flow location per event, in order. */
function codeFlow(trace: NonNullable<Finding['trace']>): CodeFlow {
  const locations: ThreadFlowLocation[] = trace.map((t, i) => ({
    executionOrder: i + 1,
    location: {
      ...(t.file ? { physicalLocation: { artifactLocation: { uri: relativeUri(t.file) }, ...(t.line ? { region: { startLine: Math.max(1, t.line) } } : {}) } } : {}),
      logicalLocations: [{ name: t.function, kind: 'function' }],
      message: { text: `${t.event}: ${t.function}(): ${t.effect}` },
    },
  }));
  return { message: { text: 'How the code gets there' }, threadFlows: [{ locations }] };
}

function relatedLocation(f: Finding, id: number): Location {
  return {
    id,
    physicalLocation: { artifactLocation: { uri: relativeUri(f.file) }, region: { startLine: Math.max(1, f.line) } },
    message: { text: `same cause: ${f.rule} (${f.type}) ${f.title}` },
  };
}

/** A repository-relative path as a URI reference (each segment percent-encoded). */
export function relativeUri(path: string): string {
  return path.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/');
}

function inputErrorNotification(e: ReviewResult['errors'][number]): Notification {
  return { level: 'error', message: { text: `${e.source}: ${e.message}` } };
}
