// Dictation with the microphone, loaded by app.js on the first click of #mic (views/files/_dictation.ejs): a click
// starts recording (MediaRecorder), the next stops it; the recording goes to /api/transcribe (never kept) and the
// text lands at the cursor in the composer. The microphone is released as soon as a recording ends.
(function () {
  'use strict';
  var rec = null;
  // The words, in the page's language: the microphone's block carries them (views/files/_dictation.ejs).
  var w = JSON.parse(document.querySelector('.dictation[data-words]').dataset.words);

  function composerText() { return document.getElementById('content'); }

  // The composer's error area (the one a refused send uses): created when missing, removed by an empty message.
  function say(message) {
    var ta = composerText(), p = document.getElementById('content-error');
    if (!ta) return;
    if (!message) {
      if (p) p.remove();
      ta.removeAttribute('aria-invalid');
      return;
    }
    if (!p) {
      p = document.createElement('p');
      p.className = 'field-error'; p.id = 'content-error';
      p.setAttribute('role', 'alert');
      ta.parentNode.insertBefore(p, ta.nextSibling);
    }
    p.textContent = message;
    ta.setAttribute('aria-invalid', 'true');
    ta.setAttribute('aria-describedby', 'content-error');
  }

  // Recording, transcribing or idle, on the button: its pressed state, its words and a busy flag.
  function show(m, state) {
    m.setAttribute('aria-pressed', String(state === 'recording'));
    if (state === 'busy') m.setAttribute('aria-busy', 'true'); else m.removeAttribute('aria-busy');
    m.disabled = state === 'busy';
    m.classList.toggle('recording', state === 'recording');
    m.querySelector('.lbl').textContent = state === 'recording' ? w.stop : state === 'busy' ? w.busy : w.dictate;
  }

  // At the cursor, with a space either side where words would otherwise touch. A composer never focused (caret at
  // its start with text in it) gets the words at its end.
  function insert(text) {
    var ta = composerText(), v = ta.value, s = ta.selectionStart, e = ta.selectionEnd, before, after;
    if (s === 0 && e === 0 && v && document.activeElement !== ta) s = e = v.length;
    before = v.slice(0, s); after = v.slice(e);
    if (before && !/\s$/.test(before)) text = ' ' + text;
    if (after && !/^\s/.test(after)) text += ' ';
    ta.value = before + text + after;
    ta.focus();
    ta.selectionStart = ta.selectionEnd = before.length + text.length;
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function extension(type) { return /mp4|aac/.test(type) ? 'm4a' : /ogg/.test(type) ? 'ogg' : /mpeg/.test(type) ? 'mp3' : /wav/.test(type) ? 'wav' : 'webm'; }

  function send(m, blob) {
    var form = m.closest('form'), token = form && form.querySelector('input[name=_csrf]'), body = new FormData();
    body.append('audio', blob, 'recording.' + extension(blob.type));
    show(m, 'busy');
    fetch(m.getAttribute('data-url'), { method: 'POST', body: body, credentials: 'same-origin', headers: { 'X-CSRF-Token': token ? token.value : '', Accept: 'application/json' } })
      .then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok) throw new Error((j && j.error && j.error.message) || w.failed);
          return j.text;
        }, function () { throw new Error(w.failed); });
      })
      .then(function (text) {
        if (text) { say(''); insert(text); } else say(w.noSpeech);
      }, function (err) {
        say(err && err.message && !/fetch|network/i.test(err.message) ? err.message : w.offline);
      })
      .then(function () { show(m, 'idle'); });
  }

  function start(m) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { say(w.noRecorder); return; }
    show(m, 'busy');
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var chunks = [];
      rec = new MediaRecorder(stream);
      rec.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
      rec.onstop = function () {
        // Off goes the microphone (and the browser's recording indicator) before the upload.
        stream.getTracks().forEach(function (t) { t.stop(); });
        var type = rec.mimeType || (chunks[0] && chunks[0].type) || 'audio/webm';
        rec = null;
        if (chunks.length) send(m, new Blob(chunks, { type: type })); else { show(m, 'idle'); say(w.nothing); }
      };
      rec.start();
      say('');
      show(m, 'recording');
    }, function () {
      show(m, 'idle');
      say(w.noMic);
    });
  }

  // Called by app.js with the clicked button: start, or stop (which sends).
  window.dictate = function (m) {
    m = document.getElementById('mic') || m;
    if (rec && rec.state === 'recording') rec.stop();
    else if (!rec && !m.disabled) start(m);
  };
})();
