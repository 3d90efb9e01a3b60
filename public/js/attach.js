// Attachments with JavaScript (loaded by app.js on first use): a chip per chosen file with a preview and a remove
// button, and files dropped on the page or pasted into the message added to the same file input, so the form sends
// them exactly as it would without JavaScript.
(function () {
  'use strict';
  // The words, in the page's language (views/layout.ejs).
  var w = JSON.parse(document.body.dataset.words);
  function input() { return document.getElementById('files'); }
  function size(n) { return n < 1024 ? n + ' B' : n < 1048576 ? Math.round(n / 1024) + ' KB' : (n / 1048576).toFixed(1) + ' MB'; }
  function set(files) {
    var dt = new DataTransfer(), i;
    for (i = 0; i < files.length; i++) dt.items.add(files[i]);
    input().files = dt.files;
  }
  function render() {
    var inp = input(), ul = document.getElementById('file-chips'), i, f, li, b, img, k;
    if (!inp || !ul) return;
    // Unchanged files keep their chips: every streamed swap calls this, and a redraw would revoke previews still loading.
    k = [].map.call(inp.files, function (x) { return x.name + '/' + x.size + '/' + x.lastModified; }).join('|');
    if (ul.getAttribute('data-key') === k) return; ul.setAttribute('data-key', k);
    [].forEach.call(ul.querySelectorAll('img'), function (im) { URL.revokeObjectURL(im.src); });
    ul.textContent = '';
    for (i = 0; i < inp.files.length; i++) {
      f = inp.files[i];
      li = document.createElement('li');
      li.className = 'chip';
      if (/^image\//.test(f.type)) {
        img = document.createElement('img');
        img.src = URL.createObjectURL(f);
        img.alt = '';
        li.appendChild(img);
      }
      li.appendChild(document.createElement('span')).textContent = f.name + ' (' + size(f.size) + ')';
      b = li.appendChild(document.createElement('button'));
      b.type = 'button';
      b.className = 'icon-btn chip-remove';
      b.setAttribute('data-index', i);
      b.setAttribute('aria-label', w.removeFile.split('#').join(f.name));
      b.title = w.remove;
      b.innerHTML = '<svg class="icon" aria-hidden="true" focusable="false"><use href="#i-x"></use></svg>';
      ul.appendChild(li);
    }
    ul.hidden = !inp.files.length;
  }
  window.mcAttach = function (more) {
    var inp = input(), all = [], i;
    if (!inp) return;
    if (more && more.length && more !== inp.files) {
      for (i = 0; i < inp.files.length; i++) all.push(inp.files[i]);
      for (i = 0; i < more.length; i++) all.push(more[i]);
      set(all);
    }
    render();
  };
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('.chip-remove[data-index]'), inp = input(), keep = [], i, n;
    if (!b || !inp) return;
    n = Number(b.getAttribute('data-index'));
    for (i = 0; i < inp.files.length; i++) if (i !== n) keep.push(inp.files[i]);
    set(keep);
    render();
    (document.querySelector('.chip-remove') || document.getElementById('content')).focus();
  });
  // A sent message resets the form (app.js): the chips go with the files.
  document.addEventListener('reset', function (e) { if (e.target.id === 'composer') setTimeout(render); });
  // The composer is replaced after a refusal (the kept files come back as checkboxes): start again from its input.
  document.addEventListener('htmx:afterSwap', render);
})();
