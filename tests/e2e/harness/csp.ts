// Content-Security-Policy violations, as every page of a test's browser context reports them.
//
// An init script (which CDP injects before any page script, unaffected by the page's policy) listens for
// `securitypolicyviolation` on the document (the event is composed, so violations inside the elements' shadow
// roots reach it too) and hands each one to Node through a binding, so violations survive navigations and new
// tabs. The fixture (fixtures.ts) fails the test on any violation. (The one tolerated until issue 13, the phone
// input's stylesheet from a public CDN, is vendored now: `cargo xtask vendor`.)

import type { BrowserContext } from '@playwright/test';

/** What the page's SecurityPolicyViolationEvent said. */
export interface CspViolation {
  documentURI: string;
  effectiveDirective: string;
  blockedURI: string;
  disposition: string;
  sample: string;
  sourceFile: string;
  lineNumber: number;
  columnNumber: number;
}

const BINDING = '__e2eRecordCspViolation';

export class CspViolations {
  private seen: CspViolation[] = [];

  /** Starts recording in every page of `context`, present and future. */
  static async record(context: BrowserContext): Promise<CspViolations> {
    const violations = new CspViolations();
    await context.exposeBinding(BINDING, (_source, v: CspViolation) => {
      violations.seen.push(v);
    });
    await context.addInitScript((binding: string) => {
      document.addEventListener(
        'securitypolicyviolation',
        (e) => {
          const send = (globalThis as unknown as Record<string, (v: unknown) => void>)[binding];
          send({
            documentURI: e.documentURI,
            effectiveDirective: e.effectiveDirective,
            blockedURI: e.blockedURI,
            disposition: e.disposition,
            sample: e.sample,
            sourceFile: e.sourceFile,
            lineNumber: e.lineNumber,
            columnNumber: e.columnNumber,
          });
        },
        true,
      );
    }, BINDING);
    return violations;
  }

  /** The violations recorded so far (each fails the test unless it `take()`s them). */
  all(): CspViolation[] {
    return [...this.seen];
  }

  /** Returns and forgets everything recorded so far (for a test that provokes violations on purpose). */
  take(): CspViolation[] {
    const taken = this.seen;
    this.seen = [];
    return taken;
  }

  /** Waits until the binding calls a page already made have arrived: one round trip to each open page (binding
   * calls and evaluation results travel the same ordered connection). */
  async settle(context: BrowserContext): Promise<void> {
    for (const page of context.pages()) {
      await page.evaluate(() => 0).catch(() => undefined);
    }
  }
}

/** One line per violation, for an assertion message. */
export function describeViolations(list: CspViolation[]): string {
  return list
    .map((v) => `${v.effectiveDirective} blocked ${v.blockedURI || '(inline)'} in ${v.documentURI}` +
      (v.sample ? ` sample ${JSON.stringify(v.sample)}` : '') + (v.sourceFile ? ` at ${v.sourceFile}:${v.lineNumber}:${v.columnNumber}` : ''))
    .join('\n');
}
