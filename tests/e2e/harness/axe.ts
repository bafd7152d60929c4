// axe-core (through @axe-core/playwright) against WCAG 2.2 AA, with the elements' open shadow roots included
// (axe walks open shadow roots by default). Zero violations is the bar; a violation inside a vendored element that
// neither its CSS custom properties nor `::part` can fix is listed as a `KnownViolation` by the spec that meets it:
// one rule, one node (matched on its shadow-piercing target), and why. Nothing is ever excluded by rule alone.

import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

import { expect } from './fixtures';

/** WCAG 2.0, 2.1 and 2.2, levels A and AA (axe's tags for them). */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** A violation we cannot fix from the page, tolerated on exactly the nodes `target` matches. */
export interface KnownViolation {
  /** axe rule id, e.g. `color-contrast`. */
  rule: string;
  /** Matched against the node's target, its selectors joined with ` >>> ` at each shadow boundary. */
  target: RegExp;
  /** Why it is not ours to fix (shown if it ever stops matching, so the entry can go). */
  why: string;
}

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}

/** A node's target as one string: `passage-register >>> button.is-primary`. */
function targetText(node: AxeNode): string {
  return node.target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : String(part))).join(' | ');
}

/** Runs axe on the whole page (shadow roots included) in the current colour scheme and returns the violations
 * that no `known` entry covers, one line per node. Also returns which `known` entries matched nothing. */
export async function axeViolations(
  page: Page,
  known: KnownViolation[] = [],
): Promise<{ unexpected: string[]; unused: KnownViolation[] }> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_AA_TAGS).analyze();
  const used = new Set<KnownViolation>();
  const unexpected: string[] = [];
  for (const violation of results.violations) {
    for (const node of violation.nodes as AxeNode[]) {
      const target = targetText(node);
      const entry = known.find((k) => k.rule === violation.id && k.target.test(target));
      if (entry) {
        used.add(entry);
        continue;
      }
      const summary = (node.failureSummary ?? '').replace(/\s+/g, ' ').trim();
      unexpected.push(`${violation.id} (${violation.impact}) at ${target}: ${summary}\n    ${node.html.slice(0, 200)}`);
    }
  }
  return { unexpected, unused: known.filter((k) => !used.has(k)) };
}

/** Waits until no CSS transition runs anywhere on the page, in the document and in every open shadow root (each
 * root's own `getAnimations()`: the document's does not list a shadow tree's). With theme "auto" a scheme change
 * fades the element's colours, and axe measuring contrast mid-fade reports colours that are in neither palette.
 * Infinite animations (a spinner) are CSS animations, not transitions, so they do not hold this up. */
async function transitionsSettled(page: Page): Promise<void> {
  // Two frames, so that the transitions the scheme change triggers have started before we look for them.
  await page.evaluate(
    () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))),
  );
  await page.waitForFunction(() => {
    const roots: (Document | ShadowRoot)[] = [document];
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i];
      if (root.getAnimations().some((a) => a instanceof CSSTransition && a.playState === 'running')) return false;
      for (const element of root.querySelectorAll('*')) {
        if (element.shadowRoot) roots.push(element.shadowRoot);
      }
    }
    return true;
  });
}

/** No WCAG 2.2 AA violation on the page but the `known` ones, in the light and in the dark colour scheme. A known
 * entry that matches in neither scheme fails too: the vendored element changed, and the exclusion must go. */
export async function expectAccessible(page: Page, view: string, known: KnownViolation[] = []): Promise<void> {
  const unusedInEvery: KnownViolation[][] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await transitionsSettled(page);
    const { unexpected, unused } = await axeViolations(page, known);
    expect(unexpected, `axe violations on ${view} (${colorScheme} scheme):\n${unexpected.join('\n')}`).toEqual([]);
    unusedInEvery.push(unused);
  }
  await page.emulateMedia({ colorScheme: null });
  const stale = known.filter((k) => unusedInEvery.every((unused) => unused.includes(k)));
  expect(
    stale.map((k) => `${k.rule} ${k.target}: ${k.why}`),
    `known violations that no longer occur on ${view} (remove them from the spec)`,
  ).toEqual([]);
}
