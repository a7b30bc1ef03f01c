/**
 * The web app in a real browser (Debian's Chromium driven by playwright-core) against the five real
 * services, Kafka and Postgres: one shop for every test, in order, as a person would use it. Each
 * page is checked with axe-core and photographed at phone and desktop width into
 * dist/web-screenshots/ (WEB_SCREENSHOTS overrides).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { testOperatorToken } from '@webshop/testing';
import { startShopWithWeb, type ShopWithWeb } from '../testing/shop-with-web';

const root = path.resolve(__dirname, '../../../..');
const screenshots = process.env['WEB_SCREENSHOTS'] ?? path.join(root, 'dist/web-screenshots');
const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const closedNetworkFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const widths = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
/** Generous: a busy 2-core machine runs the whole shop beside this. */
const LONG = 90_000;
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let shop: ShopWithWeb;
let browser: Browser;
let page: Page;
const placed: Record<string, string> = {};

/** axe-core's violations on the page as it is, as readable lines (none expected). */
async function accessibilityViolations(p: Page): Promise<string[]> {
  if (!(await p.evaluate(() => 'axe' in window))) await p.addScriptTag({ content: axeSource });
  const violations = await p.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run();
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
  return violations;
}

/** At both widths: no axe violation, and a screenshot `<name>-<width>.png`. */
async function checkAndPhotograph(p: Page, name: string): Promise<void> {
  for (const [label, size] of Object.entries(widths)) {
    await p.setViewportSize(size);
    expect({ page: name, width: label, violations: await accessibilityViolations(p) }).toEqual({ page: name, width: label, violations: [] });
    await p.screenshot({ path: path.join(screenshots, `${name}-${label}.png`), fullPage: true });
  }
  await p.setViewportSize(widths.desktop);
}

const card = (p: Page, type: string, lane: string) => p.locator(`.card[data-type="${type}"][data-lane="${lane}"]`);

async function placeOrder(p: Page, customer: string, productLabels: string[]): Promise<string> {
  await p.goto(`${shop.web}/`);
  await p.getByRole('button', { name: customer, exact: true }).click();
  await p.getByTestId('balance').filter({ hasNotText: 'loading' }).waitFor({ timeout: LONG });
  for (const label of productLabels) await p.getByRole('button', { name: label }).click();
  // A double click: the cart's Idempotency-Key makes it one order.
  await p.getByRole('button', { name: 'Place order' }).dblclick();
  await p.waitForURL(/\/orders\/[0-9a-f-]{36}$/, { timeout: LONG });
  return p.url().split('/').pop()!;
}

const statusIs = (p: Page, status: string) => p.getByTestId('order-status').filter({ hasText: new RegExp(`^${status}$`) }).waitFor({ timeout: LONG });

beforeAll(async () => {
  const built = path.join(root, 'dist/apps/web/public/index.html');
  if (!existsSync(built)) throw new Error(`the browser app is not built (${built}): run through nx (web:test depends on web:build)`);
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium (.ci/run does)`);
  mkdirSync(screenshots, { recursive: true });
  shop = await startShopWithWeb();
  browser = await chromium.launch({ executablePath: chromiumPath, args: closedNetworkFlags, headless: true });
  page = await browser.newPage({ viewport: widths.desktop });
  page.setDefaultTimeout(LONG);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await shop?.stop();
}, 120_000);

describe('the web shop in a browser', () => {
  it('shows the catalogue with stock and the balance, and is accessible', async () => {
    await page.goto(`${shop.web}/`);
    await page.getByRole('button', { name: 'alice', exact: true }).click();
    await page.getByTestId('balance').filter({ hasText: '£500.00' }).waitFor();
    await page.locator('tr[data-sku="TEA-EARLGREY"]').filter({ hasText: '100' }).waitFor();
    await checkAndPhotograph(page, 'shop');
  });

  it("asks for the operator's token before an operator's action, refuses a wrong one, and changes nothing", async () => {
    await page.getByLabel('Units').fill('5');
    await page.getByRole('button', { name: 'Restock' }).click();
    await page.getByRole('alert').filter({ hasText: 'unauthorized, HTTP 401' }).filter({ hasText: 'enter the operator token' }).waitFor();
    await page.getByLabel('Operator token').fill('not-the-operator-token');
    await page.getByRole('button', { name: 'Deposit', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'forbidden, HTTP 403' }).waitFor();
    await page.getByTestId('balance').filter({ hasText: '£500.00' }).waitFor();
    await page.locator('tr[data-sku="TEA-EARLGREY"]').filter({ hasText: '100' }).waitFor();
    await page.getByLabel('Operator token').fill(testOperatorToken);
    await checkAndPhotograph(page, 'shop-operator-token');
  });

  it("shows the APIs' refusals as sentences with their codes, and the page goes on", async () => {
    await page.getByLabel('Units').fill('2000000'); // more than one restock may bring
    await page.getByRole('button', { name: 'Restock' }).click();
    await page.getByRole('alert').filter({ hasText: 'validation_failed, HTTP 400' }).filter({ hasText: 'quantity' }).waitFor();
    await page.getByLabel(/Deposit for alice/).fill('lots');
    await page.getByRole('button', { name: 'Deposit', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'validation_failed, HTTP 400' }).filter({ hasText: 'amountCents' }).waitFor();
    await page.locator('tr[data-sku="TEA-EARLGREY"]').filter({ hasText: '100' }).waitFor();
    await checkAndPhotograph(page, 'shop-refusals');

    await page.goto(`${shop.web}/orders/00000000-0000-4000-8000-000000000000`);
    await page.getByRole('alert').filter({ hasText: 'not_found, HTTP 404' }).waitFor();
    await page.getByTestId('stream-state').filter({ hasText: 'not available (HTTP 404)' }).waitFor();
    await checkAndPhotograph(page, 'order-not-found');
  });

  it('places an order by clicking and watches it reach CONFIRMED, each event in the lane of its producer, with arrows to their causes', async () => {
    const orderId = await placeOrder(page, 'alice', ['Add Earl Grey tea, 100 g to the cart', 'Add Stoneware mug to the cart']);
    placed['confirmed'] = orderId;
    await statusIs(page, 'CONFIRMED');
    for (const [type, lane] of [
      ['PurchaseRequested', 'orders'],
      ['PaymentProcessed', 'payment'],
      ['StockReserved', 'stock'],
      ['OrderConfirmed', 'orders'],
      ['ShipmentScheduled', 'shipping'],
      ['EmailSent', 'email'],
    ] as const) {
      await card(page, type, lane).waitFor();
    }
    // An arrow from the request to each of its answers.
    const requestId = await card(page, 'PurchaseRequested', 'orders').getAttribute('data-event-id');
    const paymentId = await card(page, 'PaymentProcessed', 'payment').getAttribute('data-event-id');
    await page.locator(`svg.arrows path[data-from="${requestId}"][data-to="${paymentId}"]`).waitFor({ state: 'attached' });
    // The double click placed one order.
    const orders = (await (await fetch(`${shop.url.orders}/orders?customerId=alice`)).json()) as { items: unknown[] };
    expect(orders.items).toHaveLength(1);
    await page.getByRole('button', { name: 'Cancel order' }).waitFor();
    await checkAndPhotograph(page, 'order-confirmed');
  });

  it('shows a declined order with its reason, PAYMENT_DECLINED', async () => {
    placed['declined'] = await placeOrder(page, 'dave', ['Add Gooseneck kettle to the cart']);
    await statusIs(page, 'REJECTED');
    await page.getByTestId('rejection-reason').filter({ hasText: 'PAYMENT_DECLINED' }).waitFor();
    await card(page, 'PaymentDeclined', 'payment').waitFor();
    await card(page, 'OrderRejected', 'orders').waitFor();
    await page.getByTestId('stream-state').filter({ hasText: 'complete' }).waitFor();
    await checkAndPhotograph(page, 'order-declined');
  });

  it('can be used with the keyboard alone: choose, add, place, open an event', async () => {
    await page.goto(`${shop.web}/`);
    /** Tab until the focused element's text is `name` (or starts with it, for an event's card). */
    const tabTo = async (name: string, prefix = false) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const text = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
        if (text === name || (prefix && text.startsWith(name))) return;
      }
      throw new Error(`"${name}" cannot be reached with Tab`);
    };
    await tabTo('bob');
    await page.keyboard.press('Enter');
    await page.getByTestId('balance').filter({ hasText: '£50.00' }).waitFor();
    await tabTo('Add');
    await page.keyboard.press('Enter');
    await tabTo('Place order');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    await card(page, 'PurchaseRequested', 'orders').waitFor();
    await tabTo('#1 PurchaseRequested', true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '#1 PurchaseRequested' }).waitFor();
  });

  it('cancels a confirmed order and shows the refund and the release arrive', async () => {
    await page.goto(`${shop.web}/orders/${placed['confirmed']}`);
    await statusIs(page, 'CONFIRMED');
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await statusIs(page, 'CANCELLED');
    await card(page, 'OrderCancellationRequested', 'orders').waitFor();
    await card(page, 'ShipmentCancelled', 'shipping').waitFor();
    await card(page, 'PaymentRefunded', 'payment').waitFor();
    await card(page, 'StockReleased', 'stock').waitFor();
    await page.getByTestId('stream-state').filter({ hasText: 'complete' }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    await checkAndPhotograph(page, 'order-cancelled');
  });

  it("lists a customer's orders with their statuses", async () => {
    await page.goto(`${shop.web}/my-orders`);
    await page.getByRole('button', { name: 'alice', exact: true }).click();
    await page.locator(`tr[data-order-id="${placed['confirmed']}"]`).filter({ hasText: 'CANCELLED' }).waitFor();
    await checkAndPhotograph(page, 'my-orders');
  });

  it('shows the events of those orders on the pulse, and every service ready', async () => {
    await page.goto(`${shop.web}/pulse`);
    for (const service of ['orders', 'payment', 'stock', 'shipping', 'email']) await page.locator(`[data-service="${service}"][data-state="ready"]`).waitFor();
    const feed = page.getByTestId('feed');
    for (const type of ['PurchaseRequested', 'OrderConfirmed', 'OrderCancelled', 'PaymentRefunded', 'StockReleased']) {
      await feed.locator(`li[data-key="${placed['confirmed']}"][data-type="${type}"]`).first().waitFor();
    }
    await feed.locator(`li[data-key="${placed['declined']}"][data-type="PaymentDeclined"]`).waitFor();
    await page.getByLabel('Order id (or sku)').fill(placed['declined']!);
    await feed.locator('li[data-type="OrderRejected"]').waitFor();
    expect(await feed.locator(`li:not([data-key="${placed['declined']}"])`).count()).toBe(0);
    await page.getByLabel('Order id (or sku)').fill('');
    await checkAndPhotograph(page, 'pulse');
  });

  it('says so on the pulse when a service is stopped, and names it when an action needs it', async () => {
    // An order to act on while shipping is away.
    placed['waiting'] = await placeOrder(page, 'bob', ['Add Earl Grey tea, 100 g to the cart']);
    await statusIs(page, 'CONFIRMED');
    await page.getByRole('button', { name: 'Dispatch parcel' }).waitFor();
    expect(await shop.stopService('shipping')).toBe(0);

    await page.getByRole('button', { name: 'Dispatch parcel' }).click();
    await page.getByRole('alert').filter({ hasText: 'shipping service is not answering' }).filter({ hasText: 'service_unavailable' }).waitFor();
    await checkAndPhotograph(page, 'order-service-down');

    await page.goto(`${shop.web}/pulse`);
    await page.locator('[data-service="shipping"][data-state="down"]').filter({ hasText: 'not answering' }).waitFor();
    await page.locator('[data-service="orders"][data-state="ready"]').waitFor();
    await checkAndPhotograph(page, 'pulse-shipping-down');
  });
});
