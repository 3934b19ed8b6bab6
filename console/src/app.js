// streamvisor's console: pages over the node's own API (hash routes), with
// Preact and htm (no build step). Every action names what it does to the
// data and asks before doing it.

import {render} from 'preact';
import {useEffect, useState} from 'preact/hooks';

import {ApiError, SUP, call, get, post, signIn, signOut, signedIn} from './api.js';
import {Actions} from './actions.js';
import {Supervisor, lagOf} from './supervisor.js';
import {Problem, html, usePoll, useRoute} from './ui.js';

// -- pages -----------------------------------------------------------------------

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
