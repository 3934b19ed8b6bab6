// The console in a real browser (Debian's chromium, headless, driven by
// playwright-core) against a real node with its embedded Kafka and a running
// generator: the supervisors page lists a running supervisor with lag; each
// action asks first and its effect is checked through the API; a reset to
// latest and backfill started from the page runs to COMPLETED; the spec
// editor shows a path-located error; the SQL box answers. Screenshots of each
// page go to $SCREENSHOTS (default build/console-screenshots).
//
// usage: node --test tests/browser/console.test.mjs   (scripts/test runs it)

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtempSync, mkdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {chromium} from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'build/bin/streamvisor');
const shots = process.env.SCREENSHOTS || join(root, 'build/console-screenshots');
const SUP = '/druid/indexer/v1/supervisor';

let node, generator, browser, page, base, dir, bootstrap;

// Polls `check` (async, truthy when done) every 100 ms until `seconds` pass.
async function until(what, seconds, check) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${seconds} s (last: ${last})`);
}

async function api(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: {'Content-Type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function spec(id) {
  return {
    type: 'kafka',
    context: {useConcurrentLocks: true},
    spec: {
      dataSchema: {
        dataSource: id,
        timestampSpec: {column: 'timestamp', format: 'iso'},
        dimensionsSpec: {dimensions: ['id', 'page']},
        granularitySpec: {segmentGranularity: 'HOUR', queryGranularity: 'NONE', rollup: false},
      },
      ioConfig: {
        topic: 'wiki',
        inputFormat: {type: 'json'},
        // One record batch per partition per fetch: reading is slow while the
        // brokers' round trip is long, so lag builds up.
        consumerProperties: {'bootstrap.servers': 'embedded', 'fetch.wait.max.ms': '10',
          'max.partition.fetch.bytes': '1'},
        taskCount: 1, taskDuration: 'PT1H', startDelay: 'PT1S', period: 'PT2S',
        useEarliestOffset: false,
      },
      tuningConfig: {type: 'kafka', offsetFetchPeriod: 'PT2S'},
    },
  };
}

async function shot(name) {
  await page.screenshot({path: join(shots, `${name}.png`), fullPage: true});
}

// Clicks `action` on the current page and confirms the dialog, which must
// name what the action does to the data.
async function act(action, effectWords, fill) {
  await page.getByRole('button', {name: action, exact: true}).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  const effect = await dialog.locator('.effect').innerText();
  for (const w of effectWords) assert.ok(effect.includes(w), `"${effect}" names ${w}`);
  if (fill) await fill(dialog);
  await dialog.getByRole('button', {name: 'Confirm'}).click();
  await dialog.waitFor({state: 'detached'});
}

before(async () => {
  mkdirSync(shots, {recursive: true});
  dir = mkdtempSync(join(tmpdir(), 'sv-console-'));
  node = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir], {stdio: ['ignore', 'pipe', 'pipe']});
  let out = '';
  node.stdout.on('data', (d) => (out += d));
  node.stderr.on('data', () => {});
  const port = await until('the node serves', 30, () => out.match(/serving http:\/\/127\.0\.0\.1:(\d+)/)?.[1]);
  base = `http://127.0.0.1:${port}`;
  bootstrap = (await api('GET', '/streamvisor/v1/kafka/')).bootstrap;
  await api('POST', '/streamvisor/v1/kafka/topics', {name: 'wiki', partitions: 2});
  await api('POST', SUP, spec('wiki'));
  await until('the supervisor runs', 30, async () => (await api('GET', `${SUP}/wiki/status`)).payload.state === 'RUNNING');
  await api('POST', '/streamvisor/v1/kafka/brokers/all/rtt', {ms: 1000});
  // 200 events/s: the embedded Kafka keeps 5 MiB per partition (about
  // 15,000 events), so the range a backfill reads is still there when it does.
  generator = spawn(bin, ['generate', '--topic', 'wiki', '--bootstrap', bootstrap, '--rate', '200'], {stdio: 'ignore'});
  browser = await chromium.launch({executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox']});
  page = await browser.newPage({viewport: {width: 1366, height: 800}});
});

after(async () => {
  await browser?.close();
  generator?.kill('SIGKILL');
  node?.kill('SIGKILL');
  if (dir) rmSync(dir, {recursive: true, force: true});
});

test('the supervisors page lists the running supervisor with its lag', async () => {
  await page.goto(`${base}/`);
  const row = page.locator('tr[data-id="wiki"]');
  await row.waitFor();
  const lag = await until('lag above zero on the page', 60, async () => {
    const text = await row.locator('td.lag').innerText();
    return Number(text) > 0 ? Number(text) : false;
  });
  assert.ok(lag > 0);
  assert.equal(await row.locator('td.state').innerText(), 'RUNNING');
  await shot('supervisors');
});

test('a supervisor page: status, lag chart, partitions, audit trail', async () => {
  await page.locator('tr[data-id="wiki"] a').click();
  await page.getByRole('heading', {name: 'Supervisor wiki'}).waitFor();
  await until('both partitions listed', 30, async () => (await page.locator('table.partitions tbody tr').count()) === 2);
  await until('the audit shows the creation', 30, async () => (await page.locator('table.audit').innerText()).includes('supervisor.create'));
  assert.equal(await page.getByRole('img', {name: 'Lag over time'}).count(), 1);
  await shot('supervisor');
});

test('suspend, resume and handoff from the page; their effect is in the API', async () => {
  await act('Suspend', ['Suspend wiki', 'publish']);
  assert.equal((await api('GET', `${SUP}/wiki`)).suspended, true);
  await act('Resume', ['Resume wiki']);
  assert.equal((await api('GET', `${SUP}/wiki`)).suspended, false);
  await until('running again', 30, async () => (await api('GET', `${SUP}/wiki/status`)).payload.state === 'RUNNING');
  // RUNNING comes before the resumed group's task does.
  const tasksBefore = await until('a task reading again', 30, async () => {
    const ids = (await api('GET', `${SUP}/wiki/status`)).payload.activeTasks.map((t) => t.id);
    return ids.length > 0 ? ids : false;
  });
  await act('Handoff', ['publish']);
  // The reading task now publishes (or already has), and a new one reads on.
  await until('the handed-off task publishes or is done', 60, async () => {
    const s = (await api('GET', `${SUP}/wiki/status`)).payload;
    return !s.activeTasks.some((t) => tasksBefore.includes(t.id));
  });
  const audit = await api('GET', `${SUP}/wiki/audit`);
  assert.ok(audit.some((a) => a.type === 'supervisor.suspend'));
  assert.ok(audit.some((a) => a.type === 'supervisor.resume'));
});

test('reset to latest and backfill from the page runs to COMPLETED', async () => {
  // Reading at full speed again, so that the backfill finishes soon.
  await api('POST', '/streamvisor/v1/kafka/brokers/all/rtt', {ms: 0});
  await until('running', 30, async () => (await api('GET', `${SUP}/wiki/status`)).payload.detailedState === 'RUNNING');
  await act('Reset to latest and backfill', ['Nothing is lost'], async (dialog) => {
    await dialog.getByLabel(/backfillTaskCount/).fill('1');
  });
  const backfill = await until('a backfill supervisor', 30, async () =>
    (await api('GET', SUP)).find((id) => id.startsWith('wiki_backfill_')));
  // Its progress on the supervisor's page: offsets done of the range, until
  // COMPLETED with all of them.
  const progress = page.locator(`table.backfills tr[data-id="${backfill}"]`);
  await progress.waitFor();
  await shot('backfill-progress');
  try {
    await until('the backfill COMPLETED on the page', 120,
      async () => (await progress.locator('td.state').innerText()) === 'COMPLETED');
  } catch (e) {
    const s = await api('GET', `${SUP}/${backfill}/status`).catch((x) => x.message);
    throw new Error(`${e.message}; the page shows ${await progress.innerText()}; ` +
      `the API: ${JSON.stringify(s)}`);
  }
  const [done, total] = (await until('all offsets done', 10, async () => {
    const m = (await progress.locator('td.progress').innerText()).match(/(\d+) of (\d+) offsets/);
    return m && m[1] === m[2] ? m : false;
  })).slice(1).map(Number);
  assert.equal(done, total);
  const audit = await api('GET', `${SUP}/wiki/audit`);
  const range = audit.find((a) => a.type === 'supervisor.resetToLatestAndBackfill').payload;
  const size = Object.keys(range.startOffsets)
    .reduce((n, p) => n + range.endOffsets[p] - range.startOffsets[p], 0);
  assert.equal(total, size);
  assert.ok(total > 0, 'the reset skipped a range');
  const status = await api('GET', `${SUP}/${backfill}/status`);
  assert.equal(status.payload.state, 'COMPLETED');
  await shot('backfill-completed');
  // The lag chart draws the node's samples.
  const history = await api('GET', `${SUP}/wiki/lagHistory`);
  assert.equal(history.unit, 'records');
  assert.ok(history.samples.length > 1);
});

test('set offsets, hard reset and terminate from the page; their effect is in the API', async () => {
  await page.goto(`${base}/console/#/supervisors/wiki`);
  await page.getByRole('heading', {name: 'Supervisor wiki'}).waitFor();
  await until('status shown', 30, async () => (await page.locator('dd.state').count()) === 1);
  await act('Set offsets', ['skipped', 'read again'], async (dialog) => {
    await dialog.getByLabel(/Offsets by partition/).fill('{"0": 5, "1": 7}');
  });
  let audit = await api('GET', `${SUP}/wiki/audit`);
  const set = audit.find((a) => a.type === 'supervisor.resetOffsets');
  assert.ok(set, 'resetOffsets audited');
  assert.deepEqual(set.payload.partitions.partitionOffsetMap, {0: 5, 1: 7});
  await act('Hard reset', ['deleted', 'skipped or ingested twice']);
  audit = await api('GET', `${SUP}/wiki/audit`);
  assert.ok(audit.some((a) => a.type === 'supervisor.reset'));
  await act('Terminate', ['removed']);
  await until('terminated', 30, async () => !(await api('GET', SUP)).includes('wiki'));
  await page.goto(`${base}/console/#/supervisors`);
  await page.getByRole('heading', {name: 'Supervisors'}).waitFor();
  assert.equal(await page.locator('tr[data-id="wiki"]').count(), 0);
});

test('sign-in when authentication is on', async () => {
  const secured = mkdtempSync(join(tmpdir(), 'sv-console-auth-'));
  const n = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', secured, '--auth', 'on',
    '--kafka-brokers', '1'], {stdio: ['ignore', 'pipe', 'ignore'],
    env: {...process.env, STREAMVISOR_ADMIN_PASSWORD: 'console-admin'}});
  try {
    let out = '';
    n.stdout.on('data', (d) => (out += d));
    const port = await until('the secured node serves', 30, () => out.match(/serving http:\/\/127\.0\.0\.1:(\d+)/)?.[1]);
    const p = await browser.newPage();
    await p.goto(`http://127.0.0.1:${port}/`);
    await p.getByRole('heading', {name: 'Sign in'}).waitFor();
    await p.getByLabel('User').fill('admin');
    await p.getByLabel('Password').fill('wrong');
    await p.getByRole('button', {name: 'Sign in'}).click();
    await p.getByText('Wrong user or password.').waitFor();
    await p.getByLabel('Password').fill('console-admin');
    await p.getByRole('button', {name: 'Sign in'}).click();
    await p.getByRole('heading', {name: 'Supervisors'}).waitFor();
    await p.screenshot({path: join(shots, 'signed-in.png')});
    await p.close();
  } finally {
    n.kill('SIGKILL');
    rmSync(secured, {recursive: true, force: true});
  }
});

test('the spec editor shows an error at its JSON path', async () => {
  await page.goto(`${base}/console/#/spec`);
  const bad = spec('broken');
  bad.spec.ioConfig.taskCount = 0;
  await page.getByLabel('Spec (JSON, Druid\'s shape)').fill(JSON.stringify(bad, null, 2));
  await page.getByRole('button', {name: 'Submit'}).click();
  const problem = page.locator('ul.problems li');
  await problem.first().waitFor();
  assert.equal(await problem.locator('code.path').first().innerText(), 'spec.ioConfig.taskCount');
  await shot('spec-editor');
});

test('the SQL box answers SELECT * FROM sys.supervisors WHERE healthy=0', async () => {
  await page.goto(`${base}/console/#/sql`);
  const box = page.getByLabel(/Query/);
  assert.equal(await box.inputValue(), 'SELECT * FROM sys.supervisors WHERE healthy=0');
  await page.getByRole('button', {name: 'Run'}).click();
  const table = page.locator('table.sql-result');
  await table.waitFor();
  assert.ok((await table.locator('thead').innerText()).includes('supervisor_id'));
  const rows = await page.locator('p.rows').innerText();
  const expected = (await api('POST', '/druid/v2/sql', {query: 'SELECT * FROM sys.supervisors WHERE healthy=0'})).length;
  assert.equal(rows, `${expected} rows`);
  await shot('sql');
});

test('tasks and locks pages', async () => {
  await page.goto(`${base}/console/#/tasks`);
  await until('tasks listed', 30, async () => (await page.locator('table.tasks tbody tr').count()) > 0);
  await page.getByRole('button', {name: 'Log'}).first().click();
  await until('a task log', 30, async () => (await page.locator('pre.log').innerText()).length > 0);
  await shot('tasks');
  await page.goto(`${base}/console/#/locks`);
  await page.getByRole('heading', {name: 'Locks', exact: true}).waitFor();
  await shot('locks');
});
