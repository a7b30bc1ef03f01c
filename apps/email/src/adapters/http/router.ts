/** The email HTTP API (docs/architecture.md, "HTTP API"): the emails that went out. */
import { z } from 'zod';
import type { Pool } from '@webshop/postgres';
import { route, type Route } from '@webshop/service-kit';
import { listSentEmails } from '../pg/email-store';
import { listEmailsQuery, sentEmailBody } from './schemas';

export function emailRoutes({ pool }: { pool: Pool }): Route[] {
  return [
    route({
      method: 'get',
      path: '/emails',
      summary: 'The SENT emails, newest first, by order and/or recipient; PENDING ones are not listed',
      query: listEmailsQuery,
      responses: { 200: { description: 'the emails', schema: z.array(sentEmailBody) } },
      async handle(_req, res, { query }) {
        const emails: Array<z.output<typeof sentEmailBody>> = await listSentEmails(pool, query);
        res.json(emails);
      },
    }),
  ];
}
