// Drafts: the reply editor is saved on the server as the agent writes (a second after they stop,
// when they leave the editor and when they leave the page), so a reload or another device finds
// it again. A failed save is tried again, never dropped: what is typed stays in the editor. The
// page also says who else has a draft here, live. Without JavaScript the "Save draft" button posts.
;(function () {
  'use strict'
  var state = document.getElementById('draft-state')
  var form = document.querySelector('form.reply-form')
  if (!state || !form || !window.fetch || !window.Quill) return
  var surface = form.querySelector('.editor-surface')
  var quill = surface && window.Quill.find(surface)
  if (!quill || !quill.root) return

  var msg = window.SuiviMessages.msg
  var plural = window.SuiviMessages.plural
  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]')
    return el ? el.getAttribute('content') : ''
  }
  var csrf = meta('csrf-token')
  var draftHref = state.getAttribute('data-draft-href')
  var status = document.getElementById('draft-status')

  var DEBOUNCE_MS = 1000
  var RETRY_MS = [2000, 4000, 8000, 15000, 30000]
  /** Failures in a row before the agent is told (one lost request is not worth a word). */
  var TELL_AFTER = 2

  /** What the editor holds, as the server keeps it. Quill writes every space as &nbsp;: single ones are put back. */
  function current() {
    var text = quill.getText().replace(/\s+$/, '')
    var hasMedia = !!quill.root.querySelector('img, iframe')
    if (!text.trim() && !hasMedia) return { html: '', text: '' }
    var html = quill.getSemanticHTML().replace(/(&nbsp;)+/g, function (run) {
      return run.length === 6 ? ' ' : run
    })
    return { html: html, text: text }
  }
  function same(a, b) {
    return !!a && !!b && a.html === b.html && a.text === b.text
  }

  // The draft the page opened with gets its formatting back (the text box held its words only).
  var openedWith = state.getAttribute('data-draft-html')
  if (openedWith) quill.clipboard.dangerouslyPasteHTML(openedWith, 'silent')
  // What the server holds: the draft shown, or nothing. Words the page came back with (a refused or
  // withdrawn reply) are not saved yet.
  var saved = openedWith || !current().text ? current() : null

  var timer = null
  var inFlight = null
  var failures = 0
  var stopped = false
  var waiting = []

  function say(text) {
    if (status && status.textContent !== text) status.textContent = text
  }

  function schedule(delay) {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(save, delay)
  }

  function put(body, keepalive) {
    return fetch(draftHref, {
      method: 'PUT',
      credentials: 'same-origin',
      keepalive: !!keepalive,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body),
    })
  }

  function settle() {
    var callbacks = waiting
    waiting = []
    callbacks.forEach(function (f) {
      f()
    })
  }

  /** Saves what the editor holds, if it changed; one request at a time, the newest text last. */
  function save() {
    clearTimeout(timer)
    timer = null
    if (stopped || inFlight) return
    var body = current()
    if (same(body, saved)) return
    say(msg('client.drafts.saving'))
    inFlight = put(body)
      .then(function (res) {
        if (!res.ok) throw new Error('draft not saved: ' + res.status)
        saved = body
        failures = 0
        say(body.text || body.html ? msg('client.drafts.saved') : '')
      })
      .catch(function () {
        failures++
        if (failures >= TELL_AFTER) say(msg('client.drafts.notSaved'))
        schedule(RETRY_MS[Math.min(failures - 1, RETRY_MS.length - 1)])
      })
      .then(function () {
        inFlight = null
        // A send waited for this save to land: it goes now, whatever the answer.
        if (waiting.length) {
          stopped = true
          clearTimeout(timer)
          return settle()
        }
        // Typed while it was saving: save that too, a little later.
        if (!timer && !same(current(), saved)) schedule(DEBOUNCE_MS)
      })
  }

  quill.on('text-change', function () {
    schedule(DEBOUNCE_MS)
  })
  quill.root.addEventListener('blur', function () {
    if (timer) save()
  })
  if (!saved) schedule(DEBOUNCE_MS)

  // Leaving the page: what is not saved yet goes with a request that outlives it (a beacon cannot PUT).
  window.addEventListener('pagehide', function () {
    if (stopped) return
    var body = current()
    if (same(body, saved)) return
    clearTimeout(timer)
    put(body, true).catch(function () {})
  })

  // Another script (similar.js) put text in the editor: keep it at once.
  document.addEventListener('suivi:save-draft', save)

  // "Save draft" saves in place; sending (or discarding) stops saving, after a save on its way has
  // landed: a draft saved after the reply would come back.
  form.addEventListener('click', function (e) {
    var button = e.target && e.target.closest ? e.target.closest('[data-draft-save]') : null
    if (!button) return
    e.preventDefault()
    save()
  })
  form.addEventListener('submit', function (e) {
    if (e.defaultPrevented) return
    var submitter = e.submitter
    if (inFlight) {
      e.preventDefault()
      clearTimeout(timer)
      timer = null
      waiting.push(function () {
        if (typeof form.requestSubmit === 'function') form.requestSubmit(submitter || undefined)
        else form.submit()
      })
      return
    }
    stopped = true
    clearTimeout(timer)
  })
  // Back from the page cache: the page is live again.
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) stopped = false
  })

  // ---- Who else has a draft here.
  var notice = document.getElementById('drafts-notice')
  var othersHref = state.getAttribute('data-others-href')
  var header = document.querySelector('[data-conversation-id]')
  var conversationId = header ? Number(header.getAttribute('data-conversation-id')) : null
  var me = Number(meta('agent-id'))
  function showOthers(names) {
    if (notice) notice.textContent = names.length ? plural('client.drafts.others', names.length, { names: names.join(', ') }) : ''
  }
  // live.js passes on the bus's "drafts.changed" for this conversation.
  document.addEventListener('suivi:drafts', function (e) {
    showOthers(
      e.detail.drafters
        .filter(function (d) {
          return d.agentId !== me
        })
        .map(function (d) {
          return d.name
        }),
    )
  })
  // A new message may be someone's draft sent (it went with the send): ask again.
  document.addEventListener('suivi:live', function (e) {
    if (e.detail.type !== 'message.created' || e.detail.event.conversationId !== conversationId) return
    fetch(othersHref, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.ok ? r.json() : null
      })
      .then(function (answer) {
        if (answer) showOthers(answer.others)
      })
      .catch(function () {})
  })
})()
