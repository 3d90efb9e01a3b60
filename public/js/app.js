// Small progressive enhancements; every feature works without this file. (Comments cost bytes: kept short.)
(function () {
  'use strict';
  // w: words in the page's language (layout.ejs).
  var root = document.documentElement, w = JSON.parse(document.body.dataset.words);
  // Parts of pages that need this script are shown by CSS under .js (the composer's Attach button).
  root.classList.add('js');
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || touch() || !t || !t.matches || !t.matches('textarea[data-enter-sends]')) return;
    e.preventDefault();
    if (t.value.trim() && t.form && !t.form.hasAttribute('data-sending')) t.form.requestSubmit();
  });
  // A plain (non-htmx) composer on its way: one submit until the next page (htmx forms have hx-sync).
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (e.defaultPrevented || !f.matches('form.composer') || f.hasAttribute('hx-post')) return;
    if (f.hasAttribute('data-sending')) { e.preventDefault(); return; }
    f.setAttribute('data-sending', '');
    f.setAttribute('aria-busy', 'true');
  });
  // Back to a page kept in memory: its form may send again.
  addEventListener('pageshow', function (e) {
    var f = e.persisted && document.querySelector('form.composer[data-sending]');
    if (f) { f.removeAttribute('data-sending'); f.removeAttribute('aria-busy'); }
  });

  // Copy and Dismiss work only with this script, so it adds them: no-JS pages and text browsers never show a
  // button that does nothing. Whole document: answers' footers, code blocks and errors also arrive in swaps.
  function button(cls, text, label, where, before) {
    var b = document.createElement('button');
    b.type = 'button'; b.className = cls;
    b.innerHTML = '<svg class="icon" aria-hidden="true" focusable="false"><use href="#i-' + (label ? 'copy' : 'x') + '"></use></svg><span></span>';
    b.lastChild.textContent = text;
    if (label) b.setAttribute('aria-label', label);
    where.insertBefore(b, before);
  }
  function addButtons() {
    var els = document.querySelectorAll('footer.msg-foot[data-source],.md .code,.error-box[data-dismissible]'), i, el;
    for (i = 0; i < els.length; i++) {
      el = els[i];
      if (el.querySelector(':scope > button.copy,:scope > button.dismiss')) continue;
      if (el.classList.contains('error-box')) button('btn-small dismiss', w.dismiss, '', el, null);
      else if (el.classList.contains('code')) button('copy', w.copy, w.copyCode, el, el.firstChild);
      else button('btn-small copy', w.copy, w.copyAnswer, el, el.querySelector(':scope > form,:scope > .usage'));
    }
  }
  document.addEventListener('htmx:load', addButtons);
  // Errors in #flash go when dismissed, when a later request succeeds or an answer ends (a "still being written"
  // no longer holds); a field's error goes once its text changes.
  function clearErrors() {
    var boxes = document.querySelectorAll('#flash .error-box');
    for (var i = 0; i < boxes.length; i++) boxes[i].remove();
  }
  document.addEventListener('htmx:afterRequest', function (e) {
    var x = e.detail.xhr;
    if (e.detail.successful && x && x.status < 300 && e.detail.requestConfig && e.detail.requestConfig.verb !== 'get') clearErrors();
  });
  document.addEventListener('htmx:sseBeforeMessage', function (e) { if (e.detail.type === 'done') clearErrors(); });
  // (A field may also be described by a hint, which stays.)
  document.addEventListener('input', function (e) {
    var t = e.target, ids = t.getAttribute && t.getAttribute('aria-invalid') === 'true' && (t.getAttribute('aria-describedby') || '').split(' '), keep = [];
    if (!ids) return;
    ids.forEach(function (id) {
      var d = id && document.getElementById(id);
      if (d && d.classList.contains('field-error')) d.remove(); else if (id) keep.push(id);
    });
    t.removeAttribute('aria-invalid');
    if (keep.length) t.setAttribute('aria-describedby', keep.join(' ')); else t.removeAttribute('aria-describedby');
  });
  // An answer's Copy fetches its markdown source (math and code fences as written) on click; a code block's copies
  // its code. ClipboardItem takes the fetch's promise, so the click still counts as the user's when it resolves.
  document.addEventListener('click', function (e) {
    var t = e.target, x = t.closest && t.closest('button.dismiss'), b = t.closest && t.closest('button.copy'), f, text;
    if (x) x.closest('.error-box').remove();
    if (!b || !navigator.clipboard) return;
    f = b.closest('[data-source]');
    if (!f) text = b.parentElement.querySelector('code').textContent.replace(/\n$/, '');
    else text = fetch(f.getAttribute('data-source'), { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    });
    (typeof text === 'string' ? navigator.clipboard.writeText(text)
      : window.ClipboardItem ? navigator.clipboard.write([new ClipboardItem({ 'text/plain': text.then(function (s) { return new Blob([s], { type: 'text/plain' }); }) })])
      : text.then(function (s) { return navigator.clipboard.writeText(s); })
    ).then(function () { say(b, 1); }, function () { say(b, 0); });
  });
  function say(b, ok) {
    var u = b.querySelector('use');
    b.lastChild.textContent = ok ? w.copied : w.notCopied;
    u.setAttribute('href', ok ? '#i-check' : '#i-copy');
    setTimeout(function () { b.lastChild.textContent = w.copy; u.setAttribute('href', '#i-copy'); }, 1500);
  }

  // The reader's time zone, for the dates the server writes (src/i18n/zones.ts), under the app's path.
  var tz = root.dataset.tz, z = 'tz=' + Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (document.cookie.indexOf(z) < 0) document.cookie = z + ';max-age=99999999;path=' + w.path;
  // Message times (when.ts): kept current, same words as the server, in the zone saved on Account (data-tz) or else
  // the browser's. The page's language, in the browser's own variant of it when it has one (en-GB: "10 Mar").
  var fmts = {}, loc = navigator.language.indexOf(root.lang) ? root.lang : navigator.language;
  function fmt(k, o) { o.timeZone = tz; return fmts[k] || (fmts[k] = new Intl.DateTimeFormat(loc, o)); }
  function day(d) { return new Date(d.toLocaleString('en-US', { timeZone: tz })).setHours(0, 0, 0, 0); }
  function times(e) {
    var all = ((e && e.target.querySelectorAll) ? e.target : document).querySelectorAll('time.msg-time'), now = new Date(), i, d, m, days;
    for (i = 0; i < all.length; i++) {
      d = new Date(all[i].dateTime);
      m = Math.floor((now - d) / 6e4);
      days = Math.round((day(now) - day(d)) / 864e5);
      all[i].firstChild.textContent = m < 1 ? w.now : m < 60 ? w.min.replace('#', m) : !days ? w.h.replace('#', Math.floor(m / 60)) : days === 1 ? w.yesterday
        : d.getFullYear() === now.getFullYear() ? fmt('d', { day: 'numeric', month: 'short' }).format(d) : fmt('y', { dateStyle: 'medium' }).format(d);
      all[i].lastChild.lastChild.nodeValue = fmt('x', { dateStyle: 'medium', timeStyle: 'short' }).format(d);
    }
  }
  document.addEventListener('htmx:load', times);
  setInterval(times, 6e4);

  var follow = true;
  window.addEventListener('scroll', function () { follow = innerHeight + scrollY >= root.scrollHeight - 120; showLatest(); }, { passive: true });
  function toBottom() { if (follow) scrollTo(0, root.scrollHeight); }
  // "Latest": shown while a reader is scrolled up in a thread, just above the composer (in it: the composer is sticky).
  var latest;
  function showLatest() {
    var c = document.getElementById('composer');
    if (!c || !document.getElementById('messages')) return;
    if (!latest || latest.parentNode !== c) {
      latest = document.createElement('button');
      latest.type = 'button'; latest.className = 'to-latest'; latest.title = w.toLatest;
      latest.innerHTML = '<svg class="icon" aria-hidden="true" focusable="false"><use href="#i-down"></use></svg>' + w.latestHtml;
      c.insertBefore(latest, c.firstChild);
    }
    if (latest.hidden !== follow) latest.hidden = follow;
  }
  document.addEventListener('click', function (e) {
    if (!e.target.closest || !e.target.closest('.to-latest')) return;
    follow = true;
    scrollTo(0, root.scrollHeight);
    // By keyboard (no pointer: detail 0), focus goes on to the composer rather than to the page as the button hides.
    if (!e.detail) document.getElementById('content').focus({ preventScroll: true });
  });

  document.addEventListener('DOMContentLoaded', function () {
    addButtons();
    // Before the first layout: the older-messages loader at the top loads only once scrolled to. #latest (links to a
    // thread) means the bottom too.
    if (document.getElementById('messages') && (!location.hash || location.hash === '#latest')) scrollTo(0, root.scrollHeight);
  });
  // Older messages go in above the reader: keep the distance to the bottom, so nothing moves.
  var fromBottom = null;
  document.addEventListener('htmx:beforeSwap', function (e) {
    fromBottom = e.detail.shouldSwap && e.target.matches('.older') ? root.scrollHeight - scrollY : null;
  });
  document.addEventListener('htmx:afterSwap', function (e) {
    if (fromBottom !== null) { scrollTo(0, root.scrollHeight - fromBottom); fromBottom = null; }
    // A sent message: clear the composer only once the server accepted it.
    var form = e.detail && e.detail.requestConfig && e.detail.requestConfig.elt;
    // (Not after a dictation, which swaps only the message field: the files chosen to attach stay.)
    if (form && form.id === 'composer' && e.detail.xhr && e.detail.xhr.status === 200 && e.detail.target.id !== 'content') { form.reset(); follow = true; }
    toBottom();
    showLatest();
  });
  // A stream closed for good (a proxy's 502) is reopened from sse-connect without Last-Event-ID: keep its
  // ?after= at what is shown, or text comes twice. Before the swap, which may remove the element.
  document.addEventListener('htmx:sseBeforeMessage', function (e) {
    var c = e.target.closest('[sse-connect]'), id = e.detail.lastEventId;
    if (c && id) c.setAttribute('sse-connect', c.getAttribute('sse-connect').replace(/after=[\d.]*/, 'after=' + id));
  });
  document.addEventListener('htmx:sseMessage', toBottom);
  // The shell, by keyboard and screen reader: ☰ becomes a button saying whether the drawer is open, Escape closes
  // the drawer or an open menu, focus goes back where it was after the thread header is swapped.
  function touch() { return matchMedia('(pointer: coarse)').matches; }
  function navBox() { return document.getElementById('nav-toggle'); }
  function navBtn() { return document.querySelector('.nav-btn'); }
  function setNav(open) {
    var t = navBox(), b = navBtn();
    if (t) t.checked = open;
    if (b) b.setAttribute('aria-expanded', String(open));
  }
  function enhanceShell() {
    var t = navBox(), l = t && t.nextElementSibling, b;
    if (t && l && l.tagName === 'LABEL') {
      b = document.createElement('button');
      b.type = 'button'; b.className = 'icon-btn nav-btn'; b.title = l.title;
      b.setAttribute('aria-controls', 'sidebar');
      b.innerHTML = l.innerHTML;
      l.replaceWith(b);
      t.hidden = true; t.tabIndex = -1;
      setNav(t.checked);
    }
    // Enter sends only where there is a keyboard with Shift (not on touch screens, nor without this script).
    t = document.querySelector('textarea[data-enter-sends]:not([data-hint])');
    if (t && !touch()) { t.placeholder += w.enterHint; t.setAttribute('data-hint', ''); }
  }
  document.addEventListener('DOMContentLoaded', enhanceShell);
  document.addEventListener('htmx:load', enhanceShell);
  // Dictation: the microphone shows where recording works; its script (dictation.js) loads on its first click.
  document.addEventListener('htmx:load', function () { var m = document.getElementById('mic'); if (m && window.MediaRecorder) m.hidden = false; });
  document.addEventListener('click', function (e) {
    var m = e.target.closest && e.target.closest('#mic');
    if (m && load('dictation', function () { window.dictate(m); })) m.setAttribute('aria-busy', 'true');
  });
  document.addEventListener('click', function (e) {
    var t = navBox();
    if (t && e.target.closest && e.target.closest('.nav-btn')) setNav(!t.checked);
  });
  // The backdrop is a label: it unchecks the box itself.
  document.addEventListener('change', function (e) { if (e.target === navBox()) setNav(e.target.checked); });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    var t = navBox(), m = document.querySelector('details.menu[open]');
    if (t && t.checked) { setNav(false); if (navBtn()) navBtn().focus(); }
    else if (m) { m.open = false; m.querySelector('summary').focus(); }
  });
  // Menus: one open at a time; a click elsewhere closes them (toggle does not bubble: captured).
  document.addEventListener('toggle', function (e) {
    var d = e.target, all = document.querySelectorAll('details.menu[open]'), i;
    if (!d.matches || !d.matches('details.menu') || !d.open) return;
    for (i = 0; i < all.length; i++) if (all[i] !== d) all[i].open = false;
  }, true);
  document.addEventListener('click', function (e) {
    var all = document.querySelectorAll('details.menu[open]'), i;
    for (i = 0; i < all.length; i++) if (!all[i].contains(e.target)) all[i].open = false;
  });
  // Parts loaded on first use, so a first visit carries none of them: attachments (attach.js: chips, drop, paste).
  // The composer (or, for keys.js, the sidebar's Shortcuts link) names each part's URL (data-js-<name>). Files
  // dropped or pasted before it loads wait in `queued`.
  var loaded = {}, queued = null;
  function load(name, done) {
    var c = document.querySelector('[data-js-' + name + ']'), s;
    if (loaded[name]) return loaded[name] === 1 ? done() : loaded[name].push(done);
    if (!c || !c.getAttribute('data-js-' + name)) return;
    loaded[name] = [done];
    s = document.createElement('script');
    s.src = c.getAttribute('data-js-' + name);
    s.onload = function () { var w = loaded[name]; loaded[name] = 1; w.forEach(function (f) { f(); }); };
    return document.head.appendChild(s);
  }
  window.mcLoad = load;
  function attach(files) { queued = files || queued; load('attach', function () { window.mcAttach(queued); queued = null; }); }
  function hasFiles(e) { return e.dataTransfer && [].indexOf.call(e.dataTransfer.types, 'Files') >= 0 && document.getElementById('files'); }
  // A file dropped anywhere on a page with a composer is attached, never opened in place of the page.
  document.addEventListener('dragover', function (e) { if (hasFiles(e)) { e.preventDefault(); attach(); } });
  document.addEventListener('drop', function (e) { if (hasFiles(e)) { e.preventDefault(); attach(e.dataTransfer.files); } });
  document.addEventListener('paste', function (e) {
    var f = e.clipboardData && e.clipboardData.files;
    if (f && f.length && e.target.id === 'content') { e.preventDefault(); attach(f); }
  });
  document.addEventListener('change', function (e) { if (e.target.id === 'files') attach(); });
  // Shortcuts: keys.js, loaded by the first key that may be one (then it listens itself); typing in a field goes on.
  addEventListener('keydown', function (e) {
    var c = e.ctrlKey || e.metaKey;
    if (!window.mcKeys && (c ? /^(SKeyC|AKey[FN]|KeyK)$/.test((e.shiftKey ? 'S' : '') + (e.altKey ? 'A' : '') + e.code) : /^[/?]|Esc/.test(e.key))
      && load('keys', function () { mcKeys(e); }) && (c || !e.target.closest('input,textarea'))) e.preventDefault();
  });
  var headMenu = -1;
  document.addEventListener('htmx:beforeRequest', function (e) {
    var d = e.target.closest && e.target.closest('#thread-head details');
    headMenu = d ? [].indexOf.call(document.querySelectorAll('#thread-head details'), d) : -1;
  });
  document.addEventListener('htmx:afterSettle', function () {
    var h = document.getElementById('thread-head'), a = document.activeElement;
    if (headMenu < 0 || !h || (a && a !== document.body)) return;
    var f = h.querySelector('[aria-invalid=true]') || h.querySelectorAll('details > summary')[headMenu];
    if (f) f.focus();
    headMenu = -1;
  });
})();
