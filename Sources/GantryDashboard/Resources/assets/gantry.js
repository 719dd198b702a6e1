/* Gantry dashboard behaviours. Progressive enhancement only: every page works without this file.
   Strict CSP: no inline styles or handlers are written; only classes and attributes are toggled. */
(() => {
  'use strict';

  const doc = document;
  const root = doc.documentElement;

  // An enhancement must never break the page: every handler runs through this.
  const safe = (fn) => function safeHandler(...args) { try { return fn.apply(this, args); } catch (_) { return undefined; } };
  const $$ = (sel, scope = doc) => { try { return Array.from(scope.querySelectorAll(sel)); } catch (_) { return []; } };
  const on = (target, type, fn, opts) => { if (target) target.addEventListener(type, safe(fn), opts); };
  const closest = (node, sel) => (node && node.nodeType === 1 ? node.closest(sel) : null);
  const isElement = (node) => !!node && node.nodeType === 1;

  /* 1. Theme: applied before anything else to shorten the flash of the wrong theme (script is deferred). */
  const THEME_KEY = 'gantry-theme';
  const THEMES = ['auto', 'light', 'dark'];
  const applyTheme = (theme) => { if (THEMES.includes(theme)) root.setAttribute('data-theme', theme); };
  try { applyTheme(window.localStorage.getItem(THEME_KEY)); } catch (_) { /* storage blocked */ }

  const currentTheme = () => (THEMES.includes(root.getAttribute('data-theme')) ? root.getAttribute('data-theme') : 'auto');
  function renderThemeToggles() {
    const label = `Theme: ${currentTheme()}`;
    for (const btn of $$('[data-theme-toggle]')) { btn.textContent = label; btn.setAttribute('aria-label', label); btn.hidden = false; }
  }
  function cycleTheme() {
    const next = THEMES[(THEMES.indexOf(currentTheme()) + 1) % THEMES.length];
    applyTheme(next);
    try { window.localStorage.setItem(THEME_KEY, next); } catch (_) { /* private mode: not persisted */ }
    renderThemeToggles();
  }

  /* Shared helpers */
  let liveRegion = null;
  function announce(message) {
    if (!liveRegion) {
      liveRegion = make('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
      doc.body.appendChild(liveRegion);
    }
    liveRegion.textContent = '';
    // Clear then set on the next tick so a repeated message is announced again.
    window.setTimeout(() => { liveRegion.textContent = message; }, 50);
  }
  function make(tag, attrs) {
    const node = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  const parseJSON = (text) => { try { return JSON.parse(text); } catch (_) { return null; } };
  // <template> parses table rows (and anything else) without running scripts or needing a context.
  function parseFragment(html) { const tpl = doc.createElement('template'); tpl.innerHTML = String(html).trim(); return tpl.content; }
  const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
  const firstFocusable = (scope) => (scope.matches && scope.matches(FOCUSABLE) ? scope : $$(FOCUSABLE, scope)[0] || null);
  const byAttr = (scope, attr, value) =>
    [scope, ...$$(`[${attr}]`, scope)].find((n) => isElement(n) && n.getAttribute(attr) === value) || null;

  /* 2. Confirm dialog (one instance, built on first use). */
  const canModal = typeof window.HTMLDialogElement === 'function' &&
    typeof window.HTMLDialogElement.prototype.showModal === 'function';
  let dialog = null;
  let pending = null; // { form, submitter } awaiting an answer
  const confirmed = new WeakSet(); // forms re-submitted after "confirm": skip the dialog once

  function buildDialog() {
    if (dialog) return dialog;
    const d = make('dialog', { class: 'confirm-dialog', role: 'alertdialog', 'aria-labelledby': 'gantry-confirm-message' });
    d.innerHTML = '<p class="confirm-message" id="gantry-confirm-message"></p>' +
      '<div class="confirm-actions"><button type="button" class="btn" data-dialog-cancel>Cancel</button>' +
      '<button type="button" class="btn btn-primary" data-dialog-ok>Confirm</button></div>';
    on(d.querySelector('[data-dialog-cancel]'), 'click', () => d.close('cancel'));
    on(d.querySelector('[data-dialog-ok]'), 'click', () => d.close('confirm'));
    on(d, 'click', (e) => { if (e.target === d) d.close('cancel'); }); // backdrop click
    on(d, 'close', onDialogClose);
    doc.body.appendChild(d);
    dialog = d;
    return d;
  }

  function openConfirm(form, submitter) {
    const d = buildDialog();
    const ok = d.querySelector('[data-dialog-ok]');
    d.querySelector('.confirm-message').textContent = form.getAttribute('data-confirm') || 'Are you sure?';
    ok.textContent = form.getAttribute('data-confirm-label') || 'Confirm';
    ok.className = form.hasAttribute('data-confirm-danger') ? 'btn btn-danger' : 'btn btn-primary';
    pending = { form, submitter };
    d.returnValue = ''; // Escape keeps the old returnValue otherwise
    if (!d.open) d.showModal();
    d.querySelector('[data-dialog-cancel]').focus();
  }

  function onDialogClose() {
    const job = pending;
    pending = null;
    if (!job) return;
    const { form, submitter } = job;
    if (dialog.returnValue === 'confirm' && form.isConnected) submitConfirmed(form, submitter);
    else {
      const back = submitter && submitter.isConnected ? submitter : form.querySelector('[type="submit"], button:not([type])');
      if (back) back.focus();
    }
  }

  function submitConfirmed(form, submitter) {
    if (!Array.from(form.elements).some((f) => f.name === 'confirm' && f.value === 'yes')) {
      form.appendChild(make('input', { type: 'hidden', name: 'confirm', value: 'yes' }));
    }
    const usable = submitter && submitter.isConnected && submitter.form === form ? submitter : null;
    if (typeof form.requestSubmit === 'function') {
      // requestSubmit keeps the submitter's name/value and runs the submit guard; the flag skips the dialog.
      confirmed.add(form);
      try { form.requestSubmit(usable || undefined); } finally { confirmed.delete(form); }
      return;
    }
    if (usable && usable.name) form.appendChild(make('input', { type: 'hidden', name: usable.name, value: usable.value }));
    markBusy(form, usable);
    HTMLFormElement.prototype.submit.call(form); // a control named "submit" cannot shadow this
  }

  /* 9. Submitting guard: one POST per click; released on bfcache restore or after a while (downloads). */
  const busyForms = new WeakSet();
  const formMethod = (form, submitter) =>
    ((submitter && submitter.getAttribute('formmethod')) || form.getAttribute('method') || 'get').toLowerCase();

  function markBusy(form, submitter) {
    busyForms.add(form);
    if (submitter && submitter.matches('button, input[type="submit"], input[type="image"]')) {
      submitter.classList.add('is-busy');
      submitter.setAttribute('aria-busy', 'true');
      // Disable after the entry list is built: a disabled submitter would drop its name/value.
      window.setTimeout(() => { if (submitter.classList.contains('is-busy')) submitter.disabled = true; }, 0);
    }
    window.setTimeout(() => releaseBusy(form), 15000);
  }
  function releaseBusy(form) {
    busyForms.delete(form);
    for (const btn of $$('.is-busy', form)) { btn.classList.remove('is-busy'); btn.removeAttribute('aria-busy'); btn.disabled = false; }
    if (form.hasAttribute('data-quota')) updateQuota(form);
  }

  function onSubmit(e) {
    const form = e.target;
    if (!(form instanceof HTMLFormElement) || e.defaultPrevented) return;
    const submitter = e.submitter || null;
    const method = formMethod(form, submitter);
    if (method === 'dialog') return;
    if (busyForms.has(form)) { e.preventDefault(); return; }
    if (form.hasAttribute('data-confirm') && !confirmed.has(form) && canModal) {
      e.preventDefault();
      openConfirm(form, submitter);
      return;
    }
    // Without <dialog> support the form posts without confirm=yes and the server asks instead.
    const target = (submitter && submitter.getAttribute('formtarget')) || form.getAttribute('target') || '';
    if (method === 'get' || (target && target !== '_self')) return;
    markBusy(form, submitter);
  }

  /* 3. Live updates over Server-Sent Events. */
  const streams = new Map(); // element -> EventSource
  const EMPTY_KEY = '\u0000empty';
  const REPLACE_KEY = '\u0000replace';

  // Keep only well-formed {id, html} entries, first occurrence of each id wins.
  function normalizeRows(rows) {
    const seen = new Map();
    for (const row of Array.isArray(rows) ? rows : []) {
      if (!row || row.id === undefined || row.id === null || typeof row.html !== 'string') continue;
      if (!seen.has(String(row.id))) seen.set(String(row.id), { id: String(row.id), html: row.html });
    }
    return Array.from(seen.values());
  }
  function parseRow(id, html) {
    const node = parseFragment(html).firstElementChild;
    if (node && !node.hasAttribute('data-row-id')) node.setAttribute('data-row-id', id);
    return node || null;
  }
  // First sight of a row (no remembered html): compare DOM so an identical server row is kept.
  function rowUnchanged(node, html, lastHtml) {
    if (lastHtml !== undefined) return lastHtml === html;
    const fresh = parseFragment(html).firstElementChild;
    return !!fresh && fresh.isEqualNode(node);
  }

  function captureFocus(container) {
    const active = doc.activeElement;
    if (!isElement(active) || active === container || !container.contains(active)) return null;
    const row = closest(active, '[data-row-id]');
    return {
      el: active,
      rowId: row && container.contains(row) ? row.getAttribute('data-row-id') : null,
      index: row ? Array.from(container.children).indexOf(row) : -1,
      key: active.getAttribute('data-focus-key'), name: active.getAttribute('name'), value: active.getAttribute('value'),
    };
  }
  function focusTargetIn(scope, info) {
    if (!scope) return null;
    if (info.key !== null) { const hit = byAttr(scope, 'data-focus-key', info.key); if (hit) return hit; }
    if (info.name !== null) {
      const hit = $$('[name]', scope).find((n) => n.getAttribute('name') === info.name &&
        (info.value === null || n.getAttribute('value') === info.value));
      if (hit) return hit;
    }
    return firstFocusable(scope);
  }
  function restoreFocus(container, info) {
    if (!info) return;
    let target = null;
    if (info.el.isConnected && container.contains(info.el)) target = info.el; // moved, not replaced
    else if (info.rowId !== null) {
      const rows = Array.from(container.children);
      const row = byAttr(container, 'data-row-id', info.rowId) ||
        rows[Math.min(info.index, rows.length - 1)] || null; // row gone: neighbour at the same place
      target = focusTargetIn(row, info);
    } else target = focusTargetIn(container, info);
    if (target && doc.activeElement !== target) target.focus({ preventScroll: true });
  }

  function renderEmpty(container, emptyHtml, memo) {
    const current = Array.from(container.children).filter((n) => n.classList.contains('empty-row'));
    if (current.length && (!emptyHtml || memo.get(EMPTY_KEY) === emptyHtml)) return; // keep the server's own
    current.forEach((n) => n.remove());
    if (emptyHtml) container.appendChild(parseFragment(emptyHtml));
    memo.set(EMPTY_KEY, emptyHtml);
  }

  function patchRows(container, rawRows, emptyHtml, memo) {
    const rows = normalizeRows(rawRows);
    const focus = captureFocus(container);
    const existing = new Map();
    for (const child of Array.from(container.children)) {
      const id = child.getAttribute('data-row-id');
      if (id === null) continue;
      if (existing.has(id)) child.remove(); else existing.set(id, child);
    }
    const wanted = new Set(rows.map((r) => r.id));
    for (const [id, node] of existing) if (!wanted.has(id)) { node.remove(); memo.delete(id); }

    if (!rows.length) renderEmpty(container, emptyHtml, memo);
    else {
      Array.from(container.children).filter((n) => n.classList.contains('empty-row')).forEach((n) => n.remove());
      memo.delete(EMPTY_KEY);
      let prev = null;
      for (const row of rows) {
        let node = existing.get(row.id) || null;
        if (node && !rowUnchanged(node, row.html, memo.get(row.id))) {
          const fresh = parseRow(row.id, row.html);
          if (fresh) { node.replaceWith(fresh); node = fresh; }
        } else if (!node) node = parseRow(row.id, row.html);
        if (!node) continue;
        memo.set(row.id, row.html);
        const ref = prev ? prev.nextElementSibling : container.firstElementChild;
        if (node !== ref) container.insertBefore(node, ref); // only move when out of place (moving blurs)
        prev = node;
      }
    }
    restoreFocus(container, focus);
  }

  function replaceContent(el, html, memo) {
    if (memo.get(REPLACE_KEY) === html) return;
    const focus = captureFocus(el);
    el.innerHTML = html;
    memo.set(REPLACE_KEY, html);
    if (focus) {
      const target = focusTargetIn(el, { key: focus.key, name: focus.name, value: focus.value });
      if (target) target.focus({ preventScroll: true });
    }
  }

  function startLive(el) {
    const url = el.getAttribute('data-live');
    if (!url || streams.has(el) || typeof window.EventSource !== 'function') return;
    let source;
    try { source = new EventSource(url); } catch (_) { return; }
    streams.set(el, source);
    const memo = new Map(); // last html per row id, to skip unchanged rows
    on(source, 'rows', (e) => {
      const data = parseJSON(e.data);
      if (!data || !Array.isArray(data.rows)) return;
      patchRows(el, data.rows, typeof data.empty === 'string' ? data.empty : '', memo);
      enhance(el);
    });
    on(source, 'replace', (e) => {
      const data = parseJSON(e.data);
      if (!data || typeof data.html !== 'string') return;
      replaceContent(el, data.html, memo);
      enhance(el);
    });
    on(source, 'end', () => stopLive(el));
    // EventSource reconnects by itself; once it gives up (CLOSED) forget it so pageshow can restart it.
    on(source, 'error', () => { if (source.readyState === 2) streams.delete(el); });
  }
  function stopLive(el) {
    const source = streams.get(el);
    if (source) { try { source.close(); } catch (_) { /* ignore */ } }
    streams.delete(el);
  }
  const stopAllLive = () => Array.from(streams.keys()).forEach(stopLive);

  /* 4. Countdowns: one timer that re-queries, so rows inserted later just work. */
  const pad2 = (n) => String(n).padStart(2, '0');
  function formatCountdown(ms) {
    if (!(ms > 0)) return 'expired';
    const total = Math.ceil(ms / 1000);
    const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
    if (h > 0) return `${h}h ${pad2(m)}m ${pad2(s)}s left`;
    if (m > 0) return `${m}m ${pad2(s)}s left`;
    return `${s}s left`;
  }
  function tickCountdowns(scope = doc) {
    const now = Date.now();
    for (const el of $$('[data-countdown]', scope)) {
      const at = Date.parse(el.getAttribute('data-countdown') || '');
      if (Number.isNaN(at)) continue;
      const left = at - now;
      const text = formatCountdown(left);
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle('is-expired', left <= 0);
      el.classList.toggle('is-urgent', left > 0 && left < 5 * 60 * 1000);
    }
  }

  /* 8. Relative times. */
  function formatRelative(diffMs) {
    const sec = Math.round(Math.abs(diffMs) / 1000);
    if (sec < 45) return 'just now';
    const min = Math.round(sec / 60), hours = Math.round(min / 60), days = Math.round(hours / 24);
    const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
    const span = min < 60 ? `${min} min` : hours < 24 ? plural(hours, 'hour') : plural(days, 'day');
    return diffMs < 0 ? `${span} ago` : `in ${span}`;
  }
  function fullDate(date) {
    try { return date.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'long' }); } catch (_) { return date.toString(); }
  }
  function renderTimes(scope = doc) {
    const now = Date.now();
    for (const el of $$('time[datetime][data-relative]', scope)) {
      const at = Date.parse(el.getAttribute('datetime') || '');
      if (Number.isNaN(at)) continue;
      const title = fullDate(new Date(at));
      if (el.getAttribute('title') !== title) el.setAttribute('title', title);
      const text = Math.abs(at - now) > 30 * 86400000 ? new Date(at).toLocaleDateString() : formatRelative(at - now);
      if (el.textContent !== text) el.textContent = text;
    }
  }

  /* 5. Copy to clipboard. */
  const copyState = new WeakMap(); // button -> { label, timer }
  function legacyCopy(text) {
    const area = make('textarea', { class: 'copy-buffer', readonly: '', 'aria-hidden': 'true', tabindex: '-1' });
    area.value = text;
    const previous = doc.activeElement;
    doc.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = doc.execCommand('copy'); } catch (_) { ok = false; }
    area.remove();
    if (isElement(previous) && previous.focus) previous.focus({ preventScroll: true });
    return ok;
  }
  function copyText(text) {
    const clip = navigator.clipboard;
    if (clip && typeof clip.writeText === 'function') {
      return clip.writeText(text).then(() => true, () => legacyCopy(text));
    }
    return Promise.resolve(legacyCopy(text));
  }
  function copyFeedback(btn, target, ok) {
    const state = copyState.get(btn) || { label: btn.textContent, timer: 0 };
    window.clearTimeout(state.timer);
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    announce(ok ? 'Copied to clipboard' : 'Copy failed. The text is selected; press Ctrl+C to copy it.');
    if (!ok) { // leave the text selected so the user can copy it by hand
      const sel = window.getSelection && window.getSelection();
      if (sel) { const range = doc.createRange(); range.selectNodeContents(target); sel.removeAllRanges(); sel.addRange(range); }
    }
    state.timer = window.setTimeout(() => { btn.textContent = state.label; }, 2000);
    copyState.set(btn, state);
  }
  function onCopy(btn) {
    let target = null;
    try { target = doc.querySelector(btn.getAttribute('data-copy')); } catch (_) { target = null; }
    if (!target) return;
    const text = 'value' in target && /^(INPUT|TEXTAREA)$/.test(target.tagName) ? target.value : target.textContent;
    copyText(text).then(safe((ok) => copyFeedback(btn, target, ok)), safe(() => copyFeedback(btn, target, false)));
  }

  /* 6. Launch wizard quota. */
  const round = (n, places) => { const f = 10 ** places; const r = Math.round(n * f) / f; return Object.is(r, -0) ? 0 : r; };
  const fmtMem = (mb) => (Math.abs(mb) >= 1024 ? `${round(mb / 1024, 1)} GB` : `${round(mb, 0)} MB`);
  const gpuWord = (n) => (n === 1 ? 'GPU' : 'GPUs');
  const QUOTAS = [
    { name: 'cpu', attr: 'data-remaining-cpu', read: (v) => v,
      ok: (left, total) => `${round(left, 2)} of ${round(total, 2)} CPU left after this launch`,
      over: (by) => `Over quota by ${round(by, 2)} CPU` },
    { name: 'memory_mb', attr: 'data-remaining-memory-mb', read: (v) => v,
      ok: (left, total) => `${fmtMem(left)} of ${fmtMem(total)} memory left after this launch`,
      over: (by) => `Over quota by ${fmtMem(by)}` },
    { name: 'gpus', attr: 'data-remaining-gpus', read: (v) => Math.ceil(v),
      ok: (left, total) => `${left} of ${total} ${gpuWord(total)} left after this launch`,
      over: (by) => `Over quota by ${by} ${gpuWord(by)}` },
  ];
  // Pure: what a request leaves of what remains.
  const quotaCheck = (remaining, requested) => ({ left: remaining - requested, over: Math.max(0, requested - remaining) });
  const toNumber = (v) => { const n = parseFloat(v); return Number.isFinite(n) && n > 0 ? n : 0; };

  function updateQuota(form) {
    let anyOver = false;
    for (const q of QUOTAS) {
      const remaining = parseFloat(form.getAttribute(q.attr));
      const field = form.elements.namedItem(q.name);
      if (!Number.isFinite(remaining) || !field) continue;
      const { left, over } = quotaCheck(remaining, q.read(toNumber(field.value)));
      anyOver = anyOver || over > 0;
      let hints = $$(`[data-quota-left="${q.name}"]`, form);
      if (!hints.length) hints = $$(`[data-quota-left="${q.name}"]`);
      for (const hint of hints) {
        hint.textContent = over > 0 ? q.over(over) : q.ok(left, remaining);
        hint.classList.toggle('is-over', over > 0);
      }
      if (isElement(field)) { // a RadioNodeList has no single control to flag
        if (over > 0) { field.setAttribute('aria-invalid', 'true'); field.setAttribute('data-quota-invalid', ''); }
        else if (field.hasAttribute('data-quota-invalid')) { field.removeAttribute('aria-invalid'); field.removeAttribute('data-quota-invalid'); }
      }
    }
    // An instance slot is needed too; only counted when the server tells us how many remain.
    const instances = parseFloat(form.getAttribute('data-remaining-instances'));
    if (Number.isFinite(instances) && instances < 1) anyOver = true;
    for (const btn of $$('[data-quota-submit]', form)) if (!btn.classList.contains('is-busy')) btn.disabled = anyOver;
  }

  /* 7. Filters: autosubmit selects make the Apply button redundant. */
  function requestSubmit(form) {
    if (!form) return;
    if (typeof form.requestSubmit === 'function') form.requestSubmit(); else HTMLFormElement.prototype.submit.call(form);
  }

  /* Wiring */
  function enhance(scope) {
    for (const btn of $$('[data-copy]', scope)) btn.hidden = false;
    for (const btn of $$('.filters-apply', scope)) {
      if (btn.form && btn.form.querySelector('select[data-autosubmit]')) btn.hidden = true;
    }
    tickCountdowns(scope);
    renderTimes(scope);
  }

  function init() {
    renderThemeToggles();
    enhance(doc);
    $$('form[data-quota]').forEach(safe(updateQuota));
    $$('[data-live]').forEach(safe(startLive));

    on(doc, 'click', (e) => {
      if (!isElement(e.target)) return;
      if (closest(e.target, '[data-theme-toggle]')) cycleTheme();
      const copyBtn = closest(e.target, '[data-copy]');
      if (copyBtn) onCopy(copyBtn);
    });
    on(doc, 'submit', onSubmit);
    on(doc, 'change', (e) => { if (isElement(e.target) && e.target.matches('select[data-autosubmit]')) requestSubmit(e.target.form); });
    const onQuotaInput = (e) => {
      const form = isElement(e.target) ? e.target.form : null;
      if (form && form.hasAttribute('data-quota')) updateQuota(form);
    };
    on(doc, 'input', onQuotaInput);
    on(doc, 'change', onQuotaInput);

    on(window, 'pagehide', stopAllLive);
    on(window, 'pageshow', (e) => {
      if (!e.persisted) return; // restored from bfcache: undo busy state, reconnect streams
      $$('form').forEach((form) => releaseBusy(form));
      $$('[data-live]').forEach(safe(startLive));
      enhance(doc);
    });
    on(window, 'storage', (e) => { if (e.key === THEME_KEY) { applyTheme(e.newValue || 'auto'); renderThemeToggles(); } });

    window.setInterval(safe(() => tickCountdowns(doc)), 1000);
    window.setInterval(safe(() => renderTimes(doc)), 30000);
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', safe(init), { once: true });
  else safe(init)();
})();
