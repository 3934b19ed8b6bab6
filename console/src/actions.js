// The actions the API offers on a supervisor, each behind a confirmation.

import {useState} from 'preact/hooks';

import {SUP, post} from './api.js';
import {Confirm, html} from './ui.js';

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

export function Actions({id, suspended, type, stream, onDone}) {
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

