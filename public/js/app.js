// Small progressive enhancements; every feature works without this file.

// Chat: Enter sends, Shift+Enter adds a line; copy buttons (hidden without this script); keep the newest answer in view.
(function () {
  'use strict';
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || !t || !t.matches || !t.matches('textarea[data-enter-sends]')) return;
    e.preventDefault();
    if (t.value.trim() && t.form) t.form.requestSubmit();
  });

  function reveal(root) {
    var buttons = (root || document).querySelectorAll('button.copy[hidden]');
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }
  document.addEventListener('click', function (e) {
    var b = e.target && e.target.closest && e.target.closest('button.copy');
    if (!b || !navigator.clipboard) return;
    var source = b.dataset.copy === 'code' ? b.parentElement.querySelector('code') : b.closest('.msg') && b.closest('.msg').querySelector('.md');
    if (!source) return;
    navigator.clipboard.writeText(source.innerText).then(function () {
      var old = b.textContent;
      b.textContent = 'Copied';
      setTimeout(function () { b.textContent = old; }, 1500);
    });
  });

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
  }
  var follow = true;
  window.addEventListener('scroll', function () { follow = nearBottom(); }, { passive: true });
  function toBottom() { if (follow) window.scrollTo(0, document.documentElement.scrollHeight); }

  document.addEventListener('DOMContentLoaded', function () {
    reveal(document);
    // Before the first layout: the older-messages loader at the top loads only once scrolled to.
    if (document.getElementById('messages') && !location.hash) window.scrollTo(0, document.documentElement.scrollHeight);
  });
  // Older messages go in above the reader: keep the distance to the bottom, so nothing moves.
  var fromBottom = null;
  document.addEventListener('htmx:beforeSwap', function (e) {
    fromBottom = e.detail.shouldSwap && e.target.matches('.older') ? document.documentElement.scrollHeight - scrollY : null;
  });
  document.addEventListener('htmx:afterSwap', function (e) {
    if (fromBottom !== null) { scrollTo(0, document.documentElement.scrollHeight - fromBottom); fromBottom = null; }
    reveal(e.target);
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
  document.addEventListener('htmx:sseMessage', function (e) { reveal(e.target.closest('.msg') || document); toBottom(); });
})();
