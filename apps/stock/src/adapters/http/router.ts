/**
 * The stock HTTP API (docs/architecture.md, "HTTP API"): validate → command → one transaction → respond.
 * Every change to a product is published as ProductUpdated in the same transaction.
 */
import { Router, type RequestHandler } from 'express';
import { withTransaction, type Pool } from '@webshop/postgres';
import { decideAndRecord } from '@webshop/runtime';
import { HttpError, parseBody, parseParam, pathParam } from '@webshop/service-kit';
import { stockDecider, type StockCommand } from '../../domain/decide';
import type { Product } from '../../domain/stock';
import { listProducts, loadProduct, productView as productStore } from '../pg/stock-store';
import { defineProductBody, restockBody, skuParam } from './schemas';

export const productView = (p: Product) => ({ sku: p.sku, name: p.name, priceCents: p.priceCents, available: p.available, reserved: p.reserved, updatedAt: p.updatedAt });
const levelView = (p: Product) => ({ sku: p.sku, name: p.name, priceCents: p.priceCents, available: p.available, reserved: p.reserved });

/** `operatorOnly` guards what only an operator may do: product changes and restocks (service-kit's operator access). */
export function stockRouter({ pool, operatorOnly, clock = () => new Date() }: { pool: Pool; operatorOnly: RequestHandler; clock?: () => Date }): Router {
  const router = Router();

  /** Decides a catalogue command on its product in one transaction; the time is read once it is locked. */
  const decideOn = (sku: string, command: (now: string) => StockCommand) =>
    withTransaction(pool, (tx) => decideAndRecord(tx, 'stock', stockDecider, productStore(sku), () => command(clock().toISOString())));

  router.put('/products/:sku', operatorOnly, async (req, res) => {
    const sku = parseParam(skuParam, req, 'sku');
    const body = parseBody(defineProductBody, req.body);
    const { before, after } = await decideOn(sku, (now) => ({ type: 'DefineProduct', sku, ...body, now }));
    res.status(before.products.has(sku) ? 200 : 201).json(productView(after.products.get(sku)!));
  });

  router.post('/products/:sku/restock', operatorOnly, async (req, res) => {
    const sku = parseParam(skuParam, req, 'sku');
    const { quantity } = parseBody(restockBody, req.body);
    const { after } = await decideOn(sku, (now) => ({ type: 'Restock', sku, quantity, now }));
    res.json(levelView(after.products.get(sku)!));
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
