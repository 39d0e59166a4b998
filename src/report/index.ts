/**
 * report: findings -> text. Every format is a pure function of the review result (and the
 * knowledge base, for rule metadata and the restore-step table): no clock, no environment,
 * no I/O, so the same review always renders the same bytes.
 */
import type { ReviewResult } from '../model.js';
import type { ReportContext } from './context.js';
import { renderText } from './text.js';
import { renderEmail } from './email.js';
import { renderMarkdown } from './markdown.js';
import { renderJson } from './json.js';
import { renderSarif } from './sarif.js';
import { renderB4 } from './b4.js';

export type ReportFormat = 'text' | 'email' | 'markdown' | 'json' | 'sarif' | 'b4';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'email', 'markdown', 'json', 'sarif', 'b4'];

export type { ReportContext } from './context.js';

export function render(format: ReportFormat, result: ReviewResult, ctx: ReportContext): string {
  switch (format) {
    case 'text':
      return renderText(result, ctx);
    case 'email':
      return renderEmail(result, ctx);
    case 'markdown':
      return renderMarkdown(result, ctx);
    case 'json':
      return renderJson(result);
    case 'sarif':
      return renderSarif(result, ctx);
    case 'b4':
      return renderB4(result);
    default: {
      const never: never = format;
      throw new Error(`render: unknown format ${String(never)}`);
    }
  }
}

export { renderEmailBody, replySubject } from './email.js';
export { buildGithubReview, fingerprintMarker, parseMarker } from './github.js';
