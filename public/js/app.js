// Small progressive enhancements; every feature works without this file. (Comments cost bytes: kept short.)
(function () {
  'use strict';
  var root = document.documentElement;
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || !t || !t.matches || !t.matches('textarea[data-enter-sends]')) return;
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

  // Copy and Dismiss buttons, hidden without JS. Whole document: they also arrive in out-of-band swaps.
  function reveal() {
    var buttons = document.querySelectorAll('button.copy[hidden],button.dismiss[hidden]');
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }
  document.addEventListener('htmx:load', reveal);
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
  document.addEventListener('input', function (e) {
    var t = e.target, d = t.getAttribute && t.getAttribute('aria-invalid') === 'true' && document.getElementById(t.getAttribute('aria-describedby'));
    if (!d) return;
    d.remove();
    t.removeAttribute('aria-invalid');
    t.removeAttribute('aria-describedby');
  });
  document.addEventListener('click', function (e) {
    var x = e.target && e.target.closest && e.target.closest('button.dismiss');
    if (x) x.closest('.error-box').remove();
    var b = e.target && e.target.closest && e.target.closest('button.copy');
    if (!b || !navigator.clipboard) return;
    var source = b.dataset.copy === 'code' ? b.parentElement.querySelector('code') : b.closest('.msg') && b.closest('.msg').querySelector('.md');
    if (!source) return;
    // Without the code blocks' Copy labels.
    var inner = source.querySelectorAll('button'), i, text;
    for (i = 0; i < inner.length; i++) inner[i].hidden = true;
    text = source.innerText;
    for (i = 0; i < inner.length; i++) inner[i].hidden = false;
    navigator.clipboard.writeText(text).then(function () {
      var old = b.textContent;
      b.textContent = 'Copied';
      setTimeout(function () { b.textContent = old; }, 1500);
    });
  });

  var follow = true;
  window.addEventListener('scroll', function () { follow = innerHeight + scrollY >= root.scrollHeight - 120; }, { passive: true });
  function toBottom() { if (follow) scrollTo(0, root.scrollHeight); }

  document.addEventListener('DOMContentLoaded', function () {
    reveal();
    // Before the first layout: the older-messages loader at the top loads only once scrolled to.
    if (document.getElementById('messages') && !location.hash) scrollTo(0, root.scrollHeight);
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
    if (form && form.id === 'composer' && e.detail.xhr && e.detail.xhr.status === 200) { form.reset(); follow = true; }
    toBottom();
  });
  // A stream closed for good (a proxy's 502) is reopened from sse-connect without Last-Event-ID: keep its
  // ?after= at what is shown, or text comes twice. Before the swap, which may remove the element.
  document.addEventListener('htmx:sseBeforeMessage', function (e) {
    var c = e.target.closest('[sse-connect]'), id = e.detail.lastEventId;
    if (c && id) c.setAttribute('sse-connect', c.getAttribute('sse-connect').replace(/after=[\d.]*/, 'after=' + id));
  });
  document.addEventListener('htmx:sseMessage', toBottom);
})();
