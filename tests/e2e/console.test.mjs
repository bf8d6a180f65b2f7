// End-to-end test of the web console in a real browser (Debian chromium via
// playwright-core) against a running corridord with a seeded database.
//
//   CORRIDOR_E2E_URL=http://127.0.0.1:18080/ CORRIDOR_E2E_KEY=csk_... node --test tests/e2e/
//
// It walks a forwarder's day: sign in, look at the network, ask a quote
// KZALA -> IRSRP, book option 1 on hold, confirm, amend, find it in the list,
// cancel it, and watch the events feed.  It asserts what the page shows and
// checks the same state through the API with fetch.  On a failure it saves a
// screenshot of the page into a temporary directory and prints its path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = (process.env.CORRIDOR_E2E_URL || '').replace(/\/?$/, '/');
const KEY = process.env.CORRIDOR_E2E_KEY || '';
const CHROMIUM = process.env.CORRIDOR_E2E_CHROMIUM || '/usr/bin/chromium';
const missing = !process.env.CORRIDOR_E2E_URL || !KEY ? 'set CORRIDOR_E2E_URL and CORRIDOR_E2E_KEY' : false;

const artifacts = fs.mkdtempSync(path.join(os.tmpdir(), 'corridord-e2e-'));
let context;
let page;
const browserErrors = [];

before(async () => {
    if (missing) return;
    /* a fresh profile each run: nothing cached, nothing remembered */
    context = await chromium.launchPersistentContext(path.join(artifacts, 'profile'), {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1440, height: 900 },
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(20000);
    page.on('pageerror', (err) => browserErrors.push(err.message));
});

after(async () => {
    if (context) await context.close();
    fs.rmSync(path.join(artifacts, 'profile'), { recursive: true, force: true });
    if (fs.readdirSync(artifacts).length === 0) fs.rmdirSync(artifacts);
});

/* One step of the journey: on failure, a full-page screenshot named after it;
 * the steps after a failed one are skipped (each needs the one before). */
let failedStep = null;
async function step(t, name, fn) {
    if (failedStep) {
        await t.test(name, { skip: `needs "${failedStep}"` }, () => {});
        return;
    }
    await t.test(name, async () => {
        try {
            await fn();
        } catch (err) {
            failedStep = name;
            const file = path.join(artifacts, name.replace(/[^a-z0-9]+/gi, '-') + '.png');
            try {
                await page.screenshot({ path: file, fullPage: true });
                console.error(`# screenshot of the failed step: ${file}`);
            } catch (shotErr) {
                console.error(`# no screenshot: ${shotErr.message}`);
            }
            throw err;
        }
    });
}

/* The API as a partner sees it (Node's fetch, same key). */
async function apiGet(p) {
    const res = await fetch(new URL(p.replace(/^\//, ''), BASE), { headers: { Authorization: `Bearer ${KEY}` } });
    const body = await res.json();
    assert.equal(res.status, 200, `GET ${p}: ${res.status} ${JSON.stringify(body)}`);
    return body;
}

async function apiPost(p, body, headers) {
    const res = await fetch(new URL(p.replace(/^\//, ''), BASE), {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json', ...(headers || {}) },
        body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
}

/* "12,345.67 USD" as shown -> { units: 1234567n, scale: 2, currency: 'USD' } */
function parseShownMoney(text) {
    const m = /^(-?[\d,]+)(?:\.(\d+))?\s+([A-Z]{3})$/.exec(text.trim());
    assert.ok(m, `not a money amount: "${text}"`);
    const frac = m[2] || '';
    return { units: BigInt(m[1].replace(/,/g, '') + frac), scale: frac.length, currency: m[3] };
}

function sameAmount(shown, money) {
    const s = parseShownMoney(shown);
    const [i, f = ''] = money.amount.split('.');
    return s.currency === money.currency && s.scale === f.length && s.units === BigInt(i + f);
}

function readyDate(daysAhead) {
    const d = new Date();
    d.setUTCDate(d.getUTCDate() + daysAhead);
    return d.toISOString().slice(0, 10);
}

const text = (sel) => page.locator(sel).first().innerText();

test('a forwarder quotes, books, confirms, amends and cancels in the console', { skip: missing }, async (t) => {
    const customerRef = `E2E-${Date.now().toString(36).toUpperCase()}`;
    let quoteId;
    let optionOneTotal;
    let reference;

    await step(t, 'a wrong key is refused with the problem shown', async () => {
        await page.goto(BASE);
        await page.locator('#signin-key').fill('csk_not_a_real_key');
        await page.locator('#signin-form button[type=submit]').click();
        const problem = page.locator('#signin-form .problem');
        await problem.waitFor();
        assert.match(await problem.innerText(), /401/);
        assert.ok((await text('#signin-form .problem-title')).trim().length > 0, 'the problem title is shown');
        assert.equal(await page.locator('#nav').isVisible(), false, 'no navigation before signing in');
    });

    await step(t, 'signs in and sees the network', async () => {
        await page.locator('#signin-key').fill(KEY);
        await page.locator('#signin-form button[type=submit]').click();
        await page.locator('#view-network').waitFor();
        assert.match(await text('#session-status'), /Signed in/);
        const body = await apiGet('/v1/nodes');
        const nodes = Array.isArray(body) ? body : body.items;
        await page.locator('#nodes-table tbody tr').nth(nodes.length - 1).waitFor();
        assert.equal(await page.locator('#nodes-table tbody tr').count(), nodes.length);
        assert.ok(nodes.length >= 38, `the seeded corridor has 38 nodes, got ${nodes.length}`);
        const table = await text('#nodes-table');
        for (const code of ['KZALA', 'KZAAU', 'TMKRW', 'IRSRP']) {
            const node = nodes.find((n) => n.code === code);
            assert.ok(node, `${code} is a node`);
            assert.ok(table.includes(code) && table.includes(node.name), `${code} ${node.name} is listed`);
        }
        assert.ok(await page.locator('#network-map svg circle').count() >= 30, 'the map draws the nodes');
    });

    await step(t, 'a quote with a bad count shows the error next to the field', async () => {
        await page.locator('#nav a[data-view=quote]').click();
        await page.locator('#q-origin').fill('KZALA');
        await page.locator('#q-destination').fill('IRSRP');
        await page.locator('#q-ready-date').fill(readyDate(3));
        const line = page.locator('#q-containers tr').first();
        await line.locator('select').selectOption('40HC');
        await line.locator('input').nth(0).fill('0');
        await line.locator('input').nth(1).fill('24000');
        await page.locator('#q-submit').click();
        const fieldError = page.locator('td[data-pointer="/cargo/containers/0/count"] .field-error');
        await fieldError.waitFor();
        assert.ok((await fieldError.innerText()).trim().length > 0, 'the message is next to the count');
        assert.match(await text('[data-problems=quote] .problem'), /validation_failed/);
        assert.equal(await page.locator('.option').count(), 0, 'no options for an invalid request');
    });

    await step(t, 'quotes KZALA to IRSRP and every total is the sum of its charges', async () => {
        await page.locator('#q-containers tr input').first().fill('2');
        await page.locator('#q-submit').click();
        await page.locator('.option').first().waitFor();
        assert.equal(await page.locator('.field-error').count(), 0, 'the field error is gone');
        quoteId = (await text('.quote-head h3')).replace(/^Quote\s+/, '').trim();
        const quote = await apiGet(`/v1/quotes/${encodeURIComponent(quoteId)}`);
        const cards = page.locator('.option');
        assert.equal(await cards.count(), quote.options.length, 'one card per option');
        assert.ok(quote.options.length >= 1);
        for (let i = 0; i < quote.options.length; i++) {
            const card = cards.nth(i);
            const shownTotal = await card.locator('.total-amount').innerText();
            const total = parseShownMoney(shownTotal);
            const amounts = (await card.locator('.charge-amount').allInnerTexts()).map(parseShownMoney);
            assert.ok(amounts.length > 0, `option ${i + 1} shows its charges`);
            let sum = 0n;
            for (const a of amounts) {
                assert.equal(a.scale, total.scale);
                assert.equal(a.currency, total.currency);
                sum += a.units;
            }
            assert.equal(sum, total.units, `option ${i + 1}: the charges shown add up to the total shown`);
            assert.match(await card.locator('tfoot').innerText(), /= total/);
            assert.ok(sameAmount(shownTotal, quote.options[i].total), `option ${i + 1}: the page shows the stored total`);
            const legs = await card.locator('table.legs tbody tr').count();
            assert.equal(legs, quote.options[i].legs.length, `option ${i + 1}: every leg is shown`);
        }
        const firstLegs = quote.options[0].legs;
        assert.equal(firstLegs[0].from, 'KZALA');
        assert.equal(firstLegs[firstLegs.length - 1].to, 'IRSRP');
        optionOneTotal = quote.options[0].total;
    });

    await step(t, 'books option 1 on hold (a double click books once)', async () => {
        const form = page.locator('.option[data-option="1"] form.book-form');
        await form.locator('input[value=hold]').check();
        await form.locator('input[name=customer_reference]').fill(customerRef);
        await form.locator('button[type=submit]').dblclick();
        await page.locator('#view-booking .booking-status').waitFor();
        assert.match(await text('#view-booking .booking-status'), /HELD/);
        reference = (await text('#booking-title')).replace(/^Booking\s+/, '').trim();
        assert.match(reference, /^[A-Z]+-[A-Z0-9]+$/);
        const booking = await apiGet(`/v1/bookings/${reference}`);
        assert.equal(booking.status, 'HELD');
        assert.equal(booking.customer_reference, customerRef);
        assert.deepEqual(booking.total, optionOneTotal, 'booked at the quoted price');
        assert.ok(sameAmount(await text('#booking-detail .total-amount'), booking.total));
        const all = await apiGet('/v1/bookings?limit=200');
        assert.equal(all.items.filter((b) => b.customer_reference === customerRef).length, 1, 'exactly one booking');
        /* the quote is used up: booking it again through the API is refused */
        const again = await apiPost('/v1/bookings', { quote_id: quoteId, option: 1, hold: true });
        assert.equal(again.status, 409);
        assert.equal(again.body.code, 'quote_already_booked');
    });

    await step(t, 'confirms the hold', async () => {
        await page.locator('#booking-detail').getByRole('button', { name: 'Confirm booking', exact: true }).click();
        await page.locator('#booking-detail .status-confirmed').waitFor();
        await page.locator('#booking-events tbody tr', { hasText: 'booking.confirmed' }).waitFor();
        assert.equal((await apiGet(`/v1/bookings/${reference}`)).status, 'CONFIRMED');
    });

    await step(t, 'amends the container count with If-Match', async () => {
        const before = await apiGet(`/v1/bookings/${reference}`);
        await page.locator('#amend-form .amend-count').first().fill('1');
        await page.locator('#amend-form button[type=submit]').click();
        await page.locator('#booking-events tbody tr', { hasText: 'booking.amended' }).waitFor();
        const after = await apiGet(`/v1/bookings/${reference}`);
        assert.equal(after.containers[0].count, 1);
        assert.ok(after.version > before.version, 'the version moved on');
        assert.match(await text('#booking-detail .facts'), /1 × 40HC/);
        assert.ok(sameAmount(await text('#booking-detail .total-amount'), after.total), 'the new total is shown');
        assert.notDeepEqual(after.total, before.total, 'fewer containers cost less');
    });

    await step(t, 'finds the booking in the list as CONFIRMED', async () => {
        await page.locator('#nav a[data-view=bookings]').click();
        await page.locator('#bk-status').selectOption('CONFIRMED');
        await page.locator('#bookings-form button[type=submit]').click();
        const row = page.locator('#bookings-table tbody tr', { hasText: reference });
        await row.waitFor();
        assert.match(await row.innerText(), /CONFIRMED/);
        assert.match(await row.innerText(), new RegExp(customerRef));
    });

    await step(t, 'cancels it', async () => {
        await page.locator('#bookings-table a', { hasText: reference }).click();
        const detail = page.locator('#booking-detail');
        await detail.getByRole('button', { name: 'Cancel booking…', exact: true }).click();
        await detail.getByRole('button', { name: 'Yes, cancel booking', exact: true }).click();
        await page.locator('#booking-detail .status-cancelled').waitFor();
        assert.equal(await page.locator('#booking-detail button', { hasText: 'Confirm booking' }).count(), 0);
        await page.locator('#booking-events tbody tr', { hasText: 'booking.cancelled' }).waitFor();
        assert.equal((await apiGet(`/v1/bookings/${reference}`)).status, 'CANCELLED');
        await page.locator('#nav a[data-view=bookings]').click();
        await page.locator('#bk-status').selectOption('');
        await page.locator('#bookings-form button[type=submit]').click();
        await page.locator('#bookings-table tbody tr', { hasText: reference }).filter({ hasText: 'CANCELLED' }).waitFor();
    });

    await step(t, 'the events feed shows the history and new events live', async () => {
        await page.locator('#nav a[data-view=events]').click();
        for (const type of ['booking.held', 'booking.confirmed', 'booking.amended', 'booking.cancelled']) {
            await page.locator('#events-table tbody tr', { hasText: reference }).filter({ hasText: type }).first().waitFor();
        }
        await page.locator('#events-status', { hasText: 'live' }).waitFor();
        /* a booking made elsewhere (through the API) appears while the page waits */
        const q = await apiPost('/v1/quotes', {
            origin: 'KZALA', destination: 'IRSRP', ready_date: readyDate(4),
            cargo: { containers: [{ type: '40HC', count: 1, gross_weight_kg: 20000 }] },
        });
        assert.equal(q.status, 201, JSON.stringify(q.body));
        const b = await apiPost('/v1/bookings', { quote_id: q.body.id, option: 1, hold: true },
            { 'Idempotency-Key': `e2e-${Date.now()}` });
        assert.equal(b.status, 201, JSON.stringify(b.body));
        await page.locator('#events-table tbody tr.fresh', { hasText: b.body.reference }).filter({ hasText: 'booking.held' })
            .waitFor({ timeout: 15000 });
        const cancel = await apiPost(`/v1/bookings/${b.body.reference}/cancel`, {});
        assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    });

    await t.test('no script error happened in the page', () => {
        assert.deepEqual(browserErrors, []);
    });
});
