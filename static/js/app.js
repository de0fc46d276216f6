/* AutoTechJobs developer portal: progressive enhancement only.
 * Every page works with JavaScript off: copy buttons ship `hidden`, and the
 * secret keeps `user-select: all`, so one click selects it for a manual copy.
 * Strict CSP (no inline style): touch attributes and text only, never .style.
 * Forms with data-confirm get nothing here. The server asks for confirmation
 * on its own page, so a confirm() dialog would only ask the user twice. */
(() => {
  'use strict';
  const RESET_MS = 2000;
  const labels = new WeakMap(); // original button contents, restored after "Copied"
  const timers = new WeakMap(); // so quick repeat clicks don't restore too early

  // Code blocks have no id to point at; their button sits next to the <pre>.
  function sourceFor(btn) {
    const id = btn.getAttribute('data-copy-target');
    if (id) return document.getElementById(id);
    const block = btn.closest('.code-block') || btn.parentElement;
    return block ? block.querySelector('pre code') || block.querySelector('pre') : null;
  }

  // Walk outwards for a status line, but keep to this widget: a code block on
  // a docs page must not write into some unrelated status line elsewhere.
  function statusFor(btn) {
    for (let n = btn.parentElement; n && n !== document.body; n = n.parentElement) {
      const found = n.querySelector('p.copy-status');
      if (found) return found;
      if (n.matches('.code-block, main')) break;
    }
    return null;
  }

  // Needed on plain-HTTP dev servers and older browsers, and where the
  // clipboard permission is denied. If it fails too, the text stays selected
  // so Ctrl+C still works.
  function legacyCopy(node) {
    const sel = window.getSelection();
    if (!sel) return false;
    const range = document.createRange();
    range.selectNodeContents(node);
    sel.removeAllRanges();
    sel.addRange(range);
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
    if (ok) sel.removeAllRanges();
    return ok;
  }

  async function copy(node) {
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(node.textContent || ''); return true; } catch (_) { /* fall back */ }
    }
    return legacyCopy(node);
  }

  function feedback(btn, ok) {
    const status = statusFor(btn);
    clearTimeout(timers.get(btn));
    if (ok) btn.replaceChildren('Copied');
    // The status line is aria-live, so this text is what a screen reader says.
    if (status) status.textContent = ok ? 'Copied to clipboard' : 'Press Ctrl+C (\u2318C on Mac) to copy the selected text';
    timers.set(btn, setTimeout(() => {
      btn.replaceChildren(...labels.get(btn));
      if (status && ok) status.textContent = ''; // keep the Ctrl+C advice up
    }, RESET_MS));
  }

  try {
    document.querySelectorAll('button.copy-button').forEach((btn) => {
      const source = sourceFor(btn);
      if (!source) return; // a button with nothing to copy is worse than none
      labels.set(btn, Array.from(btn.childNodes));
      btn.setAttribute('type', 'button'); // inside a form it must not submit it
      btn.removeAttribute('hidden');
      btn.addEventListener('click', () => {
        copy(source).then((ok) => feedback(btn, ok)).catch(() => {});
      });
    });
  } catch (_) { /* enhancement failed: the no-JS page still works */ }
})();
