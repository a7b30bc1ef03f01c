import { canBecome, keyViolations, storyViolations, withinAmounts, type OrderStory, type OrderView } from './ledger';

const story = (over: Partial<OrderStory> = {}): OrderStory => ({ orderId: 'o1', kind: 'normal', customerId: 'c', totals: [450], seen: ['PENDING'], cancels: [], dispatches: [], delivers: [], ...over });
const view = (over: Partial<OrderView> = {}): OrderView => ({ orderId: 'o1', customerId: 'c', status: 'DELIVERED', totalCents: 450, ...over });

describe('the ledger rules', () => {
  it('accepts a normal order that was delivered', () => {
    expect(storyViolations(story(), view())).toEqual([]);
  });

  it('reports an accepted order the shop does not know as lost, and one not final as stuck', () => {
    expect(storyViolations(story(), undefined)).toEqual([expect.stringMatching(/^lost/)]);
    expect(storyViolations(story(), view({ status: 'CONFIRMED' }))).toEqual([expect.stringMatching(/^stuck/)]);
  });

  it('reports a total that differs from the one answered', () => {
    expect(storyViolations(story({ totals: [450, 451] }), view())).toEqual([expect.stringMatching(/totalCents: answered 451/)]);
  });

  it('reports a status the client was shown that the final one cannot follow', () => {
    expect(storyViolations(story({ seen: ['PENDING', 'CONFIRMED'] }), view({ status: 'REJECTED', rejectionReason: 'OUT_OF_STOCK' }))).toContain('shown CONFIRMED, but it ended REJECTED');
  });

  it('expects declined and out-of-stock orders rejected for the right reason', () => {
    expect(storyViolations(story({ kind: 'poor' }), view({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' }))).toEqual([]);
    expect(storyViolations(story({ kind: 'poor' }), view({ status: 'REJECTED', rejectionReason: 'OUT_OF_STOCK' }))).toEqual(['rejected for OUT_OF_STOCK; expected PAYMENT_DECLINED']);
    expect(storyViolations(story({ kind: 'out-of-stock' }), view())).toEqual([expect.stringMatching(/ends REJECTED/)]);
  });

  it('holds a cancel to its answer', () => {
    const cancelled = story({ kind: 'cancel-confirmed', cancels: [{ status: 202, viewStatus: 'CANCELLED' }] });
    expect(storyViolations(cancelled, view({ status: 'CANCELLED' }))).toEqual([]);
    expect(storyViolations(cancelled, view())).toContain('the cancel answered CANCELLED, but it ended DELIVERED');
    const refused = story({ kind: 'cancel-confirmed', cancels: [{ status: 409, error: 'not_cancellable' }] });
    expect(storyViolations(refused, view({ status: 'CANCELLED' }))).toContain('the cancel was refused (409), but it ended CANCELLED');
    // Asked for, answered still CONFIRMED: shipping may let a dispatch that came first stand.
    expect(storyViolations(story({ kind: 'cancel-confirmed', cancels: [{ status: 202, viewStatus: 'CONFIRMED' }] }), view())).toEqual([]);
  });

  it('reports a race that both the dispatch and the cancel won', () => {
    const both = story({ kind: 'cancel-race', cancels: [{ status: 202, viewStatus: 'CANCELLED' }], dispatches: [{ status: 202 }] });
    expect(storyViolations(both, view({ status: 'CANCELLED' }))).toContain('both the dispatch (202) and the cancel (CANCELLED) won');
  });

  it('holds a dispatch and a delivery to their 202', () => {
    expect(storyViolations(story({ kind: 'dispatch-deliver', dispatches: [{ status: 202 }], delivers: [{ status: 202 }] }), view())).toEqual([]);
    expect(storyViolations(story({ kind: 'cancel-race', dispatches: [{ status: 202 }], cancels: [{ status: 0 }] }), view({ status: 'CANCELLED' }))).toContain('dispatched (202), but it ended CANCELLED');
  });

  it('knows the status machine', () => {
    expect(canBecome('PENDING', 'REJECTED')).toBe(true);
    expect(canBecome('CONFIRMED', 'CANCELLED')).toBe(true);
    expect(canBecome('SHIPPED', 'CANCELLED')).toBe(false);
    expect(canBecome('REJECTED', 'CONFIRMED')).toBe(false);
  });

  it('holds an Idempotency-Key to one order, and a clash to 409', () => {
    expect(keyViolations({ key: 'k', mode: 'same', answers: [{ body: 'first', status: 202, orderId: 'a' }, { body: 'first', status: 0 }, { body: 'first', status: 202, orderId: 'a' }] })).toEqual([]);
    expect(keyViolations({ key: 'k', mode: 'same', answers: [{ body: 'first', status: 202, orderId: 'a' }, { body: 'first', status: 202, orderId: 'b' }] })).toEqual([expect.stringMatching(/made 2 orders/)]);
    expect(keyViolations({ key: 'k', mode: 'clash', answers: [{ body: 'first', status: 202, orderId: 'a' }, { body: 'second', status: 409, error: 'idempotency_key_reused' }] })).toEqual([]);
    expect(keyViolations({ key: 'k', mode: 'clash', answers: [{ body: 'first', status: 202, orderId: 'a' }, { body: 'second', status: 202, orderId: 'b' }] })).toEqual([expect.stringMatching(/was accepted/)]);
    // The first request never landed: the second is the key's first use.
    expect(keyViolations({ key: 'k', mode: 'clash', answers: [{ body: 'first', status: 0 }, { body: 'second', status: 202, orderId: 'b' }] })).toEqual([]);
  });

  it('counts unanswered deposits and restocks as maybe', () => {
    expect(withinAmounts(150, { confirmed: 100, uncertain: 50 })).toBe(true);
    expect(withinAmounts(100, { confirmed: 100, uncertain: 50 })).toBe(true);
    expect(withinAmounts(99, { confirmed: 100, uncertain: 50 })).toBe(false);
    expect(withinAmounts(151, { confirmed: 100, uncertain: 50 })).toBe(false);
  });
});
