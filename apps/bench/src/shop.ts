import type { SectionContext, SectionResult } from './hop';
export async function runShopSection(_ctx: SectionContext): Promise<SectionResult> {
  throw new Error('not yet');
}
