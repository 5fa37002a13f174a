import type { Locator, Page } from '@playwright/test';

/** Locators and gestures the workflow browser tests share. */

/** A step (or the trigger) drawn on the React Flow canvas. */
export const canvasNode = (page: Page, nodeId: string) => page.locator(`[data-testid="workflow-node"][data-node-id="${nodeId}"]`);

/** A step run in the run inspector's timeline. */
export const stepOf = (page: Page, nodeId: string) => page.locator(`[data-testid="step-run"][data-node-id="${nodeId}"]`);

/** Draws an edge as a person does: press on a port, move to the target's input handle, release. */
export async function connect(page: Page, from: Locator, to: Locator) {
  const start = await from.boundingBox();
  const end = await to.boundingBox();
  if (!start || !end) throw new Error('handle not visible');
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await page.mouse.down();
  await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 5 });
  await page.mouse.move(end.x + end.width / 2, end.y + end.height / 2, { steps: 5 });
  await page.mouse.up();
}
