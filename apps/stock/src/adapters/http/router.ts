/**
 * The stock HTTP API (docs/architecture.md, "HTTP API"): validate → command → one transaction → respond.
 * Every change to a product is published as ProductUpdated in the same transaction.
 */
import { Router } from 'express';
import { appendToOutbox } from '@webshop/kafka';
import { withTransaction, type Pool } from '@webshop/postgres';
import { HttpError, parseBody, parseParam, pathParam } from '@webshop/service-kit';
import { defineProduct, restock, StockRuleViolation } from '../../domain/decide';
import type { Product } from '../../domain/stock';
import { listProducts, loadProduct, lockSku, saveProducts } from '../pg/stock-store';
import { defineProductBody, restockBody, skuParam } from './schemas';

export const productView = (p: Product) => ({ sku: p.sku, name: p.name, priceCents: p.priceCents, available: p.available, reserved: p.reserved, updatedAt: p.updatedAt });
const levelView = (p: Product) => ({ sku: p.sku, name: p.name, priceCents: p.priceCents, available: p.available, reserved: p.reserved });

export function stockRouter({ pool, clock = () => new Date() }: { pool: Pool; clock?: () => Date }): Router {
  const router = Router();

  router.put('/products/:sku', async (req, res) => {
    const sku = parseParam(skuParam, req, 'sku');
    const body = parseBody(defineProductBody, req.body);
    const { product, created } = await withTransaction(pool, async (tx) => {
      await lockSku(tx, sku);
      const existing = await loadProduct(tx, sku, true);
      const decision = defineProduct(existing, { sku, ...body, now: clock().toISOString() });
      await saveProducts(tx, [decision.product]);
      await appendToOutbox(tx, 'stock', decision.events);
      return decision;
    });
    res.status(created ? 201 : 200).json(productView(product));
  });

  router.post('/products/:sku/restock', async (req, res) => {
    const sku = parseParam(skuParam, req, 'sku');
    const { quantity } = parseBody(restockBody, req.body);
    const product = await withTransaction(pool, async (tx) => {
      const existing = await loadProduct(tx, sku, true);
      if (!existing) throw new HttpError(404, 'not_found', `no product ${sku}`);
      let decision;
      try {
        decision = restock(existing, { quantity, now: clock().toISOString() });
      } catch (error) {
        if (error instanceof StockRuleViolation) throw new HttpError(422, error.code, error.message);
        throw error;
      }
      await saveProducts(tx, [decision.product]);
      await appendToOutbox(tx, 'stock', decision.events);
      return decision.product;
    });
    res.json(levelView(product));
  });

  router.get('/products', async (_req, res) => {
    res.json((await listProducts(pool)).map(productView));
  });

  router.get('/products/:sku', async (req, res) => {
    const sku = pathParam(req, 'sku');
    // A sku the PUT route would refuse cannot name a product.
    const product = skuParam.safeParse(sku).success ? await loadProduct(pool, sku) : null;
    if (!product) throw new HttpError(404, 'not_found', `no product ${sku}`);
    res.json(productView(product));
  });

  return router;
}
