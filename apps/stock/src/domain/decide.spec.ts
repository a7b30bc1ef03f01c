import { deciderSpec } from '@webshop/testing';
import { MAX_UNITS, stockDecider, type StockCommand } from './decide';
import type { Product, Reservation, StockFact, StockView } from './stock';

const orderId = '6f1c2a54-4d43-4c38-9d0a-0f8e3c1b2a01';
const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s)).toISOString();

const product = (sku: string, available: number, reserved = 0): Product => ({ sku, name: `Product ${sku}`, priceCents: 450, available, reserved, updatedAt: at(0) });
const levels = (view: StockView) => Object.fromEntries([...view.products.values()].map((p) => [p.sku, { available: p.available, reserved: p.reserved }]));
const updated = (p: Product, now: string): StockFact => ({
  type: 'ProductUpdated',
  data: { sku: p.sku, name: p.name, priceCents: p.priceCents, available: p.available, reserved: p.reserved, updatedAt: now },
});

const spec = deciderSpec(stockDecider);
/** The products (and the order's reservation) a decision about one order looks at. */
const given = (products: Product[], reservation: Reservation | null = null) => spec.givenState({ reservation, products: new Map(products.map((p) => [p.sku, p])) });

const reserveLines = (lines: Array<[string, number]>, s = 1): StockCommand => ({ type: 'ReserveStock', orderId, lines: lines.map(([sku, quantity]) => ({ sku, quantity })), now: at(s) });
const commit = (s: number): StockCommand => ({ type: 'CommitStock', now: at(s) });
const release = (s: number): StockCommand => ({ type: 'ReleaseStock', now: at(s) });
const committed = (s: number): StockFact => ({ type: 'ReservationCommitted', data: { orderId, committedAt: at(s) } });

describe('reserving stock for a purchase', () => {
  it('holds every line when all are in stock, and tells the new levels', () => {
    const after = given([product('TEA-1', 5), product('CUP-2', 2)])
      .when(reserveLines([['TEA-1', 2], ['CUP-2', 2]]))
      .then([
        { type: 'StockReserved', data: { orderId, items: [{ sku: 'TEA-1', quantity: 2 }, { sku: 'CUP-2', quantity: 2 }], reservedAt: at(1) } },
        updated(product('CUP-2', 0, 2), at(1)),
        updated(product('TEA-1', 3, 2), at(1)),
      ]);
    expect(levels(after.state)).toEqual({ 'TEA-1': { available: 3, reserved: 2 }, 'CUP-2': { available: 0, reserved: 2 } });
    expect(after.state.reservation).toMatchObject({ status: 'RESERVED' });
  });

  it('holds nothing when one line is short, naming every short line (an unknown sku has 0)', () => {
    const after = given([product('TEA-1', 5), product('CUP-2', 1), product('POT-3', 0)])
      .when(reserveLines([['TEA-1', 2], ['CUP-2', 2], ['POT-3', 1], ['NOPE', 1]]))
      .then([
        {
          type: 'StockUnavailable',
          data: {
            orderId,
            missing: [
              { sku: 'CUP-2', requested: 2, available: 1 },
              { sku: 'POT-3', requested: 1, available: 0 },
              { sku: 'NOPE', requested: 1, available: 0 },
            ],
            checkedAt: at(1),
          },
        },
      ]);
    expect(levels(after.state)).toEqual({ 'TEA-1': { available: 5, reserved: 0 }, 'CUP-2': { available: 1, reserved: 0 }, 'POT-3': { available: 0, reserved: 0 } });
    expect(after.state.reservation).toMatchObject({ status: 'UNAVAILABLE' });
  });

  it('adds up lines naming the same sku before checking', () => {
    given([product('TEA-1', 3)])
      .when(reserveLines([['TEA-1', 2], ['TEA-1', 2]]))
      .then([{ type: 'StockUnavailable', data: { orderId, missing: [{ sku: 'TEA-1', requested: 4, available: 3 }], checkedAt: at(1) } }]);
  });

  it('may take available down to exactly zero', () => {
    const after = given([product('TEA-1', 2)]).when(reserveLines([['TEA-1', 2]])).then([
      { type: 'StockReserved', data: { orderId, items: [{ sku: 'TEA-1', quantity: 2 }], reservedAt: at(1) } },
      updated(product('TEA-1', 0, 2), at(1)),
    ]);
    expect(levels(after.state)).toEqual({ 'TEA-1': { available: 0, reserved: 2 } });
  });

  it('reserves an order once', () => {
    given([product('TEA-1', 5)]).when(reserveLines([['TEA-1', 1]])).then(expect.any(Array)).when(reserveLines([['TEA-1', 1]], 2)).thenNothingHappened();
  });

  it('never stamps a level earlier than its last change', () => {
    const later = given([{ ...product('TEA-1', 5), updatedAt: at(30) }]).when(reserveLines([['TEA-1', 1]], 10)).then(expect.any(Array));
    expect(later.state.products.get('TEA-1')).toMatchObject({ updatedAt: at(30) });
  });
});

describe('committing on confirmation', () => {
  it('sells the held units', () => {
    const after = given([product('TEA-1', 5)])
      .when(reserveLines([['TEA-1', 2]]))
      .then(expect.any(Array))
      .when(commit(2))
      .then([committed(2), updated(product('TEA-1', 3, 0), at(2))]);
    expect(after.state.reservation).toMatchObject({ status: 'COMMITTED' });
  });

  it('does nothing for an order that holds nothing', () => {
    given([product('TEA-1', 0)]).when(reserveLines([['TEA-1', 2]])).then(expect.any(Array)).when(commit(2)).thenNothingHappened();
    given([product('TEA-1', 5)]).when(commit(2)).thenNothingHappened();
  });
});

describe('releasing on rejection or cancellation', () => {
  const released = (s: number): StockFact => ({ type: 'StockReleased', data: { orderId, items: [{ sku: 'TEA-1', quantity: 2 }], releasedAt: at(s) } });

  it('puts held units back, once', () => {
    const after = given([product('TEA-1', 5)])
      .when(reserveLines([['TEA-1', 2]]))
      .then(expect.any(Array))
      .when(release(3))
      .then([released(3), updated(product('TEA-1', 5, 0), at(3))]);
    expect(after.state.reservation).toMatchObject({ status: 'RELEASED' });
    after.when(release(4)).thenNothingHappened();
  });

  it('puts sold but undispatched units back after a confirmation, once', () => {
    const after = given([product('TEA-1', 5)])
      .when(reserveLines([['TEA-1', 2]]))
      .then(expect.any(Array))
      .when(commit(2))
      .then(expect.any(Array))
      .when(release(3))
      .then([released(3), updated(product('TEA-1', 5, 0), at(3))]);
    after.when(release(4)).thenNothingHappened();
    after.when(commit(4)).thenNothingHappened();
  });

  it('gives nothing back for an order that got nothing', () => {
    given([product('TEA-1', 1)]).when(reserveLines([['TEA-1', 2]])).then(expect.any(Array)).when(release(3)).thenNothingHappened();
    given([product('TEA-1', 1)]).when(release(3)).thenNothingHappened();
  });
});

describe('the catalogue', () => {
  const define = (name: string, priceCents: number): StockCommand => ({ type: 'DefineProduct', sku: 'TEA-1', name, priceCents, now: at(1) });

  it('creates a product with no stock', () => {
    const after = spec.given().when(define('Tea', 450)).then([
      { type: 'ProductUpdated', data: { sku: 'TEA-1', name: 'Tea', priceCents: 450, available: 0, reserved: 0, updatedAt: at(1) } },
    ]);
    expect(after.state.products.get('TEA-1')).toEqual({ sku: 'TEA-1', name: 'Tea', priceCents: 450, available: 0, reserved: 0, updatedAt: at(1) });
  });

  it('renames and reprices a product, keeping its stock', () => {
    const after = given([product('TEA-1', 5, 2)]).when(define('Green tea', 500)).then([updated({ ...product('TEA-1', 5, 2), name: 'Green tea', priceCents: 500 }, at(1))]);
    expect(after.state.products.get('TEA-1')).toEqual({ sku: 'TEA-1', name: 'Green tea', priceCents: 500, available: 5, reserved: 2, updatedAt: at(1) });
  });

  it('restocks: new units are available at once', () => {
    const after = given([product('TEA-1', 5, 2)]).when({ type: 'Restock', sku: 'TEA-1', quantity: 10, now: at(1) }).then(expect.any(Array));
    expect(after.state.products.get('TEA-1')).toMatchObject({ available: 15, reserved: 2, updatedAt: at(1) });
  });

  it('refuses to hold more units than it can count', () => {
    given([product('TEA-1', MAX_UNITS - 1)]).when({ type: 'Restock', sku: 'TEA-1', quantity: 2, now: at(1) }).thenThrows('stock_limit_exceeded');
  });

  it('refuses to restock a product it does not have', () => {
    expect(given([]).when({ type: 'Restock', sku: 'TEA-1', quantity: 2, now: at(1) }).thenThrows('not_found').status).toBe(404);
  });
});
