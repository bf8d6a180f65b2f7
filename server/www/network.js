/* corridord web console: the network (schematic map, nodes, links), the
 * departures search and the port windows of a node. */
'use strict';

const MODE_COLORS = { rail: '#8a4b16', sea: '#1f6fb2', road: '#6b6f76' };
const KIND_COLORS = { port: '#1f6fb2', rail_station: '#333a44', border_crossing: '#b3261e', terminal: '#c26a00' };

function itemsOf(data) {
    return Array.isArray(data) ? data : (data && data.items) || [];
}

/* Positions for every node that can be drawn: projected lat/lon, or (marked
 * approximate) the middle of its placed neighbours when it has no coordinates. */
function layoutNodes(nodes, links) {
    const pos = new Map();
    const approx = new Set();
    const midLat = 35 * Math.PI / 180;
    for (const n of nodes) {
        if (typeof n.lat === 'number' && typeof n.lon === 'number') pos.set(n.code, { x: n.lon * Math.cos(midLat), y: -n.lat });
    }
    const neighbours = new Map(nodes.map((n) => [n.code, []]));
    for (const l of links) {
        if (neighbours.has(l.from) && neighbours.has(l.to)) {
            neighbours.get(l.from).push(l.to);
            neighbours.get(l.to).push(l.from);
        }
    }
    const placedNeighbours = (code) => neighbours.get(code).filter((c) => pos.has(c)).map((c) => pos.get(c));
    for (;;) {
        const unplaced = nodes.filter((n) => !pos.has(n.code));
        let progress = false;
        for (const n of unplaced) {
            const p = placedNeighbours(n.code);
            if (p.length >= 2) {
                pos.set(n.code, { x: p.reduce((s, q) => s + q.x, 0) / p.length, y: p.reduce((s, q) => s + q.y, 0) / p.length });
                approx.add(n.code);
                progress = true;
            }
        }
        if (progress) continue;
        /* a chain of unknown nodes: put the first one beside its one known neighbour */
        const lone = unplaced.find((n) => placedNeighbours(n.code).length === 1);
        if (!lone) break;
        const q = placedNeighbours(lone.code)[0];
        pos.set(lone.code, { x: q.x + 0.5, y: q.y + 0.9 });
        approx.add(lone.code);
    }
    return { pos, approx };
}

function renderMap(nodes, links) {
    const { pos, approx } = layoutNodes(nodes, links);
    const pts = Array.from(pos.values());
    const box = $('#network-map');
    if (pts.length === 0) {
        box.replaceChildren(h('p', { class: 'muted' }, 'No node has coordinates.'));
        return;
    }
    const minX = Math.min(...pts.map((p) => p.x)), maxX = Math.max(...pts.map((p) => p.x));
    const minY = Math.min(...pts.map((p) => p.y)), maxY = Math.max(...pts.map((p) => p.y));
    const W = 1000, pad = 40;
    const scale = (W - 2 * pad) / Math.max(maxX - minX, 1e-6);
    const H = Math.round((maxY - minY) * scale + 2 * pad);
    const xy = (code) => {
        const p = pos.get(code);
        return [pad + (p.x - minX) * scale, pad + (p.y - minY) * scale];
    };
    const lines = links.filter((l) => pos.has(l.from) && pos.has(l.to)).map((l) => {
        const [x1, y1] = xy(l.from), [x2, y2] = xy(l.to);
        const mode = String(l.mode || '');
        return svg('line', {
            x1, y1, x2, y2, class: 'link link-' + mode,
            stroke: MODE_COLORS[mode] || '#999', 'stroke-dasharray': mode === 'sea' ? '6 4' : mode === 'road' ? '2 3' : null,
        }, svg('title', null, `${l.from} – ${l.to}: ${mode}${l.distance_km ? ', ' + l.distance_km + ' km' : ''}${l.carrier ? ', ' + l.carrier : ''}`));
    });
    const marks = nodes.filter((n) => pos.has(n.code)).map((n) => {
        const [x, y] = xy(n.code);
        const color = KIND_COLORS[n.kind] || '#555';
        const isApprox = approx.has(n.code);
        return svg('a', { href: `#departures?from=${encodeURIComponent(n.code)}`, class: 'node' },
            svg('title', null, `${n.code} — ${n.name} (${n.country}), ${String(n.kind || '').replace('_', ' ')}${isApprox ? '; no coordinates, placed between its neighbours' : ''}`),
            svg('circle', { cx: x, cy: y, r: n.kind === 'port' ? 6 : 4.5, fill: isApprox ? '#fff' : color, stroke: color, 'stroke-width': 2 }),
            svg('text', { x: x + 8, y: y + 4, class: 'node-label' }, n.code));
    });
    box.replaceChildren(svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'map-svg', 'aria-hidden': 'true' },
        svg('g', null, lines), svg('g', null, marks)));
    const unplaced = nodes.filter((n) => !pos.has(n.code)).map((n) => n.code);
    $('#network-legend').replaceChildren(
        ...Object.entries(MODE_COLORS).map(([m, c]) => h('span', { class: 'legend-item' }, h('span', { class: 'swatch line', style: `background:${c}` }), m)),
        ...Object.entries(KIND_COLORS).map(([k, c]) => h('span', { class: 'legend-item' }, h('span', { class: 'swatch dot', style: `background:${c}` }), k.replace('_', ' '))),
        h('span', { class: 'legend-item' }, h('span', { class: 'swatch dot hollow' }), 'no coordinates (placed between neighbours)'),
        ...(unplaced.length ? [h('span', { class: 'legend-item' }, 'not drawn: ' + unplaced.join(', '))] : []),
        h('span', { class: 'legend-item muted' }, 'click a node for its departures'));
}

Views.network = {
    loaded: false,
    async show() {
        if (this.loaded) return;
        const area = problemArea('network');
        clearProblem(area);
        const [nodes, links] = await Promise.all([loadNodes(), loadLinks()]);
        renderMap(nodes, links);
        $('#nodes-count').textContent = `(${nodes.length})`;
        $('#links-count').textContent = `(${links.length})`;
        fillTable($('#nodes-table'), [
            { title: 'Code', cell: (n) => h('a', { href: `#departures?from=${encodeURIComponent(n.code)}`, class: 'code' }, n.code) },
            { title: 'Name', cell: (n) => n.name },
            { title: 'Country', cell: (n) => n.country },
            { title: 'Kind', cell: (n) => String(n.kind || '').replace('_', ' ') },
            { title: 'Time zone', cell: (n) => n.timezone || '—' },
            { title: 'Lat, lon', cell: (n) => (typeof n.lat === 'number' ? `${n.lat.toFixed(2)}, ${n.lon.toFixed(2)}` : '—'), nowrap: true },
        ], nodes, 'No nodes.');
        fillTable($('#links-table'), [
            { title: 'From', cell: (l) => nodeCode(l.from) },
            { title: 'To', cell: (l) => nodeCode(l.to) },
            { title: 'Mode', cell: (l) => l.mode },
            { title: 'Gauge', cell: (l) => (l.gauge_mm ? l.gauge_mm + ' mm' : '—'), num: true },
            { title: 'km', cell: (l) => fmtInt(l.distance_km), num: true },
            { title: 'Carrier', cell: (l) => l.carrier || '—' },
        ], links, 'No links.');
        this.loaded = true;
    },
    reset() { this.loaded = false; },
};

/* ---------- departures and port windows ---------- */

const DEPARTURE_COLUMNS = [
    { title: 'Service', cell: (d) => d.service || '—' },
    { title: 'From', cell: (d) => nodeCode(d.from) },
    { title: 'To', cell: (d) => nodeCode(d.to) },
    { title: 'Departs', cell: (d) => fmtTime(d.departs_at), nowrap: true },
    { title: 'Arrives', cell: (d) => fmtTime(d.arrives_at), nowrap: true },
    { title: 'Cut-off', cell: (d) => fmtTime(d.cutoff_at), nowrap: true },
    { title: 'TEU free / capacity', cell: (d) => capacityCell(d.available_teu, d.capacity_teu), num: true },
    { title: 'kg free / capacity', cell: (d) => capacityCell(d.available_kg, d.capacity_kg), num: true },
    { title: 'Status', cell: (d) => statusBadge(d.status) },
];

const WINDOW_COLUMNS = [
    { title: 'Window', cell: (w) => String(w.id) },
    { title: 'Starts', cell: (w) => fmtTime(w.starts_at), nowrap: true },
    { title: 'Ends', cell: (w) => fmtTime(w.ends_at), nowrap: true },
    { title: 'TEU free / capacity', cell: (w) => capacityCell(w.available_teu, w.capacity_teu), num: true },
];

/* "12 / 80" with a bar showing how full it is. */
function capacityCell(available, capacity) {
    const cap = Number(capacity), free = Number(available);
    const used = cap > 0 ? Math.min(100, Math.max(0, Math.round(100 * (cap - free) / cap))) : 0;
    return h('span', { class: 'capacity' + (free <= 0 ? ' full' : '') },
        `${fmtInt(available)} / ${fmtInt(capacity)}`,
        h('span', { class: 'bar', title: `${used}% booked` }, h('span', { style: `width:${used}%` })));
}

function queryString(fields) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
    const s = q.toString();
    return s ? '?' + s : '';
}

/* A paged list bound to a table and a "Load more" button. */
function pagedList(table, button, countEl, columns, emptyText) {
    let base = null, cursor = null, shown = 0;
    async function page(first) {
        const sep = base.includes('?') ? '&' : '?';
        const { data } = await api('GET', base + (cursor ? sep + 'cursor=' + encodeURIComponent(cursor) : ''));
        const items = itemsOf(data);
        if (first) fillTable(table, columns, items, emptyText); else appendRows(table, columns, items);
        shown = (first ? 0 : shown) + items.length;
        cursor = data && data.next_cursor ? data.next_cursor : null;
        button.hidden = !cursor;
        countEl.textContent = `(${shown}${cursor ? '+' : ''})`;
    }
    return {
        async load(url) { base = url; cursor = null; await page(true); },
        async more() { if (cursor) await page(false); },
    };
}

Views.departures = {
    deps: null,
    windows: null,
    init() {
        this.deps = pagedList($('#departures-table'), $('#departures-more'), $('#departures-count'), DEPARTURE_COLUMNS,
            'No departures match.');
        this.windows = pagedList($('#windows-table'), $('#windows-more'), $('#windows-count'), WINDOW_COLUMNS,
            'No windows at this node in these dates (a node without windows is unconstrained).');
        for (const id of ['#dep-date-from', '#win-date-from']) $(id).value = daysFromToday(0);
        for (const id of ['#dep-date-to', '#win-date-to']) $(id).value = daysFromToday(14);
        $('#departures-form').addEventListener('submit', (e) => { e.preventDefault(); this.search(e.submitter); });
        $('#windows-form').addEventListener('submit', (e) => { e.preventDefault(); this.searchWindows(e.submitter); });
        $('#departures-more').addEventListener('click', (e) => this.run('departures', e.currentTarget, () => this.deps.more()));
        $('#windows-more').addEventListener('click', (e) => this.run('windows', e.currentTarget, () => this.windows.more()));
        for (const id of ['#dep-from', '#dep-to', '#win-code']) {
            $(id).addEventListener('change', (e) => { e.target.value = e.target.value.trim().toUpperCase(); });
        }
    },
    async run(area, button, fn) {
        const a = problemArea('departures', area);
        clearProblem(a);
        try { await busy(button, fn); } catch (err) { showProblem(a, err); }
    },
    async show(_arg, params) {
        loadNodes().catch(() => {});
        const from = params.get('from');
        if (from) {
            $('#dep-from').value = from;
            $('#win-code').value = from;
            await this.search();
            const node = Ref.nodes && Ref.nodes.find((n) => n.code === from);
            if (node && (node.kind === 'port' || node.kind === 'terminal' || node.kind === 'border_crossing')) await this.searchWindows();
        } else if (!$('#departures-table').tBodies.length) {
            await this.search();
        }
    },
    search(button) {
        const url = '/v1/departures' + queryString({
            from: $('#dep-from').value.trim().toUpperCase(),
            to: $('#dep-to').value.trim().toUpperCase(),
            date_from: $('#dep-date-from').value,
            date_to: $('#dep-date-to').value,
            limit: 50,
        });
        return this.run('departures', button || $('#departures-form button[type=submit]'), () => this.deps.load(url));
    },
    searchWindows(button) {
        const code = $('#win-code').value.trim().toUpperCase();
        const b = button || $('#windows-form button[type=submit]');
        if (!code) {
            showProblem(problemArea('departures', 'windows'), new ProblemError({ title: 'Which node?', detail: 'Enter a node code, e.g. KZAAU.' }, 0, null));
            return Promise.resolve();
        }
        const url = `/v1/ports/${encodeURIComponent(code)}/windows` + queryString({
            date_from: $('#win-date-from').value, date_to: $('#win-date-to').value, limit: 50,
        });
        return this.run('windows', b, () => this.windows.load(url));
    },
};
