// streamvisor's console: pages over the node's own API (hash routes), with
// Preact and htm (no build step). Every action names what it does to the
// data and asks before doing it.

import {h, render} from 'preact';
import {useEffect, useRef, useState} from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';

import {ApiError, SUP, call, get, post, signIn, signOut, signedIn} from './api.js';

const html = htm.bind(h);

// -- small parts -------------------------------------------------------------

function useRoute() {
  const [hash, setHash] = useState(location.hash || '#/supervisors');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/supervisors');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.slice(2).split('/').map(decodeURIComponent);
}

// Loads `load()` now and every `every` ms; [value, error, reload].
function usePoll(load, deps, every = 5000) {
  const [state, setState] = useState({value: undefined, error: undefined});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (value) => live && setState({value, error: undefined}),
        (error) => live && setState((s) => ({value: s.value, error})),
      );
    run();
    const t = every ? setInterval(run, every) : undefined;
    return () => {
      live = false;
      if (t) clearInterval(t);
    };
  }, [...deps, tick]);
  return [state.value, state.error, () => setTick((n) => n + 1)];
}

function Problem({error}) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message || String(error)}</p>`;
}

// A confirmation naming what the action does to the data.
function Confirm({title, effect, onConfirm, onClose, children}) {
  const ref = useRef();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState();
  useEffect(() => ref.current.showModal(), []);
  const go = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return html`<dialog ref=${ref} onClose=${onClose} aria-labelledby="confirm-title">
    <form onSubmit=${go}>
      <h2 id="confirm-title">${title}</h2>
      <p class="effect">${effect}</p>
      ${children}
      <${Problem} error=${error} />
      <div class="buttons">
        <button type="button" onClick=${onClose}>Cancel</button>
        <button type="submit" class="danger" disabled=${busy}>Confirm</button>
      </div>
    </form>
  </dialog>`;
}

// -- actions -------------------------------------------------------------------

function actionsFor(id, suspended, type, stream) {
  const at = `${SUP}/${encodeURIComponent(id)}`;
  const list = [
    suspended
      ? {name: 'Resume', effect: `Resume ${id}: its tasks start reading from the committed offsets.`, run: () => post(`${at}/resume`)}
      : {name: 'Suspend', effect: `Suspend ${id}: its reading tasks publish what they read and stop; nothing is read until it is resumed.`, run: () => post(`${at}/suspend`)},
    {name: 'Handoff', effect: `Hand off ${id}'s task groups now: they publish what they read and new tasks continue from there. No data is skipped.`, run: () => post(`${at}/taskGroups/handoff`, {taskGroupIds: [...Array(64).keys()]})},
    {name: 'Reset to latest and backfill', backfill: true, effect: `Reset ${id} to the latest offsets: its tasks read fresh data at once, and a bounded backfill supervisor ingests the skipped range. Nothing is lost and nothing is read twice.`, run: (n) => post(`${at}/resetToLatestAndBackfill${n ? `?backfillTaskCount=${n}` : ''}`, {})},
    {name: 'Set offsets', offsets: true, effect: `Set the committed offsets of ${id} for the partitions given: its tasks stop and reading goes on from there. Records before an offset are skipped; records after it that were read already are read again.`,
      run: (_, offsets) => post(`${at}/resetOffsets`, {type, partitions: {type: 'end', stream, partitionOffsetMap: JSON.parse(offsets)}})},
    {name: 'Hard reset', effect: `Hard reset of ${id}: its committed offsets are deleted and reading starts again from the earliest or latest offsets (useEarliestOffset). Data may be skipped or ingested twice.`, run: () => post(`${at}/reset`)},
    {name: 'Terminate', effect: `Terminate ${id}: its tasks publish what they read and the supervisor is removed. Its history stays.`, run: () => post(`${at}/terminate`)},
  ];
  return list;
}

function Actions({id, suspended, type, stream, onDone}) {
  const [open, setOpen] = useState();
  const [count, setCount] = useState('');
  const [offsets, setOffsets] = useState('{"0": 0}');
  return html`<span class="actions">
    ${actionsFor(id, suspended, type, stream).map(
      (a) => html`<button type="button" onClick=${() => setOpen(a)}>${a.name}</button>`,
    )}
    ${open &&
    html`<${Confirm}
      title=${`${open.name}: ${id}`}
      effect=${open.effect}
      onConfirm=${() => open.run(count ? Number(count) : undefined, offsets).then(onDone)}
      onClose=${() => setOpen(undefined)}
    >
      ${open.backfill &&
      html`<label>backfillTaskCount (empty: the supervisor's taskCount)
        <input type="number" min="1" value=${count} onInput=${(e) => setCount(e.target.value)} />
      </label>`}
      ${open.offsets &&
      html`<label>Offsets by partition (JSON, the next offset to read)
        <textarea rows="3" value=${offsets} onInput=${(e) => setOffsets(e.target.value)}></textarea>
      </label>`}
    <//>`}
  </span>`;
}

// -- pages -----------------------------------------------------------------------

function lagOf(payload) {
  if (!payload) return undefined;
  if (payload.aggregateLag !== undefined && payload.aggregateLag !== null) return payload.aggregateLag;
  if (payload.aggregateLagMillis !== undefined && payload.aggregateLagMillis !== null)
    return `${payload.aggregateLagMillis} ms`;
  return undefined;
}

// Rows processed per second over the last minute, over every task.
function rateOf(stats) {
  let sum = 0;
  for (const group of Object.values(stats || {}))
    for (const task of Object.values(group))
      sum += task.movingAverages?.buildSegments?.['1m']?.processed || 0;
  return sum;
}

async function loadSupervisors() {
  const rows = await get(`${SUP}?full`);
  const one = (r, what) => get(`${SUP}/${encodeURIComponent(r.id)}/${what}`).catch(() => undefined);
  const statuses = await Promise.all(rows.map((r) => one(r, 'status')));
  const stats = await Promise.all(rows.map((r) => one(r, 'stats')));
  return rows.map((r, i) => ({...r, status: statuses[i]?.payload, rate: rateOf(stats[i])}));
}

function Supervisors() {
  const [rows, error, reload] = usePoll(loadSupervisors, []);
  const [filter, setFilter] = useState('');
  const [state, setState] = useState('');
  const shown = (rows || []).filter(
    (r) => r.id.includes(filter) && (!state || r.detailedState === state || r.state === state),
  );
  const states = [...new Set((rows || []).map((r) => r.detailedState))];
  return html`<section aria-labelledby="sup-title">
    <h1 id="sup-title">Supervisors</h1>
    <div class="filters">
      <label>Filter by id <input value=${filter} onInput=${(e) => setFilter(e.target.value)} /></label>
      <label>State
        <select value=${state} onChange=${(e) => setState(e.target.value)}>
          <option value="">any</option>
          ${states.map((s) => html`<option value=${s}>${s}</option>`)}
        </select>
      </label>
    </div>
    <${Problem} error=${error} />
    <table class="supervisors">
      <thead><tr><th>Id</th><th>Type</th><th>Source</th><th>State</th><th>Healthy</th>
        <th>Lag</th><th>Rows/s (1 min)</th><th>Tasks (reading/publishing)</th><th>Actions</th></tr></thead>
      <tbody>
        ${shown.map(
          (r) => html`<tr data-id=${r.id}>
            <td><a href=${`#/supervisors/${encodeURIComponent(r.id)}`}>${r.id}</a></td>
            <td>${r.spec?.type}</td>
            <td>${r.status?.stream ?? ''}</td>
            <td class="state">${r.suspended ? 'SUSPENDED' : r.detailedState}</td>
            <td>${r.healthy ? 'yes' : 'no'}</td>
            <td class="lag">${lagOf(r.status) ?? '—'}</td>
            <td class="rate">${Math.round(r.rate)}</td>
            <td>${r.status ? `${r.status.activeTasks.length}/${r.status.publishingTasks.length}` : ''}</td>
            <td><${Actions} id=${r.id} suspended=${r.suspended} type=${r.spec?.type}
              stream=${r.status?.stream} onDone=${reload} /></td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${rows && rows.length === 0 && html`<p>No supervisors yet: <a href="#/spec">submit a spec</a>.</p>`}
  </section>`;
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

function Supervisor({id}) {
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

function Tasks() {
  const [tasks, error] = usePoll(() => get('/druid/indexer/v1/tasks'), []);
  const [log, setLog] = useState();
  const show = async (id, what) => {
    const path = `/druid/indexer/v1/task/${encodeURIComponent(id)}/${what}`;
    try {
      const body = await call('GET', path);
      setLog({id, what, text: typeof body === 'string' ? body : JSON.stringify(body, null, 2)});
    } catch (e) {
      setLog({id, what, text: e.message});
    }
  };
  return html`<section aria-labelledby="tasks-title">
    <h1 id="tasks-title">Tasks</h1>
    <${Problem} error=${error} />
    <table class="tasks">
      <thead><tr><th>Id</th><th>Datasource</th><th>Status</th><th>Created</th><th>Duration</th><th></th></tr></thead>
      <tbody>${(tasks || []).map(
        (t) => html`<tr><td>${t.id}</td><td>${t.dataSource}</td><td>${t.statusCode}</td>
          <td>${t.createdTime}</td><td>${t.duration >= 0 ? `${t.duration} ms` : 'running'}</td>
          <td><button type="button" onClick=${() => show(t.id, 'log')}>Log</button>
            <button type="button" onClick=${() => show(t.id, 'reports')}>Reports</button></td></tr>`,
      )}</tbody>
    </table>
    ${log && html`<h2>${log.what} of ${log.id}</h2><pre class="log">${log.text}</pre>`}
  </section>`;
}

function Locks() {
  const [locks, error] = usePoll(() => get('/druid/indexer/v1/locks'), []);
  return html`<section aria-labelledby="locks-title">
    <h1 id="locks-title">Locks</h1>
    <${Problem} error=${error} />
    <h2>Held</h2><pre>${locks ? JSON.stringify(locks.locks, null, 2) : ''}</pre>
    <h2>Waiting, and who blocks them</h2><pre>${locks ? JSON.stringify(locks.waiting, null, 2) : ''}</pre>
  </section>`;
}

function Sql() {
  const [query, setQuery] = useState('SELECT * FROM sys.supervisors WHERE healthy=0');
  const [result, setResult] = useState();
  const [error, setError] = useState();
  const run = async (e) => {
    e.preventDefault();
    setError(undefined);
    try {
      setResult(await post('/druid/v2/sql', {query, resultFormat: 'array', header: true}));
    } catch (err) {
      setResult(undefined);
      setError(err);
    }
  };
  return html`<section aria-labelledby="sql-title">
    <h1 id="sql-title">SQL on the system tables</h1>
    <form onSubmit=${run}>
      <label for="sql-text">Query (sys.supervisors, sys.tasks, sys.segments)</label>
      <textarea id="sql-text" rows="5" value=${query} onInput=${(e) => setQuery(e.target.value)}></textarea>
      <button type="submit">Run</button>
    </form>
    <${Problem} error=${error} />
    ${result &&
    html`<table class="sql-result">
      <thead><tr>${result[0].map((c) => html`<th>${c}</th>`)}</tr></thead>
      <tbody>${result.slice(1).map((r) => html`<tr>${r.map((v) => html`<td>${v === null ? 'null' : String(v)}</td>`)}</tr>`)}</tbody>
    </table>
    <p class="rows">${result.length - 1} rows</p>`}
  </section>`;
}

function SpecEditor() {
  const [text, setText] = useState('');
  const [problems, setProblems] = useState([]);
  const [done, setDone] = useState();
  const [error, setError] = useState();
  const submit = async (e) => {
    e.preventDefault();
    setProblems([]);
    setDone(undefined);
    setError(undefined);
    try {
      const r = await post(SUP, text);
      setDone(`Supervisor ${r.id} ${r.restarted ? 'submitted' : 'unchanged'}.`);
    } catch (err) {
      if (err instanceof ApiError && err.body && Array.isArray(err.body.errors)) setProblems(err.body.errors);
      else setError(err);
    }
  };
  return html`<section aria-labelledby="spec-title">
    <h1 id="spec-title">Submit a supervisor spec</h1>
    <form onSubmit=${submit}>
      <label for="spec-text">Spec (JSON, Druid's shape)</label>
      <textarea id="spec-text" rows="20" value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
      <button type="submit">Submit</button>
    </form>
    <${Problem} error=${error} />
    ${done && html`<p class="ok" role="status">${done}</p>`}
    ${problems.length > 0 &&
    html`<ul class="problems" role="alert">${problems.map(
      (p) => html`<li><code class="path">${p.path}</code>: ${p.message}</li>`,
    )}</ul>`}
  </section>`;
}

function SignIn({onDone}) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState();
  const submit = async (e) => {
    e.preventDefault();
    signIn(user, password);
    try {
      await get(SUP);
      onDone();
    } catch (err) {
      signOut();
      setError(err.status === 401 ? new Error('Wrong user or password.') : err);
    }
  };
  return html`<section aria-labelledby="signin-title" class="signin">
    <h1 id="signin-title">Sign in</h1>
    <form onSubmit=${submit}>
      <label>User <input autocomplete="username" value=${user} onInput=${(e) => setUser(e.target.value)} /></label>
      <label>Password <input type="password" autocomplete="current-password" value=${password}
        onInput=${(e) => setPassword(e.target.value)} /></label>
      <button type="submit">Sign in</button>
    </form>
    <${Problem} error=${error} />
  </section>`;
}

function App() {
  const route = useRoute();
  const [needSignIn, setNeedSignIn] = useState(false);
  useEffect(() => {
    get(SUP).catch((e) => e.status === 401 && setNeedSignIn(true));
  }, []);
  if (needSignIn) return html`<${SignIn} onDone=${() => setNeedSignIn(false)} />`;
  const [page, arg] = route;
  const nav = [['supervisors', 'Supervisors'], ['tasks', 'Tasks'], ['locks', 'Locks'],
    ['sql', 'SQL'], ['spec', 'Submit spec']];
  return html`<header>
      <span class="brand">streamvisor</span>
      <nav aria-label="Pages">${nav.map(
        ([k, label]) => html`<a href=${`#/${k}`} aria-current=${page === k ? 'page' : undefined}>${label}</a>`,
      )}</nav>
      ${signedIn() && html`<button type="button" onClick=${() => { signOut(); setNeedSignIn(true); }}>Sign out</button>`}
    </header>
    <main>
      ${page === 'supervisors' && !arg && html`<${Supervisors} />`}
      ${page === 'supervisors' && arg && html`<${Supervisor} id=${arg} />`}
      ${page === 'tasks' && html`<${Tasks} />`}
      ${page === 'locks' && html`<${Locks} />`}
      ${page === 'sql' && html`<${Sql} />`}
      ${page === 'spec' && html`<${SpecEditor} />`}
    </main>`;
}

const root = document.getElementById('app');
root.textContent = '';  // the loading note
render(html`<${App} />`, root);
