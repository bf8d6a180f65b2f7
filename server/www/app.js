/* corridord web console: shared helpers, the API client, the session and the
 * router.  The views live in network.js, quote.js and bookings.js and register
 * themselves in Views; everything here is plain browser JavaScript with no
 * build step and nothing loaded from outside this server. */
'use strict';

const Views = {};
const KEY_STORAGE = 'corridor.apiKey';
const ORG_STORAGE = 'corridor.organization';

/* ---------- DOM helpers ---------- */

/* h('td', {class: 'num'}, 'text', otherNode): an element with attributes,
 * listeners (onclick: fn) and children; strings become text nodes, never HTML. */
function h(tag, props, ...children) {
    const el = document.createElement(tag);
    setProps(el, props);
    appendAll(el, children);
    return el;
}

/* The same for SVG elements. */
function svg(tag, props, ...children) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    setProps(el, props);
    appendAll(el, children);
    return el;
}

function setProps(el, props) {
    for (const [k, v] of Object.entries(props || {})) {
        if (v === null || v === undefined || v === false) continue;
        if (k === 'class') el.setAttribute('class', v);
        else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else el.setAttribute(k, v === true ? '' : String(v));
    }
}

function appendAll(el, children) {
    for (const c of children.flat(Infinity)) {
        if (c === null || c === undefined || c === false) continue;
        el.append(c instanceof Node ? c : String(c));
    }
}

function $(sel, root) { return (root || document).querySelector(sel); }
function $$(sel, root) { return Array.from((root || document).querySelectorAll(sel)); }

/* Replaces the rows of a <table>: columns is [{title, cell(row) -> node|string, num?}]. */
function fillTable(table, columns, rows, emptyText) {
    table.replaceChildren(
        h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.title)))),
        h('tbody', null, rows.length === 0
            ? h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, emptyText || 'Nothing to show.'))
            : rows.map((r) => rowFor(columns, r))));
}

function appendRows(table, columns, rows) {
    const body = table.tBodies[0];
    for (const r of rows) body.append(rowFor(columns, r));
}

function rowFor(columns, r) {
    return h('tr', null, columns.map((c) => h('td', { class: c.num ? 'num' : c.nowrap ? 'nowrap' : null }, c.cell(r))));
}

/* ---------- formatting ---------- */

/* "1234567.5" -> "1,234,567.5"; works on the decimal string, never a float. */
function groupDigits(amount) {
    const m = /^(-?)(\d+)(\.\d+)?$/.exec(String(amount));
    if (!m) return String(amount);
    return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] || '');
}

function fmtMoney(money) {
    if (!money || money.amount === undefined) return '—';
    return groupDigits(money.amount) + ' ' + (money.currency || '');
}

/* An RFC 3339 time as the server sent it, shortened: "2026-12-03 06:00 UTC". */
function fmtTime(s) {
    if (!s) return '—';
    const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(s);
    if (!m) return String(s);
    return `${m[1]} ${m[2]} ${m[3] === 'Z' || m[3] === '+00:00' ? 'UTC' : m[3]}`;
}

function fmtHours(hours) {
    if (hours === null || hours === undefined) return '—';
    const n = Number(hours);
    return n >= 48 ? `${n} h (${(n / 24).toFixed(1)} days)` : `${n} h`;
}

function fmtInt(n) {
    return n === null || n === undefined ? '—' : groupDigits(String(n));
}

function isoDate(d) {
    return d.toISOString().slice(0, 10);
}

function daysFromToday(n) {
    const d = new Date();
    d.setUTCDate(d.getUTCDate() + n);
    return isoDate(d);
}

/* ---------- exact decimal sums (BigInt minor units, never floats) ---------- */

function parseDecimal(s) {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(s).trim());
    if (!m) return null;
    const frac = m[3] || '';
    const units = BigInt(m[2] + frac) * (m[1] ? -1n : 1n);
    return { units, scale: frac.length };
}

function rescale(d, scale) {
    return d.units * 10n ** BigInt(scale - d.scale);
}

/* Sum of decimal strings as a decimal string with the largest scale seen
 * (at least minScale); null if any is not a decimal. */
function sumDecimals(values, minScale) {
    const parsed = values.map(parseDecimal);
    if (parsed.some((p) => p === null)) return null;
    const scale = Math.max(minScale || 0, ...parsed.map((p) => p.scale));
    let total = 0n;
    for (const p of parsed) total += rescale(p, scale);
    const neg = total < 0n;
    let digits = (neg ? -total : total).toString().padStart(scale + 1, '0');
    if (scale > 0) digits = digits.slice(0, -scale) + '.' + digits.slice(-scale);
    return (neg ? '-' : '') + digits;
}

function decimalsEqual(a, b) {
    const x = parseDecimal(a), y = parseDecimal(b);
    if (!x || !y) return false;
    const scale = Math.max(x.scale, y.scale);
    return rescale(x, scale) === rescale(y, scale);
}

/* ---------- the API client ---------- */

/* An answer that was not 2xx, carrying the problem+json fields (RFC 9457). */
class ProblemError extends Error {
    constructor(problem, status, headers) {
        super(problem.title + (problem.detail ? ': ' + problem.detail : ''));
        this.problem = problem;
        this.status = status;
        this.headers = headers;
    }
}

const Session = {
    key: sessionStorage.getItem(KEY_STORAGE) || '',
    organization: sessionStorage.getItem(ORG_STORAGE) || '',
};

/* Calls the API with the session's key.  Resolves to {status, headers, data};
 * rejects with ProblemError for anything but 2xx (also for a network failure
 * or a body that is not JSON, so callers show one kind of error). */
async function api(method, path, options) {
    const opts = options || {};
    const headers = { Accept: 'application/json, application/problem+json' };
    const key = opts.key || Session.key;
    if (key && opts.auth !== false) headers.Authorization = 'Bearer ' + key;
    let body;
    if (opts.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(opts.body);
    }
    Object.assign(headers, opts.headers || {});
    let res;
    try {
        res = await fetch(path, { method, headers, body, signal: opts.signal, cache: 'no-store' });
    } catch (err) {
        if (err.name === 'AbortError') throw err;
        throw new ProblemError({ title: 'Cannot reach the server', detail: String(err.message || err), code: 'network_error' }, 0, null);
    }
    const text = await res.text();
    let data = null;
    if (text) {
        try { data = JSON.parse(text); } catch (_) { data = null; }
    }
    if (res.ok) {
        if (text && data === null) {
            throw new ProblemError({ title: 'Unexpected answer', detail: `${method} ${path} did not answer JSON.`, code: 'bad_response' }, res.status, res.headers);
        }
        return { status: res.status, headers: res.headers, data };
    }
    let problem = data && typeof data === 'object' && data.title ? data : null;
    if (!problem) {
        problem = {
            title: `HTTP ${res.status} ${res.statusText || ''}`.trim(),
            detail: text ? text.slice(0, 300) : `${method} ${path} failed.`,
            status: res.status,
        };
    }
    if (res.status === 429 && !problem.detail) problem.detail = `Try again in ${res.headers.get('Retry-After') || 'a few'} seconds.`;
    throw new ProblemError(problem, res.status, res.headers);
}

/* Turns anything thrown into the fields of a problem. */
function toProblem(err) {
    if (err instanceof ProblemError) return err.problem;
    return { title: 'Something went wrong in the console', detail: String((err && err.message) || err) };
}

/* Shows a problem (title + detail, code, request id, unplaced field errors)
 * in the view's problem area; replaces what was there. */
function showProblem(area, err, extraErrors) {
    if (!area) return;
    const p = toProblem(err);
    const meta = [p.code, p.status, p.request_id && 'request ' + p.request_id].filter(Boolean).join(' · ');
    const errors = extraErrors || [];
    area.replaceChildren(h('div', { class: 'problem', role: 'alert' },
        h('strong', { class: 'problem-title' }, p.title || 'Error'),
        p.detail ? h('span', { class: 'problem-detail' }, ' — ' + p.detail) : null,
        errors.length ? h('ul', null, errors.map((e) => h('li', null, h('code', null, e.pointer || '/'), ' ', e.message))) : null,
        meta ? h('div', { class: 'problem-meta' }, meta) : null,
        p.status === 401 && Session.key
            ? h('p', null, h('button', { type: 'button', class: 'secondary small', onclick: signOut }, 'Sign in with another key'))
            : null));
}

function clearProblem(area) {
    if (area) area.replaceChildren();
}

function problemArea(view, name) {
    const sel = name ? `[data-problems="${name}"]` : '[data-problems]';
    return $(sel, $('#view-' + view));
}

/* Runs an async action with the button disabled (a double click does nothing)
 * and a busy marker; returns the action's result. */
async function busy(button, fn) {
    if (button.disabled) return undefined;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
        return await fn();
    } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
    }
}

/* ---------- reference data shared by the views ---------- */

const Ref = { nodes: null, links: null };

/* Every item of a list endpoint, following next_cursor (at most 50 pages). */
async function fetchAll(path) {
    const items = [];
    let cursor = null;
    for (let page = 0; page < 50; page++) {
        const { data } = await api('GET', path + '?limit=200' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
        if (Array.isArray(data)) return data;
        items.push(...(data.items || []));
        cursor = data.next_cursor;
        if (!cursor) break;
    }
    return items;
}

/* The nodes (cached for the session); fills the code datalist. */
async function loadNodes() {
    if (!Ref.nodes) {
        Ref.nodes = await fetchAll('/v1/nodes');
        $('#node-codes').replaceChildren(...Ref.nodes.map((n) => h('option', { value: n.code }, `${n.name} (${n.country})`)));
    }
    return Ref.nodes;
}

async function loadLinks() {
    if (!Ref.links) {
        Ref.links = await fetchAll('/v1/links');
    }
    return Ref.links;
}

function nodeName(code) {
    const n = Ref.nodes && Ref.nodes.find((x) => x.code === code);
    return n ? n.name : code;
}

/* "KZALA" with the name as a tooltip. */
function nodeCode(code) {
    return h('abbr', { title: nodeName(code), class: 'code' }, code);
}

function statusBadge(status) {
    return h('span', { class: 'status status-' + String(status || '').toLowerCase() }, status || '—');
}

/* ---------- session ---------- */

function renderSession() {
    const signedIn = Boolean(Session.key);
    $('#nav').hidden = !signedIn;
    $('#signout').hidden = !signedIn;
    $('#session-status').textContent = !signedIn ? 'Not signed in'
        : Session.organization ? `Signed in · organization ${Session.organization}` : 'Signed in';
}

/* Remembers the organization once an answer names it (bookings do). */
function noteOrganization(org) {
    const name = org && typeof org === 'object' ? (org.code || org.name || org.id) : org;
    if (!name || name === Session.organization) return;
    Session.organization = String(name);
    sessionStorage.setItem(ORG_STORAGE, Session.organization);
    renderSession();
}

async function signIn(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const button = $('button[type=submit]', form);
    const area = $('[data-problems]', form);
    const key = $('#signin-key').value.trim();
    if (!key) {
        showProblem(area, new ProblemError({ title: 'No API key', detail: 'Paste the key your corridor operator issued.' }, 0, null));
        return;
    }
    await busy(button, async () => {
        clearProblem(area);
        try {
            /* any /v1 call checks the key: 401 for an unknown or revoked one */
            await api('GET', '/v1/nodes', { key });
        } catch (err) {
            showProblem(area, err);
            return;
        }
        Session.key = key;
        sessionStorage.setItem(KEY_STORAGE, key);
        $('#signin-key').value = '';
        renderSession();
        Views.events.stop();
        discoverOrganization();
        if (!location.hash || location.hash === '#signin') location.hash = '#network';
        else route();
    });
}

/* Best effort: a forwarder's newest booking names its organization. */
async function discoverOrganization() {
    try {
        const { data } = await api('GET', '/v1/bookings?limit=1');
        if (data && data.items && data.items[0]) noteOrganization(data.items[0].organization);
    } catch (_) { /* carriers may not list bookings; "signed in" is enough */ }
}

function signOut() {
    Views.events.stop();
    Session.key = '';
    Session.organization = '';
    sessionStorage.removeItem(KEY_STORAGE);
    sessionStorage.removeItem(ORG_STORAGE);
    Ref.nodes = null;
    Ref.links = null;
    for (const v of Object.values(Views)) if (v.reset) v.reset();
    renderSession();
    location.hash = '#signin';
    route();
}

/* ---------- router: #view/arg?query ---------- */

function parseHash() {
    const raw = location.hash.replace(/^#/, '');
    const [pathPart, query] = raw.split('?');
    const [view, ...rest] = pathPart.split('/');
    return { view: view || 'network', arg: rest.map(decodeURIComponent).join('/'), params: new URLSearchParams(query || '') };
}

let currentView = null;

function route() {
    let { view, arg, params } = parseHash();
    if (!Session.key) view = 'signin';
    else if (view === 'signin' || !Views[view]) view = 'network';
    for (const s of $$('.view')) s.hidden = s.id !== 'view-' + view;
    for (const a of $$('#nav a')) {
        const active = a.dataset.view === view || (view === 'booking' && a.dataset.view === 'bookings');
        if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    const title = $('#view-' + view + ' h2');
    document.title = (title ? title.textContent + ' · ' : '') + 'INSTC corridor console';
    if (currentView !== view && title) title.focus({ preventScroll: true });
    currentView = view;
    if (view === 'signin') {
        $('#signin-key').focus();
        return;
    }
    Promise.resolve(Views[view].show(arg, params)).catch((err) => showProblem(problemArea(view), err));
}

function init() {
    $('#signin-form').addEventListener('submit', signIn);
    $('#signout').addEventListener('click', signOut);
    for (const v of Object.values(Views)) if (v.init) v.init();
    window.addEventListener('hashchange', route);
    renderSession();
    route();
}

/* the view scripts are deferred too and run before this event */
document.addEventListener('DOMContentLoaded', init);
