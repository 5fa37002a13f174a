import type { Kernel } from './kernel/kernel.js';

export type DemoLogin = { role: string; email: string; password: string };

/** Create the demo platform on first run (idempotent). Filled in by the tenancy module's seeding. */
export async function seedDemoPlatform(_kernel: Kernel): Promise<DemoLogin[]> {
  return [];
}
