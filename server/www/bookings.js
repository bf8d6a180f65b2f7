/* corridord web console: the bookings list, one booking (confirm, cancel,
 * amend with If-Match, its history) and the live events feed (long-poll). */
'use strict';

const BOOKING_STATUSES_OPEN = ['HELD', 'CONFIRMED'];

function containersSummary(containers) {
    return (containers || []).map((c) => `${c.count} × ${c.type}`).join(', ') || '—';
}

function bookingRoute(b) {
    const legs = b.legs || [];
    return legs.length ? `${legs[0].from} → ${legs[legs.length - 1].to}` : '—';
}

/* An event's data as a line of text: money and container lines as people
 * write them, nested objects in parentheses. */
function compactData(data) {
    if (data === null || data === undefined) return '';
    if (typeof data === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(data)) return fmtTime(data);
    if (typeof data !== 'object') return String(data);
    if (typeof data.amount === 'string' && typeof data.currency === 'string') return fmtMoney(data);
    if (Array.isArray(data)) {
        return data.every((c) => c && c.type && c.count !== undefined) ? containersSummary(data) : data.map(compactData).join(', ');
    }
    return Object.entries(data).map(([k, v]) => {
        const text = compactData(v);
        return `${k.replace(/_/g, ' ')}: ${v && typeof v === 'object' && !Array.isArray(v) && v.amount === undefined ? `(${text})` : text}`;
    }).join(' · ');
}

function bookingLink(reference) {
    return reference ? h('a', { href: '#booking/' + encodeURIComponent(reference), class: 'code' }, reference) : '—';
}

/* ---------- the list ---------- */

Views.bookings = {
    cursors: [null], /* cursors[i] opens page i */
    page: 0,
    init() {
        $('#bookings-form').addEventListener('submit', (e) => {
            e.preventDefault();
            this.cursors = [null];
            this.page = 0;
            this.load();
        });
        $('#bookings-next').addEventListener('click', () => { this.page++; this.load(); });
        $('#bookings-prev').addEventListener('click', () => { this.page = Math.max(0, this.page - 1); this.load(); });
    },
    show() {
        loadNodes().catch(() => {});
        return this.load();
    },
    async load() {
        const area = problemArea('bookings');
        clearProblem(area);
        const cursor = this.cursors[this.page];
        const url = '/v1/bookings' + queryString({ status: $('#bk-status').value, limit: $('#bk-limit').value, cursor });
        try {
            const { data } = await api('GET', url);
            const items = itemsOf(data);
            if (items[0]) noteOrganization(items[0].organization);
            fillTable($('#bookings-table'), [
                { title: 'Reference', cell: (b) => bookingLink(b.reference) },
                { title: 'Status', cell: (b) => statusBadge(b.status) },
                { title: 'Customer reference', cell: (b) => b.customer_reference || '—' },
                { title: 'Route', cell: (b) => bookingRoute(b) },
                { title: 'Containers', cell: (b) => containersSummary(b.containers) },
                { title: 'Total', cell: (b) => fmtMoney(b.total), num: true },
                { title: 'Hold expires', cell: (b) => (b.status === 'HELD' ? fmtTime(b.hold_expires_at) : '—'), nowrap: true },
                { title: 'Created', cell: (b) => fmtTime(b.created_at), nowrap: true },
            ], items, 'No bookings yet. Ask for a quote and book an option.');
            this.cursors[this.page + 1] = data && data.next_cursor ? data.next_cursor : undefined;
            $('#bookings-next').disabled = !this.cursors[this.page + 1];
            $('#bookings-prev').disabled = this.page === 0;
            $('#bookings-page').textContent = `page ${this.page + 1}`;
        } catch (err) {
            showProblem(area, err);
        }
    },
};

/* ---------- one booking ---------- */

Views.booking = {
    reference: null,
    booking: null,
    etag: null,
    async show(reference) {
        this.reference = reference;
        $('#booking-title').textContent = `Booking ${reference}`;
        await loadNodes().catch(() => {});
        await this.reload();
    },
    async reload() {
        const area = problemArea('booking');
        clearProblem(area);
        try {
            const res = await api('GET', '/v1/bookings/' + encodeURIComponent(this.reference));
            this.booking = res.data;
            this.etag = res.headers.get('ETag');
            noteOrganization(this.booking.organization);
            this.render();
        } catch (err) {
            $('#booking-detail').replaceChildren();
            showProblem(area, err);
            return;
        }
        this.loadHistory();
    },
    /* If-Match value: the ETag the server sent, else the version quoted. */
    ifMatch() {
        return this.etag || `"${this.booking.version}"`;
    },
    render() {
        const b = this.booking;
        const open = BOOKING_STATUSES_OPEN.includes(b.status);
        $('#booking-detail').replaceChildren(
            h('div', { class: 'columns' },
                h('div', { class: 'card' },
                    h('p', { class: 'booking-status' }, 'Status ', statusBadge(b.status)),
                    h('dl', { class: 'facts' },
                        h('dt', null, 'Total'), h('dd', null, h('strong', { class: 'total-amount' }, fmtMoney(b.total))),
                        h('dt', null, 'Route'), h('dd', null, bookingRoute(b)),
                        h('dt', null, 'Containers'), h('dd', null, containersSummary(b.containers)),
                        h('dt', null, 'Customer reference'), h('dd', null, b.customer_reference || '—'),
                        h('dt', null, 'Organization'), h('dd', null, typeof b.organization === 'object' ? compactData(b.organization) : (b.organization || '—')),
                        h('dt', null, 'Quote'), h('dd', null, `${b.quote_id || '—'}, option ${b.option ?? '—'}`),
                        b.status === 'HELD' ? [h('dt', null, 'Hold expires'), h('dd', null, fmtTime(b.hold_expires_at))] : null,
                        h('dt', null, 'Created'), h('dd', null, fmtTime(b.created_at)),
                        h('dt', null, 'Updated'), h('dd', null, fmtTime(b.updated_at)),
                        h('dt', null, 'Version'), h('dd', null, String(b.version ?? '—')))),
                h('div', { class: 'card' },
                    h('h3', null, 'Actions'),
                    open ? this.actions(b) : h('p', { class: 'muted' }, `A ${String(b.status).toLowerCase()} booking cannot be changed.`),
                    h('div', { class: 'problems', dataset: { problems: 'booking-actions' } }),
                    open ? this.amendForm(b) : null)),
            h('div', { class: 'card' }, legsTable(b.legs), bookingWindows(b), chargesTable(b.charges || [], b.total)),
            h('div', { class: 'card' }, h('h3', null, 'History'), h('div', { class: 'table-wrap' }, h('table', { id: 'booking-events', class: 'data compact' }))));
    },
    actions(b) {
        const confirmStep = h('div', { class: 'confirm-step', hidden: true },
            h('p', null, 'Cancel this booking? Its reserved capacity is released at once.'),
            h('button', { type: 'button', class: 'danger', onclick: (e) => this.act(e.currentTarget, 'cancel') }, 'Yes, cancel booking'),
            ' ',
            h('button', { type: 'button', class: 'secondary', onclick: () => { confirmStep.hidden = true; } }, 'Keep it'));
        return h('div', { class: 'actions' },
            b.status === 'HELD' ? h('button', { type: 'button', onclick: (e) => this.act(e.currentTarget, 'confirm') }, 'Confirm booking') : null,
            ' ',
            h('button', { type: 'button', class: 'secondary', onclick: () => { confirmStep.hidden = false; $('button.danger', confirmStep).focus(); } }, 'Cancel booking…'),
            confirmStep);
    },
    async act(button, action) {
        const area = $('[data-problems="booking-actions"]');
        await busy(button, async () => {
            clearProblem(area);
            try {
                await api('POST', `/v1/bookings/${encodeURIComponent(this.reference)}/${action}`, { body: {} });
            } catch (err) {
                showProblem(area, err);
                return;
            }
            await this.reload();
        });
    },
    amendForm(b) {
        const form = h('form', { class: 'amend', id: 'amend-form' },
            h('h3', null, 'Amend'),
            h('div', { class: 'field', dataset: { pointer: '/customer_reference' } },
                h('label', { for: 'amend-ref' }, 'Customer reference'),
                h('input', { id: 'amend-ref', value: b.customer_reference || '', maxlength: 100 })),
            h('table', { class: 'data compact' },
                h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'kg each'), h('th', { scope: 'col' }, 'Count'))),
                h('tbody', null, (b.containers || []).map((c, i) => h('tr', null,
                    h('td', null, c.type), h('td', { class: 'num' }, fmtInt(c.gross_weight_kg)),
                    h('td', { class: 'field', dataset: { pointer: `/containers/${i}` } },
                        h('input', { type: 'number', min: 1, step: 1, value: c.count, class: 'short amend-count', 'aria-label': `Number of ${c.type} containers` })))))),
            h('p', { class: 'hint' }, 'More containers need free capacity on the same departures; fewer release it. Prices stay as booked.'),
            h('button', { type: 'submit' }, 'Save changes'),
            h('div', { class: 'problems', dataset: { problems: 'amend' } }));
        form.addEventListener('submit', (e) => { e.preventDefault(); this.amend(form); });
        return form;
    },
    async amend(form) {
        const b = this.booking;
        const area = $('[data-problems="amend"]', form);
        const patch = {};
        const ref = $('#amend-ref', form).value.trim();
        if (ref !== (b.customer_reference || '')) patch.customer_reference = ref;
        const counts = $$('.amend-count', form).map((i) => numberOrText(i.value));
        if (counts.some((n, i) => n !== b.containers[i].count)) {
            patch.containers = b.containers.map((c, i) => ({ type: c.type, count: counts[i], gross_weight_kg: c.gross_weight_kg }));
        }
        await busy($('button[type=submit]', form), async () => {
            clearProblem(area);
            clearFieldErrors(form);
            if (Object.keys(patch).length === 0) {
                showProblem(area, new ProblemError({ title: 'Nothing to change', detail: 'Edit the reference or a count first.' }, 0, null));
                return;
            }
            try {
                await api('PATCH', '/v1/bookings/' + encodeURIComponent(this.reference), { body: patch, headers: { 'If-Match': this.ifMatch() } });
            } catch (err) {
                const p = toProblem(err);
                showProblem(area, err, placeFieldErrors(form, p.errors));
                if (err.status === 412) area.append(h('p', null, 'Someone changed this booking meanwhile. ', h('button', { type: 'button', class: 'secondary small', onclick: () => this.reload() }, 'Reload it')));
                return;
            }
            await this.reload();
        });
    },
    async loadHistory() {
        const table = $('#booking-events');
        if (!table) return;
        try {
            const { data } = await api('GET', `/v1/bookings/${encodeURIComponent(this.reference)}/events`);
            fillTable(table, [
                { title: 'At', cell: (e) => fmtTime(e.at), nowrap: true },
                { title: 'Event', cell: (e) => h('code', null, e.type) },
                { title: 'Details', cell: (e) => compactData(e.data) },
            ], itemsOf(data), 'No events.');
        } catch (err) {
            table.replaceChildren(h('caption', null, 'History not available: ' + toProblem(err).title));
        }
    },
};

/* The port windows a booking holds: from its legs or its port calls. */
function bookingWindows(b) {
    const calls = b.port_calls || (b.legs || []).flatMap((l) => l.port_calls || l.port_windows || l.windows || []);
    return calls.length ? portCallsList(calls.map((c) => (typeof c === 'object' ? c : { window_id: c }))) : null;
}

/* ---------- the live events feed ---------- */

const sleep = (ms, signal) => new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (signal) signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

Views.events = {
    running: false,
    stoppedByUser: false,
    controller: null,
    after: null,
    unseen: 0,
    init() {
        $('#events-toggle').addEventListener('click', () => {
            if (this.running) { this.stoppedByUser = true; this.stop(); } else { this.stoppedByUser = false; this.start(); }
        });
        fillTable($('#events-table'), this.columns, [], 'No events yet.');
    },
    columns: [
        { title: 'ID', cell: (e) => String(e.id), num: true },
        { title: 'At', cell: (e) => fmtTime(e.at), nowrap: true },
        { title: 'Event', cell: (e) => h('code', null, e.type) },
        { title: 'Booking', cell: (e) => bookingLink(e.booking_reference) },
        { title: 'Details', cell: (e) => compactData(e.data) },
    ],
    show() {
        this.unseen = 0;
        this.badge();
        if (!this.running && !this.stoppedByUser) this.start();
    },
    status(text) {
        $('#events-status').textContent = text;
    },
    badge() {
        const b = $('#events-badge');
        b.hidden = this.unseen === 0;
        b.textContent = this.unseen ? `${this.unseen} new` : '';
    },
    start() {
        if (this.running) return;
        this.running = true;
        this.controller = new AbortController();
        $('#events-toggle').textContent = 'Stop live feed';
        this.loop(this.controller.signal);
    },
    /* Stops the feed (also on sign-out); keeps what was shown unless signed out. */
    stop() {
        this.running = false;
        if (this.controller) this.controller.abort();
        this.controller = null;
        $('#events-toggle').textContent = 'Start live feed';
        this.status('stopped');
        if (!Session.key) {
            this.after = null;
            fillTable($('#events-table'), this.columns, [], 'No events yet.');
        }
    },
    add(items, live) {
        const body = $('#events-table').tBodies[0];
        if (items.length && $('td.empty', body)) body.replaceChildren();
        for (const e of items) {
            const row = rowFor(this.columns, e);
            if (live) row.classList.add('fresh');
            body.prepend(row);
        }
        while (body.rows.length > 500) body.deleteRow(-1);
        if (live && currentView !== 'events') {
            this.unseen += items.length;
            this.badge();
        }
    },
    async loop(signal) {
        const area = problemArea('events');
        let caughtUp = false, backoff = 1;
        while (!signal.aborted) {
            const limit = 200;
            const url = '/v1/events' + queryString({ after: this.after, limit, wait: caughtUp ? 25 : undefined });
            this.status(caughtUp ? 'live — waiting for new events' : 'loading earlier events…');
            try {
                const { data } = await api('GET', url, { signal });
                const items = itemsOf(data);
                clearProblem(area);
                backoff = 1;
                if (items.length) this.after = items[items.length - 1].id;
                this.add(items, caughtUp);
                if (items.length < limit || !(data && data.next_cursor)) caughtUp = true;
            } catch (err) {
                if (signal.aborted || err.name === 'AbortError') break;
                showProblem(area, err);
                const retry = Number(err.headers && err.headers.get && err.headers.get('Retry-After')) || backoff;
                this.status(`reconnecting in ${retry} s`);
                await sleep(retry * 1000, signal);
                backoff = Math.min(backoff * 2, 30);
            }
        }
    },
};
