// Keyboard shortcuts (issue 15), loaded by app.js on the first key that is one. app.js already checked that the key
// is a shortcut and that no other field than the composer is being typed in; here each one is done.
(function () {
  'use strict';
  var link = document.getElementById('shortcuts-link');
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
  function composer() {
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
      dialog.innerHTML = html + '<form method="dialog"><button class="btn btn-small close-dialog">Close</button></form>';
      dialog.showModal();
    }, function () { location.href = link.getAttribute('href'); });
  }

  window.mcKeys = function (e) {
    var k = e.key;
    if (e.ctrlKey || e.metaKey) {
      if (k === 'k' || k === 'K' || e.code === 'KeyF') search();
      else if (e.code === 'KeyN') location.href = path('/');
      else if (e.code === 'KeyC') copyLast();
    } else if (k === 'Escape') {
      var c = document.getElementById('content');
      if (c && !c.value) stop();
    } else if (k === '/') composer();
    else if (k === '?') help();
  };
})();
