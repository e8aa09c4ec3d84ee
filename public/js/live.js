// Live updates for agents: the event stream, who else has the conversation open (names and
// "replying"), and new messages in the open thread. Each event is passed on to the page's other
// scripts as a "suivi:live" DOM event (list-live.js). Without JavaScript pages show their load.
;(function () {
  'use strict'
  if (!window.EventSource || !window.fetch) return

  var msg = window.SuiviMessages.msg
  var plural = window.SuiviMessages.plural
  var meta = function (name) {
    var el = document.querySelector('meta[name="' + name + '"]')
    return el ? el.getAttribute('content') : ''
  }
  var me = Number(meta('agent-id'))
  var csrf = meta('csrf-token')
  var header = document.querySelector('[data-conversation-number]')
  var conversationId = header ? Number(header.getAttribute('data-conversation-id')) : null
  var number = header ? header.getAttribute('data-conversation-number') : null

  function post(url, body, signal) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body || {}),
      signal: signal,
    })
  }
  function others(viewers) {
    return viewers.filter(function (v) {
      return v.agentId !== me
    })
  }

  // ---- The conversation page: report presence, show the others, refresh the thread.
  if (number) {
    var lastTyped = 0
    var composing = false
    var form = document.querySelector('.reply-form')
    if (form)
      form.addEventListener(
        'input',
        function () {
          lastTyped = Date.now()
          if (!composing) beat()
        },
        true,
      )
    var inFlight = null
    var leaving = false
    var beat = function () {
      if (leaving) return
      composing = Date.now() - lastTyped < 8000
      inFlight = window.AbortController ? new AbortController() : null
      post('/conversations/' + number + '/presence', { composing: composing }, inFlight && inFlight.signal).catch(function () {})
    }
    beat()
    var beating = setInterval(beat, 5000)
    window.addEventListener('pagehide', function () {
      // No report may follow the leave: stop beating and drop one not yet sent.
      leaving = true
      clearInterval(beating)
      if (inFlight) inFlight.abort()
      var data = new URLSearchParams({ _csrf: csrf })
      navigator.sendBeacon('/conversations/' + number + '/presence/leave', data)
    })
    // Back from the page cache (back button): present again.
    window.addEventListener('pageshow', function (e) {
      if (!e.persisted) return
      leaving = false
      beat()
      beating = setInterval(beat, 5000)
    })

    var presenceBox = document.getElementById('presence')
    var replyingLine = document.getElementById('presence-replying')
    var warning = document.getElementById('collision-warning')
    // As views/partials/presence.ejs draws them (presenters/conversationPage.ts presentViewer):
    // initials on one of 8 colours that follows from the agent's id.
    var initialsOf = function (name) {
      var words = String(name).trim().split(/\s+/)
      var first = words[0] || '?'
      var last = words.length > 1 ? words[words.length - 1] : ''
      return (Array.from(first)[0] + (last ? Array.from(last)[0] : '')).toUpperCase()
    }
    var showPresence = function (viewers) {
      var list = others(viewers)
      presenceBox.textContent = ''
      if (list.length) {
        var label = document.createElement('span')
        label.className = 'presence-label muted small'
        label.id = 'presence-label'
        label.textContent = msg('client.live.alsoHere')
        presenceBox.appendChild(label)
        var ul = document.createElement('ul')
        ul.className = 'presence-viewers'
        ul.setAttribute('aria-labelledby', 'presence-label')
        list.forEach(function (v) {
          var li = document.createElement('li')
          li.className = 'viewer' + (v.composing ? ' is-composing' : '')
          li.title = v.composing ? msg('client.live.replyingTitle', { name: v.name }) : v.name
          var avatar = document.createElement('span')
          avatar.className = 'avatar avatar-hue-' + (v.agentId % 8)
          avatar.setAttribute('aria-hidden', 'true')
          avatar.textContent = initialsOf(v.name)
          var name = document.createElement('span')
          name.className = 'visually-hidden'
          name.textContent = v.composing ? msg('client.live.replyingLabel', { name: v.name }) : v.name
          li.appendChild(avatar)
          li.appendChild(name)
          ul.appendChild(li)
        })
        presenceBox.appendChild(ul)
      }
      var typing = list
        .filter(function (v) {
          return v.composing
        })
        .map(function (v) {
          return v.name
        })
      var names = typing.join(', ')
      // At the top of the page (a polite live region that stays in place) and above the editor.
      if (replyingLine) replyingLine.textContent = typing.length ? plural('client.live.headerReplying', typing.length, { names: names }) : ''
      if (warning) {
        warning.hidden = typing.length === 0
        warning.textContent = typing.length ? plural('client.live.replying', typing.length, { names: names }) : ''
      }
    }
    var notice = document.getElementById('thread-notice')
    var refreshThread = function () {
      fetch('/conversations/' + number + '/thread', { credentials: 'same-origin' })
        .then(function (r) {
          return r.ok ? r.text() : null
        })
        .then(function (html) {
          if (!html) return
          var thread = document.querySelector('ol.thread')
          var holder = document.createElement('div')
          holder.innerHTML = html
          var fresh = holder.querySelector('ol.thread')
          if (thread && fresh) thread.replaceWith(fresh)
          if (notice) {
            notice.hidden = false
            notice.className = 'thread-notice flash flash-info'
            notice.textContent = msg('client.live.newMessage')
          }
        })
        .catch(function () {})
    }
  }

  var source = new EventSource('/events')
  // Every event also goes to the page's other scripts (the live list) as a "suivi:live" DOM event.
  var announce = function (type, event) {
    document.dispatchEvent(new CustomEvent('suivi:live', { detail: { type: type, event: event } }))
  }
  source.addEventListener('presence.changed', function (e) {
    var event = JSON.parse(e.data)
    if (number && event.conversationId === conversationId) showPresence(event.viewers)
    announce('presence.changed', event)
  })
  // Who has a draft on the open conversation: for drafts.js (the lists have no use for it).
  source.addEventListener('drafts.changed', function (e) {
    var event = JSON.parse(e.data)
    if (number && event.conversationId === conversationId) document.dispatchEvent(new CustomEvent('suivi:drafts', { detail: event }))
  })
  ;['conversation.created', 'conversation.updated', 'message.created', 'notifications.changed'].forEach(function (type) {
    source.addEventListener(type, function (e) {
      var event = JSON.parse(e.data)
      if (number && type === 'message.created' && event.conversationId === conversationId) refreshThread()
      announce(type, event)
    })
  })
})()
