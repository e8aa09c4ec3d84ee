// On a wide screen the conversation page shows, beside it, the list the agent came from (the
// rows the list itself renders), the open conversation marked; it follows live changes. The
// agent may turn it off for full width; the choice stays in this browser. Without JavaScript,
// or on narrower screens, the conversation takes the full width.
;(function () {
  'use strict'
  var header = document.querySelector('[data-conversation-number]')
  var frame = document.querySelector('.app-frame')
  var listMeta = document.querySelector('meta[name="list-href"]')
  if (!header || !frame || !listMeta || !window.fetch || !window.matchMedia) return

  var msg = window.SuiviMessages.msg

  var KEY = 'suivi.splitView'
  var listHref = listMeta.getAttribute('content')
  var current = header.getAttribute('data-conversation-id')
  var wide = window.matchMedia('(min-width: 1280px)')
  var pane = null
  var loading = null

  function wanted() {
    try {
      return window.localStorage.getItem(KEY) !== 'off'
    } catch {
      return true
    }
  }
  function remember(on) {
    try {
      window.localStorage.setItem(KEY, on ? 'on' : 'off')
    } catch {
      // Private mode: the choice lasts for this page.
    }
  }

  var toggle = document.createElement('button')
  toggle.type = 'button'
  toggle.className = 'button button-link split-toggle'
  toggle.textContent = msg('client.split.toggle')
  // In the line above the title (the way back to the list), out of the way of the thread.
  ;(header.querySelector('p') || header).appendChild(toggle)

  function load() {
    if (loading) loading.abort()
    loading = window.AbortController ? new AbortController() : null
    return fetch('/conversations/rows' + listHref.slice(listHref.indexOf('?')), {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
      signal: loading && loading.signal,
    })
      .then(function (r) {
        return r.ok ? r.json() : null
      })
      .then(function (data) {
        if (!data || !pane) return
        var body = pane.querySelector('.split-rows')
        // The rows as the server rendered them (escaped there); the checkboxes belong to the list page.
        body.innerHTML = data.rows
        body.querySelectorAll('.row-select').forEach(function (box) {
          box.remove()
        })
        var mine = body.querySelector('.conversation-row[data-conversation-id="' + current + '"]')
        if (mine) {
          mine.classList.add('is-current')
          var link = mine.querySelector('.row-link')
          if (link) link.setAttribute('aria-current', 'page')
          if (!pane.dataset.scrolled) {
            pane.dataset.scrolled = '1'
            mine.scrollIntoView({ block: 'center' })
          }
        }
      })
      .catch(function () {})
  }

  function show() {
    if (pane) return
    pane = document.createElement('aside')
    pane.className = 'split-list'
    pane.setAttribute('aria-label', msg('client.split.label'))
    var top = document.createElement('p')
    top.className = 'split-head'
    var back = document.createElement('a')
    back.href = listHref
    back.textContent = msg('client.split.back')
    top.appendChild(back)
    pane.appendChild(top)
    var body = document.createElement('div')
    body.className = 'split-rows'
    pane.appendChild(body)
    frame.insertBefore(pane, document.getElementById('main'))
    frame.classList.add('has-split')
    load()
  }
  function hide() {
    if (!pane) return
    pane.remove()
    pane = null
    frame.classList.remove('has-split')
  }
  function update() {
    var on = wide.matches && wanted()
    toggle.hidden = !wide.matches
    toggle.setAttribute('aria-pressed', on ? 'true' : 'false')
    if (on) show()
    else hide()
  }

  toggle.addEventListener('click', function () {
    remember(!wanted())
    update()
  })
  if (wide.addEventListener) wide.addEventListener('change', update)
  var timer = null
  document.addEventListener('suivi:live', function (e) {
    if (!pane || e.detail.type === 'presence.changed') return
    clearTimeout(timer)
    timer = setTimeout(load, 500)
  })
  update()
})()
