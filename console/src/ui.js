// What every page uses: htm bound to Preact, polling, errors, and the
// confirmation dialog that names what an action does to the data.

import {h} from 'preact';
import {useEffect, useRef, useState} from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

export function useRoute() {
  const [hash, setHash] = useState(location.hash || '#/supervisors');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/supervisors');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.slice(2).split('/').map(decodeURIComponent);
}

// Loads `load()` now and every `every` ms; [value, error, reload].
export function usePoll(load, deps, every = 5000) {
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

export function Problem({error}) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message || String(error)}</p>`;
}

// A confirmation naming what the action does to the data.
export function Confirm({title, effect, onConfirm, onClose, children}) {
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

