// Keyboard shortcuts (issue 15), loaded by app.js on the first key that may be one (app.js stopped that key's default
// already); from then on this file listens itself. No shortcut acts while typing in a field, but the composer's own
// (Ctrl ones and Esc there; "/" and "?" are typed into it like into any other field).
(function () {
  'use strict';
  var link = document.getElementById('shortcuts-link');
  // The words, in the page's language (views/layout.ejs).
  var w = JSON.parse(document.body.dataset.words);
  // The app's own URLs, BASE_PATH included, from the link to /shortcuts.
  function path(p) { return link.getAttribute('href').replace(/\/shortcuts$/, p); }
  function visible(el) { return el && el.getClientRects().length > 0; }
  function last(sel) { var all = document.querySelectorAll(sel); return all[all.length - 1]; }

  function search() {
    var box = document.getElementById('sidebar-search');
    if (visible(box)) box.focus(); else location.href = path('/search');
  }
  function copyLast() {
    // The answer's own Copy button (app.js adds them): the same code copies, the button says "Copied".
    var b = last('footer.msg-foot button.copy');
    if (b) b.click();
  }
  function stop() {
    var b = last('form[action$="/stop"] button[type=submit]');
    if (b) b.click();
  }
  function focusComposer() {
    var c = document.getElementById('content');
    if (c) c.focus();
  }
  var dialog;
  function help() {
    if (dialog && dialog.open) return;
    fetch(link.getAttribute('href'), { headers: { 'HX-Request': 'true' }, credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (html) {
      if (!dialog) {
        dialog = document.createElement('dialog');
        dialog.className = 'shortcuts-dialog';
        dialog.setAttribute('aria-labelledby', 'shortcuts-title');
        document.body.appendChild(dialog);
        // A click on the backdrop (the dialog itself, outside its content) closes it too.
        dialog.addEventListener('click', function (e) { if (e.target === dialog || e.target.closest('.close-dialog')) dialog.close(); });
      }
      // The server's own fragment (views/help/_shortcuts.ejs), escaped there.
      dialog.innerHTML = html + '<form method="dialog"><button class="btn btn-small close-dialog"></button></form>';
      dialog.querySelector('.close-dialog').textContent = w.close;
      dialog.showModal();
    }, function () { location.href = link.getAttribute('href'); });
  }

  /** Which shortcut the key is (null: none), where it is pressed. */
  function which(e) {
    var t = e.target, k = e.key, c = e.ctrlKey || e.metaKey, composer = t.id === 'content';
    if (e.isComposing || (!composer && t.closest && t.closest('input,textarea,select,[contenteditable]'))) return null;
    if (c) return e.altKey ? (e.code === 'KeyF' ? search : e.code === 'KeyN' ? newChat : null)
      : e.shiftKey ? (e.code === 'KeyC' ? copyLast : null) : e.code === 'KeyK' ? search : null;
    if (k === 'Escape') return composer && !t.value ? stop : null;
    if (composer || e.altKey) return null;
    return k === '/' ? focusComposer : k === '?' ? help : null;
  }
  function newChat() { location.href = path('/'); }

  // The key that loaded this file (its default already stopped by app.js), then every key from here.
  window.mcKeys = function (e) { var f = which(e); if (f) f(); };
  document.addEventListener('keydown', function (e) {
    var f = which(e);
    if (!f || e.defaultPrevented) return;
    if (e.key !== 'Escape') e.preventDefault();
    f();
  });
})();
