import type { SectionContext, SectionResult } from './hop';
export async function runPostSection(_ctx: SectionContext): Promise<SectionResult> {
  throw new Error('not yet');
}
