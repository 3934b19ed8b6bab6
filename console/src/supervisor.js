// One supervisor: status, lag over time, backfills, partitions, audit trail.

import {useEffect, useRef} from 'preact/hooks';
import uPlot from 'uplot';

import {SUP, get} from './api.js';
import {Actions} from './actions.js';
import {Problem, html, usePoll} from './ui.js';

export function lagOf(payload) {
  if (!payload) return undefined;
  if (payload.aggregateLag !== undefined && payload.aggregateLag !== null) return payload.aggregateLag;
  if (payload.aggregateLagMillis !== undefined && payload.aggregateLagMillis !== null)
    return `${payload.aggregateLagMillis} ms`;
  return undefined;
}

// The node's recent lag samples (GET .../lagHistory), drawn with uPlot.
function LagChart({history}) {
  const samples = history?.samples || [];
  const ref = useRef();
  const plot = useRef();
  useEffect(() => {
    if (!ref.current) return undefined;
    plot.current = new uPlot(
      {width: 640, height: 200, series: [{}, {label: 'aggregate lag', stroke: '#c0392b'}],
        axes: [{}, {size: 70}]},
      [[], []],
      ref.current,
    );
    return () => plot.current.destroy();
  }, []);
  useEffect(() => {
    if (plot.current)
      plot.current.setData([samples.map((s) => s[0] / 1000), samples.map((s) => s[1])]);
  }, [history]);
  return html`<figure><div ref=${ref} role="img" aria-label="Lag over time"></div>
    <figcaption>Lag over time, in ${history?.unit || 'records'} (${samples.length} samples
      kept by the node)</figcaption></figure>`;
}

// Offsets a backfill has done of its range: per partition, how far its
// tasks read (all of it once COMPLETED).
function backfillProgress(range, status) {
  let total = 0;
  let done = 0;
  for (const [p, start] of Object.entries(range.startOffsets || {})) {
    const end = range.endOffsets?.[p] ?? start;
    const size = Math.max(0, end - start);
    total += size;
    if (status?.state === 'COMPLETED') {
      done += size;
      continue;
    }
    let at = start;
    for (const t of [...(status?.activeTasks || []), ...(status?.publishingTasks || [])])
      if (t.currentOffsets?.[p] !== undefined) at = Math.max(at, Number(t.currentOffsets[p]));
    done += Math.min(size, Math.max(0, at - start));
  }
  return {done, total};
}

function Backfills({audit}) {
  const ranges = (audit || []).filter((a) => a.type === 'supervisor.resetToLatestAndBackfill');
  const ids = ranges.map((r) => r.payload.backfillSupervisorId).join(',');
  const seen = useRef({});
  const [rows] = usePoll(async () => Promise.all(ranges.map(async (r) => {
    const id = r.payload.backfillSupervisorId;
    const status = await get(`${SUP}/${encodeURIComponent(id)}/status`).then((s) => s.payload, () => undefined);
    const {done, total} = backfillProgress(r.payload, status);
    // ETA from the rate since the first time this page saw it.
    const now = Date.now();
    const first = (seen.current[id] ||= {at: now, done});
    const rate = now > first.at ? (done - first.done) / ((now - first.at) / 1000) : 0;
    const eta = done >= total ? 0 : rate > 0 ? Math.ceil((total - done) / rate) : undefined;
    return {id, state: status ? status.state : 'gone', done, total, eta, lost: status?.lostOffsets};
  })), [ids], 2000);
  if (!ranges.length) return null;
  return html`<h2>Backfills</h2>
    <table class="backfills">
      <thead><tr><th>Backfill supervisor</th><th>State</th><th>Progress</th><th>ETA</th><th>Lost ranges</th></tr></thead>
      <tbody>${(rows || []).map(
        (b) => html`<tr data-id=${b.id}>
          <td><a href=${`#/supervisors/${encodeURIComponent(b.id)}`}>${b.id}</a></td>
          <td class="state">${b.state}</td>
          <td class="progress"><progress max=${b.total || 1} value=${b.done}
            aria-label=${`progress of ${b.id}`}></progress> ${b.done} of ${b.total} offsets</td>
          <td>${b.eta === undefined ? '—' : b.eta === 0 ? 'done' : `${b.eta} s`}</td>
          <td>${b.lost ? JSON.stringify(b.lost) : 'none'}</td></tr>`,
      )}</tbody>
    </table>`;
}

export function Supervisor({id}) {
  const at = `${SUP}/${encodeURIComponent(id)}`;
  const [status, error, reload] = usePoll(() => get(`${at}/status`), [id]);
  const [history] = usePoll(() => get(`${at}/lagHistory`), [id]);
  const [spec] = usePoll(() => get(at), [id], 0);
  const [audit] = usePoll(() => get(`${at}/audit?count=50`), [id], 5000);
  const p = status?.payload;
  const lag = p?.minimumLag || p?.minimumLagMillis || {};
  const partitions = Object.keys(p?.latestOffsets || lag).sort((a, b) => Number(a) - Number(b));
  return html`<section aria-labelledby="one-title">
    <h1 id="one-title">Supervisor ${id}</h1>
    <${Problem} error=${error} />
    ${p &&
    html`<dl class="summary">
        <dt>State</dt><dd class="state">${p.detailedState}</dd>
        <dt>Healthy</dt><dd>${p.healthy ? 'yes' : 'no'}</dd>
        <dt>Stream</dt><dd>${p.stream}</dd>
        <dt>Aggregate lag</dt><dd class="lag">${lagOf(p) ?? '—'}</dd>
        <dt>Tasks</dt><dd>${p.activeTasks.length} reading, ${p.publishingTasks.length} publishing</dd>
      </dl>
      <${Actions} id=${id} suspended=${p.suspended} type=${spec?.type}
        stream=${p.stream} onDone=${reload} />
      <${LagChart} history=${history} />
      <${Backfills} audit=${audit} />
      <h2>Partitions</h2>
      <table class="partitions">
        <thead><tr><th>Partition</th><th>Latest offset</th><th>Lag</th></tr></thead>
        <tbody>${partitions.map(
          (k) => html`<tr><td>${k}</td><td>${p.latestOffsets?.[k] ?? '—'}</td><td>${lag[k] ?? '—'}</td></tr>`,
        )}</tbody>
      </table>
      ${p.recentErrors?.length > 0 &&
      html`<h2>Recent errors</h2><ul>${p.recentErrors.map((e) => html`<li>${e.timestamp}: ${e.message}</li>`)}</ul>`}`}
    <h2>Audit trail</h2>
    <table class="audit">
      <thead><tr><th>When</th><th>What</th><th>Who</th><th>Details</th></tr></thead>
      <tbody>${(audit || []).map(
        (a) => html`<tr><td>${a.createdDate}</td><td>${a.type}</td><td>${a.author}</td>
          <td><code>${a.payload ? JSON.stringify(a.payload).slice(0, 200) : ''}</code></td></tr>`,
      )}</tbody>
    </table>
  </section>`;
}

