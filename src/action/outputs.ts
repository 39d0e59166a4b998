/**
 * What the step leaves behind besides the review: outputs, the SARIF file, the job summary,
 * and annotations (the fallback when nothing can be posted to the pull request).
 */
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { Finding, Severity } from '../model.js';
import { SEVERITIES } from '../model.js';
import { render } from '../report/index.js';
import type { Reviewed } from '../pipeline.js';
import { cap } from '../post/text.js';

/** Where the step's files go: RUNNER_TEMP on a runner. */
export function workDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.RUNNER_TEMP || tmpdir(), 'vfio-review');
}

export function setCounts(findings: Finding[]): Record<Severity, number> {
  const counts = { error: 0, warning: 0, check: 0 } as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  for (const s of SEVERITIES) core.setOutput(`${s}-count`, counts[s]);
  core.setOutput('finding-count', findings.length);
  return counts;
}

export async function writeSarif(result: Reviewed, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'vfio-review.sarif');
  await writeFile(path, render('sarif', result, { kb: result.kb }));
  core.setOutput('sarif', path);
  return path;
}

const SUMMARY_MAX = 1_000_000; // GitHub keeps 1 MiB of summary per step

export async function writeJobSummary(result: Reviewed, extra: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const report = render('markdown', result, { kb: result.kb });
  await core.summary.addRaw(cap(`${report}\n\n${extra}\n`, SUMMARY_MAX), true).write();
}

/** One annotation per note (GitHub shows 10 per severity per step; the summary has all). */
export function annotate(findings: Finding[]): void {
  for (const f of findings) {
    const props = { title: `${f.rule}: ${f.title}`, file: f.file, startLine: f.line };
    const msg = `${f.function ? `${f.function}: ` : ''}${f.message.split('\n\n', 1)[0]}`;
    if (f.severity === 'error') core.error(msg, props);
    else if (f.severity === 'warning') core.warning(msg, props);
    else core.notice(msg, props);
  }
}
