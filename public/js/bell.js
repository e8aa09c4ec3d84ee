// The bell of the top bar: its count follows the agent's notifications live (the event stream
// says when they changed; the count and the latest ten come from /notifications/latest, already
// in the page's language), and with JavaScript it opens the latest in a panel. Without
// JavaScript it is a link to the notification centre and counts what the page was built with.
;(function () {
  'use strict'
  var root = document.querySelector('[data-bell]')
  if (!root || !window.fetch) return
  var link = root.querySelector('[data-bell-link]')
  var badge = root.querySelector('[data-bell-count]')
  var panel = root.querySelector('#bell-panel')
  var items = root.querySelector('[data-bell-items]')
  var readAll = root.querySelector('[data-bell-read-all]')
  var meta = document.querySelector('meta[name="csrf-token"]')
  var csrf = meta ? meta.getAttribute('content') : ''

  function show(data) {
    badge.textContent = data.text
    badge.hidden = data.count === 0
    link.setAttribute('aria-label', data.label)
    if (data.html !== undefined) items.innerHTML = data.html
  }
  var loading = null
  function refresh() {
    if (loading) return loading
    loading = fetch('/notifications/latest', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.ok ? r.json() : null
      })
      .then(function (data) {
        if (data) show(data)
      })
      .catch(function () {})
      .then(function () {
        loading = null
      })
    return loading
  }

  // A button that opens the panel; the centre stays one link away inside it.
  link.setAttribute('role', 'button')
  link.setAttribute('aria-expanded', 'false')
  link.setAttribute('aria-controls', 'bell-panel')
  function open() {
    panel.hidden = false
    link.setAttribute('aria-expanded', 'true')
    refresh()
  }
  function close(focus) {
    panel.hidden = true
    link.setAttribute('aria-expanded', 'false')
    if (focus) link.focus()
  }
  link.addEventListener('click', function (e) {
    e.preventDefault()
    if (panel.hidden) open()
    else close(false)
  })
  link.addEventListener('keydown', function (e) {
    if (e.key === ' ') {
      e.preventDefault()
      link.click()
    }
  })
  root.addEventListener('keydown', function (e) {
    if (e.key.toLowerCase() === 'escape' && !panel.hidden) close(true)
  })
  document.addEventListener('click', function (e) {
    if (!panel.hidden && !root.contains(e.target)) close(false)
  })
  if (readAll)
    readAll.addEventListener('submit', function (e) {
      e.preventDefault()
      fetch(readAll.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
        body: '{}',
      })
        .then(refresh)
        .catch(function () {})
    })

  // Live: the pages with live.js pass its events on; the others listen themselves.
  if (document.querySelector('script[src="/public/js/live.js"]')) {
    document.addEventListener('suivi:live', function (e) {
      if (e.detail && e.detail.type === 'notifications.changed') refresh()
    })
  } else if (window.EventSource) {
    var source = new EventSource('/events')
    source.addEventListener('notifications.changed', refresh)
    window.addEventListener('pagehide', function () {
      source.close()
    })
  }
  // Back from the page cache, the count may be old.
  window.addEventListener('pageshow', function (e) {
    if (e.persisted) refresh()
  })
})()
