/* corridord web console: the quote form, the priced options side by side,
 * and booking an option (hold or confirm) with an Idempotency-Key. */
'use strict';

const CONTAINER_TYPES = ['20DV', '40DV', '40HC', '20RF', '40RF'];

/* A random UUID (v4) also where crypto.randomUUID is missing (plain http). */
function newIdempotencyKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/* ---------- field errors: JSON Pointer -> the field that shows it ---------- */

function pointerCovers(fieldPointer, pointer) {
    return pointer === fieldPointer || pointer.startsWith(fieldPointer + '/');
}

function clearFieldErrors(form) {
    for (const e of $$('.field-error', form)) e.remove();
    for (const e of $$('.invalid', form)) e.classList.remove('invalid');
    for (const e of $$('[aria-invalid]', form)) {
        e.removeAttribute('aria-invalid');
        e.removeAttribute('aria-describedby');
    }
}

/* Puts each error next to the most specific field whose data-pointer covers
 * its pointer; returns the errors no field covers. */
function placeFieldErrors(form, errors) {
    const fields = $$('[data-pointer]', form);
    const unplaced = [];
    let n = 0;
    for (const err of errors || []) {
        const pointer = String(err.pointer || '');
        let best = null;
        for (const f of fields) {
            if (pointerCovers(f.dataset.pointer, pointer) && (!best || f.dataset.pointer.length > best.dataset.pointer.length)) best = f;
        }
        if (!best) { unplaced.push(err); continue; }
        const id = `${form.id}-err-${n++}`;
        best.classList.add('invalid');
        best.append(h('p', { class: 'field-error', id }, err.message || 'invalid'));
        const input = $('input, select', best);
        if (input) {
            input.setAttribute('aria-invalid', 'true');
            input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
        }
    }
    return unplaced;
}

/* ---------- the form ---------- */

function containerRow(line) {
    const row = h('tr', { class: 'container-line' },
        h('td', { class: 'field', dataset: { part: 'type' } },
            h('select', { 'aria-label': 'Container type' }, CONTAINER_TYPES.map((t) => h('option', { selected: t === line.type }, t)))),
        h('td', { class: 'field', dataset: { part: 'count' } },
            h('input', { type: 'number', min: 1, step: 1, value: line.count, 'aria-label': 'Number of containers', class: 'short' })),
        h('td', { class: 'field', dataset: { part: 'gross_weight_kg' } },
            h('input', { type: 'number', min: 0, step: 1, value: line.gross_weight_kg, 'aria-label': 'Gross weight per container in kg' })),
        h('td', null, h('button', {
            type: 'button', class: 'secondary small', 'aria-label': 'Remove this container line',
            onclick: (e) => { e.currentTarget.closest('tr').remove(); renumberContainers(); },
        }, '✕')));
    $('#q-containers').append(row);
    renumberContainers();
}

function renumberContainers() {
    $$('#q-containers tr').forEach((tr, i) => {
        for (const td of $$('td[data-part]', tr)) td.dataset.pointer = `/cargo/containers/${i}/${td.dataset.part}`;
    });
}

/* An input's number, or its raw text for the server to refuse by pointer. */
function numberOrText(value) {
    const v = String(value).trim();
    if (v === '') return undefined;
    return /^-?\d+$/.test(v) ? Number(v) : v;
}

function quoteRequest() {
    const form = $('#quote-form');
    const containers = $$('#q-containers tr').map((tr) => {
        const [type, count, weight] = $$('select, input', tr).map((i) => i.value);
        return { type, count: numberOrText(count), gross_weight_kg: numberOrText(weight) };
    });
    const cargo = { containers };
    const commodity = $('#q-commodity').value.trim();
    const hs = $('#q-hs-code').value.trim();
    if (commodity) cargo.commodity = commodity;
    if (hs) cargo.hs_code = hs;
    cargo.dangerous_goods = $('#q-dg').checked;
    const body = {
        origin: $('#q-origin').value.trim().toUpperCase(),
        destination: $('#q-destination').value.trim().toUpperCase(),
        ready_date: $('#q-ready-date').value,
        cargo,
        currency: $('#q-currency').value,
        optimize: $('input[name=optimize]:checked', form).value,
    };
    const maxOptions = numberOrText($('#q-max-options').value);
    if (maxOptions !== undefined) body.max_options = maxOptions;
    const avoid = $$('input[name=avoid_modes]:checked', form).map((i) => i.value);
    if (avoid.length) body.avoid_modes = avoid;
    const via = $('#q-via').value.split(/[\s,;]+/).map((s) => s.trim().toUpperCase()).filter(Boolean);
    if (via.length) body.via = via;
    return body;
}

/* ---------- the options ---------- */

function cheapestAndFastest(options) {
    let cheapest = null, fastest = null;
    for (const o of options) {
        const t = o.total && parseDecimal(o.total.amount);
        if (t && (!cheapest || rescale(t, 6) < rescale(parseDecimal(cheapest.total.amount), 6))) cheapest = o;
        if (o.arrives_at && (!fastest || Date.parse(o.arrives_at) < Date.parse(fastest.arrives_at))) fastest = o;
    }
    return { cheapest, fastest };
}

function chargesTable(charges, total) {
    const amounts = charges.map((c) => c.amount && c.amount.amount);
    const totalScale = total ? (parseDecimal(total.amount) || { scale: 0 }).scale : 0;
    const sum = sumDecimals(amounts, totalScale);
    const matches = sum !== null && total && decimalsEqual(sum, total.amount);
    const currency = total ? total.currency : (charges[0] && charges[0].amount && charges[0].amount.currency) || '';
    return h('div', { class: 'table-wrap flat' }, h('table', { class: 'data compact charges' },
        h('caption', null, 'Charges'),
        h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, 'Charge'), h('th', { scope: 'col', class: 'num' }, 'Leg'),
            h('th', { scope: 'col', class: 'num' }, 'Quantity × unit price'),
            h('th', { scope: 'col', class: 'num' }, 'FX'), h('th', { scope: 'col', class: 'num' }, 'Amount'))),
        h('tbody', null, charges.map((c) => h('tr', { class: 'charge' + (String(c.code).startsWith('DISCOUNT') ? ' discount' : '') },
            h('td', null, h('code', { class: 'charge-code' }, c.code), c.description ? h('div', { class: 'charge-desc' }, c.description) : null),
            h('td', { class: 'num' }, c.leg === null || c.leg === undefined ? '—' : String(c.leg)),
            h('td', { class: 'num' }, `${c.quantity ?? ''}${c.basis ? ' ' + String(c.basis).replace(/_/g, ' ') : ''}`,
                h('br'), '× ' + fmtMoney(c.unit_price)),
            h('td', { class: 'num' }, c.fx_rate === undefined || c.fx_rate === null ? '—' : String(c.fx_rate)),
            h('td', { class: 'num charge-amount' }, fmtMoney(c.amount))))),
        h('tfoot', null, h('tr', null,
            h('th', { scope: 'row', colspan: 4 }, 'Sum of charges ',
                matches ? h('span', { class: 'ok' }, '= total ✓') : h('span', { class: 'bad' }, '≠ total')),
            h('td', { class: 'num charges-sum' }, sum === null ? '—' : fmtMoney({ amount: sum, currency }))))));
}

function legsTable(legs) {
    return h('div', { class: 'table-wrap flat' }, h('table', { class: 'data compact legs' },
        h('caption', null, 'Legs'),
        h('thead', null, h('tr', null, ['#', 'Leg', 'Mode, carrier', 'Departs', 'Arrives', 'km']
            .map((t, i) => h('th', { scope: 'col', class: i === 0 || i === 5 ? 'num' : null }, t)))),
        h('tbody', null, (legs || []).map((l) => h('tr', null,
            h('td', { class: 'num' }, String(l.seq ?? '')),
            h('td', { class: 'nowrap' }, nodeCode(l.from), ' → ', nodeCode(l.to)),
            h('td', null, l.mode || '', l.carrier ? h('div', { class: 'muted' }, l.carrier) : null,
                l.service ? h('div', { class: 'muted small' }, l.service) : null),
            h('td', null, fmtTime(l.departs_at)), h('td', null, fmtTime(l.arrives_at)),
            h('td', { class: 'num' }, fmtInt(l.distance_km)))))));
}

function portCallsList(calls) {
    if (!calls || calls.length === 0) return h('p', { class: 'muted small' }, 'No port calls.');
    return h('table', { class: 'data compact port-calls' },
        h('caption', null, 'Port calls'),
        h('thead', null, h('tr', null, ['Node', 'Call', 'At', 'Window'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, calls.map((c) => h('tr', null,
            h('td', null, nodeCode(c.node)), h('td', null, c.kind || ''),
            h('td', null, fmtTime(c.at)), h('td', null, c.window_id === null || c.window_id === undefined ? 'unconstrained' : String(c.window_id))))));
}

function optionCard(quote, o, tags) {
    const legs = o.legs || [];
    const route = legs.length ? [legs[0].from, ...legs.map((l) => l.to)].join(' → ') : '';
    return h('article', { class: 'card option', dataset: { option: o.option }, 'aria-labelledby': `option-${o.option}-title` },
        h('header', { class: 'option-head' },
            h('h3', { id: `option-${o.option}-title` }, `Option ${o.option}`),
            tags.map((t) => h('span', { class: 'tag' }, t))),
        h('p', { class: 'option-total' }, h('span', { class: 'label' }, 'Total '), h('strong', { class: 'total-amount' }, fmtMoney(o.total))),
        h('dl', { class: 'facts' },
            h('dt', null, 'Route'), h('dd', null, route),
            h('dt', null, 'Departs'), h('dd', null, fmtTime(o.departs_at)),
            h('dt', null, 'Arrives'), h('dd', null, fmtTime(o.arrives_at)),
            h('dt', null, 'Transit'), h('dd', null, fmtHours(o.transit_hours))),
        legsTable(legs),
        portCallsList(o.port_calls),
        chargesTable(o.charges || [], o.total),
        bookForm(quote, o));
}

/* ---------- booking an option ---------- */

/* Keys of booking attempts whose outcome is unknown (no HTTP answer): a retry
 * of the same request reuses the key, so it can never book twice. */
const pendingBookingKeys = new Map();

function bookForm(quote, o) {
    const id = `book-${o.option}`;
    const form = h('form', { class: 'book-form', dataset: { option: o.option } },
        h('fieldset', null, h('legend', null, `Book option ${o.option}`),
            h('label', { class: 'choice' }, h('input', { type: 'radio', name: `${id}-mode`, value: 'hold', checked: true }), ' hold (confirm later)'),
            h('label', { class: 'choice' }, h('input', { type: 'radio', name: `${id}-mode`, value: 'confirm' }), ' confirm now'),
            h('div', { class: 'field' }, h('label', { for: `${id}-ref` }, 'Customer reference ', h('span', { class: 'opt' }, '(optional)')),
                h('input', { id: `${id}-ref`, name: 'customer_reference', maxlength: 100 }))),
        h('button', { type: 'submit' }, `Book option ${o.option}`),
        h('div', { class: 'problems', dataset: { problems: id } }));
    form.addEventListener('submit', (e) => {
        e.preventDefault();
        bookOption(form, quote, o);
    });
    return form;
}

async function bookOption(form, quote, o) {
    const button = $('button[type=submit]', form);
    const area = $('[data-problems]', form);
    const body = { quote_id: quote.id, option: o.option, hold: $('input[value=hold]', form).checked };
    const ref = $('input[name=customer_reference]', form).value.trim();
    if (ref) body.customer_reference = ref;
    const attempt = JSON.stringify(body);
    await busy(button, async () => {
        clearProblem(area);
        const key = pendingBookingKeys.get(attempt) || newIdempotencyKey();
        pendingBookingKeys.set(attempt, key);
        try {
            const { data } = await api('POST', '/v1/bookings', { body, headers: { 'Idempotency-Key': key } });
            pendingBookingKeys.delete(attempt);
            noteOrganization(data.organization);
            location.hash = '#booking/' + encodeURIComponent(data.reference);
        } catch (err) {
            if (!(err instanceof ProblemError) || err.status !== 0) pendingBookingKeys.delete(attempt);
            showProblem(area, err);
        }
    });
}

/* ---------- the view ---------- */

let expiryTimer = null;

function renderExpiry(el, expiresAt) {
    const left = Date.parse(expiresAt) - Date.now();
    if (Number.isNaN(left)) { el.textContent = ''; return; }
    el.textContent = left > 0
        ? `Prices hold until ${fmtTime(expiresAt)} (${Math.ceil(left / 60000)} min left).`
        : `This quote expired at ${fmtTime(expiresAt)}; ask for a new one to book.`;
    el.classList.toggle('bad', left <= 0);
}

/* The options at a glance, one row each. */
function comparisonTable(options, cheapest, fastest) {
    return h('div', { class: 'card' }, h('table', { class: 'data compact comparison' },
        h('caption', null, 'Options at a glance'),
        h('thead', null, h('tr', null, ['Option', 'Total', 'Departs', 'Arrives', 'Transit', 'Route']
            .map((t, i) => h('th', { scope: 'col', class: i === 1 ? 'num' : null }, t)))),
        h('tbody', null, options.map((o) => h('tr', null,
            h('td', { class: 'nowrap' }, h('a', { href: `#option-${o.option}-title`, onclick: (e) => { e.preventDefault(); $(`#option-${o.option}-title`).scrollIntoView(); } }, `Option ${o.option}`),
                o === cheapest ? h('span', { class: 'tag' }, 'cheapest') : null, o === fastest ? h('span', { class: 'tag' }, 'fastest') : null),
            h('td', { class: 'num' }, fmtMoney(o.total)),
            h('td', { class: 'nowrap' }, fmtTime(o.departs_at)), h('td', { class: 'nowrap' }, fmtTime(o.arrives_at)),
            h('td', { class: 'nowrap' }, fmtHours(o.transit_hours)),
            h('td', null, (o.legs || []).length ? [o.legs[0].from, ...o.legs.map((l) => l.to)].join(' → ') : '—'))))));
}

function renderQuote(quote) {
    const options = quote.options || [];
    const { cheapest, fastest } = cheapestAndFastest(options);
    const expiry = h('p', { class: 'expiry' });
    renderExpiry(expiry, quote.expires_at);
    clearInterval(expiryTimer);
    expiryTimer = setInterval(() => renderExpiry(expiry, quote.expires_at), 30000);
    $('#quote-result').replaceChildren(
        h('div', { class: 'quote-head card' },
            h('h3', null, `Quote ${quote.id}`),
            h('p', null, `${options.length} option${options.length === 1 ? '' : 's'}, priced in ${quote.currency || ''}, created ${fmtTime(quote.created_at)}.`),
            expiry),
        options.length > 1 ? comparisonTable(options, cheapest, fastest) : null,
        h('div', { class: 'options' }, options.map((o) => optionCard(quote, o,
            [o === cheapest ? 'cheapest' : null, o === fastest ? 'fastest' : null].filter(Boolean)))));
}

Views.quote = {
    init() {
        $('#q-ready-date').value = daysFromToday(3);
        containerRow({ type: '40HC', count: 2, gross_weight_kg: 24000 });
        $('#q-add-container').addEventListener('click', () => containerRow({ type: '20DV', count: 1, gross_weight_kg: 20000 }));
        for (const id of ['#q-origin', '#q-destination']) {
            $(id).addEventListener('change', (e) => { e.target.value = e.target.value.trim().toUpperCase(); });
        }
        $('#quote-form').addEventListener('submit', (e) => {
            e.preventDefault();
            this.submit();
        });
    },
    show() {
        loadNodes().catch(() => {});
    },
    async submit() {
        const form = $('#quote-form');
        const area = problemArea('quote', 'quote');
        await busy($('#q-submit'), async () => {
            clearProblem(area);
            clearFieldErrors(form);
            clearInterval(expiryTimer);
            $('#quote-result').replaceChildren();
            try {
                const { data } = await api('POST', '/v1/quotes', { body: quoteRequest() });
                renderQuote(data);
            } catch (err) {
                const problem = toProblem(err);
                const unplaced = placeFieldErrors(form, problem.errors);
                showProblem(area, err, unplaced);
                const first = $('[aria-invalid=true]', form);
                if (first) first.focus();
            }
        });
    },
};
