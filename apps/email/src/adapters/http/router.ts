/** The email HTTP API (docs/architecture.md, "HTTP API"): the emails that went out. */
import { Router } from 'express';
import type { Pool } from '@webshop/postgres';
import { parseBody } from '@webshop/service-kit';
import { listSentEmails } from '../pg/email-store';
import { listEmailsQuery } from './schemas';

export function emailRouter({ pool }: { pool: Pool }): Router {
  const router = Router();

  /** SENT emails, newest first, by order and/or recipient; PENDING ones are not listed. */
  router.get('/emails', async (req, res) => {
    const query = parseBody(listEmailsQuery, req.query, 'query');
    res.json(await listSentEmails(pool, query));
  });

  return router;
}
