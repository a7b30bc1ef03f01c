/**
 * The stock HTTP API (docs/architecture.md, "HTTP API"): validate → command → one transaction → respond.
 * Every change to a product is published as ProductUpdated in the same transaction.
 */
import { z } from 'zod';
import { withTransaction, type Pool } from '@webshop/postgres';
import { decideAndRecord } from '@webshop/runtime';
import { HttpError, parseParam, pathParam, route, type Route } from '@webshop/service-kit';
import { stockDecider, type StockCommand } from '../../domain/decide';
import type { Product } from '../../domain/stock';
import { listProducts, loadProduct, productView as productStore } from '../pg/stock-store';
import { defineProductBody, productBody, restockBody, skuParam, stockLevelBody } from './schemas';

export const productView = (p: Product): z.output<typeof productBody> => ({ sku: p.sku, name: p.name, priceCents: p.priceCents, available: p.available, reserved: p.reserved, updatedAt: p.updatedAt });
const levelView = (p: Product): z.output<typeof stockLevelBody> => ({ sku: p.sku, name: p.name, priceCents: p.priceCents, available: p.available, reserved: p.reserved });

const skuOnly = z.object({ sku: skuParam });

/** The stock API's routes; product changes and restocks are for operators only (service-kit's operator access). */
export function stockRoutes({ pool, clock = () => new Date() }: { pool: Pool; clock?: () => Date }): Route[] {
  /** Decides a catalogue command on its product in one transaction; the time is read once it is locked. */
  const decideOn = (sku: string, command: (now: string) => StockCommand) =>
    withTransaction(pool, (tx) => decideAndRecord(tx, 'stock', stockDecider, productStore(sku), () => command(clock().toISOString())));

  return [
    route({
      method: 'put',
      path: '/products/:sku',
      summary: 'Define a product, or rename or reprice it (its stock kept); publishes ProductUpdated',
      operator: true,
      params: skuOnly,
      body: defineProductBody,
      responses: { 200: { description: 'renamed or repriced', schema: productBody }, 201: { description: 'created', schema: productBody } },
      async handle(req, res, { body }) {
        const sku = parseParam(skuParam, req, 'sku');
        const { before, after } = await decideOn(sku, (now) => ({ type: 'DefineProduct', sku, ...body, now }));
        res.status(before.products.has(sku) ? 200 : 201).json(productView(after.products.get(sku)!));
      },
    }),

    route({
      method: 'post',
      path: '/products/:sku/restock',
      summary: 'Add units to a product\'s stock; publishes ProductUpdated',
      operator: true,
      params: skuOnly,
      body: restockBody,
      responses: { 200: { description: 'the stock level after it', schema: stockLevelBody } },
      errors: { 404: ['not_found'], 422: ['stock_limit_exceeded'] },
      async handle(req, res, { body: { quantity } }) {
        const sku = parseParam(skuParam, req, 'sku');
        const { after } = await decideOn(sku, (now) => ({ type: 'Restock', sku, quantity, now }));
        res.json(levelView(after.products.get(sku)!));
      },
    }),

    route({
      method: 'get',
      path: '/products',
      summary: 'The catalogue, ordered by sku',
      responses: { 200: { description: 'every product', schema: z.array(productBody) } },
      async handle(_req, res) {
        res.json((await listProducts(pool)).map(productView));
      },
    }),

    route({
      method: 'get',
      path: '/products/:sku',
      summary: 'One product',
      params: skuOnly,
      responses: { 200: { description: 'the product', schema: productBody } },
      errors: { 404: ['not_found'] },
      async handle(req, res) {
        const sku = pathParam(req, 'sku');
        // A sku the PUT route would refuse cannot name a product.
        const product = skuParam.safeParse(sku).success ? await loadProduct(pool, sku) : null;
        if (!product) throw new HttpError(404, 'not_found', `no product ${sku}`);
        res.json(productView(product));
      },
    }),
  ];
}
